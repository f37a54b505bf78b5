"""Shapes of the spec model -> IR shapes, pure (no I/O): names in type expressions looked up, `extends`
flattened, unions' discriminators checked against their variants, recursion and members that admit null marked.
What the spec model checks on its own (the syntax) is not checked again. Problems are collected, not raised."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator

from . import ir
from .names import is_plain_identifier, snake_case
from .source import Document, Path_, SpecError
from .spec_model import PRIMITIVES, ArrayType, EnumSpec, FieldSpec, ObjectSpec, ShapeModel, TypeExpression, UnionSpec


class ShapeSource:
    """A shape's raw YAML with the document and path it came from."""

    def __init__(self, name: str, doc: Document, path: Path_, group: str) -> None:
        self.name, self.doc, self.path, self.group = name, doc, path, group
        self.model: ShapeModel | None = None
        """The validated shape; None while unread or when it is invalid (its problems are reported already)."""


class ShapeResolver:
    """Resolves the shapes collected from every spec file into IR shapes, recording problems in `errors`."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        self.sources: dict[str, ShapeSource] = {}
        self.flat: dict[str, tuple[ir.Field, ...] | None] = {}
        self.discriminator_py_names: dict[str, str] = {}
        self.discriminator_values: dict[str, tuple[str | int | bool, ...]] = {}

    def check_shapes(self) -> tuple[ir.Shape, ...] | None:
        shapes: list[ir.Shape] = []
        for name, source in self.sources.items():
            model = source.model
            if model is None:
                continue
            if isinstance(model, ObjectSpec):
                fields = self._flatten(name, ())
                if fields is not None:
                    shapes.append(
                        ir.ObjectShape(
                            name,
                            model.description,
                            fields,
                            tuple(model.extends),
                            model.additional == "forbid",
                            source.group,
                        )
                    )
            elif isinstance(model, UnionSpec):
                variants = self._union_variants(source, model)
                if variants is not None:
                    shapes.append(
                        ir.UnionShape(
                            name,
                            model.description,
                            variants,
                            model.discriminator,
                            self.discriminator_py_names.get(name),
                            self.discriminator_values.get(name, ()),
                            source.group,
                            recursive=False,
                        )
                    )
            elif isinstance(model, EnumSpec):
                values = tuple(ir.EnumValue(v, d) for v, d in model.values.items())
                shapes.append(ir.EnumShape(name, model.description, values, source.group))
            else:
                alias_type = self._type(model.type, source.doc, (*source.path, "type"))
                if alias_type is not None:
                    shapes.append(ir.AliasShape(name, model.description, alias_type, source.group, recursive=False))
        marked = _mark_recursion(
            tuple(shapes), self.sources, self.errors
        )  # also on a partial set, to report its cycles too
        if marked is None or len(shapes) != len(self.sources):
            return None
        return _mark_null_admitting(marked)

    def _type(self, expr: TypeExpression, doc: Document, path: Path_) -> ir.TypeExpr | None:
        """The IR of a type expression whose names all exist; None (and an error) where one does not."""
        if isinstance(expr, str):
            if expr in PRIMITIVES:
                return ir.Primitive(expr)  # type: ignore[arg-type]
            if expr not in self.sources:
                self.errors.append(doc.error(path, f"unknown type '{expr}'"))
                return None
            return ir.Ref(expr)
        if isinstance(expr, ArrayType):
            item = self._type(expr.array, doc, (*path, "array"))
            return None if item is None else ir.ArrayOf(item)
        value = self._type(expr.map, doc, (*path, "map"))
        return None if value is None else ir.MapOf(value)

    def _field_type(self, spec: FieldSpec, doc: Document, path: Path_) -> ir.TypeExpr | None:
        if spec.const is not None:
            return ir.Const(spec.const)
        if spec.enum is not None:
            return ir.Choice(tuple(spec.enum))
        assert spec.type is not None  # the spec model requires exactly one of type, const and enum
        parsed = self._type(spec.type, doc, (*path, "type"))
        if isinstance(parsed, ir.Primitive) and (spec.minimum, spec.maximum, spec.format) != (None, None, None):
            return ir.Primitive(parsed.name, spec.minimum, spec.maximum, spec.format)
        return parsed

    def _flatten(self, name: str, stack: tuple[str, ...]) -> tuple[ir.Field, ...] | None:
        """The fields of object shape `name`: its bases' fields in order, then its own (which may narrow them)."""
        if name in self.flat:
            return self.flat[name]
        source = self.sources[name]
        model = source.model
        assert isinstance(model, ObjectSpec)
        merged: dict[str, ir.Field] = {}
        ok = True
        for index, base in enumerate(model.extends):
            base_path = (*source.path, "extends", index)
            base_source = self.sources.get(base)
            if base_source is None or not isinstance(base_source.model, ObjectSpec):
                message = "unknown shape" if base_source is None else "is not an object shape"
                if base_source is None or base_source.model is not None:
                    self.errors.append(source.doc.error(base_path, f"cannot extend '{base}': {message}"))
                ok = False
                continue
            if base in stack or base == name:
                cycle = " -> ".join((*stack, name, base))
                self.errors.append(source.doc.error(base_path, f"cyclic extends: {cycle}"))
                ok = False
                continue
            base_fields = self._flatten(base, (*stack, name))
            if base_fields is None:
                ok = False
                continue
            for f in base_fields:
                known = merged.get(f.wire_name)
                if known is not None and (known.type, known.required, known.nullable) != (
                    f.type,
                    f.required,
                    f.nullable,
                ):
                    self.errors.append(
                        source.doc.error(
                            base_path,
                            f"field '{f.wire_name}' of '{base}' conflicts with "
                            f"'{known.declared_in}'; redeclare it in 'fields'",
                        )
                    )
                    ok = False
                merged.setdefault(f.wire_name, f)
        own_names: dict[str, str] = {}
        for wire_name, spec in model.fields.items():
            path = (*source.path, "fields", wire_name)
            field_type = self._field_type(spec, source.doc, path)
            py_name = spec.python_name if spec.python_name is not None else snake_case(wire_name)
            if spec.python_name is not None and (not is_plain_identifier(py_name) or py_name.startswith("_")):
                self.errors.append(
                    source.doc.error((*path, "python_name"), f"'{py_name}' is not a usable Python attribute name")
                )
                ok = False
            elif not py_name:
                self.errors.append(
                    source.doc.error(
                        path, f"no safe Python name can be derived from '{wire_name}'; set python_name", at_key=True
                    )
                )
                ok = False
            if field_type is None:
                ok = False
                continue
            own_names[wire_name] = py_name
            merged[wire_name] = ir.Field(
                wire_name, py_name, field_type, spec.required, spec.nullable, spec.description, name
            )
        seen: dict[str, str] = {}
        for f in merged.values():
            if f.py_name in seen:
                at = (*source.path, "fields", f.wire_name) if f.wire_name in own_names else source.path
                self.errors.append(
                    source.doc.error(
                        at,
                        f"fields '{seen[f.py_name]}' and '{f.wire_name}' both become Python name '{f.py_name}'",
                        at_key=True,
                    )
                )
                ok = False
            seen[f.py_name] = f.wire_name
        result = tuple(merged.values()) if ok else None
        self.flat[name] = result
        return result

    def _union_variants(self, source: ShapeSource, model: UnionSpec) -> tuple[ir.TypeExpr, ...] | None:
        path = (*source.path, "variants")
        parsed = [self._type(expr, source.doc, (*path, i)) for i, expr in enumerate(model.variants)]
        if any(v is None for v in parsed):
            return None
        variants = tuple(v for v in parsed if v is not None)
        if model.discriminator is not None and not self._check_discriminator(source, model.discriminator, variants):
            return None
        return variants

    def _check_discriminator(self, source: ShapeSource, key: str, variants: tuple[ir.TypeExpr, ...]) -> bool:
        values: dict[str | int | bool, str] = {}
        ok = True
        for index, variant in enumerate(variants):
            path = (*source.path, "variants", index)
            target = self.sources.get(variant.name) if isinstance(variant, ir.Ref) else None
            if target is None or not isinstance(target.model, ObjectSpec):
                self.errors.append(source.doc.error(path, "discriminated variants must be object shapes"))
                ok = False
                continue
            fields = self._flatten(variant.name, ()) if isinstance(variant, ir.Ref) else None
            if fields is None:
                ok = False
                continue
            match = next((f for f in fields if f.wire_name == key), None)
            if match is None or not isinstance(match.type, ir.Const) or not match.required or match.nullable:
                self.errors.append(
                    source.doc.error(
                        path, f"variant '{target.name}' has no required const field '{key}' to discriminate on"
                    )
                )
                ok = False
                continue
            value = match.type.value
            if value in values:
                self.errors.append(
                    source.doc.error(
                        path,
                        f"variants '{values[value]}' and '{target.name}' share discriminator value {json.dumps(value)}",
                    )
                )
                ok = False
            values[value] = target.name
            known = self.discriminator_py_names.setdefault(source.name, match.py_name)
            if known != match.py_name:
                self.errors.append(
                    source.doc.error(
                        path,
                        f"variant '{target.name}' names the discriminator field "
                        f"'{match.py_name}' in Python, others '{known}'",
                    )
                )
                ok = False
        self.discriminator_values[source.name] = tuple(values)
        return ok


def _mark_null_admitting(shapes: tuple[ir.Shape, ...]) -> tuple[ir.Shape, ...]:
    """The shapes with `type_admits_null` set on every field whose type has null among its values."""
    by_name = {shape.name: shape for shape in shapes}
    memo: dict[str, bool] = {}

    def admits(expr: ir.TypeExpr, seen: frozenset[str]) -> bool:
        if isinstance(expr, ir.Primitive):
            return expr.name in ("null", "any")
        if not isinstance(expr, ir.Ref) or expr.name in seen:
            return False
        if expr.name not in memo:
            shape = by_name[expr.name]
            inner = seen | {expr.name}
            if isinstance(shape, ir.UnionShape):
                memo[expr.name] = any(admits(v, inner) for v in shape.variants)
            else:
                memo[expr.name] = isinstance(shape, ir.AliasShape) and admits(shape.type, inner)
        return memo[expr.name]

    return tuple(
        dataclasses.replace(
            shape,
            fields=tuple(dataclasses.replace(f, type_admits_null=admits(f.type, frozenset())) for f in shape.fields),
        )
        if isinstance(shape, ir.ObjectShape)
        else shape
        for shape in shapes
    )


def _mark_recursion(
    shapes: tuple[ir.Shape, ...], sources: dict[str, ShapeSource], errors: list[SpecError]
) -> tuple[ir.Shape, ...] | None:
    """Mark unions and aliases that reach themselves; reject cycles that no value could end."""
    by_name = {s.name: s for s in shapes}

    def edges(expr: ir.TypeExpr, guarded: bool) -> Iterator[tuple[str, bool]]:
        # (shape name, whether the path went through an array or map, which a finite value can stop at)
        if isinstance(expr, ir.Ref) and expr.name in by_name:
            yield expr.name, guarded
        elif isinstance(expr, ir.ArrayOf):
            yield from edges(expr.item, True)
        elif isinstance(expr, ir.MapOf):
            yield from edges(expr.value, True)

    def reaches_self(start: str) -> tuple[bool, bool]:
        seen: set[tuple[str, bool]] = set()
        todo = [(start, False)]
        found, found_unguarded = False, False
        while todo:
            current, guarded = todo.pop()
            shape = by_name[current]
            exprs = (
                shape.variants
                if isinstance(shape, ir.UnionShape)
                else ((shape.type,) if isinstance(shape, ir.AliasShape) else ())
            )
            for expr in exprs:
                for target, through in edges(expr, guarded):
                    if target == start:
                        found = True
                        found_unguarded |= not through
                    if (target, through) not in seen:
                        seen.add((target, through))
                        todo.append((target, through))
        return found, found_unguarded

    result: list[ir.Shape] = []
    ok = True
    for shape in shapes:
        if isinstance(shape, (ir.UnionShape, ir.AliasShape)):
            recursive, unguarded = reaches_self(shape.name)
            if unguarded and isinstance(shape, ir.AliasShape):
                source = sources[shape.name]
                errors.append(
                    source.doc.error(
                        source.path, "an alias cannot be defined as itself (the cycle has no array, map or object)"
                    )
                )
                ok = False
            if (
                unguarded
                and isinstance(shape, ir.UnionShape)
                and all(
                    isinstance(v, ir.Ref) and isinstance(by_name[v.name], (ir.UnionShape, ir.AliasShape))
                    for v in shape.variants
                )
            ):
                source = sources[shape.name]
                errors.append(source.doc.error(source.path, "a union made only of itself has no values"))
                ok = False
            shape = dataclasses.replace(shape, recursive=recursive)
        result.append(shape)
    return tuple(result) if ok else None

"""Shapes of the spec model -> IR shapes, pure (no I/O): type expressions parsed, `extends` flattened, unions and
their discriminators checked, recursion and members that admit null marked. Problems are collected, not raised."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Iterator
from typing import Any

from . import ir
from .names import is_plain_identifier, snake_case
from .source import Document, Path_, SpecError
from .spec_model import AliasSpec, EnumSpec, FieldSpec, ObjectSpec, UnionSpec

PRIMITIVES = ("string", "integer", "int53", "number", "boolean", "null", "any")


class ShapeSource:
    """A shape's raw YAML with the document and path it came from."""

    def __init__(self, name: str, doc: Document, path: Path_, group: str) -> None:
        self.name, self.doc, self.path, self.group = name, doc, path, group
        self.model: ObjectSpec | UnionSpec | EnumSpec | AliasSpec | None = None


class ShapeResolver:
    """Resolves the shapes collected from every spec file into IR shapes, recording problems in `errors`."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors
        self.sources: dict[str, ShapeSource] = {}
        self.flat: dict[str, tuple[ir.Field, ...] | None] = {}
        self.discriminator_py_names: dict[str, str] = {}

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
                            source.group,
                            recursive=False,
                        )
                    )
            elif isinstance(model, EnumSpec):
                if not model.values:
                    self.errors.append(source.doc.error((*source.path, "values"), "an enum needs at least one value"))
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

    def _type(self, raw: Any, doc: Document, path: Path_) -> ir.TypeExpr | None:
        """Parse a type expression: a primitive name, a shape name, `{array: T}` or `{map: T}`."""
        if isinstance(raw, str):
            if raw in PRIMITIVES:
                return ir.Primitive(raw)  # type: ignore[arg-type]
            if raw not in self.sources:
                self.errors.append(doc.error(path, f"unknown type '{raw}'"))
                return None
            return ir.Ref(raw)
        if isinstance(raw, dict) and len(raw) == 1 and next(iter(raw)) in ("array", "map"):
            key, inner_raw = next(iter(raw.items()))
            inner = self._type(inner_raw, doc, (*path, key))
            if inner is None:
                return None
            return ir.ArrayOf(inner) if key == "array" else ir.MapOf(inner)
        self.errors.append(
            doc.error(path, f"a type is a name or {{array: T}} or {{map: T}}, not {json.dumps(raw, default=str)}")
        )
        return None

    def _field_type(self, spec: FieldSpec, doc: Document, path: Path_) -> ir.TypeExpr | None:
        given = [key for key in ("type", "const", "enum") if getattr(spec, key) is not None]
        if len(given) != 1:
            self.errors.append(doc.error(path, "a field needs exactly one of 'type', 'const' or 'enum'"))
            return None
        if spec.const is not None:
            return ir.Const(spec.const)
        if spec.enum is not None:
            if not spec.enum or len(set(spec.enum)) != len(spec.enum):
                self.errors.append(doc.error((*path, "enum"), "an enum needs distinct values"))
                return None
            return ir.Choice(tuple(spec.enum))
        parsed = self._type(spec.type, doc, (*path, "type"))
        if parsed is None:
            return None
        if spec.minimum is not None or spec.maximum is not None or spec.format is not None:
            if not isinstance(parsed, ir.Primitive) or parsed.name not in ("integer", "int53", "number", "string"):
                self.errors.append(doc.error(path, "minimum, maximum and format apply to scalar types only"))
                return None
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
        if not model.variants:
            self.errors.append(source.doc.error(path, "a union needs at least one variant"))
            return None
        parsed = [self._type(raw, source.doc, (*path, i)) for i, raw in enumerate(model.variants)]
        if any(v is None for v in parsed):
            return None
        variants = tuple(v for v in parsed if v is not None)
        if len(set(variants)) != len(variants):
            self.errors.append(source.doc.error(path, "a union lists the same variant twice"))
            return None
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

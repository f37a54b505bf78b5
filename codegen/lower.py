"""Spec files -> validated spec model -> IR. Every problem is collected and reported at once (`SpecErrors`)."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError
from pydantic.alias_generators import to_camel

from . import ir
from .names import RESERVED_SEED_NAMES, RESERVED_SHAPE_NAMES, is_plain_identifier, snake_case
from .source import Document, Path_, SpecError, SpecErrors, load_document
from .spec_model import (
    SEED_BASES,
    SHAPE_KINDS,
    AliasSpec,
    EnumSpec,
    FieldSpec,
    IncludedFileSpec,
    MainFileSpec,
    ObjectSpec,
    SeedApiSpec,
    UnionSpec,
)

MAIN_FILE = "tasks.yaml"
"""The entry file of a spec folder; it names the files it includes."""

EXAMPLES_DIR = "examples"
"""Folder of a spec holding `<Shape>/<valid|invalid>-<slug>.json` wire examples."""

PRIMITIVES = ("string", "integer", "int53", "number", "boolean", "null", "any")
_M = TypeVar("_M", bound=BaseModel)
_EXAMPLE_NAME = re.compile(r"(valid|invalid)-([a-z0-9]+(?:-[a-z0-9]+)*)\.json")


def load_spec(spec_dir: Path) -> ir.Spec:
    """Read, validate and resolve the spec in `spec_dir`; raises `SpecErrors` listing every problem."""
    lowering = _Lowering(spec_dir)
    spec = lowering.run()
    if lowering.errors or spec is None:
        raise SpecErrors(sorted(set(lowering.errors), key=lambda e: (e.file, e.line, e.col, e.where, e.message)))
    return spec


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


def _display(spec_dir: Path, name: str) -> str:
    return (spec_dir / name).as_posix()


class _ShapeSource:
    """A shape's raw YAML with the document and path it came from."""

    def __init__(self, name: str, doc: Document, path: Path_, group: str) -> None:
        self.name, self.doc, self.path, self.group = name, doc, path, group
        self.model: ObjectSpec | UnionSpec | EnumSpec | AliasSpec | None = None


class _Lowering:
    def __init__(self, spec_dir: Path) -> None:
        self.spec_dir = spec_dir
        self.errors: list[SpecError] = []
        self.sources: dict[str, _ShapeSource] = {}
        self.flat: dict[str, tuple[ir.Field, ...] | None] = {}
        self.incomplete = False
        self.discriminator_py_names: dict[str, str] = {}

    # ---------------------------------------------------------------- reading
    def run(self) -> ir.Spec | None:
        main_path = self.spec_dir / MAIN_FILE
        if not main_path.is_file():
            self.errors.append(SpecError(_display(self.spec_dir, MAIN_FILE), 1, 1, "<document>", "file not found"))
            return None
        doc, errors = load_document(main_path, _display(self.spec_dir, MAIN_FILE))
        self.errors += errors
        if doc.data is None:  # unreadable or not YAML: nothing more can be checked
            return None
        main = self._validate(MainFileSpec, doc.data, doc, ())
        if main is None:
            raw_shapes = doc.data.get("shapes") if isinstance(doc.data, dict) else None
            if isinstance(raw_shapes, dict):  # still check the shapes, to report all problems at once
                self._collect_shapes(raw_shapes, doc, "extension")
                self._check_shapes()
            return None
        if not is_plain_identifier(main.extension.package) or not main.extension.package.islower():
            self.errors.append(
                doc.error(("extension", "package"), "the package must be a lower-case Python identifier")
            )
        self._collect_shapes(main.shapes, doc, "extension")
        for index, name in enumerate(main.include):
            self._include(name, doc, ("include", index))
        if self.incomplete:
            return None
        shapes = self._check_shapes()
        self._check_references(main, doc)
        state_machine = self._state_machine(main, doc)
        examples = self._examples()
        seed_api = self._seed_api(main.seed_api, doc, shapes) if main.seed_api and shapes else None
        deviations = self._deviations(main, doc, examples)
        if self.errors or shapes is None:
            return None
        ext = main.extension
        spec = ir.Spec(
            extension=ir.Extension(ext.id, ext.title, ext.sep, ext.package, ext.schema_id, ext.description),
            shapes=shapes,
            constants=tuple(ir.Constant(c.name, c.value, c.description) for c in main.constants),
            methods=tuple(ir.Method(m.name, m.method, m.request, m.result, m.description) for m in main.methods),
            notifications=tuple(
                ir.Notification(n.name, n.method, n.message, n.description) for n in main.notifications
            ),
            errors=tuple(ir.ErrorCode(e.name, e.code, e.description) for e in main.errors),
            meta_keys=tuple(ir.MetaKey(k.name, k.key, k.where, k.description) for k in main.meta_keys),
            state_machine=state_machine,
            examples=examples,
            seed_api=seed_api,
            deviations=deviations,
        )
        return self._versions(main, doc, spec)

    def _versions(self, main: MainFileSpec, doc: Document, spec: ir.Spec) -> ir.Spec | None:
        """The spec with its versions, each lowered from its own folder or, by default, from this spec."""
        if not main.versions:
            if main.default_version is not None:
                self.errors.append(doc.error(("default_version",), "default_version needs a versions list"))
            return spec if not self.errors else None
        versions: list[ir.Version] = []
        seen: dict[str, str] = {}
        for index, version in enumerate(main.versions):
            path: Path_ = ("versions", index)
            if (
                not is_plain_identifier(version.module)
                or not version.module.islower()
                or version.module in ("wire", "typed", "constants")
                or version.module.startswith("_")
            ):
                self.errors.append(doc.error((*path, "module"), f"'{version.module}' cannot name a version module"))
                continue
            if version.name in seen or version.module in seen.values():
                self.errors.append(doc.error(path, f"version '{version.name}' repeats a name or module"))
                continue
            seen[version.name] = version.module
            own = spec
            if version.spec is not None:
                folder = self.spec_dir / version.spec
                try:
                    own = load_spec(folder)
                except SpecErrors as exc:
                    self.errors += exc.errors
                    continue
                if own.versions:
                    self.errors.append(doc.error((*path, "spec"), "a version's spec cannot list versions itself"))
                    continue
            extension = dataclasses.replace(own.extension, schema_id=version.schema_id)
            versions.append(
                ir.Version(
                    version.name, version.module, version.description, dataclasses.replace(own, extension=extension)
                )
            )
        if main.default_version not in seen:
            self.errors.append(doc.error(("default_version",), "default_version must name one of the versions"))
        if self.errors:
            return None
        default = next(v for v in versions if v.name == main.default_version)
        # The package's own view is the default version's spec, with every version beside it.
        return dataclasses.replace(default.spec, versions=tuple(versions), default_version=default.name)

    def _include(self, name: str, main_doc: Document, path: Path_) -> None:
        target = self.spec_dir / name
        if "/" in name or "\\" in name or not target.is_file():
            self.errors.append(main_doc.error(path, f"included file '{name}' not found next to {MAIN_FILE}"))
            return
        doc, errors = load_document(target, _display(self.spec_dir, name))
        self.errors += errors
        included = None if doc.data is None else self._validate(IncludedFileSpec, doc.data, doc, ())
        if included is None:
            self.incomplete = True  # references into this file cannot be checked
            return
        self._collect_shapes(included.shapes, doc, "core")

    def _validate(self, model: type[_M], data: Any, doc: Document, path: Path_) -> _M | None:
        try:
            return model.model_validate(data)
        except ValidationError as exc:
            for err in exc.errors():
                loc = (*path, *err["loc"])
                if err["type"] == "missing":
                    self.errors.append(doc.error(loc[:-1], f"missing required key '{loc[-1]}'"))
                elif err["type"] == "extra_forbidden":
                    self.errors.append(doc.error(loc, f"unknown key '{loc[-1]}'", at_key=True))
                else:
                    self.errors.append(doc.error(loc, err["msg"]))
            return None

    def _collect_shapes(self, raw: dict[str, Any], doc: Document, group: str) -> None:
        for name, body in raw.items():
            path: Path_ = ("shapes", name)
            if name in self.sources:
                other = self.sources[name]
                line = other.doc.keys.get(other.path, (0, 0))[0]
                self.errors.append(
                    doc.error(path, f"duplicate shape '{name}' (first in {other.doc.file} line {line})", at_key=True)
                )
                continue
            source = _ShapeSource(name, doc, path, group)
            self.sources[name] = source
            if not is_plain_identifier(name) or name in RESERVED_SHAPE_NAMES or name[0].islower():
                self.errors.append(
                    doc.error(
                        path, f"shape name '{name}' must be a capitalised Python identifier, not reserved", at_key=True
                    )
                )
            if not isinstance(body, dict):
                self.errors.append(doc.error(path, "a shape must be a mapping"))
                continue
            kind = body.get("kind")
            if kind not in SHAPE_KINDS:
                if "kind" not in body:
                    self.errors.append(doc.error(path, "missing required key 'kind'"))
                else:
                    kinds = ", ".join(SHAPE_KINDS)
                    self.errors.append(doc.error((*path, "kind"), f"unknown kind '{kind}' (one of: {kinds})"))
                continue
            source.model = self._validate(SHAPE_KINDS[kind], body, doc, path)  # type: ignore[assignment]

    # ---------------------------------------------------------------- shapes
    def _check_shapes(self) -> tuple[ir.Shape, ...] | None:
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
        marked = self._mark_recursion(tuple(shapes))  # also on a partial set, to report its cycles too
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

    def _union_variants(self, source: _ShapeSource, model: UnionSpec) -> tuple[ir.TypeExpr, ...] | None:
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

    def _check_discriminator(self, source: _ShapeSource, key: str, variants: tuple[ir.TypeExpr, ...]) -> bool:
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

    def _mark_recursion(self, shapes: tuple[ir.Shape, ...]) -> tuple[ir.Shape, ...] | None:
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
                    source = self.sources[shape.name]
                    self.errors.append(
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
                    source = self.sources[shape.name]
                    self.errors.append(source.doc.error(source.path, "a union made only of itself has no values"))
                    ok = False
                shape = dataclasses.replace(shape, recursive=recursive)
            result.append(shape)
        return tuple(result) if ok else None

    # ---------------------------------------------------------------- the rest
    def _deviations(
        self, main: MainFileSpec, doc: Document, examples: tuple[ir.Example, ...]
    ) -> tuple[ir.Deviation, ...]:
        labels = {f"{e.shape}/{'valid' if e.valid else 'invalid'}-{e.slug}": e.valid for e in examples}
        result: list[ir.Deviation] = []
        names: set[str] = set()
        for index, dev in enumerate(main.deviations):
            path: Path_ = ("deviations", index)
            if dev.name in names:
                self.errors.append(doc.error((*path, "name"), f"duplicate deviation name '{dev.name}'"))
            names.add(dev.name)
            if dev.shape not in self.sources:
                self.errors.append(doc.error((*path, "shape"), f"unknown shape '{dev.shape}'"))
            if not dev.official.startswith("/$defs/"):
                self.errors.append(doc.error((*path, "official"), "a JSON Pointer into the $defs, like /$defs/Name"))
            for key, wanted in (("accepts", True), ("still_rejects", False)):
                refs = getattr(dev, key)
                if key == "accepts" and not refs:
                    self.errors.append(doc.error(path, "a deviation needs at least one example in 'accepts'"))
                for i, ref in enumerate(refs):
                    if labels.get(ref) is not wanted:
                        label = "a valid" if wanted else "an invalid"
                        form = "valid" if wanted else "invalid"
                        self.errors.append(
                            doc.error((*path, key, i), f"'{ref}' is not {label} example (Shape/{form}-slug)")
                        )
            published = json.dumps(dev.published, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
            result.append(
                ir.Deviation(
                    dev.name,
                    dev.shape,
                    dev.official,
                    published,
                    dev.says,
                    dev.ours,
                    dev.why,
                    tuple(dev.accepts),
                    tuple(dev.still_rejects),
                )
            )
        return tuple(result)

    def _check_references(self, main: MainFileSpec, doc: Document) -> None:
        def need(name: str, path: Path_) -> None:
            if name not in self.sources:
                self.errors.append(doc.error(path, f"unknown shape '{name}'"))

        for index, method in enumerate(main.methods):
            need(method.request, ("methods", index, "request"))
            need(method.result, ("methods", index, "result"))
        for index, note in enumerate(main.notifications):
            need(note.message, ("notifications", index, "message"))
        names: dict[str, Path_] = {}
        for section in ("constants", "methods", "notifications", "errors", "meta_keys"):
            for index, item in enumerate(getattr(main, section)):
                path = (section, index, "name")
                if not is_plain_identifier(item.name) or not item.name.isupper():
                    self.errors.append(doc.error(path, f"'{item.name}' must be an UPPER_CASE Python identifier"))
                elif item.name in names:
                    self.errors.append(doc.error(path, f"duplicate constant name '{item.name}'"))
                names.setdefault(item.name, path)

    def _state_machine(self, main: MainFileSpec, doc: Document) -> ir.StateMachine | None:
        sm = main.state_machine
        if sm is None:
            return None
        source = self.sources.get(sm.enum)
        if source is None or not isinstance(source.model, EnumSpec):
            self.errors.append(doc.error(("state_machine", "enum"), f"'{sm.enum}' is not an enum shape"))
            return None
        statuses = set(source.model.values)
        lists: list[tuple[Path_, list[str]]] = [
            (("state_machine", "initial"), sm.initial),
            (("state_machine", "terminal"), sm.terminal),
            (("state_machine", "transitions"), list(sm.transitions)),
        ]
        lists += [(("state_machine", "transitions", key), targets) for key, targets in sm.transitions.items()]
        for path, values in lists:
            for index, value in enumerate(values):
                if value not in statuses:
                    at = path if path[-1] == "transitions" else (*path, index)
                    self.errors.append(doc.error(at, f"'{value}' is not a value of {sm.enum}"))
        for terminal in sm.terminal:
            if sm.transitions.get(terminal):
                self.errors.append(
                    doc.error(
                        ("state_machine", "transitions", terminal),
                        f"terminal status '{terminal}' cannot have transitions",
                    )
                )
        return ir.StateMachine(
            sm.enum,
            tuple(sm.initial),
            tuple(sm.terminal),
            tuple((key, tuple(targets)) for key, targets in sm.transitions.items()),
            sm.description,
        )

    def _examples(self) -> tuple[ir.Example, ...]:
        root = self.spec_dir / EXAMPLES_DIR
        if not root.is_dir():
            return ()
        examples: list[ir.Example] = []
        for folder in sorted(root.iterdir(), key=lambda p: p.name):
            display = f"{_display(self.spec_dir, EXAMPLES_DIR)}/{folder.name}"
            if not folder.is_dir():
                self.errors.append(SpecError(display, 1, 1, "examples", "expected a folder named after a shape"))
                continue
            if folder.name not in self.sources:
                self.errors.append(SpecError(display, 1, 1, "examples", f"unknown shape '{folder.name}'"))
                continue
            for file in sorted(folder.iterdir(), key=lambda p: p.name):
                examples += self._example(folder.name, file, f"{display}/{file.name}")
        return tuple(examples)

    def _example(self, shape: str, file: Path, display: str) -> list[ir.Example]:
        match = _EXAMPLE_NAME.fullmatch(file.name)
        if match is None or not file.is_file():
            self.errors.append(
                SpecError(display, 1, 1, "examples", "name must be valid-<slug>.json or invalid-<slug>.json")
            )
            return []
        try:
            text = file.read_bytes().decode("utf-8")
            json.loads(text)
        except UnicodeDecodeError as exc:
            self.errors.append(SpecError(display, 1, 1, "examples", f"not UTF-8: {exc.reason}"))
            return []
        except json.JSONDecodeError as exc:
            self.errors.append(SpecError(display, exc.lineno, exc.colno, "examples", f"invalid JSON: {exc.msg}"))
            return []
        return [ir.Example(shape, match.group(2), match.group(1) == "valid", text)]

    # ---------------------------------------------------------------- seed-compatible view
    def _seed_api(self, api: SeedApiSpec, doc: Document, shapes: tuple[ir.Shape, ...]) -> ir.SeedApi | None:
        by_name = {shape.name: shape for shape in shapes}
        for index, alias in enumerate(api.aliases):
            if not isinstance(by_name.get(alias), (ir.EnumShape, ir.UnionShape, ir.AliasShape)):
                self.errors.append(
                    doc.error(("seed_api", "aliases", index), f"'{alias}' is not an enum, union or alias")
                )
        models: dict[str, ir.SeedModel] = {}
        wire_names: dict[str, set[str]] = {}
        for name, spec in api.models.items():
            path: Path_ = ("seed_api", "models", name)
            if not is_plain_identifier(name) or name in RESERVED_SEED_NAMES or name in api.aliases:
                self.errors.append(doc.error(path, f"'{name}' cannot name a seed model", at_key=True))
                continue
            shape = by_name.get(spec.shape)
            fields, owners = _seed_source_fields(shape, by_name) if shape is not None else (None, {})
            if fields is None:
                self.errors.append(
                    doc.error((*path, "shape"), f"'{spec.shape}' is not an object shape or a union of them")
                )
                continue
            provided: set[str] = set()
            keep_only: set[str] | None = None
            for index, base in enumerate(spec.bases):
                if base in models:
                    provided |= wire_names[base]
                elif base in ("Result", "RequestParams", "NotificationParams"):
                    provided.add("_meta")
                elif base in ("Request", "Notification"):
                    keep_only = {"method", "params"}  # the JSON-RPC envelope belongs to the session
                elif base not in SEED_BASES:
                    self.errors.append(
                        doc.error(
                            (*path, "bases", index),
                            f"unknown base '{base}' (one of {', '.join(SEED_BASES)} or an earlier seed model)",
                        )
                    )
            own = [f for f in fields if f.wire_name not in provided and (keep_only is None or f.wire_name in keep_only)]
            own_names = {f.wire_name for f in own}
            for key in ("optional", "loose"):
                for index, wire_name in enumerate(getattr(spec, key)):
                    if wire_name not in own_names:
                        self.errors.append(
                            doc.error((*path, key, index), f"'{wire_name}' is not a field of this model")
                        )
            seed_fields = tuple(
                _seed_field(f, f.wire_name in spec.optional, f.wire_name in spec.loose, owners.get(f.wire_name, ()))
                for f in own
            )
            inherited = [f for base in spec.bases if base in models for f in models[base].required_nulls]
            required_nulls = tuple(inherited) + tuple(f for f in seed_fields if f.keep_null)
            generic_args = self._seed_generic_args(spec.bases, seed_fields, models, path, doc)
            if spec.name_param is not None and generic_args is not None:
                params = models[generic_args[0]]
                if spec.name_param not in {f.wire_name for f in params.fields}:
                    self.errors.append(
                        doc.error((*path, "name_param"), f"'{spec.name_param}' is not a field of {params.name}")
                    )
            models[name] = ir.SeedModel(
                name,
                spec.shape,
                tuple(spec.bases),
                spec.description,
                seed_fields,
                required_nulls,
                adds_null_keeper=bool(required_nulls) and not inherited,
                own_config=not any(base == "model" or base in models for base in spec.bases),
                generic_args=generic_args,
                discriminator=shape.discriminator_py_name if isinstance(shape, ir.UnionShape) else None,
                name_param=spec.name_param,
            )
            wire_names[name] = own_names | provided
        model_for_shape: dict[str, str] = {}
        for model in models.values():
            model_for_shape.setdefault(model.shape, model.name)
        return ir.SeedApi(api.description, tuple(api.aliases), tuple(models.values()), model_for_shape)

    def _seed_generic_args(
        self,
        bases: list[str],
        fields: tuple[ir.SeedField, ...],
        models: dict[str, ir.SeedModel],
        path: Path_,
        doc: Document,
    ) -> tuple[str, str] | None:
        """The (params model, method) a Request or Notification base is parametrised with."""
        if not {"Request", "Notification"} & set(bases):
            return None
        method = next((f for f in fields if f.wire_name == "method"), None)
        params = next((f for f in fields if f.wire_name == "params"), None)
        params_model = (
            next(
                (m.name for m in models.values() if isinstance(params.type, ir.Ref) and m.shape == params.type.name),
                None,
            )
            if params is not None
            else None
        )
        if method is None or not isinstance(method.default, str) or params_model is None:
            self.errors.append(
                doc.error(
                    path,
                    "a Request or Notification view needs a const 'method' and a "
                    "'params' shape viewed by an earlier seed model",
                )
            )
            return None
        return params_model, method.default


def _seed_source_fields(
    shape: ir.Shape, by_name: dict[str, ir.Shape]
) -> tuple[list[ir.Field] | None, dict[str, tuple[str, ...]]]:
    """The fields a seed model views: an object's own, or every variant's of a union, merged leniently; and, for a
    union's members that only some variants declare, those variants' discriminator values."""
    if isinstance(shape, ir.ObjectShape):
        return list(shape.fields), {}
    if not isinstance(shape, ir.UnionShape):
        return None, {}
    variants = [by_name.get(v.name) if isinstance(v, ir.Ref) else None for v in shape.variants]
    objects = [v for v in variants if isinstance(v, ir.ObjectShape)]
    if len(objects) != len(variants):
        return None, {}
    merged: dict[str, list[ir.Field]] = {}
    tags: dict[str, list[str]] = {}
    for variant in objects:
        key = next((f for f in variant.fields if f.wire_name == shape.discriminator), None)
        tag = key.type.value if key is not None and isinstance(key.type, ir.Const) else None
        for f in variant.fields:
            merged.setdefault(f.wire_name, []).append(f)
            if isinstance(tag, str):
                tags.setdefault(f.wire_name, []).append(tag)
    result = []
    owners: dict[str, tuple[str, ...]] = {}
    for versions in merged.values():
        first = versions[0]
        same = all((f.type, f.required, f.nullable) == (first.type, first.required, first.nullable) for f in versions)
        if same and len(versions) == len(objects):
            result.append(first)
            continue
        if len(versions) < len(objects) and shape.discriminator is not None:
            owners[first.wire_name] = tuple(tags.get(first.wire_name, ()))
        types = {f.type for f in versions}
        if len(types) == 1:
            field_type = first.type
        elif all(isinstance(t, ir.Const) and isinstance(t.value, str) for t in types):
            field_type = ir.Choice(tuple(str(f.type.value) for f in versions if isinstance(f.type, ir.Const)))
        else:
            field_type = ir.Primitive("any")
        nullable = any(f.nullable for f in versions)
        result.append(
            ir.Field(first.wire_name, first.py_name, field_type, False, nullable, first.description, first.declared_in)
        )
    return result, owners


def _seed_field(field: ir.Field, optional: bool, loose: bool, owners: tuple[str, ...]) -> ir.SeedField:
    """The seed view of a wire field: consts default to their value, optional fields to None."""
    alias = None if to_camel(field.py_name) == field.wire_name else field.wire_name
    field_type = field.type
    has_default, default = not field.required or optional, None
    if isinstance(field_type, ir.Const):
        has_default, default = True, field_type.value
        if loose:
            field_type = ir.Primitive(
                "boolean" if isinstance(default, bool) else ("integer" if isinstance(default, int) else "string")
            )
    return ir.SeedField(
        field.wire_name,
        field.py_name,
        alias,
        field_type,
        has_default,
        default,
        keep_null=field.required and field.nullable,
        omit_null=not field.required and not field.nullable,
        owners=owners,
        description=field.description,
    )

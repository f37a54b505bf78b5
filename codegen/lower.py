"""Spec files -> validated spec model -> IR. Every problem is collected and reported at once (`SpecErrors`).

This module reads the spec files (the main file, its includes, the version folders) and validates them against the
spec model; the shapes are resolved by `resolve`, the examples read by `load`, the deviations checked by
`deviations` and the seed-compatible view built by `seed_view`.
"""

from __future__ import annotations

import dataclasses
import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, TypeAdapter, ValidationError

from . import ir
from .deviations import lower_deviations
from .load import EXAMPLES_DIR, read_examples
from .names import is_plain_identifier
from .resolve import ShapeResolver, ShapeSource
from .seed_view import SeedViewBuilder
from .source import Document, Path_, SpecError, SpecErrors, load_document
from .spec_model import (
    PRIMITIVES,
    SHAPE_KIND_ERROR,
    SHAPE_KINDS,
    TYPE_EXPRESSION_ERROR,
    EnumSpec,
    IncludedFileSpec,
    MainFileSpec,
    ShapeModel,
    ShapeName,
    ShapeSpec,
    yaml_path,
)

MAIN_FILE = "tasks.yaml"
"""The entry file of a spec folder; it names the files it includes."""

__all__ = ["EXAMPLES_DIR", "MAIN_FILE", "PRIMITIVES", "load_spec"]

_M = TypeVar("_M", bound=BaseModel)
_T = TypeVar("_T")
_SHAPE: TypeAdapter[ShapeModel] = TypeAdapter(ShapeSpec)
_SHAPE_NAME: TypeAdapter[str] = TypeAdapter(ShapeName)


def load_spec(spec_dir: Path) -> ir.Spec:
    """Read, validate and resolve the spec in `spec_dir`; raises `SpecErrors` listing every problem."""
    lowering = _Lowering(spec_dir)
    spec = lowering.run()
    if lowering.errors or spec is None:
        raise SpecErrors(sorted(set(lowering.errors), key=lambda e: (e.file, e.line, e.col, e.where, e.message)))
    return spec


def _display(spec_dir: Path, name: str) -> str:
    return (spec_dir / name).as_posix()


class _Lowering:
    """Reads and validates one spec folder, hands its shapes to the resolver, and assembles the IR."""

    def __init__(self, spec_dir: Path) -> None:
        self.spec_dir = spec_dir
        self.errors: list[SpecError] = []
        self.resolver = ShapeResolver(self.errors)
        self.sources = self.resolver.sources
        self.incomplete = False

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
        main = self._validate_file(MainFileSpec, doc, "extension")
        if main is None:
            self.resolver.check_shapes()  # the shapes that were read: report their problems too, all at once
            return None
        if not is_plain_identifier(main.extension.package) or not main.extension.package.islower():
            self.errors.append(
                doc.error(("extension", "package"), "the package must be a lower-case Python identifier")
            )
        for index, name in enumerate(main.include):
            self._include(name, doc, ("include", index))
        if self.incomplete:
            return None
        shapes = self.resolver.check_shapes()
        self._check_references(main, doc)
        state_machine = self._state_machine(main, doc)
        examples = read_examples(self.spec_dir, self.sources, self.errors)
        seed_api = SeedViewBuilder(self.errors).build(main.seed_api, doc, shapes) if main.seed_api and shapes else None
        deviations = lower_deviations(main, doc, examples, self.sources, self.errors)
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
        if doc.data is None or self._validate_file(IncludedFileSpec, doc, "core") is None:
            self.incomplete = True  # references into this file cannot be checked

    def _validate_file(self, model: type[_M], doc: Document, group: str) -> _M | None:
        """`doc` validated as `model`. Each shape is validated on its own first, so that one bad shape hides
        nothing: every shape read is registered with the resolver (its model None when invalid), and the file
        is then validated with the valid shapes in place of their YAML."""
        data = doc.data
        raw_shapes = data.get("shapes") if isinstance(data, dict) else None
        if isinstance(raw_shapes, dict):
            valid = {}
            for name, body in raw_shapes.items():
                shape = self._read_shape(name, body, doc, group)
                if shape is not None:
                    valid[name] = shape
            data = {**data, "shapes": valid}
        return self._validate(TypeAdapter(model), data, doc, ())

    def _read_shape(self, name: str, body: Any, doc: Document, group: str) -> ShapeModel | None:
        path: Path_ = ("shapes", name)
        if name in self.sources:
            other = self.sources[name]
            line = other.doc.keys.get(other.path, (0, 0))[0]
            self.errors.append(
                doc.error(path, f"duplicate shape '{name}' (first in {other.doc.file} line {line})", at_key=True)
            )
            return None
        source = ShapeSource(name, doc, path, group)
        self.sources[name] = source
        good_name = self._validate(_SHAPE_NAME, name, doc, path, at_key=True) is not None
        source.model = self._validate(_SHAPE, body, doc, path)
        return source.model if good_name else None

    def _validate(
        self, adapter: TypeAdapter[_T], data: Any, doc: Document, path: Path_, *, at_key: bool = False
    ) -> _T | None:
        """`data` (found at `path` in `doc`) validated by `adapter`; each pydantic error becomes a located
        `SpecError` in the spec's own words."""
        try:
            return adapter.validate_python(data)
        except ValidationError as exc:
            for err in exc.errors():
                self.errors.append(self._located(err, data, doc, path, at_key))
            return None

    @staticmethod
    def _located(err: Any, data: Any, doc: Document, path: Path_, at_key: bool) -> SpecError:
        loc = (*path, *yaml_path(data, err["loc"]))
        given = err.get("input")
        if err["type"] == "missing":
            return doc.error(loc[:-1], f"missing required key '{loc[-1]}'")
        if err["type"] == "extra_forbidden":
            return doc.error(loc, f"unknown key '{loc[-1]}'", at_key=True)
        if err["type"] == SHAPE_KIND_ERROR and not isinstance(given, dict):
            return doc.error(loc, "a shape must be a mapping")
        if err["type"] == SHAPE_KIND_ERROR and "kind" not in given:
            return doc.error(loc, "missing required key 'kind'")
        if err["type"] == SHAPE_KIND_ERROR:
            kinds = ", ".join(SHAPE_KINDS)
            return doc.error((*loc, "kind"), f"unknown kind '{given['kind']}' (one of: {kinds})")
        if err["type"] == TYPE_EXPRESSION_ERROR:
            shown = json.dumps(given, default=str)
            return doc.error(loc, f"a type is a name or {{array: T}} or {{map: T}}, not {shown}")
        return doc.error(loc, err["msg"], at_key=at_key)

    # ---------------------------------------------------------------- the rest
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

    # ---------------------------------------------------------------- seed-compatible view

"""Wire changelog: lower two specs and diff their IRs, one tagged line per wire change.

Every change is one `Change`, printed as the line `TAG KIND WHERE: MESSAGE`:

- TAG is `BREAKING` (something removed or renamed, a field made required, a type narrowed, a const, code or method
  changed, unknown members forbidden), `compatible` (an optional field, enum value, variant, shape, method ...
  added, a type widened, a field made optional or nullable) or `docs` (descriptions and other text that never
  reaches the wire: title, SEP number, schema $id, package, format annotations).
- KIND is one of `KINDS`; WHERE names the place (`Task`, `Task.ttlMs`, `GET_TASK_METHOD`, `TaskStatus.working`).
- Lines are sorted by tag (BREAKING first), then section, then WHERE, then MESSAGE: the output is deterministic.

A rename is reported as a removal and an addition (two lines, the removal BREAKING). A change to a field that
extending shapes inherit is said once, on the shape declaring it, ending `(also in N extending shapes)`.
Python-only names (attribute names, seed API) and order (of fields, variants, enum values) are not wire changes
and are not reported.

`python -m codegen changelog OLD NEW` compares two spec folders; `python -m codegen changelog --ref REF [NEW]`
compares the folder NEW (default `spec`) as committed at git REF with the working tree; `--version NAME` compares
one version of each. docs/evolution.md documents the format.
"""

from __future__ import annotations

import argparse
import io
import json
import subprocess
import sys
import tarfile
import tempfile
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Literal

from . import ir
from .filters import code_span, type_text
from .jsontypes import NUMERIC_WIDTH, Range
from .lower import load_spec
from .source import SpecErrors

Tag = Literal["BREAKING", "compatible", "docs"]
TAGS: tuple[Tag, ...] = ("BREAKING", "compatible", "docs")
KINDS = (
    "extension",
    "constant",
    "method",
    "notification",
    "error",
    "meta-key",
    "lifecycle",
    "shape",
    "field",
    "variant",
    "enum-value",
)
"""Every KIND a line can have, in section order."""
_SECTION = {kind: index for index, kind in enumerate(KINDS)}
for _kind in ("field", "variant", "enum-value"):
    _SECTION[_kind] = _SECTION["shape"]  # a shape's lines stay together, sorted by WHERE

EXIT_BREAKING = 1
EXIT_BAD_SPEC = 2


@dataclass(frozen=True, slots=True)
class Change:
    """One wire change between two specs."""

    tag: Tag
    kind: str
    where: str
    message: str

    @property
    def line(self) -> str:
        """The stable one-line form: `TAG KIND WHERE: MESSAGE`."""
        return f"{self.tag} {self.kind} {self.where}: {self.message}"

    def as_json(self) -> dict[str, str]:
        return {"tag": self.tag, "kind": self.kind, "where": self.where, "message": self.message}


def _sort_key(change: Change) -> tuple[int, int, str, str]:
    return TAGS.index(change.tag), _SECTION[change.kind], change.where, change.message


# ---------------------------------------------------------------------------------------------------- rendering
def value(v: str | int | bool) -> str:
    """A JSON value as it appears in a message."""
    return json.dumps(v, ensure_ascii=False)


def show(expr: ir.TypeExpr) -> str:
    """A type expression as a message shows it: spec syntax, bounds and format in parentheses."""
    return type_text(expr, _show_leaf, array="{{array: {}}}", mapping="{{map: {}}}")


def _show_leaf(expr: ir.TypeExpr) -> str:
    if isinstance(expr, ir.Ref):
        return expr.name
    if isinstance(expr, ir.Const):
        return f"const {value(expr.value)}"
    if isinstance(expr, ir.Choice):
        return f"enum [{', '.join(value(v) for v in expr.values)}]"
    assert isinstance(expr, ir.Primitive)
    extras = [
        f"{label} {bound}"
        for label, bound in (("minimum", expr.minimum), ("maximum", expr.maximum), ("format", expr.format))
        if bound is not None
    ]
    return f"{expr.name} ({', '.join(extras)})" if extras else expr.name


def _show_field(field: ir.Field) -> str:
    return show(field.type) + (" | null" if field.nullable else "")


def _kind_of(shape: ir.Shape) -> str:
    return {ir.ObjectShape: "object", ir.UnionShape: "union", ir.EnumShape: "enum", ir.AliasShape: "alias"}[type(shape)]


# ---------------------------------------------------------------------------------------------------- types
class _Types:
    """Whether one type expression accepts every value another accepts, each resolved in its own spec."""

    def __init__(self, old: ir.Spec, new: ir.Spec) -> None:
        self.old, self.new = old, new

    def relation(self, old: ir.TypeExpr, new: ir.TypeExpr) -> Literal["same", "widened", "narrowed", "changed"]:
        if old == new:
            return "same"
        wider = self.covers(new, self.new, old, self.old, frozenset())
        narrower = self.covers(old, self.old, new, self.new, frozenset())
        if wider and narrower:
            return "same"
        if wider:
            return "widened"
        return "narrowed" if narrower else "changed"

    def covers(
        self, a: ir.TypeExpr, a_spec: ir.Spec, b: ir.TypeExpr, b_spec: ir.Spec, seen: frozenset[tuple[str, str]]
    ) -> bool:
        """True when `a` (in `a_spec`) surely accepts every value `b` (in `b_spec`) accepts."""
        if a == b:
            return True  # equal, or references to the same name (whose own changes are reported there)
        if isinstance(a, ir.Primitive) and a.name == "any" and a.minimum is None and a.maximum is None:
            return True
        key = (show(a), show(b))
        if key in seen:
            return True  # a cycle: assume what is being proven
        seen = seen | {key}
        if isinstance(b, ir.Ref):
            target = b_spec.by_name.get(b.name)
            if isinstance(target, ir.AliasShape):
                return self.covers(a, a_spec, target.type, b_spec, seen)
            if isinstance(target, ir.UnionShape):
                return all(self.covers(a, a_spec, v, b_spec, seen) for v in target.variants)
            if isinstance(target, ir.EnumShape):
                return all(self.covers(a, a_spec, ir.Const(v.value), b_spec, seen) for v in target.values)
        if isinstance(a, ir.Ref):
            target_a = a_spec.by_name.get(a.name)
            if isinstance(target_a, ir.AliasShape):
                return self.covers(target_a.type, a_spec, b, b_spec, seen)
            if isinstance(target_a, ir.UnionShape):
                return any(self.covers(v, a_spec, b, b_spec, seen) for v in target_a.variants)
            if isinstance(target_a, ir.EnumShape):
                return isinstance(b, (ir.Const, ir.Choice)) and all(
                    v in {e.value for e in target_a.values} for v in _values(b)
                )
            return False
        if isinstance(b, ir.Choice):
            return all(self.covers(a, a_spec, ir.Const(v), b_spec, seen) for v in b.values)
        if isinstance(b, ir.Const):
            return _accepts_value(a, b.value)
        if isinstance(b, ir.Primitive):
            return isinstance(a, ir.Primitive) and _primitive_covers(a, b)
        if isinstance(b, ir.ArrayOf):
            return isinstance(a, ir.ArrayOf) and self.covers(a.item, a_spec, b.item, b_spec, seen)
        if isinstance(b, ir.MapOf):
            return isinstance(a, ir.MapOf) and self.covers(a.value, a_spec, b.value, b_spec, seen)
        return False


def _values(expr: ir.Const | ir.Choice) -> tuple[str | int | bool, ...]:
    return (expr.value,) if isinstance(expr, ir.Const) else expr.values


def _accepts_value(a: ir.TypeExpr, v: str | int | bool) -> bool:
    if isinstance(a, ir.Const):
        return a.value == v and type(a.value) is type(v)
    if isinstance(a, ir.Choice):
        return isinstance(v, str) and v in a.values
    if not isinstance(a, ir.Primitive):
        return False
    if isinstance(v, bool):
        return a.name in ("boolean", "any")
    if isinstance(v, str):
        return a.name in ("string", "any")
    return a.name in (*NUMERIC_WIDTH, "any") and Range.of(a).contains(v)


def _primitive_covers(a: ir.Primitive, b: ir.Primitive) -> bool:
    """Format is an annotation here (never asserted), so it plays no part."""
    if a.name == "any" and a.minimum is None and a.maximum is None:
        return True
    if b.name in NUMERIC_WIDTH:
        if a.name not in NUMERIC_WIDTH or NUMERIC_WIDTH[a.name] < NUMERIC_WIDTH[b.name]:
            return False
        return Range.of(a).covers(Range.of(b))
    return a.name == b.name


# ---------------------------------------------------------------------------------------------------- the diff
class _Differ:
    def __init__(self, old: ir.Spec, new: ir.Spec) -> None:
        self.old, self.new = old, new
        self.types = _Types(old, new)
        self.changes: list[Change] = []
        self.origin: str | None = None
        """While a field is compared: the shape that declares it (the field may be inherited)."""
        self.origins: dict[Change, str] = {}

    def add(self, tag: Tag, kind: str, where: str, message: str) -> None:
        change = Change(tag, kind, where, message)
        self.changes.append(change)
        if self.origin is not None:
            self.origins[change] = self.origin

    def docs(self, kind: str, where: str, old: str, new: str, what: str = "description") -> None:
        if old != new:
            self.add("docs", kind, where, f"{what} changed")

    def run(self) -> list[Change]:
        self._extension()
        self._named("constant", self.old.constants, self.new.constants)
        self._named("method", self.old.methods, self.new.methods)
        self._named("notification", self.old.notifications, self.new.notifications)
        self._named("error", self.old.errors, self.new.errors)
        self._named("meta-key", self.old.meta_keys, self.new.meta_keys)
        self._lifecycle()
        old_shapes, new_shapes = self.old.by_name, self.new.by_name
        for name in sorted(old_shapes.keys() | new_shapes.keys()):
            before, after = old_shapes.get(name), new_shapes.get(name)
            if after is None:
                assert before is not None
                self.add("BREAKING", "shape", name, f"removed ({_kind_of(before)})")
            elif before is None:
                self.add("compatible", "shape", name, f"added ({_kind_of(after)})")
            else:
                self._shape(before, after)
        return sorted(self._fold_inherited(), key=_sort_key)

    def _fold_inherited(self) -> list[Change]:
        """A change to an inherited field, said once at the declaring shape when that shape has the same change."""
        changes = set(self.changes)
        copies: dict[Change, int] = {}
        kept = []
        for change in changes:
            origin = self.origins.get(change)
            shape, _, member = change.where.partition(".")
            if origin is not None and origin != shape:
                declared = Change(change.tag, change.kind, f"{origin}.{member}", change.message)
                if declared in changes:
                    copies[declared] = copies.get(declared, 0) + 1
                    continue
            kept.append(change)
        return [
            replace(c, message=f"{c.message} (also in {n} extending shape{'s' if n > 1 else ''})")
            if (n := copies.get(c, 0))
            else c
            for c in kept
        ]

    # ------------------------------------------------------------------ top-level sections
    def _extension(self) -> None:
        old, new = self.old.extension, self.new.extension
        if old.id != new.id:
            self.add("BREAKING", "extension", "id", f"changed {value(old.id)} → {value(new.id)}")
        for attr in ("schema_id", "package", "title", "sep"):
            before, after = getattr(old, attr), getattr(new, attr)
            if before != after:
                self.add("docs", "extension", attr, f"changed {value(before)} → {value(after)}")
        self.docs("extension", "description", old.description, new.description)

    def _named(
        self,
        kind: str,
        old: Sequence[ir.Constant | ir.Method | ir.Notification | ir.ErrorCode | ir.MetaKey],
        new: Sequence[ir.Constant | ir.Method | ir.Notification | ir.ErrorCode | ir.MetaKey],
    ) -> None:
        before_by_name, after_by_name = {i.name: i for i in old}, {i.name: i for i in new}
        for name in sorted(before_by_name.keys() | after_by_name.keys()):
            before, after = before_by_name.get(name), after_by_name.get(name)
            if after is None:
                assert before is not None
                self.add("BREAKING", kind, name, f"removed ({_summary(before)})")
            elif before is None:
                self.add("compatible", kind, name, f"added ({_summary(after)})")
            else:
                for label, was, now in _wire_attributes(before, after):
                    if was != now:
                        self.add("BREAKING", kind, name, f"{label} changed {was} → {now}")
                self.docs(kind, name, before.description, after.description)

    def _lifecycle(self) -> None:
        old, new = self.old.state_machine, self.new.state_machine
        if old is None and new is None:
            return
        if new is None:
            assert old is not None
            self.add("BREAKING", "lifecycle", old.enum, "removed")
            return
        if old is None:
            self.add("compatible", "lifecycle", new.enum, "added")
            return
        if old.enum != new.enum:
            self.add("BREAKING", "lifecycle", new.enum, f"enum changed {old.enum} → {new.enum}")
        for label, was, now in (("initial", old.initial, new.initial), ("terminal", old.terminal, new.terminal)):
            if set(was) != set(now):
                self.add("BREAKING", "lifecycle", new.enum, f"{label} statuses changed {_list(was)} → {_list(now)}")
        before, after = dict(old.transitions), dict(new.transitions)
        for status in sorted(before.keys() | after.keys()):
            old_targets, new_targets = set(before.get(status, ())), set(after.get(status, ()))
            for target in sorted(old_targets - new_targets):
                self.add("BREAKING", "lifecycle", f"{new.enum}.{status}", f"transition to {value(target)} removed")
            for target in sorted(new_targets - old_targets):
                self.add("compatible", "lifecycle", f"{new.enum}.{status}", f"transition to {value(target)} added")
        self.docs("lifecycle", new.enum, old.description, new.description)

    # ------------------------------------------------------------------ shapes
    def _shape(self, old: ir.Shape, new: ir.Shape) -> None:
        name = new.name
        self.docs("shape", name, old.description, new.description)
        if type(old) is not type(new):
            self.add("BREAKING", "shape", name, f"kind changed {_kind_of(old)} → {_kind_of(new)}")
        elif isinstance(old, ir.ObjectShape) and isinstance(new, ir.ObjectShape):
            self._object(old, new)
        elif isinstance(old, ir.UnionShape) and isinstance(new, ir.UnionShape):
            self._union(old, new)
        elif isinstance(old, ir.EnumShape) and isinstance(new, ir.EnumShape):
            before = {v.value: v for v in old.values}
            after = {v.value: v for v in new.values}
            for v in sorted(before.keys() - after.keys()):
                self.add("BREAKING", "enum-value", name, f"{value(v)} removed")
            for v in sorted(after.keys() - before.keys()):
                self.add("compatible", "enum-value", name, f"{value(v)} added")
            for v in sorted(before.keys() & after.keys()):
                if before[v].description != after[v].description:
                    self.add("docs", "enum-value", name, f"description of {value(v)} changed")
        elif isinstance(old, ir.AliasShape) and isinstance(new, ir.AliasShape):
            self._type("shape", name, old.type, new.type)

    def _object(self, old: ir.ObjectShape, new: ir.ObjectShape) -> None:
        name = new.name
        if old.closed != new.closed:
            if new.closed:
                self.add("BREAKING", "shape", name, "unknown members now forbidden")
            else:
                self.add("compatible", "shape", name, "unknown members now allowed")
        before = {f.wire_name: f for f in old.fields}
        after = {f.wire_name: f for f in new.fields}
        for wire_name in sorted(before.keys() | after.keys()):
            where = f"{name}.{wire_name}"
            was, now = before.get(wire_name), after.get(wire_name)
            either = now if now is not None else was
            self.origin = either.declared_in if either is not None else None
            if now is None:
                assert was is not None
                self.add("BREAKING", "field", where, f"removed ({_show_field(was)})")
            elif was is None:
                if now.required:
                    self.add("BREAKING", "field", where, f"added as required ({_show_field(now)})")
                else:
                    self.add("compatible", "field", where, f"added as optional ({_show_field(now)})")
            else:
                self._field(where, was, now)
        self.origin = None

    def _field(self, where: str, old: ir.Field, new: ir.Field) -> None:
        if old.required != new.required:
            if new.required:
                self.add("BREAKING", "field", where, "made required")
            else:
                self.add("compatible", "field", where, "made optional")
        if old.nullable != new.nullable:
            if new.nullable:
                self.add("compatible", "field", where, "made nullable")
            else:
                self.add("BREAKING", "field", where, "no longer nullable")
        self._type("field", where, old.type, new.type)
        self.docs("field", where, old.description, new.description)

    def _type(self, kind: str, where: str, old: ir.TypeExpr, new: ir.TypeExpr) -> None:
        if isinstance(old, ir.Const) and isinstance(new, ir.Const) and old != new:
            self.add("BREAKING", kind, where, f"const changed {value(old.value)} → {value(new.value)}")
            return
        if isinstance(old, ir.Choice) and isinstance(new, ir.Choice):
            for v in sorted(set(old.values) - set(new.values)):
                self.add("BREAKING", kind, where, f"enum value {value(v)} removed")
            for v in sorted(set(new.values) - set(old.values)):
                self.add("compatible", kind, where, f"enum value {value(v)} added")
            return
        if isinstance(old, ir.Primitive) and isinstance(new, ir.Primitive) and old.format != new.format:
            self.add("docs", kind, where, f"format changed {old.format or 'none'} → {new.format or 'none'}")
            old = ir.Primitive(old.name, old.minimum, old.maximum)
            new = ir.Primitive(new.name, new.minimum, new.maximum)
        relation = self.types.relation(old, new)
        if relation == "widened":
            self.add("compatible", kind, where, f"type widened {show(old)} → {show(new)}")
        elif relation == "narrowed":
            self.add("BREAKING", kind, where, f"type narrowed {show(old)} → {show(new)}")
        elif relation == "changed":
            self.add("BREAKING", kind, where, f"type changed {show(old)} → {show(new)}")

    def _union(self, old: ir.UnionShape, new: ir.UnionShape) -> None:
        name = new.name
        removed = [v for v in old.variants if v not in new.variants]
        added = [v for v in new.variants if v not in old.variants]
        for was in list(removed):  # a variant whose type was widened or narrowed is one change, not two
            for now in added:
                relation = self.types.relation(was, now)
                if relation in ("widened", "narrowed"):
                    tag: Tag = "compatible" if relation == "widened" else "BREAKING"
                    self.add(tag, "variant", name, f"{show(was)} {relation} to {show(now)}")
                    removed.remove(was)
                    added.remove(now)
                    break
        for v in removed:
            self.add("BREAKING", "variant", name, f"{show(v)} removed")
        for v in added:
            self.add("compatible", "variant", name, f"{show(v)} added")


def _summary(item: ir.Constant | ir.Method | ir.Notification | ir.ErrorCode | ir.MetaKey) -> str:
    if isinstance(item, ir.Constant):
        return value(item.value)
    if isinstance(item, ir.Method):
        return f"{value(item.method)}: {item.request} → {item.result}"
    if isinstance(item, ir.Notification):
        return f"{value(item.method)}: {item.message}"
    if isinstance(item, ir.ErrorCode):
        return str(item.code)
    return f"{value(item.key)} in {item.where}"


def _wire_attributes(
    old: ir.Constant | ir.Method | ir.Notification | ir.ErrorCode | ir.MetaKey,
    new: ir.Constant | ir.Method | ir.Notification | ir.ErrorCode | ir.MetaKey,
) -> list[tuple[str, str, str]]:
    """(label, old, new) for every attribute that is on the wire, already rendered."""
    if isinstance(old, ir.Constant) and isinstance(new, ir.Constant):
        return [("value", value(old.value), value(new.value))]
    if isinstance(old, ir.Method) and isinstance(new, ir.Method):
        return [
            ("method", value(old.method), value(new.method)),
            ("request shape", old.request, new.request),
            ("result shape", old.result, new.result),
        ]
    if isinstance(old, ir.Notification) and isinstance(new, ir.Notification):
        return [("method", value(old.method), value(new.method)), ("message shape", old.message, new.message)]
    if isinstance(old, ir.ErrorCode) and isinstance(new, ir.ErrorCode):
        return [("code", str(old.code), str(new.code))]
    if isinstance(old, ir.MetaKey) and isinstance(new, ir.MetaKey):
        return [("key", value(old.key), value(new.key)), ("location", value(old.where), value(new.where))]
    raise TypeError(f"cannot compare {type(old).__name__} with {type(new).__name__}")


def _list(values: Iterable[str]) -> str:
    return "[" + ", ".join(value(v) for v in sorted(values)) + "]"


def diff_specs(old: ir.Spec, new: ir.Spec) -> list[Change]:
    """Every wire change from `old` to `new`, in the documented order."""
    return _Differ(old, new).run()


# ---------------------------------------------------------------------------------------------------- output
def to_markdown(changes: Sequence[Change], old_label: str, new_label: str) -> str:
    """A heading, a count per tag, then one bullet per change grouped by tag (each bullet is the line, as code)."""
    counts = {tag: sum(1 for c in changes if c.tag == tag) for tag in TAGS}
    lines = [
        f"## Wire changelog: `{old_label}` → `{new_label}`",
        "",
        f"{counts['BREAKING']} breaking, {counts['compatible']} compatible, {counts['docs']} docs.",
    ]
    for tag in TAGS:
        group = [c for c in changes if c.tag == tag]
        if group:
            lines += ["", f"### {tag}", ""]
            lines += [f"- {code_span(c.line)}" for c in group]
    if not changes:
        lines += ["", "No wire changes."]
    return "\n".join(lines) + "\n"


def to_json(changes: Sequence[Change]) -> str:
    """A JSON list of {tag, kind, where, message}, in line order."""
    return json.dumps([c.as_json() for c in changes], indent=2, ensure_ascii=False) + "\n"


def select_version(spec: ir.Spec, name: str | None) -> ir.Spec | None:
    """The spec of version `name` (None: the spec as lowered, which is its default version), or None if absent."""
    if name is None:
        return spec
    for version in getattr(spec, "versions", ()):
        if version.name == name:
            return version.spec  # type: ignore[no-any-return]
    return None


# ---------------------------------------------------------------------------------------------------- git
class GitError(Exception):
    """The spec folder could not be read at a git ref."""


def materialize(ref: str, folder: Path, dest: Path) -> Path:
    """Extract `folder` (inside a git work tree) as committed at `ref` under `dest`; returns the extracted folder."""
    folder = folder.resolve()
    if not folder.is_dir():
        raise GitError(f"{folder} is not a folder")
    try:
        top = _git(folder, "rev-parse", "--show-toplevel").decode().strip()
        relative = folder.relative_to(Path(top).resolve()).as_posix()
        archive = _git(Path(top), "archive", "--format=tar", f"{ref}:{relative}" if relative != "." else ref)
    except (OSError, ValueError) as exc:
        raise GitError(str(exc)) from exc
    target = dest / Path(relative).name
    target.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(target, filter="data")
    return target


def _git(cwd: Path, *args: str) -> bytes:
    result = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False)
    if result.returncode != 0:
        raise GitError(f"git {' '.join(args)}: {result.stderr.decode(errors='replace').strip()}")
    return result.stdout


# ---------------------------------------------------------------------------------------------------- command line
DESCRIPTION = "Print every wire change between two spec folders."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `python -m codegen changelog`."""
    parser.add_argument("specs", nargs="*", type=Path, metavar="SPEC", help="OLD NEW, or NEW alone with --ref")
    parser.add_argument("--ref", help="compare NEW (default: spec) as committed at this git ref with the work tree")
    parser.add_argument("--version", help="compare this version of each spec (default: the spec's default version)")
    parser.add_argument("--format", choices=["markdown", "json"], default="markdown")
    parser.add_argument("--fail-on-breaking", action="store_true", help="exit 1 when a change is BREAKING")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`python -m codegen changelog OLD NEW` or `... changelog --ref REF [NEW]`; exit 1 only with --fail-on-breaking."""
    with tempfile.TemporaryDirectory(prefix="changelog-") as tmp:
        if args.ref is not None:
            if len(args.specs) > 1:
                parser.error("with --ref, give at most one spec folder (NEW)")
            new_dir = args.specs[0] if args.specs else Path("spec")
            try:
                old_dir = materialize(args.ref, new_dir, Path(tmp))
            except GitError as exc:
                print(f"cannot read {new_dir} at {args.ref}: {exc}", file=sys.stderr)
                return EXIT_BAD_SPEC
            old_label, new_label = f"{new_dir.as_posix()} @ {args.ref}", f"{new_dir.as_posix()} (work tree)"
        else:
            if len(args.specs) != 2:
                parser.error("give two spec folders, OLD and NEW (or --ref REF [NEW])")
            old_dir, new_dir = args.specs
            old_label, new_label = old_dir.as_posix(), new_dir.as_posix()
        specs = []
        for label, folder in ((old_label, old_dir), (new_label, new_dir)):
            try:
                spec = select_version(load_spec(folder), args.version)
            except SpecErrors as exc:
                for error in exc.errors:
                    print(error, file=sys.stderr)
                print(f"{len(exc.errors)} problem(s) in {label}; no changelog.", file=sys.stderr)
                return EXIT_BAD_SPEC
            if spec is None:
                print(f"{label} has no version {args.version!r}", file=sys.stderr)
                return EXIT_BAD_SPEC
            specs.append(spec)
    changes = diff_specs(specs[0], specs[1])
    if args.format == "json":
        sys.stdout.write(to_json(changes))
    else:
        sys.stdout.write(to_markdown(changes, old_label, new_label))
    breaking = any(c.tag == "BREAKING" for c in changes)
    return EXIT_BREAKING if breaking and args.fail_on_breaking else 0

"""Drift check: our generated JSON Schema against an official one, shape by shape.

Two independent views, per `$defs` name the two schemas share (the normal form is `schema_normal`; the instance
builder, the mutations and the verdict comparison are the instance engine `instances`, which the agreement harness
uses too; this module decides what to check, compares structure, reports and runs the command line):

- **Structure.** Both definitions are normalised first (`$ref`s followed, `allOf` merged, an `allOf` over an
  `anyOf` distributed, `anyOf`s of scalars folded into one type set, `const` and `enum` read as a value set,
  annotations dropped), so that equivalent encodings compare equal: our flattened objects against the official
  `allOf` compositions, our `enum` against its `anyOf` of `const`s. Then members, required sets, unknown members
  (allowed or not), types, consts and enums, bounds, array items and map values are compared, down into nested
  objects and union variants (matched by their discriminating const, else by JSON type, else by shared members; a
  lone shape against a union is compared with every variant). A reference to a name both schemas define is not
  followed: that shape is compared on its own.
- **Instances.** Instances are built from both normalised definitions (one per union variant, minimal, full, and
  full with each member given its other values), read from example folders (`<Shape>/<valid|invalid>-<slug>.json`
  or `<Shape>__<valid|invalid>__<slug>.json`), and turned into single-point near misses by the engine's `edits` (a
  member dropped or nulled, an unknown member added, a value of another JSON type, an integer at the int53 edges
  or spelled as a float or a string, a const or status changed, another const or enum value of the shape): those
  that change members first, then a seeded sample, so runs repeat. Number spellings are read as a JSON parser
  reads them. Every instance is validated by both schemas (jsonschema's Draft202012Validator, formats not
  asserted); those on which the verdicts differ are drift.

Shapes only the official schema has are drift; shapes only ours has are listed but are not drift (our named
helpers, such as per-status variants, are written inline by the official schema).

The spec's deviations (`deviations:` in tasks.yaml: where the published schema contradicts its TypeScript source)
are applied to the official schema first (codegen/deviations.py), so they are reported as known and by name, with
the number of instances the published schema judges differently because of each; a deviation whose fragment the
official schema no longer has as recorded is stale, and that is drift. `python -m codegen drift OFFICIAL
[--ours SCHEMA] [--spec DIR]` prints a Markdown report and exits 0 without drift, 1 with drift, 2 on unreadable
input.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import json
import re
import sys
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ir
from .deviations import Applied, DeviationError, apply_deviations, spec_deviations
from .instances import budgeted, build_instances, deviation_behind, differ, edits, facts_of, judge, parsed
from .jsontypes import Range
from .schema_normal import ANY, JSON, MAX_DEPTH, Node, Normaliser, Schema, canonical_key

DEFAULT_OURS = "mcp_ext_tasks"
"""Our schema: a JSON file, or a package (or version subpackage) whose `json_schema()` gives it."""
GENERATED = Path("generated")
DEFAULT_EXAMPLES = Path("spec/examples")
DEFAULT_SPEC = Path("spec")
MAX_INSTANCES = 300
"""About how many instances to check per shape: the built ones and examples, then mutations of each of them."""
MIN_MUTATIONS = 16
"""Mutations of each built instance or example at least, whatever MAX_INSTANCES says."""
STRUCTURAL = ("drop-member", "unknown-member")
"""The near misses that change which members an object has: each base gets these first, within its budget."""
_Side = tuple[dict[str, Any], Normaliser, Node]
"""A schema document, its normal form, and the normalised definition of the shape being checked."""
SHOWN = 3
"""Disagreeing instances shown per shape and direction (the shortest)."""
EXIT_DRIFT = 1
EXIT_BAD_INPUT = 2


# ---------------------------------------------------------------------------------------------------- structure
def _types_text(node: Node) -> str:
    if node.types is None:
        return "any type"
    return "|".join(sorted(node.types)) or "nothing"


def _values_text(values: tuple[JSON, ...]) -> str:
    if len(values) == 1:
        return f"const {canonical_key(values[0])}"
    return "enum [" + ", ".join(sorted(canonical_key(v) for v in values)) + "]"


def _names(names: Iterable[str]) -> str:
    return ", ".join(sorted(names))


def _describe(node: Node) -> str:
    if node.never:
        return "nothing"
    if node.is_any:
        return "anything"
    if node.variants is not None:
        return f"a union of {len(node.variants)} variants"
    if node.values is not None:
        return _values_text(node.values)
    return _types_text(node)


class _Structure:
    """Structural differences between our node and the official one, as `path: what` lines."""

    def __init__(self, ours: Normaliser, official: Normaliser, shared: set[str]) -> None:
        self.ours, self.official, self.shared = ours, official, shared

    def compare(self, path: str, a: Node, b: Node, depth: int, seen: frozenset[tuple[str, str]]) -> list[str]:
        if depth > MAX_DEPTH:
            return []
        if a.never or b.never or a.is_any or b.is_any:
            if a.never == b.never and a.is_any == b.is_any:
                return []
            return [f"{path}: ours accepts {_describe(a)}, official {_describe(b)}"]
        if a.variants is not None or b.variants is not None:
            return self._variants(path, a, b, depth, seen)
        lines: list[str] = []
        for label, node in (("ours", a), ("official", b)):
            if node.unsupported:
                lines.append(f"{path}: {label} uses keywords this check does not read: {_names(node.unsupported)}")
        if _types_text(a) != _types_text(b):
            lines.append(f"{path}: type: ours {_types_text(a)}, official {_types_text(b)}")
        if a.values is not None or b.values is not None:
            a_keys = None if a.values is None else {canonical_key(v) for v in a.values}
            b_keys = None if b.values is None else {canonical_key(v) for v in b.values}
            if a_keys != b_keys:
                lines.append(f"{path}: {self._values_line(a, b)}")
        if (a.minimum, a.maximum) != (b.minimum, b.maximum):
            lines.append(f"{path}: range: ours {_range(a)}, official {_range(b)}")
        if a.types is None or "object" in a.types or b.types is None or "object" in b.types:
            lines += self._object(path, a, b, depth, seen)
        if (a.items or b.items) and (a.types is None or "array" in a.types or b.types is None or "array" in b.types):
            lines += self._pair(f"{path}[]", a.items, b.items, depth, seen)
        return lines

    @staticmethod
    def _values_line(a: Node, b: Node) -> str:
        if a.values is None or b.values is None:
            ours = "no value restriction" if a.values is None else _values_text(a.values)
            official = "no value restriction" if b.values is None else _values_text(b.values)
            return f"values: ours {ours}, official {official}"
        if len(a.values) == 1 and len(b.values) == 1:
            return f"const: ours {canonical_key(a.values[0])}, official {canonical_key(b.values[0])}"
        a_keys, b_keys = {canonical_key(v) for v in a.values}, {canonical_key(v) for v in b.values}
        parts = []
        if a_keys - b_keys:
            parts.append(f"only in ours {', '.join(sorted(a_keys - b_keys))}")
        if b_keys - a_keys:
            parts.append(f"only in official {', '.join(sorted(b_keys - a_keys))}")
        return "enum values " + "; ".join(parts)

    def _object(self, path: str, a: Node, b: Node, depth: int, seen: frozenset[tuple[str, str]]) -> list[str]:
        lines: list[str] = []
        a_props, b_props = dict(a.properties), dict(b.properties)
        if a_props.keys() - b_props.keys():
            only = self._members(self.ours, a_props, a_props.keys() - b_props.keys())
            lines.append(f"{path}: members only in ours: {only}")
        if b_props.keys() - a_props.keys():
            only = self._members(self.official, b_props, b_props.keys() - a_props.keys())
            lines.append(f"{path}: members only in official: {only}")
        if a.required - b.required:
            lines.append(f"{path}: required only in ours: {_names(a.required - b.required)}")
        if b.required - a.required:
            lines.append(f"{path}: required only in official: {_names(b.required - a.required)}")
        if a.closed != b.closed:
            ours, official = ("forbids", "allows") if a.closed else ("allows", "forbids")
            lines.append(f"{path}: unknown members: ours {ours} them, official {official} them")
        for name in sorted(a_props.keys() & b_props.keys()):
            lines += self._pair(f"{path}.{name}", a_props[name], b_props[name], depth, seen)
        if (a.additional or b.additional) and not (a.closed and b.closed):
            lines += self._pair(f"{path}{{}}", a.additional, b.additional, depth, seen)
        return lines

    @staticmethod
    def _members(side: Normaliser, props: dict[str, tuple[Schema, ...]], names: Iterable[str]) -> str:
        """Member names, each with its const when it has one (`resultType (const "task")`)."""
        out = []
        for name in sorted(names):
            values = side.norm_all(props[name]).values
            out.append(
                f"{name} (const {canonical_key(values[0])})" if values is not None and len(values) == 1 else name
            )
        return ", ".join(out)

    def _pair(
        self,
        path: str,
        a_subs: tuple[Schema, ...],
        b_subs: tuple[Schema, ...],
        depth: int,
        seen: frozenset[tuple[str, str]],
    ) -> list[str]:
        a_ref, b_ref = self.ours.bare_ref(a_subs), self.official.bare_ref(b_subs)
        if a_ref is not None and a_ref == b_ref and a_ref in self.shared:
            return []  # the same named shape on both sides: compared on its own
        pair = (a_ref or f"@{path}", b_ref or f"@{path}")
        if pair in seen:
            return []
        a = self.ours.norm_all(a_subs) if a_subs else ANY
        b = self.official.norm_all(b_subs) if b_subs else ANY
        return self.compare(path, a, b, depth + 1, seen | {pair})

    def _variants(self, path: str, a: Node, b: Node, depth: int, seen: frozenset[tuple[str, str]]) -> list[str]:
        a_vars = a.variants if a.variants is not None else (a,)
        b_vars = b.variants if b.variants is not None else (b,)
        if len(a_vars) == 1 or len(b_vars) == 1:  # a union against one shape: the shape against every variant
            union_side = self.ours if len(a_vars) > 1 else self.official
            labels = self._labels(a_vars if len(a_vars) > 1 else b_vars, union_side)
            owner = "ours" if len(a_vars) > 1 else "official"
            other = "official" if owner == "ours" else "ours"
            lines = [f"{path}: {owner} is a union of {len(labels)} variants ({', '.join(labels)}), {other} is not"]
            for index, label in enumerate(labels):
                x, y = a_vars[index if len(a_vars) > 1 else 0], b_vars[index if len(b_vars) > 1 else 0]
                lines += self.compare(f"{path}[{label}]", x, y, depth + 1, seen)
            return lines
        a_keys, b_keys = self._variant_keys(a_vars, b_vars)
        lines = []
        a_by, b_by = dict(zip(a_keys, a_vars, strict=True)), dict(zip(b_keys, b_vars, strict=True))
        if len(a_vars) != len(b_vars):
            lines.append(f"{path}: ours has {len(a_vars)} variant(s), official {len(b_vars)}")
        for key in a_keys:
            if key not in b_by:
                lines.append(f"{path}: variant {key} only in ours")
        for key in b_keys:
            if key not in a_by:
                lines.append(f"{path}: variant {key} only in official")
        for key in a_keys:
            if key in b_by:
                lines += self.compare(f"{path}[{key}]", a_by[key], b_by[key], depth + 1, seen)
        return lines

    def _variant_keys(self, a_vars: Sequence[Node], b_vars: Sequence[Node]) -> tuple[list[str], list[str]]:
        """Names for the variants of both sides: a discriminating const, else JSON types, else shared members."""
        a_consts = [self._consts(n, self.ours) for n in a_vars]
        b_consts = [self._consts(n, self.official) for n in b_vars]
        common = set.intersection(*(set(c) for c in a_consts + b_consts))
        for name in sorted(common):
            keys_a = [f"{name}={c[name]}" for c in a_consts]
            keys_b = [f"{name}={c[name]}" for c in b_consts]
            if len(set(keys_a)) == len(keys_a) and len(set(keys_b)) == len(keys_b):
                return keys_a, keys_b
        keys_a = [_describe(n) if n.values is not None else _types_text(n) for n in a_vars]
        keys_b = [_describe(n) if n.values is not None else _types_text(n) for n in b_vars]
        if len(set(keys_a)) == len(keys_a) and len(set(keys_b)) == len(keys_b):
            return keys_a, keys_b
        return _pair_by_members(a_vars, b_vars)

    def _labels(self, variants: Sequence[Node], side: Normaliser) -> list[str]:
        """Names for one side's variants: a const that tells them apart, else their JSON types, else position."""
        consts = [self._consts(n, side) for n in variants]
        for name in sorted(set.intersection(*(set(c) for c in consts))):
            labels = [f"{name}={c[name]}" for c in consts]
            if len(set(labels)) == len(labels):
                return labels
        labels = [_describe(n) if n.values is not None else _types_text(n) for n in variants]
        return labels if len(set(labels)) == len(labels) else [f"#{i + 1}" for i in range(len(variants))]

    @staticmethod
    def _consts(node: Node, side: Normaliser) -> dict[str, str]:
        """The members of an object variant that hold exactly one value, with that value."""
        out = {}
        for name, subs in node.properties:
            values = side.norm_all(subs).values
            if values is not None and len(values) == 1:
                out[name] = canonical_key(values[0])
        return out


def _pair_by_members(a_vars: Sequence[Node], b_vars: Sequence[Node]) -> tuple[list[str], list[str]]:
    """Pair variants greedily by how many members they share (best first); a pair shares its `#n` name."""
    members_a = [{name for name, _ in n.properties} for n in a_vars]
    members_b = [{name for name, _ in n.properties} for n in b_vars]
    scores = sorted(
        (
            (-len(x & y) / max(len(x | y), 1), i, j)
            for i, x in enumerate(members_a)
            for j, y in enumerate(members_b)
            if x & y or x == y
        ),
    )
    keys_a = [f"#{i + 1}" for i in range(len(a_vars))]
    keys_b: list[str | None] = [None] * len(b_vars)
    taken: set[int] = set()
    for _, i, j in scores:
        if i not in taken and keys_b[j] is None:
            taken.add(i)
            keys_b[j] = keys_a[i]
    return keys_a, [key if key is not None else f"official #{j + 1}" for j, key in enumerate(keys_b)]


def _range(node: Node) -> str:
    return Range(node.minimum, node.maximum).text(canonical_key)


_VARIANT = re.compile(r"\[[^\]]+\]")


def collapse(lines: Sequence[str]) -> list[str]:
    """Lines that differ only in which union variant they name, said once: `Shape[*].x: ... (N variants)`."""
    groups: dict[str, list[str]] = {}
    for line in lines:
        path, sep, rest = line.partition(": ")
        groups.setdefault(_VARIANT.sub("[*]", path) + sep + rest, []).append(line)
    out = []
    for generic, members in groups.items():
        out.append(generic + f" (in {len(members)} variants)" if len(members) > 1 else members[0])
    return out


# ---------------------------------------------------------------------------------------------------- examples
@dataclass(frozen=True)
class Example:
    shape: str
    name: str
    value: JSON


def load_examples(folders: Iterable[Path]) -> list[Example]:
    """Examples from `<Shape>/<label>-<slug>.json` folders and flat `<Shape>__<label>__<slug>.json` files."""
    examples: list[Example] = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in sorted(folder.rglob("*.json")):
            if "__" in path.stem:
                shape = path.stem.split("__")[0]
            elif path.parent != folder:
                shape = path.parent.name
            else:
                continue
            try:
                examples.append(Example(shape, path.as_posix(), json.loads(path.read_text(encoding="utf-8"))))
            except (OSError, UnicodeDecodeError, json.JSONDecodeError):
                continue
    return examples


# ---------------------------------------------------------------------------------------------------- the check
@dataclass
class Disagreement:
    instance: JSON
    ours: bool

    @property
    def text(self) -> str:
        return json.dumps(self.instance, separators=(",", ":"), ensure_ascii=False)


@dataclass
class ShapeDrift:
    """What one shared shape's comparison found."""

    name: str
    structure: list[str] = field(default_factory=list)
    checked: int = 0
    disagreements: list[Disagreement] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.structure and not self.disagreements


@dataclass
class DriftReport:
    ours_label: str
    official_label: str
    missing: list[str]
    """Official shapes ours lacks (drift)."""
    extra: list[str]
    """Our shapes the official schema lacks (listed, not drift)."""
    shapes: list[ShapeDrift]
    ids: tuple[str | None, str | None] = (None, None)
    """The `$id`s of ours and the official schema (reported when they differ; not drift)."""
    deviations: tuple[ir.Deviation, ...] = ()
    """The spec's deviations applied to the official schema before comparing (known, not drift)."""
    stale: tuple[tuple[ir.Deviation, str], ...] = ()
    """Deviations the official schema no longer has as recorded (drift: the spec's list needs a look)."""
    explained: dict[str, int] = field(default_factory=dict)
    """Per applied deviation: instances the official schema as published judges otherwise because of it."""

    @property
    def clean(self) -> bool:
        return not self.missing and not self.stale and all(s.clean for s in self.shapes)

    @property
    def instances(self) -> int:
        return sum(s.checked for s in self.shapes)


def _validator(document: dict[str, Any], name: str) -> Any:
    # jsonschema (the test dependency group) is imported here, so that `python -m codegen --help` and the other
    # subcommands need only the codegen group.
    from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

    root = {key: value for key, value in document.items() if key in ("$schema", "$id", "$defs", "definitions")}
    section = "$defs" if "$defs" in document else "definitions"
    return Draft202012Validator({**root, "$ref": f"#/{section}/{name}"})


def check_drift(
    ours: dict[str, Any],
    official: dict[str, Any],
    examples: Sequence[Example] = (),
    *,
    ours_label: str = "ours",
    official_label: str = "official",
    max_instances: int = MAX_INSTANCES,
    only: Sequence[str] = (),
    deviations: Sequence[ir.Deviation] = (),
) -> DriftReport:
    """Compare two schema documents shape by shape (`only`: just these shared shapes), after applying the listed
    deviations to the official one."""
    applied = apply_deviations(official, ours, deviations)
    check = _Instances(ours, official, applied, max_instances)
    official = applied.document
    ours_norm, official_norm = Normaliser(ours), Normaliser(official)
    ours_names, official_names = set(ours_norm.defs), set(official_norm.defs)
    shared = ours_names & official_names
    structure = _Structure(ours_norm, official_norm, shared)
    by_shape: dict[str, list[Example]] = {}
    for example in examples:
        by_shape.setdefault(example.shape, []).append(example)
    shapes = []
    for name in sorted(shared):
        if only and name not in only:
            continue
        a, b = ours_norm.definition(name), official_norm.definition(name)
        drift = ShapeDrift(name, structure.compare(name, a, b, 0, frozenset({(name, name)})))
        check.check(drift, (ours, ours_norm, a), (official, official_norm, b), by_shape.get(name, []))
        shapes.append(drift)
    return DriftReport(
        ours_label,
        official_label,
        sorted(official_names - ours_names),
        sorted(ours_names - official_names),
        shapes,
        (ours.get("$id"), official.get("$id")),
        applied.applied,
        applied.stale,
        dict(check.counts),
    )


class _Instances:
    """The instance half of the check: instances of a shared shape judged by our schema and the official one (with
    the deviations applied); and per applied deviation, how many the official schema as published judges otherwise
    because of it (the published schema with that deviation alone applied judges them as the patched one does)."""

    def __init__(self, ours: dict[str, Any], published: dict[str, Any], applied: Applied, limit: int) -> None:
        self.documents = [published, *(apply_deviations(published, ours, [d]).document for d in applied.applied)]
        self.counts = {d.name: 0 for d in applied.applied}
        self.facts = facts_of([ours, applied.document])
        self.limit = limit
        self._validators: dict[tuple[int, str], Any] = {}

    def _judge(self, index: int, shape: str) -> Callable[[JSON], bool]:
        if (index, shape) not in self._validators:
            self._validators[(index, shape)] = _validator(self.documents[index], shape)
        is_valid: Callable[[JSON], bool] = self._validators[(index, shape)].is_valid
        return is_valid

    def _explain(self, shape: str, instance: JSON, patched_verdict: bool) -> None:
        if self.counts:
            singles = [(name, self._judge(index, shape)) for index, name in enumerate(self.counts, 1)]
            behind = deviation_behind(instance, patched_verdict, self._judge(0, shape), singles)
            if behind in self.counts:
                self.counts[behind] += 1

    def check(self, drift: ShapeDrift, ours: _Side, official: _Side, examples: Sequence[Example]) -> None:
        """Build, mutate and judge the instances of one shape; the disagreements go into `drift`."""
        built = [build_instances(ours[1], ours[2]), build_instances(official[1], official[2])]
        bases: dict[str, JSON] = {}
        for made in built:
            for instance in made.instances[:24]:
                bases.setdefault(canonical_key(instance), instance)
        for example in examples:
            bases.setdefault(canonical_key(example.value), example.value)
        vocabulary = list(dict.fromkeys([*built[0].vocabulary, *built[1].vocabulary]))[:40]
        instances: dict[str, JSON] = dict(bases)
        for made in built:
            for variation in made.variations[:120]:
                instances.setdefault(canonical_key(variation), variation)
        budget = max(MIN_MUTATIONS, (self.limit - len(bases)) // max(len(bases), 1))
        for index, base in enumerate(bases.values()):
            near = edits(base, self.facts, vocabulary)
            for edit in budgeted(near, budget, f"{drift.name}/{index}", first=STRUCTURAL):
                mutant = parsed(edit.apply(base))  # number spellings (RawNumber) as a JSON parser reads them
                instances.setdefault(canonical_key(mutant), mutant)
        judges = {"ours": _validator(ours[0], drift.name).is_valid}
        judges["official"] = _validator(official[0], drift.name).is_valid
        for key in sorted(instances, key=lambda k: (len(k), k)):
            verdicts = judge(instances[key], judges)
            if differ(verdicts):
                drift.disagreements.append(Disagreement(instances[key], bool(verdicts["ours"])))
            self._explain(drift.name, instances[key], bool(verdicts["official"]))
        drift.checked = len(instances)


# ---------------------------------------------------------------------------------------------------- report
def to_markdown(report: DriftReport, shown: int = SHOWN) -> str:
    """The Markdown report: verdict, a table of the drifting shapes, then each one's differences."""
    drifting = [s for s in report.shapes if not s.clean]
    lines = [
        f"## Drift: `{report.ours_label}` against `{report.official_label}`",
        "",
        f"{len(report.shapes)} shared shapes compared, {report.instances} instances validated by both schemas.",
        "",
    ]
    if report.clean:
        lines.append("**No drift**: every official shape is ours, with the same structure and the same verdicts.")
    else:
        lines.append(
            f"**Drift**: {len(report.missing)} official shape(s) missing from ours, "
            f"{len(drifting)} of {len(report.shapes)} shared shape(s) differ."
        )
    if report.ids[0] != report.ids[1]:
        lines += ["", f"The `$id`s differ (not drift): ours `{report.ids[0]}`, official `{report.ids[1]}`."]
    if report.deviations:
        lines += [
            "",
            f"### Known deviations ({len(report.deviations)}, listed in the spec; applied to the official schema "
            "before comparing)",
            "",
        ]
        lines += [
            f"- `{d.name}`: our {d.shape} in place of `{d.official}`: {report.explained.get(d.name, 0)} instances "
            "judged otherwise by the schema as published"
            for d in report.deviations
        ]
    if report.stale:
        lines += ["", "### Stale deviations (drift: the official schema no longer says what the spec recorded)", ""]
        lines += [f"- `{d.name}`: {_clip(problem)}" for d, problem in report.stale]
    if report.missing:
        lines += ["", "### Only in the official schema (missing from ours)", "", _names(report.missing)]
    if report.extra:
        lines += [
            "",
            "### Only in ours (not drift: named helpers the official schema writes inline, or shapes it lacks)",
            "",
            _names(report.extra),
        ]
    if drifting:
        lines += [
            "",
            "### Shared shapes that differ",
            "",
            "| shape | structural differences | instances: ours accepts, official rejects | "
            "ours rejects, official accepts |",
            "|---|---:|---:|---:|",
        ]
        for shape in drifting:
            accepts = sum(1 for d in shape.disagreements if d.ours)
            lines.append(
                f"| {shape.name} | {len(collapse(shape.structure))} | {accepts} of {shape.checked} | "
                f"{len(shape.disagreements) - accepts} of {shape.checked} |"
            )
    for shape in drifting:
        lines += ["", f"#### {shape.name}", ""]
        lines += [f"- `{line}`" for line in collapse(shape.structure)]
        for ours, label in ((True, "ours accepts, official rejects"), (False, "ours rejects, official accepts")):
            group = [d for d in shape.disagreements if d.ours == ours]
            if group:
                picked = _pick(group, shown)
                more = f" ({len(picked)} of {len(group)}, the shortest unlike each other)" if len(group) > shown else ""
                lines.append(f"- {label}{more}:")
                lines += [f"  - `{_clip(d.text)}`" for d in picked]
    clean = [s.name for s in report.shapes if s.clean]
    if clean and drifting:
        lines += ["", f"### Shared shapes without drift ({len(clean)})", "", _names(clean)]
    return "\n".join(lines) + "\n"


def _skeleton(value: JSON) -> str:
    """A value with every string emptied: instances that differ only in string values share a skeleton."""

    def strip(v: JSON) -> JSON:
        if isinstance(v, str):
            return ""
        if isinstance(v, dict):
            return {k: strip(x) for k, x in v.items()}
        return [strip(x) for x in v] if isinstance(v, list) else v

    return canonical_key(strip(value))


def _pick(group: Sequence[Disagreement], count: int) -> list[Disagreement]:
    """The shortest disagreements, preferring ones that differ in more than string values."""
    picked: list[Disagreement] = []
    skeletons: set[str] = set()
    for d in group:
        skeleton = _skeleton(d.instance)
        if skeleton not in skeletons:
            skeletons.add(skeleton)
            picked.append(d)
    picked += [d for d in group if d not in picked]
    return picked[:count]


def _clip(text: str, width: int = 240) -> str:
    text = text.replace("`", "\\u0060")
    return text if len(text) <= width else text[: width - 1] + "…"


# ---------------------------------------------------------------------------------------------------- command line
def _read(path: Path) -> dict[str, Any]:
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict) or not isinstance(data.get("$defs", data.get("definitions")), dict):
        raise ValueError("not a JSON Schema document with $defs")
    return data


def read_ours(source: str) -> dict[str, Any]:
    """Our schema from a JSON file, or from the `json_schema()` of a package such as `mcp_ext_tasks.draft` (taken
    from generated/ when it is not installed)."""
    if Path(source).is_file() or not all(part.isidentifier() for part in source.split(".")):
        return _read(Path(source))
    if importlib.util.find_spec(source.split(".")[0]) is None and GENERATED.is_dir():
        sys.path.insert(0, str(GENERATED.resolve()))
    try:
        data = importlib.import_module(source).json_schema()
    except (ImportError, AttributeError) as exc:
        raise ValueError(f"no package {source} with a json_schema() here ({exc})") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{source}.json_schema() is not a JSON Schema document")
    return data


DESCRIPTION = "Compare our generated JSON Schema with an official one."


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The options of `python -m codegen drift`."""
    parser.add_argument("official", type=Path, help="the official schema.json")
    parser.add_argument(
        "--ours",
        default=DEFAULT_OURS,
        help=f"our schema: a JSON file, or a package whose json_schema() gives it, such as mcp_ext_tasks.draft "
        f"(default: {DEFAULT_OURS})",
    )
    parser.add_argument(
        "--examples",
        type=Path,
        action="append",
        help=f"a folder of wire examples, repeatable (default: {DEFAULT_EXAMPLES} when it exists)",
    )
    parser.add_argument(
        "--spec",
        type=Path,
        default=DEFAULT_SPEC,
        help=f"the spec folder whose listed deviations apply (default: {DEFAULT_SPEC}; none when it is absent)",
    )
    parser.add_argument(
        "--no-deviations", action="store_true", help="compare with the official schema exactly as published"
    )
    parser.add_argument("--shape", action="append", default=[], help="check only this shared shape (repeatable)")
    parser.add_argument("--max-instances", type=int, default=MAX_INSTANCES, help="instances per shape")


def run(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    """`python -m codegen drift OFFICIAL [--ours SCHEMA] [--examples DIR]...`: exit 0 no drift, 1 drift."""
    documents = []
    for label, read in ((args.ours, read_ours), (args.official, _read)):
        try:
            documents.append(read(label))
        except (OSError, ValueError) as exc:
            print(f"cannot read {label}: {exc}", file=sys.stderr)
            return EXIT_BAD_INPUT
    folders = args.examples if args.examples is not None else [DEFAULT_EXAMPLES]
    deviations: tuple[ir.Deviation, ...] = ()
    if not args.no_deviations and (args.spec / "tasks.yaml").is_file():
        from .lower import load_spec
        from .source import SpecErrors

        try:
            deviations = spec_deviations(load_spec(args.spec), documents[0].get("$id"))
        except SpecErrors as exc:
            print("\n".join(map(str, exc.errors)), file=sys.stderr)
            return EXIT_BAD_INPUT
    try:
        report = check_drift(
            documents[0],
            documents[1],
            load_examples(folders),
            ours_label=str(args.ours),
            official_label=args.official.as_posix(),
            max_instances=args.max_instances,
            only=args.shape,
            deviations=deviations,
        )
    except DeviationError as exc:
        print(f"cannot apply the spec's deviations: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    sys.stdout.write(to_markdown(report))
    return 0 if report.clean else EXIT_DRIFT

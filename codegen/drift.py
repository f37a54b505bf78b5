"""Drift check: our generated JSON Schema against an official one, shape by shape.

Two independent views, per `$defs` name the two schemas share:

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
  or `<Shape>__<valid|invalid>__<slug>.json`), and mutated (a member dropped, an unknown member added, a value
  replaced by null, a string, an integer, a fraction, 2^53, a boolean, an object, an array, or another const or
  enum value of the shape; a seeded sample, so runs repeat). Every instance is validated by both schemas
  (jsonschema's Draft202012Validator, formats not asserted); those on which the verdicts differ are drift.

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
import random
import re
import sys
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from . import ir
from .deviations import DeviationError, apply_deviations, spec_deviations

JSON = Any
Schema = Any
"""A JSON Schema node: a dict or a boolean."""

DEFAULT_OURS = "mcp_ext_tasks"
"""Our schema: a JSON file, or a package (or version subpackage) whose `json_schema()` gives it."""
GENERATED = Path("generated")
DEFAULT_EXAMPLES = Path("spec/examples")
DEFAULT_SPEC = Path("spec")
MAX_INSTANCES = 300
"""About how many instances to check per shape: the built ones and examples, then mutations of each of them."""
MIN_MUTATIONS = 16
"""Mutations of each built instance or example at least, whatever MAX_INSTANCES says."""
SHOWN = 3
"""Disagreeing instances shown per shape and direction (the shortest)."""
EXIT_DRIFT = 1
EXIT_BAD_INPUT = 2

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "examples", "default", "deprecated", "format", "$defs"}
)
_IGNORED = frozenset({"propertyNames", "readOnly", "writeOnly", "contentMediaType", "contentEncoding"})
_SCALARS = frozenset({"null", "boolean", "integer", "number", "string"})
_MAX_DEPTH = 10


def _key(value: JSON) -> str:
    """A canonical text of a JSON value, to deduplicate and match values by (1 and 1.0 stay apart)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


# ---------------------------------------------------------------------------------------------------- normal form
@dataclass(frozen=True)
class Node:
    """A schema in normal form. `types` None means any JSON type; `values` None means any value of those types."""

    types: frozenset[str] | None = None
    values: tuple[JSON, ...] | None = None
    minimum: float | None = None
    maximum: float | None = None
    properties: tuple[tuple[str, tuple[Schema, ...]], ...] = ()
    required: frozenset[str] = frozenset()
    closed: bool = False
    additional: tuple[Schema, ...] = ()
    items: tuple[Schema, ...] = ()
    variants: tuple[Node, ...] | None = None
    never: bool = False
    unsupported: frozenset[str] = frozenset()

    @property
    def is_any(self) -> bool:
        return self == ANY

    def prop(self, name: str) -> tuple[Schema, ...] | None:
        return dict(self.properties).get(name)

    @property
    def structured(self) -> bool:
        """True unless the node constrains scalars only (then anyOf variants of it can be folded together)."""
        return (
            self.variants is not None
            or self.types is None
            or bool(self.types - _SCALARS)
            or bool(self.properties or self.additional or self.items or self.required or self.closed)
        )


ANY = Node()
NEVER = Node(never=True)


def _merge_types(a: frozenset[str] | None, b: frozenset[str] | None) -> frozenset[str] | None:
    if a is None or b is None:
        return b if a is None else a
    out = set(a & b)
    if ("integer" in a and "number" in b) or ("integer" in b and "number" in a):
        out.add("integer")  # every integer is a number
    return frozenset(out)


def _accepts_type(types: frozenset[str] | None, value: JSON) -> bool:
    if types is None:
        return True
    if value is None:
        return "null" in types
    if isinstance(value, bool):
        return "boolean" in types
    if isinstance(value, int):
        return bool(types & {"integer", "number"})
    if isinstance(value, float):
        return "number" in types or ("integer" in types and value.is_integer())
    if isinstance(value, str):
        return "string" in types
    return ("array" if isinstance(value, list) else "object") in types


def _merge(a: Node, b: Node) -> Node:
    """The allOf of two nodes."""
    if a.never or b.never:
        return NEVER
    if a.variants is not None or b.variants is not None:
        left = a.variants if a.variants is not None else (a,)
        right = b.variants if b.variants is not None else (b,)
        merged = [_merge(x, y) for x in left for y in right]
        return _union([m for m in merged if not m.never])
    types = _merge_types(a.types, b.types)
    values: tuple[JSON, ...] | None
    if a.values is not None and b.values is not None:
        keys = {_key(v) for v in b.values}
        values = tuple(v for v in a.values if _key(v) in keys)
    else:
        values = a.values if a.values is not None else b.values
    if values is not None:
        values = tuple(v for v in values if _accepts_type(types, v))
    props: dict[str, tuple[Schema, ...]] = dict(a.properties)
    for name, subs in b.properties:
        props[name] = props.get(name, ()) + subs
    node = Node(
        types=types,
        values=values,
        minimum=max((m for m in (a.minimum, b.minimum) if m is not None), default=None),
        maximum=min((m for m in (a.maximum, b.maximum) if m is not None), default=None),
        properties=tuple(props.items()),
        required=a.required | b.required,
        closed=a.closed or b.closed,
        additional=a.additional + b.additional,
        items=a.items + b.items,
        unsupported=a.unsupported | b.unsupported,
    )
    if (types is not None and not types) or (values is not None and not values):
        return NEVER
    return node


def _union(variants: Sequence[Node]) -> Node:
    """The anyOf of nodes: nested unions flattened, scalar variants folded together where that loses nothing."""
    flat: list[Node] = []
    for v in variants:
        if v.never:
            continue
        if v.variants is not None:
            flat += v.variants
        else:
            flat.append(v)
    if any(v.is_any for v in flat):
        return ANY
    if not flat:
        return NEVER
    scalars = [v for v in flat if not v.structured]
    others = [v for v in flat if v.structured]
    result: list[Node] = []
    for v in others + _fold(scalars):
        if v not in result:  # nodes hold raw schemas (dicts): compared, never hashed
            result.append(v)
    if len(result) == 1:
        return result[0]
    return Node(variants=tuple(result))


def _fold(scalars: list[Node]) -> list[Node]:
    if len(scalars) < 2:
        return scalars
    with_values = [s for s in scalars if s.values is not None]
    bounded = {(s.minimum, s.maximum) for s in scalars if s.minimum is not None or s.maximum is not None}
    if (with_values and len(with_values) != len(scalars)) or len(bounded) > 1:
        return scalars
    types: set[str] = set()
    for s in scalars:
        assert s.types is not None  # scalar nodes always have types
        types |= s.types
    values: tuple[JSON, ...] | None = None
    if with_values:
        seen: dict[str, JSON] = {}
        for s in scalars:
            for v in s.values or ():
                seen.setdefault(_key(v), v)
        values = tuple(seen[k] for k in sorted(seen))
    low, high = next(iter(bounded)) if bounded else (None, None)
    return [Node(types=frozenset(types), values=values, minimum=low, maximum=high)]


def _trivial(schema: Schema) -> str | None:
    """ "any" for a schema that accepts everything, "never" for one that accepts nothing, read without resolving."""
    if schema is True or (isinstance(schema, dict) and not set(schema) - _ANNOTATIONS - _IGNORED):
        return "any"
    if schema is False or (isinstance(schema, dict) and set(schema) - _ANNOTATIONS == {"not"}):
        return "never" if _trivial(schema["not"] if isinstance(schema, dict) else True) == "any" else None
    return None


class Normaliser:
    """Normal forms of one schema document's nodes, `$ref`s resolved inside the document."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.document = document
        self.defs: dict[str, Schema] = document.get("$defs") or document.get("definitions") or {}
        self._cache: dict[int, Node] = {}
        self._active: set[int] = set()
        self._cycles = 0

    def ref_name(self, ref: str) -> str | None:
        fragment = ref.partition("#")[2]
        for prefix in ("/$defs/", "/definitions/"):
            if fragment.startswith(prefix):
                name = fragment[len(prefix) :].replace("~1", "/").replace("~0", "~")
                return name if name in self.defs else None
        return None

    def bare_ref(self, subs: Sequence[Schema]) -> str | None:
        """The `$defs` name when `subs` is one `$ref` with nothing but annotations beside it."""
        if len(subs) != 1 or not isinstance(subs[0], dict) or "$ref" not in subs[0]:
            return None
        if set(subs[0]) - _ANNOTATIONS - {"$ref"}:
            return None
        return self.ref_name(subs[0]["$ref"])

    def definition(self, name: str) -> Node:
        return self.norm(self.defs[name])

    def norm_all(self, subs: Sequence[Schema]) -> Node:
        node = ANY
        for sub in subs:
            node = _merge(node, self.norm(sub))
        return node

    def norm(self, schema: Schema) -> Node:
        if schema is True:
            return ANY
        if schema is False or not isinstance(schema, dict):
            return NEVER
        key = id(schema)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        if key in self._active:
            self._cycles += 1
            return ANY  # a cycle of references and compositions, with no object or array in between
        self._active.add(key)
        cycles = self._cycles
        try:
            node = self._norm(schema)
        finally:
            self._active.discard(key)
        if self._cycles == cycles:  # a node cut short by a cycle is not kept
            self._cache[key] = node
        return node

    def _norm(self, schema: dict[str, Any]) -> Node:
        parts: list[Node] = []
        if "$ref" in schema:
            name = self.ref_name(schema["$ref"])
            if name is None:
                parts.append(Node(unsupported=frozenset({f"$ref {schema['$ref']}"})))
            else:
                parts.append(self.norm(self.defs[name]))
        for sub in schema.get("allOf", ()):
            parts.append(self.norm(sub))
        for keyword in ("anyOf", "oneOf"):
            if keyword in schema:
                parts.append(_union([self.norm(sub) for sub in schema[keyword]]))
        if "not" in schema:
            parts.append(NEVER if _trivial(schema["not"]) == "any" else Node(unsupported=frozenset({"not"})))
        node = self._local(schema)
        for part in parts:
            node = _merge(part, node)
        return node

    def _local(self, schema: dict[str, Any]) -> Node:
        """The keywords of one schema object, without its compositions."""
        types: frozenset[str] | None = None
        raw_type = schema.get("type")
        if isinstance(raw_type, str):
            types = frozenset({raw_type})
        elif isinstance(raw_type, list):
            types = frozenset(raw_type)
        values: tuple[JSON, ...] | None = None
        if "const" in schema:
            values = (schema["const"],)
        if "enum" in schema:
            enum = tuple(schema["enum"])
            values = enum if values is None else tuple(v for v in values if _key(v) in {_key(e) for e in enum})
        if values is not None:
            values = tuple(v for v in values if _accepts_type(types, v))
            if not values:
                return NEVER
        additional: tuple[Schema, ...] = ()
        closed = False
        if "additionalProperties" in schema:
            trivial = _trivial(schema["additionalProperties"])
            if trivial == "never":
                closed = True
            elif trivial is None:
                additional = (schema["additionalProperties"],)
        items = (schema["items"],) if "items" in schema else ()
        known = {
            "type",
            "const",
            "enum",
            "minimum",
            "maximum",
            "properties",
            "required",
            "additionalProperties",
            "items",
            "$ref",
            "allOf",
            "anyOf",
            "oneOf",
            "not",
        }
        unsupported = frozenset(set(schema) - known - _ANNOTATIONS - _IGNORED)
        return Node(
            types=types,
            values=values,
            minimum=schema.get("minimum"),
            maximum=schema.get("maximum"),
            properties=tuple((name, (sub,)) for name, sub in schema.get("properties", {}).items()),
            required=frozenset(schema.get("required", ())),
            closed=closed,
            additional=additional,
            items=items,
            unsupported=unsupported,
        )


# ---------------------------------------------------------------------------------------------------- structure
def _types_text(node: Node) -> str:
    if node.types is None:
        return "any type"
    return "|".join(sorted(node.types)) or "nothing"


def _values_text(values: tuple[JSON, ...]) -> str:
    if len(values) == 1:
        return f"const {_key(values[0])}"
    return "enum [" + ", ".join(sorted(_key(v) for v in values)) + "]"


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
        if depth > _MAX_DEPTH:
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
            a_keys = None if a.values is None else {_key(v) for v in a.values}
            b_keys = None if b.values is None else {_key(v) for v in b.values}
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
            return f"const: ours {_key(a.values[0])}, official {_key(b.values[0])}"
        a_keys, b_keys = {_key(v) for v in a.values}, {_key(v) for v in b.values}
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
            out.append(f"{name} (const {_key(values[0])})" if values is not None and len(values) == 1 else name)
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
                out[name] = _key(values[0])
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
    if node.minimum is None and node.maximum is None:
        return "unbounded"
    low = "-∞" if node.minimum is None else _key(node.minimum)
    high = "∞" if node.maximum is None else _key(node.maximum)
    return f"[{low}, {high}]"


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


# ---------------------------------------------------------------------------------------------------- instances
_REPLACEMENTS: tuple[JSON, ...] = (None, "x", 1, 1.5, 2**53, True, {}, [])
_UNKNOWN_MEMBER = "driftUnknownMember"


class _Builder:
    """Instances of one normal form: one per union variant and value, minimal and with every member."""

    def __init__(self, side: Normaliser) -> None:
        self.side = side
        self.vocabulary: dict[str, None] = {}
        self.variations: list[JSON] = []
        """Top-level objects with every member, one member at a time given each of its other built values."""

    def build(self, node: Node, depth: int = 0) -> list[JSON]:
        if node.never or depth > _MAX_DEPTH:
            return []
        if node.variants is not None:
            out: list[JSON] = []
            for variant in node.variants:
                out += self.build(variant, depth + 1)[:3]
            return out
        if node.values is not None:
            for v in node.values:
                if isinstance(v, str):
                    self.vocabulary.setdefault(v, None)
            return list(node.values)
        types = sorted(node.types) if node.types is not None else ["object"]
        out = []
        for t in types:
            out += self._of_type(t, node, depth)
        return out

    def _of_type(self, t: str, node: Node, depth: int) -> list[JSON]:
        if t == "null":
            return [None]
        if t == "boolean":
            return [True, False]
        if t == "string":
            return ["x"]
        if t in ("integer", "number"):
            low = node.minimum if node.minimum is not None else -(2**60)
            high = node.maximum if node.maximum is not None else 2**60
            picks = [0, 7, int(low), int(high)] + ([0.5] if t == "number" else [])
            return [p for p in dict.fromkeys(picks) if low <= p <= high]
        if t == "array":
            item = self.side.norm_all(node.items) if node.items else ANY
            first = self.build(item, depth + 1)[:1] if depth < 6 else []
            return [[], first] if first else [[]]
        if t != "object":
            return []
        minimal: dict[str, JSON] = {}
        alternatives: dict[str, list[JSON]] = {}
        for name in sorted(node.required):
            subs = node.prop(name)
            built = self.build(self.side.norm_all(subs), depth + 1) if subs else ["x"]
            if not built:
                return []
            minimal[name], alternatives[name] = built[0], built[1:]
        out: list[JSON] = [minimal]
        if depth < 6:
            full = dict(minimal)
            for name, subs in node.properties:
                if name not in full:
                    built = self.build(self.side.norm_all(subs), depth + 1)
                    if built:
                        full[name], alternatives[name] = built[0], built[1:]
            if node.additional and not node.closed:
                built = self.build(self.side.norm_all(node.additional), depth + 1)
                if built:
                    full["k"] = built[0]
            if full != minimal:
                out.append(full)
            if depth <= 1:
                for name, others in alternatives.items():
                    self.variations += [{**full, name: other} for other in others[:4]]
        return out


def _paths(value: JSON, prefix: tuple[str | int, ...] = (), depth: int = 0) -> Iterator[tuple[str | int, ...]]:
    yield prefix
    if depth >= 3:
        return
    if isinstance(value, dict):
        for key in value:
            yield from _paths(value[key], (*prefix, key), depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            yield from _paths(item, (*prefix, index), depth + 1)


def _get(value: JSON, path: tuple[str | int, ...]) -> JSON:
    for step in path:
        value = value[step]
    return value


def _with(value: JSON, path: tuple[str | int, ...], new: JSON, delete: bool = False) -> JSON:
    if not path:
        return new
    copy: JSON = dict(value) if isinstance(value, dict) else list(value)
    head, rest = path[0], path[1:]
    if delete and not rest:
        del copy[head]
    else:
        copy[head] = _with(value[head], rest, new, delete)
    return copy


Mutation = tuple[str, tuple[str | int, ...], JSON]
"""("drop", path, None), ("add", path, None) for an unknown member, or ("set", path, new value)."""


def _mutations(instance: JSON, vocabulary: Sequence[str], budget: int, seed: str) -> list[JSON]:
    """Every structural mutation (a member dropped, an unknown member added) and a seeded sample of the value
    replacements, `budget` mutations in all when there are that many."""
    structural: list[Mutation] = []
    values: list[Mutation] = []
    for path in _paths(instance):
        here = _get(instance, path)
        if isinstance(here, dict):
            structural += [("drop", (*path, key), None) for key in here]
            structural.append(("add", path, None))
        if path:
            values += [("set", path, new) for new in _REPLACEMENTS]
            if isinstance(here, str):
                values += [("set", path, word) for word in vocabulary if word != here]
    chosen = structural[:budget]
    rest = budget - len(chosen)
    if rest > 0:
        chosen += values if rest >= len(values) else random.Random(seed).sample(values, rest)
    out = []
    for op, path, new in chosen:
        if op == "drop":
            out.append(_with(instance, path, None, delete=True))
        elif op == "add":
            out.append(_with(instance, path, {**_get(instance, path), _UNKNOWN_MEMBER: 1}))
        else:
            out.append(_with(instance, path, new))
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
    published, official = official, applied.document
    judges = _Judges(published, [apply_deviations(published, ours, [d]).document for d in applied.applied])
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
        _check_instances(
            drift, (ours, ours_norm, a), (official, official_norm, b), by_shape.get(name, []), max_instances, judges
        )
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
        {d.name: judges.counts[index] for index, d in enumerate(applied.applied)},
    )


class _Judges:
    """The official schema as published, and with each applied deviation alone: which deviation explains an
    instance that the published and the patched schema judge differently."""

    def __init__(self, published: dict[str, Any], singles: list[dict[str, Any]]) -> None:
        self.documents = [published, *singles]
        self.counts = [0] * len(singles)
        self._validators: dict[tuple[int, str], Any] = {}

    def _valid(self, index: int, shape: str, instance: JSON) -> bool:
        if (index, shape) not in self._validators:
            self._validators[(index, shape)] = _validator(self.documents[index], shape)
        return bool(self._validators[(index, shape)].is_valid(instance))

    def explain(self, shape: str, instance: JSON, patched_verdict: bool) -> None:
        if not self.counts or self._valid(0, shape, instance) == patched_verdict:
            return
        for index in range(len(self.counts)):
            if self._valid(index + 1, shape, instance) == patched_verdict:
                self.counts[index] += 1
                return


def _check_instances(
    drift: ShapeDrift,
    ours: tuple[dict[str, Any], Normaliser, Node],
    official: tuple[dict[str, Any], Normaliser, Node],
    examples: Sequence[Example],
    limit: int,
    judges: _Judges,
) -> None:
    builders = [_Builder(ours[1]), _Builder(official[1])]
    bases: dict[str, JSON] = {}
    for builder, node in ((builders[0], ours[2]), (builders[1], official[2])):
        for instance in builder.build(node)[:24]:
            bases.setdefault(_key(instance), instance)
    for example in examples:
        bases.setdefault(_key(example.value), example.value)
    vocabulary = list(dict.fromkeys([*builders[0].vocabulary, *builders[1].vocabulary]))[:40]
    instances: dict[str, JSON] = dict(bases)
    for builder in builders:
        for variation in builder.variations[:120]:
            instances.setdefault(_key(variation), variation)
    budget = max(MIN_MUTATIONS, (limit - len(bases)) // max(len(bases), 1))
    for index, base in enumerate(bases.values()):
        for mutant in _mutations(base, vocabulary, budget, f"{drift.name}/{index}"):
            instances.setdefault(_key(mutant), mutant)
    ours_validator = _validator(ours[0], drift.name)
    official_validator = _validator(official[0], drift.name)
    for key in sorted(instances, key=lambda k: (len(k), k)):
        instance = instances[key]
        verdict = bool(ours_validator.is_valid(instance))
        official_verdict = bool(official_validator.is_valid(instance))
        if verdict != official_verdict:
            drift.disagreements.append(Disagreement(instance, verdict))
        judges.explain(drift.name, instance, official_verdict)
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

    return _key(strip(value))


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

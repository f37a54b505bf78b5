"""JSON Schema in a normal form, so that equivalent encodings compare equal: `$ref`s followed, `allOf` merged, an
`allOf` over an `anyOf` distributed, `anyOf`s of scalars folded into one type set, `const` and `enum` read as a
value set, annotations dropped. Used by the drift check (structure and instances)."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from .jsontypes import Range, accepts_type

JSON = Any
Schema = Any
"""A JSON Schema node: a dict or a boolean."""

MAX_DEPTH = 10
"""How deep comparisons and instance building go into nested schemas."""

_ANNOTATIONS = frozenset(
    {"$schema", "$id", "$comment", "title", "description", "examples", "default", "deprecated", "format", "$defs"}
)
_IGNORED = frozenset({"propertyNames", "readOnly", "writeOnly", "contentMediaType", "contentEncoding"})
_SCALARS = frozenset({"null", "boolean", "integer", "number", "string"})


def canonical_key(value: JSON) -> str:
    """A canonical text of a JSON value, to deduplicate and match values by (1 and 1.0 stay apart)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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
        keys = {canonical_key(v) for v in b.values}
        values = tuple(v for v in a.values if canonical_key(v) in keys)
    else:
        values = a.values if a.values is not None else b.values
    if values is not None:
        values = tuple(v for v in values if accepts_type(types, v))
    bounds = Range(a.minimum, a.maximum).intersect(Range(b.minimum, b.maximum))
    props: dict[str, tuple[Schema, ...]] = dict(a.properties)
    for name, subs in b.properties:
        props[name] = props.get(name, ()) + subs
    node = Node(
        types=types,
        values=values,
        minimum=bounds.low,
        maximum=bounds.high,
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
                seen.setdefault(canonical_key(v), v)
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
            values = (
                enum
                if values is None
                else tuple(v for v in values if canonical_key(v) in {canonical_key(e) for e in enum})
            )
        if values is not None:
            values = tuple(v for v in values if accepts_type(types, v))
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

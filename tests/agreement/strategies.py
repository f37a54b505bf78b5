"""Valid instances drawn from a JSON Schema document: a small schema-to-hypothesis compiler, the harness's random
seed source (the deterministic builder of codegen/instances is the other; values, paths and mutations are that
engine's too).

Covers the keywords the extension's schemas use: `$ref` into `$defs` (recursion through `st.deferred`), `allOf`
(merged; an `anyOf` inside is distributed over the other members, as the official schema writes its results,
requests and notifications), `anyOf`, `const`, `enum`, `type` (one or a list), `properties`, `required`,
`additionalProperties` (schema, false or `{not: {}}`), `items`, `minimum`, `maximum`. `format` is not asserted by
any validator of the harness, so strings ignore it (with a URI now and then). Open objects get unknown members
now and then. Drawing never asserts validity: every instance is judged by the validators, the referee included.

hypothesis-jsonschema is not used: its 0.23.1 release breaks on current hypothesis (`'many' object has no
attribute 'more'`) and it refuses recursive references, which the core `JSONValue` needs.
"""

from __future__ import annotations

import contextlib
from typing import Any

from hypothesis import HealthCheck, Phase, Verbosity, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable

from codegen.instances import INT53_MAX, JSON

# Strings that matter for this wire format: timestamps, ids, empty, non-ASCII, escapes, look-alikes of consts.
SPECIAL_STRINGS = (
    "",
    "t-42",
    "2026-11-24T10:00:00Z",
    "2026-11-24T10:00:00.123+01:00",
    "20261124T100000Z",
    "é",
    "naïve café",
    "中文任务",
    "😀🚀",
    "\u0000",
    'quote " backslash \\ slash /',
    "line\nbreak\ttab\rcr",
    "\u2028\u2029",
    "\u202eevil",
    "\ufeffbom",
    "zero\u200bwidth",
    "\ud7ff\ue000\uffff\U0010ffff",
    "working ",
    "Working",
    "null",
    "0",
    "60000",
)
URIS = ("https://example.com/icon.png", "file:///home/user/project", "data:image/png;base64,AAAA", "not a uri")

_BASE_TEXT = st.text(max_size=12)
STRINGS = st.one_of(_BASE_TEXT, st.sampled_from(SPECIAL_STRINGS), _BASE_TEXT.map(lambda s: s + "é\u0000😀"))
KEYS = st.one_of(st.text(max_size=8), st.sampled_from(["", "k", "ключ", "a/b", "_meta", "x-extra", "😀"]))
FLOATS = st.floats(allow_nan=False, allow_infinity=False)

SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), FLOATS, STRINGS)
ANY_JSON = st.recursive(
    SCALARS,
    lambda children: st.one_of(st.lists(children, max_size=3), st.dictionaries(KEYS, children, max_size=3)),
    max_leaves=8,
)

_CLOSED = (False, {"not": {}})
_ANNOTATIONS = ("description", "$schema", "title", "$comment", "examples", "default")


def _is_trivial(schema: Any) -> bool:
    return schema is True or (isinstance(schema, dict) and not _strip(schema))


def _strip(schema: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in schema.items() if key not in _ANNOTATIONS}


def _integers(schema: dict[str, Any]) -> st.SearchStrategy[int]:
    low, high = schema.get("minimum"), schema.get("maximum")
    low = None if low is None else int(low)
    high = None if high is None else int(high)
    edges = [v for v in (low, high, 0, 1, -1, 60000, INT53_MAX, -INT53_MAX, 2**63) if v is not None]
    edges = [v for v in edges if (low is None or v >= low) and (high is None or v <= high)]
    return st.one_of(st.integers(low, high), st.sampled_from(edges))


def _numbers(schema: dict[str, Any]) -> st.SearchStrategy[float | int]:
    low, high = schema.get("minimum"), schema.get("maximum")
    floats = st.floats(low, high, allow_nan=False, allow_infinity=False)
    ints = st.integers(None if low is None else int(-(-low // 1)), None if high is None else int(high // 1))
    return st.one_of(floats, ints)


class SchemaStrategies:
    """Strategies for the `$defs` of one JSON Schema document (references are local: `#/$defs/<Name>`)."""

    def __init__(self, document: dict[str, Any], *, unknown_members: bool = True) -> None:
        self.defs: dict[str, Any] = document["$defs"]
        self.unknown_members = unknown_members
        self._by_def: dict[str, st.SearchStrategy[JSON]] = {}

    def for_def(self, name: str) -> st.SearchStrategy[JSON]:
        if name not in self._by_def:
            self._by_def[name] = st.deferred(lambda: self.compile(self.defs[name]))
        return self._by_def[name]

    def _deref(self, schema: Any) -> Any:
        while isinstance(schema, dict) and set(_strip(schema)) == {"$ref"}:
            schema = self.defs[_def_name(schema["$ref"])]
        return schema

    def compile(self, schema: Any) -> st.SearchStrategy[JSON]:
        if schema is True or schema == {}:
            return ANY_JSON
        if schema in _CLOSED:
            return st.nothing()
        schema = _strip(schema)
        if not schema:
            return ANY_JSON
        if "$ref" in schema:
            rest = {key: value for key, value in schema.items() if key != "$ref"}
            if not rest:
                return self.for_def(_def_name(schema["$ref"]))
            return self.compile({"allOf": [{"$ref": schema["$ref"]}, rest]})
        if "allOf" in schema:
            rest = {key: value for key, value in schema.items() if key != "allOf"}
            return self.compile(self.merge([*schema["allOf"], *([rest] if rest else [])]))
        if "anyOf" in schema or "oneOf" in schema:
            branches = schema.get("anyOf") or schema["oneOf"]
            rest = {key: value for key, value in schema.items() if key not in ("anyOf", "oneOf")}
            return st.one_of([self.compile({"allOf": [b, rest]} if rest else b) for b in branches])
        if "const" in schema:
            return st.just(schema["const"])
        if "enum" in schema:
            return st.sampled_from(schema["enum"])
        types = schema.get("type")
        if types is None:
            types = ["object"] if ("properties" in schema or "additionalProperties" in schema) else None
        if types is None:
            return ANY_JSON
        if isinstance(types, str):
            types = [types]
        return st.one_of([self._typed(kind, schema) for kind in types])

    def _typed(self, kind: str, schema: dict[str, Any]) -> st.SearchStrategy[JSON]:
        if kind == "object":
            return self._object(schema)
        if kind == "array":
            return st.lists(self.compile(schema.get("items", True)), max_size=3)
        if kind == "string":
            return st.one_of(STRINGS, st.sampled_from(URIS)) if "format" in schema else STRINGS
        if kind == "integer":
            return _integers(schema)
        if kind == "number":
            return _numbers(schema)
        if kind == "boolean":
            return st.booleans()
        if kind == "null":
            return st.none()
        raise ValueError(f"unsupported type {kind!r}")

    def _object(self, schema: dict[str, Any]) -> st.SearchStrategy[JSON]:
        properties: dict[str, Any] = schema.get("properties", {})
        required = [name for name in dict.fromkeys(schema.get("required", ())) if name in properties]
        loose_required = [name for name in schema.get("required", ()) if name not in properties]
        fixed = {name: self.compile(properties[name]) for name in required}
        fixed.update({name: ANY_JSON for name in loose_required})
        optional = {name: self.compile(sub) for name, sub in properties.items() if name not in fixed}
        declared = st.fixed_dictionaries(fixed, optional=optional)
        additional = schema.get("additionalProperties", True)
        if additional in _CLOSED:
            return declared
        if not _is_trivial(additional):
            if properties:  # a typed map beside declared members: not used by these schemas
                return declared
            return st.dictionaries(KEYS, self.compile(additional), max_size=3)
        if not self.unknown_members:
            return declared
        names = set(properties)
        extra = st.dictionaries(KEYS.filter(lambda key: key not in names), ANY_JSON, max_size=2)
        return st.tuples(declared, st.one_of(st.just({}), extra)).map(lambda pair: {**pair[1], **pair[0]})

    def merge(self, members: list[Any]) -> Any:
        """One schema for `allOf: members`, for generation (the validators check the real thing)."""
        flat: list[Any] = []
        for member in members:
            member = self._deref(member)
            if member is True or member == {}:
                continue
            if member in _CLOSED:
                return False
            member = _strip(member)
            if "allOf" in member:
                rest = {key: value for key, value in member.items() if key != "allOf"}
                flat.extend(self._flatten([*member["allOf"], *([rest] if rest else [])]))
            elif member:
                flat.append(member)
        for index, member in enumerate(flat):
            if set(member) == {"anyOf"}:
                return {"anyOf": [{"allOf": [*flat[:index], branch, *flat[index + 1 :]]} for branch in member["anyOf"]]}
        if not flat:
            return True
        if len(flat) == 1:
            return flat[0]
        if all(_object_like(member) for member in flat):
            return self._merge_objects(flat)
        # A scalar meeting several schemas: draw from the most specific one.
        flat.sort(key=lambda m: 0 if "const" in m else 1 if "enum" in m else 2 if "$ref" in m else 3)
        return flat[0]

    def _flatten(self, members: list[Any]) -> list[Any]:
        out: list[Any] = []
        for member in members:
            member = self._deref(member)
            if isinstance(member, dict) and "allOf" in _strip(member):
                rest = {key: value for key, value in _strip(member).items() if key != "allOf"}
                out.extend(self._flatten([*member["allOf"], *([rest] if rest else [])]))
            elif member is not True and member != {}:
                out.append(_strip(member) if isinstance(member, dict) else member)
        return out

    def _merge_objects(self, members: list[dict[str, Any]]) -> dict[str, Any]:
        properties: dict[str, list[Any]] = {}
        required: list[str] = []
        additional: list[Any] = []
        for member in members:
            for name, sub in member.get("properties", {}).items():
                properties.setdefault(name, []).append(sub)
            required.extend(member.get("required", ()))
            if "additionalProperties" in member:
                additional.append(member["additionalProperties"])
        merged: dict[str, Any] = {
            "type": "object",
            "properties": {name: subs[0] if len(subs) == 1 else {"allOf": subs} for name, subs in properties.items()},
            "required": list(dict.fromkeys(required)),
        }
        if any(a in _CLOSED for a in additional):
            merged["additionalProperties"] = False
        elif not properties:
            typed = [a for a in additional if not _is_trivial(a)]
            if typed:
                merged["additionalProperties"] = typed[0]
        return merged

    def draw(self, shape: str, count: int, random_seed: int) -> list[JSON]:
        """Up to `count` instances of `$defs/<shape>`, reproducibly from `random_seed` (fewer when exhausted)."""
        return draw_many(self.for_def(shape), count, random_seed)


def _def_name(ref: str) -> str:
    prefix = "#/$defs/"
    if not ref.startswith(prefix):
        raise ValueError(f"only local $defs references are supported, not {ref!r}")
    return ref[len(prefix) :]


def _object_like(schema: Any) -> bool:
    return isinstance(schema, dict) and (
        schema.get("type") == "object" or "properties" in schema or "additionalProperties" in schema
    )


def draw_many(strategy: st.SearchStrategy[JSON], count: int, random_seed: int) -> list[JSON]:
    """`count` draws from `strategy` through hypothesis' own engine, seeded: the same seed gives the same list."""
    drawn: list[JSON] = []

    @settings(
        max_examples=count,
        database=None,
        deadline=None,
        derandomize=False,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
        verbosity=Verbosity.quiet,
    )
    @seed(random_seed)
    @given(strategy)
    def collect(value: JSON) -> None:
        drawn.append(value)

    with contextlib.suppress(Unsatisfiable):  # a small shape (TaskStatus) runs out of new values: keep what came
        collect()
    return drawn

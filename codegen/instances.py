"""Instances of a schema in normal form: built ones (one per union variant and enum value, minimal, full, and
each member given its other values) and seeded mutations of any instance (a member dropped, an unknown member
added, a value replaced). Used by the drift check."""

from __future__ import annotations

import random
from collections.abc import Iterator, Sequence

from .schema_normal import ANY, JSON, MAX_DEPTH, Node, Normaliser

_REPLACEMENTS: tuple[JSON, ...] = (None, "x", 1, 1.5, 2**53, True, {}, [])
_UNKNOWN_MEMBER = "driftUnknownMember"


class InstanceBuilder:
    """Instances of one normal form: one per union variant and value, minimal and with every member."""

    def __init__(self, side: Normaliser) -> None:
        self.side = side
        self.vocabulary: dict[str, None] = {}
        self.variations: list[JSON] = []
        """Top-level objects with every member, one member at a time given each of its other built values."""

    def build(self, node: Node, depth: int = 0) -> list[JSON]:
        if node.never or depth > MAX_DEPTH:
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


def mutations(instance: JSON, vocabulary: Sequence[str], budget: int, seed: str) -> list[JSON]:
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

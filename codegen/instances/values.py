"""Instance values and paths into them.

An instance is a JSON value tree: dict, list, str, int, float, bool, None, or `RawNumber`, a number spelled
exactly as given (`6e4`, `60000.0`, `-0.0`) so that number spellings can reach a validator's own JSON parser. A
checker that judges parsed values (the drift check) reads a tree through `parsed`.

Paths are tuples of member names and item indexes, the root `()` first. `set_at` and `delete_at` change a tree in
place (the mutation operators work on a deep copy); `replaced` and `without` return a new tree that copies only
the containers along the path and shares the rest, so that many single-point variants of one instance cost little.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

JSON = Any
"""A JSON value tree: dict, list, str, int, float, bool, None or RawNumber."""

ValuePath = tuple[Any, ...]
"""Member names (str) and item indexes (int) from the root of a value tree."""

INT53_MAX = 2**53 - 1
"""The largest integer that every JSON implementation reads exactly (JavaScript's Number.MAX_SAFE_INTEGER)."""


@dataclass(frozen=True)
class RawNumber:
    """A JSON number spelled exactly as `text` (which must be a valid JSON number)."""

    text: str

    @property
    def value(self) -> int | float:
        number: int | float = json.loads(self.text)
        return number


def parsed(value: JSON) -> JSON:
    """`value` with every RawNumber replaced by the number it spells (what a JSON parser returns)."""
    if isinstance(value, RawNumber):
        return value.value
    if isinstance(value, list):
        return [parsed(item) for item in value]
    if isinstance(value, dict):
        return {key: parsed(item) for key, item in value.items()}
    return value


def iter_paths(value: JSON, path: ValuePath = ()) -> Iterator[ValuePath]:
    """Every path into `value` (keys and indexes), the root `()` first, depth first."""
    yield path
    if isinstance(value, dict):
        for key, item in value.items():
            yield from iter_paths(item, (*path, key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from iter_paths(item, (*path, index))


def get_at(value: JSON, path: ValuePath) -> JSON:
    for step in path:
        value = value[step]
    return value


def set_at(value: JSON, path: ValuePath, new: JSON) -> JSON:
    """`value` with the node at `path` set to `new`, in place (the root path gives `new` itself)."""
    if not path:
        return new
    get_at(value, path[:-1])[path[-1]] = new
    return value


def delete_at(value: JSON, path: ValuePath) -> JSON:
    """`value` without the member or item at `path` (not the root), in place."""
    parent = get_at(value, path[:-1])
    del parent[path[-1]]
    return value


def replaced(value: JSON, path: ValuePath, new: JSON) -> JSON:
    """A new tree: `value` with the node at `path` set to `new`; only the containers along the path are copied."""
    if not path:
        return new
    copy: JSON = dict(value) if isinstance(value, dict) else list(value)
    copy[path[0]] = replaced(value[path[0]], path[1:], new)
    return copy


def without(value: JSON, path: ValuePath) -> JSON:
    """A new tree: `value` without the member or item at `path` (not the root); the rest is shared."""
    if len(path) == 1:
        copy: JSON = dict(value) if isinstance(value, dict) else list(value)
        del copy[path[0]]
        return copy
    return replaced(value, path[:1], without(value[path[0]], path[1:]))

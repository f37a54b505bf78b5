"""What the mutation operators aim at: member names and literal values read from schema documents, not listed by
hand, so that the mutations follow the spec."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Facts:
    """Names and values read from one or more schema documents (`facts_of`)."""

    required: frozenset[str]
    """Every member name some object requires."""
    integer: frozenset[str]
    """Members typed integer somewhere."""
    properties: frozenset[str]
    """Every declared member name."""
    literals: frozenset[Any]
    """Every const and enum value (containers by their repr)."""
    nullable: frozenset[str] = frozenset()
    """Members that admit null somewhere."""


def schema_facts(document: dict[str, Any]) -> Facts:
    """The facts of one schema document: every node under `$defs` (or `definitions`) is read."""
    found: dict[str, set[Any]] = {k: set() for k in ("properties", "required", "integer", "nullable", "literals")}

    def visit(node: Any, name: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, name)
            return
        if not isinstance(node, dict):
            return
        if "const" in node:
            found["literals"].add(_hashable(node["const"]))
        for value in node.get("enum", ()) if isinstance(node.get("enum"), list) else ():
            found["literals"].add(_hashable(value))
        types = node.get("type")
        types = [types] if isinstance(types, str) else types or []
        if name is not None and "integer" in types:
            found["integer"].add(name)
        if name is not None and "null" in types:
            found["nullable"].add(name)
        required = node.get("required")
        if isinstance(required, list) and all(isinstance(r, str) for r in required):
            found["required"].update(required)
        for key, sub in node.items():
            if key == "properties" and isinstance(sub, dict):
                for prop, prop_schema in sub.items():
                    found["properties"].add(prop)
                    visit(prop_schema, prop)
            elif key in ("anyOf", "allOf", "oneOf"):
                visit(sub, name)
            elif key not in ("const", "enum", "required", "type"):
                visit(sub, None)

    visit(document.get("$defs", document.get("definitions", {})), None)
    return Facts(**{key: frozenset(values) for key, values in found.items()})


def facts_of(documents: Iterable[dict[str, Any]]) -> Facts:
    """The facts of several schema documents together (ours and the official one)."""
    each = [schema_facts(document) for document in documents]
    return Facts(**{key: frozenset().union(*(getattr(f, key) for f in each)) for key in Facts.__dataclass_fields__})


def _hashable(value: Any) -> Any:
    return value if isinstance(value, str | int | float | bool | type(None)) else repr(value)

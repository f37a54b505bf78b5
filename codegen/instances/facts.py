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
    member_literals: frozenset[tuple[str, str]] = frozenset()
    """(member name, string value) for every string const or enum value a member takes somewhere: the values a
    member such as a status or a method can be swapped between."""

    def values_of(self, member: str) -> list[str]:
        """The string values `member` takes somewhere, sorted (empty for a member with none)."""
        return sorted(value for name, value in self.member_literals if name == member)

    def near_misses(self, word: str) -> list[str]:
        """Strings near `word`, the literal a checker must tell apart: other spellings (case, separators, a
        space, a letter dropped or doubled, a zero-width space) and the other string literals of the schemas."""
        camel = "".join(part.capitalize() if index else part for index, part in enumerate(word.split("_")))
        spellings = [
            word.upper(),
            word.capitalize(),
            word.swapcase(),
            word.replace("_", "-"),
            word.replace("-", "_"),
            camel,
            word + " ",
            " " + word,
            word[:-1],
            word + word[-1:],
            word + "\u200b",
            "",
        ]
        spellings += [_undoubled(word)]
        others = sorted(value for value in self.literals if isinstance(value, str))
        return [near for near in dict.fromkeys([*spellings, *others]) if near != word]


def _undoubled(word: str) -> str:
    """`word` with its first doubled letter single (cancelled -> canceled)."""
    for index in range(1, len(word)):
        if word[index] == word[index - 1] and word[index].isalpha():
            return word[:index] + word[index + 1 :]
    return word


def schema_facts(document: dict[str, Any]) -> Facts:
    """The facts of one schema document: every node under `$defs` (or `definitions`) is read."""
    keys = ("properties", "required", "integer", "nullable", "literals", "member_literals")
    found: dict[str, set[Any]] = {key: set() for key in keys}

    def visit(node: Any, name: str | None) -> None:
        if isinstance(node, list):
            for item in node:
                visit(item, name)
            return
        if not isinstance(node, dict):
            return
        values = [node["const"]] if "const" in node else []
        values += node.get("enum", []) if isinstance(node.get("enum"), list) else []
        for value in values:
            found["literals"].add(_hashable(value))
            if name is not None and isinstance(value, str):
                found["member_literals"].add((name, value))
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

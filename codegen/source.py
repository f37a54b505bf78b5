"""Reading YAML spec files into plain data, remembering where every key and value stands."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

Path_ = tuple[str | int, ...]
"""A location inside one YAML document: mapping keys and sequence indexes from the root."""


@dataclass(frozen=True, slots=True)
class SpecError:
    """One problem in the spec, located at a YAML position."""

    file: str
    line: int
    col: int
    where: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.line}:{self.col}: {self.where}: {self.message}"


class SpecErrors(Exception):
    """All the problems found in a spec; raised once, after collecting them."""

    def __init__(self, errors: list[SpecError]) -> None:
        super().__init__("\n".join(map(str, errors)))
        self.errors = errors


def where(path: Path_) -> str:
    """Dotted form of a location, as printed in error messages (`shapes.Task.fields.status`)."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text or "<document>"


@dataclass(slots=True)
class Document:
    """One parsed YAML file: its data and the 1-based (line, column) of every node and mapping key."""

    file: str
    data: Any = None
    values: dict[Path_, tuple[int, int]] = field(default_factory=dict)
    keys: dict[Path_, tuple[int, int]] = field(default_factory=dict)

    def error(self, path: Path_, message: str, *, at_key: bool = False) -> SpecError:
        """An error at `path`: at its key when asked and known, else at the nearest known node."""
        probe = path
        while True:
            pos = (self.keys.get(probe) if at_key else None) or self.values.get(probe)
            if pos is not None or not probe:
                break
            probe = probe[:-1]
        line, col = pos or (1, 1)
        return SpecError(self.file, line, col, where(path), message)


_CONSTRUCTOR = yaml.constructor.SafeConstructor()


def load_document(path: Path, display: str) -> tuple[Document, list[SpecError]]:
    """Parse `path`; problems (not UTF-8, YAML syntax, duplicate keys) come back as errors, never raised."""
    doc = Document(display)
    raw = path.read_bytes()
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        before = raw[: exc.start]
        line = before.count(b"\n") + 1
        col = exc.start - (before.rfind(b"\n") + 1) + 1
        bad = raw[exc.start : exc.start + 1].hex()
        return doc, [SpecError(display, line, col, "<document>", f"not UTF-8 (byte 0x{bad})")]
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, col = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        problem = " ".join(filter(None, [exc.context, exc.problem])) or "invalid YAML"
        return doc, [SpecError(display, line, col, "<document>", f"YAML syntax error: {problem}")]
    except yaml.YAMLError as exc:
        return doc, [SpecError(display, 1, 1, "<document>", f"YAML error: {exc}")]
    errors: list[SpecError] = []
    doc.data = _convert(node, (), doc, errors) if node is not None else {}
    return doc, errors  # errors here (duplicate keys, ambiguous booleans) leave the data usable: keep checking


def _convert(node: yaml.Node, path: Path_, doc: Document, errors: list[SpecError]) -> Any:
    doc.values[path] = (node.start_mark.line + 1, node.start_mark.column + 1)
    if isinstance(node, yaml.MappingNode):
        result: dict[Any, Any] = {}
        for key_node, value_node in node.value:
            if not isinstance(key_node, yaml.ScalarNode):
                errors.append(doc.error(path, "mapping keys must be plain scalars"))
                continue
            key = key_node.value  # names stay text: `on:` or `1:` must not turn into True or 1
            child = (*path, key)
            key_pos = (key_node.start_mark.line + 1, key_node.start_mark.column + 1)
            if key in result:
                first = doc.keys[child]
                errors.append(
                    SpecError(doc.file, *key_pos, where(child), f"duplicate key '{key}' (first at line {first[0]})")
                )
                continue
            doc.keys[child] = key_pos
            result[key] = _convert(value_node, child, doc, errors)
        return result
    if isinstance(node, yaml.SequenceNode):
        return [_convert(item, (*path, index), doc, errors) for index, item in enumerate(node.value)]
    value = _CONSTRUCTOR.construct_object(node)
    plain = isinstance(node, yaml.ScalarNode) and node.style is None
    if isinstance(value, bool) and plain and node.value.lower() not in ("true", "false"):
        errors.append(doc.error(path, f"'{node.value}' reads as a YAML boolean; write true/false or quote the text"))
    return value

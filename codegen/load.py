"""Reading a spec folder's wire examples (`examples/<Shape>/<valid|invalid>-<slug>.json`): all the file I/O of
examples, with problems collected as located errors."""

from __future__ import annotations

import json
import re
from collections.abc import Container
from pathlib import Path

from . import ir
from .source import SpecError

EXAMPLES_DIR = "examples"
"""Folder of a spec holding `<Shape>/<valid|invalid>-<slug>.json` wire examples."""

_EXAMPLE_NAME = re.compile(r"(valid|invalid)-([a-z0-9]+(?:-[a-z0-9]+)*)\.json")


def read_examples(spec_dir: Path, shapes: Container[str], errors: list[SpecError]) -> tuple[ir.Example, ...]:
    """The examples of the spec in `spec_dir`, for the shapes named in `shapes`; problems go to `errors`."""
    root = spec_dir / EXAMPLES_DIR
    if not root.is_dir():
        return ()
    examples: list[ir.Example] = []
    for folder in sorted(root.iterdir(), key=lambda p: p.name):
        display = f"{(spec_dir / EXAMPLES_DIR).as_posix()}/{folder.name}"
        if not folder.is_dir():
            errors.append(SpecError(display, 1, 1, "examples", "expected a folder named after a shape"))
            continue
        if folder.name not in shapes:
            errors.append(SpecError(display, 1, 1, "examples", f"unknown shape '{folder.name}'"))
            continue
        for file in sorted(folder.iterdir(), key=lambda p: p.name):
            examples += _read_example(folder.name, file, f"{display}/{file.name}", errors)
    return tuple(examples)


def _read_example(shape: str, file: Path, display: str, errors: list[SpecError]) -> list[ir.Example]:
    match = _EXAMPLE_NAME.fullmatch(file.name)
    if match is None or not file.is_file():
        errors.append(SpecError(display, 1, 1, "examples", "name must be valid-<slug>.json or invalid-<slug>.json"))
        return []
    try:
        text = file.read_bytes().decode("utf-8")
        json.loads(text)
    except UnicodeDecodeError as exc:
        errors.append(SpecError(display, 1, 1, "examples", f"not UTF-8: {exc.reason}"))
        return []
    except json.JSONDecodeError as exc:
        errors.append(SpecError(display, exc.lineno, exc.colno, "examples", f"invalid JSON: {exc.msg}"))
        return []
    return [ir.Example(shape, match.group(2), match.group(1) == "valid", text)]

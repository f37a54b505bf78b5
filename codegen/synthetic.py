"""Synthetic specs for scaling tests and benchmarks: the real spec with every shape copied N times over."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import yaml

from .lower import EXAMPLES_DIR, MAIN_FILE


def _rename_type(expr: Any, names: set[str], suffix: str) -> Any:
    if isinstance(expr, str):
        return expr + suffix if expr in names else expr
    if isinstance(expr, dict):
        return {key: _rename_type(value, names, suffix) for key, value in expr.items()}
    return expr


def _renamed_shape(body: dict[str, Any], names: set[str], suffix: str) -> dict[str, Any]:
    copy = dict(body)
    if "extends" in copy:
        copy["extends"] = [_rename_type(base, names, suffix) for base in copy["extends"]]
    if "variants" in copy:
        copy["variants"] = [_rename_type(variant, names, suffix) for variant in copy["variants"]]
    if "type" in copy:
        copy["type"] = _rename_type(copy["type"], names, suffix)
    if "fields" in copy:
        copy["fields"] = {
            name: {**spec, "type": _rename_type(spec["type"], names, suffix)} if "type" in spec else spec
            for name, spec in copy["fields"].items()
        }
    return copy


def write_scaled_spec(spec_dir: Path, out_dir: Path, factor: int) -> int:
    """Write to `out_dir` the spec of `spec_dir` with `factor` times its shapes; returns the number of shapes.

    Copy k of shape `Name` is `NameCopyk` and references only copy k of other shapes, so every copy is as
    connected as the original. The examples are copied as they are (the spec's deviations name some of them);
    the copies of the shapes get none.
    """
    main = yaml.safe_load((spec_dir / MAIN_FILE).read_text(encoding="utf-8"))
    files = {MAIN_FILE: main} | {
        name: yaml.safe_load((spec_dir / name).read_text(encoding="utf-8")) for name in main.get("include", [])
    }
    names = {shape for data in files.values() for shape in data["shapes"]}
    out_dir.mkdir(parents=True, exist_ok=True)
    for file_name, data in files.items():
        shapes = dict(data["shapes"])
        for k in range(2, factor + 1):
            suffix = f"Copy{k}"
            shapes.update({name + suffix: _renamed_shape(body, names, suffix) for name, body in data["shapes"].items()})
        text = yaml.safe_dump({**data, "shapes": shapes}, sort_keys=False, allow_unicode=True, width=120)
        (out_dir / file_name).write_text(text, encoding="utf-8")
    if (spec_dir / EXAMPLES_DIR).is_dir():
        shutil.copytree(spec_dir / EXAMPLES_DIR, out_dir / EXAMPLES_DIR, dirs_exist_ok=True)
    return len(names) * factor

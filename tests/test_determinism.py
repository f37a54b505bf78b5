"""The generator's output depends on the spec only: not on hash seeds, the working directory, the locale, the
checkout path, or the run. Nor on the Python that runs it: `nox` runs this suite on Python 3.10 to 3.13, and in
each of those sessions the trees built here must equal the committed generated/ byte for byte."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from conftest import GENERATED_DIR, REPO, SPEC_DIR, read_tree, run_codegen


def generate_in_subprocess(out: Path, *, spec: Path, cwd: Path, hash_seed: str, **env: str) -> None:
    result = run_codegen("generate", "--spec", spec, "--out", out, cwd=cwd, env={"PYTHONHASHSEED": hash_seed, **env})
    assert result.returncode == 0, result.stderr


def test_generation_ignores_hash_seed_cwd_and_path_spelling(tmp_path: Path, built_files: dict[str, bytes]) -> None:
    first, second = tmp_path / "seed-1", tmp_path / "seed-12345"
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()

    generate_in_subprocess(Path(os.path.relpath(first, REPO)), spec=Path("spec"), cwd=REPO, hash_seed="1")
    generate_in_subprocess(second.resolve(), spec=SPEC_DIR.resolve(), cwd=elsewhere, hash_seed="12345", LC_ALL="C")

    first_tree, second_tree = read_tree(first), read_tree(second)
    assert sorted(first_tree) == sorted(second_tree)
    assert [path for path in first_tree if first_tree[path] != second_tree[path]] == []
    assert first_tree == built_files


@pytest.mark.parametrize("source", ["generated", "in-memory build"])
def test_files_use_lf_only_and_end_with_a_newline(source: str, built_files: dict[str, bytes]) -> None:
    files = read_tree(GENERATED_DIR) if source == "generated" else built_files
    assert files
    assert [path for path, data in files.items() if b"\r" in data] == []
    assert [path for path, data in files.items() if data and not data.endswith(b"\n")] == []


@pytest.mark.parametrize("locale", ["C", "C.UTF-8", "en_US.UTF-8"])
def test_generation_ignores_locale_and_checkout_path(
    tmp_path: Path, built_files: dict[str, bytes], locale: str
) -> None:
    import shutil

    checkout = tmp_path / "another checkout" / "ünïcode path"
    for part in ("spec", "codegen", "runtime"):
        shutil.copytree(REPO / part, checkout / part, ignore=shutil.ignore_patterns("__pycache__"))
    out = tmp_path / "out"
    result = run_codegen(
        "generate", "--spec", checkout / "spec", "--out", out, cwd=checkout,
        env={"PYTHONHASHSEED": "777", "LC_ALL": locale, "LANG": locale, "PYTHONPATH": str(checkout)},
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert read_tree(out) == built_files

"""generated/ is exactly what spec/ generates, and `check` / `generate` detect and repair every kind of drift."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import GENERATED_DIR, REPO, SPEC_DIR, read_tree, run_codegen

EDITED_DESCRIPTION = "The task to cancel."
NEW_DESCRIPTION = "The task to cancel, edited by the freshness test (marker 5f1c)."


@pytest.fixture
def workspace(tmp_path: Path) -> tuple[Path, Path]:
    """Copies of spec/ (with the hand-written runtime/ beside it) and generated/ to break and repair."""
    spec, out = tmp_path / "spec", tmp_path / "generated"
    shutil.copytree(SPEC_DIR, spec)
    shutil.copytree(SPEC_DIR.parent / "runtime", tmp_path / "runtime", ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(GENERATED_DIR, out, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return spec, out


def reported(result: subprocess.CompletedProcess[str], label: str) -> set[Path]:
    """The paths `check` lists on stderr as `<label>: <path>`."""
    prefix = f"{label}: "
    return {Path(line.removeprefix(prefix)) for line in result.stderr.splitlines() if line.startswith(prefix)}


def check(spec: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return run_codegen("check", "--spec", spec, "--out", out)


def generate(spec: Path, out: Path) -> subprocess.CompletedProcess[str]:
    return run_codegen("generate", "--spec", spec, "--out", out)


def test_in_memory_build_equals_generated_tree(monkeypatch: pytest.MonkeyPatch) -> None:
    from codegen.__main__ import build

    monkeypatch.chdir(REPO)
    built = {path: text.encode("utf-8") for path, text in build(Path("spec")).items()}
    on_disk = read_tree(GENERATED_DIR)
    assert sorted(built) == sorted(on_disk), "generated/ holds other files than the build"
    stale = [path for path in built if built[path] != on_disk[path]]
    assert stale == [], "out of date; run `nox -s generate`"


def test_check_reports_an_edited_description_and_generate_fixes_it(workspace: tuple[Path, Path]) -> None:
    spec, out = workspace
    main = spec / "tasks.yaml"
    text = main.read_text(encoding="utf-8")
    assert text.count(f"description: {EDITED_DESCRIPTION}\n") == 1
    main.write_text(text.replace(f"description: {EDITED_DESCRIPTION}\n", f"description: {NEW_DESCRIPTION}\n"))
    carrying_old_text = {path for path, data in read_tree(out).items() if EDITED_DESCRIPTION.encode() in data}
    assert {"mcp_ext_tasks/v2026_07_28/wire.py", "docs/reference-draft.md"} <= carrying_old_text

    drifted = check(spec, out)

    assert drifted.returncode == 1, drifted.stderr
    for path in carrying_old_text:
        assert f"--- a/{path}\n+++ b/{path}\n" in drifted.stdout
    added = [line for line in drifted.stdout.splitlines() if line.startswith("+") and NEW_DESCRIPTION in line]
    assert added, "the diff does not show the new description"
    assert reported(drifted, "changed") == {out / path for path in carrying_old_text}
    assert reported(drifted, "missing") == reported(drifted, "stale") == set()

    fixed = generate(spec, out)
    assert fixed.returncode == 0, fixed.stderr
    assert NEW_DESCRIPTION.encode() in (out / "mcp_ext_tasks" / "v2026_07_28" / "wire.py").read_bytes()
    assert check(spec, out).returncode == 0


def test_stale_file_is_reported_and_removed(workspace: tuple[Path, Path]) -> None:
    spec, out = workspace
    stale = out / "mcp_ext_tasks" / "old.py"
    stale.write_text("OLD = 1\n")

    drifted = check(spec, out)
    assert drifted.returncode == 1
    assert reported(drifted, "stale") == {stale}
    assert "--- a/mcp_ext_tasks/old.py\n+++ /dev/null\n" in drifted.stdout

    assert generate(spec, out).returncode == 0
    assert not stale.exists()
    assert check(spec, out).returncode == 0


def test_deleted_file_is_reported_missing_and_restored(workspace: tuple[Path, Path]) -> None:
    spec, out = workspace
    deleted = out / "mcp_ext_tasks" / "constants.py"
    deleted.unlink()

    drifted = check(spec, out)
    assert drifted.returncode == 1
    assert reported(drifted, "missing") == {deleted}
    assert reported(drifted, "stale") == reported(drifted, "changed") == set()

    assert generate(spec, out).returncode == 0
    assert deleted.read_bytes() == (GENERATED_DIR / "mcp_ext_tasks" / "constants.py").read_bytes()


def test_generate_leaves_files_beside_its_folders_alone(workspace: tuple[Path, Path]) -> None:
    spec, out = workspace
    neighbour = out / "NOTES.txt"
    neighbour.write_text("not generated\n")

    assert check(spec, out).returncode == 0
    assert generate(spec, out).returncode == 0
    assert neighbour.read_text() == "not generated\n"


def test_generate_into_an_empty_folder_writes_the_whole_tree(tmp_path: Path) -> None:
    out = tmp_path / "fresh"
    out.mkdir()
    result = generate(SPEC_DIR, out)
    assert result.returncode == 0, result.stderr
    assert read_tree(out) == read_tree(GENERATED_DIR)


def test_runtime_modules_are_copied_unchanged_and_checked(workspace: tuple[Path, Path]) -> None:
    spec, out = workspace
    runtime = spec.parent / "runtime"
    sources = sorted(runtime.glob("*.py"))
    assert sources, "runtime/ holds the hand-written modules"
    for source in sources:
        assert (out / "mcp_ext_tasks" / source.name).read_bytes() == source.read_bytes()
    edited = runtime / sources[0].name
    edited.write_text(edited.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    drifted = check(spec, out)
    assert drifted.returncode == 1 and reported(drifted, "changed") == {out / "mcp_ext_tasks" / sources[0].name}
    assert generate(spec, out).returncode == 0
    assert (out / "mcp_ext_tasks" / sources[0].name).read_bytes() == edited.read_bytes()
    (runtime / "wire.py").write_text("X = 1\n", encoding="utf-8")  # would replace a generated module
    clash = generate(spec, out)
    assert clash.returncode == 3 and "would replace generated ones: mcp_ext_tasks/wire.py" in clash.stderr


def test_the_ir_is_immutable_all_the_way_down_and_hashable() -> None:
    """The IR is the resolved spec only: frozen dataclasses and tuples, so a whole spec can be hashed."""
    from codegen.lower import load_spec

    spec = load_spec(SPEC_DIR)
    assert hash(spec) == hash(load_spec(SPEC_DIR))
    assert all(hash(version.spec) for version in spec.versions)

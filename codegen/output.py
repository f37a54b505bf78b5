"""Formatting rendered files in memory, and writing them atomically or diffing them against a folder."""

from __future__ import annotations

import difflib
import os
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from ruff.__main__ import find_ruff_bin

RUFF_SETTINGS = ("--isolated", "--line-length", "120", "--target-version", "py310")
"""Ruff settings for generated code, given explicitly so that no config file or folder changes the output."""

IGNORED_PARTS = frozenset({"__pycache__", ".mypy_cache", ".ruff_cache", ".pytest_cache"})


class FormatError(Exception):
    """The formatter failed on rendered code (a generator bug): nothing is written."""


def format_python(files: dict[str, str]) -> dict[str, str]:
    """Sort imports and `__all__`, drop unused imports and format every `.py` file with the pinned ruff.

    Runs ruff once per step over a temporary folder holding all the files.
    """
    python = {path: text for path, text in files.items() if path.endswith(".py")}
    if not python:
        return dict(files)
    ruff = find_ruff_bin()
    with tempfile.TemporaryDirectory(prefix="codegen-format-") as tmp:
        root = Path(tmp)
        for path, text in python.items():
            target = root / path
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(text.encode("utf-8"))
        commands = [
            [ruff, "check", *RUFF_SETTINGS, "--select", "I,F401,RUF022", "--fix", "--quiet", "--exit-zero", "."],
            [ruff, "format", *RUFF_SETTINGS, "--quiet", "."],
        ]
        for command in commands:
            done = subprocess.run(command, cwd=root, capture_output=True, text=True, env=_plain_env(), check=False)
            if done.returncode != 0:
                raise FormatError(f"{' '.join(command[1:2])} failed:\n{done.stderr or done.stdout}")
        formatted = {path: (root / path).read_bytes().decode("utf-8") for path in python}
    return {path: formatted.get(path, text) for path, text in files.items()}


def _plain_env() -> dict[str, str]:
    # Ruff's output must not depend on the caller's locale or ruff-specific variables.
    env = {key: value for key, value in os.environ.items() if not key.startswith("RUFF_")}
    env["LC_ALL"] = "C.UTF-8"
    return env


def _managed(out_dir: Path, files: dict[str, str]) -> set[str]:
    """Files now under the top-level folders the output writes to (others beside them are not ours)."""
    tops = {path.split("/", 1)[0] for path in files}
    found: set[str] = set()
    for top in tops:
        base = out_dir / top
        if base.is_file():
            found.add(top)
        for dirpath, dirnames, filenames in os.walk(base):
            dirnames[:] = sorted(d for d in dirnames if d not in IGNORED_PARTS and not d.endswith(".egg-info"))
            for name in filenames:
                if not name.endswith(".pyc"):
                    found.add((Path(dirpath) / name).relative_to(out_dir).as_posix())
    return found


@dataclass(frozen=True, slots=True)
class Drift:
    """How a folder differs from the rendered files."""

    missing: list[str]
    stale: list[str]
    changed: list[str]
    diff: str

    @property
    def clean(self) -> bool:
        """True when the folder holds exactly the rendered files."""
        return not (self.missing or self.stale or self.changed)


def diff_tree(out_dir: Path, files: dict[str, str]) -> Drift:
    """Compare `out_dir` with the rendered files: missing, stale and changed files, and a unified diff."""
    present = _managed(out_dir, files)
    missing = sorted(p for p in files if p not in present)
    stale = sorted(present - files.keys())
    changed: list[str] = []
    chunks: list[str] = []
    for path in sorted(files):
        new = files[path]
        old_path = out_dir / path
        old = old_path.read_bytes().decode("utf-8", errors="replace") if path in present else ""
        if path in present and old == new:
            continue
        if path in present:
            changed.append(path)
        chunks += difflib.unified_diff(
            old.splitlines(keepends=True), new.splitlines(keepends=True), f"a/{path}", f"b/{path}"
        )
    for path in stale:
        old = (out_dir / path).read_bytes().decode("utf-8", errors="replace")
        chunks += difflib.unified_diff(old.splitlines(keepends=True), [], f"a/{path}", "/dev/null")
    return Drift(missing, stale, changed, "".join(c if c.endswith("\n") else c + "\n" for c in chunks))


def write_tree(out_dir: Path, files: dict[str, str]) -> Drift:
    """Make `out_dir` hold exactly `files`: stage every file first, then swap them in, then drop stale ones.

    A failure while staging leaves `out_dir` untouched. Returns what changed.
    """
    drift = diff_tree(out_dir, files)
    staged: list[tuple[Path, Path]] = []
    try:
        for path in drift.missing + drift.changed:
            target = out_dir / path
            target.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
            with os.fdopen(fd, "wb") as handle:
                handle.write(files[path].encode("utf-8"))
            os.chmod(tmp_name, 0o644)
            staged.append((Path(tmp_name), target))
    except BaseException:
        for staged_file, _ in staged:
            staged_file.unlink(missing_ok=True)
        raise
    for staged_file, target in staged:
        os.replace(staged_file, target)
    for path in drift.stale:
        (out_dir / path).unlink()
    return drift

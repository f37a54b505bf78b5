"""The distributions: sdist and wheel built by `python -m build`, the wheel built from the sdist equal to the one
built from the tree, `twine check` clean, the wheel lean (no duplicated file, at most 400 KB unpacked) with its
LICENSE and classifiers, and installed (with the `fast` extra) into a clean venv of every supported Python, where the
typed consumer examples run and the core imports neither the mcp SDK nor msgspec."""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import tarfile
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from conftest import GENERATED_DIR, REPO, read_tree

pytestmark = pytest.mark.slow

TIMEOUT = 600
PYTHONS = ("3.10", "3.11", "3.12", "3.13")
"""The Pythons the package supports (its classifiers and requires-python say the same)."""
MAX_UNPACKED = 400_000
CONSUMERS = sorted((REPO / "tests" / "typing").glob("*_consumer.py"))


def run(command: list[str | os.PathLike[str]], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=TIMEOUT
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


def only(folder: Path, pattern: str) -> Path:
    found = sorted(folder.glob(pattern))
    assert len(found) == 1, found
    return found[0]


@pytest.fixture(scope="module")
def dists(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """`python -m build` from the tree (sdist, then the wheel from that sdist), and a wheel built from the tree."""
    out = tmp_path_factory.mktemp("dist")
    run([sys.executable, "-m", "build", "--outdir", out / "from-sdist", REPO], cwd=out)
    run([sys.executable, "-m", "build", "--wheel", "--outdir", out / "from-tree", REPO], cwd=out)
    return {
        "sdist": only(out / "from-sdist", "*.tar.gz"),
        "wheel": only(out / "from-sdist", "*.whl"),
        "tree-wheel": only(out / "from-tree", "*.whl"),
    }


def members(wheel: Path) -> dict[str, bytes]:
    with zipfile.ZipFile(wheel) as archive:
        return {name: archive.read(name) for name in archive.namelist() if not name.endswith("/")}


def metadata(wheel: Path) -> Message:
    (name,) = [n for n in members(wheel) if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
    return Parser().parsestr(members(wheel)[name].decode("utf-8"))


def test_the_wheel_built_from_the_sdist_equals_the_one_built_from_the_tree(dists: dict[str, Path]) -> None:
    assert members(dists["wheel"]) == members(dists["tree-wheel"])


def test_twine_check_passes(dists: dict[str, Path]) -> None:
    result = run([sys.executable, "-m", "twine", "check", "--strict", dists["sdist"], dists["wheel"]], cwd=REPO)
    assert result.stdout.count("PASSED") == 2, result.stdout


def test_the_sdist_holds_what_building_needs(dists: dict[str, Path]) -> None:
    with tarfile.open(dists["sdist"]) as archive:
        names = {name.split("/", 1)[1] for name in archive.getnames() if "/" in name}
    assert {"pyproject.toml", "LICENSE", "README.md", "docs/index.md", "generated/mcp_ext_tasks/py.typed"} <= names


def test_the_wheel_holds_the_package_its_license_and_nothing_twice(dists: dict[str, Path]) -> None:
    files = members(dists["wheel"])
    package = sorted(name for name in files if name.startswith("mcp_ext_tasks/"))
    assert package == sorted(f"mcp_ext_tasks/{path}" for path in read_tree(GENERATED_DIR / "mcp_ext_tasks"))
    others = [name for name in files if not name.startswith("mcp_ext_tasks/")]
    assert [name for name in others if not re.match(r"mcp_ext_tasks-[^/]+\.dist-info/", name)] == []
    (license_file,) = [name for name in others if name.endswith("/licenses/LICENSE")]
    assert files[license_file] == (REPO / "LICENSE").read_bytes()
    by_digest: dict[str, list[str]] = {}
    for name, data in files.items():
        by_digest.setdefault(hashlib.sha256(data).hexdigest(), []).append(name)
    assert [names for names in by_digest.values() if len(names) > 1] == []
    unpacked = sum(len(data) for data in files.values())
    assert unpacked <= MAX_UNPACKED, f"{unpacked} bytes unpacked"


def test_the_metadata_is_ready_for_the_index(dists: dict[str, Path]) -> None:
    meta = metadata(dists["wheel"])
    assert meta["Requires-Python"] == ">=3.10"
    assert meta["License-Expression"] == "Apache-2.0"
    classifiers = set(meta.get_all("Classifier") or [])
    assert {f"Programming Language :: Python :: {version}" for version in PYTHONS} <= classifiers
    assert {"Typing :: Typed", "Development Status :: 3 - Alpha"} <= classifiers
    assert meta.get_content_type() == "text/markdown" or meta["Description-Content-Type"] == "text/markdown"
    assert meta.get_payload().startswith("# mcp-ext-tasks\n")
    requirements = meta.get_all("Requires-Dist") or []
    always = sorted(r.split(">")[0].split("=")[0] for r in requirements if "extra ==" not in r)
    assert always == ["mcp-types", "pydantic"]
    assert any(r.startswith("mcp>=") and "extra == 'sdk'" in r.replace('"', "'") for r in requirements)
    assert any(r.startswith("msgspec>=") and "extra == 'fast'" in r.replace('"', "'") for r in requirements)


def python_for(version: str) -> Path | None:
    """The interpreter of `version` from pyenv (the image has all four), else one on PATH."""
    root = os.environ.get("PYENV_ROOT") or str(Path.home() / ".pyenv")
    found = sorted(Path(root, "versions").glob(f"{version}.*/bin/python"))
    if found:
        return found[-1]
    on_path = shutil.which(f"python{version}")
    return Path(on_path) if on_path else None


@pytest.mark.parametrize("version", PYTHONS)
def test_the_wheel_installs_and_the_consumers_run_on_each_python(
    version: str, dists: dict[str, Path], tmp_path: Path
) -> None:
    python = python_for(version)
    if python is None:
        if os.environ.get("CI") == "true":
            pytest.fail(f"Python {version} is missing; CI must test every supported Python")
        pytest.skip(f"Python {version} is not installed here")
    venv = tmp_path / "venv"
    run([python, "-m", "venv", venv], cwd=tmp_path)
    venv_python = venv / "bin" / "python"
    run([venv_python, "-m", "pip", "install", "--quiet", f"{dists['wheel']}[fast]"], cwd=tmp_path)
    for consumer in CONSUMERS:
        run([venv_python, consumer], cwd=tmp_path)
    where = run([venv_python, "-c", "import mcp_ext_tasks, sys; print(mcp_ext_tasks.__file__)"], cwd=tmp_path)
    assert where.stdout.strip().startswith(str(venv)), where.stdout
    no_sdk = run([venv_python, "-c", "import mcp_ext_tasks.wire, sys; print('mcp' in sys.modules)"], cwd=tmp_path)
    assert no_sdk.stdout.strip() == "False", "importing the core must not import the mcp SDK"
    core = "import mcp_ext_tasks, mcp_ext_tasks.wire, mcp_ext_tasks.typed, sys; print('msgspec' in sys.modules)"
    assert run([venv_python, "-c", core], cwd=tmp_path).stdout.strip() == "False", "msgspec is for the fast extra"

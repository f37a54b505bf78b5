"""The wheel holds the generated package only, depends on pydantic and mcp-types, and works in a fresh venv."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import zipfile
from email.message import Message
from email.parser import Parser
from pathlib import Path

import pytest
from conftest import GENERATED_DIR, REPO, read_tree

pytestmark = pytest.mark.slow

PIP_TIMEOUT = 300
SMOKE_TEST = """
import json, sys
from pathlib import Path

from pydantic import TypeAdapter, ValidationError

import mcp_ext_tasks
from mcp_ext_tasks import json_schema, typed, wire

assert Path(mcp_ext_tasks.__file__).resolve().is_relative_to(Path(sys.prefix).resolve()), mcp_ext_tasks.__file__
task = {"taskId": "t", "status": "completed", "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": None,
        "resultType": "complete", "result": {"content": []}}
parsed = TypeAdapter(wire.GetTaskResult).validate_json(json.dumps(task))
assert type(parsed).__name__ == "GetCompletedTaskResult", type(parsed)
assert json.loads(parsed.model_dump_json(by_alias=True, exclude_none=True)) == task
try:
    TypeAdapter(typed.Task).validate_python({k: v for k, v in task.items() if k != "ttlMs"})
except ValidationError:
    pass
else:
    raise AssertionError("typed.Task accepted a task without ttlMs")
assert "TasksExtensionCapability" in json_schema()["$defs"]
print("smoke test passed")
"""


def run(command: list[str | os.PathLike[str]], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items() if key not in ("PYTHONPATH", "PYTHONHOME")}
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    result = subprocess.run(
        [str(part) for part in command], cwd=cwd, env=env, capture_output=True, text=True, timeout=PIP_TIMEOUT
    )
    assert result.returncode == 0, f"{command} failed:\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("wheel")
    run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--quiet", "-w", out, REPO], cwd=out)
    wheels = list(out.glob("*.whl"))
    assert len(wheels) == 1, wheels
    return wheels[0]


def wheel_names(wheel: Path) -> list[str]:
    with zipfile.ZipFile(wheel) as archive:
        return [name for name in archive.namelist() if not name.endswith("/")]


def wheel_metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        (name,) = [n for n in archive.namelist() if re.fullmatch(r"[^/]+\.dist-info/METADATA", n)]
        return Parser().parsestr(archive.read(name).decode("utf-8"))


def test_wheel_holds_the_generated_package_and_its_metadata_only(wheel: Path) -> None:
    names = wheel_names(wheel)
    package = sorted(name for name in names if name.startswith("mcp_ext_tasks/"))
    others = [name for name in names if not name.startswith("mcp_ext_tasks/")]
    assert package == sorted(f"mcp_ext_tasks/{path}" for path in read_tree(GENERATED_DIR / "mcp_ext_tasks"))
    assert {"mcp_ext_tasks/py.typed", "mcp_ext_tasks/schema.json"} <= set(package)
    assert [name for name in others if not re.match(r"mcp_ext_tasks-[^/]+\.dist-info/", name)] == []


def test_wheel_requires_exactly_pydantic_and_mcp_types(wheel: Path) -> None:
    requirements = wheel_metadata(wheel).get_all("Requires-Dist") or []
    names = set()
    for requirement in requirements:
        match = re.match(r"[A-Za-z0-9][A-Za-z0-9._-]*", requirement)
        assert match, requirement
        names.add(re.sub(r"[-_.]+", "-", match.group()).lower())
    assert names == {"pydantic", "mcp-types"}
    assert len(requirements) == 2


def test_wheel_installs_and_works_in_a_fresh_venv(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    run([sys.executable, "-m", "venv", venv], cwd=tmp_path)
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    run([python, "-m", "pip", "install", "--quiet", wheel], cwd=tmp_path)
    result = run([python, "-c", SMOKE_TEST], cwd=tmp_path)
    assert "smoke test passed" in result.stdout

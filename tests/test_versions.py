"""Versions side by side: each its own module and schema `$id`, top-level names pointing at the released one, and a new
version being a spec change plus one regeneration."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import run_codegen, with_deviations
from jsonschema import Draft202012Validator
from pydantic import TypeAdapter, ValidationError
from referencing import Registry, Resource

import mcp_ext_tasks
from mcp_ext_tasks import draft, v2026_07_28

REPO = Path(__file__).resolve().parents[1]
REFERENCE = REPO.parent / "shared" / "reference" / "ext-tasks"
SPEC = yaml.safe_load((REPO / "spec" / "tasks.yaml").read_text(encoding="utf-8"))
MODULES = {"2026-07-28": v2026_07_28, "draft": draft}


def test_the_package_lists_the_versions_of_the_spec() -> None:
    assert {v["name"]: v["module"] for v in SPEC["versions"]} == mcp_ext_tasks.VERSIONS
    assert mcp_ext_tasks.DEFAULT_VERSION == SPEC["default_version"] == "2026-07-28"


@pytest.mark.parametrize(
    "name", ["Task", "CreateTaskResult", "GetTaskResult", "GetTaskRequest", "TaskStatusNotification"]
)
def test_top_level_names_are_the_released_versions(name: str) -> None:
    assert getattr(mcp_ext_tasks, name) is getattr(v2026_07_28, name)
    assert getattr(mcp_ext_tasks.wire, name) is getattr(v2026_07_28.wire, name)
    assert getattr(mcp_ext_tasks.typed, name) is getattr(v2026_07_28.typed, name)
    # draft has the wire format of 2026-07-28, so it is a thin package over the same objects (one copy in the wheel)
    assert getattr(draft.wire, name) is getattr(v2026_07_28.wire, name)
    assert getattr(draft, name) is getattr(v2026_07_28, name)


def test_constants_and_schema_of_the_top_level_are_the_released_versions() -> None:
    assert mcp_ext_tasks.constants.EXTENSION_ID == v2026_07_28.constants.EXTENSION_ID
    assert mcp_ext_tasks.json_schema() == v2026_07_28.json_schema()


@pytest.mark.parametrize("version", [v["name"] for v in SPEC["versions"]])
def test_each_version_schema_carries_its_own_id(version: str) -> None:
    declared = next(v["schema_id"] for v in SPEC["versions"] if v["name"] == version)
    assert MODULES[version].json_schema()["$id"] == declared
    official = REFERENCE / version / "schema.json"
    if not official.exists():
        pytest.skip(f"{official} is absent: the official $id cannot be compared")
    assert declared == json.loads(official.read_text(encoding="utf-8"))["$id"]


def _validator(schema: dict[str, object], shape: str) -> Draft202012Validator:
    registry: Registry = Registry().with_resource(str(schema["$id"]), Resource.from_contents(schema))
    return Draft202012Validator({"$ref": f"{schema['$id']}#/$defs/{shape}"}, registry=registry)


@pytest.mark.parametrize("version", list(MODULES))
def test_every_example_gets_the_same_verdict_from_each_version_and_its_official_schema(version: str) -> None:
    official_path = REFERENCE / version / "schema.json"
    if not official_path.exists():
        pytest.skip(f"{official_path} is absent")
    module = MODULES[version]
    ours = module.json_schema()
    official = with_deviations(json.loads(official_path.read_text(encoding="utf-8")), ours)
    examples = sorted((REPO / "spec" / "examples").glob("*/*.json"))
    assert examples
    for path in examples:
        shape, text = path.parent.name, path.read_text(encoding="utf-8")
        expected = path.name.startswith("valid-")
        instance = json.loads(text)
        verdicts = {
            "official": _validator(official, shape).is_valid(instance),
            "ours": _validator(ours, shape).is_valid(instance),
        }
        for kind in ("wire", "typed"):
            try:
                TypeAdapter(getattr(getattr(module, kind), shape)).validate_json(text)
                verdicts[kind] = True
            except ValidationError:
                verdicts[kind] = False
        assert verdicts == dict.fromkeys(verdicts, expected), f"{version} {shape}/{path.name}: {verdicts}"


def _generate(spec: Path, out: Path) -> None:
    done = run_codegen("generate", "--spec", spec, "--out", out)
    assert done.returncode == 0, done.stderr


def _probe(out: Path, code: str) -> str:
    return subprocess.run(
        [sys.executable, "-c", code], cwd=out, capture_output=True, text=True, check=True
    ).stdout.strip()


def test_adding_a_version_is_one_spec_entry_and_one_regeneration(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    text = (spec / "tasks.yaml").read_text(encoding="utf-8")
    entry = (
        '  - name: "2027-01-15"\n    module: v2027_01_15\n    schema_id: https://example.com/ext-tasks/2027-01-15/schema.json\n'
        "    description: A later release.\n"
    )
    (spec / "tasks.yaml").write_text(text.replace("default_version:", entry + "default_version:"), encoding="utf-8")
    _generate(spec, tmp_path / "out")
    code = (
        "import mcp_ext_tasks as m, mcp_ext_tasks.v2027_01_15 as v; "
        "print(m.VERSIONS['2027-01-15'], v.json_schema()['$id'], v.GetTaskResult.__module__, m.DEFAULT_VERSION)"
    )
    assert _probe(tmp_path / "out", code).split() == [
        "v2027_01_15",
        "https://example.com/ext-tasks/2027-01-15/schema.json",
        "mcp_ext_tasks.v2026_07_28._seed",  # the same wire format as 2026-07-28: the same objects
        "2026-07-28",
    ]


def test_a_version_with_its_own_folder_diverges_on_the_wire(tmp_path: Path) -> None:
    spec = tmp_path / "spec"
    shutil.copytree(REPO / "spec", spec)
    shutil.copytree(REPO / "spec" / "examples", spec / "next" / "examples")  # the deviations name examples
    main = (spec / "tasks.yaml").read_text(encoding="utf-8")
    own = (
        main.split("\nversions:\n")[0]
        + "\n"
        + main.split("\nseed_api:\n")[0].split('default_version: "2026-07-28"\n')[1]
    )
    own += "\nseed_api:\n" + main.split("\nseed_api:\n")[1]
    own = own.replace(
        "      pollIntervalMs:\n",
        "      progress:\n        type: number\n        required: false\n        description: How far the task has got, from 0 to 1.\n      pollIntervalMs:\n",
        1,
    )
    (spec / "next" / "tasks.yaml").write_text(own, encoding="utf-8")
    shutil.copy(spec / "core.yaml", spec / "next" / "core.yaml")
    main = main.replace("    module: draft\n", "    module: draft\n    spec: next\n")
    (spec / "tasks.yaml").write_text(main, encoding="utf-8")
    _generate(spec, tmp_path / "out")
    code = (
        "from mcp_ext_tasks import draft, v2026_07_28; "
        "print('progress' in draft.json_schema()['$defs']['Task']['properties'], "
        "'progress' in v2026_07_28.json_schema()['$defs']['Task']['properties'], "
        "'progress' in draft.wire.Task.model_fields)"
    )
    assert _probe(tmp_path / "out", code).split() == ["True", "False", "True"]

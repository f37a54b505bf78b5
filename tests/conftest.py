"""Shared helpers: repository paths, the labelled wire examples, the validators of every artifact, running codegen.

Example parameters are generated here (`pytest_generate_tests`): a test asks for `spec_example`,
`official_example` or `open_valid_example` and runs once per example, with ids like `Task/valid-minimal`.
Test modules import the plain helpers (`from conftest import ...`); stateful ones are session fixtures.
"""

from __future__ import annotations

import importlib
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator
from pydantic import TypeAdapter, ValidationError
from referencing import Registry, Resource

REPO = Path(__file__).resolve().parents[1]
if str(REPO) not in sys.path:
    sys.path.insert(0, str(REPO))  # `codegen` lives at the repo root, beside `generated/`

from codegen import ir  # noqa: E402
from codegen.deviations import apply_deviations, spec_deviations  # noqa: E402
from codegen.lower import load_spec  # noqa: E402

SPEC_DIR = REPO / "spec"
GENERATED_DIR = REPO / "generated"
REFERENCE_DIR = REPO.parent / "shared" / "reference" / "ext-tasks"
OFFICIAL_SCHEMA = REFERENCE_DIR / "draft" / "schema.json"
OFFICIAL_EXAMPLES_DIR = REFERENCE_DIR / "examples"

CODEGEN_TIMEOUT = 120


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers",
        "slow: independent of the Python running it and costly (building and installing the wheel, generating a"
        " spec scaled fifty times); run by default, and by nox in the main Python's session only",
    )


@dataclass(frozen=True)
class Example:
    """One labelled wire example: the JSON text of an instance of `shape`, valid or not."""

    shape: str
    valid: bool
    slug: str
    path: Path

    @property
    def id(self) -> str:
        return f"{self.shape}/{'valid' if self.valid else 'invalid'}-{self.slug}"

    @property
    def text(self) -> str:
        return self.path.read_text(encoding="utf-8")

    @property
    def data(self) -> Any:
        return json.loads(self.text)


def spec_examples() -> list[Example]:
    """Every `spec/examples/<Shape>/(valid|invalid)-<slug>.json`."""
    examples = []
    for path in sorted(SPEC_DIR.glob("examples/*/*.json")):
        label, _, slug = path.stem.partition("-")
        assert label in ("valid", "invalid"), f"badly named example {path}"
        examples.append(Example(path.parent.name, label == "valid", slug, path))
    return examples


def official_examples() -> list[Example]:
    """Every official example `<Shape>__<valid|invalid>__<slug>.json` (empty when the reference is absent)."""
    examples = []
    for path in sorted(OFFICIAL_EXAMPLES_DIR.glob("*.json")):
        shape, label, slug = path.stem.split("__")
        assert label in ("valid", "invalid"), f"badly named official example {path}"
        examples.append(Example(shape, label == "valid", slug, path))
    return examples


@cache
def spec_ir() -> ir.Spec:
    return load_spec(SPEC_DIR)


def is_open_object_shape(name: str) -> bool:
    """True for an object shape, or a union whose variants are all (unions of) object shapes."""
    shape = spec_ir().shape(name)
    if isinstance(shape, ir.ObjectShape):
        return True
    if isinstance(shape, ir.UnionShape):
        return all(isinstance(v, ir.Ref) and is_open_object_shape(v.name) for v in shape.variants)
    return False


def _example_params(examples: list[Example], missing_reason: str | None = None) -> list[Any]:
    if not examples and missing_reason:
        return [pytest.param(None, id="absent", marks=pytest.mark.skip(reason=missing_reason))]
    return [pytest.param(example, id=example.id) for example in examples]


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "spec_example" in metafunc.fixturenames:
        metafunc.parametrize("spec_example", _example_params(spec_examples()))
    if "official_example" in metafunc.fixturenames:
        reason = f"official examples not found at {OFFICIAL_EXAMPLES_DIR}"
        metafunc.parametrize("official_example", _example_params(official_examples(), reason))
    if "open_valid_example" in metafunc.fixturenames:
        chosen = [e for e in spec_examples() if e.valid and is_open_object_shape(e.shape)]
        metafunc.parametrize("open_valid_example", _example_params(chosen))


class SchemaVerdicts:
    """Verdicts of one JSON Schema document's `$defs` entries, resolved through a `referencing` registry."""

    def __init__(self, schema: dict[str, Any]) -> None:
        self.schema = schema
        self.registry: Registry[Any] = Registry().with_resource(schema["$id"], Resource.from_contents(schema))
        self._validators: dict[str, Draft202012Validator] = {}

    def has(self, shape: str) -> bool:
        return shape in self.schema["$defs"]

    def validator(self, shape: str) -> Draft202012Validator:
        if shape not in self._validators:
            root = {"$ref": f"{self.schema['$id']}#/$defs/{shape}"}
            self._validators[shape] = Draft202012Validator(root, registry=self.registry)
        return self._validators[shape]

    def accepts(self, shape: str, text: str) -> bool:
        return bool(self.validator(shape).is_valid(json.loads(text)))


@cache
def _adapter(module: str, shape: str) -> TypeAdapter[Any]:
    # Imported on use: the generator's tests must still run when the generated package is broken.
    return TypeAdapter(getattr(importlib.import_module(f"mcp_ext_tasks.{module}"), shape))


def model_accepts(module: str, shape: str, text: str) -> bool:
    """Whether `TypeAdapter(mcp_ext_tasks.<module>.<shape>).validate_json(text)` succeeds."""
    try:
        _adapter(module, shape).validate_json(text)
    except ValidationError:
        return False
    return True


@pytest.fixture(scope="session")
def generated_schema() -> SchemaVerdicts:
    return SchemaVerdicts(importlib.import_module("mcp_ext_tasks").json_schema())


def published_or_skip(path: Path = OFFICIAL_SCHEMA) -> dict[str, Any]:
    """An official schema as published; the test is skipped when the reference data is absent."""
    if not path.is_file():
        pytest.skip(f"official schema not found at {path}")
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def with_deviations(published: dict[str, Any], ours: dict[str, Any]) -> dict[str, Any]:
    """The official schema with the spec's listed deviations applied (codegen/deviations.py): the referee."""
    applied = apply_deviations(published, ours, spec_deviations(load_spec(SPEC_DIR), ours.get("$id")))
    assert not applied.stale, applied.stale
    return applied.document


@pytest.fixture(scope="session")
def published_schema() -> SchemaVerdicts:
    """The official schema exactly as published."""
    return SchemaVerdicts(published_or_skip())


@pytest.fixture(scope="session")
def official_schema(published_schema: SchemaVerdicts, generated_schema: SchemaVerdicts) -> SchemaVerdicts:
    """The official schema with the spec's listed deviations applied: the referee everywhere."""
    return SchemaVerdicts(with_deviations(published_schema.schema, generated_schema.schema))


@pytest.fixture(scope="session")
def accepts(generated_schema: SchemaVerdicts) -> Callable[[str, str, str], bool]:
    """`accepts(artifact, shape, text)` for artifact `wire`, `typed` or `schema` (the generated one)."""

    def verdict(artifact: str, shape: str, text: str) -> bool:
        if artifact == "schema":
            return generated_schema.accepts(shape, text)
        return model_accepts(artifact, shape, text)

    return verdict


@pytest.fixture(scope="session")
def spec_yaml() -> dict[str, Any]:
    """The main spec file as plain data: the source the generated constants must match."""
    data: dict[str, Any] = yaml.safe_load((SPEC_DIR / "tasks.yaml").read_text(encoding="utf-8"))
    return data


def read_tree(root: Path) -> dict[str, bytes]:
    """Every file under `root` by POSIX relative path, bytecode caches left out."""
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file() and "__pycache__" not in path.parts and path.suffix != ".pyc"
    }


def write_spec(folder: Path, main: str | dict[str, Any], **files: str | bytes) -> Path:
    """A spec folder: `tasks.yaml` from YAML text or data, and other files by name (`__` stands for `/`)."""
    folder.mkdir(parents=True, exist_ok=True)
    text = main if isinstance(main, str) else yaml.safe_dump(main, sort_keys=False)
    (folder / "tasks.yaml").write_text(text, encoding="utf-8")
    for name, content in files.items():
        target = folder / name.replace("__", "/")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content if isinstance(content, bytes) else content.encode("utf-8"))
    return folder


def run_codegen(
    *args: str | os.PathLike[str], cwd: Path = REPO, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """`python -m codegen ARGS` in a subprocess, with the repo root importable from any cwd."""
    full_env = {**os.environ, **(env or {})}
    full_env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), full_env.get("PYTHONPATH")]))
    return subprocess.run(
        [sys.executable, "-m", "codegen", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=CODEGEN_TIMEOUT,
        check=False,
    )


@pytest.fixture(scope="session")
def built_files() -> dict[str, bytes]:
    """What `generate` would write for spec/, built in memory once per session."""
    from codegen.__main__ import build

    return {path: text.encode("utf-8") for path, text in build(SPEC_DIR).items()}


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    """A throwaway redis-server (Debian's package) on 127.0.0.1 for the session, stopped by its pid.

    Without redis-server the tests that need it skip, except with CI=true, where they fail."""
    from services import redis_server, redis_server_command

    if redis_server_command(0) is None:
        why = "redis-server is not installed (apt-get install -y redis-server)"
        if os.environ.get("CI") == "true":
            pytest.fail(f"{why}; CI=true needs it")
        pytest.skip(f"{why}; CI=true makes this a failure")
    with redis_server() as url:
        yield url

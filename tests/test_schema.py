"""The generated JSON Schema: a valid, self-contained 2020-12 document naming every official shape."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from agreement import SHAPES
from conftest import SchemaVerdicts
from jsonschema import Draft202012Validator
from referencing.exceptions import Unresolvable

import mcp_ext_tasks
from mcp_ext_tasks import typed, wire

DIALECT = "https://json-schema.org/draft/2020-12/schema"
OFFICIAL_NAMES = list(SHAPES)
"""The 20 shapes of the extension, as the agreement harness lists them."""


def iter_refs(node: Any) -> Iterator[str]:
    """Every `$ref` value anywhere in a JSON document."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from iter_refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from iter_refs(item)


@pytest.fixture(scope="module")
def schema() -> dict[str, Any]:
    return mcp_ext_tasks.json_schema()


def test_schema_is_valid_against_the_2020_12_metaschema(schema: dict[str, Any]) -> None:
    Draft202012Validator.check_schema(schema)
    for name, definition in schema["$defs"].items():
        assert isinstance(definition, dict), name
        Draft202012Validator.check_schema(definition)


def test_schema_declares_dialect_and_id(schema: dict[str, Any]) -> None:
    assert schema["$schema"] == DIALECT
    assert schema["$id"].startswith("https://")


@pytest.mark.parametrize("name", OFFICIAL_NAMES)
def test_official_name_is_a_schema_definition(schema: dict[str, Any], name: str) -> None:
    assert name in schema["$defs"]


def test_every_ref_resolves_inside_the_document(schema: dict[str, Any]) -> None:
    refs = sorted(set(iter_refs(schema)))
    assert refs, "no $ref at all: the check would be vacuous"
    assert [ref for ref in refs if not ref.startswith("#/")] == []
    resolver = SchemaVerdicts(schema).registry.resolver(base_uri=schema["$id"])
    unresolved = []
    for ref in refs:
        try:
            target = resolver.lookup(ref).contents
        except Unresolvable:
            unresolved.append(ref)
        else:
            if not isinstance(target, dict):
                unresolved.append(ref)
    assert unresolved == []


def test_json_schema_returns_an_equal_fresh_dict_every_call() -> None:
    first = mcp_ext_tasks.json_schema()
    second = mcp_ext_tasks.json_schema()
    assert first == second and first is not second
    snapshot = json.dumps(second, sort_keys=True)
    first["$defs"]["Task"]["properties"]["taskId"]["type"] = "integer"
    first["$defs"].pop("TaskStatus")
    first["title"] = "mutated"
    assert json.dumps(mcp_ext_tasks.json_schema(), sort_keys=True) == snapshot
    assert json.dumps(second, sort_keys=True) == snapshot


def test_json_schema_is_the_packaged_schema_file() -> None:
    """The package ships one schema file, the default version's; the top level and same-format versions read it."""
    from importlib import resources

    home = f"mcp_ext_tasks.{mcp_ext_tasks.VERSIONS[mcp_ext_tasks.DEFAULT_VERSION]}"
    packaged = json.loads(resources.files(home).joinpath("schema.json").read_text(encoding="utf-8"))
    assert mcp_ext_tasks.json_schema() == packaged
    assert mcp_ext_tasks.draft.json_schema() == packaged | {"$id": mcp_ext_tasks.draft.json_schema()["$id"]}
    assert not resources.files(mcp_ext_tasks).joinpath("schema.json").is_file()


def test_every_official_definition_is_present(schema: dict[str, Any], official_schema: SchemaVerdicts) -> None:
    missing = sorted(set(official_schema.schema["$defs"]) - set(schema["$defs"]))
    assert missing == []


@pytest.mark.parametrize("module", [wire, typed], ids=["wire", "typed"])
@pytest.mark.parametrize("name", OFFICIAL_NAMES)
def test_official_name_is_exported_by_the_python_modules(module: Any, name: str) -> None:
    assert hasattr(module, name)
    assert name in module.__all__


@pytest.mark.parametrize("module", [wire, typed], ids=["wire", "typed"])
def test_python_modules_export_every_schema_definition(module: Any, schema: dict[str, Any]) -> None:
    assert sorted(set(schema["$defs"]) - set(module.__all__)) == []
    assert [name for name in module.__all__ if not hasattr(module, name)] == []

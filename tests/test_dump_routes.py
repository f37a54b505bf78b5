"""No dump route loses or invents anything: every valid example comes back exactly, whichever route writes it.

The routes are the agreement harness's (`agreement.validators.dump_routes`): `model_dump` and `model_dump_json`
and `TypeAdapter.dump_python` and `dump_json`, with and without `exclude_none`, in python and JSON mode. The
harness runs the same check on every instance the wire models accept (tests/test_agreement.py, `nox -s agreement`).
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from types import FrameType

import pytest
from agreement.jsontext import json_diff, json_equal
from agreement.validators import dump_routes
from conftest import Example, run_codegen, write_spec
from pydantic import BaseModel, TypeAdapter, ValidationError

from mcp_ext_tasks import wire


def check_every_route(example: Example) -> None:
    adapter: TypeAdapter[object] = TypeAdapter(getattr(wire, example.shape))
    value = adapter.validate_json(example.text)
    data = json.loads(example.text)
    routes = dump_routes(adapter, value)
    assert len(routes) == (12 if isinstance(value, BaseModel) else 6)
    for route, dumped in routes.items():
        out = json.loads(dumped)
        assert json_equal(data, out), f"{route}: {json_diff(data, out)}"


def test_every_valid_spec_example_comes_back_from_every_route(spec_example: Example) -> None:
    if not spec_example.valid:
        pytest.skip("an invalid example has nothing to dump")
    check_every_route(spec_example)


def test_every_valid_official_example_comes_back_from_every_route(official_example: Example) -> None:
    if not official_example.valid:
        pytest.skip("an invalid example has nothing to dump")
    check_every_route(official_example)


ERROR = wire.Error.model_validate_json('{"code": -32603, "message": "boom"}')
NULL_DATA = wire.Error.model_validate_json('{"code": -32603, "message": "boom", "data": null}')


def test_an_absent_member_reads_as_none_and_stays_absent() -> None:
    assert ERROR.data is None and "data" not in ERROR.model_fields_set
    assert NULL_DATA.data is None and "data" in NULL_DATA.model_fields_set
    adapter = TypeAdapter(wire.Error)
    for exclude_none in (False, True):
        assert adapter.dump_python(ERROR, exclude_none=exclude_none) == {"code": -32603, "message": "boom"}
        assert (
            adapter.dump_json(NULL_DATA, exclude_none=exclude_none) == b'{"code":-32603,"message":"boom","data":null}'
        )


def test_members_set_in_python_are_written_like_members_of_a_message() -> None:
    assert wire.Error(code=1, message="m").model_dump() == {"code": 1, "message": "m"}
    assert wire.Error(code=1, message="m", data=None).model_dump(exclude_none=True) == {
        "code": 1,
        "message": "m",
        "data": None,
    }
    # An optional member that may not be null is never written as null, even when set to None in Python.
    task = wire.WorkingTask(
        task_id="t", status="working", created_at="a", last_updated_at="b", ttl_ms=None, status_message=None
    )
    assert TypeAdapter(wire.DetailedTask).dump_python(task, exclude_none=True) == {
        "taskId": "t",
        "status": "working",
        "createdAt": "a",
        "lastUpdatedAt": "b",
        "ttlMs": None,
    }


def test_a_snapshot_built_in_python_validates_as_the_message_it_dumps() -> None:
    snapshot = wire.GetFailedTaskResult(
        result_type="complete",
        task_id="t-1",
        status="failed",
        created_at="2026-11-24T10:00:00Z",
        last_updated_at="2026-11-24T10:00:05Z",
        ttl_ms=None,
        error=wire.Error(code=-32603, message="boom", data=None),
    )
    text = TypeAdapter(wire.GetTaskResult).dump_json(snapshot, exclude_none=True)
    assert json.loads(text)["error"] == {"code": -32603, "message": "boom", "data": None}
    assert TypeAdapter(wire.GetTaskResult).validate_json(text) == snapshot
    with pytest.raises(ValidationError):  # a message is read by wire name only
        TypeAdapter(wire.GetTaskResult).validate_python(snapshot.model_dump(by_alias=False))


def test_a_member_set_to_none_after_construction_is_left_out_on_every_route() -> None:
    """Assigning None to a member that may be omitted but never be null leaves it out, as in the constructor;
    assigning None to a member that admits null writes the null."""
    task = wire.WorkingTask.model_validate_json(
        '{"taskId": "t", "status": "working", "statusMessage": "busy", "createdAt": "a", "lastUpdatedAt": "b",'
        ' "ttlMs": 5}'
    )
    task.status_message = None
    task.ttl_ms = None
    expected = {"taskId": "t", "status": "working", "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": None}
    routes = dump_routes(TypeAdapter(wire.WorkingTask), task)
    assert len(routes) == 12
    for route, dumped in routes.items():
        assert json.loads(dumped) == expected, route
    error = wire.Error(code=1, message="m", data=[1])
    error.data = None
    assert error.model_dump_json() == '{"code":1,"message":"m","data":null}'


def test_a_member_set_to_none_by_copy_or_construct_is_left_out_on_every_route() -> None:
    task = wire.WorkingTask(
        task_id="t", status="working", status_message="busy", created_at="a", last_updated_at="b", ttl_ms=None
    )
    expected = {"taskId": "t", "status": "working", "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": None}
    copied = task.model_copy(update={"status_message": None})
    constructed = wire.WorkingTask.model_construct(**{**expected, "statusMessage": None, "pollIntervalMs": None})
    for built in (copied, constructed):
        for route, dumped in dump_routes(TypeAdapter(wire.WorkingTask), built).items():
            assert json.loads(dumped) == expected, route
    assert task.status_message == "busy" and "status_message" in task.model_fields_set


def check_no_python_code_in_model_dumps(example: Example) -> None:
    """`model_dump` and `model_dump_json` take a serializer without the Python callbacks that keep the other routes
    exact (a wrap serializer per model, `exclude_if` per member), so a dump calls no Python function (nor a failed
    attribute lookup, which runs pydantic's `__getattr__`), but the comparisons below. Nested models whose own serializers are built (after
    being validated on their own) must not bring theirs back. A container is checked model by model."""
    if not example.valid:
        pytest.skip("an invalid example has nothing to dump")
    for name in wire.__all__:
        model = getattr(wire, name)
        if isinstance(model, type) and issubclass(model, BaseModel):
            model.model_rebuild()
    value = TypeAdapter(getattr(wire, example.shape)).validate_json(example.text)
    models = [value] if isinstance(value, BaseModel) else list(value.values()) if isinstance(value, dict) else []
    models = [model for model in models if isinstance(model, BaseModel)]
    if not models:
        pytest.skip("no model to dump")
    for model in models:
        model.model_dump_json()  # the plain serializer is built on first use
    called: list[str] = []

    def record(frame: FrameType, event: str, arg: object) -> None:
        if event == "call":
            called.append(frame.f_code.co_name)

    sys.setprofile(record)
    try:
        for model in models:
            model.model_dump_json(by_alias=True, exclude_none=True)
            model.model_dump(mode="json")
    finally:
        sys.setprofile(None)
    # A present member that may be omitted but never be null and is renamed (`_meta`) is compared with its default
    # None (`_misread_as_set`): that runs pydantic's `__eq__` when it holds a model. Nothing else runs in Python.
    assert [name for name in called if name not in ("model_dump", "model_dump_json", "__eq__")] == []


def test_model_dumps_of_official_examples_run_no_python_code(official_example: Example) -> None:
    check_no_python_code_in_model_dumps(official_example)


def test_model_dumps_of_spec_examples_run_no_python_code(spec_example: Example) -> None:
    check_no_python_code_in_model_dumps(spec_example)


def test_a_dump_leaves_the_models_schemas_as_they_were() -> None:
    """The plain serializer is built from a copy of the model's core schema, members named like schema keys
    (`metadata` of sampling params) included: pydantic's own JSON Schema still writes the member's default."""
    request = wire.CreateMessageRequest
    message = {"method": "sampling/createMessage", "params": {"messages": [], "maxTokens": 1, "metadata": {"k": 1}}}
    for dumped in dump_routes(TypeAdapter(request), request.model_validate(message)).values():
        assert json.loads(dumped) == message
    params = request.model_json_schema(by_alias=True)["$defs"]["CreateMessageRequestParams"]
    assert params["properties"]["metadata"]["default"] is None


@pytest.mark.parametrize(
    "block",
    [
        {"type": "tool_result", "toolUseId": "u", "content": [], "meta": {}},
        {"type": "tool_result", "toolUseId": "u", "content": [], "meta": 1, "_meta": {"k": None}},
        {"type": "tool_result", "toolUseId": "u", "content": [], "tool_use_id": "v", "is_error": None, "type_": 0},
        {"type": "tool_result", "toolUseId": "u", "content": [], "structured_content": 1},
        {"type": "tool_result", "toolUseId": "u", "content": [], "structured_content": 1, "structuredContent": None},
    ],
)
def test_an_unknown_member_named_like_an_attribute_stays_unknown_on_every_route(block: dict[str, object]) -> None:
    # pydantic counts such a member as setting the attribute (model_fields_set); a member that may be omitted but
    # never be null is still left out where the message leaves it out.
    adapter: TypeAdapter[object] = TypeAdapter(wire.ToolResultContent)
    for route, dumped in dump_routes(adapter, adapter.validate_python(block)).items():
        assert json.loads(dumped) == block, route


def test_unions_of_wire_models_are_written_without_a_union() -> None:
    """pydantic-core writes a union's value by building it as Python objects first; the plain serializers write a
    union of wire models (task statuses, input requests, content blocks in a tool result) as one model that has
    every variant's members. A union inside a union stays one (a union checks its choices)."""
    from mcp_ext_tasks._runtime import _plain

    def unions(schema: object) -> list[str]:
        if isinstance(schema, (list, tuple)):
            return [found for item in schema for found in unions(item)]
        if not isinstance(schema, dict):
            return []
        own = [schema.get("ref", "")] if schema.get("type") in ("union", "tagged-union") else []
        return own + [
            found for key, value in schema.items() if key not in ("cls", "metadata") for found in unions(value)
        ]

    wire.TaskStatusNotification.model_rebuild()
    left = {
        ref.split(":")[0].rpartition(".")[2]
        for ref in unions(_plain(wire.TaskStatusNotification.__pydantic_core_schema__))
    }
    assert {
        "TaskStatusNotificationParams",
        "InputRequest",
        "ElicitRequestParams",
        "PrimitiveSchemaDefinition",
    }.isdisjoint(left)
    assert {"SamplingContent", "SamplingMessageContentBlock"} <= left


def test_unions_of_a_closed_and_an_open_model_and_recursive_unions_come_back(tmp_path: Path) -> None:
    """The merge of a union's models into one serializer keeps apart models configured otherwise (a closed one
    beside an open one keeps each its own), and recursive unions of lists are written as they are."""
    from test_fast import ODD_SPEC

    spec = ODD_SPEC + textwrap.indent(
        "ClosedFirst:\n  kind: union\n  description: The closed model first.\n  variants: [Flag, Leaf]\n"
        "Holder:\n  kind: object\n  description: Holds the unions.\n  fields:\n"
        "    pair: {type: Pair, required: false, description: A pair.}\n"
        "    closed_first: {type: ClosedFirst, required: false, description: The other way round.}\n"
        "    tree: {type: Tree, required: false, description: A tree.}\n",
        "  ",
    )
    done = run_codegen("generate", "--spec", write_spec(tmp_path / "spec", spec), "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    messages = [
        {"pair": {"name": "n", "x": 1, "size": 2}, "closed_first": {"name": "n", "x": 1}},
        {"pair": {"on": True, "level": 2}},
        {"tree": [[{"name": "a", "extra": None}], []], "pair": {"name": "m"}},
    ]
    probe = textwrap.dedent(
        f"""
        import json, warnings
        warnings.simplefilter("error")
        from odd_ext.wire import Holder
        print(json.dumps([json.loads(Holder.model_validate_json(json.dumps(m)).model_dump_json()) for m in {messages!r}]))
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path / "out", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == messages

"""Behaviour of the strict wire models: presence, nulls, JSON integers, unions, envelopes, unknown members, dumps."""

from __future__ import annotations

import itertools
import json
from typing import Any

import pytest
from conftest import Example
from pydantic import BaseModel, TypeAdapter, ValidationError

from codegen.names import snake_case as snake
from mcp_ext_tasks import constants, wire

TASK: dict[str, Any] = {
    "taskId": "task-1",
    "status": "working",
    "createdAt": "2026-08-05T19:20:30Z",
    "lastUpdatedAt": "2026-08-05T19:21:45Z",
    "ttlMs": 60000,
}
OUTCOMES: dict[str, dict[str, Any]] = {
    "working": {},
    "input_required": {"inputRequests": {"ask-1": {"method": "roots/list"}}},
    "completed": {"result": {"content": [{"type": "text", "text": "done"}], "isError": False}},
    "failed": {"error": {"code": -32603, "message": "Internal error"}},
    "cancelled": {},
}
REQUEST_PARAMS: dict[str, dict[str, Any]] = {
    "GetTaskRequest": {"taskId": "task-1"},
    "UpdateTaskRequest": {"taskId": "task-1", "inputResponses": {"ask-1": {"action": "decline"}}},
    "CancelTaskRequest": {"taskId": "task-1"},
}


def parse(shape: str, data: Any) -> Any:
    return TypeAdapter(getattr(wire, shape)).validate_json(json.dumps(data))


def accepted(shape: str, data: Any) -> bool:
    try:
        parse(shape, data)
    except ValidationError:
        return False
    return True


def without(data: dict[str, Any], *keys: str) -> dict[str, Any]:
    return {key: value for key, value in data.items() if key not in keys}


def task_message(shape: str, **changes: Any) -> dict[str, Any]:
    """A valid instance of a task-carrying shape, with `changes` applied."""
    status = changes.get("status", TASK["status"])
    extra: dict[str, Any] = {
        "Task": {},
        "CreateTaskResult": {"resultType": "task"},
        "GetTaskResult": {"resultType": "complete", **OUTCOMES[status]},
        "TaskStatusNotificationParams": OUTCOMES[status],
    }[shape]
    return {**TASK, **extra, **changes}


TASK_SHAPES = ["Task", "CreateTaskResult", "GetTaskResult", "TaskStatusNotificationParams"]


# ---------------------------------------------------------------- presence and null


@pytest.mark.parametrize("shape", TASK_SHAPES)
def test_ttl_ms_is_required(shape: str) -> None:
    assert accepted(shape, task_message(shape))
    assert not accepted(shape, without(task_message(shape), "ttlMs"))


@pytest.mark.parametrize("shape", TASK_SHAPES)
def test_ttl_ms_may_be_null(shape: str) -> None:
    assert parse(shape, task_message(shape, ttlMs=None)).ttl_ms is None


@pytest.mark.parametrize("field", ["statusMessage", "pollIntervalMs"])
@pytest.mark.parametrize("shape", TASK_SHAPES)
def test_optional_fields_may_be_omitted_but_not_null(shape: str, field: str) -> None:
    assert field not in task_message(shape)
    assert accepted(shape, task_message(shape))
    assert not accepted(shape, task_message(shape, **{field: None}))


# ---------------------------------------------------------------- JSON integers

INT53_MAX = 2**53 - 1
INTEGER_CASES = [
    ("9007199254740991", INT53_MAX),
    ("-9007199254740991", -INT53_MAX),
    ("9007199254740992", None),
    ("-9007199254740992", None),
    ("1e400", None),
    ('"5000"', None),
    ("60000.0", 60000),
    ("6e4", 60000),
    ("1.5", None),
    ("true", None),
    ("false", None),
    ("[1]", None),
]


@pytest.mark.parametrize(("raw", "expected"), INTEGER_CASES, ids=[raw for raw, _ in INTEGER_CASES])
@pytest.mark.parametrize("field", ["ttlMs", "pollIntervalMs"])
def test_int53_fields_accept_exactly_json_integers_in_range(field: str, raw: str, expected: int | None) -> None:
    text = json.dumps({**TASK, field: "__VALUE__"}).replace('"__VALUE__"', raw)
    adapter = TypeAdapter(wire.Task)
    if expected is None:
        with pytest.raises(ValidationError):
            adapter.validate_json(text)
        return
    task = adapter.validate_json(text)
    value = task.ttl_ms if field == "ttlMs" else task.poll_interval_ms
    assert value == expected and type(value) is int


# ---------------------------------------------------------------- unions


def variant_statuses(shapes: dict[str, Any], union: str) -> dict[str, str]:
    """Status const -> variant class name, for a union of the spec, read through `extends`."""

    def status_of(name: str) -> str | None:
        body = shapes[name]
        const = body.get("fields", {}).get("status", {}).get("const")
        if const is not None:
            return str(const)
        return next(filter(None, (status_of(base) for base in body.get("extends", []) if base in shapes)), None)

    mapping = {}
    for variant in shapes[union]["variants"]:
        status = status_of(variant)
        assert status is not None, variant
        mapping[status] = variant
    return mapping


@pytest.mark.parametrize("union", ["GetTaskResult", "TaskStatusNotificationParams"])
def test_task_unions_pick_the_variant_of_the_status(union: str, spec_yaml: dict[str, Any]) -> None:
    variants = variant_statuses(spec_yaml["shapes"], union)
    assert sorted(variants) == sorted(OUTCOMES)
    for status, variant in variants.items():
        parsed = parse(union, task_message(union, status=status))
        assert type(parsed) is getattr(wire, variant), status
        assert parsed.status == status


@pytest.mark.parametrize(
    ("status", "outcome"), [("completed", "result"), ("failed", "error"), ("input_required", "inputRequests")]
)
@pytest.mark.parametrize("union", ["GetTaskResult", "TaskStatusNotificationParams", "DetailedTask"])
def test_task_unions_require_the_outcome_of_the_status(union: str, status: str, outcome: str) -> None:
    message = {**TASK, "status": status, **OUTCOMES[status]}
    if union == "GetTaskResult":
        message["resultType"] = "complete"
    assert accepted(union, message)
    assert not accepted(union, without(message, outcome))


@pytest.mark.parametrize("status", list(OUTCOMES))
def test_get_task_result_requires_result_type_complete(status: str) -> None:
    message = task_message("GetTaskResult", status=status)
    assert accepted("GetTaskResult", message)
    assert not accepted("GetTaskResult", {**message, "resultType": "task"})
    assert not accepted("GetTaskResult", without(message, "resultType"))


def test_get_task_result_rejects_an_unknown_status() -> None:
    message = {**task_message("GetTaskResult", status="cancelled"), "status": "canceled"}
    assert not accepted("GetTaskResult", message)


def test_create_task_result_requires_result_type_task() -> None:
    message = task_message("CreateTaskResult")
    assert accepted("CreateTaskResult", message)
    assert not accepted("CreateTaskResult", without(message, "resultType"))
    assert not accepted("CreateTaskResult", {**message, "resultType": "complete"})
    assert not accepted("Task", {"task": TASK, "resultType": "task"})


# ---------------------------------------------------------------- whole JSON-RPC requests


def request(shape: str, spec_yaml: dict[str, Any], **changes: Any) -> dict[str, Any]:
    method = next(m["method"] for m in spec_yaml["methods"] if m["request"] == shape)
    return {"jsonrpc": "2.0", "id": 7, "method": method, "params": REQUEST_PARAMS[shape], **changes}


@pytest.mark.parametrize("shape", list(REQUEST_PARAMS))
def test_requests_are_whole_json_rpc_messages(shape: str, spec_yaml: dict[str, Any]) -> None:
    assert accepted(shape, request(shape, spec_yaml))
    assert accepted(shape, request(shape, spec_yaml, id="req-7"))
    assert not accepted(shape, request(shape, spec_yaml, jsonrpc="1.0"))
    assert not accepted(shape, without(request(shape, spec_yaml), "jsonrpc"))
    assert not accepted(shape, request(shape, spec_yaml, id=None))
    assert not accepted(shape, request(shape, spec_yaml, id=7.5))
    assert not accepted(shape, without(request(shape, spec_yaml), "id"))
    assert not accepted(shape, without(request(shape, spec_yaml), "params"))
    assert not accepted(shape, {"method": request(shape, spec_yaml)["method"], "params": REQUEST_PARAMS[shape]})


@pytest.mark.parametrize(("shape", "other"), list(itertools.permutations(REQUEST_PARAMS, 2)))
def test_requests_reject_another_method(shape: str, other: str, spec_yaml: dict[str, Any]) -> None:
    other_method = request(other, spec_yaml)["method"]
    assert not accepted(shape, request(shape, spec_yaml, method=other_method))


# ---------------------------------------------------------------- unknown members


def test_valid_example_round_trips_with_its_unknown_members(open_valid_example: Example) -> None:
    parsed = TypeAdapter(getattr(wire, open_valid_example.shape)).validate_json(open_valid_example.text)
    assert isinstance(parsed, BaseModel)
    dumped = json.loads(parsed.model_dump_json(by_alias=True, exclude_none=True))
    assert dumped == open_valid_example.data


NESTED_UNKNOWNS: list[tuple[str, dict[str, Any]]] = [
    (
        "TaskStatusNotification",
        {
            "jsonrpc": "2.0",
            "method": "notifications/tasks",
            "x-top": [1, {"deep": None}],
            "params": {
                **TASK,
                "ttlMs": None,
                "status": "failed",
                "error": {"code": -32603, "message": "boom", "x-error": {"why": "disk"}, "data": {"a": [None]}},
                "_meta": {"io.modelcontextprotocol/subscriptionId": 3, "com.example/trace": {"id": "abc"}},
                "x-params": "kept",
            },
        },
    ),
    (
        "GetTaskResult",
        {
            **TASK,
            "resultType": "complete",
            "status": "input_required",
            "inputRequests": {
                "ask-1": {
                    "method": "elicitation/create",
                    "params": {
                        "message": "Which city?",
                        "requestedSchema": {"type": "object", "properties": {"city": {"type": "string"}}},
                        "x-inner": True,
                    },
                    "x-request": 1,
                }
            },
            "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "srv", "version": "1", "x-info": 2}},
        },
    ),
    (
        "UpdateTaskRequest",
        {
            "jsonrpc": "2.0",
            "id": "u-1",
            "method": "tasks/update",
            "params": {"taskId": "task-1", "inputResponses": {"ask-1": {"action": "accept", "x-r": {}}}, "x-p": 0},
        },
    ),
]


@pytest.mark.parametrize(("shape", "message"), NESTED_UNKNOWNS, ids=[shape for shape, _ in NESTED_UNKNOWNS])
def test_nested_unknown_members_are_kept(shape: str, message: dict[str, Any]) -> None:
    parsed = parse(shape, message)
    assert json.loads(parsed.model_dump_json(by_alias=True, exclude_none=True)) == message
    assert parsed.model_dump(by_alias=True, exclude_none=True) == message


# ---------------------------------------------------------------- dumps


def dumps(model: BaseModel) -> list[dict[str, Any]]:
    """The wire dict of a model by every route a caller might take."""
    return [
        json.loads(model.model_dump_json(by_alias=True, exclude_none=True)),
        model.model_dump(by_alias=True, exclude_none=True),
        model.model_dump(mode="json", by_alias=True, exclude_none=True),
        json.loads(model.model_dump_json(by_alias=True)),
        model.model_dump(by_alias=True),
    ]


@pytest.mark.parametrize("shape", TASK_SHAPES)
def test_dump_keeps_null_ttl_ms_and_never_writes_null_optionals(shape: str) -> None:
    message = task_message(shape, ttlMs=None)
    for dumped in dumps(parse(shape, message)):
        assert dumped == message


def test_nested_dump_keeps_null_ttl_ms() -> None:
    params = task_message("TaskStatusNotificationParams", ttlMs=None)
    message = {"jsonrpc": "2.0", "method": "notifications/tasks", "params": params}
    for dumped in dumps(parse("TaskStatusNotification", message)):
        assert dumped["params"] == params


def test_dump_of_a_model_built_in_python_omits_unset_optionals() -> None:
    task = wire.Task(taskId="task-1", status="working", createdAt="a", lastUpdatedAt="b", ttlMs=None)
    expected = {"taskId": "task-1", "status": "working", "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": None}
    for dumped in dumps(task):
        assert dumped == expected
    assert task.status_message is None and task.poll_interval_ms is None


# ---------------------------------------------------------------- closed capability, wire names only


@pytest.mark.parametrize(
    ("text", "valid"),
    [("{}", True), ('{"x": {}}', False), ('{"x": 1}', False), ("[]", False), ("null", False), ("true", False)],
)
def test_tasks_extension_capability_is_only_the_empty_object(text: str, valid: bool) -> None:
    adapter = TypeAdapter(wire.TasksExtensionCapability)
    if valid:
        assert adapter.validate_json(text).model_dump(by_alias=True) == {}
    else:
        with pytest.raises(ValidationError):
            adapter.validate_json(text)


@pytest.mark.parametrize(
    ("wire_name", "attribute"), [("taskId", "task_id"), ("ttlMs", "ttl_ms"), ("createdAt", "created_at")]
)
def test_attribute_names_are_not_input_keys(wire_name: str, attribute: str) -> None:
    """In a message an attribute name is an unknown member; building in Python takes it (and the wire name)."""
    message = TASK | {attribute: TASK[wire_name]}
    assert not accepted("Task", without(message, wire_name))
    with pytest.raises(ValidationError):
        wire.Task.model_validate(without(message, wire_name))
    by_attribute = {snake(key): value for key, value in TASK.items()}
    for built in (wire.Task(**by_attribute), wire.Task(**TASK)):
        assert built == wire.Task.model_validate(TASK)
        assert built.model_dump() == TASK


def test_attribute_names_are_not_input_keys_in_nested_params(spec_yaml: dict[str, Any]) -> None:
    message = request("GetTaskRequest", spec_yaml, params={"task_id": "task-1"})
    assert not accepted("GetTaskRequest", message)


@pytest.mark.parametrize("union", ["SamplingMessageContentBlock", "ContentBlock"])
@pytest.mark.parametrize("stray", [{}, "text", "audio", None])
def test_a_member_named_like_the_tag_attribute_does_not_pick_the_variant(union: str, stray: Any) -> None:
    # Found by the agreement harness: pydantic's discriminator reads the attribute name (`type_`) before the wire
    # name (`type`), so the stray member chose the variant and the message was refused.
    block = {"type_": stray, "type": "image", "data": "", "mimeType": "image/png"}
    parsed = parse(union, block)
    assert isinstance(parsed, wire.ImageContent)
    assert TypeAdapter(getattr(wire, union)).dump_python(parsed, by_alias=True) == block
    assert not accepted(union, without(block, "type"))


# ---------------------------------------------------------------- constants


def test_constants_match_the_spec(spec_yaml: dict[str, Any]) -> None:
    expected: dict[str, object] = {}
    expected |= {c["name"]: c["value"] for c in spec_yaml["constants"]}
    expected |= {m["name"]: m["method"] for m in spec_yaml["methods"]}
    expected |= {n["name"]: n["method"] for n in spec_yaml["notifications"]}
    expected |= {e["name"]: e["code"] for e in spec_yaml["errors"]}
    expected |= {k["name"]: k["key"] for k in spec_yaml["meta_keys"]}
    assert {name: getattr(constants, name, None) for name in expected} == expected


def test_spec_names_the_extension_and_the_capability_error() -> None:
    assert constants.EXTENSION_ID == "io.modelcontextprotocol/tasks"
    assert constants.MISSING_REQUIRED_CLIENT_CAPABILITY == -32021


def test_status_lifecycle_matches_the_spec(spec_yaml: dict[str, Any]) -> None:
    machine = spec_yaml["state_machine"]
    statuses = list(spec_yaml["shapes"][machine["enum"]]["values"])
    assert frozenset(machine["terminal"]) == constants.TERMINAL_STATUSES
    assert frozenset(machine["initial"]) == constants.INITIAL_STATUSES
    for old, new in itertools.product([*statuses, "unknown"], repeat=2):
        allowed = new in machine["transitions"].get(old, [])
        assert constants.is_allowed_transition(old, new) is allowed, (old, new)


def test_every_member_description_is_visible_through_pydantic() -> None:
    """`model_fields[...].description` and pydantic's own JSON Schema carry the spec's description of every member."""
    from conftest import SPEC_DIR

    from codegen import ir
    from codegen.lower import load_spec

    spec = load_spec(SPEC_DIR)
    checked = 0
    for shape in spec.shapes:
        if not isinstance(shape, ir.ObjectShape):
            continue
        model = getattr(wire, shape.name)
        schema = model.model_json_schema(by_alias=True)
        for field in shape.fields:
            assert model.model_fields[field.py_name].description == field.description, (shape.name, field.wire_name)
            assert schema["properties"][field.wire_name]["description"] == field.description
            checked += 1
    assert checked > 200

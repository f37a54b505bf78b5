"""The seed page (the API of python-sdk's mcp.shared.tasks), bullet by bullet, against `mcp_ext_tasks`."""

from __future__ import annotations

import ast
import itertools
import json
import re
import subprocess
import sys
import typing
from pathlib import Path
from typing import Any

import mcp_types
import pytest
from pydantic import TypeAdapter, ValidationError

import mcp_ext_tasks
from mcp_ext_tasks import (
    EXTENSION_ID,
    CancelTaskRequest,
    CancelTaskRequestParams,
    CreateTaskResult,
    GetTaskRequest,
    GetTaskRequestParams,
    GetTaskResult,
    Task,
    TaskStatus,
    UpdateTaskRequest,
    UpdateTaskRequestParams,
    wire,
)

REPO = Path(__file__).resolve().parents[1]
SEED_PAGE = REPO.parent / "shared" / "seed" / "mcp-shared-tasks-api.txt"
SEED_NAMES = [
    "EXTENSION_ID",
    "TaskStatus",
    "Task",
    "CreateTaskResult",
    "GetTaskRequest",
    "CancelTaskRequest",
    "UpdateTaskRequest",
    "GetTaskResult",
    "GetTaskRequestParams",
    "CancelTaskRequestParams",
    "UpdateTaskRequestParams",
]
TASK_FIELDS = {
    "task_id": "taskId",
    "status": "status",
    "status_message": "statusMessage",
    "created_at": "createdAt",
    "last_updated_at": "lastUpdatedAt",
    "ttl_ms": "ttlMs",
    "poll_interval_ms": "pollIntervalMs",
}
WIRE_TASK = {
    "taskId": "t-1",
    "status": "working",
    "createdAt": "2026-11-24T10:00:00Z",
    "lastUpdatedAt": "2026-11-24T10:00:01Z",
}
DUMP = {"by_alias": True, "exclude_none": True}


def test_extension_id() -> None:
    assert EXTENSION_ID == "io.modelcontextprotocol/tasks"


def test_task_status_is_a_literal_of_the_five_statuses() -> None:
    assert typing.get_origin(TaskStatus) is typing.Literal
    assert typing.get_args(TaskStatus) == ("working", "input_required", "completed", "failed", "cancelled")


def test_every_name_of_the_seed_page_is_exported() -> None:
    names = set(SEED_NAMES)
    if SEED_PAGE.is_file():  # the page lists its names as lines followed by "module-attribute" or "Bases: ..."
        lines = SEED_PAGE.read_text(encoding="utf-8").splitlines()
        names |= {
            line for line, after in itertools.pairwise(lines)
            if re.fullmatch(r"[A-Za-z_]\w*", line) and (after == "module-attribute" or after.startswith("Bases:"))
        }  # fmt: skip
    assert names >= set(SEED_NAMES)
    assert names <= set(mcp_ext_tasks.__all__)
    for name in names:
        assert getattr(mcp_ext_tasks, name) is not None


@pytest.mark.parametrize("by", ["name", "alias"])
def test_task_populates_by_name_or_alias(by: str) -> None:
    values = {"task_id": "t-1", "status": "working", "created_at": "a", "last_updated_at": "b", "poll_interval_ms": 500}
    task = Task(**values) if by == "name" else Task(**{TASK_FIELDS[k]: v for k, v in values.items()})
    assert (task.task_id, task.poll_interval_ms, task.created_at) == ("t-1", 500, "a")


def test_task_fields_are_snake_case_with_camel_case_wire_names() -> None:
    task = Task(**WIRE_TASK, statusMessage="busy", ttlMs=60000, pollIntervalMs=500)
    assert task.model_dump(**DUMP).keys() == set(TASK_FIELDS.values())
    assert set(task.model_dump(exclude_none=True)) == set(TASK_FIELDS)


def test_ttl_ms_may_be_omitted_and_is_still_written_as_null() -> None:
    task = Task(task_id="t-1", status="working", created_at="a", last_updated_at="b")
    assert task.ttl_ms is None
    assert task.model_dump(**DUMP) == {
        "taskId": "t-1", "status": "working", "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": None,
    }  # fmt: skip
    assert json.loads(task.model_dump_json(**DUMP))["ttlMs"] is None


def test_optional_fields_left_unset_never_appear_not_even_as_null() -> None:
    task = Task(**WIRE_TASK)
    for dumped in (task.model_dump(by_alias=True), task.model_dump(**DUMP), json.loads(task.model_dump_json())):
        assert "statusMessage" not in dumped and "pollIntervalMs" not in dumped
        assert "status_message" not in dumped and "poll_interval_ms" not in dumped


def test_create_task_result_is_a_flat_mcp_types_result_with_result_type_task() -> None:
    assert issubclass(CreateTaskResult, mcp_types.Result)
    handle = CreateTaskResult(task_id="t-1", status="working", created_at="a", last_updated_at="b", poll_interval_ms=5)
    assert handle.result_type == "task"
    assert handle.model_dump(**DUMP) == {
        "resultType": "task", "taskId": "t-1", "status": "working", "createdAt": "a", "lastUpdatedAt": "b",
        "pollIntervalMs": 5, "ttlMs": None,
    }  # fmt: skip
    assert json.loads(handle.model_dump_json(**DUMP))["ttlMs"] is None
    with pytest.raises(ValidationError):
        CreateTaskResult(result_type="complete", task_id="t", status="working", created_at="a", last_updated_at="b")


@pytest.mark.parametrize(
    ("request_class", "params_class", "method"),
    [
        (GetTaskRequest, GetTaskRequestParams, "tasks/get"),
        (CancelTaskRequest, CancelTaskRequestParams, "tasks/cancel"),
        (UpdateTaskRequest, UpdateTaskRequestParams, "tasks/update"),
    ],
)
def test_requests_are_typed_mcp_types_requests(request_class: Any, params_class: Any, method: str) -> None:
    assert issubclass(request_class, mcp_types.Request)
    assert issubclass(params_class, mcp_types.RequestParams)
    assert request_class.name_param == "taskId"
    extra = {"input_responses": {}} if params_class is UpdateTaskRequestParams else {}
    params = params_class(task_id="t-1", _meta={"progressToken": "p"}, **extra)
    request = request_class(params=params)
    assert request.method == method
    dumped = request.model_dump(**DUMP)
    assert dumped["method"] == method
    assert dumped["params"]["taskId"] == "t-1" and dumped["params"]["_meta"]["progressToken"] == "p"
    with pytest.raises(ValidationError):
        request_class(method="tasks/other", params=params)


def test_update_request_carries_input_responses_as_input_responses_on_the_wire() -> None:
    responses = {"confirm-1": {"action": "accept", "content": {"ok": True}}}
    request = UpdateTaskRequest(params=UpdateTaskRequestParams(task_id="t-1", input_responses=responses))
    assert request.model_dump(**DUMP)["params"] == {"taskId": "t-1", "inputResponses": responses}
    parsed = UpdateTaskRequestParams.model_validate({"taskId": "t-1", "inputResponses": responses})
    assert parsed.input_responses == responses


def test_get_task_result_is_the_lenient_task_subclass() -> None:
    assert issubclass(GetTaskResult, Task)
    working = GetTaskResult.model_validate(WIRE_TASK)
    assert working.result_type == "complete"
    assert working.result is None and working.error is None


@pytest.mark.parametrize("is_error", [False, True])
def test_get_task_result_sets_result_when_completed(is_error: bool) -> None:
    tool_result = {"content": [{"type": "text", "text": "done"}], "isError": is_error}
    done = GetTaskResult.model_validate(
        {**WIRE_TASK, "status": "completed", "resultType": "complete", "result": tool_result}
    )
    assert done.result == tool_result and done.error is None


def test_get_task_result_sets_error_dict_when_failed() -> None:
    error = {"code": -32603, "message": "boom", "data": {"why": "disk"}}
    failed = GetTaskResult.model_validate({**WIRE_TASK, "status": "failed", "error": error})
    assert failed.error == error and failed.result is None


def test_get_task_result_keeps_input_requests_and_meta() -> None:
    requests = {"q1": {"method": "roots/list"}}
    meta = {"io.modelcontextprotocol/serverInfo": {"name": "s", "version": "1"}}
    snapshot = {**WIRE_TASK, "status": "input_required", "inputRequests": requests, "_meta": meta, "x-extra": [1]}
    parsed = GetTaskResult.model_validate(snapshot)
    assert parsed.input_requests == requests
    dumped = parsed.model_dump(**DUMP)
    assert dumped["inputRequests"] == requests and dumped["_meta"] == meta and dumped["x-extra"] == [1]


def _strict_get_task_results() -> list[str]:
    """Every GetTaskResult the strict model accepts among the examples, plus each with the optional fields dropped."""
    folders = [
        REPO / "spec" / "examples" / "GetTaskResult",
        REPO.parent / "shared" / "reference" / "ext-tasks" / "examples",
    ]
    texts = [
        f.read_text(encoding="utf-8")
        for folder in folders
        if folder.is_dir()
        for f in sorted(folder.glob("*.json"))
        if f.name.startswith(("valid", "GetTaskResult__valid"))
    ]
    adapter = TypeAdapter(wire.GetTaskResult)
    accepted = []
    for text in texts:
        for variant in (
            json.loads(text),
            {k: v for k, v in json.loads(text).items() if k not in ("_meta", "statusMessage", "pollIntervalMs")},
        ):
            try:
                adapter.validate_python(variant)
            except ValidationError:
                continue
            accepted.append(json.dumps(variant))
    return accepted


def test_the_lenient_model_accepts_everything_the_strict_one_accepts() -> None:
    accepted = _strict_get_task_results()
    assert len(accepted) >= 5
    strict = TypeAdapter(wire.GetTaskResult)
    for text in accepted:
        exact = strict.validate_json(text)
        lenient = GetTaskResult.model_validate_json(text)
        assert (lenient.task_id, lenient.status, lenient.ttl_ms) == (exact.task_id, exact.status, exact.ttl_ms)
        assert lenient.model_dump(**DUMP) == exact.model_dump(**DUMP) | {"resultType": "complete"}


def test_importing_the_package_defers_mcp_types_until_a_model_is_used() -> None:
    probe = "import sys, mcp_ext_tasks; print('mcp_types' in sys.modules, mcp_ext_tasks.EXTENSION_ID)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.split() == ["False", "io.modelcontextprotocol/tasks"]


def test_the_module_runs_on_mcp_types_and_pydantic_only() -> None:
    probe = (
        "import sys, mcp_ext_tasks; mcp_ext_tasks.GetTaskResult; print(sorted({m.split('.')[0] for m in sys.modules}))"
    )
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    loaded = ast.literal_eval(done.stdout)
    assert "mcp" not in loaded  # the SDK itself is not needed
    assert {"mcp_types", "pydantic"} <= set(loaded)


@pytest.mark.parametrize("name", ["Task", "CreateTaskResult", "GetTaskResult"])
def test_the_2025_11_25_shapes_of_mcp_types_are_not_used(name: str) -> None:
    ours = getattr(mcp_ext_tasks, name)
    legacy = getattr(mcp_types, name)
    assert ours is not legacy and legacy not in ours.__mro__
    fields = {info.alias or key for key, info in ours.model_fields.items()}
    assert "ttl" not in fields and "pollInterval" not in fields and "task" not in fields


def test_the_strict_twins_stay_reachable_under_wire() -> None:
    for name in (
        "Task",
        "CreateTaskResult",
        "GetTaskResult",
        "GetTaskRequest",
        "UpdateTaskRequest",
        "CancelTaskRequest",
    ):
        assert getattr(wire, name) is not getattr(mcp_ext_tasks, name)


@pytest.mark.parametrize(
    ("member", "value"),
    [("result", ""), ("error", "not an object"), ("inputRequests", [1, 2])],
)
def test_a_misfit_member_of_another_status_reads_as_absent_in_the_lenient_model(member: str, value: Any) -> None:
    snapshot = {**WIRE_TASK, "resultType": "complete", "ttlMs": 1, member: value}
    TypeAdapter(wire.GetTaskResult).validate_python(snapshot)  # open: the working variant takes any extra member
    lenient = GetTaskResult.model_validate(snapshot)
    assert (lenient.result, lenient.error, lenient.input_requests) == (None, None, None)


def test_a_member_of_its_own_status_is_still_checked() -> None:
    with pytest.raises(ValidationError):
        GetTaskResult.model_validate({**WIRE_TASK, "status": "completed", "result": ""})

"""Code written against the seed page (python-sdk's mcp.shared.tasks), type-checked with mypy --strict.

Imported by no test at run time: `nox -s typecheck` checks it, and test_typing.py runs it.
"""

from __future__ import annotations

from typing import Any, Literal

import mcp_types
from typing_extensions import assert_type

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


def capabilities() -> dict[str, dict[str, Any]]:
    return {EXTENSION_ID: {}}


def is_done(status: TaskStatus) -> bool:
    return status in ("completed", "failed", "cancelled")


def handle() -> CreateTaskResult:
    result = CreateTaskResult(task_id="t-1", status="working", created_at="now", last_updated_at="now")
    base: mcp_types.Result = result
    assert_type(result.result_type, Literal["task"])
    assert_type(result.ttl_ms, int | None)
    assert base is result
    return result


def requests(task_id: str) -> list[mcp_types.Request[Any, Any]]:
    get = GetTaskRequest(params=GetTaskRequestParams(task_id=task_id))
    cancel = CancelTaskRequest(params=CancelTaskRequestParams(task_id=task_id))
    update = UpdateTaskRequest(
        params=UpdateTaskRequestParams(task_id=task_id, input_responses={"q1": {"action": "decline"}})
    )
    assert_type(get.method, Literal["tasks/get"])
    assert_type(update.params.input_responses, dict[str, Any])
    name: str | None = GetTaskRequest.name_param
    assert name == "taskId"
    return [get, cancel, update]


def outcome(reply: dict[str, Any]) -> dict[str, Any] | None:
    snapshot = GetTaskResult.model_validate(reply)
    task: Task = snapshot
    assert_type(snapshot.result, dict[str, Any] | None)
    assert_type(snapshot.error, dict[str, Any] | None)
    assert_type(snapshot.status, TaskStatus)
    assert_type(task.poll_interval_ms, int | None)
    if snapshot.status == "failed":
        return snapshot.error
    return snapshot.result


def strict(reply: bytes) -> str:
    from pydantic import TypeAdapter

    exact = TypeAdapter(wire.GetTaskResult).validate_json(reply)
    if isinstance(exact, wire.GetCompletedTaskResult):
        return str(exact.result)
    return exact.status


if __name__ == "__main__":
    assert capabilities() == {"io.modelcontextprotocol/tasks": {}}
    assert not is_done("working")
    assert handle().model_dump(by_alias=True, exclude_none=True)["ttlMs"] is None
    assert [r.method for r in requests("t-1")] == ["tasks/get", "tasks/cancel", "tasks/update"]
    reply = {"taskId": "t", "status": "failed", "createdAt": "a", "lastUpdatedAt": "b", "error": {"code": 1}}
    assert outcome(reply) == {"code": 1}
    wire_reply = (
        b'{"resultType":"complete","taskId":"t","status":"working","createdAt":"a","lastUpdatedAt":"b","ttlMs":5}'
    )
    assert strict(wire_reply) == "working"

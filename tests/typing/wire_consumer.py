"""Code written against the strict wire models, type-checked with mypy --strict and pyright strict.

It builds messages by attribute name (as the type checkers offer them), reads absent members as None, and dumps
through a TypeAdapter. Imported by no test at run time: `nox -s typecheck` checks it, and test_typing.py runs it.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import TypeAdapter
from typing_extensions import assert_type

from mcp_ext_tasks import wire

SNAPSHOTS: TypeAdapter[wire.GetTaskResult] = TypeAdapter(wire.GetTaskResult)


def get_request(request_id: int, task_id: str) -> wire.GetTaskRequest:
    request = wire.GetTaskRequest(
        jsonrpc="2.0", id=request_id, method="tasks/get", params=wire.GetTaskRequestParams(task_id=task_id)
    )
    assert_type(request.params.task_id, str)
    return request


def answer(task_id: str, key: str, temperature: float) -> wire.UpdateTaskRequest:
    """A form answer with a fractional value: the TypeScript source allows it (a listed deviation)."""
    response = wire.ElicitResult(action="accept", content={"temperature": temperature, "confirm": True})
    params = wire.UpdateTaskRequestParams(task_id=task_id, input_responses={key: response})
    return wire.UpdateTaskRequest(jsonrpc="2.0", id=2, method="tasks/update", params=params)


def failed_snapshot(task_id: str) -> wire.GetFailedTaskResult:
    return wire.GetFailedTaskResult(
        result_type="complete",
        task_id=task_id,
        status="failed",
        created_at="2026-11-24T10:00:00Z",
        last_updated_at="2026-11-24T10:00:05Z",
        ttl_ms=None,
        status_message=None,  # None leaves out a member that may be omitted but not be null
        error=wire.Error(code=-32603, message="boom"),
    )


def error_data(reply: bytes) -> Any:
    """The data of a failed task's error: None when the server sent none (or sent null)."""
    snapshot = SNAPSHOTS.validate_json(reply)
    if isinstance(snapshot, wire.GetFailedTaskResult):
        assert_type(snapshot.status, Literal["failed"])
        if snapshot.error.data is not None:
            return snapshot.error.data
    return None


def outstanding(reply: bytes) -> list[str]:
    """The keys a task waits on: the status narrows the snapshot, so `input_requests` needs no check."""
    snapshot = SNAPSHOTS.validate_json(reply)
    if snapshot.status == "input_required":
        assert_type(snapshot, wire.GetInputRequiredTaskResult)
        return sorted(snapshot.input_requests)
    return []


def by_wire_name_is_a_type_error() -> wire.GetTaskRequestParams:
    # Wire names still work at run time, but type checkers offer (and insist on) the attribute names.
    return wire.GetTaskRequestParams(taskId="t")  # type: ignore[call-arg]  # pyright: ignore[reportCallIssue]


if __name__ == "__main__":
    assert get_request(7, "t-42").model_dump() == {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tasks/get",
        "params": {"taskId": "t-42"},
    }
    update = answer("t-42", "settings", 0.7)
    assert TypeAdapter(wire.UpdateTaskRequest).validate_json(update.model_dump_json()) == update
    snapshot = failed_snapshot("t-42")
    text = SNAPSHOTS.dump_json(snapshot, exclude_none=True)
    assert b'"ttlMs":null' in text and b"statusMessage" not in text and b'"data"' not in text
    assert error_data(text) is None
    assert error_data(text.replace(b'"message":"boom"', b'"message":"boom","data":{"retry":null}')) == {"retry": None}
    assert by_wire_name_is_a_type_error().task_id == "t"
    waiting = text.replace(b'"failed"', b'"input_required"').replace(b'"error"', b'"inputRequests"')
    waiting = waiting.replace(b'{"code":-32603,"message":"boom"}', b'{"ask":{"method":"roots/list"}}')
    assert outstanding(waiting) == ["ask"] and outstanding(text) == []

"""Code written against the msgspec fast path, type-checked with mypy --strict and pyright strict.

A proxy's view: decode a reply by shape name (a union) or by class, narrow it, read and change it, write it back.
Imported by no test at run time: `nox -s typecheck` checks it, and test_typing.py (and the packaging tests, on the
installed wheel with the `fast` extra) run it.
"""

from __future__ import annotations

from typing import Any, Literal

import msgspec
from typing_extensions import assert_type

from mcp_ext_tasks import fast

REPLY = (
    b'{"resultType": "complete", "taskId": "t-42", "status": "failed", "createdAt": "a", "lastUpdatedAt": "b",'
    b' "ttlMs": 60000.0, "error": {"code": -32603, "message": "boom", "data": null}, "x-proxy": {"hops": 2}}'
)


def error_of(reply: bytes) -> fast.Error | None:
    """The error of a failed task; None for the other statuses."""
    snapshot = fast.decoder("GetTaskResult").decode(reply)
    assert_type(snapshot, fast.GetTaskResult)
    if isinstance(snapshot, fast.GetFailedTaskResult):
        assert_type(snapshot.status, Literal["failed"])
        return snapshot.error
    return None


def retagged(reply: bytes, task_id: str) -> bytes:
    """The reply under another task id, every other member (the unknown ones too) as it came."""
    snapshot = fast.decoder("GetTaskResult").decode(reply)
    return fast.encode(msgspec.structs.replace(snapshot, task_id=task_id))


def poll_interval(reply: bytes) -> int | None:
    """The suggested poll interval of a created task, None when the server sent none."""
    created = fast.decoder(fast.CreateTaskResult).decode(reply)
    assert_type(created, fast.CreateTaskResult)
    interval = created.poll_interval_ms
    return None if interval is fast.UNSET else interval


def request(task_id: str) -> bytes:
    """A tasks/get request, built by attribute name."""
    message = fast.GetTaskRequest(
        jsonrpc="2.0", id=7, method="tasks/get", params=fast.GetTaskRequestParams(task_id=task_id)
    )
    return fast.encode(message)


def checked(reply: bytes) -> str:
    """Where a reply is wrong, or "ok"."""
    try:
        fast.decoder("GetTaskResult").decode(reply)
    except fast.ValidationError as error:
        return error.path
    return "ok"


def extras(reply: bytes) -> dict[str, Any]:
    """The members of a reply the shape does not name."""
    return fast.unknown_members(fast.decoder("GetTaskResult").decode(reply))


if __name__ == "__main__":
    error = error_of(REPLY)
    assert error is not None and error.message == "boom" and error.data is None
    assert msgspec.json.decode(retagged(REPLY, "t-43"))["x-proxy"] == {"hops": 2}
    assert msgspec.json.decode(retagged(REPLY, "t-43"))["ttlMs"] == 60000
    assert (
        poll_interval(
            b'{"resultType": "task", "taskId": "t", "status": "working", "createdAt": "a",'
            b' "lastUpdatedAt": "a", "ttlMs": null, "pollIntervalMs": 500}'
        )
        == 500
    )
    assert request("t-1") == b'{"jsonrpc":"2.0","id":7,"method":"tasks/get","params":{"taskId":"t-1"}}'
    assert checked(b'{"resultType": "complete", "taskId": 1}') == "$"
    assert extras(REPLY) == {"x-proxy": {"hops": 2}}

"""The seed-compatible models inside a real mcp 2.3 server and client, wired through the SDK's extension seams.

The server serves tasks/get, tasks/update and tasks/cancel with `mcp_ext_tasks` models (MethodBinding), turns
tools/call into tasks (intercept_tool_call) and pushes notifications/tasks; the client claims `resultType: "task"`
results (ResultClaim), sends the typed requests with `send_request` and receives notifications (NotificationBinding).
Everything runs in one process over the SDK's in-memory transport (JSON-RPC framing, no network). Every frame that
crosses is recorded as JSON and checked against the strict wire models.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any
from uuid import uuid4

import anyio
import pytest
from mcp.client import ClaimContext, Client, ClientExtension, NotificationBinding, ResultClaim
from mcp.client._memory import InMemoryTransport
from mcp.server.context import ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import MCPServer, require_client_extension
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolRequestParams, CallToolResult
from pydantic import TypeAdapter

import mcp_ext_tasks as tasks
from mcp_ext_tasks import wire

PROTOCOL = "2026-07-28"
TIMEOUT = 10.0
NOW = "2026-11-24T12:00:00Z"
CONFIRM_REQUEST = {
    "method": "elicitation/create",
    "params": {
        "message": "Book the trip?",
        "requestedSchema": {"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"]},
    },
}


# ---------------------------------------------------------------------------------------------------- the server
@dataclass
class TaskRecord:
    """A task as the server keeps it: the wire snapshot plus what its runner waits on."""

    snapshot: dict[str, Any]
    updated: anyio.Event = field(default_factory=anyio.Event)
    responses: dict[str, Any] = field(default_factory=dict)
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)


Runner = Callable[["TasksServer", TaskRecord, ServerRequestContext[Any, Any], Any], Awaitable[None]]


class TasksServer(Extension):
    """A server-side Tasks extension: every tool listed in `runners` answers tools/call with a task."""

    identifier = tasks.EXTENSION_ID

    def __init__(self, runners: dict[str, Runner]) -> None:
        self.runners = runners
        self.tasks: dict[str, TaskRecord] = {}
        self.task_group: anyio.abc.TaskGroup | None = None

    def methods(self) -> list[MethodBinding]:
        versions = frozenset({PROTOCOL})
        return [
            MethodBinding(tasks.GET_TASK_METHOD, tasks.GetTaskRequestParams, self.get, protocol_versions=versions),
            MethodBinding(
                tasks.UPDATE_TASK_METHOD, tasks.UpdateTaskRequestParams, self.update, protocol_versions=versions
            ),
            MethodBinding(
                tasks.CANCEL_TASK_METHOD, tasks.CancelTaskRequestParams, self.cancel, protocol_versions=versions
            ),
        ]

    def lookup(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> TaskRecord:
        require_client_extension(ctx, tasks.EXTENSION_ID)
        if task_id not in self.tasks:
            raise MCPError(tasks.INVALID_PARAMS, "Failed to retrieve task: Task not found", {"taskId": task_id})
        return self.tasks[task_id]

    async def move(self, record: TaskRecord, ctx: ServerRequestContext[Any, Any], **changes: Any) -> None:
        """Change a task's state and push the complete new state as notifications/tasks."""
        for key in ("inputRequests", "result", "error"):
            record.snapshot.pop(key, None)
        record.snapshot.update(changes, lastUpdatedAt=NOW)
        params = tasks.TaskStatusNotificationParams.model_validate(record.snapshot)
        await ctx.session.send_notification(tasks.TaskStatusNotification(params=params))

    async def intercept_tool_call(self, params: CallToolRequestParams, ctx: Any, call_next: Any) -> Any:
        runner = self.runners.get(params.name)
        capabilities = ctx.session.client_capabilities
        declared = capabilities is not None and tasks.EXTENSION_ID in (capabilities.extensions or {})
        if runner is None or not declared:
            return await call_next(ctx)
        handle = tasks.CreateTaskResult(
            task_id=uuid4().hex, status="working", created_at=NOW, last_updated_at=NOW, poll_interval_ms=5
        )
        record = TaskRecord(snapshot=handle.model_dump(by_alias=True, exclude_none=True, exclude={"result_type"}))
        self.tasks[handle.task_id] = record

        async def run() -> None:
            with record.scope:
                await runner(self, record, ctx, call_next)

        assert self.task_group is not None
        self.task_group.start_soon(run)
        return handle

    async def get(self, ctx: ServerRequestContext[Any, Any], params: tasks.GetTaskRequestParams) -> Any:
        return tasks.GetTaskResult.model_validate(self.lookup(ctx, params.task_id).snapshot)

    async def update(self, ctx: ServerRequestContext[Any, Any], params: tasks.UpdateTaskRequestParams) -> Any:
        record = self.lookup(ctx, params.task_id)
        outstanding = record.snapshot.get("inputRequests", {})
        record.responses.update({k: v for k, v in params.input_responses.items() if k in outstanding})
        record.updated.set()
        return tasks.UpdateTaskResult()

    async def cancel(self, ctx: ServerRequestContext[Any, Any], params: tasks.CancelTaskRequestParams) -> Any:
        record = self.lookup(ctx, params.task_id)
        if record.snapshot["status"] not in tasks.TERMINAL_STATUSES:
            record.scope.cancel()
            await self.move(record, ctx, status="cancelled", statusMessage="cancelled by the client")
        return tasks.CancelTaskResult()


async def ask_then_finish(server: TasksServer, record: TaskRecord, ctx: Any, call_next: Any) -> None:
    """working -> input_required -> (tasks/update) -> working -> completed with the tool's real result."""
    await server.move(record, ctx, status="input_required", inputRequests={"confirm-1": CONFIRM_REQUEST})
    await record.updated.wait()
    assert record.responses["confirm-1"]["action"] == "accept"
    await server.move(record, ctx, status="working")
    result: CallToolResult = await call_next(ctx)
    await server.move(record, ctx, status="completed", result=result.model_dump(by_alias=True, exclude_none=True))


async def fail(server: TasksServer, record: TaskRecord, ctx: Any, call_next: Any) -> None:
    """working -> failed with the JSON-RPC error the execution ended with."""
    error = {"code": tasks.INTERNAL_ERROR, "message": "backend unavailable", "data": {"retryAfterMs": 1000}}
    await server.move(record, ctx, status="failed", statusMessage="the booking backend is down", error=error)


async def run_forever(server: TasksServer, record: TaskRecord, ctx: Any, call_next: Any) -> None:
    await anyio.sleep_forever()


def build_server() -> tuple[MCPServer, TasksServer]:
    extension = TasksServer({"book_trip": ask_then_finish, "book_hotel": fail, "wait": run_forever})

    @asynccontextmanager
    async def lifespan(_: MCPServer) -> AsyncIterator[dict[str, Any]]:
        async with anyio.create_task_group() as task_group:
            extension.task_group = task_group
            yield {}
            task_group.cancel_scope.cancel()

    server = MCPServer("tasks-test-server", version="1.0.0", extensions=[extension], lifespan=lifespan)

    @server.tool()
    async def book_trip(city: str) -> str:
        return f"booked {city}"

    @server.tool()
    async def book_hotel(city: str) -> str:
        return f"hotel in {city}"

    @server.tool()
    async def wait() -> str:
        return "done"

    return server, extension


# ---------------------------------------------------------------------------------------------------- the client
class TasksClient(ClientExtension):
    """A client-side Tasks extension: claims task handles, records notifications/tasks."""

    identifier = tasks.EXTENSION_ID

    def __init__(self) -> None:
        self.received: list[tasks.TaskStatusNotificationParams] = []

    def claims(self) -> list[ResultClaim[Any]]:
        return [ResultClaim(result_type=tasks.RESULT_TYPE_TASK, model=tasks.CreateTaskResult, resolve=self.resolve)]

    def notifications(self) -> list[NotificationBinding[Any]]:
        return [
            NotificationBinding(
                method=tasks.TASK_STATUS_NOTIFICATION_METHOD,
                params_type=tasks.TaskStatusNotificationParams,
                handler=self.on_status,
            )
        ]

    async def on_status(self, params: tasks.TaskStatusNotificationParams) -> None:
        self.received.append(params)

    async def resolve(self, handle: tasks.CreateTaskResult, ctx: ClaimContext) -> CallToolResult:
        """What `Client.call_tool` does with a task handle: poll until terminal, answering input requests."""
        while True:
            snapshot = await get(ctx.session, handle.task_id)
            if snapshot.status == "completed":
                return CallToolResult.model_validate(snapshot.result)
            if snapshot.status == "input_required":
                responses = {
                    key: {"action": "accept", "content": {"ok": True}} for key in snapshot.input_requests or {}
                }
                await update(ctx.session, handle.task_id, responses)
            elif snapshot.status in tasks.TERMINAL_STATUSES:
                raise MCPError(-32603, f"task ended {snapshot.status}", snapshot.error)
            await anyio.sleep((snapshot.poll_interval_ms or 10) / 1000)


async def get(session: Any, task_id: str) -> tasks.GetTaskResult:
    request = tasks.GetTaskRequest(params=tasks.GetTaskRequestParams(task_id=task_id))
    result: tasks.GetTaskResult = await session.send_request(request, tasks.GetTaskResult)
    return result


async def update(session: Any, task_id: str, responses: dict[str, Any]) -> tasks.UpdateTaskResult:
    params = tasks.UpdateTaskRequestParams(task_id=task_id, input_responses=responses)
    result: tasks.UpdateTaskResult = await session.send_request(
        tasks.UpdateTaskRequest(params=params), tasks.UpdateTaskResult
    )
    return result


async def wait_for(session: Any, task_id: str, status: str) -> tasks.GetTaskResult:
    with anyio.fail_after(TIMEOUT):
        while (snapshot := await get(session, task_id)).status != status:
            await anyio.sleep(0.005)
    return snapshot


# ---------------------------------------------------------------------------------------------------- the wire
class RecordingTransport:
    """The SDK's InMemoryTransport, recording every JSON-RPC frame as the JSON a stream transport would send."""

    def __init__(self, server: MCPServer) -> None:
        self.inner = InMemoryTransport(server)
        self.frames: list[tuple[str, dict[str, Any]]] = []

    def record(self, direction: str, message: Any) -> None:
        self.frames.append((direction, json.loads(message.message.model_dump_json(by_alias=True, exclude_unset=True))))

    async def __aenter__(self) -> tuple[Any, Any]:
        read, write = await self.inner.__aenter__()
        recorder = self

        class Writer:
            async def send(self, message: Any) -> None:
                recorder.record("client->server", message)
                await write.send(message)

            async def __aenter__(self) -> Writer:
                return self

            async def __aexit__(self, *exc: object) -> None:
                await write.aclose()

        class Reader:
            def __aiter__(self) -> Reader:
                return self

            async def __anext__(self) -> Any:
                message = await read.__anext__()
                recorder.record("server->client", message)
                return message

            async def __aenter__(self) -> Reader:
                return self

            async def __aexit__(self, *exc: object) -> None:
                await read.aclose()

        return Reader(), Writer()

    async def __aexit__(self, *exc: Any) -> None:
        await self.inner.__aexit__(*exc)

    def results(self, request_method: str) -> list[dict[str, Any]]:
        """The `result` members answering requests of `request_method`."""
        ids = {f["id"] for d, f in self.frames if d == "client->server" and f.get("method") == request_method}
        return [f["result"] for d, f in self.frames if d == "server->client" and f.get("id") in ids and "result" in f]

    def messages(self, method: str) -> list[dict[str, Any]]:
        """Whole frames (requests or notifications) of `method`."""
        return [f for _, f in self.frames if f.get("method") == method]


@dataclass
class Session:
    client: Client
    transport: RecordingTransport
    extension: TasksClient
    server: TasksServer


@asynccontextmanager
async def connect(*, declare: bool = True) -> AsyncIterator[Session]:
    server, server_extension = build_server()
    transport = RecordingTransport(server)
    client_extension = TasksClient()
    extensions = [client_extension] if declare else []
    async with Client(transport, extensions=extensions) as client:  # type: ignore[arg-type]
        assert client.protocol_version == PROTOCOL
        yield Session(client, transport, client_extension, server_extension)


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        with anyio.fail_after(TIMEOUT * 2):
            await test()

    anyio.run(bounded)


# ---------------------------------------------------------------------------------------------------- the tests
def test_server_advertises_the_extension() -> None:
    async def scenario() -> None:
        async with connect() as s:
            assert (s.client.server_capabilities.extensions or {}).get(tasks.EXTENSION_ID) == {}

    run(scenario)


def test_task_goes_working_input_required_working_completed() -> None:
    async def scenario() -> None:
        async with connect() as s:
            handle = await s.client.session.call_tool("book_trip", {"city": "Lyon"}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)
            assert (handle.status, handle.result_type, handle.ttl_ms) == ("working", "task", None)

            waiting = await wait_for(s.client.session, handle.task_id, "input_required")
            assert waiting.input_requests == {"confirm-1": CONFIRM_REQUEST}
            assert waiting.result is None and waiting.error is None

            ack = await update(
                s.client.session, handle.task_id, {"confirm-1": {"action": "accept", "content": {"ok": True}}}
            )
            assert ack.result_type == "complete"

            done = await wait_for(s.client.session, handle.task_id, "completed")
            assert done.result is not None and done.error is None
            assert CallToolResult.model_validate(done.result).content[0].text == "booked Lyon"  # type: ignore[union-attr]
            statuses = [n.status for n in s.extension.received if n.task_id == handle.task_id]
            assert statuses == ["input_required", "working", "completed"]

    run(scenario)


def test_client_call_tool_resolves_the_task_through_the_claim() -> None:
    async def scenario() -> None:
        async with connect() as s:
            result = await s.client.call_tool("book_trip", {"city": "Porto"})
            assert isinstance(result, CallToolResult)
            assert result.content[0].text == "booked Porto"  # type: ignore[union-attr]

    run(scenario)


def test_failed_task_carries_the_json_rpc_error() -> None:
    async def scenario() -> None:
        async with connect() as s:
            handle = await s.client.session.call_tool("book_hotel", {"city": "Oslo"}, allow_claimed=True)
            failed = await wait_for(s.client.session, handle.task_id, "failed")
            assert failed.error == {"code": -32603, "message": "backend unavailable", "data": {"retryAfterMs": 1000}}
            assert failed.result is None
            assert failed.status_message == "the booking backend is down"
            strict = TypeAdapter(wire.GetTaskResult).validate_python(s.transport.results("tasks/get")[-1])
            assert isinstance(strict, wire.GetFailedTaskResult) and strict.error.code == -32603

    run(scenario)


def test_cancel_ends_the_task_cancelled() -> None:
    async def scenario() -> None:
        async with connect() as s:
            handle = await s.client.session.call_tool("wait", {}, allow_claimed=True)
            request = tasks.CancelTaskRequest(params=tasks.CancelTaskRequestParams(task_id=handle.task_id))
            ack = await s.client.session.send_request(request, tasks.CancelTaskResult)
            assert ack.result_type == "complete"
            cancelled = await wait_for(s.client.session, handle.task_id, "cancelled")
            assert cancelled.status_message == "cancelled by the client"
            assert s.extension.received[-1].status == "cancelled"

    run(scenario)


def test_unknown_task_id_is_answered_with_invalid_params() -> None:
    async def scenario() -> None:
        async with connect() as s:
            for send in (
                lambda: get(s.client.session, "no-such-task"),
                lambda: update(s.client.session, "no-such-task", {}),
            ):
                with pytest.raises(MCPError) as raised:
                    await send()
                assert raised.value.code == -32602

    run(scenario)


def test_client_without_the_extension_gets_missing_capability_and_plain_results() -> None:
    async def scenario() -> None:
        async with connect(declare=False) as s:
            result = await s.client.call_tool("book_trip", {"city": "Kyiv"})
            assert result.content[0].text == "booked Kyiv"  # type: ignore[union-attr]
            with pytest.raises(MCPError) as raised:
                await get(s.client.session, "anything")
            assert raised.value.code == tasks.MISSING_REQUIRED_CLIENT_CAPABILITY

    run(scenario)


def test_ttl_ms_null_survives_the_sdk_serialization_both_ways() -> None:
    async def scenario() -> None:
        async with connect() as s:
            handle = await s.client.session.call_tool("book_trip", {"city": "Rome"}, allow_claimed=True)
            await wait_for(s.client.session, handle.task_id, "input_required")
            # server -> client: the SDK dumps every result and notification with exclude_none=True.
            task_frames = [s.transport.results("tools/call")[0], *s.transport.results("tasks/get")]
            task_frames += [n["params"] for n in s.transport.messages("notifications/tasks")]
            assert task_frames and all("ttlMs" in f and f["ttlMs"] is None for f in task_frames)
            # client side: parsed as set-and-null, and written back as null by the same SDK-style dump.
            assert handle.ttl_ms is None and "ttl_ms" in handle.model_fields_set
            redumped = handle.model_dump(by_alias=True, mode="json", exclude_none=True)
            assert redumped["ttlMs"] is None
            # client -> server: the typed requests arrive exactly as the strict wire models describe them.
            for frame in s.transport.messages("tasks/get"):
                wire.GetTaskRequest.model_validate(frame)
                assert frame["params"]["taskId"] == handle.task_id

    run(scenario)


def test_every_task_frame_is_exact_under_the_strict_wire_models() -> None:
    async def scenario() -> None:
        async with connect() as s:
            await s.client.call_tool("book_trip", {"city": "Riga"})
            handle = await s.client.session.call_tool("book_hotel", {"city": "Graz"}, allow_claimed=True)
            await wait_for(s.client.session, handle.task_id, "failed")
        checks: list[tuple[Any, list[Any]]] = [
            (TypeAdapter(wire.CreateTaskResult), s.transport.results("tools/call")),
            (TypeAdapter(wire.GetTaskResult), s.transport.results("tasks/get")),
            (TypeAdapter(wire.UpdateTaskResult), s.transport.results("tasks/update")),
            (TypeAdapter(wire.GetTaskRequest), s.transport.messages("tasks/get")),
            (TypeAdapter(wire.UpdateTaskRequest), s.transport.messages("tasks/update")),
            (TypeAdapter(wire.TaskStatusNotification), s.transport.messages("notifications/tasks")),
        ]
        for adapter, frames in checks:
            assert frames
            for frame in frames:
                adapter.validate_python(frame)

    run(scenario)


@pytest.mark.xfail(
    strict=True,
    reason="mcp 2.3: on the direct in-process path (Client(server)) the connection has no outbound channel, so "
    "notifications sent after the tools/call response (the task's later states) are dropped; the stream "
    "transports deliver them",
)
def test_direct_dispatch_delivers_notifications_sent_after_the_response() -> None:
    async def scenario() -> None:
        server, _ = build_server()
        extension = TasksClient()
        async with Client(server, extensions=[extension]) as client:
            handle = await client.session.call_tool("book_hotel", {"city": "Bern"}, allow_claimed=True)
            await wait_for(client.session, handle.task_id, "failed")
            await anyio.sleep(0.05)
            assert [n.status for n in extension.received] == ["failed"]

    run(scenario)


def test_the_extension_does_not_apply_on_a_2025_11_25_connection() -> None:
    async def scenario() -> None:
        server, _ = build_server()
        async with Client(InMemoryTransport(server), mode="legacy", extensions=[TasksClient()]) as client:
            assert client.protocol_version != PROTOCOL
            with pytest.raises(MCPError) as raised:
                await get(client.session, "anything")
            assert raised.value.code == tasks.METHOD_NOT_FOUND

    run(scenario)

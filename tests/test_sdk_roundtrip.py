"""`mcp_ext_tasks.server` and `mcp_ext_tasks.client` together, in one process, on the released mcp SDK.

A real `MCPServer` with the `Tasks` extension and a real `Client` with `TasksClient` talk over the SDK's in-memory
transport (JSON-RPC framing, no network); every frame is recorded, and the task frames are checked against the
strict wire models. Nothing of the SDK is mocked. The same modules over streamable HTTP: tests/test_tasks_http.py.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass
from typing import Annotated, Any

import anyio
import pytest
from mcp.client import Client, ClientRequestContext
from mcp.client._memory import InMemoryTransport
from mcp.server.mcpserver import Context, Elicit, MCPServer, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from mcp_types import (
    CreateMessageRequestParams,
    CreateMessageResult,
    ElicitRequestParams,
    ElicitResult,
    ListRootsResult,
    Request,
    RequestParams,
    Root,
    SamplingMessage,
    TextContent,
)
from pydantic import BaseModel, ConfigDict, TypeAdapter

import mcp_ext_tasks as tasks
from mcp_ext_tasks import wire
from mcp_ext_tasks.client import (
    TaskCancelledError,
    TaskExpiredError,
    TaskFailedError,
    TasksClient,
    cancel_task,
    get_task,
    update_task,
    wait_for_task,
)
from mcp_ext_tasks.server import Tasks

TIMEOUT = 10.0
FAST_POLL_MS = 20


# ---------------------------------------------------------------------------------------------------- the server
class Confirmation(BaseModel):
    ok: bool


class Person(BaseModel):
    name: str


class Forecast(BaseModel):
    city: str
    celsius: float


def ask_name() -> Elicit[Person]:
    return Elicit("Who is travelling?", Person)


def build_server(
    *, ttl_ms: int | None = 60_000, lifespan: bool = True, poll_interval_ms: int = FAST_POLL_MS
) -> tuple[MCPServer, Tasks]:
    """A server with one tool per behaviour under test."""
    extension = Tasks(ttl_ms=ttl_ms, poll_interval_ms=poll_interval_ms)
    server = MCPServer(
        "tasks-test-server", version="1.0.0", extensions=[extension], lifespan=extension.lifespan if lifespan else None
    )

    @server.tool()
    @extension.tool("optional")
    async def book_trip(city: str, ctx: Context) -> str:
        answer = await ctx.elicit(f"Book the trip to {city}?", Confirmation)
        return f"booked {city}" if answer.action == "accept" and answer.data.ok else f"not booked: {city}"

    @server.tool()
    @extension.tool("required")
    async def two_questions(ctx: Context) -> str:
        answers: dict[str, str] = {}

        async def ask(which: str) -> None:
            answer = await ctx.elicit(f"{which}?", Person)
            answers[which] = answer.data.name if answer.action == "accept" else "-"

        async with anyio.create_task_group() as group:
            group.start_soon(ask, "first")
            group.start_soon(ask, "second")
        return f"{answers['first']} and {answers['second']}"

    @server.tool()
    @extension.tool("required")
    async def sample_and_roots(ctx: Context) -> str:
        message = SamplingMessage(role="user", content=TextContent(type="text", text="Say hi"))
        sampled = await ctx.session.create_message([message], max_tokens=5)
        roots = await ctx.session.list_roots()
        text = sampled.content.text if isinstance(sampled.content, TextContent) else "?"
        return f"{text} in {[str(root.uri) for root in roots.roots]}"

    @server.tool()
    @extension.tool("required")
    async def needs_name(person: Annotated[Person, Resolve(ask_name)]) -> str:
        return f"ticket for {person.name}"

    @server.tool()
    @extension.tool("optional")
    async def forecast(city: str) -> Forecast:
        return Forecast(city=city, celsius=21.5)

    @server.tool()
    @extension.tool("required")
    async def backend_down() -> str:
        raise MCPError(-32603, "backend unavailable", {"retryAfterMs": 1000})

    @server.tool()
    @extension.tool("optional")
    async def broken(city: str) -> str:
        raise ToolError(f"no route to {city}")

    @server.tool()
    @extension.tool("optional")
    async def wait_forever() -> str:
        await anyio.sleep_forever()
        return "never"

    @server.tool()
    async def plain(name: str) -> str:
        return f"plain {name}"

    return server, extension


# ---------------------------------------------------------------------------------------------------- the client
async def accept_elicitation(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    content: dict[str, str | int | float | bool | list[str] | None] = {"ok": True, "name": "Ada"}
    return ElicitResult(action="accept", content=content)


async def sample(context: ClientRequestContext, params: CreateMessageRequestParams) -> CreateMessageResult:
    return CreateMessageResult(role="assistant", content=TextContent(type="text", text="hi"), model="test-model")


async def roots(context: ClientRequestContext) -> ListRootsResult:
    return ListRootsResult(roots=[Root(uri="file:///trips")])  # type: ignore[arg-type]


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
    server: Tasks


@asynccontextmanager
async def connect(*, declare: bool = True, ttl_ms: int | None = 60_000) -> AsyncIterator[Session]:
    server, server_extension = build_server(ttl_ms=ttl_ms)
    transport = RecordingTransport(server)
    client_extension = TasksClient(poll_interval_ms=FAST_POLL_MS)
    async with Client(
        transport,  # type: ignore[arg-type]
        extensions=[client_extension] if declare else [],
        elicitation_callback=accept_elicitation,
        sampling_callback=sample,
        list_roots_callback=roots,
    ) as client:
        assert client.protocol_version == "2026-07-28"
        yield Session(client, transport, client_extension, server_extension)


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        with anyio.fail_after(TIMEOUT * 2):
            await test()

    anyio.run(bounded)


async def wait_for_status(client: Client, task_id: str, status: str) -> tasks.GetTaskResult:
    with anyio.fail_after(TIMEOUT):
        while (snapshot := await get_task(client, task_id)).status != status:
            await anyio.sleep(0.005)
    return snapshot


def text_of(result: Any) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


class RawParams(RequestParams):
    model_config = ConfigDict(extra="allow")


class RawRequest(Request[RawParams, str]):
    """Any request, to send what the typed helpers never would."""

    method: str
    params: RawParams


async def send_raw(client: Client, method: str, **params: Any) -> dict[str, Any]:
    result: dict[str, Any] = await client.session.send_request(
        RawRequest(method=method, params=RawParams(**params)), TypeAdapter(dict[str, Any])
    )
    return result


async def rpc_error(call: Awaitable[Any]) -> MCPError:
    with pytest.raises(MCPError) as raised:
        await call
    return raised.value


# ---------------------------------------------------------------------------------------------------- packaging
def test_importing_the_package_never_imports_mcp() -> None:
    code = (
        "import sys, mcp_ext_tasks, mcp_ext_tasks.wire, mcp_ext_tasks.typed, mcp_ext_tasks.constants\n"
        "from mcp_ext_tasks import GetTaskResult\n"
        "assert not [m for m in sys.modules if m == 'mcp' or m.startswith('mcp.')], 'mcp was imported'\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


# ---------------------------------------------------------------------------------------------------- lifecycle
def test_server_advertises_the_extension() -> None:
    async def scenario() -> None:
        async with connect() as s:
            assert (s.client.server_capabilities.extensions or {}).get(tasks.EXTENSION_ID) == {}

    run(scenario)


def test_call_tool_runs_a_task_through_an_input_round_to_its_result() -> None:
    async def scenario() -> None:
        async with connect() as s:
            result = await s.client.call_tool("book_trip", {"city": "Lyon"})
            assert text_of(result) == "booked Lyon" and not result.is_error
            created = s.transport.results("tools/call")[0]
            assert created["resultType"] == "task" and created["status"] == "working"
            assert created["ttlMs"] == 60_000 and created["pollIntervalMs"] == FAST_POLL_MS
            updates = s.transport.messages("tasks/update")
            assert [list(u["params"]["inputResponses"]) for u in updates] == [["elicitation-1"]]
            statuses = [n["params"]["status"] for n in s.transport.messages("notifications/tasks")]
            assert "input_required" in statuses and statuses[-1] == "completed"

    run(scenario)


def test_structured_results_pass_the_clients_output_schema_check() -> None:
    async def scenario() -> None:
        async with connect() as s:
            result = await s.client.call_tool("forecast", {"city": "Oslo"})
            assert result.structured_content == {"city": "Oslo", "celsius": 21.5}

    run(scenario)


@pytest.mark.filterwarnings("ignore:The (sampling|roots) capability is deprecated")
def test_sampling_and_roots_inside_a_task_go_through_the_clients_callbacks() -> None:
    async def scenario() -> None:
        async with connect() as s:
            result = await s.client.call_tool("sample_and_roots", {})
            assert text_of(result) == "hi in ['file:///trips']"
            requests = [r for t in s.transport.results("tasks/get") for r in t.get("inputRequests", {}).values()]
            assert {r["method"] for r in requests} == {"sampling/createMessage", "roots/list"}

    run(scenario)


def test_resolver_input_is_asked_synchronously_before_the_task_exists() -> None:
    async def scenario() -> None:
        async with connect() as s:
            result = await s.client.call_tool("needs_name", {})
            assert text_of(result) == "ticket for Ada"
            first, second = s.transport.results("tools/call")
            assert first["resultType"] == "input_required" and "taskId" not in first
            assert second["resultType"] == "task" and "requestState" not in second and "inputRequests" not in second

    run(scenario)


def test_a_tool_error_completes_the_task_with_is_error() -> None:
    async def scenario() -> None:
        async with connect() as s:
            result = await s.client.call_tool("broken", {"city": "Atlantis"})
            assert result.is_error and "no route to Atlantis" in text_of(result)
            last = s.transport.results("tasks/get")[-1]
            assert last["status"] == "completed" and last["result"]["isError"] is True

    run(scenario)


def test_a_protocol_error_fails_the_task_and_raises_it() -> None:
    async def scenario() -> None:
        async with connect() as s:
            with pytest.raises(TaskFailedError) as raised:
                await s.client.call_tool("backend_down", {})
            assert isinstance(raised.value, MCPError)
            assert (raised.value.code, raised.value.message, raised.value.data) == (
                -32603,
                "backend unavailable",
                {"retryAfterMs": 1000},
            )
            failed = TypeAdapter(wire.GetTaskResult).validate_python(s.transport.results("tasks/get")[-1])
            assert isinstance(failed, wire.GetFailedTaskResult) and failed.status_message == "backend unavailable"

    run(scenario)


def test_without_the_declaration_optional_tools_run_synchronously_and_required_ones_refuse() -> None:
    async def scenario() -> None:
        async with connect(declare=False) as s:
            assert text_of(await s.client.call_tool("broken", {"city": "x"})).endswith("no route to x")
            assert s.transport.results("tools/call")[0]["resultType"] == "complete"
            error = await rpc_error(s.client.call_tool("backend_down", {}))
            assert error.code == tasks.MISSING_REQUIRED_CLIENT_CAPABILITY
            assert error.data == {"requiredCapabilities": {"extensions": {tasks.EXTENSION_ID: {}}}}
            # tasks/* are gated before the task id is even looked at
            for send in (
                get_task(s.client, "no-such-task"),
                update_task(s.client, "no-such-task", {}),
                cancel_task(s.client, "no-such-task"),
            ):
                error = await rpc_error(send)
                assert error.code == tasks.MISSING_REQUIRED_CLIENT_CAPABILITY and error.data is not None

    run(scenario)


def test_forbidden_tools_never_become_tasks() -> None:
    async def scenario() -> None:
        async with connect() as s:
            assert text_of(await s.client.call_tool("plain", {"name": "x"})) == "plain x"
            assert s.transport.results("tools/call")[0]["resultType"] == "complete"

    run(scenario)


# ---------------------------------------------------------------------------------------------------- input
def test_partial_answers_keep_the_task_waiting_and_unknown_keys_are_ignored() -> None:
    async def scenario() -> None:
        async with connect() as s:
            handle = await s.client.session.call_tool("two_questions", {}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)
            with anyio.fail_after(TIMEOUT):
                while len((waiting := await get_task(s.client, handle.task_id)).input_requests or {}) < 2:
                    await anyio.sleep(0.005)
            first, second = waiting.input_requests or {}
            # unknown keys, even with values that are no input response at all, are acknowledged and ignored
            await update_task(s.client, handle.task_id, {"unknown-key": {"ignored": True}})
            error = await rpc_error(update_task(s.client, handle.task_id, {first: {"action": "maybe"}}))
            assert error.code == -32602 and first in error.message and "elicitation/create" in error.message
            await update_task(s.client, handle.task_id, {first: {"action": "accept", "content": {"name": "Ann"}}})
            after = await get_task(s.client, handle.task_id)
            assert after.status == "input_required" and list(after.input_requests or {}) == [second]
            # an answered key stays answered: sending it again changes nothing
            await update_task(s.client, handle.task_id, {first: {"action": "accept", "content": {"name": "Bob"}}})
            await update_task(s.client, handle.task_id, {second: {"action": "accept", "content": {"name": "Cy"}}})
            done = await wait_for_status(s.client, handle.task_id, "completed")
            assert done.result is not None and done.result["content"][0]["text"] == "Ann and Cy"

    run(scenario)


def test_a_declined_input_request_cancels_the_task_and_raises() -> None:
    async def refuse(context: ClientRequestContext, params: ElicitRequestParams) -> Any:
        from mcp_types import ErrorData

        return ErrorData(code=-32600, message="the user closed the dialog")

    async def scenario() -> None:
        server, _ = build_server()
        async with Client(
            InMemoryTransport(server),
            extensions=[TasksClient(poll_interval_ms=FAST_POLL_MS)],
            elicitation_callback=refuse,
        ) as client:
            handle = await client.session.call_tool("book_trip", {"city": "Rome"}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)
            error = await rpc_error(wait_for_task(client, handle.task_id))
            assert error.message == "the user closed the dialog"
            assert (await get_task(client, handle.task_id)).status == "cancelled"

    run(scenario)


# ---------------------------------------------------------------------------------------------------- cancel
def test_cancelling_the_awaiting_code_cancels_the_task() -> None:
    async def scenario() -> None:
        async with connect() as s:
            with anyio.move_on_after(0.3):
                await s.client.call_tool("wait_forever", {})
            task_id = s.transport.results("tools/call")[0]["taskId"]
            assert [c["params"]["taskId"] for c in s.transport.messages("tasks/cancel")] == [task_id]
            cancelled = await get_task(s.client, task_id)
            assert cancelled.status == "cancelled" and cancelled.status_message == "Cancelled by the client"

    run(scenario)


def test_a_task_cancelled_elsewhere_raises_task_cancelled() -> None:
    async def scenario() -> None:
        async with connect() as s:
            handle = await s.client.session.call_tool("wait_forever", {}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)

            async def cancel_soon() -> None:
                await anyio.sleep(0.1)
                await cancel_task(s.client, handle.task_id)

            async with anyio.create_task_group() as group:
                group.start_soon(cancel_soon)
                with pytest.raises(TaskCancelledError) as raised:
                    await s.extension.wait_for_task(s.client, handle.task_id)
            assert raised.value.task_id == handle.task_id

    run(scenario)


def test_cancel_races_answers_and_repeats_harmlessly() -> None:
    async def scenario() -> None:
        async with connect() as s:
            handle = await s.client.session.call_tool("two_questions", {}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)
            waiting = await wait_for_status(s.client, handle.task_id, "input_required")
            key = next(iter(waiting.input_requests or {}))
            answer = {key: {"action": "accept", "content": {"name": "Ann"}}}
            acks = []
            async with anyio.create_task_group() as group:
                for send in (
                    lambda: cancel_task(s.client, handle.task_id),
                    lambda: update_task(s.client, handle.task_id, answer),
                    lambda: cancel_task(s.client, handle.task_id),
                ):

                    async def call(send: Callable[[], Awaitable[Any]] = send) -> None:
                        acks.append(await send())

                    group.start_soon(call)
            assert len(acks) == 3 and all(ack.result_type == "complete" for ack in acks)
            final = await get_task(s.client, handle.task_id)
            assert final.status == "cancelled" and final.input_requests is None
            # a finished task: cancel is an empty ack, update is ignored
            assert (await cancel_task(s.client, handle.task_id)).result_type == "complete"
            assert (await update_task(s.client, handle.task_id, answer)).result_type == "complete"
            assert (await get_task(s.client, handle.task_id)).status == "cancelled"
            ack = s.transport.results("tasks/cancel")[-1]
            assert set(ack) <= {"resultType", "_meta"}

    run(scenario)


# ---------------------------------------------------------------------------------------------------- ttl
def test_an_expired_task_is_gone_and_the_wait_says_so() -> None:
    async def scenario() -> None:
        async with connect(ttl_ms=300) as s:
            with pytest.raises(TaskExpiredError) as raised:
                await s.client.call_tool("wait_forever", {})
            assert raised.value.code == -32602 and "expired" in raised.value.message
            task_id = raised.value.task_id
            error = await rpc_error(get_task(s.client, task_id))
            assert error.code == -32602 and error.data == {"taskId": task_id}
            assert len(s.server.store) == 0  # type: ignore[arg-type]

    run(scenario)


def test_tasks_still_running_when_the_server_stops_end_failed() -> None:
    async def scenario() -> None:
        server, extension = build_server()
        async with Client(InMemoryTransport(server), extensions=[TasksClient()]) as client:
            handle = await client.session.call_tool("wait_forever", {}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)
        state = await extension.store.get(handle.task_id)
        assert state is not None and state.status == "failed"
        assert state.error == {"code": -32603, "message": "The server stopped before the task finished"}

    run(scenario)


# ---------------------------------------------------------------------------------------------------- errors
def test_unknown_task_ids_are_invalid_params() -> None:
    async def scenario() -> None:
        async with connect() as s:
            for send in (
                get_task(s.client, "no-such-task"),
                update_task(s.client, "no-such-task", {}),
                cancel_task(s.client, "no-such-task"),
            ):
                error = await rpc_error(send)
                assert error.code == -32602 and "not found" in error.message

    run(scenario)


def test_malformed_params_are_invalid_params_that_say_what_is_wrong() -> None:
    async def scenario() -> None:
        async with connect() as s:
            cases = [
                ("tasks/get", {}, "taskId: Field required"),
                ("tasks/get", {"taskId": 42}, "taskId: Input should be a valid string"),
                ("tasks/cancel", {"taskId": ["t"]}, "taskId: Input should be a valid string"),
                ("tasks/update", {"taskId": "t"}, "inputResponses must be an object"),
                ("tasks/update", {"taskId": "t", "inputResponses": []}, "inputResponses must be an object"),
                ("tasks/update", {"inputResponses": {}}, "taskId: Field required"),
            ]
            for method, params, expected in cases:
                error = await rpc_error(send_raw(s.client, method, **params))
                assert error.code == -32602, (method, params, error)
                assert error.message.startswith(f"Invalid params for {method}: ") and expected in error.message
            # the server still serves tasks afterwards
            assert text_of(await s.client.call_tool("book_trip", {"city": "Nice"})) == "booked Nice"

    run(scenario)


def test_removed_methods_are_method_not_found() -> None:
    async def scenario() -> None:
        async with connect() as s:
            for method in ("tasks/result", "tasks/list"):
                error = await rpc_error(send_raw(s.client, method, taskId="t"))
                assert error.code == tasks.METHOD_NOT_FOUND and "SEP-2663" in error.message

    run(scenario)


def test_a_server_built_without_the_lifespan_refuses_tasks_clearly() -> None:
    async def scenario() -> None:
        server, _ = build_server(lifespan=False)
        async with Client(InMemoryTransport(server), extensions=[TasksClient()]) as client:
            error = await rpc_error(client.call_tool("wait_forever", {}))
            assert error.code == tasks.INTERNAL_ERROR and "cannot run tasks" in error.message
            assert text_of(await client.call_tool("plain", {"name": "y"})) == "plain y"

    run(scenario)


def test_wrap_lifespan_keeps_the_servers_own_state_and_unknown_tool_names_are_reported(
    caplog: pytest.LogCaptureFixture,
) -> None:
    extension = Tasks(tools={"count": "required", "cuont": "optional"})
    with pytest.raises(ValueError, match="one of forbidden, optional, required"):
        extension.support("count", "sometimes")  # type: ignore[arg-type]

    @asynccontextmanager
    async def own_lifespan(server: MCPServer[dict[str, int]]) -> AsyncIterator[dict[str, int]]:
        yield {"answer": 42}

    server = MCPServer("wrapped", extensions=[extension], lifespan=extension.wrap_lifespan(own_lifespan))

    @server.tool()
    async def count(ctx: Context) -> int:
        state: dict[str, int] = ctx.request_context.lifespan_context
        return state["answer"]

    async def scenario() -> None:
        async with Client(InMemoryTransport(server), extensions=[TasksClient(poll_interval_ms=FAST_POLL_MS)]) as client:
            assert (await client.call_tool("count", {})).structured_content == {"result": 42}

    run(scenario)
    assert "task support set for tools the server does not have: cuont" in caplog.text


def test_the_extension_does_not_apply_on_a_2025_11_25_connection() -> None:
    async def scenario() -> None:
        server, _ = build_server()
        async with Client(InMemoryTransport(server), mode="legacy", extensions=[TasksClient()]) as client:
            assert client.protocol_version != "2026-07-28"
            error = await rpc_error(get_task(client, "anything"))
            assert error.code == tasks.METHOD_NOT_FOUND
            error = await rpc_error(client.call_tool("backend_down", {}))
            assert error.code == tasks.MISSING_REQUIRED_CLIENT_CAPABILITY
            assert text_of(await client.call_tool("broken", {"city": "z"})).endswith("no route to z")

    run(scenario)


# ---------------------------------------------------------------------------------------------------- the wire
def test_every_task_frame_is_exact_under_the_strict_wire_models() -> None:
    async def scenario() -> None:
        async with connect() as s:
            await s.client.call_tool("book_trip", {"city": "Riga"})
            with pytest.raises(TaskFailedError):
                await s.client.call_tool("backend_down", {})
            with anyio.move_on_after(0.2):
                await s.client.call_tool("wait_forever", {})
        checks: list[tuple[Any, list[Any]]] = [
            (TypeAdapter(wire.CreateTaskResult), s.transport.results("tools/call")),
            (TypeAdapter(wire.GetTaskResult), s.transport.results("tasks/get")),
            (TypeAdapter(wire.UpdateTaskResult), s.transport.results("tasks/update")),
            (TypeAdapter(wire.CancelTaskResult), s.transport.results("tasks/cancel")),
            (TypeAdapter(wire.GetTaskRequest), s.transport.messages("tasks/get")),
            (TypeAdapter(wire.UpdateTaskRequest), s.transport.messages("tasks/update")),
            (TypeAdapter(wire.CancelTaskRequest), s.transport.messages("tasks/cancel")),
            (TypeAdapter(wire.TaskStatusNotification), s.transport.messages("notifications/tasks")),
        ]
        for adapter, frames in checks:
            assert frames
            for frame in frames:
                adapter.validate_python(frame)
        for created in s.transport.results("tools/call"):
            assert not {"result", "error", "inputRequests", "requestState"} & set(created)

    run(scenario)


def test_notifications_wake_the_wait_long_before_the_poll_interval() -> None:
    async def scenario() -> None:
        server, _ = build_server(poll_interval_ms=30_000)
        async with Client(
            InMemoryTransport(server), extensions=[TasksClient()], elicitation_callback=accept_elicitation
        ) as client:
            started = anyio.current_time()
            assert text_of(await client.call_tool("book_trip", {"city": "Vigo"})) == "booked Vigo"
            assert anyio.current_time() - started < 5  # two polls 30 s apart without the notifications

    run(scenario)


@pytest.mark.parametrize("path", ["in-memory transport", "direct in-process"])
def test_notifications_reach_the_client_after_the_tools_call_response(path: str) -> None:
    async def scenario() -> None:
        server, _ = build_server()
        extension = TasksClient(poll_interval_ms=FAST_POLL_MS)
        target: Any = InMemoryTransport(server) if path == "in-memory transport" else server
        received: list[str] = []
        original = extension._on_status

        async def record(params: tasks.TaskStatusNotificationParams) -> None:
            received.append(params.status)
            await original(params)

        extension._on_status = record  # type: ignore[method-assign]
        async with Client(target, extensions=[extension], elicitation_callback=accept_elicitation) as client:
            assert text_of(await client.call_tool("book_trip", {"city": "Bern"})) == "booked Bern"
            await anyio.sleep(0.05)
        assert "input_required" in received and "completed" in received

    run(scenario)

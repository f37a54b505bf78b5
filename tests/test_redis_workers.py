"""Two workers sharing tasks through Redis: two processes of examples/conformance_server.py over streamable HTTP on
one throwaway redis-server. A task started on worker A is read, answered and cancelled through worker B; a killed
worker's task ends failed once its lease expires. Plus what the contract suite cannot see: the records in Redis.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import ExitStack, asynccontextmanager
from typing import Any

import anyio
import pytest
from conftest import REPO
from mcp.client import Client
from mcp.client._memory import InMemoryTransport
from mcp.server.mcpserver import MCPServer
from mcp.shared.exceptions import MCPError
from services import free_port, redis_server_command, running

import mcp_ext_tasks as tasks
from mcp_ext_tasks.client import TasksClient, cancel_task, get_task, update_task
from mcp_ext_tasks.server import Tasks
from mcp_ext_tasks.store import TaskRecordInvalid, TaskState, TransitionRefused

redis = pytest.importorskip("redis.asyncio", reason="the redis extra is not installed")
from mcp_ext_tasks.redis_store import RedisTaskStore  # noqa: E402

SERVER = REPO / "examples" / "conformance_server.py"
TIMEOUT = 15.0
LEASE_MS = 600


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        with anyio.fail_after(TIMEOUT * 2):
            await test()

    anyio.run(bounded)


def worker(store_url: str, stack: ExitStack) -> tuple[str, subprocess.Popen[Any]]:
    port = free_port()
    command = [sys.executable, str(SERVER), "--port", str(port), "--store", store_url]
    process = stack.enter_context(running(command, port, f"worker on port {port}"))
    return f"http://127.0.0.1:{port}/mcp", process


@pytest.fixture(scope="module")
def workers(redis_url: str) -> Iterator[tuple[str, str, subprocess.Popen[Any], str]]:
    """Workers A and B on one Redis (short leases, a key prefix of their own); A's process; the store URL."""
    store_url = f"{redis_url}?prefix=workers&lease_ms={LEASE_MS}"
    with ExitStack() as stack:
        url_a, process_a = worker(store_url, stack)
        url_b, _ = worker(store_url, stack)
        yield url_a, url_b, process_a, store_url


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[Client]:
    async with Client(url, extensions=[TasksClient()]) as client:
        yield client


async def wait_for_status(client: Client, task_id: str, *statuses: str) -> tasks.GetTaskResult:
    with anyio.fail_after(TIMEOUT):
        while (snapshot := await get_task(client, task_id)).status not in statuses:
            await anyio.sleep(0.02)
    return snapshot


def test_a_task_started_on_a_is_read_answered_and_cancelled_through_b(
    workers: tuple[str, str, subprocess.Popen[Any], str],
) -> None:
    url_a, url_b, _, _ = workers

    async def scenario() -> None:
        async with connect(url_a) as a, connect(url_b) as b:
            handle = await a.session.call_tool("confirm_delete", {"filename": "x.txt"}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)
            waiting = await wait_for_status(b, handle.task_id, "input_required")  # read on B
            (key, request), *_ = (waiting.input_requests or {}).items()
            assert request["method"] == "elicitation/create"
            await update_task(b, handle.task_id, {key: {"action": "accept", "content": {"confirm": True}}})
            done = await wait_for_status(a, handle.task_id, "completed")  # the tool resumed on A
            assert done.result is not None and done.result["content"][0]["text"] == "deleted x.txt"

            slow = await a.session.call_tool("slow_compute", {"seconds": 60}, allow_claimed=True)
            assert isinstance(slow, tasks.CreateTaskResult)
            assert (await get_task(b, slow.task_id)).status == "working"
            started = time.monotonic()
            await cancel_task(b, slow.task_id)
            assert (await get_task(a, slow.task_id)).status == "cancelled"
            # A stopped the tool: its lease is released at once and the task stays cancelled.
            await anyio.sleep(0.3)
            assert (await get_task(a, slow.task_id)).status == "cancelled"
            assert time.monotonic() - started < 5

    run(scenario)


def test_a_killed_workers_task_ends_failed(workers: tuple[str, str, subprocess.Popen[Any], str]) -> None:
    url_a, url_b, process_a, _ = workers

    async def scenario() -> None:
        async with connect(url_b) as b:
            async with connect(url_a) as a:
                handle = await a.session.call_tool("slow_compute", {"seconds": 60}, allow_claimed=True)
                assert isinstance(handle, tasks.CreateTaskResult)
            process_a.kill()  # SIGKILL: no chance to settle its tasks
            process_a.wait()
            started = time.monotonic()
            failed = await wait_for_status(b, handle.task_id, "failed")
            assert failed.error is not None and "stopped" in failed.error["message"]
            assert time.monotonic() - started < LEASE_MS / 1000 * 4

    run(scenario)


def test_a_cancel_sent_to_b_stops_the_tool_running_on_a(redis_url: str) -> None:
    """In one process, so that the tool itself can say it was stopped: two servers, two stores, one Redis."""
    stopped = anyio.Event()

    def server(name: str) -> MCPServer:
        extension = Tasks(tools={"hold": "required"}, store=f"{redis_url}?prefix=inproc-{id(stopped)}")
        mcp = MCPServer(name, extensions=[extension], lifespan=extension.lifespan)

        @mcp.tool()
        async def hold() -> str:
            try:
                await anyio.sleep_forever()
            finally:
                stopped.set()
            return "never"

        return mcp

    async def scenario() -> None:
        transports = (InMemoryTransport(server("A")), InMemoryTransport(server("B")))
        async with (
            Client(transports[0], extensions=[TasksClient()]) as a,  # type: ignore[arg-type]
            Client(transports[1], extensions=[TasksClient()]) as b,  # type: ignore[arg-type]
        ):
            handle = await a.session.call_tool("hold", {}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult)
            assert (await get_task(b, handle.task_id)).status == "working"
            await cancel_task(b, handle.task_id)
            with anyio.fail_after(2):
                await stopped.wait()  # woken through Redis pub/sub, A's scope cancelled the tool
            assert (await get_task(a, handle.task_id)).status == "cancelled"

    run(scenario)


def test_a_worker_rides_out_a_redis_outage(redis_url: str) -> None:
    """Redis stops under a running task and comes back empty: requests fail meanwhile, the worker does not."""
    port = free_port()
    command = redis_server_command(port)
    assert command is not None
    stopped = anyio.Event()
    extension = Tasks(tools={"hold": "required"}, store=f"redis://127.0.0.1:{port}/0?lease_ms=300")
    mcp = MCPServer("outage", extensions=[extension], lifespan=extension.lifespan)

    @mcp.tool()
    async def hold() -> str:
        try:
            await anyio.sleep_forever()
        finally:
            stopped.set()
        return "never"

    async def scenario() -> None:
        with ExitStack() as first_redis:
            first_redis.enter_context(running(command, port, "redis-server"))
            async with Client(InMemoryTransport(mcp), extensions=[TasksClient()]) as client:  # type: ignore[arg-type]
                handle = await client.session.call_tool("hold", {}, allow_claimed=True)
                assert isinstance(handle, tasks.CreateTaskResult)
                first_redis.close()  # stopped by its pid
                with pytest.raises(MCPError):
                    await get_task(client, handle.task_id)
                with running(command, port, "redis-server"):  # back, without the task
                    with anyio.fail_after(5):
                        await stopped.wait()  # the task is gone: its tool was stopped
                    again = await client.session.call_tool("hold", {}, allow_claimed=True)
                    assert isinstance(again, tasks.CreateTaskResult)
                    assert (await get_task(client, again.task_id)).status == "working"

    run(scenario)


# ---------------------------------------------------------------------------------------------- the records
@asynccontextmanager
async def store_on(redis_url: str, prefix: str | None = None, **options: Any) -> AsyncIterator[RedisTaskStore]:
    store = RedisTaskStore.from_url(redis_url, prefix=prefix or f"records-{time.monotonic_ns()}", **options)
    try:
        yield store
    finally:
        await store.aclose()


def new_task(task_id: str = "t1", ttl_ms: int | None = 60_000) -> TaskState:
    now = time.time()
    return TaskState(task_id=task_id, status="working", created_at=now, last_updated_at=now, ttl_ms=ttl_ms)


def test_bad_or_foreign_records_are_an_error_of_that_task_only(redis_url: str) -> None:
    async def scenario() -> None:
        async with store_on(redis_url) as store:
            await store.create(new_task("good"))
            await store.client.set(store.key("string"), json.dumps({"status": "working"}))  # another tool's key
            await store.client.hset(store.key("old"), mapping={"v": "0", "status": "working"})  # an older format
            await store.create(new_task("cut"))
            await store.client.hdel(store.key("cut"), "created_at")  # truncated
            await store.create(new_task("junk"))
            await store.client.hset(store.key("junk"), "result", "{not json")
            await store.client.hset(store.key("junk"), "status", "completed")
            for task_id, why in [
                ("string", "WRONGTYPE"),
                ("old", "record format '0'"),
                ("cut", "created_at"),
                ("junk", "malformed"),
            ]:
                with pytest.raises(TaskRecordInvalid, match=why):
                    await store.get(task_id)
            for task_id, why in [("string", "not a task record"), ("old", "record format 0"), ("cut", "incomplete")]:
                with pytest.raises(TaskRecordInvalid, match=why):
                    await store.transition(task_id, "cancelled")
                with pytest.raises(TaskRecordInvalid):
                    await store.answer_input(task_id, {"k": {"action": "decline"}})
            assert (await store.get("good")) is not None
            assert (await store.transition("good", "cancelled")).status == "cancelled"

    run(scenario)


def test_a_bad_record_answers_tasks_get_with_an_error_and_the_worker_goes_on(
    workers: tuple[str, str, subprocess.Popen[Any], str],
) -> None:
    _, url_b, _, store_url = workers

    async def scenario() -> None:
        store = RedisTaskStore.from_url(store_url)
        try:
            await store.client.hset(store.key("broken"), mapping={"v": "9", "status": "working"})
        finally:
            await store.aclose()
        async with connect(url_b) as b:
            with pytest.raises(Exception, match="cannot be read: record format '9'") as raised:
                await get_task(b, "broken")
            assert getattr(raised.value, "code", None) == tasks.INTERNAL_ERROR
            assert (await b.call_tool("greet", {"name": "B"})).is_error is False

    run(scenario)


def test_a_client_without_decoded_responses_and_binary_junk(redis_url: str) -> None:
    async def scenario() -> None:
        client = redis.Redis.from_url(redis_url)  # replies as bytes
        prefix = f"bytes-{time.monotonic_ns()}"
        store = RedisTaskStore(client, prefix=prefix)
        try:
            await store.create(new_task("b"))
            request = {"method": "roots/list", "params": {}}
            await store.request_input("b", {"k": request})
            await store.answer_input("b", {"k": {"roots": []}})
            taken, state = await store.take_responses("b", ["k"])
            assert taken == {"k": {"roots": []}} and state.status == "working"
            await client.hset(store.key("bin"), mapping={"v": b"\xff\xfe", "status": "working"})
            with pytest.raises(TaskRecordInvalid, match="record format"):
                await store.get("bin")
        finally:
            await client.aclose()
        async with store_on(redis_url, prefix) as decoding:  # the same keys, read as text
            with pytest.raises(TaskRecordInvalid):
                await decoding.get("bin")
            assert (await decoding.get("b")) is not None

    run(scenario)


def test_ttl_is_key_expiry_and_concurrent_update_and_cancel_stay_legal(redis_url: str) -> None:
    async def scenario() -> None:
        async with store_on(redis_url) as store:
            await store.create(new_task("short", ttl_ms=5_000))
            pttl = await store.client.pttl(store.key("short"))
            assert 4_000 < pttl <= 5_000
            await store.create(new_task("forever", ttl_ms=None))
            assert await store.client.pttl(store.key("forever")) == -1

            request = {"method": "elicitation/create", "params": {"message": "?", "requestedSchema": {}}}
            outcomes: list[str] = []
            for n in range(30):
                task_id = f"race-{n}"
                await store.create(new_task(task_id))
                await store.request_input(task_id, {"k": request})

                async def answer(task_id: str = task_id) -> None:
                    await store.answer_input(task_id, {"k": {"action": "accept", "content": {}}})

                async def cancel(task_id: str = task_id) -> None:
                    try:
                        await store.transition(task_id, "cancelled")
                    except TransitionRefused:
                        outcomes.append("refused")

                async with anyio.create_task_group() as group:
                    group.start_soon(answer)
                    group.start_soon(cancel)
                final = await store.get(task_id)
                assert final is not None and final.status == "cancelled"  # terminal, whichever came first
                assert final.input_requests == {}
                # Either the answer came first (and was recorded) or the cancel did (and the answer was ignored).
                assert set(final.responses) <= {"k"}
                with pytest.raises(TransitionRefused):
                    await store.transition(task_id, "completed", result={})
            assert outcomes == []

    run(scenario)


def test_leases_expire_into_failed_and_are_renewed_while_running(redis_url: str) -> None:
    async def scenario() -> None:
        prefix = f"leases-{time.monotonic_ns()}"
        async with (
            store_on(redis_url, prefix, lease_ms=300) as dead,
            store_on(redis_url, prefix, lease_ms=300) as alive,
        ):
            await dead.create(new_task("orphan"))  # its worker never renews
            async with alive.running():
                await alive.create(new_task("kept"))
                version = (await alive.get("orphan") or new_task()).version
                with anyio.fail_after(5):
                    failed = await alive.wait_for_change("orphan", version)
                assert failed is not None and failed.status == "failed" and failed.error is not None
                await anyio.sleep(0.5)  # longer than the lease: renewed meanwhile
                kept = await alive.get("kept")
                assert kept is not None and kept.status == "working"
            assert await alive.sweep() == []

    run(scenario)

"""`mcp_ext_tasks.client` against `examples/conformance_server.py` over streamable HTTP on 127.0.0.1.

The server runs as a separate process, exactly as `nox -s conformance` starts it; the guide's client
(`examples/guide_client.py`, included verbatim in docs/guide.md) runs against it too.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import AsyncIterator, Awaitable, Callable, Iterator
from contextlib import asynccontextmanager
from typing import Any

import anyio
import pytest
from conftest import REPO
from mcp.client import Client, ClientRequestContext
from mcp_types import ElicitRequestParams, ElicitResult, TextContent
from services import free_port, running

import mcp_ext_tasks as tasks
from mcp_ext_tasks.client import TaskFailedError, TasksClient, cancel_task, get_task, update_task

EXAMPLES = REPO / "examples"
TIMEOUT = 15.0


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    port = free_port()
    command = [sys.executable, str(EXAMPLES / "conformance_server.py"), "--port", str(port)]
    with running(command, port, "the example server"):
        yield f"http://127.0.0.1:{port}/mcp"


async def confirm(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    return ElicitResult(action="accept", content={"confirm": True, "name": "Alice"})


@asynccontextmanager
async def connect(url: str) -> AsyncIterator[Client]:
    async with Client(url, extensions=[TasksClient()], elicitation_callback=confirm) as client:
        assert client.protocol_version == "2026-07-28"
        yield client


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        with anyio.fail_after(TIMEOUT * 2):
            await test()

    anyio.run(bounded)


def text_of(result: Any) -> str:
    block = result.content[0]
    assert isinstance(block, TextContent)
    return block.text


async def wait_for_status(client: Client, task_id: str, status: str) -> tasks.GetTaskResult:
    with anyio.fail_after(TIMEOUT):
        while (snapshot := await get_task(client, task_id)).status != status:
            await anyio.sleep(0.02)
    return snapshot


def test_the_guide_client_completes_a_task_with_an_input_round_and_cancels_another(server_url: str) -> None:
    started = time.monotonic()
    finished = subprocess.run(
        [sys.executable, str(EXAMPLES / "guide_client.py"), server_url],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert finished.stdout.splitlines() == [
        "server asks: Delete notes.txt?",
        "{'result': 'deleted notes.txt'}",
        "slow_compute cancelled",
    ]
    assert time.monotonic() - started < 30  # slow_compute asked for 60 s: the cancel cut it short


def test_cancelling_the_wait_cancels_the_task_on_the_server(server_url: str) -> None:
    async def scenario() -> None:
        async with connect(server_url) as client:
            handle = await client.session.call_tool("slow_compute", {"seconds": 60}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult) and handle.poll_interval_ms == 200
            extension = TasksClient()
            with anyio.move_on_after(0.5):
                await extension.wait_for_task(client, handle.task_id)
            cancelled = await get_task(client, handle.task_id)
            assert cancelled.status == "cancelled"

    run(scenario)


def test_lifecycle_over_http_with_the_handle_helpers(server_url: str) -> None:
    async def scenario() -> None:
        async with connect(server_url) as client:
            handle = await client.session.call_tool("confirm_delete", {"filename": "a.txt"}, allow_claimed=True)
            assert isinstance(handle, tasks.CreateTaskResult) and handle.status == "working"
            waiting = await wait_for_status(client, handle.task_id, "input_required")
            (key, request), *_ = (waiting.input_requests or {}).items()
            assert request["method"] == "elicitation/create"
            ack = await update_task(client, handle.task_id, {key: {"action": "accept", "content": {"confirm": True}}})
            assert ack.result_type == "complete"
            done = await wait_for_status(client, handle.task_id, "completed")
            assert done.result is not None and done.result["content"][0]["text"] == "deleted a.txt"
            assert (await cancel_task(client, handle.task_id)).result_type == "complete"

    run(scenario)


def test_call_tool_over_http_covers_every_outcome(server_url: str) -> None:
    async def scenario() -> None:
        async with connect(server_url) as client:
            assert text_of(await client.call_tool("multi_input", {})) == "first: Alice, second: Alice"
            assert text_of(await client.call_tool("test_tool_with_task", {})) == "Hello, Alice!"
            failing = await client.call_tool("failing_job", {})
            assert failing.is_error and "the job failed" in text_of(failing)
            with pytest.raises(TaskFailedError) as raised:
                await client.call_tool("protocol_error_job", {})
            assert (raised.value.code, raised.value.message) == (-32603, "the job hit an internal error")
            assert text_of(await client.call_tool("greet", {"name": "Bo"})) == "Hello, Bo!"

    run(scenario)


def test_routing_headers_must_match_the_body(server_url: str) -> None:
    meta = {
        "io.modelcontextprotocol/protocolVersion": "2026-07-28",
        "io.modelcontextprotocol/clientCapabilities": {"extensions": {tasks.EXTENSION_ID: {}}},
    }
    body = {"jsonrpc": "2.0", "id": 1, "method": "tasks/get", "params": {"taskId": "t-1", "_meta": meta}}
    base = {
        "content-type": "application/json",
        "accept": "application/json, text/event-stream",
        "mcp-protocol-version": "2026-07-28",
        "mcp-method": "tasks/get",
    }

    def post(headers: dict[str, str]) -> dict[str, Any]:
        request = urllib.request.Request(server_url, data=json.dumps(body).encode(), headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=10) as response:
                text = response.read().decode()
        except urllib.error.HTTPError as refused:  # errors come with HTTP 400
            text = refused.read().decode()
        if text.startswith("event:") or text.startswith("data:"):  # an SSE response carries the JSON in `data:`
            text = next(line[5:] for line in text.splitlines() if line.startswith("data:"))
        error: dict[str, Any] = json.loads(text)["error"]
        return error

    assert post({**base, "mcp-name": "t-2"})["code"] == tasks.HEADER_MISMATCH
    assert post(base)["code"] == tasks.HEADER_MISMATCH
    assert post({**base, "mcp-name": "t-1", "mcp-method": "tasks/cancel"})["code"] == tasks.HEADER_MISMATCH  # the SDK
    matching = post({**base, "mcp-name": "t-1"})
    assert matching["code"] == tasks.INVALID_PARAMS and matching["data"] == {"taskId": "t-1"}

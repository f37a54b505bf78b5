"""The fixture server of the official MCP conformance suite's tasks-* scenarios, on `mcp` and `mcp_ext_tasks.server`.

    python examples/conformance_server.py --port 8765     # streamable HTTP at http://127.0.0.1:8765/mcp
    python examples/conformance_server.py --port 8766 --store redis://127.0.0.1:6379/0   # a worker sharing tasks

The tools are the ones the scenarios call (@modelcontextprotocol/conformance 0.2.0-alpha.12,
src/scenarios/server/tasks/): `greet` never runs as a task, `slow_compute` may, the others must. `nox -s conformance`
runs every tasks-* scenario against this server; the tests use it as a real server over HTTP.
"""

from __future__ import annotations

import argparse
from typing import Annotated

import anyio
import uvicorn
from mcp.server.mcpserver import Context, Elicit, MCPServer, Resolve
from mcp.server.mcpserver.exceptions import ToolError
from mcp.shared.exceptions import MCPError
from pydantic import BaseModel

from mcp_ext_tasks.constants import INTERNAL_ERROR
from mcp_ext_tasks.server import Tasks, store_from_url

tasks = Tasks(
    tools={
        "slow_compute": "optional",
        "failing_job": "required",
        "protocol_error_job": "required",
        "confirm_delete": "required",
        "multi_input": "required",
        "test_tool_with_task": "required",
    },
    ttl_ms=300_000,
    poll_interval_ms=200,
)
server = MCPServer("mcp-ext-tasks-conformance", version="1.0.0", extensions=[tasks], lifespan=tasks.lifespan)


class Confirmation(BaseModel):
    """The answer to a yes/no question."""

    confirm: bool


class Person(BaseModel):
    """A name, and whether to go on."""

    name: str
    confirm: bool = True


@server.tool()
async def greet(name: str) -> str:
    """Say hello; always answers synchronously."""
    return f"Hello, {name}!"


@server.tool()
async def slow_compute(seconds: float = 1.0, label: str = "") -> str:
    """Sleep for `seconds`, then report; a task when the client declares the extension."""
    await anyio.sleep(seconds)
    return f"computed {label or 'nothing'} in {seconds:g} s"


@server.tool()
async def failing_job() -> str:
    """Work for a second, then fail as a tool (the task completes with isError: true)."""
    await anyio.sleep(1)
    raise ToolError("the job failed")


@server.tool()
async def protocol_error_job() -> str:
    """Fail with a JSON-RPC error (the task ends failed, carrying the error)."""
    raise MCPError(INTERNAL_ERROR, "the job hit an internal error")


@server.tool()
async def confirm_delete(filename: str, ctx: Context) -> str:
    """Ask the user to confirm, inside the task, then report what happened."""
    answer = await ctx.elicit(f"Delete {filename}?", Confirmation)
    if answer.action == "accept" and answer.data.confirm:
        return f"deleted {filename}"
    return f"kept {filename}"


@server.tool()
async def multi_input(ctx: Context) -> str:
    """Ask two questions at once: the task waits with both outstanding and accepts the answers one by one."""
    names: dict[str, str] = {}

    async def ask(which: str) -> None:
        answer = await ctx.elicit(f"The {which} name?", Person)
        names[which] = answer.data.name if answer.action == "accept" else "(none)"

    async with anyio.create_task_group() as group:
        group.start_soon(ask, "first")
        group.start_soon(ask, "second")
    return f"first: {names['first']}, second: {names['second']}"


def ask_user_name() -> Elicit[Person]:
    """The resolver of test_tool_with_task: asked before the task starts (multi-round-trip request)."""
    return Elicit("What is your name?", Person)


@server.tool()
async def test_tool_with_task(person: Annotated[Person, Resolve(ask_user_name)]) -> str:
    """Gather a name synchronously (MRTR), then run as a task that greets that name."""
    await anyio.sleep(0.1)
    return f"Hello, {person.name}!"


def main() -> None:
    """Serve streamable HTTP on 127.0.0.1."""
    parser = argparse.ArgumentParser(description="The tasks-* fixture server of the MCP conformance suite.")
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--store", default="memory://", help="memory:// (default) or redis://HOST:PORT/DB")
    args = parser.parse_args()
    tasks.store = store_from_url(args.store)
    app = server.streamable_http_app(streamable_http_path="/mcp", host=args.host)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")


if __name__ == "__main__":
    main()

"""docs/guide.md shows the example files verbatim, and its server works with its client's callback.

The guide's client runs over HTTP against examples/conformance_server.py in tests/test_tasks_http.py; mypy --strict
and pyright check both files (`examples` is in the type checkers' file lists).
"""

from __future__ import annotations

import importlib.util
import re
from types import ModuleType
from typing import Any

import anyio
from conftest import REPO
from mcp.client import Client
from mcp.client._memory import InMemoryTransport
from mcp_types import TextContent

from mcp_ext_tasks import CreateTaskResult
from mcp_ext_tasks.client import TasksClient, get_task

GUIDE = REPO / "docs" / "guide.md"
EXAMPLES = REPO / "examples"
PYTHON_BLOCK = re.compile(r"^```python\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)


def load(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"guide_{name}", EXAMPLES / f"{name}.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_python_block_of_the_guide_is_an_example_file_verbatim() -> None:
    blocks = [match["body"] for match in PYTHON_BLOCK.finditer(GUIDE.read_text(encoding="utf-8"))]
    files = [(EXAMPLES / name).read_text(encoding="utf-8") for name in ("guide_server.py", "guide_client.py")]
    assert blocks == files


def test_the_guide_server_runs_tasks_for_the_guide_clients_callback() -> None:
    server_module, client_module = load("guide_server"), load("guide_client")

    async def scenario() -> None:
        with anyio.fail_after(20):
            await run_guide(server_module, client_module)

    anyio.run(scenario)


async def run_guide(server_module: ModuleType, client_module: ModuleType) -> None:
    transport: Any = InMemoryTransport(server_module.server)
    extension = TasksClient()
    async with Client(transport, extensions=[extension], elicitation_callback=client_module.confirm) as client:
        result = await client.call_tool("confirm_delete", {"filename": "notes.txt"})
        assert result.structured_content == {"result": "deleted notes.txt"}
        with anyio.move_on_after(0.5):
            await client.call_tool("slow_compute", {"seconds": 60})
        handle = await client.session.call_tool("slow_compute", {"seconds": 0}, allow_claimed=True)
        assert isinstance(handle, CreateTaskResult)
        done = await extension.wait_for_task(client, handle.task_id)
        block = done.content[0]
        assert isinstance(block, TextContent) and block.text == "computed in 0.0 s"
        assert (await get_task(client, handle.task_id)).status == "completed"

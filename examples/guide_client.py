import sys

import anyio
from mcp.client import Client, ClientRequestContext
from mcp_types import ElicitRequestParams, ElicitResult

from mcp_ext_tasks.client import TasksClient


async def confirm(context: ClientRequestContext, params: ElicitRequestParams) -> ElicitResult:
    print(f"server asks: {params.message}")
    return ElicitResult(action="accept", content={"confirm": True})


async def main(url: str) -> None:
    async with Client(url, extensions=[TasksClient()], elicitation_callback=confirm) as client:
        result = await client.call_tool("confirm_delete", {"filename": "notes.txt"})  # a task, with one question
        print(result.structured_content)
        with anyio.move_on_after(1):  # leaving the scope early cancels the task (tasks/cancel)
            await client.call_tool("slow_compute", {"seconds": 60})
        print("slow_compute cancelled")


if __name__ == "__main__":
    anyio.run(main, sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000/mcp")

import anyio
from mcp.server.mcpserver import Context, MCPServer
from pydantic import BaseModel

from mcp_ext_tasks.server import Tasks

tasks = Tasks(tools={"confirm_delete": "optional", "slow_compute": "optional"})
server = MCPServer("files", extensions=[tasks], lifespan=tasks.lifespan)


class Confirmation(BaseModel):
    confirm: bool


@server.tool()
async def confirm_delete(filename: str, ctx: Context) -> str:
    answer = await ctx.elicit(f"Delete {filename}?", Confirmation)  # the task waits in input_required
    return f"deleted {filename}" if answer.action == "accept" and answer.data.confirm else f"kept {filename}"


@server.tool()
async def slow_compute(seconds: float) -> str:
    await anyio.sleep(seconds)
    return f"computed in {seconds} s"


if __name__ == "__main__":
    server.run("streamable-http")  # http://127.0.0.1:8000/mcp

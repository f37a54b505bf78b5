"""Tasks for an `mcp` server: the `Tasks` extension for `MCPServer(extensions=[...])`.

```python
tasks = Tasks(tools={"slow_compute": "optional"})
server = MCPServer("demo", extensions=[tasks], lifespan=tasks.lifespan)
```

A tool that supports tasks, called by a client that declares the extension on that request, runs in the background:
tools/call answers at once with a `CreateTaskResult` and the client follows the task with tasks/get, answers its
input requests with tasks/update and may stop it with tasks/cancel. When the tool asks the client for input through
the API the SDK gives tool code (`ctx.elicit(...)`, `ctx.session.create_message(...)`, `ctx.session.list_roots()`,
or an `InputRequiredResult` from its own resolvers), the task parks in `input_required` until tasks/update brings the
answers, then resumes. Resolver input (`Annotated[T, Resolve(...)]`) that is missing when the call arrives is asked
for synchronously, before any task exists, as the SEP recommends.

Needs the `sdk` extra (`pip install "mcp-ext-tasks[sdk]"`).
"""

from __future__ import annotations

import dataclasses
import logging
import secrets
import time
from collections.abc import AsyncGenerator, Callable, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, NoReturn, TypeVar, cast

import anyio
import anyio.abc
from mcp.server.context import CallNext, HandlerResult, ServerRequestContext
from mcp.server.extension import Extension, MethodBinding
from mcp.server.mcpserver import authenticated_principal
from mcp.server.session import ServerSession
from mcp.shared.dispatcher import ProgressFnT
from mcp.shared.exceptions import MCPError, NoBackChannelError
from mcp.shared.inbound import decode_header_value
from mcp.shared.message import ServerMessageMetadata
from mcp_types import CallToolRequestParams, InputRequiredResult, InputResponses, ServerNotification, ServerRequest
from mcp_types.version import MODERN_PROTOCOL_VERSIONS
from pydantic import BaseModel, ConfigDict, TypeAdapter, ValidationError

from . import (
    CancelTaskResult,
    CreateTaskResult,
    GetTaskResult,
    TaskStatus,
    TaskStatusNotification,
    TaskStatusNotificationParams,
    UpdateTaskResult,
    wire,
)
from .constants import (
    CANCEL_TASK_METHOD,
    EXTENSION_ID,
    GET_TASK_METHOD,
    HEADER_MISMATCH,
    INTERNAL_ERROR,
    INVALID_PARAMS,
    METHOD_NOT_FOUND,
    MISSING_REQUIRED_CLIENT_CAPABILITY,
    UPDATE_TASK_METHOD,
)
from .store import (
    InMemoryTaskStore,
    TaskNotFound,
    TaskRecordInvalid,
    TaskState,
    TaskStore,
    TaskStoreFull,
    TransitionRefused,
    store_from_url,
)

if TYPE_CHECKING:
    from mcp.server.mcpserver import MCPServer

__all__ = [
    "DEFAULT_POLL_INTERVAL_MS",
    "DEFAULT_TTL_MS",
    "InMemoryTaskStore",
    "TaskState",
    "TaskStore",
    "TaskSupport",
    "Tasks",
    "store_from_url",
]

logger = logging.getLogger(__name__)

TaskSupport = Literal["forbidden", "optional", "required"]
"""How a tool relates to tasks (SEP-2663): `forbidden` always answers synchronously; `optional` runs as a task
when the request declares the extension and synchronously otherwise; `required` runs only as a task and answers a
request that does not declare the extension with -32021."""

DEFAULT_TTL_MS = 3_600_000
"""How long a task is kept by default, from its creation: one hour."""

DEFAULT_POLL_INTERVAL_MS = 500
"""The tasks/get interval suggested to clients by default."""

_CallableT = TypeVar("_CallableT", bound=Callable[..., Any])
_LifespanT = TypeVar("_LifespanT")
_ResultT = TypeVar("_ResultT", bound=BaseModel)

_TASK_SUPPORT_VALUES: frozenset[str] = frozenset({"forbidden", "optional", "required"})
_INPUT_RESPONSE_MODELS: Mapping[str, type[BaseModel]] = {
    "elicitation/create": wire.ElicitResult,
    "sampling/createMessage": wire.CreateMessageResult,
    "roots/list": wire.ListRootsResult,
}
_INPUT_KEY_PREFIXES: Mapping[str, str] = {
    "elicitation/create": "elicitation",
    "sampling/createMessage": "sampling",
    "roots/list": "roots",
}
_INPUT_RESPONSES: TypeAdapter[InputResponses] = TypeAdapter(InputResponses)
_MAX_INPUT_ROUNDS = 100  # a tool whose resolvers keep asking forever must not hold a task forever
_STATE_ONLY_DELAY_SECONDS = 0.05
_SHUTDOWN_GRACE_SECONDS = 5.0
_STORE_RETRY_SECONDS = 1.0
_SETTLE_ATTEMPTS = 3
_REMOVED_METHODS = {
    "tasks/result": "tasks/result is not part of the Tasks extension (SEP-2663 removed it): tasks/get inlines the "
    "result of a completed task",
    "tasks/list": "tasks/list is not part of the Tasks extension (SEP-2663 removed it)",
}


class _UncheckedParams(BaseModel):
    """Accepts any params object, so that the handlers can say precisely what is wrong with one."""

    model_config = ConfigDict(extra="allow")


@dataclass
class _Runner:
    """A task group that background tasks run in, and the server it belongs to (one per entered lifespan)."""

    task_group: anyio.abc.TaskGroup
    server: MCPServer[Any] | None


@dataclass
class _LocalTask:
    """What this process knows about a task it runs: where to send its notifications, how to stop it."""

    task_id: str
    session: ServerSession
    request_id: Any
    scope: anyio.CancelScope = field(default_factory=anyio.CancelScope)
    next_key: int = 0

    def new_key(self, method: str) -> str:
        """A fresh input-request key, readable and unique over the task's lifetime."""
        self.next_key += 1
        return f"{_INPUT_KEY_PREFIXES.get(method, 'input')}-{self.next_key}"


class Tasks(Extension):
    """The Tasks extension (`io.modelcontextprotocol/tasks`) for an `MCPServer`.

    ```python
    tasks = Tasks(tools={"slow_compute": "optional"})
    server = MCPServer("demo", extensions=[tasks], lifespan=tasks.lifespan)
    ```

    Tools support tasks only when named here (`tools=`, `support()`, or the `tool()` decorator); every other tool
    is `forbidden` and answers as usual. Background tasks run in the task group of the server's lifespan, so the
    server must be built with `lifespan=tasks.lifespan` (or `tasks.wrap_lifespan(your_lifespan)`).

    Args:
        tools: Task support by tool name.
        store: Where tasks are kept: a `TaskStore`, or a URL for `store_from_url` (`memory://`,
            `redis://host:port/db`); an `InMemoryTaskStore` by default. With a shared store (Redis) any worker
            answers tasks/* for a task another one runs (notifications/tasks come from the worker running it).
        ttl_ms: How long a task is kept from its creation, in milliseconds (None: until the store needs room).
            A task still running when it expires is stopped, and every task is forgotten once expired.
        poll_interval_ms: The tasks/get interval suggested to clients.
    """

    identifier = EXTENSION_ID

    def __init__(
        self,
        tools: Mapping[str, TaskSupport] | None = None,
        *,
        store: TaskStore | str | None = None,
        ttl_ms: int | None = DEFAULT_TTL_MS,
        poll_interval_ms: int | None = DEFAULT_POLL_INTERVAL_MS,
    ) -> None:
        if ttl_ms is not None and ttl_ms <= 0:
            raise ValueError("ttl_ms must be positive (or None for no limit)")
        if poll_interval_ms is not None and poll_interval_ms <= 0:
            raise ValueError("poll_interval_ms must be positive (or None to suggest nothing)")
        if isinstance(store, str):
            store = store_from_url(store)
        self.store: TaskStore = store if store is not None else InMemoryTaskStore()
        """Where the tasks are kept."""
        self.ttl_ms = ttl_ms
        """How long a new task is kept, in milliseconds from its creation (None: no limit)."""
        self.poll_interval_ms = poll_interval_ms
        """The tasks/get interval suggested to clients, in milliseconds."""
        self._support: dict[str, TaskSupport] = {}
        for name, mode in (tools or {}).items():
            self.support(name, mode)
        self._runners: list[_Runner] = []
        self._local: dict[str, _LocalTask] = {}

    # ------------------------------------------------------------------------------------------ configuration
    def support(self, tool_name: str, mode: TaskSupport = "optional") -> None:
        """Set how the tool named `tool_name` relates to tasks."""
        if mode not in _TASK_SUPPORT_VALUES:
            raise ValueError(f"task support must be one of forbidden, optional, required; got {mode!r}")
        self._support[tool_name] = mode

    def tool(self, mode: TaskSupport = "optional", *, name: str | None = None) -> Callable[[_CallableT], _CallableT]:
        """Decorator: mark a tool function as supporting tasks, beside `@server.tool()` (above or below it).

        `name` is the tool's name when it is not the function's name (as with `@server.tool(name=...)`).
        """

        def mark(fn: _CallableT) -> _CallableT:
            self.support(name or fn.__name__, mode)
            return fn

        return mark

    def support_of(self, tool_name: str) -> TaskSupport:
        """How the tool named `tool_name` relates to tasks (`forbidden` unless configured)."""
        return self._support.get(tool_name, "forbidden")

    @asynccontextmanager
    async def lifespan(self, server: MCPServer[Any]) -> AsyncGenerator[dict[str, Any], None]:
        """The server lifespan that runs background tasks: `MCPServer(..., lifespan=tasks.lifespan)`.

        Tasks still running when the lifespan ends are stopped and marked failed.
        """
        async with self._running(server):
            yield {}

    def wrap_lifespan(
        self, inner: Callable[[MCPServer[_LifespanT]], AbstractAsyncContextManager[_LifespanT]]
    ) -> Callable[[MCPServer[_LifespanT]], AbstractAsyncContextManager[_LifespanT]]:
        """Your own lifespan, with the background tasks running inside it: `lifespan=tasks.wrap_lifespan(mine)`."""

        @asynccontextmanager
        async def lifespan(server: MCPServer[_LifespanT]) -> AsyncGenerator[_LifespanT, None]:
            async with inner(server) as state, self._running(server):
                yield state

        return lifespan

    @asynccontextmanager
    async def _running(self, server: MCPServer[Any] | None) -> AsyncGenerator[None, None]:
        # The store's background work (a shared store's wake-ups and leases) outlives the tasks, which settle first.
        async with self.store.running(), anyio.create_task_group() as task_group:
            runner = _Runner(task_group, server)
            self._runners.append(runner)
            try:
                await self._warn_about_unknown_tools(server)
                yield
            finally:
                self._runners.remove(runner)
                task_group.cancel_scope.cancel()

    async def _warn_about_unknown_tools(self, server: MCPServer[Any] | None) -> None:
        """Log the tools given task support that the server does not have (a typo would silently mean forbidden)."""
        if server is None or not self._support:
            return
        registered = {tool.name for tool in await server.list_tools()}
        unknown = sorted(set(self._support) - registered)
        if unknown:
            logger.warning("Tasks: task support set for tools the server does not have: %s", ", ".join(unknown))

    # ------------------------------------------------------------------------------------------ Extension hooks
    def settings(self) -> dict[str, Any]:
        """Advertised at `capabilities.extensions["io.modelcontextprotocol/tasks"]`: the extension has no settings."""
        return {}

    def methods(self) -> list[MethodBinding]:
        """tasks/get, tasks/update and tasks/cancel, plus -32601 for the removed tasks/result and tasks/list."""
        versions = frozenset(MODERN_PROTOCOL_VERSIONS)
        bindings = [
            MethodBinding(GET_TASK_METHOD, _UncheckedParams, self._handle_get, protocol_versions=versions),
            MethodBinding(UPDATE_TASK_METHOD, _UncheckedParams, self._handle_update, protocol_versions=versions),
            MethodBinding(CANCEL_TASK_METHOD, _UncheckedParams, self._handle_cancel, protocol_versions=versions),
        ]
        for method in _REMOVED_METHODS:
            bindings.append(MethodBinding(method, _UncheckedParams, self._handle_removed))
        return bindings

    async def intercept_tool_call(
        self, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any], call_next: CallNext
    ) -> HandlerResult:
        """Run the call as a task when the tool supports tasks and this request declares the extension."""
        mode = self.support_of(params.name)
        if mode == "forbidden":
            return await call_next(ctx)
        if not _declares_extension(ctx):
            if mode == "required":
                raise _missing_capability(f"Tool {params.name!r} runs only as a task")
            return await call_next(ctx)
        runner = self._runner()
        pending = await self._resolver_input(runner, params, ctx)
        if pending is not None:
            # Input the tool's resolvers need before it can start: asked synchronously (MRTR), no task yet.
            return pending
        return await self._start(runner, params, ctx, call_next)

    # ------------------------------------------------------------------------------------------ starting a task
    def _runner(self) -> _Runner:
        if not self._runners:
            logger.error("Tasks is not running: build the server with MCPServer(..., lifespan=tasks.lifespan)")
            raise MCPError(INTERNAL_ERROR, "The server cannot run tasks right now")
        return self._runners[-1]

    async def _resolver_input(
        self, runner: _Runner, params: CallToolRequestParams, ctx: ServerRequestContext[Any, Any]
    ) -> InputRequiredResult | None:
        """The InputRequiredResult the tool's `Resolve(...)` parameters produce with the answers sent so far.

        Resolution is re-run when the tool runs as a task; the SDK allows that (resolver bodies may re-run on every
        round; recorded answers travel in requestState). This relies on MCPServer's tool registry and resolver
        walk, which the SDK does not export; when they are not there, the task starts at once and resolver input
        is asked inside the task instead.
        """
        server = runner.server
        try:
            from mcp.server.mcpserver import Context
            from mcp.server.mcpserver.resolve import resolve_arguments

            tool = server._tool_manager.get_tool(params.name) if server is not None else None  # pyright: ignore[reportPrivateUsage]
            if tool is None or not tool.resolved_params:
                return None
            arguments = tool.fn_metadata.validate_arguments(params.arguments or {})
            context: Context[Any, Any] = Context(request_context=ctx, mcp_server=server, input_params=params)
            outcome = await resolve_arguments(tool.resolved_params, tool.resolver_plans, arguments, context)
        except MCPError:
            raise
        except Exception:
            # Bad arguments or a failing resolver: the task reports it as the tool's own error result.
            return None
        return outcome if isinstance(outcome, InputRequiredResult) else None

    async def _start(
        self,
        runner: _Runner,
        params: CallToolRequestParams,
        ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> CreateTaskResult:
        now = time.time()
        state = TaskState(
            task_id=secrets.token_urlsafe(24),
            status="working",
            created_at=now,
            last_updated_at=now,
            ttl_ms=self.ttl_ms,
            poll_interval_ms=self.poll_interval_ms,
            owner=authenticated_principal(ctx),
        )
        try:
            await self.store.create(state)
        except TaskStoreFull as exc:
            logger.warning("Refused a task for tool %r: %s", params.name, exc)
            raise MCPError(INTERNAL_ERROR, "The server is running too many tasks; try again later") from exc
        local = _LocalTask(task_id=state.task_id, session=ctx.session, request_id=ctx.request_id)
        self._local[state.task_id] = local
        runner.task_group.start_soon(self._run, local, state, params, ctx, call_next)
        # Created before this returns: a tasks/get right after the response finds the task.
        return CreateTaskResult(**_task_fields(state))

    # ------------------------------------------------------------------------------------------ running a task
    async def _run(
        self,
        local: _LocalTask,
        state: TaskState,
        params: CallToolRequestParams,
        ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> None:
        task_ctx = dataclasses.replace(ctx, session=_TaskSession(ctx.session, self, local))
        outcome: tuple[TaskStatus, dict[str, Any]] | None = None
        try:
            async with anyio.create_task_group() as watchers:
                watchers.start_soon(self._watch, local)
                if state.expires_at is not None:
                    local.scope.deadline = anyio.current_time() + max(0.0, state.expires_at - time.time())
                with local.scope:
                    outcome = await self._execute(local, params, task_ctx, call_next)
                watchers.cancel_scope.cancel()
            if outcome is not None:
                status, fields = outcome
                await self._settle(local, status, **fields)
        except anyio.get_cancelled_exc_class():
            # The server is stopping: leave a final state behind rather than a task that looks alive forever.
            with anyio.CancelScope(shield=True), anyio.move_on_after(_SHUTDOWN_GRACE_SECONDS):
                message = "The server stopped before the task finished"
                error = {"code": INTERNAL_ERROR, "message": message}
                await self._settle(local, "failed", error=error, status_message=message)
            raise
        finally:
            self._local.pop(local.task_id, None)

    async def _execute(
        self,
        local: _LocalTask,
        params: CallToolRequestParams,
        task_ctx: ServerRequestContext[Any, Any],
        call_next: CallNext,
    ) -> tuple[TaskStatus, dict[str, Any]]:
        """Run the tool to its outcome: (status, transition fields). A stopped task is cancelled through its scope."""
        try:
            result = await call_next(task_ctx)
            rounds = 0
            while isinstance(result, InputRequiredResult):
                rounds += 1
                if rounds > _MAX_INPUT_ROUNDS:
                    raise MCPError(INTERNAL_ERROR, f"The tool asked for input more than {_MAX_INPUT_ROUNDS} times")
                answers: dict[str, Any] = {}
                if result.input_requests:
                    answers = await self._ask_round(local, result)
                else:
                    await anyio.sleep(_STATE_ONLY_DELAY_SECONDS)
                # The SDK's call_next re-reads the very params object the interceptor got: answering through it
                # is how a tool's own input_required rounds continue inside the task.
                params.input_responses = _INPUT_RESPONSES.validate_python(answers) if answers else None
                params.request_state = result.request_state
                result = await call_next(task_ctx)
        except MCPError as exc:
            # A JSON-RPC error during execution: the one case SEP-2663 reports as `failed`.
            error = exc.error.model_dump(mode="json", by_alias=True, exclude_none=True)
            return "failed", {"error": error, "status_message": exc.message}
        except Exception:
            logger.exception("Task %s of tool %r crashed outside the tool", local.task_id, params.name)
            error = {"code": INTERNAL_ERROR, "message": "Internal error"}
            return "failed", {"error": error, "status_message": "The task failed with an internal error"}
        # A tool's own failure arrives here as a CallToolResult with isError: true, which SEP-2663 calls completed.
        return "completed", {"result": _dump_result(result)}

    async def _ask_round(self, local: _LocalTask, round_: InputRequiredResult) -> dict[str, Any]:
        """Publish a round of the tool's input requests as task input requests; their answers, by the tool's keys."""
        requests = round_.input_requests or {}
        # Task keys are unique over the task's lifetime while a tool's round keys may repeat between rounds.
        task_keys = {local.new_key(request.method): key for key, request in requests.items()}
        wire_requests = {
            task_key: requests[key].model_dump(mode="json", by_alias=True, exclude_none=True)
            for task_key, key in task_keys.items()
        }
        answers = await self._ask(local, wire_requests)
        return {task_keys[task_key]: answer for task_key, answer in answers.items()}

    async def _ask(self, local: _LocalTask, requests: Mapping[str, Mapping[str, Any]]) -> dict[str, Any]:
        """Park the task in input_required with `requests` until tasks/update answered every one of them."""
        try:
            state = await self.store.request_input(local.task_id, requests)
        except (TaskNotFound, TransitionRefused, TaskRecordInvalid):
            await _stop(local)
        await self._publish(local, state)
        waiting = set(requests)
        answers: dict[str, Any] = {}
        while waiting:
            try:
                taken, state = await self.store.take_responses(local.task_id, waiting)
                answers.update(taken)
                waiting.difference_update(taken)
                if waiting and (
                    state.is_terminal or await self.store.wait_for_change(local.task_id, state.version) is None
                ):
                    await _stop(local)
            except (TaskNotFound, TaskRecordInvalid):
                await _stop(local)
        return answers

    async def _watch(self, local: _LocalTask) -> None:
        """Stop the tool when the task ends or disappears elsewhere (tasks/cancel, another process, expiry)."""
        version = -1
        while True:
            try:
                state = await self.store.wait_for_change(local.task_id, version)
            except TaskRecordInvalid:
                logger.exception("Task %s: its record became unreadable; stopping it", local.task_id)
                state = None
            except Exception:
                # The store is unreachable for a moment (a shared store's connection): the tool keeps running.
                logger.warning("Task %s: waiting for changes failed; retrying", local.task_id, exc_info=True)
                await anyio.sleep(_STORE_RETRY_SECONDS)
                continue
            if state is None or state.is_terminal:
                local.scope.cancel()
                return
            version = state.version

    async def _settle(
        self,
        local: _LocalTask,
        status: TaskStatus,
        *,
        result: Mapping[str, Any] | None = None,
        error: Mapping[str, Any] | None = None,
        status_message: str | None = None,
    ) -> None:
        for attempt in range(_SETTLE_ATTEMPTS):
            try:
                state = await self.store.transition(
                    local.task_id, status, result=result, error=error, status_message=status_message
                )
            except (TaskNotFound, TransitionRefused):
                return  # cancelled or expired meanwhile: the first terminal status stays
            except TaskRecordInvalid:
                logger.exception("Task %s: could not record its outcome (%s)", local.task_id, status)
                return
            except Exception:
                # An unreachable shared store: logged and retried, never a crash of the worker.
                logger.warning("Task %s: could not record its outcome (%s)", local.task_id, status, exc_info=True)
                if attempt + 1 == _SETTLE_ATTEMPTS:
                    return
                await anyio.sleep(_STORE_RETRY_SECONDS)
            else:
                await self._publish(local, state)
                return

    async def _publish(self, local: _LocalTask | None, state: TaskState) -> None:
        """Send notifications/tasks with the task's complete state, on every channel that may deliver it."""
        if local is None:
            return
        notification = TaskStatusNotification(params=TaskStatusNotificationParams(**_detailed_fields(state)))
        # Which channel reaches the client after the tools/call response depends on the transport (stdio and the
        # in-memory transport: the connection's; the direct in-process path: the request's; streamable HTTP:
        # neither, clients poll), so both are tried; a channel that cannot deliver drops the message.
        # The SDK types the parameter as its core notification union; any notification model is sent the same way.
        core_typed = cast("ServerNotification", notification)
        for related in (None, local.request_id):
            try:
                await local.session.send_notification(core_typed, related_request_id=related)
            except Exception:
                logger.debug("notifications/tasks for %s not delivered", state.task_id, exc_info=True)

    # ------------------------------------------------------------------------------------------ tasks/* methods
    async def _handle_get(self, ctx: ServerRequestContext[Any, Any], params: _UncheckedParams) -> GetTaskResult:
        task_id = self._task_id_of(ctx, GET_TASK_METHOD, wire.GetTaskRequestParams)
        state = await self._lookup(ctx, task_id)
        return GetTaskResult(**_detailed_fields(state))

    async def _handle_update(self, ctx: ServerRequestContext[Any, Any], params: _UncheckedParams) -> UpdateTaskResult:
        _require_extension(ctx)
        raw = ctx.params or {}
        sent = raw.get("inputResponses")
        if not isinstance(sent, dict):
            raise _invalid_params(UPDATE_TASK_METHOD, "inputResponses must be an object of responses by key")
        responses = cast("dict[str, Any]", sent)  # a JSON object: its keys are strings
        # The responses are checked below, key by key, and only for keys that are outstanding.
        task_id = self._task_id_of(ctx, UPDATE_TASK_METHOD, wire.UpdateTaskRequestParams, {**raw, "inputResponses": {}})
        state = await self._lookup(ctx, task_id)
        accepted: dict[str, Mapping[str, Any]] = {}
        problems: list[str] = []
        for key, response in responses.items():
            request = state.input_requests.get(key)
            if request is None:
                continue  # unknown or already answered: ignored, as the SEP asks
            model = _INPUT_RESPONSE_MODELS.get(str(request.get("method")))
            try:
                if model is None:
                    raise ValueError(f"no response model for {request.get('method')!r}")
                model.model_validate(response)
            except (ValidationError, ValueError) as exc:
                problems.append(f"inputResponses[{key!r}] is not a valid {request.get('method')} result: {_why(exc)}")
                continue
            accepted[key] = response
        if problems:
            raise _invalid_params(UPDATE_TASK_METHOD, "; ".join(problems), task_id=task_id)
        if accepted:
            try:
                updated = await self.store.answer_input(task_id, accepted)
            except TaskNotFound as exc:
                raise _unknown_task(task_id) from exc
            except TaskRecordInvalid as exc:
                raise _unreadable_task(exc) from exc
            if updated.version != state.version:
                await self._publish(self._local.get(task_id), updated)
        return UpdateTaskResult()

    async def _handle_cancel(self, ctx: ServerRequestContext[Any, Any], params: _UncheckedParams) -> CancelTaskResult:
        task_id = self._task_id_of(ctx, CANCEL_TASK_METHOD, wire.CancelTaskRequestParams)
        state = await self._lookup(ctx, task_id)
        if not state.is_terminal:
            try:
                cancelled = await self.store.transition(task_id, "cancelled", status_message="Cancelled by the client")
            except TransitionRefused:
                pass  # finished meanwhile: cancelling a finished task is a no-op
            except TaskNotFound as exc:
                raise _unknown_task(task_id) from exc
            except TaskRecordInvalid as exc:
                raise _unreadable_task(exc) from exc
            else:
                local = self._local.get(task_id)
                if local is not None:
                    local.scope.cancel()
                await self._publish(local, cancelled)
        return CancelTaskResult()

    async def _handle_removed(self, ctx: ServerRequestContext[Any, Any], params: _UncheckedParams) -> HandlerResult:
        raise MCPError(METHOD_NOT_FOUND, _REMOVED_METHODS.get(ctx.method, f"Method not found: {ctx.method}"))

    def _task_id_of(
        self,
        ctx: ServerRequestContext[Any, Any],
        method: str,
        model: type[wire.GetTaskRequestParams | wire.UpdateTaskRequestParams | wire.CancelTaskRequestParams],
        raw: Mapping[str, Any] | None = None,
    ) -> str:
        """The params' taskId after the capability gate, the params check and the Mcp-Name check, in that order."""
        _require_extension(ctx)
        try:
            checked = model.model_validate(ctx.params if raw is None else raw)
        except ValidationError as exc:
            raise _invalid_params(method, _why(exc)) from exc
        task_id = checked.task_id
        _check_name_header(ctx, task_id)
        return task_id

    async def _lookup(self, ctx: ServerRequestContext[Any, Any], task_id: str) -> TaskState:
        try:
            state = await self.store.get(task_id)
        except TaskRecordInvalid as exc:
            raise _unreadable_task(exc) from exc
        # Another principal's task is answered exactly like a task that does not exist.
        if state is None or (state.owner is not None and state.owner != authenticated_principal(ctx)):
            raise _unknown_task(task_id)
        return state


class _TaskSession(ServerSession):
    """The session a task's tool sees: its requests to the client become the task's input requests.

    Everything else (notifications, logging, capabilities) behaves as on the tools/call request's own session.
    """

    def __init__(self, inner: ServerSession, tasks: Tasks, local: _LocalTask) -> None:
        # ServerSession offers no copy constructor; adopting the request session's state keeps every inherited
        # helper (elicit_form, create_message, list_roots, send_notification, ...) working unchanged.
        self.__dict__.update(inner.__dict__)
        self._tasks_extension = tasks
        self._tasks_local = local

    async def send_request(
        self,
        request: ServerRequest,
        result_type: type[_ResultT],
        request_read_timeout_seconds: float | None = None,
        metadata: ServerMessageMetadata | None = None,
        progress_callback: ProgressFnT | None = None,
    ) -> _ResultT:
        """Ask the client through the task: elicitation, sampling and roots requests park the task for input.

        Timeouts do not apply: the task's ttl bounds how long an answer may take.
        """
        if request.method not in _INPUT_RESPONSE_MODELS:
            raise NoBackChannelError(request.method)
        key = self._tasks_local.new_key(request.method)
        body = request.model_dump(mode="json", by_alias=True, exclude_none=True)
        answers = await self._tasks_extension._ask(self._tasks_local, {key: body})  # pyright: ignore[reportPrivateUsage]
        return result_type.model_validate(answers[key], by_name=False)


# ---------------------------------------------------------------------------------------------- helpers
async def _stop(local: _LocalTask) -> NoReturn:
    """Stop the task's tool from inside it: cancel its scope, which unwinds the tool like tasks/cancel does.

    Raising an exception instead would reach the tool's code and the SDK would report it as the tool's crash.
    """
    local.scope.cancel()
    await anyio.sleep_forever()
    raise AssertionError("unreachable: the cancelled scope interrupts the sleep")


def _declares_extension(ctx: ServerRequestContext[Any, Any]) -> bool:
    """True when this request declares the extension (per request on 2026-07-28; never on older versions)."""
    if ctx.protocol_version not in MODERN_PROTOCOL_VERSIONS:
        return False
    capabilities = ctx.session.client_capabilities
    return capabilities is not None and EXTENSION_ID in (capabilities.extensions or {})


def _missing_capability(why: str) -> MCPError:
    data: dict[str, Any] = {"requiredCapabilities": {"extensions": {EXTENSION_ID: {}}}}
    return MCPError(
        MISSING_REQUIRED_CLIENT_CAPABILITY,
        f"{why}: declare the {EXTENSION_ID} extension in the request's client capabilities",
        data,
    )


def _require_extension(ctx: ServerRequestContext[Any, Any]) -> None:
    if not _declares_extension(ctx):
        raise _missing_capability(f"{ctx.method} belongs to the Tasks extension")


def _check_name_header(ctx: ServerRequestContext[Any, Any], task_id: str) -> None:
    """On streamable HTTP, the Mcp-Name header must carry params.taskId (SEP-2243); a missing header is a mismatch."""
    headers = getattr(ctx.request, "headers", None)
    if headers is None:
        return  # stdio and in-process transports have no headers
    sent = decode_header_value(headers.get("mcp-name"))
    if sent != task_id:
        got = "is missing" if sent is None else "does not match params.taskId"
        raise MCPError(HEADER_MISMATCH, f"Header mismatch: the Mcp-Name header {got} ({ctx.method})")


def _invalid_params(method: str, why: str, *, task_id: str | None = None) -> MCPError:
    return MCPError(
        INVALID_PARAMS, f"Invalid params for {method}: {why}", None if task_id is None else {"taskId": task_id}
    )


def _unknown_task(task_id: str) -> MCPError:
    return MCPError(INVALID_PARAMS, "Failed to retrieve task: Task not found or expired", {"taskId": task_id})


def _unreadable_task(exc: TaskRecordInvalid) -> MCPError:
    logger.error("%s", exc)
    return MCPError(INTERNAL_ERROR, f"The task's stored record cannot be read: {exc.reason}", {"taskId": exc.task_id})


def _why(exc: Exception) -> str:
    """One line saying what is wrong, from a pydantic error (first problems only) or any other exception."""
    if not isinstance(exc, ValidationError):
        return str(exc)
    problems: list[str] = []
    for error in exc.errors()[:3]:
        where = ".".join(str(part) for part in error["loc"]) or "params"
        problems.append(f"{where}: {error['msg']}")
    more = exc.error_count() - len(problems)
    return "; ".join(problems) + (f" (and {more} more)" if more > 0 else "")


def _iso(timestamp: float) -> str:
    moment = datetime.fromtimestamp(timestamp, tz=timezone.utc)
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def _task_fields(state: TaskState) -> dict[str, Any]:
    """The Task members of a state, by attribute name, for the seed models."""
    fields: dict[str, Any] = {
        "task_id": state.task_id,
        "status": state.status,
        "created_at": _iso(state.created_at),
        "last_updated_at": _iso(state.last_updated_at),
        "ttl_ms": state.ttl_ms,
    }
    if state.poll_interval_ms is not None:
        fields["poll_interval_ms"] = state.poll_interval_ms
    if state.status_message is not None:
        fields["status_message"] = state.status_message
    return fields


def _detailed_fields(state: TaskState) -> dict[str, Any]:
    """The DetailedTask members of a state: the Task members plus what its status carries."""
    fields = _task_fields(state)
    if state.status == "input_required":
        fields["input_requests"] = dict(state.input_requests)
    elif state.status == "completed":
        fields["result"] = dict(state.result or {})
    elif state.status == "failed":
        fields["error"] = dict(state.error or {"code": INTERNAL_ERROR, "message": "Internal error"})
    return fields


def _dump_result(result: Any) -> dict[str, Any]:
    if isinstance(result, BaseModel):
        dumped: dict[str, Any] = result.model_dump(mode="json", by_alias=True, exclude_none=True)
        return dumped
    if isinstance(result, Mapping):
        return dict(cast("Mapping[str, Any]", result))
    raise TypeError(f"tools/call produced {type(result).__name__}, not a result object")

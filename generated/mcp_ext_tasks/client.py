"""Tasks for an `mcp` client: `TasksClient`, a client extension, and helpers for task handles.

```python
async with Client(url, extensions=[TasksClient()], elicitation_callback=ask_user) as client:
    result = await client.call_tool("slow_compute", {"seconds": 5})  # a CallToolResult, also when a task ran
```

With `TasksClient` the client declares the extension on every request, and `Client.call_tool` resolves a tool that
answers with a task into that task's final `CallToolResult`: it polls tasks/get (at the task's `pollIntervalMs`, or
with a backoff when the server suggests none), wakes early on notifications/tasks, answers each input request once
through the client's own callbacks (elicitation, sampling, roots) and tasks/update, and sends tasks/cancel when the
awaiting code is cancelled. A failed task raises `TaskFailedError` (an `MCPError` with the task's error), a
cancelled one `TaskCancelledError`, an expired or unknown one `TaskExpiredError`.

To keep the handle instead (`await client.session.call_tool(name, args, allow_claimed=True)` returns the
`CreateTaskResult`), use `get_task`, `update_task`, `cancel_task` and `wait_for_task`.

Needs the `sdk` extra (`pip install "mcp-ext-tasks[sdk]"`).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, TypeAlias

import anyio
import anyio.abc
from mcp.client import (
    ClaimContext,
    Client,
    ClientExtension,
    ClientRequestContext,
    ClientSession,
    NotificationBinding,
    ResultClaim,
)
from mcp.shared.exceptions import MCPError
from mcp_types import CallToolResult, ErrorData, InputRequest
from pydantic import TypeAdapter, ValidationError

from . import (
    CancelTaskRequest,
    CancelTaskRequestParams,
    CancelTaskResult,
    CreateTaskResult,
    GetTaskRequest,
    GetTaskRequestParams,
    GetTaskResult,
    TaskStatusNotificationParams,
    UpdateTaskRequest,
    UpdateTaskRequestParams,
    UpdateTaskResult,
)
from .constants import EXTENSION_ID, INTERNAL_ERROR, INVALID_PARAMS, RESULT_TYPE_TASK, TASK_STATUS_NOTIFICATION_METHOD

__all__ = [
    "DEFAULT_MAX_POLL_INTERVAL_MS",
    "DEFAULT_POLL_INTERVAL_MS",
    "TaskCancelledError",
    "TaskError",
    "TaskExpiredError",
    "TaskFailedError",
    "TasksClient",
    "cancel_task",
    "get_task",
    "update_task",
    "wait_for_task",
]

DEFAULT_POLL_INTERVAL_MS = 250
"""The first wait between two tasks/get when the server suggests no `pollIntervalMs`; it doubles from there."""

DEFAULT_MAX_POLL_INTERVAL_MS = 5_000
"""The longest wait between two tasks/get when the server suggests no `pollIntervalMs`."""

_MIN_POLL_INTERVAL_MS = 10  # a server suggesting 0 (or less) must not turn the loop into a busy loop
_CANCEL_TIMEOUT_SECONDS = 5.0
_INPUT_REQUEST: TypeAdapter[InputRequest] = TypeAdapter(InputRequest)

SessionLike: TypeAlias = "Client | ClientSession"
"""A connected `Client`, or its `ClientSession` (what a `ResultClaim` gets)."""


class TaskError(Exception):
    """Base of the errors a task ends a wait with; `task_id` says which task."""

    task_id: str
    """The task the error is about."""


class TaskFailedError(MCPError, TaskError):
    """The task ended `failed`: its code, message and data are the JSON-RPC error the task carries."""

    def __init__(self, task: GetTaskResult) -> None:
        error = task.error or {}
        code = error.get("code")
        message = error.get("message")
        super().__init__(
            code if isinstance(code, int) else INTERNAL_ERROR,
            message if isinstance(message, str) else f"Task {task.task_id} failed",
            error.get("data"),
        )
        self.task_id = task.task_id
        self.task = task
        """The failed task as tasks/get returned it."""


class TaskCancelledError(TaskError):
    """The task ended `cancelled` (by tasks/cancel from any client, or by the server)."""

    def __init__(self, task: GetTaskResult) -> None:
        detail = f": {task.status_message}" if task.status_message else ""
        super().__init__(f"Task {task.task_id} was cancelled{detail}")
        self.task_id = task.task_id
        self.task = task
        """The cancelled task as tasks/get returned it."""


class TaskExpiredError(MCPError, TaskError):
    """The server no longer knows the task (-32602): its ttl ran out, or the id was never valid."""

    def __init__(self, task_id: str, error: MCPError, ttl_ms: int | None = None) -> None:
        ttl = f" (ttlMs {ttl_ms})" if ttl_ms is not None else ""
        super().__init__(
            error.code,
            f"Task {task_id} is unknown to the server: it expired{ttl} or never existed ({error.message})",
            error.data,
        )
        self.task_id = task_id


def _session(target: SessionLike) -> ClientSession:
    return target.session if isinstance(target, Client) else target


async def get_task(target: SessionLike, task_id: str, *, timeout_seconds: float | None = None) -> GetTaskResult:
    """tasks/get: the task's current state. Raises `MCPError` (-32602 for an unknown or expired id)."""
    request = GetTaskRequest(params=GetTaskRequestParams(task_id=task_id))
    result: GetTaskResult = await _session(target).send_request(request, GetTaskResult, timeout_seconds)
    return result


async def update_task(
    target: SessionLike, task_id: str, input_responses: Mapping[str, Any], *, timeout_seconds: float | None = None
) -> UpdateTaskResult:
    """tasks/update: answer some or all of the task's outstanding input requests (JSON results by key)."""
    params = UpdateTaskRequestParams(task_id=task_id, input_responses=dict(input_responses))
    result: UpdateTaskResult = await _session(target).send_request(
        UpdateTaskRequest(params=params), UpdateTaskResult, timeout_seconds
    )
    return result


async def cancel_task(target: SessionLike, task_id: str, *, timeout_seconds: float | None = None) -> CancelTaskResult:
    """tasks/cancel: ask the server to stop the task (an empty acknowledgement, also for a finished task)."""
    request = CancelTaskRequest(params=CancelTaskRequestParams(task_id=task_id))
    result: CancelTaskResult = await _session(target).send_request(request, CancelTaskResult, timeout_seconds)
    return result


async def wait_for_task(
    target: SessionLike,
    task_id: str,
    *,
    poll_interval_ms: int | None = None,
    timeout_seconds: float | None = None,
    tasks_client: TasksClient | None = None,
) -> CallToolResult:
    """Follow a task to its end and return its `CallToolResult`, answering its input requests on the way.

    Input requests go through the client's own callbacks (elicitation, sampling, roots), each key once, and their
    answers are sent with tasks/update as soon as each is ready. Cancelling the awaiting code sends tasks/cancel.

    Args:
        target: The connected `Client` or its session.
        task_id: The task to follow.
        poll_interval_ms: The wait between polls until the server suggests one (`pollIntervalMs`); without either,
            the wait starts at `DEFAULT_POLL_INTERVAL_MS` and doubles up to `DEFAULT_MAX_POLL_INTERVAL_MS`.
        timeout_seconds: The read timeout of each tasks/* request (not of the whole wait: use a cancel scope).
        tasks_client: The `TasksClient` registered on this client, whose notifications/tasks wake the wait early.

    Raises:
        TaskFailedError: The task failed; code, message and data are the task's error.
        TaskCancelledError: The task was cancelled.
        TaskExpiredError: The server does not know the task (expired, or never existed).
        MCPError: A tasks/* request failed, or a callback declined an input request (the task is then cancelled).
    """
    session = _session(target)
    waiter = _TaskWaiter(session, task_id, poll_interval_ms, timeout_seconds, tasks_client)
    return await waiter.run()


class TasksClient(ClientExtension):
    """The Tasks extension (`io.modelcontextprotocol/tasks`) for `Client(..., extensions=[TasksClient()])`.

    Declares the extension, resolves task handles returned by tools/call into the task's final result (see the
    module documentation), and wakes waiting calls on notifications/tasks.

    Args:
        poll_interval_ms: The wait between polls when the server suggests no `pollIntervalMs` (then doubling up to
            `DEFAULT_MAX_POLL_INTERVAL_MS`).
    """

    identifier = EXTENSION_ID

    def __init__(self, *, poll_interval_ms: int | None = None) -> None:
        self.poll_interval_ms = poll_interval_ms
        """The first wait between polls when the server suggests none (None: `DEFAULT_POLL_INTERVAL_MS`)."""
        self._wakeups: dict[str, anyio.Event] = {}
        self._waiters: dict[str, int] = {}
        self.last_status: dict[str, TaskStatusNotificationParams] = {}
        """The latest notifications/tasks received for each task a call is waiting on."""

    def claims(self) -> list[ResultClaim[Any]]:
        """Claims `resultType: "task"` on tools/call: the task is followed to its end."""
        return [ResultClaim(result_type=RESULT_TYPE_TASK, model=CreateTaskResult, resolve=self._resolve)]

    def notifications(self) -> list[NotificationBinding[Any]]:
        """Receives notifications/tasks, which wake the wait for that task."""
        binding = NotificationBinding(
            method=TASK_STATUS_NOTIFICATION_METHOD, params_type=TaskStatusNotificationParams, handler=self._on_status
        )
        return [binding]

    async def get_task(self, target: SessionLike, task_id: str) -> GetTaskResult:
        """tasks/get (see the module function `get_task`)."""
        return await get_task(target, task_id)

    async def update_task(
        self, target: SessionLike, task_id: str, input_responses: Mapping[str, Any]
    ) -> UpdateTaskResult:
        """tasks/update (see the module function `update_task`)."""
        return await update_task(target, task_id, input_responses)

    async def cancel_task(self, target: SessionLike, task_id: str) -> CancelTaskResult:
        """tasks/cancel (see the module function `cancel_task`)."""
        return await cancel_task(target, task_id)

    async def wait_for_task(self, target: SessionLike, task_id: str) -> CallToolResult:
        """Follow the task to its end, woken early by this extension's notifications (see `wait_for_task`)."""
        return await wait_for_task(target, task_id, poll_interval_ms=self.poll_interval_ms, tasks_client=self)

    async def _resolve(self, handle: CreateTaskResult, ctx: ClaimContext) -> CallToolResult:
        waiter = _TaskWaiter(
            ctx.session,
            handle.task_id,
            handle.poll_interval_ms or self.poll_interval_ms,
            ctx.read_timeout_seconds,
            self,
            ttl_ms=handle.ttl_ms,
        )
        return await waiter.run()

    async def _on_status(self, params: TaskStatusNotificationParams) -> None:
        # Only tasks someone waits for are recorded: notifications cannot make this client's memory grow.
        wakeup = self._wakeups.get(params.task_id)
        if wakeup is not None:
            self.last_status[params.task_id] = params
            wakeup.set()

    def _wakeup(self, task_id: str) -> anyio.Event:
        """The event the next notifications/tasks for `task_id` sets (shared by every wait for that task)."""
        event = self._wakeups.get(task_id)
        if event is None or event.is_set():
            event = self._wakeups[task_id] = anyio.Event()
        return event

    def _enter(self, task_id: str) -> None:
        self._waiters[task_id] = self._waiters.get(task_id, 0) + 1

    def _leave(self, task_id: str) -> None:
        self._waiters[task_id] -= 1
        if not self._waiters[task_id]:
            del self._waiters[task_id]
            self._wakeups.pop(task_id, None)
            self.last_status.pop(task_id, None)


class _TaskWaiter:
    """One wait for one task: poll, answer input, sleep, until the task ends."""

    def __init__(
        self,
        session: ClientSession,
        task_id: str,
        poll_interval_ms: int | None,
        timeout_seconds: float | None,
        tasks_client: TasksClient | None,
        *,
        ttl_ms: int | None = None,
    ) -> None:
        self.session = session
        self.task_id = task_id
        self.first_delay_ms = poll_interval_ms
        self.timeout_seconds = timeout_seconds
        self.tasks_client = tasks_client
        self.ttl_ms = ttl_ms
        self.answered: set[str] = set()

    async def run(self) -> CallToolResult:
        if self.tasks_client is not None:
            self.tasks_client._enter(self.task_id)  # pyright: ignore[reportPrivateUsage]
        try:
            return await self._follow()
        except anyio.get_cancelled_exc_class():
            await self._cancel_quietly()
            raise
        except _InputFailed as failure:
            await self._cancel_quietly()
            raise failure.error from None
        finally:
            if self.tasks_client is not None:
                self.tasks_client._leave(self.task_id)  # pyright: ignore[reportPrivateUsage]

    async def _follow(self) -> CallToolResult:
        backoff_ms = self.first_delay_ms or DEFAULT_POLL_INTERVAL_MS
        while True:
            wakeup = self.tasks_client._wakeup(self.task_id) if self.tasks_client else None  # pyright: ignore[reportPrivateUsage]
            task = await self._get()
            if task.status == "completed":
                return CallToolResult.model_validate(task.result or {}, by_name=False)
            if task.status == "failed":
                raise TaskFailedError(task)
            if task.status == "cancelled":
                raise TaskCancelledError(task)
            if task.ttl_ms is not None:
                self.ttl_ms = task.ttl_ms
            if task.status == "input_required":
                await self._answer(task.input_requests or {})
            if task.poll_interval_ms is not None:
                delay_ms = max(task.poll_interval_ms, _MIN_POLL_INTERVAL_MS)
            else:
                delay_ms = backoff_ms
                backoff_ms = min(backoff_ms * 2, DEFAULT_MAX_POLL_INTERVAL_MS)
            with anyio.move_on_after(delay_ms / 1000):
                if wakeup is not None:
                    await wakeup.wait()
                else:
                    await anyio.sleep_forever()

    async def _get(self) -> GetTaskResult:
        try:
            return await get_task(self.session, self.task_id, timeout_seconds=self.timeout_seconds)
        except MCPError as error:
            if error.code == INVALID_PARAMS:
                raise TaskExpiredError(self.task_id, error, self.ttl_ms) from error
            raise

    async def _answer(self, input_requests: Mapping[str, Any]) -> None:
        """Answer every input request not answered yet, concurrently, each sent with tasks/update once ready."""
        fresh = {key: raw for key, raw in input_requests.items() if key not in self.answered}
        if not fresh:
            return
        self.answered.update(fresh)  # never twice, even when a later poll still lists a key the server is processing
        failure: Exception | None = None

        async def answer(key: str, raw: Any, group: anyio.abc.TaskGroup) -> None:
            nonlocal failure
            try:
                await self._answer_one(key, raw)
            except Exception as exc:
                # The first failure stops the other answers; it is raised as itself, not in an exception group.
                failure = failure or exc
                group.cancel_scope.cancel()

        async with anyio.create_task_group() as group:
            for key, raw in fresh.items():
                group.start_soon(answer, key, raw, group)
        if failure is not None:
            raise _InputFailed(failure)

    async def _answer_one(self, key: str, raw: Any) -> None:
        try:
            request = _INPUT_REQUEST.validate_python(raw, by_name=False)
        except ValidationError as exc:
            raise MCPError(
                INVALID_PARAMS, f"Task {self.task_id} sent an input request {key!r} this client cannot read: {exc}"
            ) from exc
        context = ClientRequestContext(
            session=self.session, request_id=key, meta=request.params.meta if request.params else None
        )
        response = await self.session.dispatch_input_request(context, request)
        if isinstance(response, ErrorData):
            # tasks/update cannot carry an error: the task cannot go on without this answer.
            raise MCPError.from_error_data(response)
        answer = response.model_dump(mode="json", by_alias=True, exclude_none=True)
        await update_task(self.session, self.task_id, {key: answer}, timeout_seconds=self.timeout_seconds)

    async def _cancel_quietly(self) -> None:
        """Send tasks/cancel even while being cancelled, bounded in time; the caller's own error wins."""
        with (
            anyio.CancelScope(shield=True),
            anyio.move_on_after(_CANCEL_TIMEOUT_SECONDS),
            contextlib.suppress(Exception),
        ):
            await cancel_task(self.session, self.task_id, timeout_seconds=_CANCEL_TIMEOUT_SECONDS)


class _InputFailed(Exception):
    """An input request could not be answered; `error` is what the wait raises after cancelling the task."""

    def __init__(self, error: Exception) -> None:
        super().__init__(str(error))
        self.error = error

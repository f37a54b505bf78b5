"""Where a Tasks server keeps its tasks: the `TaskStore` protocol and `InMemoryTaskStore`, its default.

A store holds immutable `TaskState` snapshots and changes them only through a few atomic operations, each checked
against the extension's state machine (`mcp_ext_tasks.constants.ALLOWED_TRANSITIONS`). Everything the server
runtime needs goes through the protocol, so a store shared by several server processes (Redis, a database) can
implement it: `wait_for_change` is the only operation that blocks, and `version` lets a waiter tell a change from
a spurious wake-up.

Needs anyio (installed with the `sdk` extra); it does not import mcp.
"""

from __future__ import annotations

import heapq
import math
import time
from collections.abc import AsyncGenerator, Callable, Collection, Mapping
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass, field, replace
from typing import Any, Protocol

import anyio

from . import TaskStatus
from .constants import TERMINAL_STATUSES, is_allowed_transition

__all__ = [
    "InMemoryTaskStore",
    "TaskNotFound",
    "TaskRecordInvalid",
    "TaskState",
    "TaskStore",
    "TaskStoreFull",
    "TransitionRefused",
    "store_from_url",
]

JsonObject = Mapping[str, Any]
"""A JSON object as Python data (what `json.loads` returns for an object)."""


@dataclass(frozen=True, kw_only=True)
class TaskState:
    """One task as a store keeps it: an immutable snapshot; every change makes a new one with a higher `version`.

    Times are seconds since the epoch (wall clock, so that several processes agree on them).
    """

    task_id: str
    """The server-generated, unguessable identifier."""

    status: TaskStatus
    """The current status."""

    created_at: float
    """When the task was created."""

    last_updated_at: float
    """When the task last changed."""

    ttl_ms: int | None
    """How long the task is kept, in milliseconds from `created_at`; None keeps it until the store runs out of room."""

    poll_interval_ms: int | None = None
    """The poll interval suggested to clients, in milliseconds."""

    status_message: str | None = None
    """A human-readable message about the current status."""

    input_requests: Mapping[str, JsonObject] = field(default_factory=lambda: {})
    """The outstanding input requests (`{"method": ..., "params": ...}` objects), by key."""

    responses: Mapping[str, JsonObject] = field(default_factory=lambda: {})
    """Answers that arrived with tasks/update and that the running tool has not taken yet, by key."""

    used_keys: frozenset[str] = frozenset()
    """Every input-request key the task has ever used: a key is never reused over a task's lifetime."""

    result: JsonObject | None = None
    """The tools/call result of a completed task (also when its `isError` is true)."""

    error: JsonObject | None = None
    """The JSON-RPC error (`code`, `message`, `data`) a failed task ended with."""

    owner: str | None = None
    """The authenticated principal that created the task; None on unauthenticated transports."""

    version: int = 0
    """Incremented by every change; `wait_for_change` compares against it."""

    @property
    def expires_at(self) -> float | None:
        """When the task expires (seconds since the epoch), or None when it never does."""
        return None if self.ttl_ms is None else self.created_at + self.ttl_ms / 1000

    @property
    def is_terminal(self) -> bool:
        """True for completed, failed and cancelled, the statuses a task never leaves."""
        return self.status in TERMINAL_STATUSES


class TaskNotFound(LookupError):
    """No task has this id: it never existed, it expired, or the store evicted it."""

    def __init__(self, task_id: str) -> None:
        super().__init__(f"no task with id {task_id!r}")
        self.task_id = task_id


class TransitionRefused(ValueError):
    """The state machine does not allow the change (typically: the task already reached a terminal status)."""

    def __init__(self, state: TaskState, wanted: str) -> None:
        super().__init__(f"task {state.task_id!r} cannot move from {state.status!r} to {wanted!r}")
        self.state = state
        self.wanted = wanted


class TaskRecordInvalid(RuntimeError):
    """The stored record of a task cannot be read (truncated, or written by another version): an error of that task."""

    def __init__(self, task_id: str, reason: str) -> None:
        super().__init__(f"task {task_id!r} cannot be read: {reason}")
        self.task_id = task_id
        self.reason = reason


class TaskStoreFull(RuntimeError):
    """The store holds as many unfinished tasks as it may; no new task can be created until some finish."""


class TaskStore(Protocol):
    """The operations a Tasks server needs from its storage. Every operation is atomic.

    Lookups treat an expired task as absent: `get` returns None and the other operations raise `TaskNotFound`.
    Implementations may evict expired tasks lazily.
    """

    async def create(self, state: TaskState) -> None:
        """Store a new task. Once this returns, `get(state.task_id)` finds it (in every process sharing the store).

        Raises `TaskStoreFull` when there is no room, `ValueError` when the id is taken.
        """
        ...

    async def get(self, task_id: str) -> TaskState | None:
        """The task's current state, or None when it is unknown or expired."""
        ...

    async def transition(
        self,
        task_id: str,
        status: TaskStatus,
        *,
        status_message: str | None = None,
        result: JsonObject | None = None,
        error: JsonObject | None = None,
    ) -> TaskState:
        """Move the task to `status` (with its result, error and message), clearing outstanding input requests.

        Raises `TransitionRefused` when the state machine forbids the move, `TaskNotFound` for unknown ids.
        """
        ...

    async def request_input(self, task_id: str, requests: Mapping[str, JsonObject]) -> TaskState:
        """Add outstanding input requests (keys never used before by this task); the task becomes input_required.

        Raises `TransitionRefused` when the task is terminal, `ValueError` for a reused key, `TaskNotFound`.
        """
        ...

    async def answer_input(self, task_id: str, responses: Mapping[str, JsonObject]) -> TaskState:
        """Record answers to outstanding requests; keys that are not outstanding are ignored.

        Answered keys stop being outstanding; when none is left, an input_required task becomes working again.
        Raises `TaskNotFound`.
        """
        ...

    async def take_responses(self, task_id: str, keys: Collection[str]) -> tuple[dict[str, JsonObject], TaskState]:
        """Remove and return the recorded answers among `keys`, with the state after removing them.

        Raises `TaskNotFound`.
        """
        ...

    async def wait_for_change(self, task_id: str, version: int) -> TaskState | None:
        """Wait until the task's version differs from `version`; the new state, or None once the task is gone."""
        ...

    async def delete(self, task_id: str) -> None:
        """Forget the task (no error when it is unknown)."""
        ...

    def running(self) -> AbstractAsyncContextManager[None]:
        """The store's background work (wake-ups, leases) while a server runs tasks on it; `Tasks` enters it."""
        ...


@dataclass
class _Entry:
    state: TaskState
    changed: anyio.Event = field(default_factory=anyio.Event)


class InMemoryTaskStore:
    """A `TaskStore` in this process's memory: bounded, with ttl eviction.

    Expired tasks are evicted on every operation (a heap keeps that cheap). When `max_tasks` tasks are stored and
    a new one comes, the oldest finished task makes room; when every stored task is unfinished, `create` raises
    `TaskStoreFull`. Waiters are woken through anyio events, so one store serves one event loop.
    """

    def __init__(self, *, max_tasks: int = 10_000, clock: Callable[[], float] = time.time) -> None:
        if max_tasks < 1:
            raise ValueError("max_tasks must be at least 1")
        self.max_tasks = max_tasks
        """The most tasks held at once."""
        self._clock = clock
        self._entries: dict[str, _Entry] = {}  # insertion order is creation order: the oldest come first
        self._expiries: list[tuple[float, str]] = []

    def __len__(self) -> int:
        """How many tasks are stored (expired ones included until the next operation evicts them)."""
        return len(self._entries)

    async def create(self, state: TaskState) -> None:
        """See `TaskStore.create`."""
        self._evict_expired()
        if state.task_id in self._entries:
            raise ValueError(f"task id {state.task_id!r} is taken")
        if len(self._entries) >= self.max_tasks:
            oldest_finished = next((e.state.task_id for e in self._entries.values() if e.state.is_terminal), None)
            if oldest_finished is None:
                raise TaskStoreFull(f"{self.max_tasks} unfinished tasks are stored; no room for another")
            self._remove(oldest_finished)
        self._entries[state.task_id] = _Entry(state)
        if state.expires_at is not None:
            heapq.heappush(self._expiries, (state.expires_at, state.task_id))

    async def get(self, task_id: str) -> TaskState | None:
        """See `TaskStore.get`."""
        self._evict_expired()
        entry = self._entries.get(task_id)
        return None if entry is None else entry.state

    async def transition(
        self,
        task_id: str,
        status: TaskStatus,
        *,
        status_message: str | None = None,
        result: JsonObject | None = None,
        error: JsonObject | None = None,
    ) -> TaskState:
        """See `TaskStore.transition`."""
        current = self._current(task_id)
        if not is_allowed_transition(current.status, status):
            raise TransitionRefused(current, status)
        return self._commit(
            replace(
                current,
                status=status,
                status_message=status_message,
                input_requests={},
                result=result,
                error=error,
            )
        )

    async def request_input(self, task_id: str, requests: Mapping[str, JsonObject]) -> TaskState:
        """See `TaskStore.request_input`."""
        current = self._current(task_id)
        if current.status != "input_required" and not is_allowed_transition(current.status, "input_required"):
            raise TransitionRefused(current, "input_required")
        reused = sorted(set(requests) & current.used_keys)
        if reused:
            raise ValueError(f"input-request keys are never reused within a task: {', '.join(reused)}")
        return self._commit(
            replace(
                current,
                status="input_required",
                status_message=None,
                input_requests={**current.input_requests, **requests},
                used_keys=current.used_keys | set(requests),
            )
        )

    async def answer_input(self, task_id: str, responses: Mapping[str, JsonObject]) -> TaskState:
        """See `TaskStore.answer_input`."""
        current = self._current(task_id)
        accepted = {key: value for key, value in responses.items() if key in current.input_requests}
        if not accepted:
            return current
        outstanding = {key: value for key, value in current.input_requests.items() if key not in accepted}
        status: TaskStatus = current.status
        if not outstanding and current.status == "input_required":
            status = "working"
        return self._commit(
            replace(
                current,
                status=status,
                input_requests=outstanding,
                responses={**current.responses, **accepted},
            )
        )

    async def take_responses(self, task_id: str, keys: Collection[str]) -> tuple[dict[str, JsonObject], TaskState]:
        """See `TaskStore.take_responses`."""
        current = self._current(task_id)
        taken = {key: current.responses[key] for key in keys if key in current.responses}
        if not taken:
            return taken, current
        remaining = {key: value for key, value in current.responses.items() if key not in taken}
        # Taking answers is bookkeeping, not a change clients see: the version moves, the timestamp does not.
        return taken, self._commit(replace(current, responses=remaining), touch=False)

    async def wait_for_change(self, task_id: str, version: int) -> TaskState | None:
        """See `TaskStore.wait_for_change`."""
        self._evict_expired()
        entry = self._entries.get(task_id)
        if entry is None:
            return None
        if entry.state.version != version:
            return entry.state
        expires_at = entry.state.expires_at
        # Expiry is no operation that would set the event: wake up when it comes, to report the task gone.
        with anyio.move_on_after(math.inf if expires_at is None else max(0.0, expires_at - self._clock())):
            await entry.changed.wait()
        return await self.get(task_id)

    async def delete(self, task_id: str) -> None:
        """See `TaskStore.delete`."""
        self._remove(task_id)

    @asynccontextmanager
    async def running(self) -> AsyncGenerator[None, None]:
        """See `TaskStore.running`: this store has no background work."""
        yield

    def _current(self, task_id: str) -> TaskState:
        self._evict_expired()
        entry = self._entries.get(task_id)
        if entry is None:
            raise TaskNotFound(task_id)
        return entry.state

    def _commit(self, state: TaskState, *, touch: bool = True) -> TaskState:
        entry = self._entries[state.task_id]
        now = self._clock()
        # Timestamps never go backwards, even when the wall clock does.
        updated_at = max(now, state.last_updated_at) if touch else state.last_updated_at
        state = replace(state, version=state.version + 1, last_updated_at=updated_at)
        entry.state = state
        self._wake(entry)
        return state

    def _wake(self, entry: _Entry) -> None:
        entry.changed.set()
        entry.changed = anyio.Event()

    def _remove(self, task_id: str) -> None:
        entry = self._entries.pop(task_id, None)
        if entry is not None:
            entry.changed.set()  # waiters see the task gone

    def _evict_expired(self) -> None:
        now = self._clock()
        while self._expiries and self._expiries[0][0] <= now:
            _, task_id = heapq.heappop(self._expiries)
            entry = self._entries.get(task_id)
            if entry is not None and entry.state.expires_at is not None and entry.state.expires_at <= now:
                self._remove(task_id)
        # The heap keeps entries of tasks removed early (evicted to make room, deleted); drop them when they
        # outnumber the live tasks, so that the heap stays bounded too.
        if len(self._expiries) > 2 * len(self._entries) + 64:
            self._expiries = [item for item in self._expiries if item[1] in self._entries]
            heapq.heapify(self._expiries)


def store_from_url(url: str) -> TaskStore:
    """The store a URL names: `memory://` (an `InMemoryTaskStore`, `?max_tasks=N`) or `redis://host:port/db`
    (`rediss://`, `unix://`; a `RedisTaskStore`, which needs the `redis` extra; see `RedisTaskStore.from_url`)."""
    scheme = url.partition("://")[0].lower()
    if scheme == "memory":
        query: dict[str, str] = {}
        for item in url.partition("?")[2].split("&"):
            name, _, value = item.partition("=")
            if name:
                query[name] = value
        max_tasks = int(query.pop("max_tasks", "10000"))
        if query:
            raise ValueError(f"unknown options for memory://: {', '.join(sorted(query))}")
        return InMemoryTaskStore(max_tasks=max_tasks)
    if scheme in ("redis", "rediss", "unix"):
        try:
            from .redis_store import RedisTaskStore
        except ImportError as exc:
            raise ImportError(f"{url!r} needs redis-py: pip install 'mcp-ext-tasks[redis]'") from exc
        return RedisTaskStore.from_url(url)
    raise ValueError(f"no task store for {url!r}: use memory:// or redis://host:port/db")

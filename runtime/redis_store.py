"""`RedisTaskStore`: a `TaskStore` shared by several server processes through Redis (the `redis` extra).

```python
tasks = Tasks(tools={...}, store="redis://127.0.0.1:6379/0")  # or store=RedisTaskStore.from_url(...)
```

Each task is one hash (`{prefix}:t:<id>`, expiring with the task's ttl) with a format version (`v`); every change is
one Lua script checked against `mcp_ext_tasks.constants.ALLOWED_TRANSITIONS`, so concurrent updates and cancels
from any worker stay legal and terminal states stay final. Changes are published on one channel, which wakes
`wait_for_change` in every worker. The worker that creates a task holds a lease on it while its `running()` is
entered; a sweeper in every worker marks tasks whose lease expired (their worker died) as failed. Needs asyncio.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import AsyncGenerator, Callable, Collection, Mapping
from contextlib import asynccontextmanager
from typing import Any, cast
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import anyio
import anyio.abc
import redis.asyncio as aioredis
from redis.exceptions import RedisError, ResponseError

from . import TaskStatus
from .constants import ALLOWED_TRANSITIONS, INTERNAL_ERROR, TERMINAL_STATUSES
from .store import JsonObject, TaskNotFound, TaskRecordInvalid, TaskState, TaskStoreFull, TransitionRefused

__all__ = ["RECORD_FORMAT", "RedisTaskStore"]

logger = logging.getLogger(__name__)

RECORD_FORMAT = "1"
"""The format version (`v` field) of the task records this module writes and reads."""

_RECHECK_SECONDS = 30.0  # a waiter re-reads its task this often even without a wake-up (lost pub/sub messages)
_RECONNECT_SECONDS = 1.0
_SWEEP_BATCH = 200

_LUA_PRELUDE = """
local ALLOWED = cjson.decode(%(allowed)s)
local TERMINAL = cjson.decode(%(terminal)s)
local now = tonumber(ARGV[1])
local channel, task_prefix, id = ARGV[2], ARGV[3], ARGV[4]
local KALL, KDONE, KEXP, KLEASE = KEYS[2], KEYS[3], KEYS[4], KEYS[5]

local function forget(tid)
  redis.call('DEL', task_prefix .. tid)
  redis.call('ZREM', KALL, tid); redis.call('ZREM', KDONE, tid)
  redis.call('ZREM', KEXP, tid); redis.call('ZREM', KLEASE, tid)
  redis.call('PUBLISH', channel, tid)
end

local function purge()
  for _, tid in ipairs(redis.call('ZRANGEBYSCORE', KEXP, '-inf', now, 'LIMIT', 0, 100)) do forget(tid) end
end

-- The record as a table, or nil and why: 'missing' (absent or expired) or what is wrong with it.
local function load(key, tid)
  local kind = redis.call('TYPE', key)['ok']
  if kind == 'none' then return nil, 'missing' end
  if kind ~= 'hash' then return nil, 'the key holds a ' .. kind .. ', not a task record' end
  local flat = redis.call('HGETALL', key)
  local t = {}
  for i = 1, #flat, 2 do t[flat[i]] = flat[i + 1] end
  if t['v'] ~= '%(format)s' then return nil, 'record format ' .. tostring(t['v']) .. ', expected %(format)s' end
  if ALLOWED[t['status'] or ''] == nil or not tonumber(t['created_at'] or '') or not tonumber(t['version'] or '')
      or not tonumber(t['last_updated_at'] or '') then
    return nil, 'incomplete record'
  end
  local ttl = t['ttl_ms']
  if ttl ~= nil and ttl ~= '' then
    if not tonumber(ttl) then return nil, 'incomplete record' end
    if tonumber(t['created_at']) + tonumber(ttl) / 1000 <= now then forget(tid); return nil, 'missing' end
  end
  return t, nil
end

local function flat_of(key) return redis.call('HGETALL', key) end

local function bump(key, t, touch, tid)
  redis.call('HSET', key, 'version', tonumber(t['version']) + 1)
  if touch and now > tonumber(t['last_updated_at']) then redis.call('HSET', key, 'last_updated_at', ARGV[1]) end
  redis.call('PUBLISH', channel, tid)
end

local function drop_requests(key, t)
  for field, _ in pairs(t) do
    if string.sub(field, 1, 3) == 'in:' then redis.call('HDEL', key, field) end
  end
end

-- An optional value: '-' is None, '+...' is the value.
local function set_optional(key, field, value)
  if string.sub(value, 1, 1) == '+' then redis.call('HSET', key, field, string.sub(value, 2))
  else redis.call('HDEL', key, field) end
end

local function finish(key, t, status, tid)
  if TERMINAL[status] then
    redis.call('ZADD', KDONE, t['created_at'], tid)
    redis.call('ZREM', KLEASE, tid)
  end
end
"""

_LUA: dict[str, str] = {
    "create": """
purge()
if redis.call('EXISTS', KEYS[1]) == 1 then
  local _, why = load(KEYS[1], id)
  if why ~= 'missing' then return {'taken'} end
end
if redis.call('ZCARD', KALL) >= tonumber(ARGV[5]) then
  local oldest = redis.call('ZRANGE', KDONE, 0, 0)
  if #oldest == 0 then return {'full'} end
  forget(oldest[1])
end
local created_at = ARGV[10]
redis.call('HSET', KEYS[1], unpack(ARGV, 9))
if ARGV[6] ~= '' then
  redis.call('PEXPIRE', KEYS[1], ARGV[6])
  redis.call('ZADD', KEXP, ARGV[7], id)
end
redis.call('ZADD', KALL, created_at, id)
if ARGV[8] ~= '' then redis.call('ZADD', KLEASE, ARGV[8], id) end
return {'ok'}
""",
    "transition": """
local t, why = load(KEYS[1], id)
if t == nil then return {why} end
local status = ARGV[5]
if not ALLOWED[t['status']][status] then return {'refused', flat_of(KEYS[1])} end
redis.call('HSET', KEYS[1], 'status', status)
set_optional(KEYS[1], 'msg', ARGV[6]); set_optional(KEYS[1], 'result', ARGV[7]); set_optional(KEYS[1], 'error', ARGV[8])
drop_requests(KEYS[1], t)
finish(KEYS[1], t, status, id)
bump(KEYS[1], t, true, id)
return {'ok', flat_of(KEYS[1])}
""",
    "request_input": """
local t, why = load(KEYS[1], id)
if t == nil then return {why} end
if t['status'] ~= 'input_required' and not ALLOWED[t['status']]['input_required'] then
  return {'refused', flat_of(KEYS[1])}
end
local reused = {}
for i = 5, #ARGV, 2 do
  if t['used:' .. ARGV[i]] ~= nil then table.insert(reused, ARGV[i]) end
end
if #reused > 0 then return {'reused', reused} end
local seq = tonumber(t['seq'] or '0')
for i = 5, #ARGV, 2 do
  seq = seq + 1
  redis.call('HSET', KEYS[1], 'in:' .. ARGV[i], seq .. ' ' .. ARGV[i + 1], 'used:' .. ARGV[i], '1')
end
redis.call('HSET', KEYS[1], 'seq', seq, 'status', 'input_required')
redis.call('HDEL', KEYS[1], 'msg')
bump(KEYS[1], t, true, id)
return {'ok', flat_of(KEYS[1])}
""",
    "answer_input": """
local t, why = load(KEYS[1], id)
if t == nil then return {why} end
local accepted = 0
for i = 5, #ARGV, 2 do
  local field = 'in:' .. ARGV[i]
  if t[field] ~= nil then
    t[field] = nil
    accepted = accepted + 1
    redis.call('HDEL', KEYS[1], field)
    redis.call('HSET', KEYS[1], 'out:' .. ARGV[i], ARGV[i + 1])
  end
end
if accepted == 0 then return {'ok', flat_of(KEYS[1])} end
local outstanding = false
for field, _ in pairs(t) do
  if string.sub(field, 1, 3) == 'in:' then outstanding = true end
end
if not outstanding and t['status'] == 'input_required' then redis.call('HSET', KEYS[1], 'status', 'working') end
bump(KEYS[1], t, true, id)
return {'ok', flat_of(KEYS[1])}
""",
    "take_responses": """
local t, why = load(KEYS[1], id)
if t == nil then return {why} end
local taken = {}
for i = 5, #ARGV do
  local value = t['out:' .. ARGV[i]]
  if value ~= nil then
    table.insert(taken, ARGV[i]); table.insert(taken, value)
    redis.call('HDEL', KEYS[1], 'out:' .. ARGV[i])
  end
end
if #taken > 0 then bump(KEYS[1], t, false, id) end
return {'ok', flat_of(KEYS[1]), taken}
""",
    "delete": """
forget(id)
return {'ok'}
""",
    "sweep": """
purge()
local failed = {}
for _, tid in ipairs(redis.call('ZRANGEBYSCORE', KLEASE, '-inf', now, 'LIMIT', 0, tonumber(ARGV[7]))) do
  local key = task_prefix .. tid
  local t, why = load(key, tid)
  if t ~= nil and not TERMINAL[t['status']] then
    redis.call('HSET', key, 'status', 'failed', 'msg', ARGV[5], 'error', ARGV[6])
    drop_requests(key, t)
    finish(key, t, 'failed', tid)
    bump(key, t, true, tid)
    table.insert(failed, tid)
  end
  redis.call('ZREM', KLEASE, tid)
end
return failed
""",
    "renew": """
local gone = {}
for i = 6, #ARGV do
  if redis.call('ZSCORE', KLEASE, ARGV[i]) then redis.call('ZADD', KLEASE, ARGV[5], ARGV[i])
  else table.insert(gone, ARGV[i]) end
end
return gone
""",
}


def _lua_string(value: str) -> str:
    return json.dumps(value)  # a JSON string literal without escapes is a Lua string literal too


def _script_source(body: str) -> str:
    allowed = {status: {target: True for target in sorted(targets)} for status, targets in ALLOWED_TRANSITIONS.items()}
    terminal = {status: True for status in sorted(TERMINAL_STATUSES)}
    prelude = _LUA_PRELUDE % {
        "allowed": _lua_string(json.dumps(allowed, separators=(",", ":"))),
        "terminal": _lua_string(json.dumps(terminal, separators=(",", ":"))),
        "format": RECORD_FORMAT,
    }
    return prelude + body


def _text(value: Any) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else str(value)


def _optional(value: Mapping[str, Any] | str | None) -> str:
    if value is None:
        return "-"
    return "+" + (value if isinstance(value, str) else json.dumps(value, separators=(",", ":")))


class RedisTaskStore:
    """A `TaskStore` on Redis, shared by every server process that uses the same Redis and `prefix`.

    Args:
        client: A `redis.asyncio.Redis` client (the store does not close it); see `from_url` to make one.
        prefix: The namespace of the store's keys (a Redis Cluster hash tag, so that every key is in one slot).
        max_tasks: The most tasks held at once; the oldest finished task makes room, `TaskStoreFull` when none is.
        lease_ms: How long a task whose worker stopped renewing its lease stays `working` before the sweeper of
            any worker marks it failed. Leases are renewed every third of it, and swept every half of it.
        clock: The wall clock (seconds since the epoch); every worker's should agree to well within `lease_ms`.
    """

    def __init__(
        self,
        client: aioredis.Redis,
        *,
        prefix: str = "mcp-tasks",
        max_tasks: int = 100_000,
        lease_ms: int = 15_000,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if max_tasks < 1:
            raise ValueError("max_tasks must be at least 1")
        if lease_ms < 30:
            raise ValueError("lease_ms must be at least 30")
        self.client = client
        """The Redis client."""
        self.max_tasks = max_tasks
        """The most tasks held at once."""
        self.lease_ms = lease_ms
        """How long a task outlives its worker's last lease renewal."""
        self._clock = clock
        base = "{" + prefix + "}:"
        self._task_prefix = base + "t:"
        self._channel = base + "changed"
        self._keys = [base + "all", base + "done", base + "exp", base + "lease"]
        self._redis: Any = client  # redis-py types its replies loosely (sync or async): checked here instead
        self._scripts: dict[str, Any] = {
            name: self._redis.register_script(_script_source(body)) for name, body in _LUA.items()
        }
        self._owned: set[str] = set()
        self._events: dict[str, anyio.Event] = {}
        self._waiters: dict[str, int] = {}
        self._listening = 0
        self._owns_client = False

    @classmethod
    def from_url(cls, url: str, **options: Any) -> RedisTaskStore:
        """A store on the Redis at `url` (`redis://[:password@]host:port/db`, `rediss://`, `unix://`).

        The query may also carry the store's own options: `?prefix=...&max_tasks=...&lease_ms=...`; keyword
        `options` win over them. The store owns this client: `aclose()` closes it.
        """
        parts = urlsplit(url)
        ours: dict[str, Any] = {}
        theirs: list[tuple[str, str]] = []
        for name, value in parse_qsl(parts.query):
            if name == "prefix":
                ours[name] = value
            elif name in ("max_tasks", "lease_ms"):
                ours[name] = int(value)
            else:
                theirs.append((name, value))
        redis_class: Any = aioredis.Redis
        client = redis_class.from_url(urlunsplit(parts._replace(query=urlencode(theirs))), decode_responses=True)
        store = cls(client, **{**ours, **options})
        store._owns_client = True
        return store

    async def aclose(self) -> None:
        """Close the Redis client when the store made it (`from_url`)."""
        if self._owns_client:
            await self._redis.aclose()

    def key(self, task_id: str) -> str:
        """The Redis key of a task's record (a hash)."""
        return self._task_prefix + task_id

    # ------------------------------------------------------------------------------------------ the protocol
    async def create(self, state: TaskState) -> None:
        """See `TaskStore.create`; the task is leased to this process."""
        now = self._clock()
        expires_at = state.expires_at
        ttl_ms = "" if expires_at is None else str(max(1, math.ceil((expires_at - now) * 1000)))
        lease = repr(now + self.lease_ms / 1000)
        fields = _fields(state)
        args = [self.max_tasks, ttl_ms, "" if expires_at is None else repr(expires_at), lease, *fields]
        reply = await self._run("create", state.task_id, args)
        if reply[0] == "taken":
            raise ValueError(f"task id {state.task_id!r} is taken")
        if reply[0] == "full":
            raise TaskStoreFull(f"{self.max_tasks} unfinished tasks are stored; no room for another")
        self._owned.add(state.task_id)

    async def get(self, task_id: str) -> TaskState | None:
        """See `TaskStore.get`. Raises `TaskRecordInvalid` when the record cannot be read."""
        try:
            flat: Any = await self._redis.hgetall(self._task_prefix + task_id)
        except (ResponseError, UnicodeDecodeError) as exc:
            raise TaskRecordInvalid(task_id, str(exc)) from exc
        if not flat:
            return None
        state = _parse(task_id, flat)
        expires_at = state.expires_at
        return None if expires_at is not None and expires_at <= self._clock() else state

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
        reply = await self._run(
            "transition", task_id, [status, _optional(status_message), _optional(result), _optional(error)]
        )
        state = self._state(task_id, reply, status)
        if state.is_terminal:
            self._owned.discard(task_id)
        return state

    async def request_input(self, task_id: str, requests: Mapping[str, JsonObject]) -> TaskState:
        """See `TaskStore.request_input`."""
        reply = await self._run("request_input", task_id, _pairs(requests))
        if reply[0] == "reused":
            reused = ", ".join(sorted(_text(key) for key in reply[1]))
            raise ValueError(f"input-request keys are never reused within a task: {reused}")
        return self._state(task_id, reply, "input_required")

    async def answer_input(self, task_id: str, responses: Mapping[str, JsonObject]) -> TaskState:
        """See `TaskStore.answer_input`."""
        return self._state(task_id, await self._run("answer_input", task_id, _pairs(responses)), "working")

    async def take_responses(self, task_id: str, keys: Collection[str]) -> tuple[dict[str, JsonObject], TaskState]:
        """See `TaskStore.take_responses`."""
        reply = await self._run("take_responses", task_id, list(keys))
        state = self._state(task_id, reply, "working")
        pairs = [_text(item) for item in reply[2]]
        try:
            taken = {pairs[i]: json.loads(pairs[i + 1]) for i in range(0, len(pairs), 2)}
        except ValueError as exc:
            raise TaskRecordInvalid(task_id, f"an input response is not JSON ({exc})") from exc
        return taken, state

    async def wait_for_change(self, task_id: str, version: int) -> TaskState | None:
        """See `TaskStore.wait_for_change`: woken through Redis pub/sub by a change in any process.

        Inside `running()` one subscription serves every waiter; outside it, each waiter subscribes on its own.
        """
        if not self._listening:
            return await self._wait_alone(task_id, version)
        self._waiters[task_id] = self._waiters.get(task_id, 0) + 1
        try:
            while True:
                event = self._events.setdefault(task_id, anyio.Event())
                state = await self.get(task_id)
                if state is None or state.version != version:
                    return state
                with anyio.move_on_after(self._wait_seconds(state)):
                    await event.wait()
        finally:
            self._waiters[task_id] -= 1
            if not self._waiters[task_id]:
                del self._waiters[task_id]
                self._events.pop(task_id, None)

    async def delete(self, task_id: str) -> None:
        """See `TaskStore.delete`."""
        await self._run("delete", task_id, [])
        self._owned.discard(task_id)

    @asynccontextmanager
    async def running(self) -> AsyncGenerator[None, None]:
        """Serve this process's waiters from one subscription, renew the leases of its tasks, sweep dead ones."""
        if self._listening:  # entered again (a second server on this store): the first entry does the work
            self._listening += 1
            try:
                yield
            finally:
                self._listening -= 1
            return
        try:
            async with anyio.create_task_group() as group:
                await group.start(self._listen)
                group.start_soon(self._keep_leases)
                try:
                    yield
                finally:
                    group.cancel_scope.cancel()
        finally:
            self._listening = 0
            if self._owns_client:  # the connections reopen on demand
                with anyio.CancelScope(shield=True):
                    await self._redis.connection_pool.disconnect()

    # ------------------------------------------------------------------------------------------ leases
    async def renew_leases(self) -> None:
        """Extend the lease of every unfinished task this process created (done periodically by `running()`)."""
        if not self._owned:
            return
        deadline = repr(self._clock() + self.lease_ms / 1000)
        gone = await self._run("renew", "", [deadline, *sorted(self._owned)])
        self._owned.difference_update(_text(item) for item in cast("list[Any]", gone))

    async def sweep(self) -> list[str]:
        """Mark failed the unfinished tasks whose lease expired (their worker died); their ids.

        Also evicts expired tasks from the store's indexes. Done periodically by `running()` in every process.
        """
        message = "The worker running the task stopped (its lease expired)"
        error = json.dumps({"code": INTERNAL_ERROR, "message": message})
        failed = await self._run("sweep", "", [message, error, _SWEEP_BATCH])
        return [_text(item) for item in cast("list[Any]", failed)]

    async def _keep_leases(self) -> None:
        interval = self.lease_ms / 3000
        next_sweep = 0.0
        while True:
            try:
                await self.renew_leases()
                if anyio.current_time() >= next_sweep:
                    next_sweep = anyio.current_time() + self.lease_ms / 2000
                    failed = await self.sweep()
                    if failed:
                        logger.warning("Tasks whose worker stopped were marked failed: %s", ", ".join(failed))
            except Exception as exc:  # never a crash of the worker: the next round tries again
                logger.warning("Redis task store: leases not renewed or swept (%s)", exc)
            await anyio.sleep(interval)

    # ------------------------------------------------------------------------------------------ wake-ups
    async def _listen(self, *, task_status: anyio.abc.TaskStatus[None] = anyio.TASK_STATUS_IGNORED) -> None:
        started = False
        while True:
            pubsub: Any = self._redis.pubsub()  # redis-py leaves parts of PubSub untyped
            try:
                await self._subscribe(pubsub)
                self._listening = max(self._listening, 1)
                for event in self._events.values():  # changes may have been missed while (re)connecting
                    event.set()
                self._events.clear()
                if not started:
                    started = True
                    task_status.started()
                while True:
                    message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_RECHECK_SECONDS)
                    if message is not None and message.get("type") == "message":
                        woken = self._events.pop(_text(message["data"]), None)
                        if woken is not None:
                            woken.set()
            except (RedisError, OSError) as exc:
                if not started:
                    raise
                logger.warning("Redis task store: subscription lost (%s); reconnecting", exc)
                await anyio.sleep(_RECONNECT_SECONDS)
            finally:
                with anyio.CancelScope(shield=True):
                    await pubsub.aclose()

    async def _subscribe(self, pubsub: Any) -> None:
        """Subscribe and wait for Redis to confirm it: from then on, no change is missed."""
        await pubsub.subscribe(self._channel)
        with anyio.fail_after(10):
            while True:
                message = await pubsub.get_message(timeout=1.0)
                if message is not None and message.get("type") == "subscribe":
                    return

    async def _wait_alone(self, task_id: str, version: int) -> TaskState | None:
        pubsub: Any = self._redis.pubsub()
        try:
            await self._subscribe(pubsub)
            while True:
                state = await self.get(task_id)
                if state is None or state.version != version:
                    return state
                with anyio.move_on_after(self._wait_seconds(state)):
                    while True:
                        message = await pubsub.get_message(ignore_subscribe_messages=True, timeout=_RECHECK_SECONDS)
                        if message is not None and _text(message.get("data")) == task_id:
                            break
        finally:
            with anyio.CancelScope(shield=True):
                await pubsub.aclose()

    def _wait_seconds(self, state: TaskState) -> float:
        expires_at = state.expires_at
        if expires_at is None:
            return _RECHECK_SECONDS
        return min(_RECHECK_SECONDS, max(0.0, expires_at - self._clock()) + 0.001)

    # ------------------------------------------------------------------------------------------ plumbing
    async def _run(self, script: str, task_id: str, args: list[Any]) -> Any:
        argv = [repr(self._clock()), self._channel, self._task_prefix, task_id, *args]
        try:
            reply: Any = await self._scripts[script](keys=[self._task_prefix + task_id, *self._keys], args=argv)
        except (ResponseError, UnicodeDecodeError) as exc:
            raise TaskRecordInvalid(task_id, f"Redis refused the {script} script: {exc}") from exc
        if script in ("sweep", "renew") or not reply:
            return reply
        items: list[Any] = list(reply)
        return [_text(items[0]), *items[1:]]

    def _state(self, task_id: str, reply: list[Any], wanted: str) -> TaskState:
        code = reply[0]
        if code == "ok":
            return _parse(task_id, _as_mapping(reply[1]))
        if code == "missing":
            raise TaskNotFound(task_id)
        if code == "refused":
            raise TransitionRefused(_parse(task_id, _as_mapping(reply[1])), wanted)
        raise TaskRecordInvalid(task_id, code)


def _pairs(values: Mapping[str, JsonObject]) -> list[str]:
    return [item for key, value in values.items() for item in (key, json.dumps(value, separators=(",", ":")))]


def _fields(state: TaskState) -> list[str]:
    """The record of a new task as hash field/value pairs; `created_at` comes first (the create script reads it)."""
    fields: dict[str, str] = {
        "created_at": repr(state.created_at),
        "v": RECORD_FORMAT,
        "status": state.status,
        "last_updated_at": repr(state.last_updated_at),
        "ttl_ms": "" if state.ttl_ms is None else str(state.ttl_ms),
        "poll_ms": "" if state.poll_interval_ms is None else str(state.poll_interval_ms),
        "version": str(state.version),
    }
    optional = {"msg": state.status_message, "owner": state.owner}
    fields.update({name: value for name, value in optional.items() if value is not None})
    if state.result is not None:
        fields["result"] = json.dumps(state.result, separators=(",", ":"))
    if state.error is not None:
        fields["error"] = json.dumps(state.error, separators=(",", ":"))
    for n, (key, request) in enumerate(state.input_requests.items(), start=1):
        fields[f"in:{key}"] = f"{n} {json.dumps(request, separators=(',', ':'))}"
    fields["seq"] = str(len(state.input_requests))
    for key, response in state.responses.items():
        fields[f"out:{key}"] = json.dumps(response, separators=(",", ":"))
    fields.update({f"used:{key}": "1" for key in state.used_keys | set(state.input_requests)})
    return [item for pair in fields.items() for item in pair]


def _as_mapping(flat: Any) -> dict[str, str]:
    if not isinstance(flat, (list, tuple)):  # HGETALL's reply
        return {_text(key): _text(value) for key, value in dict(flat).items()}
    items = [_text(item) for item in cast("list[Any]", flat)]
    return dict(zip(items[::2], items[1::2], strict=False))


def _parse(task_id: str, flat: Mapping[Any, Any]) -> TaskState:
    """A record's state; `TaskRecordInvalid` saying what is wrong when it is not a record of this format."""
    record = _as_mapping(flat)
    version = record.get("v")
    if version != RECORD_FORMAT:
        why = "no format version: not a task record" if version is None else f"record format {version!r}"
        raise TaskRecordInvalid(task_id, f"{why} (this version of mcp-ext-tasks reads format {RECORD_FORMAT})")
    try:
        status = record["status"]
        if status not in ALLOWED_TRANSITIONS:
            raise ValueError(f"unknown status {status!r}")
        requests: list[tuple[int, str, JsonObject]] = []
        responses: dict[str, JsonObject] = {}
        used: set[str] = set()
        for field, value in record.items():
            kind, _, key = field.partition(":")
            if kind == "in" and key:
                seq, _, body = value.partition(" ")
                requests.append((int(seq), key, json.loads(body)))
            elif kind == "out" and key:
                responses[key] = json.loads(value)
            elif kind == "used" and key:
                used.add(key)
        optional = {name: record.get(name) for name in ("result", "error")}
        return TaskState(
            task_id=task_id,
            status=cast("TaskStatus", status),
            created_at=float(record["created_at"]),
            last_updated_at=float(record["last_updated_at"]),
            ttl_ms=int(record["ttl_ms"]) if record.get("ttl_ms") else None,
            poll_interval_ms=int(record["poll_ms"]) if record.get("poll_ms") else None,
            status_message=record.get("msg"),
            input_requests={key: request for _, key, request in sorted(requests, key=lambda item: item[0])},
            responses=responses,
            used_keys=frozenset(used),
            result=None if optional["result"] is None else json.loads(optional["result"]),
            error=None if optional["error"] is None else json.loads(optional["error"]),
            owner=record.get("owner"),
            version=int(record["version"]),
        )
    except (KeyError, ValueError, TypeError) as exc:
        missing = f"field {exc} is missing" if isinstance(exc, KeyError) else str(exc)
        raise TaskRecordInvalid(task_id, f"truncated or malformed record: {missing}") from exc

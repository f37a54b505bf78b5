"""The `TaskStore` contract, run against every store implementation: `InMemoryTaskStore` and `RedisTaskStore`
(on a real redis-server started for the session, both inside its `running()` and without it).

A new store joins by adding a factory to `STORES`; the contract tests then cover it.
"""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import AbstractAsyncContextManager, asynccontextmanager

import anyio
import pytest

from mcp_ext_tasks.store import (
    InMemoryTaskStore,
    TaskNotFound,
    TaskState,
    TaskStore,
    TaskStoreFull,
    TransitionRefused,
    store_from_url,
)


class Clock:
    """A wall clock the test moves by hand."""

    def __init__(self) -> None:
        self.now = 1_800_000_000.0

    def __call__(self) -> float:
        return self.now


StoreFactory = Callable[[pytest.FixtureRequest, Clock, int], AbstractAsyncContextManager[TaskStore]]


@asynccontextmanager
async def in_memory(request: pytest.FixtureRequest, clock: Clock, max_tasks: int) -> AsyncIterator[TaskStore]:
    store = InMemoryTaskStore(max_tasks=max_tasks, clock=clock)
    async with store.running():
        yield store


def on_redis(*, running: bool) -> StoreFactory:
    @asynccontextmanager
    async def make(request: pytest.FixtureRequest, clock: Clock, max_tasks: int) -> AsyncIterator[TaskStore]:
        from mcp_ext_tasks.redis_store import RedisTaskStore

        url = request.getfixturevalue("redis_url")
        # A fresh key prefix per test: the tests share one redis-server and never see each other's tasks.
        store = RedisTaskStore.from_url(url, prefix=f"test-{uuid.uuid4().hex}", max_tasks=max_tasks, clock=clock)
        try:
            if running:
                async with store.running():
                    yield store
            else:
                yield store
        finally:
            await store.aclose()

    return make


STORES: dict[str, StoreFactory] = {
    "in-memory": in_memory,
    "redis": on_redis(running=True),
    "redis-unattended": on_redis(running=False),  # waiters subscribe on their own
}
ELICIT = {"method": "elicitation/create", "params": {"message": "ok?", "requestedSchema": {"type": "object"}}}
ACCEPT = {"action": "accept", "content": {"ok": True}}


def new_task(clock: Clock, task_id: str = "t1", ttl_ms: int | None = 60_000) -> TaskState:
    return TaskState(task_id=task_id, status="working", created_at=clock.now, last_updated_at=clock.now, ttl_ms=ttl_ms)


MakeStore = Callable[..., AbstractAsyncContextManager[tuple[TaskStore, Clock]]]


@pytest.fixture(params=sorted(STORES))
def make_store(request: pytest.FixtureRequest) -> MakeStore:
    if request.param.startswith("redis"):
        request.getfixturevalue("redis_url")  # started (or skipped) before the test's event loop runs

    @asynccontextmanager
    async def make(max_tasks: int = 100) -> AsyncIterator[tuple[TaskStore, Clock]]:
        clock = Clock()
        async with STORES[request.param](request, clock, max_tasks) as store:
            yield store, clock

    return make


def run(test: Callable[[], Awaitable[None]]) -> None:
    async def bounded() -> None:
        with anyio.fail_after(5):
            await test()

    anyio.run(bounded)


def test_a_created_task_is_found_at_once(make_store: MakeStore) -> None:
    async def scenario() -> None:
        async with make_store() as (store, clock):
            await store.create(new_task(clock))
            found = await store.get("t1")
            assert found is not None and found.status == "working" and found.expires_at == clock.now + 60
            assert await store.get("t2") is None
            with pytest.raises(ValueError, match="taken"):
                await store.create(new_task(clock))

    run(scenario)


def test_transitions_follow_the_state_machine(make_store: MakeStore) -> None:
    async def scenario() -> None:
        async with make_store() as (store, clock):
            await store.create(new_task(clock))
            clock.now += 1
            done = await store.transition("t1", "completed", result={"content": []})
            assert done.status == "completed" and done.result == {"content": []} and done.last_updated_at == clock.now
            for status in ("working", "input_required", "failed", "cancelled", "completed"):
                with pytest.raises(TransitionRefused):
                    await store.transition("t1", status)  # type: ignore[arg-type]
            with pytest.raises(TransitionRefused):
                await store.request_input("t1", {"k": ELICIT})
            with pytest.raises(TaskNotFound):
                await store.transition("nope", "cancelled")

    run(scenario)


def test_input_requests_park_the_task_until_every_key_is_answered(
    make_store: MakeStore,
) -> None:
    async def scenario() -> None:
        async with make_store() as (store, clock):
            await store.create(new_task(clock))
            await store.request_input("t1", {"a": ELICIT})
            state = await store.request_input("t1", {"b": ELICIT})
            assert state.status == "input_required" and list(state.input_requests) == ["a", "b"]
            state = await store.answer_input("t1", {"a": ACCEPT, "zzz": ACCEPT})
            assert state.status == "input_required" and list(state.input_requests) == ["b"]
            assert (await store.answer_input("t1", {"a": {"action": "decline"}})).version == state.version  # ignored
            taken, state = await store.take_responses("t1", ["a", "b"])
            assert taken == {"a": ACCEPT} and state.responses == {}
            state = await store.answer_input("t1", {"b": ACCEPT})
            assert state.status == "working" and state.input_requests == {} and state.responses == {"b": ACCEPT}
            with pytest.raises(ValueError, match="never reused"):
                await store.request_input("t1", {"a": ELICIT})

    run(scenario)


def test_waiters_wake_on_every_change_and_when_the_task_goes(
    make_store: MakeStore,
) -> None:
    async def scenario() -> None:
        async with make_store() as (store, clock):
            created = new_task(clock)
            await store.create(created)
            seen: list[str | None] = []

            async def watch() -> None:
                version = created.version
                while True:
                    state = await store.wait_for_change("t1", version)
                    seen.append(None if state is None else state.status)
                    if state is None:
                        return
                    version = state.version

            async with anyio.create_task_group() as group:
                group.start_soon(watch)
                await anyio.sleep(0.01)
                await store.request_input("t1", {"a": ELICIT})
                await anyio.sleep(0.01)
                await store.transition("t1", "cancelled")
                await anyio.sleep(0.01)
                await store.delete("t1")
            assert seen == ["input_required", "cancelled", None]

    run(scenario)


def test_expired_tasks_are_gone(make_store: MakeStore) -> None:
    async def scenario() -> None:
        async with make_store() as (store, clock):
            await store.create(new_task(clock, "short", ttl_ms=1_000))
            await store.create(new_task(clock, "forever", ttl_ms=None))
            clock.now += 1.0
            assert await store.get("short") is None
            assert await store.wait_for_change("short", 0) is None
            with pytest.raises(TaskNotFound):
                await store.answer_input("short", {})
            assert await store.get("forever") is not None

    run(scenario)


def test_a_waiter_learns_of_an_expiry_without_any_other_operation() -> None:
    async def scenario() -> None:
        store = InMemoryTaskStore()  # the real clock: the wait must end when the ttl does
        now = time.time()
        created = TaskState(task_id="t", status="working", created_at=now, last_updated_at=now, ttl_ms=100)
        await store.create(created)
        started = time.monotonic()
        assert await store.wait_for_change("t", created.version) is None
        assert 0.05 < time.monotonic() - started < 2

    run(scenario)


def test_the_store_is_bounded(make_store: MakeStore) -> None:
    async def scenario() -> None:
        async with make_store(max_tasks=2) as (store, clock):
            await store.create(new_task(clock, "a"))
            await store.create(new_task(clock, "b"))
            with pytest.raises(TaskStoreFull):
                await store.create(new_task(clock, "c"))
            await store.transition("b", "completed", result={})
            await store.create(new_task(clock, "c"))  # the oldest finished task made room
            assert await store.get("b") is None and await store.get("a") is not None

    run(scenario)


def test_the_in_memory_store_stays_small_under_churn() -> None:
    async def scenario() -> None:
        clock = Clock()
        store = InMemoryTaskStore(max_tasks=50, clock=clock)
        for n in range(2_000):
            await store.create(new_task(clock, f"t{n}", ttl_ms=5_000))
            await store.transition(f"t{n}", "completed", result={})
            clock.now += 0.01
        assert len(store) == 50
        assert len(store._expiries) <= 2 * 50 + 64

    run(scenario)


def test_stores_are_chosen_by_url() -> None:
    small = store_from_url("memory://?max_tasks=5")
    assert isinstance(small, InMemoryTaskStore) and small.max_tasks == 5
    with pytest.raises(ValueError, match="unknown options"):
        store_from_url("memory://?maxtasks=5")
    with pytest.raises(ValueError, match="use memory:// or redis://"):
        store_from_url("postgres://db")
    pytest.importorskip("redis.asyncio", reason="the redis extra is not installed")
    from mcp_ext_tasks.redis_store import RedisTaskStore

    shared = store_from_url("redis://127.0.0.1:1/3?prefix=p&lease_ms=900&max_tasks=7&socket_timeout=2")
    assert isinstance(shared, RedisTaskStore) and (shared.lease_ms, shared.max_tasks) == (900, 7)
    assert shared.key("x") == "{p}:t:x"
    assert shared.client.connection_pool.connection_kwargs["db"] == 3
    assert shared.client.connection_pool.connection_kwargs["socket_timeout"] == 2


def test_the_core_and_the_store_protocol_import_neither_redis_nor_mcp() -> None:
    probe = "import sys, mcp_ext_tasks, mcp_ext_tasks.store; print(sorted({'redis', 'mcp'} & set(sys.modules)))"
    shown = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert shown.stdout.strip() == "[]"

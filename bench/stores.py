"""The task stores under load: tasks/get latency and throughput over streamable HTTP with 1,000 live tasks, on two
workers sharing a RedisTaskStore and on one worker with the InMemoryTaskStore; the stores' own `get`; Redis memory
per task. Real processes: examples/conformance_server.py workers and a throwaway redis-server on 127.0.0.1.

`python -m bench --store-only` writes docs/benchmarks-store.md alone; `python -m bench` writes it too.
"""

from __future__ import annotations

import os
import statistics
import sys
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, ExitStack, asynccontextmanager
from importlib import metadata
from pathlib import Path
from typing import Any

import anyio
from mcp.client import Client

from mcp_ext_tasks import CreateTaskResult
from mcp_ext_tasks.client import TasksClient, get_task
from mcp_ext_tasks.store import InMemoryTaskStore, TaskState, TaskStore

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))
from services import free_port, redis_server, redis_server_command, running  # noqa: E402

SERVER = REPO / "examples" / "conformance_server.py"
LIVE_TASKS = 1_000
CONCURRENCY = 8  # requests in flight during the throughput run, spread over the workers


async def _create_tasks(urls: list[str], count: int) -> list[str]:
    """`count` live tasks (slow_compute for 10 minutes), created round-robin on the workers."""
    ids: list[str] = []
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(Client(url, extensions=[TasksClient()])) for url in urls]

        async def make(client: Client, n: int) -> None:
            for _ in range(n):
                handle = await client.session.call_tool("slow_compute", {"seconds": 600}, allow_claimed=True)
                assert isinstance(handle, CreateTaskResult)
                ids.append(handle.task_id)

        per_loop = count // (4 * len(clients))
        async with anyio.create_task_group() as group:
            for client in clients:
                for _ in range(4):
                    group.start_soon(make, client, per_loop)
    return ids


async def _measure(urls: list[str], ids: list[str], seconds: float) -> dict[str, float]:
    """Sequential latency (one client per worker, alternating) and throughput (CONCURRENCY loops) of tasks/get."""
    async with AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(Client(url, extensions=[TasksClient()])) for url in urls]
        latencies: list[float] = []
        for n in range(600):
            client = clients[n % len(clients)]
            started = time.perf_counter()
            snapshot = await get_task(client, ids[(n * 7919) % len(ids)])
            latencies.append(time.perf_counter() - started)
            assert snapshot.status == "working"
        latencies = latencies[100:]  # warm-up
        loops = [
            await stack.enter_async_context(Client(urls[n % len(urls)], extensions=[TasksClient()]))
            for n in range(CONCURRENCY)
        ]
        done = 0
        deadline = time.perf_counter() + seconds

        async def hammer(client: Client, seed: int) -> None:
            nonlocal done
            n = seed
            while time.perf_counter() < deadline:
                await get_task(client, ids[(n * 7919) % len(ids)])
                n += CONCURRENCY
                done += 1

        started = time.perf_counter()
        async with anyio.create_task_group() as group:
            for seed, client in enumerate(loops):
                group.start_soon(hammer, client, seed)
        elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    return {
        "p50": statistics.median(ordered) * 1000,
        "p95": ordered[int(len(ordered) * 0.95)] * 1000,
        "p99": ordered[int(len(ordered) * 0.99)] * 1000,
        "rps": done / elapsed,
    }


async def _store_get_us(store: TaskStore, ids: list[str], calls: int = 3_000) -> float:
    """Median microseconds of `store.get` (sequential, in this process)."""
    times: list[float] = []
    for n in range(calls):
        started = time.perf_counter()
        await store.get(ids[n % len(ids)])
        times.append(time.perf_counter() - started)
    return statistics.median(times) * 1e6


async def _redis_memory(url: str) -> dict[str, float]:
    """Bytes per task in Redis: the record and its index entries (INFO memory delta), live and completed."""
    from mcp_ext_tasks.redis_store import RedisTaskStore

    figures: dict[str, float] = {}
    result = {"content": [{"type": "text", "text": "computed the forecast for Rome in 1 s" * 3}], "isError": False}
    for kind in ("working", "completed"):
        store = RedisTaskStore.from_url(url, prefix=f"memory-{kind}")
        redis: Any = store.client
        before = (await redis.info("memory"))["used_memory"]
        now = time.time()
        for n in range(LIVE_TASKS):
            task_id = f"{kind}-{n:06d}-{os.urandom(12).hex()}"
            state = TaskState(task_id=task_id, status="working", created_at=now, last_updated_at=now, ttl_ms=300_000)
            await store.create(state)
            if kind == "completed":
                await store.transition(task_id, "completed", result=result)
        after = (await redis.info("memory"))["used_memory"]
        figures[f"{kind} (INFO delta)"] = (after - before) / LIVE_TASKS
        figures[f"{kind} (MEMORY USAGE of the record)"] = float(await redis.memory_usage(store.key(task_id)))
        await store.aclose()
    return figures


@asynccontextmanager
async def _workers(store_url: str, count: int) -> AsyncIterator[list[str]]:
    with ExitStack() as stack:
        urls: list[str] = []
        for _ in range(count):
            port = free_port()
            command = [sys.executable, str(SERVER), "--port", str(port), "--store", store_url]
            stack.enter_context(running(command, port, "a worker"))
            urls.append(f"http://127.0.0.1:{port}/mcp")
        yield urls


async def _run(quick: bool) -> list[str]:
    seconds = 2.0 if quick else 5.0
    rows: list[tuple[str, dict[str, float]]] = []
    async with _workers("memory://", 1) as urls:
        ids = await _create_tasks(urls, LIVE_TASKS)
        rows.append(("in-memory, 1 worker", await _measure(urls, ids, seconds)))
    memory_store = InMemoryTaskStore()
    now = time.time()
    for n in range(LIVE_TASKS):
        await memory_store.create(TaskState(task_id=f"t{n}", status="working", created_at=now, last_updated_at=now,
                                            ttl_ms=300_000))  # fmt: skip
    direct = {"InMemoryTaskStore.get": await _store_get_us(memory_store, [f"t{n}" for n in range(LIVE_TASKS)])}
    with redis_server() as redis_url:
        async with _workers(f"{redis_url}?prefix=bench", 2) as urls:
            ids = await _create_tasks(urls, LIVE_TASKS)
            rows.append(("Redis, 2 workers (half the reads on the other worker)", await _measure(urls, ids, seconds)))
            from mcp_ext_tasks.redis_store import RedisTaskStore

            reader = RedisTaskStore.from_url(redis_url, prefix="bench")
            direct["RedisTaskStore.get (one connection, localhost)"] = await _store_get_us(reader, ids)
            await reader.aclose()
        memory = await _redis_memory(redis_url)
        redis_version = os.popen(f"{redis_server_command(0)[0]} --version").read().split()[2]  # type: ignore[index]
    return [
        "# Task stores under load",
        "",
        "Written by `nox -s bench` (`python -m bench --store-only` for this page alone); do not edit.",
        f"{LIVE_TASKS:,} live tasks (slow_compute, running), created over streamable HTTP; then tasks/get for",
        "random ones over streamable HTTP from the mcp SDK's client: latency of sequential calls (500 after 100 of",
        f"warm-up, alternating between the workers) and throughput with {CONCURRENCY} calls in flight for",
        f"{seconds:g} s. Client, workers and redis-server share the machine below.",
        "",
        f"- Machine: {os.cpu_count()} cores; Python {sys.version.split()[0]}; redis-py {metadata.version('redis')};"
        f" redis-server {redis_version.removeprefix('v=')}",
        "",
        "| store | p50 ms | p95 ms | p99 ms | tasks/get per s |",
        "|---|---|---|---|---|",
        *(f"| {name} | {m['p50']:.2f} | {m['p95']:.2f} | {m['p99']:.2f} | {m['rps']:.0f} |" for name, m in rows),
        "",
        "## The stores' own `get` (µs per call, median, in one process)",
        "",
        "| call | µs |",
        "|---|---|",
        *(f"| `{name}` | {us:.1f} |" for name, us in direct.items()),
        "",
        "## Redis memory per task (bytes)",
        "",
        f"{LIVE_TASKS:,} tasks created through `RedisTaskStore`; the INFO delta includes the index entries (creation",
        "order, expiry, lease, finished); completed tasks carry a text result of about 110 bytes.",
        "",
        "| tasks | bytes per task |",
        "|---|---|",
        *(f"| {name} | {value:.0f} |" for name, value in memory.items()),
        "",
    ]


def main(out: Path, quick: bool = False) -> list[str]:
    """Run the store benchmark and write its report to `out`; the report's lines (empty without redis-server)."""
    if redis_server_command(0) is None:
        print("store benchmark skipped: redis-server is not installed (apt-get install -y redis-server)")
        return []
    lines = anyio.run(_run, quick)
    report = "\n".join(lines)
    print(report)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(report, encoding="utf-8")
    return lines

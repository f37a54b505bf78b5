"""Local services for the tests and the nox sessions: processes listening on 127.0.0.1, started here and stopped
by their process id (no mocks of them). Used by tests/test_tasks_http.py, by `nox -s conformance` and by the
browser test of the documentation site (tests/docs_site, run by `nox -s docs`); a throwaway redis-server for the
Redis task store's tests and `nox -s "conformance(store='redis')"`."""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

STARTUP_SECONDS = 30.0


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def wait_until_listening(
    port: int, process: subprocess.Popen[Any], name: str, timeout: float = STARTUP_SECONDS
) -> None:
    """Return once `process` accepts connections on 127.0.0.1:`port`; raise if it exits or takes too long."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{name} exited with {process.returncode} before listening")
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{name} did not listen on port {port} within {timeout:g} s")


@contextmanager
def running(
    command: Sequence[str], port: int, name: str, output: IO[Any] | int | None = subprocess.DEVNULL
) -> Iterator[subprocess.Popen[Any]]:
    """Run `command` (which listens on 127.0.0.1:`port`) for the duration of the block, then stop it by its pid."""
    process = subprocess.Popen(list(command), stdout=output, stderr=output)
    try:
        wait_until_listening(port, process, name)
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@contextmanager
def serving_directory(directory: Path, output: IO[Any] | int | None = subprocess.DEVNULL) -> Iterator[str]:
    """Serve the files of `directory` over HTTP on 127.0.0.1 (`python -m http.server`) for the duration of the block;
    yields the base URL, ending in a slash."""
    port = free_port()
    command = [sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1", "--directory", str(directory)]
    with running(command, port, f"http.server for {directory}", output):
        yield f"http://127.0.0.1:{port}/"


def redis_server_command(port: int) -> list[str] | None:
    """The command of a throwaway redis-server (Debian's package) on 127.0.0.1:`port`, or None when none is installed.

    Nothing is written to disk (no snapshots, no append-only file)."""
    binary = shutil.which("redis-server") or next(
        (path for path in ("/usr/bin/redis-server", "/usr/sbin/redis-server") if os.access(path, os.X_OK)), None
    )
    if binary is None:
        return None
    return [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"]


@contextmanager
def redis_server(output: IO[Any] | int | None = subprocess.DEVNULL) -> Iterator[str]:
    """Run a throwaway redis-server for the duration of the block; its URL (`redis://127.0.0.1:PORT/0`).

    Raises RuntimeError when redis-server is not installed (`apt-get install redis-server`)."""
    port = free_port()
    command = redis_server_command(port)
    if command is None:
        raise RuntimeError("redis-server is not installed (Debian: apt-get install -y redis-server)")
    with running(command, port, "redis-server", output):
        yield f"redis://127.0.0.1:{port}/0"

"""Local services for the tests and the nox sessions: processes listening on 127.0.0.1, started here and stopped
by their process id (no mocks of them). Used by tests/test_tasks_http.py and by `nox -s conformance`."""

from __future__ import annotations

import socket
import subprocess
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
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

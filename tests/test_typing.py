"""The typing examples: `nox -s typecheck` runs mypy --strict and pyright strict on them; here they must also run."""

from __future__ import annotations

import runpy
from pathlib import Path

import pytest

CONSUMERS = sorted((Path(__file__).parent / "typing").glob("*_consumer.py"))


def test_every_consumer_is_there() -> None:
    assert [path.name for path in CONSUMERS] == ["fast_consumer.py", "seed_consumer.py", "wire_consumer.py"]


@pytest.mark.parametrize("consumer", CONSUMERS, ids=lambda path: path.stem)
def test_the_consumer_runs(consumer: Path) -> None:
    runpy.run_path(str(consumer), run_name="__main__")

"""The typing example: `nox -s typecheck` runs mypy --strict on it; here it must also run."""

from __future__ import annotations

import runpy
from pathlib import Path

CONSUMER = Path(__file__).parent / "typing" / "seed_consumer.py"


def test_the_seed_consumer_runs() -> None:
    runpy.run_path(str(CONSUMER), run_name="__main__")

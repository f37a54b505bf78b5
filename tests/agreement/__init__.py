"""Differential agreement harness: wire models, TypedDicts, our JSON Schema, the official schema and
datamodel-code-generator's models of our schema must give the same verdict on every instance of the 20 extension
shapes, and everything the wire models accept must round-trip unchanged.

`python -m agreement` (with tests/ on the path; `nox -s agreement` does that) runs it at scale and prints a
per-shape table; tests/test_agreement.py runs a small seeded sample. What is proven, and how: docs/agreement.md.
"""

from .runner import SHAPES, Finding, Report, ShapeStats, minimize, round_trip_problem, run
from .validators import Instance, Validators, build_validators

__all__ = [
    "SHAPES",
    "Finding",
    "Instance",
    "Report",
    "ShapeStats",
    "Validators",
    "build_validators",
    "minimize",
    "round_trip_problem",
    "run",
]

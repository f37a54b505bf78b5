"""Known failures and limits: every entry names what fails, why, and how it is recognised.

`KNOWN_FAILURES` lists disagreements or round-trip failures caused by a bug in the spec or the generator that is
reported and not yet fixed: the harness counts matching findings in the `known` column instead of failing, and
tests/test_agreement.py checks that each entry still reproduces, so a fix must also remove its entry (and keep
its instance as a spec/examples regression example). `PARSER_LIMITS` lists what no wire model can carry because
pydantic-core's JSON parser or JSON's number model stops first; the harness does not generate those instances,
and tests/test_agreement.py pins each limit.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from codegen.instances import JSON

from .jsontext import json_equal


@dataclass(frozen=True)
class Difference:
    """One place where the dump of a round trip differs from its input."""

    path: tuple[str | int, ...]
    change: str  # "dropped", "added" or "changed"
    before: JSON
    after: JSON

    @property
    def member(self) -> str | int | None:
        return self.path[-1] if self.path else None


def differences(before: JSON, after: JSON, path: tuple[str | int, ...] = ()) -> list[Difference]:
    """Every place where two parsed JSON values differ (numbers compared by value, true is not 1)."""
    if json_equal(before, after):
        return []
    if isinstance(before, dict) and isinstance(after, dict):
        found = [Difference((*path, k), "dropped", before[k], None) for k in before if k not in after]
        found += [Difference((*path, k), "added", None, after[k]) for k in after if k not in before]
        for key in before.keys() & after.keys():
            found += differences(before[key], after[key], (*path, key))
        return found
    if isinstance(before, list) and isinstance(after, list) and len(before) == len(after):
        return [
            d for index, pair in enumerate(zip(before, after, strict=True)) for d in differences(*pair, (*path, index))
        ]
    return [Difference(path, "changed", before, after)]


@dataclass(frozen=True)
class KnownFailure:
    """A reported bug: the round-trip differences that `explains` accepts are expected until it is fixed."""

    name: str
    kind: str  # "round-trip" (no disagreement between validators is known today)
    shapes: tuple[str, ...]
    reason: str
    examples: tuple[tuple[str, str], ...]  # (shape, minimal JSON instance) pairs that show it
    explains: Callable[[Difference], bool]


KNOWN_FAILURES: tuple[KnownFailure, ...] = ()
"""None today. Fixed so far, each kept as a regression example under spec/examples: unknown members with a null
value dropped under exclude_none (CancelTaskResult/valid-null-unknown-member), an explicit null in an optional
`any` member read as absent (FailedTask/valid-error-data-null), integers beyond 2^53 in `number` members turned
into floats (InputRequiredTask/valid-temperature-big-integer)."""


def known_round_trip_failure(shape: str, before: JSON, after: JSON) -> KnownFailure | None:
    """The known failure that explains every difference of a round trip, or None.

    An instance that shows several known failures at once counts under the first of them that it shows.
    """
    entries = [known for known in KNOWN_FAILURES if known.kind == "round-trip" and shape in known.shapes]
    found = differences(before, after)
    if not found or not all(any(known.explains(d) for known in entries) for d in found):
        return None
    return next(known for known in entries if any(known.explains(d) for d in found))


@dataclass(frozen=True)
class ParserLimit:
    """Something valid under every schema that no JSON parser-backed wire model can carry; not generated."""

    name: str
    reason: str
    example_shape: str
    example: str


PARSER_LIMITS: tuple[ParserLimit, ...] = (
    ParserLimit(
        "nesting-depth-200",
        "pydantic-core's JSON parser (jiter) rejects nesting deeper than about 200 levels with 'recursion limit "
        "exceeded'; JSON Schema sets no depth limit. The harness nests up to 140 levels inside result.",
        "CompletedTask",
        '{"taskId":"t","status":"completed","createdAt":"","lastUpdatedAt":"","ttlMs":null,"result":{"x":'
        + "[" * 200
        + "]" * 200
        + "}}",
    ),
    ParserLimit(
        "lone-surrogate-escape",
        "A lone surrogate escape such as \\ud800 is valid JSON syntax but not a Unicode string; pydantic-core "
        "rejects it, Python's json module accepts it. The harness generates only Unicode scalar values.",
        "Task",
        '{"taskId":"\\ud800","status":"working","createdAt":"","lastUpdatedAt":"","ttlMs":null}',
    ),
    ParserLimit(
        "number-beyond-double",
        "1e400 is a JSON number (so valid inside result) but parses to infinity, which pydantic serializes as "
        "null, as JavaScript's JSON.stringify does; no double-based JSON stack round-trips it. The harness keeps "
        "numbers within double range.",
        "CompletedTask",
        '{"taskId":"t","status":"completed","createdAt":"","lastUpdatedAt":"","ttlMs":null,"result":{"x":1e400}}',
    ),
)

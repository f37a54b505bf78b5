"""The one vocabulary of JSON types and numeric ranges, shared by the changelog (on IR types) and the drift check
(on JSON Schema in normal form)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from . import ir

NUMERIC_WIDTH = {"int53": 0, "integer": 1, "number": 2}
"""The numeric primitives of the IR, narrowest first: a wider one accepts every value of a narrower one."""


def json_type(value: Any) -> str:
    """The JSON Schema type of a JSON value (`integer` for integral numbers, as JSON Schema counts them, floats too)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer()):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "array" if isinstance(value, list) else "object"


def accepts_type(types: frozenset[str] | None, value: Any) -> bool:
    """Whether a value of this JSON type set (None: any type) may hold `value`; `number` includes integers."""
    if types is None:
        return True
    kind = json_type(value)
    return kind in types or (kind == "integer" and "number" in types)


@dataclass(frozen=True)
class Range:
    """A closed numeric range; None on either side means unbounded."""

    low: float | None = None
    high: float | None = None

    @classmethod
    def of(cls, primitive: ir.Primitive) -> Range:
        """The values a numeric IR primitive allows (int53 is ±(2^53−1) before its own bounds)."""
        bound = ir.INT53_MAX if primitive.name == "int53" else None
        return cls(-bound if bound is not None else None, bound).intersect(Range(primitive.minimum, primitive.maximum))

    def intersect(self, other: Range) -> Range:
        """The values both ranges allow."""
        lows = [x for x in (self.low, other.low) if x is not None]
        highs = [x for x in (self.high, other.high) if x is not None]
        return Range(max(lows) if lows else None, min(highs) if highs else None)

    def contains(self, value: float) -> bool:
        """Whether `value` lies in the range."""
        return (self.low is None or self.low <= value) and (self.high is None or value <= self.high)

    def covers(self, other: Range) -> bool:
        """Whether every value of `other` lies in this range."""
        low_ok = self.low is None or (other.low is not None and self.low <= other.low)
        high_ok = self.high is None or (other.high is not None and other.high <= self.high)
        return low_ok and high_ok

    def text(self, number: Any = repr) -> str:
        """`unbounded` or `[low, high]`, each bound written by `number`."""
        if self.low is None and self.high is None:
            return "unbounded"
        low = "-∞" if self.low is None else number(self.low)
        high = "∞" if self.high is None else number(self.high)
        return f"[{low}, {high}]"

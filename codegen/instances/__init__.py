"""The instance engine of the drift check (codegen/drift.py) and the agreement harness (tests/agreement/): instances
made from a schema, mutated into near misses, and judged by several validators.

- `build`: the deterministic builder, over the normal form of codegen/schema_normal.py: one instance per union
  variant and enum value, minimal and full, and each member given its other values.
- `facts`: what the mutations aim at (required and integer members, member names, consts), read from schemas.
- `values`: instance values (JSON plus `RawNumber`, a number spelled exactly) and paths into them.
- `mutations`: the operators: every single-point near miss (`edits`, `neighbours`), and named operators applied
  with a seeded random generator (`MUTATIONS`, `mutate`); `budgeted` picks some of the near misses, reproducibly.
- `verdicts`: several validators' verdicts on one instance, whether they differ, and which listed deviation
  explains a verdict of the schema as published.

It needs only the standard library: jsonschema, hypothesis and the validators stay with the checkers that use them.
"""

from .build import Built, InstanceBuilder, build_instances
from .facts import Facts, facts_of, schema_facts
from .mutations import MUTATIONS, Edit, budgeted, edits, mutate, neighbours
from .values import (
    INT53_MAX,
    JSON,
    RawNumber,
    ValuePath,
    delete_at,
    get_at,
    iter_paths,
    parsed,
    replaced,
    set_at,
    without,
)
from .verdicts import Verdicts, deviation_behind, differ, judge

__all__ = [
    "INT53_MAX",
    "JSON",
    "MUTATIONS",
    "Built",
    "Edit",
    "Facts",
    "InstanceBuilder",
    "RawNumber",
    "ValuePath",
    "Verdicts",
    "budgeted",
    "build_instances",
    "delete_at",
    "deviation_behind",
    "differ",
    "edits",
    "facts_of",
    "get_at",
    "iter_paths",
    "judge",
    "mutate",
    "neighbours",
    "parsed",
    "replaced",
    "schema_facts",
    "set_at",
    "without",
]

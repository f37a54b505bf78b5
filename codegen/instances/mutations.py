"""The mutation operators: near misses of an instance, aimed at what matters for a wire format.

Two ways in. `neighbours` (from `edits`) gives every single-point near miss of an instance, deterministically: each
member dropped or nulled, each node given each other JSON type, each integer at the int53 edges and spelled as a
float or a string, each member's literal swapped for another value of that member (a status, a method) and
each const respelled, an unknown member added to each object (and, when asked, each string given each word of a
vocabulary). `mutate` applies named operators (`MUTATIONS`) with a seeded
random generator, one or several at a time, to a deep copy. Most near misses are invalid and some are valid (an
optional member dropped, an unknown member added, strings respelled): a checker's validators decide which. The
names the operators aim at (required members, integer members, consts) are `Facts` read from the schemas.

Number spellings are `RawNumber`s (values.py); a checker of parsed values reads them through `values.parsed`.
"""

from __future__ import annotations

import copy
import random
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass

from .facts import Facts
from .values import INT53_MAX, JSON, RawNumber, ValuePath, delete_at, get_at, iter_paths, replaced, set_at, without

EDGE_INTEGERS = (
    INT53_MAX,
    -INT53_MAX,
    INT53_MAX + 1,
    -INT53_MAX - 1,
    INT53_MAX + 2,
    2**63 - 1,
    -(2**63),
    2**64,
    10**30,
    -(10**30),
    0,
    -1,
    RawNumber("9007199254740991.0"),
    RawNumber("-9.007199254740991e15"),
    RawNumber("9007199254740992.0"),
    RawNumber("9.007199254740992E+15"),
    RawNumber("1e300"),
    RawNumber("-1E300"),
    RawNumber("9007199254740991.5"),
)
UNKNOWN_KEYS = ("x", "unknownMember", "ünknown", "😀", "")
"""Member names no schema declares; `unknown_member` also adds declared names where they are not declared, and
other spellings of them."""
ODD_VALUES: tuple[JSON, ...] = (
    None,
    1,
    -1.5,
    RawNumber("6e4"),
    "s",
    "é\u0000",
    True,
    [],
    {},
    [None, {"a": [1, "b"]}],
    {"nested": {"deeper": [True, None, 2.5]}},
)
STRING_TWISTS = (
    "é",
    "中文",
    "😀",
    "\u0000",
    '"',
    "\\",
    "/",
    "\n",
    "\t",
    "\u2028",
    "\ud7ff",
    "\ue000",
    "\U0010ffff",
    "\x7f",
)
MAX_NESTING = 140  # pydantic-core's JSON parser stops at depth 200 (PARSER_LIMITS in tests/agreement/known.py)


def _pick(rng: random.Random, paths: list[ValuePath]) -> ValuePath | None:
    return rng.choice(paths) if paths else None


def _keyed(value: JSON, keys: frozenset[str] | tuple[str, ...] | set[str]) -> list[ValuePath]:
    return [p for p in iter_paths(value) if p and isinstance(p[-1], str) and p[-1] in keys]


def _member_paths(value: JSON) -> list[ValuePath]:
    return [p for p in iter_paths(value) if p and isinstance(p[-1], str)]


def _numbers(value: JSON) -> list[ValuePath]:
    return [
        p
        for p in iter_paths(value)
        if isinstance(get_at(value, p), int | float | RawNumber) and not isinstance(get_at(value, p), bool)
    ]


def _objects(value: JSON) -> list[ValuePath]:
    return [p for p in iter_paths(value) if isinstance(get_at(value, p), dict)]


# Each mutation: (value, rng, facts) -> value, or None when it does not apply to this instance.


def drop_required(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    path = _pick(rng, _keyed(value, facts.required)) or _pick(rng, _member_paths(value))
    return None if path is None else delete_at(value, path)


def drop_any_member(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    path = _pick(rng, _member_paths(value))
    return None if path is None else delete_at(value, path)


def change_const(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    paths = [p for p in iter_paths(value) if isinstance(get_at(value, p), str) and get_at(value, p) in facts.literals]
    path = _pick(rng, paths)
    if path is None:
        return None
    old = get_at(value, path)
    assert isinstance(old, str)
    new: JSON = rng.choice([*facts.near_misses(old), 2.0, None])
    return set_at(value, path, new)


def _other_values(facts: Facts, path: ValuePath, node: JSON) -> list[str]:
    """The other values a member takes in the schemas when `node` (at `path`) is one of them, else none."""
    values = facts.values_of(path[-1]) if path and isinstance(path[-1], str) else []
    return [other for other in values if other != node] if node in values else []


def swap_literal(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    """A member such as a status or a method given another of its values, under the members of the first."""
    swappable = [(p, o) for p in iter_paths(value) if (o := _other_values(facts, p, get_at(value, p)))]
    if not swappable:
        return None
    path, others = rng.choice(swappable)
    return set_at(value, path, rng.choice(others))


def null_member(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    paths = _keyed(value, facts.properties) if rng.random() < 0.7 else []
    path = _pick(rng, paths) or _pick(rng, list(iter_paths(value)))
    return None if path is None else set_at(value, path, None)


def edge_integer(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    paths = _numbers(value) + _keyed(value, facts.integer)
    path = _pick(rng, paths)
    return None if path is None else set_at(value, path, rng.choice(EDGE_INTEGERS))


def _float_spellings(number: int) -> list[JSON]:
    digits = str(abs(number)).rstrip("0") or "0"
    exponent = len(str(abs(number))) - 1
    sign = "-" if number < 0 else ""
    mantissa = digits[0] + ("." + digits[1:] if len(digits) > 1 else "")
    spellings: list[JSON] = [
        RawNumber(f"{number}.0"),
        RawNumber(f"{number}e0"),
        RawNumber(f"{sign}{mantissa}e{exponent}"),
        RawNumber(f"{sign}{mantissa}E+{exponent}"),
        RawNumber(f"{number}.00"),
        RawNumber(f"{number}.5"),  # a fraction: never an integer
        RawNumber(f"{number}.000001"),
    ]
    if abs(number) <= 2**53:
        spellings.append(float(number))
    if number == 0:
        spellings += [RawNumber("-0.0"), RawNumber("0e10"), RawNumber("-0")]
    return spellings


def integral_float(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    paths = [p for p in _numbers(value) if isinstance(get_at(value, p), int)]
    if not paths:
        path = _pick(rng, _keyed(value, facts.integer))
        return None if path is None else set_at(value, path, rng.choice([60000.0, RawNumber("6e4"), 0.0]))
    path = rng.choice(paths)
    return set_at(value, path, rng.choice(_float_spellings(get_at(value, path))))


def string_for_integer(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    paths = [p for p in _numbers(value) if isinstance(get_at(value, p), int)] + _keyed(value, facts.integer)
    path = _pick(rng, paths)
    if path is None:
        return None
    old = get_at(value, path)
    text = str(old) if isinstance(old, int) else "60000"
    return set_at(value, path, rng.choice([text, text + ".0", " " + text, "6e4", True, False, [old]]))


def integer_for_string(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    paths = [p for p in iter_paths(value) if isinstance(get_at(value, p), str)]
    path = _pick(rng, paths)
    return None if path is None else set_at(value, path, rng.choice([42, 0, -1, 1.5, True, ["x"]]))


def _other_type(old: JSON, rng: random.Random) -> JSON:
    kinds: dict[str, JSON] = {
        "string": rng.choice(["x", "", "{}", "null"]),
        "integer": rng.choice([1, 0, -7]),
        "float": rng.choice([1.5, -0.25]),
        "boolean": rng.choice([True, False]),
        "null": None,
        "array": rng.choice([[], [old], [1, "a"]]),
        "object": rng.choice([{}, {"x": old}]),
    }
    current = {
        str: "string",
        int: "integer",
        float: "float",
        bool: "boolean",
        type(None): "null",
        list: "array",
        dict: "object",
    }.get(type(old))
    return rng.choice([v for k, v in kinds.items() if k != current])


def wrong_type(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    path = rng.choice(list(iter_paths(value)))
    return set_at(value, path, _other_type(get_at(value, path), rng))


def unknown_member(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    path = _pick(rng, _objects(value))
    if path is None:
        return None
    target = get_at(value, path)
    declared = sorted(facts.properties)
    free = [k for k in (*UNKNOWN_KEYS, *declared, *(d.capitalize() for d in declared)) if k not in target]
    if not free:
        return None
    target[rng.choice(free)] = copy.deepcopy(rng.choice(ODD_VALUES))
    return value


def empty_object(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    if rng.random() < 0.5:
        return rng.choice([{}, {}, [], "", 0, None, True, [{}]])
    path = _pick(rng, _objects(value))
    return None if path is None else set_at(value, path, {})


def _nested(depth: int, rng: random.Random) -> JSON:
    inner: JSON = rng.choice(["bottom é😀", 1, None, 2.5, True, []])
    for level in range(depth):
        inner = [inner, level] if rng.random() < 0.5 else {f"k{level}": inner, "n": None}
    return inner


def _bulky(rng: random.Random) -> JSON:
    if rng.random() < 0.5:
        return _nested(rng.choice([1, 3, 10, 40, 100, MAX_NESTING]), rng)
    size = rng.choice([1_000, 10_000, 100_000])
    return ('long é😀 \\ " \u2028 ' * (size // 16 + 1))[:size]


def deep_result(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    """Deep nesting and long strings inside `result` (else inside error.data or an unknown member)."""
    paths = [p for p in _keyed(value, ("result",)) if isinstance(get_at(value, p), dict)]
    paths = paths or [p for p in _keyed(value, ("error",)) if isinstance(get_at(value, p), dict)]
    path = _pick(rng, paths)
    if path is not None:
        target = get_at(value, path)
        key = "data" if path[-1] == "error" else rng.choice(["content", "structuredContent", "deep", "ü"])
        target[key] = _bulky(rng)
        return value
    if isinstance(value, dict):
        value[rng.choice(["deep", "result", "x"])] = _bulky(rng)
        return value
    return None


def respell_strings(value: JSON, rng: random.Random, facts: Facts) -> JSON | None:
    """Non-ASCII characters and escapes in every free string and map key (consts and member names stay)."""
    twist = rng.choice(STRING_TWISTS) + rng.choice(STRING_TWISTS)

    def walk(node: JSON) -> JSON:
        if isinstance(node, str):
            return node if node in facts.literals else node + twist
        if isinstance(node, list):
            return [walk(item) for item in node]
        if isinstance(node, dict):
            return {(key if key in facts.properties else key + twist): walk(item) for key, item in node.items()}
        return node

    return walk(value)


MUTATIONS: dict[str, Callable[[JSON, random.Random, Facts], JSON | None]] = {
    "drop-required": drop_required,
    "drop-member": drop_any_member,
    "const-changed": change_const,
    "literal-swapped": swap_literal,
    "null": null_member,
    "int53-edge": edge_integer,
    "integral-float": integral_float,
    "string-for-int": string_for_integer,
    "wrong-type-for-string": integer_for_string,
    "wrong-json-type": wrong_type,
    "unknown-member": unknown_member,
    "empty-object": empty_object,
    "deep-or-long-result": deep_result,
    "non-ascii-strings": respell_strings,
}


def mutate(value: JSON, rng: random.Random, facts: Facts, kinds: Iterable[str]) -> tuple[JSON, list[str]] | None:
    """A mutated deep copy of `value` (one mutation per kind, in order) and the kinds that applied; None when none
    applied."""
    result = copy.deepcopy(value)
    applied = []
    for kind in kinds:
        changed = MUTATIONS[kind](result, rng, facts)
        if changed is None:
            continue
        result = changed
        applied.append(kind)
    return (result, applied) if applied else None


@dataclass(frozen=True, eq=False)
class Edit:
    """One single-point near miss: the node at `path` dropped, or replaced by `new`."""

    kind: str
    path: ValuePath
    new: JSON = None
    drop: bool = False

    def apply(self, value: JSON) -> JSON:
        """A new tree: `value` with this edit (what the edit does not touch is shared, not copied)."""
        return without(value, self.path) if self.drop else replaced(value, self.path, self.new)


def edits(value: JSON, facts: Facts, vocabulary: Sequence[str] = ()) -> list[Edit]:
    """Every single-point near miss of `value`, not yet applied: each member dropped or nulled, each node given each
    other JSON type, each integer at the int53 edges and spelled as a float or a string, each member's literal
    swapped and each const respelled, an unknown member added to each object; and each string given each other
    word of `vocabulary`."""
    out: list[Edit] = []
    for path in iter_paths(value):
        node = get_at(value, path)
        if path and isinstance(path[-1], str):
            out.append(Edit("drop-member", path, drop=True))
        if node is not None:
            out.append(Edit("null", path))
        others: tuple[JSON, ...] = ("x", 0, 1.5, True, [], {})  # made anew per node: no edit shares a container
        for other in others:
            if type(other) is not type(node):
                out.append(Edit("wrong-json-type", path, other))
        if isinstance(node, int) and not isinstance(node, bool):
            for edge in (INT53_MAX, INT53_MAX + 1, -INT53_MAX, -INT53_MAX - 1, RawNumber("9007199254740992.0")):
                out.append(Edit("int53-edge", path, edge))
            out += [Edit("integral-float", path, spelling) for spelling in _float_spellings(node)[:6]]
            out.append(Edit("string-for-int", path, str(node)))
        swaps = _other_values(facts, path, node)
        if swaps:
            out += [Edit("literal-swapped", path, other) for other in swaps]
        elif isinstance(node, str) and node in facts.literals:
            near = facts.near_misses(node)  # other spellings first, then the other literals
            out += [Edit("const-changed", path, new) for new in dict.fromkeys([*near[:8], *near[-3:]])]
        if isinstance(node, dict):
            for key, extra in (("x", None), ("x", 1), ("ünknown", {"a": [1.5, None]})):
                if key not in node:
                    out.append(Edit("unknown-member", path, {**node, key: extra}))
        if isinstance(node, str) and path:
            out += [Edit("other-literal", path, word) for word in vocabulary if word != node]
    return out


def neighbours(value: JSON, facts: Facts, vocabulary: Sequence[str] = ()) -> list[tuple[JSON, str]]:
    """Every single-point near miss of `value` (`edits`, applied), each with its kind."""
    return [(edit.apply(value), edit.kind) for edit in edits(value, facts, vocabulary)]


def budgeted(near: Sequence[Edit], budget: int, seed: str, first: Collection[str] = ()) -> list[Edit]:
    """`budget` of the near misses: those of the kinds in `first`, shallowest first, then a sample of the others
    seeded by `seed` (so that runs repeat)."""
    firsts = sorted((edit for edit in near if edit.kind in first), key=lambda edit: len(edit.path))
    others = [edit for edit in near if edit.kind not in first]
    chosen = firsts[:budget]
    rest = budget - len(chosen)
    if rest > 0:
        chosen += others if rest >= len(others) else random.Random(seed).sample(others, rest)
    return chosen

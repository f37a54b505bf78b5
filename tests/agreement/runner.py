"""The differential run: instances per shape, six verdicts each, the round-trip property, minimal findings.

Instances come from the instance engine (codegen/instances: built seeds, schema facts, near-miss mutations, verdict
comparison) and from hypothesis (strategies.py); this module decides how many of which, and shrinks findings.
"""

from __future__ import annotations

import json
import random
import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Protocol

from pydantic import ValidationError

from codegen.instances import (
    JSON,
    MUTATIONS,
    Facts,
    RawNumber,
    build_instances,
    differ,
    facts_of,
    get_at,
    iter_paths,
    mutate,
    neighbours,
    replaced,
    without,
)
from codegen.schema_normal import Normaliser

from .jsontext import PLAIN, has_integral_float, json_diff, json_equal, random_style
from .known import KnownFailure, known_round_trip_failure
from .strategies import SchemaStrategies
from .validators import REFERENCE_DIR, REPO, Instance, Validators, build_validators, dump_routes

SHAPES = (
    "TaskStatus",
    "Task",
    "WorkingTask",
    "InputRequiredTask",
    "CompletedTask",
    "FailedTask",
    "CancelledTask",
    "DetailedTask",
    "CreateTaskResult",
    "GetTaskRequest",
    "GetTaskResult",
    "UpdateTaskRequest",
    "UpdateTaskResult",
    "CancelTaskRequest",
    "CancelTaskResult",
    "TaskStatusNotificationParams",
    "TaskStatusNotification",
    "TaskSubscriptionNotifications",
    "TaskSubscriptionAcknowledgedNotifications",
    "TasksExtensionCapability",
)
"""The 20 shapes of the extension: every `$defs` entry of the official schema that is not a core shape."""

# Variations that usually keep an instance valid, used while the valid half is not full yet.
KEEPING = ("restyled", "non-ascii-strings", "unknown-member", "drop-member", "integral-float", "deep-or-long-result")


@dataclass
class Finding:
    """One problem, as its minimal instance: a disagreement between validators or a failed round trip."""

    shape: str
    kind: str  # "disagreement" or "round-trip"
    origin: str
    text: str
    verdicts: dict[str, bool | None]
    detail: str = ""
    known: KnownFailure | None = None

    def describe(self) -> str:
        words = {True: "accepts", False: "rejects", None: "-"}
        verdicts = "  ".join(f"{name}={words[v]}" for name, v in self.verdicts.items())
        lines = [
            f"{'KNOWN ' if self.known else ''}{self.kind.upper()} in {self.shape} (from {self.origin})",
            f"  instance: {self.text}",
            f"  verdicts: {verdicts}",
        ]
        if self.detail:
            lines.append(f"  round trip: {self.detail}")
        if self.known:
            lines.append(f"  known failure: {self.known.name} (see tests/agreement/known.py)")
        return "\n".join(lines)


@dataclass
class ShapeStats:
    instances: int = 0
    valid: int = 0
    invalid: int = 0
    round_trips: int = 0
    disagreements: int = 0
    round_trip_failures: int = 0
    known: int = 0
    respelled: int = 0  # instances the datamodel validator judged in their integer respelling
    datamodel: str = "yes"


@dataclass
class Report:
    seed: int
    count: int
    validators: Validators
    stats: dict[str, ShapeStats] = field(default_factory=dict)
    findings: list[Finding] = field(default_factory=list)
    origins: Counter[tuple[str, bool]] = field(default_factory=Counter)
    known_counts: Counter[str] = field(default_factory=Counter)
    deviation_counts: Counter[str] = field(default_factory=Counter)
    """Per listed deviation: instances the official schema as published judges otherwise because of it."""
    seconds: float = 0.0

    @property
    def failures(self) -> list[Finding]:
        return [finding for finding in self.findings if finding.known is None]

    @property
    def total(self) -> ShapeStats:
        total = ShapeStats()
        for stats in self.stats.values():
            for name in ("instances", "valid", "invalid", "round_trips", "disagreements", "round_trip_failures"):
                setattr(total, name, getattr(total, name) + getattr(stats, name))
            total.known += stats.known
            total.respelled += stats.respelled
        total.datamodel = ""
        return total

    def table(self) -> str:
        head = ("shape", "instances", "valid", "invalid", "round-trips", "disagree", "rt-fail", "known", "dm-respelled")
        rows = [head]
        for shape, s in [*self.stats.items(), ("total", self.total)]:
            rows.append(
                (
                    shape if s.datamodel in ("yes", "") else f"{shape} (datamodel: {s.datamodel})",
                    *map(
                        str,
                        (
                            s.instances,
                            s.valid,
                            s.invalid,
                            s.round_trips,
                            s.disagreements,
                            s.round_trip_failures,
                            s.known,
                            s.respelled,
                        ),
                    ),
                )
            )
        widths = [max(len(row[i]) for row in rows) for i in range(len(head))]
        lines = []
        for index, row in enumerate(rows):
            cells = [row[0].ljust(widths[0])] + [cell.rjust(widths[i]) for i, cell in enumerate(row[1:], 1)]
            if index == len(rows) - 1:
                lines.append("-" * len(" | ".join(cells)))
            lines.append(" | ".join(cells))
            if index == 0:
                lines.append("-" * len(lines[-1]))
        return "\n".join(lines)

    def origin_table(self) -> str:
        kinds = sorted({kind for kind, _ in self.origins})
        rows = [("instance source", "instances", "invalid")]
        for kind in kinds:
            valid, invalid = self.origins[(kind, True)], self.origins[(kind, False)]
            rows.append((kind, str(valid + invalid), str(invalid)))
        widths = [max(len(row[i]) for row in rows) for i in range(3)]
        return "\n".join(f"{r[0].ljust(widths[0])} | {r[1].rjust(widths[1])} | {r[2].rjust(widths[2])}" for r in rows)

    def header(self) -> str:
        v = self.validators
        official = (
            f"{v.official_path} (the referee)"
            if v.official.available
            else f"ABSENT: {v.official.missing_reason}; our schema is the referee"
        )
        if v.deviations:
            official += f", with the spec's {len(v.deviations)} listed deviations applied:"
            official += "".join(
                f"\n             - {d.name}: our {d.shape} in place of {d.official}; "
                f"{self.deviation_counts[d.name]} instances judged otherwise by the schema as published"
                for d in v.deviations
            )
        datamodel = (
            f"datamodel-code-generator {v.datamodel.version} models of our schema"
            if v.datamodel.available
            else f"ABSENT: {v.datamodel.missing_reason}"
        )
        return "\n".join(
            [
                "validators:",
                f"  wire       TypeAdapter({v.package}.wire.<Shape>).validate_json",
                f"  typed      TypeAdapter({v.package}.typed.<Shape>).validate_json",
                f"  schema     {v.package}.json_schema(), jsonschema Draft 2020-12 (format not asserted)",
                f"  official   {official}",
                f"  datamodel  {datamodel}",
                *(
                    [f"  fast       {v.package}.fast.decoder(<Shape>).decode (msgspec), and encode in the round trip"]
                    if v.fast is not None and v.fast.available
                    else [f"  fast       ABSENT: {v.fast.missing_reason}"]
                    if v.fast is not None
                    else []
                ),
                f"seed {self.seed}, {self.count} instances per shape, about half of them invalid under the referee",
            ]
        )


def example_values(shape: str) -> list[JSON]:
    """The valid wire examples of `shape`: spec/examples/<Shape>/valid-*.json and the official examples."""
    paths = sorted((REPO / "spec" / "examples" / shape).glob("valid-*.json"))
    paths += sorted((REFERENCE_DIR / "examples").glob(f"{shape}__valid__*.json"))
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths]


class Source(Protocol):
    """Where valid seeds come from: `draw` gives up to `count` instances of `$defs/<shape>`, the same for a seed."""

    def draw(self, shape: str, count: int, random_seed: int) -> list[JSON]: ...


class BuiltSeeds:
    """The instance engine's deterministic builder on one schema document, as a seed source (the seed is unused)."""

    def __init__(self, document: dict[str, Any]) -> None:
        self.normaliser = Normaliser(document)

    def draw(self, shape: str, count: int, random_seed: int) -> list[JSON]:
        built = build_instances(self.normaliser, self.normaliser.definition(shape))
        return [*built.instances, *built.variations][:count]


def sources_for(validators: Validators) -> list[tuple[str, Source]]:
    """The seed sources: hypothesis draws and the deterministic builder, from the official schema (when there is
    one) and from ours."""
    documents = [("official", validators.official.document), ("ours", validators.ours.document or {})]
    sources: list[tuple[str, Source]] = []
    for label, document in documents:
        if document is not None:
            sources += [(label, SchemaStrategies(document)), (f"built-{label}", BuiltSeeds(document))]
    return sources


def _seed_for(*parts: object) -> int:
    return zlib.crc32("/".join(map(str, parts)).encode("utf-8"))


def instances_for(
    shape: str,
    count: int,
    seed: int,
    sources: list[tuple[str, Source]],
    validators: Validators,
    facts: Facts,
) -> Iterator[tuple[Instance, bool]]:
    """`count` distinct instances of `shape` with the referee's verdict: about half valid, half invalid.

    Valid instances are drawn from each source in `sources`, then near-misses are made from them. A shape whose
    valid space is small (TasksExtensionCapability accepts only `{}`) gets its valid half from respellings of
    the same values, and as many invalid instances as it takes to reach `count`.
    """
    rng = random.Random(_seed_for(seed, shape))
    referee = validators.referee
    per_source = max(8, count // len(sources))  # each schema gives a hypothesis source and a built one
    seeds: list[tuple[JSON, str]] = []
    for label, strategies in sources:
        seeds += [
            (value, f"seed-{label}") for value in strategies.draw(shape, per_source, _seed_for(seed, shape, label))
        ]
    examples = example_values(shape)
    seeds += [(value, "example") for value in examples]
    if not seeds:
        raise ValueError(f"no valid instance of {shape} to start from: is it a $defs entry of the schemas?")
    near = [(value, f"neighbour:{kind}") for example in examples for value, kind in neighbours(example, facts)]
    rng.shuffle(near)
    near = near[: count // 4]
    want = {True: count // 2, False: count - count // 2}
    seen: set[str] = set()
    pending = list(seeds)
    rng.shuffle(pending)
    limit = 40 * count + 400
    for attempt in range(limit):
        if want[True] <= 0 and want[False] <= 0:
            return
        if attempt == limit // 2 and want[True] > 0:
            want[False] += want[True]  # this shape has no more valid spellings to offer
            want[True] = 0
        style = PLAIN
        if pending and (want[True] > 0 and rng.random() < 0.4):
            value, origin = pending.pop()
            style = PLAIN if rng.random() < 0.5 else random_style(rng)
        elif near and rng.random() < 0.4:
            value, origin = near.pop()
        else:
            base, _ = rng.choice(seeds)
            if want[True] > 0 and (want[False] <= 0 or rng.random() < 0.4):
                kinds = [rng.choice(KEEPING)]
            else:
                kinds = rng.sample(list(MUTATIONS), k=1 if rng.random() < 0.75 else 2)
            if rng.random() < 0.3:
                style = random_style(rng)
            if kinds == ["restyled"]:
                value, origin, style = base, "restyled", random_style(rng)
            else:
                mutated = mutate(base, rng, facts, kinds)
                if mutated is None:
                    continue
                value, origin = mutated[0], "mutant:" + "+".join(mutated[1])
        instance = Instance(shape, value, style, origin)
        try:
            text = instance.text
        except ValueError:
            continue
        if text in seen:
            continue
        seen.add(text)
        verdict = referee.accepts(instance)
        assert verdict is not None
        if want[verdict] <= 0:
            continue
        want[verdict] -= 1
        yield instance, verdict


def round_trip_problem(validators: Validators, instance: Instance) -> tuple[str, str, JSON] | None:
    """What goes wrong when the wire model (then the fast path) reads `instance` and writes it back (None: nothing).

    validate_json, then every dump route (`dump_routes`: model and TypeAdapter, with and without exclude_none,
    python and JSON mode) must give the same JSON value (numbers compared by value, so 60000.0 may come back as
    60000); the JSON dump must parse again to an equal object and be valid under the referee.
    """
    adapter = validators.wire.adapter(instance.shape)
    try:
        value = adapter.validate_json(instance.text)
    except ValidationError:
        return None
    try:
        routes = dump_routes(adapter, value)
    except Exception as error:  # a serializer crash is a finding, whatever it is
        return "dump-failed", repr(error), None
    for route, dumped in routes.items():
        out = json.loads(dumped)
        if not json_equal(instance.data, out):
            return "changed", f"{route}: {json_diff(instance.data, out)}; dump {dumped[:300]}", out
    dumped = routes["adapter.dump_json/exclude_none"]
    out = json.loads(dumped)
    try:
        again = adapter.validate_json(dumped)
    except ValidationError as error:
        return "reparse-rejected", f"{str(error)[:300]}; dump {dumped[:300]}", out
    if again != value:
        return "reparse-differs", f"{again!r} != {value!r}"[:400], out
    if validators.referee.accepts_data(instance.shape, out) is False:
        return "dump-invalid", f"the {validators.referee.name} schema rejects the dump {dumped[:300]}", out
    return validators.fast.round_trip_problem(instance) if validators.fast is not None else None


def _simplifications(value: JSON) -> Iterator[JSON]:
    """Smaller variants of `value`, biggest cuts first within each node (new trees: `value` is not changed)."""
    for path in list(iter_paths(value)):
        node = get_at(value, path)
        if isinstance(node, dict):
            for key in list(node):
                yield without(value, (*path, key))
            if node and path:
                yield replaced(value, path, {})
        elif isinstance(node, list):
            if node:
                yield replaced(value, path, [])
            for index in range(len(node)):
                yield without(value, (*path, index))
        elif isinstance(node, str) and node:
            yield replaced(value, path, "")
            if len(node) > 1:
                yield replaced(value, path, node[: len(node) // 2])
            if not node.isascii():
                yield replaced(value, path, node.encode("ascii", "ignore").decode())
        elif isinstance(node, RawNumber):
            yield replaced(value, path, node.value)
        elif isinstance(node, int) and not isinstance(node, bool) and node not in (0, 1):
            yield replaced(value, path, 1)
        if isinstance(node, dict):
            for key in list(node):
                for new_key in ("x", key[: len(key) // 2]):
                    if key not in ("x", "") and new_key not in node:
                        renamed = {(new_key if k == key else k): v for k, v in node.items()}
                        yield replaced(value, path, renamed)


def minimize(instance: Instance, still_fails: Callable[[Instance], bool], budget: int = 3000) -> Instance:
    """A smaller instance that still fails the same way: members and items removed, strings cut, plain text."""
    current = instance
    plain = Instance(instance.shape, instance.value, PLAIN, instance.origin)
    if instance.style != PLAIN and still_fails(plain):
        current = plain
    spent = 0
    improved = True
    while improved and spent < budget:
        improved = False
        for candidate_value in _simplifications(current.value):
            spent += 1
            candidate = Instance(instance.shape, candidate_value, current.style, instance.origin)
            try:
                candidate.text  # noqa: B018 - a variant may not render
            except ValueError:
                continue
            if still_fails(candidate):
                current, improved = candidate, True
                break
            if spent >= budget:
                break
    return current


def run(
    count: int,
    seed: int,
    shapes: tuple[str, ...] = SHAPES,
    *,
    validators: Validators | None = None,
    minimize_findings: bool = True,
    max_findings_per_shape: int = 5,
    progress: Callable[[str], None] | None = None,
) -> Report:
    """Generate `count` instances per shape, judge each with every validator, round-trip what the wire accepts."""
    started = time.perf_counter()
    validators = validators or build_validators()
    facts = facts_of(d for d in (validators.official.document, validators.ours.document) if d is not None)
    sources = sources_for(validators)
    report = Report(seed=seed, count=count, validators=validators)
    for shape in shapes:
        shape_started = time.perf_counter()
        stats = report.stats.setdefault(shape, ShapeStats())
        skip = validators.datamodel.skip_reason(shape)
        if skip and validators.datamodel.available:
            stats.datamodel = skip
        found: Counter[tuple[str, str]] = Counter()
        for instance, referee_verdict in instances_for(shape, count, seed, sources, validators, facts):
            stats.instances += 1
            stats.valid += referee_verdict
            stats.invalid += not referee_verdict
            for kind in _origin_kinds(instance.origin):
                report.origins[(kind, referee_verdict)] += 1
            verdicts = validators.verdicts(instance, {validators.referee.name: referee_verdict})
            behind = validators.deviation_behind(instance, bool(verdicts["official"]))
            if behind is not None:
                report.deviation_counts[behind] += 1
            if verdicts["datamodel"] is not None and has_integral_float(instance.value):
                stats.respelled += 1
            if differ(verdicts):
                stats.disagreements += 1  # no disagreement is a known failure (KNOWN_FAILURES has none)
                key = ("disagreement", json.dumps(verdicts))
                if _keep(report, found, key, None, max_findings_per_shape):
                    _add(report, _disagreement(validators, instance, verdicts, minimize_findings))
            if verdicts["wire"]:
                stats.round_trips += 1
                problem = round_trip_problem(validators, instance)
                if problem is not None:
                    changed = problem[0] == "changed"
                    known = known_round_trip_failure(shape, instance.data, problem[2]) if changed else None
                    stats.round_trip_failures += known is None
                    stats.known += known is not None
                    key = ("round-trip", known.name if known else problem[0])
                    if known:
                        report.known_counts[known.name] += 1
                    if _keep(report, found, key, known, max_findings_per_shape):
                        _add(report, _round_trip(validators, instance, problem, known, minimize_findings))
        if progress:
            progress(f"{shape}: {stats.instances} instances in {time.perf_counter() - shape_started:.1f}s")
    report.seconds = time.perf_counter() - started
    return report


def _add(report: Report, finding: Finding) -> None:
    """Keep a finding unless an identical minimal instance was already reported."""
    if not any((f.shape, f.kind, f.text) == (finding.shape, finding.kind, finding.text) for f in report.findings):
        report.findings.append(finding)


def _keep(
    report: Report, found: Counter[tuple[str, str]], key: tuple[str, str], known: KnownFailure | None, limit: int
) -> bool:
    """Whether to keep (and minimize) this finding: a few per shape and problem; one per known failure."""
    if known is not None:
        return report.known_counts[known.name] == 1
    if found[key] >= limit:
        return False
    found[key] += 1
    return True


def _origin_kinds(origin: str) -> list[str]:
    if origin.startswith("neighbour:"):
        return ["example-" + origin]
    return origin.removeprefix("mutant:").split("+")


def _disagreement(
    validators: Validators, instance: Instance, verdicts: dict[str, bool | None], shrink: bool
) -> Finding:
    if shrink:
        instance = minimize(instance, lambda candidate: validators.verdicts(candidate) == verdicts)
    return Finding(instance.shape, "disagreement", instance.origin, instance.text, verdicts)


def _round_trip(
    validators: Validators,
    instance: Instance,
    problem: tuple[str, str, JSON],
    known: KnownFailure | None,
    shrink: bool,
) -> Finding:
    category = problem[0]

    def still_fails(candidate: Instance) -> bool:
        found = round_trip_problem(validators, candidate)
        if found is None or found[0] != category:
            return False
        return known is None or known_round_trip_failure(candidate.shape, candidate.data, found[2]) is known

    if shrink:
        instance = minimize(instance, still_fails)
        problem = round_trip_problem(validators, instance) or problem
    verdicts = validators.verdicts(instance)
    return Finding(instance.shape, "round-trip", instance.origin, instance.text, verdicts, problem[1], known)

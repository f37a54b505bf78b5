"""The differential agreement harness (tests/agreement, docs/agreement.md) on a small seeded sample.

`nox -s agreement` runs the same harness on 22,000 instances with a fresh seed; this module runs 100 instances of
each of the 20 shapes with a fixed seed, so it is deterministic and quick. It also checks the harness itself:
that it catches a model that is known not to be exact, that every known failure still reproduces, and that the
parser limits the harness steers around are real.
"""

from __future__ import annotations

import json
import types

import pytest
from agreement import SHAPES, Instance, Report, Validators, build_validators, round_trip_problem, run
from agreement.jsontext import STYLES, json_equal, render
from agreement.known import KNOWN_FAILURES, PARSER_LIMITS, known_round_trip_failure
from agreement.runner import instances_for, sources_for
from agreement.validators import DATAMODEL_LIMITS, OFFICIAL_SCHEMA, REFERENCE_DIR, PydanticValidator

from codegen.instances import facts_of, neighbours

SAMPLE_SEED = 2663
SAMPLE_COUNT = 100


@pytest.fixture(scope="module")
def validators() -> Validators:
    return build_validators()


@pytest.fixture(scope="module")
def sample(validators: Validators) -> Report:
    return run(SAMPLE_COUNT, SAMPLE_SEED, validators=validators)


def test_the_validators_are_all_there(validators: Validators) -> None:
    assert validators.datamodel.available, validators.datamodel.missing_reason
    assert [shape for shape in SHAPES if validators.datamodel.skip_reason(shape)] == []
    if not validators.official.available:
        pytest.skip(f"official schema not found at {OFFICIAL_SCHEMA}: the sample ran with our schema as referee")


def test_the_shapes_are_the_extension_shapes_of_the_official_schema(validators: Validators) -> None:
    if validators.official.document is None:
        pytest.skip(f"official schema not found at {OFFICIAL_SCHEMA}")
    definitions = validators.official.document["$defs"]
    # The extension's own definitions repeat "$schema"; the core ones spliced in do not.
    assert sorted(name for name, schema in definitions.items() if "$schema" in schema) == sorted(SHAPES)


def test_the_sample_covers_every_shape_with_both_verdicts(sample: Report) -> None:
    assert list(sample.stats) == list(SHAPES)
    for shape, stats in sample.stats.items():
        assert stats.instances == SAMPLE_COUNT, shape
        assert stats.valid > 0 and stats.invalid > 0, (shape, stats)
    assert 0.4 < sample.total.invalid / sample.total.instances < 0.6, sample.table()


def test_every_validator_agrees_on_the_sample(sample: Report) -> None:
    found = [finding for finding in sample.failures if finding.kind == "disagreement"]
    assert not found, "\n\n".join(finding.describe() for finding in found) + "\n\n" + sample.table()


def test_everything_the_wire_models_accept_round_trips(sample: Report) -> None:
    assert sample.total.round_trips == sample.total.valid  # agreement: the wire models accept exactly the valid ones
    found = [finding for finding in sample.failures if finding.kind == "round-trip"]
    assert not found, "\n\n".join(finding.describe() for finding in found) + "\n\n" + sample.table()


@pytest.mark.parametrize(("version", "module"), [("2026-07-28", "v2026_07_28"), ("draft", "draft")])
def test_each_version_agrees_with_its_own_official_schema(version: str, module: str) -> None:
    official = REFERENCE_DIR / version / "schema.json"
    if not official.exists():
        pytest.skip(f"{official} is absent: no referee for version {version}")
    report = run(30, SAMPLE_SEED, validators=build_validators(package=f"mcp_ext_tasks.{module}", official=official))
    assert report.total.round_trips == report.total.valid
    assert not report.failures, "\n\n".join(finding.describe() for finding in report.failures) + "\n\n" + report.table()


def test_the_sample_is_reproducible(validators: Validators) -> None:
    documents = [d for d in (validators.official.document, validators.ours.document) if d is not None]
    sources = sources_for(validators)
    facts = facts_of(documents)

    def texts() -> list[str]:
        made = instances_for("GetTaskResult", 40, SAMPLE_SEED, sources, validators, facts)
        return [instance.text for instance, _ in made]

    first = texts()
    assert len(first) == 40 and first == texts()


def test_the_harness_catches_models_that_are_not_exact(validators: Validators) -> None:
    # The seed-compatible top-level models are not exact on purpose: they accept a missing resultType or ttlMs (and
    # type result/error/inputRequests whatever the status, so they reject a working task with "result": "").
    import mcp_ext_tasks

    lenient = types.SimpleNamespace(GetTaskResult=mcp_ext_tasks.GetTaskResult, Task=mcp_ext_tasks.Task)
    planted = Validators(
        wire=PydanticValidator("wire", lenient),
        typed=validators.typed,
        ours=validators.ours,
        official=validators.official,
        datamodel=validators.datamodel,
    )
    report = run(40, SAMPLE_SEED, ("Task", "GetTaskResult"), validators=planted)
    disagreements = [f for f in report.failures if f.kind == "disagreement"]
    assert {f.shape for f in disagreements} == {"Task", "GetTaskResult"}, report.table()
    for finding in disagreements:
        others = {name: verdict for name, verdict in finding.verdicts.items() if name != "wire"}
        assert set(others.values()) - {None} == {not finding.verdicts["wire"]}, finding.describe()
        assert len(finding.text) < 160, finding.describe()  # minimized: a handful of members, empty strings


@pytest.mark.parametrize(
    ("known", "shape", "example"),
    [
        pytest.param(known, shape, example, id=f"{known.name}-{shape}")
        for known in KNOWN_FAILURES
        for shape, example in known.examples
    ],
)
def test_known_failure_still_reproduces(known, shape: str, example: str, validators: Validators) -> None:
    instance = Instance(shape, json.loads(example))
    assert validators.referee.accepts(instance) and validators.wire.accepts(instance)
    problem = round_trip_problem(validators, instance)
    assert problem is not None and known_round_trip_failure(shape, instance.data, problem[2]) is known, (
        f"{known.name} no longer reproduces with {example}: once it is fixed, remove it from KNOWN_FAILURES in "
        f"tests/agreement/known.py and keep the instance as a regression example under spec/examples/{shape}/"
    )


@pytest.mark.parametrize("limit", PARSER_LIMITS, ids=lambda limit: limit.name)
def test_parser_limit_is_real(limit, validators: Validators) -> None:
    data = json.loads(limit.example)
    assert validators.ours.accepts_data(limit.example_shape, data)
    assert validators.official.accepts_data(limit.example_shape, data) in (True, None)
    instance = Instance(limit.example_shape, data, raw=limit.example)
    if validators.wire.accepts(instance):
        problem = round_trip_problem(validators, instance)
        assert problem is not None, f"{limit.name} is gone: the harness could generate these instances now"
    else:
        assert not validators.typed.accepts(instance)


def test_datamodel_limits_are_real(validators: Validators) -> None:
    assert [limit.name for limit in DATAMODEL_LIMITS] == ["integral-floats"]
    adapter = validators.datamodel._adapter("Task")
    assert adapter is not None
    text = '{"taskId":"t","status":"working","createdAt":"","lastUpdatedAt":"","ttlMs":60000.0}'
    assert validators.official.accepts(Instance("Task", json.loads(text))) in (True, None)
    with pytest.raises(ValueError):
        adapter.validate_json(text)
    assert validators.datamodel.accepts(Instance("Task", json.loads(text))) is True  # respelled as 60000


def test_every_spelling_parses_to_the_same_value() -> None:
    value = {"k\u00e9y/\U0001f600": ['\u0000\n"\\/\u2028', 1, 2.5, None, True, {}, []], "": {"a": ""}}
    for style in STYLES:
        assert json_equal(json.loads(render(value, style)), value), style


def test_neighbours_of_an_example_are_mostly_near_misses(validators: Validators) -> None:
    documents = [d for d in (validators.official.document, validators.ours.document) if d is not None]
    example = {"taskId": "t", "status": "completed", "createdAt": "a", "lastUpdatedAt": "b", "ttlMs": 5, "result": {}}
    made = neighbours(example, facts_of(documents))
    kinds = {kind for _, kind in made}
    assert kinds >= {"drop-member", "null", "wrong-json-type", "int53-edge", "integral-float", "literal-swapped"}
    verdicts = [validators.referee.accepts(Instance("CompletedTask", value)) for value, _ in made]
    assert 0 < verdicts.count(True) < verdicts.count(False)

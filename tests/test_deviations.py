"""The spec's deviations from the published schema (`deviations:` in spec/tasks.yaml), driven by that list.

Each deviation is real: the published schema rejects its witnesses, which all three artifacts (wire models,
TypedDicts, our JSON Schema) accept; its `still_rejects` examples are rejected by all of them. Nothing else changes:
with the deviations applied, the published schema agrees with ours (the drift check and tests/test_examples.py say
so shape by shape), and without any one of them the drift check finds exactly that deviation's difference again.
A deviation the published schema no longer has as recorded is stale, and that is drift.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REFERENCE_DIR, SPEC_DIR, SchemaVerdicts, published_or_skip, run_codegen

from codegen import ir
from codegen.deviations import apply_deviations, canonical, resolve
from codegen.drift import check_drift, load_examples, to_markdown
from codegen.lower import load_spec
from mcp_ext_tasks import draft

ARTIFACTS = ("wire", "typed", "schema")
VERSIONS = ("draft", "2026-07-28")
DEVIATIONS = load_spec(SPEC_DIR).deviations


def example_text(ref: str) -> tuple[str, str]:
    """The shape and JSON text of a spec example named `Shape/valid-slug`."""
    shape, name = ref.split("/")
    return shape, (SPEC_DIR / "examples" / shape / f"{name}.json").read_text(encoding="utf-8")


def deviation_params() -> list[Any]:
    return [pytest.param(d, id=d.name) for d in DEVIATIONS]


def test_the_spec_lists_the_two_deviations_of_the_typescript_source() -> None:
    assert [(d.name, d.shape) for d in DEVIATIONS] == [
        ("json-value-numbers-and-null", "JSONValue"),
        ("elicit-content-numbers", "ElicitContentValue"),
    ]


@pytest.mark.parametrize("deviation", deviation_params())
def test_our_three_artifacts_accept_the_witnesses_the_published_schema_rejects(
    deviation: ir.Deviation,
    accepts: Callable[[str, str, str], bool],
    published_schema: SchemaVerdicts,
    official_schema: SchemaVerdicts,
) -> None:
    assert deviation.accepts
    for ref in deviation.accepts:
        shape, text = example_text(ref)
        assert not published_schema.accepts(shape, text), f"the published schema accepts {ref}: no deviation there"
        assert official_schema.accepts(shape, text), f"with the deviations applied the official schema rejects {ref}"
        assert {artifact: accepts(artifact, shape, text) for artifact in ARTIFACTS} == dict.fromkeys(ARTIFACTS, True)


@pytest.mark.parametrize("deviation", deviation_params())
def test_where_a_deviation_stops_everyone_still_rejects(
    deviation: ir.Deviation,
    accepts: Callable[[str, str, str], bool],
    published_schema: SchemaVerdicts,
    official_schema: SchemaVerdicts,
) -> None:
    assert deviation.still_rejects
    for ref in deviation.still_rejects:
        shape, text = example_text(ref)
        verdicts = {artifact: accepts(artifact, shape, text) for artifact in ARTIFACTS}
        verdicts |= {
            "published": published_schema.accepts(shape, text),
            "official": official_schema.accepts(shape, text),
        }
        assert verdicts == dict.fromkeys(verdicts, False), ref


def test_the_done_when_cases(accepts: Callable[[str, str, str], bool]) -> None:
    """A fractional and a null JSONValue in all three artifacts; a fractional form answer in wire.UpdateTaskRequest;
    null form values still rejected; all of them are examples the deviations list names."""
    named = {ref for d in DEVIATIONS for ref in (*d.accepts, *d.still_rejects)}
    metadata = "InputRequiredTask/valid-sampling-metadata-fraction-and-null"
    form = "UpdateTaskRequest/valid-fractional-form-answer"
    null_form = "UpdateTaskRequest/invalid-null-form-answer"
    assert {metadata, form, null_form} <= named
    shape, text = example_text(metadata)
    values = json.loads(text)["inputRequests"]["draft-2"]["params"]["metadata"]
    assert values["top_p"] == 0.9 and values["seed"] is None and values["provider"]["cache"]["key"] is None
    assert all(accepts(artifact, shape, text) for artifact in ARTIFACTS)
    assert accepts("wire", *example_text(form)) and not accepts("wire", *example_text(null_form))


@pytest.mark.parametrize("version", VERSIONS)
@pytest.mark.parametrize("deviation", deviation_params())
def test_the_published_schema_still_says_what_the_spec_recorded(version: str, deviation: ir.Deviation) -> None:
    published = published_or_skip(REFERENCE_DIR / version / "schema.json")
    assert canonical(resolve(published, deviation.official)) == deviation.published


@pytest.mark.parametrize("deviation", deviation_params())
def test_without_this_deviation_its_difference_is_drift_again(deviation: ir.Deviation) -> None:
    published = published_or_skip()
    ours = draft.json_schema()
    witnesses = sorted({ref.split("/")[0] for ref in deviation.accepts})
    others = [d for d in DEVIATIONS if d is not deviation]
    examples = load_examples([SPEC_DIR / "examples"])
    kept = check_drift(ours, published, examples, only=witnesses, max_instances=120, deviations=DEVIATIONS)
    assert kept.clean, to_markdown(kept)
    dropped = check_drift(ours, published, examples, only=witnesses, max_instances=120, deviations=others)
    assert not dropped.clean
    found = {json.dumps(d.instance) for shape in dropped.shapes for d in shape.disagreements if d.ours}
    for ref in deviation.accepts:
        assert json.dumps(json.loads(example_text(ref)[1])) in found, f"{ref} is no longer the difference"


def test_a_stale_deviation_is_drift(tmp_path: Path) -> None:
    published = published_or_skip()
    changed = json.loads(json.dumps(published))
    changed["$defs"]["JSONValue"]["anyOf"][2]["type"] = ["string", "number", "boolean", "null"]  # upstream fixed it
    official = tmp_path / "schema.json"
    official.write_text(json.dumps(changed), encoding="utf-8")
    ours = "mcp_ext_tasks.draft"
    applied = apply_deviations(changed, draft.json_schema(), DEVIATIONS)
    assert [d.name for d, _ in applied.stale] == ["json-value-numbers-and-null"]
    done = run_codegen("drift", official, "--ours", ours, "--shape", "JSONValue", "--max-instances", "40")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "### Stale deviations" in done.stdout and "- `json-value-numbers-and-null`: " in done.stdout
    assert "- `elicit-content-numbers`: our ElicitContentValue in place of " in done.stdout


def test_the_cli_names_the_deviations_and_can_leave_them_out() -> None:
    official = REFERENCE_DIR / "draft" / "schema.json"
    published_or_skip(official)
    ours = "mcp_ext_tasks.draft"
    args = ("drift", official, "--ours", ours, "--shape", "JSONValue", "--max-instances", "60")
    known = run_codegen(*args)
    assert known.returncode == 0, known.stdout + known.stderr
    assert "### Known deviations (2, listed in the spec" in known.stdout
    exact = run_codegen(*args, "--no-deviations")
    assert exact.returncode == 1 and "#### JSONValue" in exact.stdout and "Known deviations" not in exact.stdout

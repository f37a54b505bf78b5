"""Every labelled wire example gets its label from every artifact: wire models, TypedDicts, our schema, the official one."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from conftest import SPEC_DIR, Example, SchemaVerdicts, official_examples, spec_examples

from codegen.lower import load_spec

ARTIFACTS = ["wire", "typed", "schema"]


def verdict_word(valid: bool) -> str:
    return "accepts" if valid else "rejects"


@pytest.mark.parametrize("artifact", ARTIFACTS)
def test_spec_example_gets_its_label(
    artifact: str, spec_example: Example, accepts: Callable[[str, str, str], bool]
) -> None:
    got = accepts(artifact, spec_example.shape, spec_example.text)
    assert got == spec_example.valid, f"{artifact} {verdict_word(got)} {spec_example.path}"


def test_official_schema_agrees_with_spec_example(
    spec_example: Example, official_schema: SchemaVerdicts, published_schema: SchemaVerdicts
) -> None:
    """The official schema with the listed deviations applied gives every label; as published, it gives every label
    but rejects the deviations' witnesses."""
    if not official_schema.has(spec_example.shape):
        pytest.skip(f"{spec_example.shape} is not a $defs entry of the official schema")
    got = official_schema.accepts(spec_example.shape, spec_example.text)
    assert got == spec_example.valid, f"the official schema {verdict_word(got)} {spec_example.path}"
    witness = spec_example.id in {ref for d in load_spec(SPEC_DIR).deviations for ref in d.accepts}
    published = published_schema.accepts(spec_example.shape, spec_example.text)
    assert published == (spec_example.valid and not witness), f"as published it {verdict_word(published)} it"


@pytest.mark.parametrize("artifact", ARTIFACTS)
def test_official_example_gets_its_label(
    artifact: str, official_example: Example, accepts: Callable[[str, str, str], bool]
) -> None:
    got = accepts(artifact, official_example.shape, official_example.text)
    assert got == official_example.valid, f"{artifact} {verdict_word(got)} {official_example.path}"


def test_every_spec_example_shape_has_valid_and_invalid_examples() -> None:
    labels: dict[str, set[bool]] = {}
    for example in spec_examples():
        labels.setdefault(example.shape, set()).add(example.valid)
    assert len(labels) >= 20, sorted(labels)
    assert sorted(shape for shape, seen in labels.items() if seen != {True, False}) == []


def test_every_example_shape_is_a_generated_shape(generated_schema: SchemaVerdicts) -> None:
    shapes = {example.shape for example in spec_examples() + official_examples()}
    assert shapes, "no examples found"
    assert sorted(shape for shape in shapes if not generated_schema.has(shape)) == []

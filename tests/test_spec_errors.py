"""A malformed spec exits 2 with one `file:line:col: where: message` line per problem, and writes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import read_tree, run_codegen, write_spec

from codegen.lower import load_spec
from codegen.source import SpecErrors

MINIMAL_SPEC = """\
extension:
  id: example.com/mini
  title: Mini extension
  sep: 1
  package: mini_ext
  schema_id: https://example.com/mini/schema.json
  description: A minimal spec for error tests.

shapes:
  Level:
    kind: enum
    description: How loud an item is.
    values:
      quiet: Barely heard.
      loud: Heard everywhere.

  Item:
    kind: object
    description: One item.
    fields:
      itemId:
        type: string
        description: The item's identifier.
      level:
        type: Level
        required: false
        description: The item's level.

  Items:
    kind: alias
    description: Items by key.
    type: {map: Item}
"""

DUPLICATE_SHAPE = """
  Item:
    kind: enum
    description: The same name again.
    values:
      one: The only value.
"""

PREEXISTING = {
    "mini_ext/keep.py": b"KEEP = 'precious'\n",
    "docs/reference.md": b"# an older page\n",
}


def edit(text: str, old: str, new: str) -> str:
    assert text.count(old) == 1, f"{old!r} must occur once"
    return text.replace(old, new)


def position(text: str, needle: str, *, occurrence: int = 1) -> tuple[int, int]:
    """1-based line and column where the `occurrence`-th `needle` starts in `text`."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    column = index - (text.rfind("\n", 0, index) + 1) + 1
    return line, column


@pytest.fixture
def out_dir(tmp_path: Path) -> Path:
    """An output folder that already holds files, which a failed run must leave as they are."""
    out = tmp_path / "out"
    for relative, data in PREEXISTING.items():
        (out / relative).parent.mkdir(parents=True, exist_ok=True)
        (out / relative).write_bytes(data)
    return out


def error_line(spec: Path, at: tuple[int, int], where: str, message: str) -> str:
    return f"{(spec / 'tasks.yaml').as_posix()}:{at[0]}:{at[1]}: {where}: {message}"


def run_and_expect(command: str, spec: Path, out: Path, expected: list[str]) -> None:
    result = run_codegen(command, "--spec", spec, "--out", out)
    assert result.returncode == 2, result.stdout + result.stderr
    summary = f"{len(expected)} problem(s) in {spec}; nothing written."
    assert result.stderr.splitlines() == [*expected, summary]
    assert read_tree(out) == PREEXISTING


def test_minimal_spec_generates(tmp_path: Path, out_dir: Path) -> None:
    spec = write_spec(tmp_path / "spec", MINIMAL_SPEC)
    result = run_codegen("generate", "--spec", spec, "--out", out_dir)
    assert result.returncode == 0, result.stderr
    files = read_tree(out_dir)
    assert {"mini_ext/wire.py", "mini_ext/schema.json"} <= set(files)
    assert "mini_ext/keep.py" not in files, "a stale file in the package folder survives a successful run"
    assert files["docs/reference.md"] != PREEXISTING["docs/reference.md"]


def test_misspelled_field_key(tmp_path: Path, out_dir: Path) -> None:
    text = edit(MINIMAL_SPEC, "        required: false\n", "        requried: false\n")
    spec = write_spec(tmp_path / "spec", text)
    expected = error_line(
        spec, position(text, "requried:"), "shapes.Item.fields.level.requried", "unknown key 'requried'"
    )
    run_and_expect("generate", spec, out_dir, [expected])


def test_reference_to_an_undefined_shape(tmp_path: Path, out_dir: Path) -> None:
    text = edit(MINIMAL_SPEC, "        type: Level\n", "        type: Volume\n")
    spec = write_spec(tmp_path / "spec", text)
    expected = error_line(spec, position(text, "Volume"), "shapes.Item.fields.level.type", "unknown type 'Volume'")
    run_and_expect("generate", spec, out_dir, [expected])


def test_yaml_syntax_error(tmp_path: Path, out_dir: Path) -> None:
    text = edit(MINIMAL_SPEC, "    description: One item.\n", "    description: One item: broken\n")
    spec = write_spec(tmp_path / "spec", text)
    at = position(text, ": broken")
    expected = error_line(spec, at, "<document>", "YAML syntax error: mapping values are not allowed here")
    run_and_expect("generate", spec, out_dir, [expected])


def test_duplicate_shape_key(tmp_path: Path, out_dir: Path) -> None:
    text = MINIMAL_SPEC + DUPLICATE_SHAPE
    spec = write_spec(tmp_path / "spec", text)
    first_line, _ = position(text, "  Item:\n")
    duplicate = position(text, "Item:\n", occurrence=2)
    expected = error_line(spec, duplicate, "shapes.Item", f"duplicate key 'Item' (first at line {first_line})")
    run_and_expect("generate", spec, out_dir, [expected])


def test_missing_shape_description(tmp_path: Path, out_dir: Path) -> None:
    text = edit(MINIMAL_SPEC, "    description: One item.\n", "")
    spec = write_spec(tmp_path / "spec", text)
    item_body = position(text, "kind: object")
    expected = error_line(spec, item_body, "shapes.Item", "missing required key 'description'")
    run_and_expect("generate", spec, out_dir, [expected])


@pytest.mark.parametrize("command", ["generate", "check"])
def test_two_problems_are_reported_in_one_run(tmp_path: Path, out_dir: Path, command: str) -> None:
    text = edit(MINIMAL_SPEC, "        required: false\n", "        requried: false\n")
    text = edit(text, "    type: {map: Item}\n", "    type: {map: Thing}\n")
    spec = write_spec(tmp_path / "spec", text)
    expected = [
        error_line(spec, position(text, "requried:"), "shapes.Item.fields.level.requried", "unknown key 'requried'"),
        error_line(spec, position(text, "Thing"), "shapes.Items.type.map", "unknown type 'Thing'"),
    ]
    run_and_expect(command, spec, out_dir, expected)


SYNTAX_ERRORS = """
shapes:
  Level:
    kind: enum
    description: How loud an item is.
    values: {}
  Item:
    kind: object
    description: One item.
    fields:
      itemId:
        type: string
        const: x
        description: Both a type and a const.
      level:
        type: Level
        minimum: 1
        description: A bound on an enum.
      "<map>":
        type: {list: Item}
        description: A member spelt like a tag, with an unknown form of type.
  Items:
    kind: alias
    description: Items by key.
    type: {map: {array: Item, map: Item}}
  Odd:
    kind: record
    description: No such kind.
  Bare: just text
  Kindless:
    description: No kind.
  Empty:
    kind: union
    description: No variants.
    variants: []
  Twice:
    kind: union
    description: The same variant twice.
    variants: [Item, {array: Item}, Item]
  lowercase:
    kind: enum
    description: A bad name.
    values: {a: A.}
"""


def test_the_spec_model_states_the_syntax_and_every_breach_is_located(tmp_path: Path) -> None:
    """Shape kinds, type expressions and field rules are the spec model's: each breach is reported at its place,
    all in one run, and a member spelt like a pydantic union tag (`<map>`) keeps its place in the path."""
    text = MINIMAL_SPEC.split("\nshapes:\n")[0] + "\n" + SYNTAX_ERRORS
    spec = write_spec(tmp_path / "spec", text)
    with pytest.raises(SpecErrors) as raised:
        load_spec(spec)
    expected = [
        (position(text, "{}\n  Item"), "shapes.Level.values", "an enum needs at least one value"),
        (position(text, "type: string"), "shapes.Item.fields.itemId", ONE_OF),
        (
            position(text, "type: Level"),
            "shapes.Item.fields.level",
            "minimum, maximum and format apply to scalar types only",
        ),
        (
            position(text, "{list"),
            "shapes.Item.fields.<map>.type",
            'a type is a name or {array: T} or {map: T}, not {"list": "Item"}',
        ),
        (
            position(text, "{array: Item, map"),
            "shapes.Items.type.map",
            'a type is a name or {array: T} or {map: T}, not {"array": "Item", "map": "Item"}',
        ),
        (position(text, "record"), "shapes.Odd.kind", "unknown kind 'record' (one of: object, union, enum, alias)"),
        (position(text, "just text"), "shapes.Bare", "a shape must be a mapping"),
        (position(text, "description: No kind."), "shapes.Kindless", "missing required key 'kind'"),
        (position(text, "[]"), "shapes.Empty.variants", "a union needs at least one variant"),
        (position(text, "[Item, {array"), "shapes.Twice.variants", "a union lists the same variant twice"),
        (
            position(text, "lowercase:"),
            "shapes.lowercase",
            "shape name 'lowercase' must be a capitalised Python identifier, not reserved",
        ),
    ]
    assert list(map(str, raised.value.errors)) == [error_line(spec, *row) for row in expected]


ONE_OF = "a field needs exactly one of 'type', 'const' or 'enum'"

DEVIATIONS = """
deviations:
  - name: item-levels
    shape: Levle
    official: Item
    published: {type: string}
    says: One of two levels.
    ours: One of two levels.
    why: A test.
    accepts: [Item/invalid-number]
  - name: item-levels
    shape: Level
    official: /$defs/Level
    published: {type: string}
    says: One of two levels.
    ours: One of two levels.
    why: A test.
"""


def test_malformed_deviations_are_located_errors(tmp_path: Path, out_dir: Path) -> None:
    text = edit(MINIMAL_SPEC, "\nshapes:\n", DEVIATIONS + "\nshapes:\n")
    spec = write_spec(tmp_path / "spec", text)
    (spec / "examples" / "Item").mkdir(parents=True)
    (spec / "examples" / "Item" / "invalid-number.json").write_text("1", encoding="utf-8")
    run_and_expect(
        "generate",
        spec,
        out_dir,
        [
            error_line(spec, position(text, "Levle"), "deviations[0].shape", "unknown shape 'Levle'"),
            error_line(
                spec,
                position(text, "Item\n"),
                "deviations[0].official",
                "a JSON Pointer into the $defs, like /$defs/Name",
            ),
            error_line(
                spec,
                position(text, "Item/invalid-number"),
                "deviations[0].accepts[0]",
                "'Item/invalid-number' is not a valid example (Shape/valid-slug)",
            ),
            error_line(
                spec,
                position(text, "name: item-levels", occurrence=2),
                "deviations[1]",
                "a deviation needs at least one example in 'accepts'",
            ),
            error_line(
                spec,
                position(text, "item-levels", occurrence=2),
                "deviations[1].name",
                "duplicate deviation name 'item-levels'",
            ),
        ],
    )


def test_the_command_line_lists_its_four_subcommands_each_with_its_own_help() -> None:
    listed = run_codegen("--help")
    assert listed.returncode == 0
    for command in ("generate", "check", "changelog", "drift"):
        assert f"    {command}" in listed.stdout, listed.stdout
        own = run_codegen(command, "--help")
        assert own.returncode == 0 and own.stdout.startswith(f"usage: python -m codegen {command} "), own.stdout
    unknown = run_codegen("regenerate")
    assert unknown.returncode == 2 and "invalid choice: 'regenerate'" in unknown.stderr

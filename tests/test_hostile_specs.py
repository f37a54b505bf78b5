"""Broken and hostile specs: every problem located and reported at once (exit 2, nothing written), odd names made
safe, text never turned into code, nothing lost when generation fails, and large specs generated."""

from __future__ import annotations

import ast
import inspect
import itertools
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import REPO, run_codegen, write_spec

from codegen.synthetic import write_scaled_spec

HEAD = """\
extension:
  id: example/ext
  title: Example extension
  sep: 1
  package: example_ext
  schema_id: https://example.com/schema.json
  description: An example extension.
"""

BASE_SHAPES = """\
shapes:
  Status:
    kind: enum
    description: A status.
    values:
      on: Running.
      off: Stopped.
  Thing:
    kind: object
    description: A thing.
    fields:
      id:
        type: string
        description: The id.
      status:
        type: Status
        description: Its status.
"""


def at(text: str, needle: str, occurrence: int = 1) -> str:
    """`line:col` (1-based) of the n-th occurrence of `needle` in `text`: where the error must point."""
    index = -1
    for _ in range(occurrence):
        index = text.index(needle, index + 1)
    line = text.count("\n", 0, index) + 1
    return f"{line}:{index - (text.rfind(chr(10), 0, index) + 1) + 1}"


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def expect_errors(tmp_path: Path, text: str, expected: list[str], **files: str | bytes) -> None:
    """Generating the spec exits 2 with exactly these error lines and leaves the output folder as it was."""
    spec = write_spec(tmp_path / "spec", text, **files)
    out = tmp_path / "out"
    (out / "example_ext").mkdir(parents=True)
    (out / "example_ext" / "keep.py").write_text("previous output\n")
    before = snapshot(out)
    done = run_codegen("generate", "--spec", spec, "--out", out)
    lines = done.stderr.splitlines()
    assert done.returncode == 2, done.stderr
    assert lines[:-1] == [line.replace("SPEC", spec.as_posix()) for line in expected]
    assert lines[-1].endswith("nothing written.")
    assert snapshot(out) == before


# ------------------------------------------------------------------------------------------- located errors
def test_yaml_syntax_error(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES + "  Broken:\n    kind: [object\n"
    spec = write_spec(tmp_path / "spec", text)
    done = run_codegen("generate", "--spec", spec, "--out", tmp_path / "out")
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"{spec.as_posix()}/tasks.yaml:") and ": <document>: YAML syntax error: " in first
    assert not (tmp_path / "out").exists()


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES
    raw = text.replace("A thing.", "A th\xefng.").encode("latin-1")
    spec = tmp_path / "spec"
    spec.mkdir()
    (spec / "tasks.yaml").write_bytes(raw)
    done = run_codegen("generate", "--spec", spec, "--out", tmp_path / "out")
    line, col = at(text, "A thing.").split(":")  # the bad byte replaces the i of "thing"
    assert done.returncode == 2
    assert (
        done.stderr.splitlines()[0]
        == f"{spec.as_posix()}/tasks.yaml:{line}:{int(col) + 4}: <document>: not UTF-8 (byte 0xef)"
    )


def test_misspelled_field_key_and_unknown_shape_key_reported_together(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES.replace("        type: string\n", "        type: string\n        requried: false\n")
    text = text.replace("    kind: enum\n", "    kind: enum\n    colour: red\n")
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/tasks.yaml:{at(text, 'colour')}: shapes.Status.colour: unknown key 'colour'",
            f"SPEC/tasks.yaml:{at(text, 'requried')}: shapes.Thing.fields.id.requried: unknown key 'requried'",
        ],
    )


def test_unknown_top_level_key(tmp_path: Path) -> None:
    text = HEAD + "versionz: 2\n" + BASE_SHAPES
    expect_errors(tmp_path, text, [f"SPEC/tasks.yaml:{at(text, 'versionz')}: versionz: unknown key 'versionz'"])


def test_missing_required_key(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES.replace("        description: The id.\n", "")
    expect_errors(
        tmp_path,
        text,
        [f"SPEC/tasks.yaml:{at(text, 'type: string')}: shapes.Thing.fields.id: missing required key 'description'"],
    )


def test_reference_to_an_undefined_shape(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES.replace("type: Status", "type: Statuz")
    expect_errors(
        tmp_path,
        text,
        [f"SPEC/tasks.yaml:{at(text, 'Statuz')}: shapes.Thing.fields.status.type: unknown type 'Statuz'"],
    )


def test_duplicate_shape_and_field_names(tmp_path: Path) -> None:
    duplicate = "  Status:\n    kind: enum\n    description: Again.\n    values:\n      x: X.\n"
    text = (
        HEAD
        + BASE_SHAPES.replace(
            "      status:\n", "      id:\n        type: string\n        description: Twice.\n      status:\n"
        )
        + duplicate
    )
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/tasks.yaml:{at(text, 'id:' + chr(10), 2)}: shapes.Thing.fields.id: duplicate key 'id' (first at line {at(text, 'id:' + chr(10)).split(':')[0]})",
            f"SPEC/tasks.yaml:{at(text, 'Status:', 2)}: shapes.Status: duplicate key 'Status' (first at line {at(text, 'Status:').split(':')[0]})",
        ],
    )


def test_duplicate_shape_across_included_files(tmp_path: Path) -> None:
    text = HEAD + "include: [more.yaml]\n" + BASE_SHAPES
    more = "shapes:\n  Thing:\n    kind: object\n    description: Another thing.\n    fields: {}\n"
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/more.yaml:2:3: shapes.Thing: duplicate shape 'Thing' (first in SPEC/tasks.yaml line {at(text, 'Thing:').split(':')[0]})"
        ],
        **{"more.yaml": more},
    )


def test_python_names_that_collide(tmp_path: Path) -> None:
    text = (
        HEAD
        + BASE_SHAPES
        + "      task_id:\n        type: string\n        description: A.\n      taskId:\n        type: string\n        description: B.\n"
    )
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/tasks.yaml:{at(text, 'taskId:')}: shapes.Thing.fields.taskId: fields 'task_id' and 'taskId' both become Python name 'task_id'"
        ],
    )


UNION = """\
  Left:
    kind: object
    description: Left.
    fields:
      side:
        const: left
        description: Always left.
  Right:
    kind: object
    description: Right.
    fields:
      side:
        SIDE
        description: The side.
  Either:
    kind: union
    description: Either side.
    discriminator: side
    variants: [Left, Right]
"""


@pytest.mark.parametrize(
    ("side", "message"),
    [
        ("const: left", "variants 'Left' and 'Right' share discriminator value \"left\""),
        ("type: string", "variant 'Right' has no required const field 'side' to discriminate on"),
    ],
    ids=["duplicated-value", "not-a-const"],
)
def test_discriminated_union_problems(tmp_path: Path, side: str, message: str) -> None:
    text = HEAD + BASE_SHAPES + UNION.replace("SIDE", side)
    expect_errors(tmp_path, text, [f"SPEC/tasks.yaml:{at(text, 'Right]')}: shapes.Either.variants[1]: {message}"])


def test_discriminator_missing_from_a_variant(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES + UNION.replace("      side:\n        SIDE\n", "      other:\n        type: string\n")
    message = "variant 'Right' has no required const field 'side' to discriminate on"
    expect_errors(tmp_path, text, [f"SPEC/tasks.yaml:{at(text, 'Right]')}: shapes.Either.variants[1]: {message}"])


def test_cycles_that_cannot_be_expressed(tmp_path: Path) -> None:
    cycles = """\
  Loop:
    kind: alias
    description: Itself.
    type: Loop
  A:
    kind: object
    description: A.
    extends: [B]
  B:
    kind: object
    description: B.
    extends: [A]
"""
    text = HEAD + BASE_SHAPES + cycles
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/tasks.yaml:{at(text, 'kind: alias')}: shapes.Loop: an alias cannot be defined as itself (the cycle has no array, map or object)",
            f"SPEC/tasks.yaml:{at(text, 'A]')}: shapes.B.extends[0]: cyclic extends: A -> B -> A",
        ],
    )


def test_enum_with_duplicate_values(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES.replace("      off: Stopped.\n", "      off: Stopped.\n      on: Again.\n")
    text += "      mode:\n        enum: [fast, slow, fast]\n        description: Speed.\n"
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/tasks.yaml:{at(text, 'on: Again')}: shapes.Status.values.on: duplicate key 'on' (first at line {at(text, '      on:').split(':')[0]})",
            f"SPEC/tasks.yaml:{at(text, '[fast')}: shapes.Thing.fields.mode.enum: an enum needs distinct values",
        ],
    )


def test_ambiguous_yaml_boolean(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES + "      flag:\n        const: yes\n        description: A flag.\n"
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/tasks.yaml:{at(text, 'yes')}: shapes.Thing.fields.flag.const: 'yes' reads as a YAML boolean; write true/false or quote the text"
        ],
    )


def test_examples_for_unknown_shapes_and_unparsable_examples(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES
    broken = '{\n  "id": "x",\n}\n'
    with pytest.raises(json.JSONDecodeError) as parsed:  # where and how this Python's json module words it
        json.loads(broken)
    where, what = f"{parsed.value.lineno}:{parsed.value.colno}", parsed.value.msg
    expect_errors(
        tmp_path,
        text,
        [
            "SPEC/examples/Nope:1:1: examples: unknown shape 'Nope'",
            f"SPEC/examples/Thing/valid-broken.json:{where}: examples: invalid JSON: {what}",
        ],
        **{"examples__Nope__valid-x.json": "{}", "examples__Thing__valid-broken.json": broken},
    )


# ------------------------------------------------------------------------------------------- odd names, hostile text
ODD_NAMES = [
    "class",
    "from",
    "match",
    "type",
    "model_config",
    "model_dump",
    "schema",
    "json",
    "copy",
    "2fa",
    "x-y",
    "a.b",
    "c/d",
    "$ref",
    "naïve",
    "on",
]
HOSTILE = [
    'triple """ double',
    "triple ''' single",
    "back\\slash \\n not a newline \\",
    "nul \x00 byte",
    "{{ jinja }} and {% if x %}block{% endif %}",
    "</details><script>alert(1)</script>",
    "a | table | cell",
    "first line\nsecond line\n  indented third",
    "line\u2028separator and\u2029paragraph",
    "__import__('os').system('touch PWNED') # ends with a quote\"",
    "    leading and trailing blanks    ",
]


def yaml_string(text: str) -> str:
    return json.dumps(text)  # a JSON string is a YAML double-quoted scalar with the same escapes


NASTY = "\n".join(HOSTILE)


def odd_and_hostile_spec() -> str:
    fields = "".join(
        f"      {yaml_string(name)}:\n        type: string\n        required: false\n        description: {yaml_string(HOSTILE[i % len(HOSTILE)])}\n"
        for i, name in enumerate(ODD_NAMES)
    )
    constants = "".join(
        f"  - name: HOSTILE_{i}\n    value: {yaml_string(text)}\n    description: {yaml_string(text)}\n"
        for i, text in enumerate(HOSTILE)
    )
    values = "".join(f"      {yaml_string(text)}: {yaml_string(text)}\n" for text in HOSTILE[:4])
    return (
        HEAD
        + "constants:\n"
        + constants
        + BASE_SHAPES
        + fields
        + f"  Hostile:\n    kind: enum\n    description: {yaml_string(' / '.join(HOSTILE))}\n    values:\n{values}"
        + f"  Nasty:\n    kind: object\n    description: {yaml_string(NASTY)}\n    fields: {{}}\n"
    )


@pytest.fixture(scope="module")
def odd_package(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("odd")
    example = {
        "id": NASTY,
        "status": "on",
        **{name: HOSTILE[i % len(HOSTILE)] for i, name in enumerate(ODD_NAMES)},
        "unknown": ["</details>", "```", "{{ x }}"],
    }
    spec = write_spec(
        root / "spec", odd_and_hostile_spec(), **{"examples__Thing__valid-all-fields.json": json.dumps(example)}
    )
    done = run_codegen("generate", "--spec", spec, "--out", root / "out")
    assert done.returncode == 0, done.stderr
    return root / "out"


def test_odd_names_get_safe_python_names_with_the_wire_name_as_alias(odd_package: Path) -> None:
    probe = textwrap.dedent(
        """
        import json, sys
        from example_ext import wire
        fields = {name: info.serialization_alias for name, info in wire.Thing.model_fields.items()}
        example = json.loads(sys.stdin.read())
        thing = wire.Thing.model_validate(example)
        print(json.dumps({"fields": fields, "roundtrip": json.loads(thing.model_dump_json(by_alias=True, exclude_none=True)) == example}))
        """
    )
    example = (odd_package.parent / "spec" / "examples" / "Thing" / "valid-all-fields.json").read_text()
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=odd_package, input=example, capture_output=True, text=True, check=True
    )
    result = json.loads(done.stdout)
    assert result["roundtrip"]
    assert result["fields"] == {
        "id": None, "status": None, "class_": "class", "from_": "from", "match_": "match", "type_": "type",
        "model_config_": "model_config", "model_dump_": "model_dump", "schema_": "schema", "json_": "json",
        "copy_": "copy", "field_2fa": "2fa", "x_y": "x-y", "a_b": "a.b", "c_d": "c/d", "ref": "$ref", "naive": "naïve",
        "on": None,
    }  # fmt: skip


def test_hostile_text_stays_text_in_every_artifact(odd_package: Path) -> None:
    probe = textwrap.dedent(
        """
        import inspect, json, os
        import example_ext
        from example_ext import constants, wire, typed
        print(json.dumps({
            "constants": [getattr(constants, f"HOSTILE_{i}") for i in range(COUNT)],
            "enum": list(__import__("typing").get_args(wire.Hostile)),
            "schema_descriptions": {k: v["description"] for k, v in example_ext.json_schema()["$defs"]["Thing"]["properties"].items()},
            "cwd_files": sorted(os.listdir(".")),
        }))
        """
    ).replace("COUNT", str(len(HOSTILE)))
    done = subprocess.run([sys.executable, "-c", probe], cwd=odd_package, capture_output=True, text=True, check=True)
    assert done.stderr == ""
    result = json.loads(done.stdout)
    assert result["constants"] == HOSTILE
    assert result["enum"] == HOSTILE[:4]
    expected = {name: HOSTILE[i % len(HOSTILE)] for i, name in enumerate(ODD_NAMES)}
    assert result["schema_descriptions"] == {"id": "The id.", "status": "Its status.", **expected}
    assert "PWNED" not in result["cwd_files"]


def _attribute_docstrings(body: list[ast.stmt]) -> dict[str, str]:
    """`name: type` statements followed by a string: the attribute docstrings of a class or module body."""
    return {
        ast.unparse(node.target): follower.value.value
        for node, follower in itertools.pairwise(body)
        if isinstance(node, ast.AnnAssign)
        and isinstance(follower, ast.Expr)
        and isinstance(follower.value, ast.Constant)
    }


def test_hostile_text_docstrings_equal_the_text(odd_package: Path) -> None:
    probe = "import inspect, json; from example_ext import wire; print(json.dumps(inspect.getdoc(wire.Nasty)))"
    done = subprocess.run([sys.executable, "-c", probe], cwd=odd_package, capture_output=True, text=True, check=True)
    assert json.loads(done.stdout) == inspect.cleandoc(NASTY)

    wire_module = ast.parse((odd_package / "example_ext" / "wire.py").read_text(encoding="utf-8"))
    thing = next(n for n in wire_module.body if isinstance(n, ast.ClassDef) and n.name == "Thing")
    field_docs = _attribute_docstrings(thing.body)
    python_names = {"class": "class_", "from": "from_", "match": "match_", "type": "type_", "model_config": "model_config_",
                    "model_dump": "model_dump_", "schema": "schema_", "json": "json_", "copy": "copy_", "2fa": "field_2fa",
                    "x-y": "x_y", "a.b": "a_b", "c/d": "c_d", "$ref": "ref", "naïve": "naive", "on": "on"}  # fmt: skip
    for index, name in enumerate(ODD_NAMES):
        assert inspect.cleandoc(field_docs[python_names[name]]) == inspect.cleandoc(HOSTILE[index % len(HOSTILE)])

    constants = _attribute_docstrings(
        ast.parse((odd_package / "example_ext" / "constants.py").read_text(encoding="utf-8")).body
    )
    for index, text in enumerate(HOSTILE):
        assert inspect.cleandoc(constants[f"HOSTILE_{index}"]) == inspect.cleandoc(text)


def test_hostile_markdown_cannot_break_out(odd_package: Path) -> None:
    doc = (odd_package / "docs" / "reference.md").read_text(encoding="utf-8")
    fence = re.search(r"^(`{3,})json\n(.*?)\n\1$", doc, flags=re.S | re.M)
    assert fence is not None
    shown = json.loads(fence.group(2))
    assert shown == json.loads(
        (odd_package.parent / "spec" / "examples" / "Thing" / "valid-all-fields.json").read_text()
    )
    assert "</details>" not in doc and "<script>" not in doc
    rows = [line for line in doc.splitlines() if line.startswith("| `HOSTILE_")]
    assert len(rows) == len(HOSTILE)
    for row in rows:
        assert len(re.split(r"(?<!\\)\|", row)) == 5, row  # name, value, meaning: the text adds no cell


def test_odd_and_hostile_package_type_checks(odd_package: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--no-incremental", "example_ext"],
        cwd=odd_package,
        capture_output=True,
        text=True,
        check=False,
    )
    if "No module named mypy" in done.stderr:
        pytest.skip("mypy is not installed in this environment (nox -s typecheck installs it)")
    assert done.returncode == 0, done.stdout


# ------------------------------------------------------------------------------------------- nothing lost, stale files
@pytest.mark.parametrize("ruff", ["/nonexistent/ruff", "false"], ids=["formatter-missing", "formatter-fails"])
def test_a_failing_formatter_leaves_the_output_untouched(
    tmp_path: Path, ruff: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from codegen import __main__ as cli
    from codegen import output

    out = tmp_path / "out"
    monkeypatch.chdir(REPO)
    assert cli.main(["generate", "--out", str(out)]) == 0
    (out / "mcp_ext_tasks" / "retired.py").write_text("stale, but only generate may remove it\n")
    before = snapshot(out)
    monkeypatch.setattr(output, "find_ruff_bin", lambda: ruff)
    capsys.readouterr()
    assert cli.main(["generate", "--out", str(out)]) == 3
    assert capsys.readouterr().err.startswith("generation failed, nothing written:")
    assert snapshot(out) == before


def test_stale_files_are_removed_by_generate_and_reported_by_check(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert run_codegen("generate", "--out", out).returncode == 0
    (out / "mcp_ext_tasks" / "retired.py").write_text("old\n")
    (out / "unrelated.txt").write_text("not ours\n")
    check = run_codegen("check", "--out", out)
    assert check.returncode == 1 and f"stale: {out / 'mcp_ext_tasks' / 'retired.py'}" in check.stderr
    assert run_codegen("generate", "--out", out).returncode == 0
    assert not (out / "mcp_ext_tasks" / "retired.py").exists()
    assert (out / "unrelated.txt").exists()
    assert run_codegen("check", "--out", out).returncode == 0


# ------------------------------------------------------------------------------------------- scale
@pytest.mark.slow
def test_a_spec_with_fifty_times_the_shapes_generates(tmp_path: Path) -> None:
    shapes = write_scaled_spec(REPO / "spec", tmp_path / "spec", 50)
    done = run_codegen("generate", "--spec", tmp_path / "spec", "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr[-2000:]
    schema = json.loads((tmp_path / "out" / "mcp_ext_tasks" / "v2026_07_28" / "schema.json").read_text())
    assert len(schema["$defs"]) == shapes
    probe = "from mcp_ext_tasks import wire; print(len(wire.__all__))"
    done = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path / "out", capture_output=True, text=True, check=True
    )
    assert int(done.stdout) == shapes


def test_a_wire_name_with_no_safe_python_name_is_a_clear_error(tmp_path: Path) -> None:
    text = HEAD + BASE_SHAPES + "      名前:\n        type: string\n        description: A name.\n"
    expect_errors(
        tmp_path,
        text,
        [
            f"SPEC/tasks.yaml:{at(text, '名前')}: shapes.Thing.fields.名前: no safe Python name can be derived from '名前'; set python_name"
        ],
    )


def test_python_name_set_by_hand_for_such_a_wire_name(tmp_path: Path) -> None:
    text = (
        HEAD
        + BASE_SHAPES
        + "      名前:\n        type: string\n        python_name: namae\n        description: A name.\n"
    )
    spec = write_spec(tmp_path / "spec", text)
    done = run_codegen("generate", "--spec", spec, "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    probe = "from example_ext import wire; print(wire.Thing.model_fields['namae'].validation_alias)"
    shown = subprocess.run(
        [sys.executable, "-c", probe], cwd=tmp_path / "out", capture_output=True, text=True, check=True
    )
    assert shown.stdout.strip() == "名前"

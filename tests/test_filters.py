"""Unit tests of codegen/filters.py: type expressions and annotations by what they validate, escaping by what it keeps."""

from __future__ import annotations

import ast
import inspect
import io
import json
import re
import tokenize
from pathlib import Path
from typing import Annotated, Any, Literal, Union

import pytest
from conftest import REPO
from jsonschema import Draft202012Validator
from pydantic import Field, Strict, StrictBool, StrictStr, TypeAdapter, ValidationError
from typing_extensions import NotRequired, TypedDict

import mcp_ext_tasks
from codegen import filters, ir
from codegen.jsonschema import type_schema
from codegen.output import format_python
from mcp_ext_tasks import _runtime, wire

NASTY_TEXTS = [
    '"""',
    'say """ and go',
    "'''",
    "back\\slash and a trailing one\\",
    "nul \x00 inside",
    "{{ x }}",
    "{% if %}",
    "</details>",
    "a|b",
    "line1\nline2",
    "line\u2028separator",
    "paragraph\u2029separator",
    "trailing spaces   ",
    "    leading indentation",
    'ends in a quote"',
    'ends in two quotes""',
    "  indented\n    more\n  less",
    "first\n\n  indented after a blank line\n",
    "ends in a newline\n",
    "\n",
    "",
    "carriage\r\nreturn",
    "tab\tinside",
    "\ttab first\n\ttab continued",
    "zero\u200bwidth and bom\ufeff",
    "non-ASCII: café — 生成中 — 🎉",
    "`code` and ```fence```",
    "x" * 300,
]
INDENTS = [0, 4, 8]


def text_id(text: str) -> str:
    return ascii(text)[1:-1][:40] or "empty"


def text_params(texts: list[str]) -> list[Any]:
    """Texts as readable parameters."""
    return [pytest.param(text, id=text_id(text)) for text in texts]


# ---------------------------------------------------------------- type expressions

PROBES: list[Any] = [
    None, True, False, 0, 1, -1, 10, 11, 1.5, 0.5, 60000.0, 2**53 - 1, 2**53, -(2**53), 10**30,
    "", "x", "a", "b", "2.0", "working", "canceled", [], [1], ["a"], ["a", 1], [None],
    {}, {"k": "v"}, {"k": 1}, {"k": None}, {"k": "a"},
]  # fmt: skip

TYPE_EXPRS: list[ir.TypeExpr] = [
    ir.Primitive("string"),
    ir.Primitive("integer"),
    ir.Primitive("int53"),
    ir.Primitive("number"),
    ir.Primitive("boolean"),
    ir.Primitive("any"),
    ir.Primitive("integer", minimum=0, maximum=10),
    ir.Primitive("int53", minimum=1),
    ir.Primitive("number", minimum=0.5, maximum=10),
    ir.Const("x"),
    ir.Const("2.0"),
    ir.Const(True),
    ir.Const(1),
    ir.Choice(("a", "b")),
    ir.ArrayOf(ir.Primitive("int53")),
    ir.ArrayOf(ir.Primitive("string")),
    ir.MapOf(ir.Primitive("string")),
    ir.MapOf(ir.Primitive("any")),
    ir.ArrayOf(ir.MapOf(ir.Choice(("a", "b")))),
    ir.Ref("TaskStatus"),
    ir.ArrayOf(ir.Ref("TaskStatus")),
    ir.MapOf(ir.Ref("RequestId")),
]


def expr_id(expr: ir.TypeExpr) -> str:
    return repr(expr).replace("Primitive", "").replace("(name=", "(")


def expr_params() -> list[Any]:
    return [pytest.param(expr, id=expr_id(expr)) for expr in TYPE_EXPRS]


NAMESPACE: dict[str, Any] = {
    "Annotated": Annotated,
    "Any": Any,
    "Literal": Literal,
    "Union": Union,
    "NotRequired": NotRequired,
    "TypedDict": TypedDict,
    "Field": Field,
    "Strict": Strict,
    "StrictStr": StrictStr,
    "StrictBool": StrictBool,
    **{
        name: getattr(_runtime, name)
        for name in (
            "Int53",
            "JsonInt",
            "JsonNumber",
            "NotNull",
            "is_none",
            "json_const",
            "WireModel",
        )
    },
    "TaskStatus": wire.TaskStatus,
    "RequestId": wire.RequestId,
}
"""What the generated modules give their annotations, plus two shapes of the wire module to refer to."""


def python_accepts(type_text: str, value: Any) -> bool:
    adapter = TypeAdapter(eval(type_text, dict(NAMESPACE)))
    try:
        adapter.validate_json(json.dumps(value))
    except ValidationError:
        return False
    return True


def schema_accepts(expr: ir.TypeExpr, value: Any) -> bool:
    schema = {"$defs": mcp_ext_tasks.json_schema()["$defs"], **type_schema(expr)}
    return bool(Draft202012Validator(schema).is_valid(value))


@pytest.mark.parametrize("expr", expr_params())
def test_py_type_accepts_exactly_what_the_schema_of_the_expression_accepts(expr: ir.TypeExpr) -> None:
    type_text = filters.py_type(expr)
    disagreements = [value for value in PROBES if python_accepts(type_text, value) != schema_accepts(expr, value)]
    assert disagreements == [], f"{type_text} disagrees with {type_schema(expr)}"


@pytest.mark.parametrize("expr", expr_params())
def test_py_type_accepts_something(expr: ir.TypeExpr) -> None:
    assert any(python_accepts(filters.py_type(expr), value) for value in PROBES)


def test_py_type_quotes_shape_names_only_when_asked() -> None:
    expr = ir.MapOf(ir.ArrayOf(ir.Ref("Task")))
    assert filters.py_type(expr) == "dict[str, list[Task]]"
    assert filters.py_type(expr, quote=True) == 'dict[str, list["Task"]]'
    assert filters.py_type(ir.Primitive("string"), quote=True) == filters.py_type(ir.Primitive("string"))


@pytest.mark.parametrize("value", ["it's", 'say "hi"', "back\\slash", "nul\x00", "line\nbreak", "ü", ""])
def test_py_literal_round_trips(value: str) -> None:
    assert ast.literal_eval(filters.py_literal(value)) == value
    assert ast.literal_eval(filters.py_type(ir.Const(value))[len("Literal[") : -1]) == value


# ---------------------------------------------------------------- field annotations

FIELD_KINDS = {
    # kind: (required, nullable), then verdicts for a missing key, an explicit null, a string
    "required": ((True, False), (False, False, True)),
    "optional": ((False, False), (True, False, True)),
    "required-nullable": ((True, True), (False, True, True)),
    "optional-nullable": ((False, True), (True, True, True)),
}


def make_field(kind: str, wire_name: str = "someField", py_name: str = "some_field") -> ir.Field:
    (required, nullable), _ = FIELD_KINDS[kind]
    return ir.Field(wire_name, py_name, ir.Primitive("string"), required, nullable, "A field.", "Probe")


def build_class(source: str, name: str) -> Any:
    """Execute a class definition in the namespace the generated modules give their annotations."""
    namespace = {**NAMESPACE, "__name__": f"filters_probe_{name}"}
    exec(compile(source, f"<{name}>", "exec", dont_inherit=True), namespace)
    return namespace[name]


def wire_model(field: ir.Field) -> Any:
    body = f"    {field.py_name}: {filters.wire_annotation(field)}{filters.wire_default(field)}\n"
    return build_class(f"class Probe(WireModel):\n{body}", "Probe")


def typed_dict(field: ir.Field) -> Any:
    return build_class(
        f"class ProbeDict(TypedDict):\n    {field.wire_name}: {filters.typed_annotation(field)}\n", "ProbeDict"
    )


def inputs(field: ir.Field) -> list[str]:
    return ["{}", json.dumps({field.wire_name: None}), json.dumps({field.wire_name: "text"})]


def verdicts(adapter: TypeAdapter[Any], texts: list[str]) -> tuple[bool, ...]:
    results = []
    for text in texts:
        try:
            adapter.validate_json(text)
        except ValidationError:
            results.append(False)
        else:
            results.append(True)
    return tuple(results)


@pytest.mark.parametrize("kind", FIELD_KINDS)
def test_wire_annotation_and_default_validate_presence_and_null(kind: str) -> None:
    field = make_field(kind)
    expected = FIELD_KINDS[kind][1]
    assert verdicts(TypeAdapter(wire_model(field)), inputs(field)) == expected


@pytest.mark.parametrize("kind", FIELD_KINDS)
def test_typed_annotation_gives_the_same_verdicts(kind: str) -> None:
    field = make_field(kind)
    expected = FIELD_KINDS[kind][1]
    assert verdicts(TypeAdapter(typed_dict(field)), inputs(field)) == expected


@pytest.mark.parametrize("kind", FIELD_KINDS)
def test_wire_default_dumps_by_wire_name_and_drops_only_optional_nulls(kind: str) -> None:
    field = make_field(kind)
    model = wire_model(field)
    omitted = model.model_validate_json("{}") if not field.required else None
    adapter = TypeAdapter(model)
    if omitted is not None:  # a member left out reads as None and is never written, not even as null
        assert omitted.some_field is None and "some_field" not in omitted.model_fields_set
        for exclude_none in (False, True):
            assert omitted.model_dump(by_alias=True, exclude_none=exclude_none) == {}
            assert adapter.dump_python(omitted, by_alias=True, exclude_none=exclude_none) == {}
    if field.nullable:  # an explicit null is a value, kept with or without exclude_none, on every route
        explicit_null = model.model_validate_json('{"someField": null}')
        for exclude_none in (False, True):
            assert explicit_null.model_dump(by_alias=True, exclude_none=exclude_none) == {"someField": None}
            assert adapter.dump_json(explicit_null, exclude_none=exclude_none) == b'{"someField":null}'
    assert model.model_validate_json('{"someField": "v"}').model_dump(by_alias=True) == {"someField": "v"}


def test_wire_default_names_the_alias_only_when_it_differs() -> None:
    same = make_field("required", wire_name="status", py_name="status")
    assert filters.wire_default(same) == ""
    model = wire_model(same)
    assert model.model_validate_json('{"status": "ok"}').status == "ok"
    renamed = make_field("required")
    assert "validation_alias='someField', serialization_alias='someField'" in filters.wire_default(renamed)
    with pytest.raises(ValidationError):  # a message is read by wire name only
        wire_model(renamed).model_validate_json('{"some_field": "ok"}')
    with pytest.raises(ValidationError):
        wire_model(renamed).model_validate({"some_field": "ok"})
    # Built in Python, by attribute name (or by wire name), and written by wire name.
    for built in (wire_model(renamed)(some_field="ok"), wire_model(renamed)(someField="ok")):
        assert built.some_field == "ok" and built.model_dump() == {"someField": "ok"}


# ---------------------------------------------------------------- docstring


def layout(text: str, indent: int) -> str:
    """The value `docstring(text, indent)` promises: continuation lines indented, a closing line when multi-line."""
    pad = " " * indent
    value = text.replace("\n", "\n" + pad)
    return value + "\n" + pad if "\n" in text else value


@pytest.mark.parametrize("indent", INDENTS)
@pytest.mark.parametrize("text", text_params(NASTY_TEXTS))
def test_docstring_literal_evaluates_to_the_laid_out_text(text: str, indent: int) -> None:
    literal = filters.docstring(text, indent)
    assert literal.startswith('"""') and literal.endswith('"""')
    assert ast.literal_eval(literal) == layout(text, indent)


@pytest.mark.parametrize("text", text_params([t for t in NASTY_TEXTS if "\n" not in t]))
def test_single_line_docstring_at_indent_zero_is_exactly_the_text(text: str) -> None:
    assert ast.literal_eval(filters.docstring(text)) == text


@pytest.mark.parametrize("indent", INDENTS)
@pytest.mark.parametrize("text", text_params(NASTY_TEXTS))
def test_docstring_is_a_single_string_token_on_lf_lines(text: str, indent: int) -> None:
    literal = filters.docstring(text, indent)
    tokens = [t for t in tokenize.generate_tokens(io.StringIO(literal).readline) if t.type != tokenize.ENDMARKER]
    assert [t.type for t in tokens if t.type not in (tokenize.NEWLINE, tokenize.NL)] == [tokenize.STRING]
    assert not re.search("[\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", literal)
    assert all(line.startswith(" " * indent) for line in literal.split("\n")[1:])


def function_source(literal: str, indent: int) -> str:
    """A module defining `probe` with `literal` as its docstring, the docstring at `indent` spaces."""
    depth = max(indent // 4, 1)
    lines = [" " * (4 * level) + "class Outer:" for level in range(depth - 1)]
    lines.append(" " * (4 * (depth - 1)) + "def probe():")
    lines.append(" " * (4 * depth) + literal)
    lines.append(" " * (4 * depth) + "return None")
    return "\n".join(lines) + "\n"


def read_back_docstrings(texts: list[str], indent: int) -> list[str]:
    """Each text as a function docstring at `indent`, formatted by the generator's ruff, then compiled and read."""
    sources = {f"m{i}.py": function_source(filters.docstring(text, indent), indent) for i, text in enumerate(texts)}
    docs = []
    for i, source in enumerate(format_python(sources)[f"m{i}.py"] for i in range(len(texts))):
        namespace: dict[str, Any] = {}
        exec(compile(source, f"m{i}.py", "exec"), namespace)
        probe = namespace["probe"] if indent <= 4 else _nested_probe(namespace["Outer"], indent)
        docs.append(probe.__doc__)
    return docs


def _nested_probe(outer: Any, indent: int) -> Any:
    for _ in range(indent // 4 - 2):
        outer = outer.Outer
    return outer.probe


# Indentation and cleandoc treat tabs by column, which the indentation itself shifts.
READABLE_TEXTS = [t for t in NASTY_TEXTS if "\t" not in t and not t.endswith('"""')]


@pytest.mark.parametrize("indent", [4, 8])
def test_docstring_reads_back_through_formatting_and_cleandoc(indent: int) -> None:
    docs = read_back_docstrings(READABLE_TEXTS, indent)
    wrong = [
        (text, doc)
        for text, doc in zip(READABLE_TEXTS, docs, strict=True)
        if inspect.cleandoc(doc) != inspect.cleandoc(text)
    ]
    assert wrong == []


# ---------------------------------------------------------------- Markdown


def unescaped_pipes(cell: str) -> list[int]:
    return [m.start() for m in re.finditer(r"\|", cell) if m.start() == 0 or cell[m.start() - 1] != "\\"]


@pytest.mark.parametrize("text", text_params([*NASTY_TEXTS, "a || b |"]))
def test_md_cell_is_one_line_without_raw_pipes_or_tags(text: str) -> None:
    cell = filters.md_cell(text)
    assert len(cell.splitlines()) <= 1
    assert not re.search("[\r\n\x0b\x0c\x1c-\x1e\x85\u2028\u2029]", cell)
    assert unescaped_pipes(cell) == []
    assert "<" not in cell and ">" not in cell
    assert cell == cell.strip()


def test_md_cell_keeps_the_words() -> None:
    cell = filters.md_cell("  a|b\n  <c> & d  ")
    assert cell == "a\\|b &lt;c&gt; &amp; d"


def longest_backtick_run(text: str) -> int:
    return max((len(run) for run in re.findall("`+", text)), default=0)


@pytest.mark.parametrize("run", [0, 1, 2, 3, 4, 7])
def test_md_fence_is_longer_than_any_backtick_run(run: int) -> None:
    text = json.dumps({"code": "x" + "`" * run + "y"}, indent=2) + "\n"
    block = filters.md_fence(text)
    lines = block.split("\n")
    opening, closing = lines[0], lines[-1]
    assert opening == closing + "json"
    assert set(closing) == {"`"} and len(closing) >= 3
    assert len(closing) > longest_backtick_run(text)
    assert "\n".join(lines[1:-1]) == text.rstrip("\n")


@pytest.mark.parametrize("text", ["plain", "`tick`", "a ``double`` b", "```", "pipe | in code", "`"])
def test_md_code_span_is_delimited_by_a_longer_run(text: str) -> None:
    span = filters.md_code(text)
    delimiter = re.match("`+", span)
    assert delimiter is not None
    ticks = delimiter.group()
    assert span.endswith(ticks) and len(ticks) > longest_backtick_run(filters.md_cell(text))
    assert unescaped_pipes(span) == []


def test_mermaid_state_ids_are_words_and_distinct() -> None:
    values = ["working", "input_required", "in-progress", "in progress", "in_progress", "ünï", "1st"]
    states = [filters.mermaid_state(v) for v in values]
    assert all(re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", s) for s in states)
    assert len(set(states)) == len(values)
    assert states[:2] == values[:2]


def test_the_static_runtime_module_agrees_with_the_ir() -> None:
    """`codegen/static/_runtime.py` is real source copied into every package; its int53 bound is the IR's."""
    assert _runtime.INT53_MAX == ir.INT53_MAX
    assert Path(_runtime.__file__).read_bytes() == (REPO / "codegen" / "static" / "_runtime.py").read_bytes()

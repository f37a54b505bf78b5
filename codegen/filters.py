"""Small pure functions the templates use: Python type expressions, annotations, escaping of text.

Every one of them is unit-tested; templates only lay out the statements these return.
"""

from __future__ import annotations

import json
import math
import re
import unicodedata
from collections.abc import Callable, Container

from pydantic.alias_generators import to_camel

from . import ir
from .names import RESERVED_ATTRIBUTES, RESERVED_SHAPE_NAMES, is_identifier

_PRIMITIVE_TYPES = {
    "string": "StrictStr",
    "integer": "JsonInt",
    "int53": "Int53",
    "number": "JsonNumber",
    "boolean": "StrictBool",
    "null": "None",
    "any": "Any",
}


def py_literal(value: str | float | bool) -> str:
    """A Python literal for a JSON scalar (repr escapes every non-printable character)."""
    return repr(value)


def type_text(
    expr: ir.TypeExpr, leaf: Callable[[ir.TypeExpr], str], *, array: str = "list[{}]", mapping: str = "dict[str, {}]"
) -> str:
    """The text of a type expression: arrays and maps nest by the `array` and `mapping` formats (Python's by
    default); `leaf` writes the rest (shape references, consts, choices and scalars), as each output spells them."""
    if isinstance(expr, ir.ArrayOf):
        return array.format(type_text(expr.item, leaf, array=array, mapping=mapping))
    if isinstance(expr, ir.MapOf):
        return mapping.format(type_text(expr.value, leaf, array=array, mapping=mapping))
    return leaf(expr)


def python_choice(choice: ir.Choice) -> str:
    """A choice of values as a Python type: the Literal of them."""
    return f"Literal[{', '.join(map(py_literal, choice.values))}]"


def py_type(expr: ir.TypeExpr, *, quote: bool = False) -> str:
    """The Python type expression validating exactly what `expr` accepts.

    The same text serves the wire models and the TypedDicts: shape names resolve to each module's own class.
    `quote` puts shape names in quotes, for type expressions evaluated at import time (alias values).
    """
    return type_text(expr, lambda leaf: _pydantic_leaf(leaf, quote))


def _pydantic_leaf(expr: ir.TypeExpr, quote: bool) -> str:
    if isinstance(expr, ir.Ref):
        return json.dumps(expr.name) if quote else expr.name
    if isinstance(expr, ir.Choice):
        return python_choice(expr)
    if isinstance(expr, ir.Const):
        if isinstance(expr.value, str):
            return f"Literal[{py_literal(expr.value)}]"
        # Literal[True] would also take 1, and Literal[1] true: the guard keeps JSON's types apart.
        return f"Annotated[Literal[{py_literal(expr.value)}], json_const({py_literal(expr.value)})]"
    assert isinstance(expr, ir.Primitive)
    base = _PRIMITIVE_TYPES[expr.name]
    bounds = [
        f"{key}={py_literal(value)}" for key, value in (("ge", expr.minimum), ("le", expr.maximum)) if value is not None
    ]
    if not bounds:
        return base
    field = f"Field({', '.join(bounds)})"
    if expr.name == "number":
        # Bounds on each member run in Rust; bounds around the union would run as Python validators. An integer
        # is >= 0.5 when it is >= 1: the int member takes the bounds rounded inwards.
        int_bounds = [
            f"{key}={rounding(value)}"
            for key, value, rounding in (("ge", expr.minimum, math.ceil), ("le", expr.maximum, math.floor))
            if value is not None
        ]
        members = f"Annotated[int, Strict(), Field({', '.join(int_bounds)})], Annotated[float, Strict(), {field}]"
        return f'Annotated[Union[{members}], Field(union_mode="left_to_right")]'
    return f"Annotated[{base}, {field}]"


def union_type(shape: ir.UnionShape, *, wire_names: bool = False) -> str:
    """The alias value of a union: a plain Union, or an Annotated one with its discriminator.

    TypedDicts (`wire_names`) and models whose tag attribute has its wire name name the discriminator by key; other
    models read it through `WireTagged`, under the wire name first.
    """
    members = [py_type(v, quote=True) for v in shape.variants]
    # `X | Y` cannot join quoted forward references at run time; Union[...] can.
    union = f"Union[{', '.join(members)}]" if any('"' in m for m in members) else " | ".join(members)
    names = None if wire_names else wire_tagged(shape)
    if names is not None:
        # pydantic's own discriminator would read the attribute name first, even in a message
        tagged = (*names, *shape.discriminator_values)
        return f"Annotated[{union}, WireTagged({', '.join(py_literal(v) for v in tagged)})]"
    if shape.discriminator is not None:
        return f"Annotated[{union}, Field(discriminator={py_literal(shape.discriminator)})]"
    if len(members) == 1:
        return union
    # anyOf accepts when any variant does; trying them in order and stopping at the first match gives that verdict
    # without smart mode's second pass.
    return f'Annotated[{union}, Field(union_mode="left_to_right")]'


def wire_tagged(union: ir.UnionShape) -> tuple[str, str] | None:
    """(wire name, attribute name) of the tag when the wire models read it through `WireTagged`: the attribute has
    another name than the member; else None."""
    wire_name, py_name = union.discriminator, union.discriminator_py_name
    return (wire_name, py_name) if wire_name is not None and py_name is not None and wire_name != py_name else None


def given_by_wire_name(shape: ir.ObjectShape) -> str:
    """The arguments of `members_given_by_wire_name` for an object's optional members that admit null and have
    another name in Python (`structured_content="structuredContent"`), or "" when it has none."""
    return ", ".join(
        f"{f.py_name}={py_literal(f.wire_name)}"
        for f in shape.fields
        if not f.required and (f.nullable or f.type_admits_null) and f.py_name != f.wire_name
    )


def wire_tags(shape: ir.ObjectShape, spec: ir.Spec) -> list[tuple[str, str | int | bool]]:
    """(wire name, value) of each tag a `WireTagged` union reads from this variant, to be a class attribute under
    the wire name: the union reads a built model's tag there, where the attribute name would be found only after a
    failed lookup (pydantic's `__getattr__`, microseconds). Names that cannot be a plain class attribute are left
    out (the union still finds the tag under the attribute name)."""
    # nor a name the class body or pydantic resolves annotations with (a shape, an import)
    taken = (
        {f.py_name for f in shape.fields} | {s.name for s in spec.shapes} | RESERVED_ATTRIBUTES | RESERVED_SHAPE_NAMES
    )
    tags: dict[str, str | int | bool] = {}
    for union in spec.shapes:
        names = wire_tagged(union) if isinstance(union, ir.UnionShape) else None
        if names is None or not is_identifier(names[0]) or names[0].startswith(("_", "model_")) or names[0] in taken:
            continue
        assert isinstance(union, ir.UnionShape)
        for variant, value in zip(union.variants, union.discriminator_values, strict=True):
            if isinstance(variant, ir.Ref) and variant.name == shape.name:
                tags[names[0]] = value
    return sorted(tags.items())


def shape_refs(expr: ir.TypeExpr) -> set[str]:
    """The shape names a type expression mentions."""
    if isinstance(expr, ir.Ref):
        return {expr.name}
    if isinstance(expr, ir.ArrayOf):
        return shape_refs(expr.item)
    if isinstance(expr, ir.MapOf):
        return shape_refs(expr.value)
    return set()


def _deferred(annotation: str, field: ir.Field, defined: Container[str]) -> str:
    # A module evaluates its annotations as it runs: one naming a shape defined further down is written as a string.
    return py_literal(annotation) if any(ref not in defined for ref in shape_refs(field.type)) else annotation


def admits_null(field: ir.Field) -> bool:
    """True when null is a valid value of the field, so None cannot also stand for a member left out."""
    return field.nullable or field.type_admits_null or field.type in (ir.Primitive("any"), ir.Primitive("null"))


def wire_annotation(field: ir.Field, defined: Container[str] = ()) -> str:
    """The annotation of a wire-model field: optional members may be omitted but, unless nullable, never null.

    `defined` holds the names the module has defined before this class; the annotation is quoted otherwise.
    """
    base = py_type(field.type)
    if field.nullable:
        annotation = f"{base} | None"
    elif not field.required and not admits_null(field):
        annotation = f"Annotated[{base} | None, NotNull]"
    else:
        annotation = base
    return _deferred(annotation, field, defined)


def wire_default(field: ir.Field) -> str:
    """The right-hand side of a wire-model field: its wire name, and for optional fields the default None.

    A member left out reads as None and is never written (it is not in `model_fields_set`); where null is not a
    value of the field (`NotNull`), a None set in Python is not written either (the runtime's plain serializer
    sees to both). The wire name is a validation and a serialization alias rather than `alias`, so that type
    checkers offer the attribute name to `__init__`.
    """
    args = [] if field.required else ["default=None"]
    if field.wire_name != field.py_name:
        wire_name = py_literal(field.wire_name)
        args.append(f"validation_alias={wire_name}, serialization_alias={wire_name}")
    return f" = Field({', '.join(args)})" if args else ""


def typed_annotation(field: ir.Field, defined: Container[str] = ()) -> str:
    """The annotation of a TypedDict key: NotRequired for optional members, `| None` only when nullable.

    `defined` holds the names the module has defined before this TypedDict; the annotation is quoted otherwise.
    """
    base = py_type(field.type)
    if field.nullable:
        base = f"{base} | None"
    return _deferred(base if field.required else f"NotRequired[{base}]", field, defined)


def _escape_char(char: str) -> str:
    code = ord(char)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _needs_escape(char: str) -> bool:
    return unicodedata.category(char) in ("Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp") and char != "\n"


def docstring(text: str, indent: int = 0) -> str:
    """A triple-quoted Python string literal whose value is exactly `text`, laid out for `indent` spaces.

    Backslashes, control characters, line separators and each line's leading and trailing blanks are escaped, and
    so is every third quote in a row and a quote that would touch the closing quotes: formatters leave the text
    alone and nothing in it can end the literal. Continuation lines get the indentation, which
    `inspect.cleandoc` removes again.
    """
    escaped_lines: list[list[str]] = []
    for line in text.split("\n"):
        out: list[str] = []
        quotes = 0
        for char in line:
            if char == '"':
                quotes = 0 if quotes == 2 else quotes + 1
                out.append('\\"' if quotes == 0 else '"')
                continue
            quotes = 0
            out.append(_escape_char(char) if _needs_escape(char) else ("\\\\" if char == "\\" else char))
        lead = len(line) - len(line.lstrip(" \t"))
        trail = len(line) - len(line.rstrip(" \t")) if line.strip(" \t") else 0
        out[:lead] = [_escape_char(c) for c in line[:lead]]
        if trail:
            out[-trail:] = [_escape_char(c) for c in line[-trail:]]
        escaped_lines.append(out)
    if len(escaped_lines) == 1 and escaped_lines[0][-1:] == ['"']:
        escaped_lines[0][-1] = '\\"'  # a quote right before the closing quotes would end the literal early
    body = ("\n" + " " * indent).join("".join(out) for out in escaped_lines)
    if len(escaped_lines) > 1:
        body += "\n" + " " * indent
    return f'"""{body}"""'


def md_cell(text: str) -> str:
    """`text` inside one Markdown table cell: one line, pipes and HTML escaped."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;").replace("|", "\\|")
    escaped = "".join(" " if _needs_escape(c) else c for c in escaped)
    return " ".join(escaped.split())


def md_text(text: str) -> str:
    """`text` as a Markdown paragraph: HTML escaped, so it cannot open tags or close the page's <details>."""
    escaped = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return "".join(" " if _needs_escape(c) else c for c in escaped)


def md_type(expr: ir.TypeExpr) -> str:
    """A short human-readable type for the docs, with shape names linked to their section."""
    return type_text(expr, _md_leaf, array="array of {}", mapping="map of {}")


def _md_leaf(expr: ir.TypeExpr) -> str:
    if isinstance(expr, ir.Ref):
        return f"[{expr.name}](#{md_anchor(expr.name)})"
    if isinstance(expr, ir.Const):
        return md_cell(f"`{json.dumps(expr.value, ensure_ascii=False)}`")
    if isinstance(expr, ir.Choice):
        return md_cell(" \\| ".join(f"`{json.dumps(v, ensure_ascii=False)}`" for v in expr.values))
    assert isinstance(expr, ir.Primitive)
    text = {"int53": "integer (±2^53−1)", "any": "any JSON value"}.get(expr.name, expr.name)
    if expr.minimum is not None or expr.maximum is not None:
        text += (
            f" [{expr.minimum if expr.minimum is not None else ''}..{expr.maximum if expr.maximum is not None else ''}]"
        )
    if expr.format:
        text += f" ({md_cell(expr.format)})"
    return text


def md_fence(text: str) -> str:
    """A fenced JSON code block around `text`, its fence longer than any backtick run inside.

    `<` (which in JSON can only stand inside a string) is written `\\u003c`: the same JSON value, and no HTML tag
    can appear in the page even where a renderer mishandles code blocks.
    """
    run, best = 0, 0
    for char in text:
        run = run + 1 if char == "`" else 0
        best = max(best, run)
    fence = "`" * max(3, best + 1)
    body = text.rstrip("\n").replace("<", "\\u003c")
    return f"{fence}json\n{body}\n{fence}"


def code_span(text: str) -> str:
    """`text` as an inline Markdown code span, delimited by more backticks than any run it contains."""
    ticks = "`" * (max((len(run) for run in re.findall("`+", text)), default=0) + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{ticks}{pad}{text}{pad}{ticks}"


def md_code(text: str) -> str:
    """`text` as an inline code span that is also safe in a table cell."""
    return code_span(md_cell(text))


def mermaid_state(value: str) -> str:
    """A Mermaid state id for a status value: the value itself when it is a plain word, else a hex spelling."""
    if re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        return value
    return "s_" + value.encode("utf-8").hex()


def mermaid_label(value: str) -> str:
    """A Mermaid state declaration giving a non-word status value its text as label (empty for plain words)."""
    if mermaid_state(value) == value:
        return ""
    label = "".join(c if c.isalnum() or c in " _-./" else "#" + str(ord(c)) + ";" for c in value)
    return f'state "{label}" as {mermaid_state(value)}'


def md_anchor(name: str) -> str:
    """The anchor GitHub gives a heading consisting of `name`: lower case, blanks as hyphens, other punctuation
    dropped."""
    return re.sub(r"[^\w\- ]", "", name.lower()).replace(" ", "-")


_SEED_PRIMITIVES = {
    "string": "str",
    "integer": "int",
    "int53": "int",
    "number": "float",
    "boolean": "bool",
    "null": "None",
    "any": "Any",
}


def seed_type(expr: ir.TypeExpr, spec: ir.Spec) -> str:
    """The lenient type of a seed-compatible field: plain Python types, dicts for shapes without a seed model."""
    api = spec.seed_api
    assert api is not None
    if isinstance(expr, ir.Ref):
        viewing = api.model_for(expr.name)
        if viewing is not None:
            return viewing
        if expr.name in api.aliases:
            return expr.name
        shape = spec.shape(expr.name)
        if isinstance(shape, ir.EnumShape):
            return f"Literal[{', '.join(py_literal(v.value) for v in shape.values)}]"
        if isinstance(shape, ir.AliasShape):
            return seed_type(shape.type, spec)
        return "dict[str, Any]" if isinstance(shape, ir.ObjectShape) else "Any"
    if isinstance(expr, ir.ArrayOf):
        return f"list[{seed_type(expr.item, spec)}]"
    if isinstance(expr, ir.MapOf):
        return f"dict[str, {seed_type(expr.value, spec)}]"
    if isinstance(expr, (ir.Const, ir.Choice)):
        return py_type(expr)
    return _SEED_PRIMITIVES[expr.name]


def seed_annotation(field: ir.SeedField, spec: ir.Spec, discriminator: str | None = None) -> str:
    """The annotation and default of a seed-compatible field (`x: int | None = None`, `= Field(...)`).

    A member only some variants own reads as absent under the others (`OnlyFor`, keyed by `discriminator`).
    """
    annotation = seed_type(field.type, spec)
    if field.keep_null or (field.has_default and field.default is None):
        annotation = f"{annotation} | None"
    if field.owners and discriminator is not None:
        owners = ", ".join(py_literal(owner) for owner in (discriminator, *field.owners))
        annotation = f"Annotated[{annotation}, OnlyFor({owners})]"
    default = py_literal(field.default) if field.default is not None else "None"
    args = [f"default={default}"] if field.has_default else []
    if to_camel(field.py_name) != field.wire_name:  # the alias generator of mcp_types models would miss it
        args.append(f"alias={py_literal(field.wire_name)}")
    if field.omit_null:
        args.append("exclude_if=is_none")
    if not args:
        return annotation
    if len(args) == 1 and field.has_default:
        return f"{annotation} = {default}"
    return f"{annotation} = Field({', '.join(args)})"


def seed_bases(model: ir.SeedModel) -> str:
    """The base-class list of a seed-compatible model."""
    # The null keeper comes in with the first class of a hierarchy that has keep-null fields of its own.
    adds_null_keeper = bool(model.required_nulls) and all(f in model.fields for f in model.required_nulls)
    bases = ["KeepsRequiredNulls"] if adds_null_keeper else []
    for base in model.bases:
        if base == "model":
            bases.append("_SeedModel")
        elif base in ("Request", "Notification") and model.generic_args is not None:
            params, method = model.generic_args
            bases.append(f"{base}[{params}, Literal[{py_literal(method)}]]")
        else:
            bases.append(base)
    return ", ".join(bases)


def seed_owns_config(model: ir.SeedModel, spec: ir.Spec) -> bool:
    """True when no base of the seed model is one of ours, so the class itself must allow unknown members."""
    ours = {m.name for m in spec.seed_api.models} if spec.seed_api else set()
    return not any(base == "model" or base in ours for base in model.bases)


FILTERS = {
    "py_literal": py_literal,
    "py_type": py_type,
    "union_type": union_type,
    "wire_tags": wire_tags,
    "given_by_wire_name": given_by_wire_name,
    "wire_annotation": wire_annotation,
    "wire_default": wire_default,
    "typed_annotation": typed_annotation,
    "docstring": docstring,
    "md_cell": md_cell,
    "md_text": md_text,
    "md_type": md_type,
    "md_fence": md_fence,
    "seed_annotation": seed_annotation,
    "seed_bases": seed_bases,
    "seed_owns_config": seed_owns_config,
    "md_anchor": md_anchor,
    "md_code": md_code,
    "mermaid_state": mermaid_state,
    "mermaid_label": mermaid_label,
}
"""The filters registered in the Jinja environment, by name."""

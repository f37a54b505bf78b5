"""JSON text for the harness: instances are value trees rendered to text in one of several spellings.

Every validator sees the same bytes. The value tree is the instance engine's (codegen/instances/values.py): plain
JSON values plus `RawNumber`, a number written exactly as given (`6e4`, `60000.0`, `-0.0`), so that number
spellings reach the validators' own JSON parsers. This module owns the text: escapes and white space (`Style`,
`render`), and comparing parsed values as JSON does.
"""

from __future__ import annotations

import json
import math
import random
from dataclasses import dataclass

from codegen.instances import JSON, RawNumber


@dataclass(frozen=True)
class Style:
    """How a value tree is spelled as JSON text.

    `escape`: "none" (raw UTF-8), "ascii" (non-ASCII as \\uXXXX, astral characters as surrogate pairs), "all"
    (every character of every string and key as \\uXXXX), "mixed" (about a third of the characters escaped,
    which ones chosen by `salt`; solidus as \\/); `space`: "compact", "spaced", "indent" or "odd" (spaces, tabs,
    CR and LF between tokens, around the root and inside empty containers, placed by `salt`).
    """

    escape: str = "none"
    space: str = "compact"
    salt: int = 0


PLAIN = Style()
STYLES = (
    Style("none", "compact"),
    Style("none", "spaced"),
    Style("ascii", "compact"),
    Style("ascii", "indent"),
    Style("all", "compact"),
    Style("mixed", "odd"),
    Style("none", "odd"),
)


def random_style(rng: random.Random) -> Style:
    """A spelling drawn with `rng`: raw UTF-8 and compact text most often."""
    escape = rng.choice(["none", "none", "none", "ascii", "all", "mixed"])
    space = rng.choice(["compact", "compact", "spaced", "indent", "odd"])
    return Style(escape, space, rng.randrange(1 << 30))


_SHORT_ESCAPES = {'"': '\\"', "\\": "\\\\", "\b": "\\b", "\f": "\\f", "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def _u(code: int) -> str:
    if code > 0xFFFF:
        code -= 0x10000
        return f"\\u{0xD800 + (code >> 10):04x}\\u{0xDC00 + (code & 0x3FF):04X}"
    return f"\\u{code:04x}"


def _picked(salt: int, index: int) -> bool:
    return ((salt * 1000003) ^ (index * 998244353)) % 1000000007 % 3 == 0


def render_string(text: str, escape: str = "none", salt: int = 0) -> str:
    """`text` as a JSON string literal in the given escape style."""
    out = ['"']
    for index, char in enumerate(text):
        code = ord(char)
        if escape == "all" or (escape == "mixed" and char != "/" and _picked(salt, index)):
            out.append(_u(code))
        elif char in _SHORT_ESCAPES:
            out.append(_SHORT_ESCAPES[char])
        elif code < 0x20:
            out.append(_u(code))
        elif escape == "mixed" and char == "/":
            out.append("\\/")
        elif escape == "ascii" and code > 0x7E:
            out.append(_u(code))
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _number(value: int | float) -> str:
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError(f"not a JSON number: {value!r}")
        return repr(value)
    return str(value)


def render(value: JSON, style: Style = PLAIN) -> str:
    """The JSON text of `value` in `style`."""
    parts: list[str] = []
    _render(value, style, 0, parts)
    if style.space == "odd":
        return _ODD[style.salt % len(_ODD)] + "".join(parts) + _ODD[style.salt // len(_ODD) % len(_ODD)]
    return "".join(parts)


_ODD = ("", " ", "\t", "\n", "\r\n", " \n\t ")


def _gap(style: Style, depth: int, salt: int) -> str:
    if style.space == "indent":
        return "\n" + "  " * depth
    if style.space == "odd":
        return _ODD[(depth * 7 + salt + style.salt) % len(_ODD)]
    return ""


def _inside_empty(style: Style) -> str:
    return _ODD[style.salt // 36 % len(_ODD)] if style.space == "odd" else ""


def _render(value: JSON, style: Style, depth: int, out: list[str]) -> None:
    colon = ": " if style.space in ("spaced", "indent") else ":"
    comma = ", " if style.space == "spaced" else ","
    if isinstance(value, RawNumber):
        out.append(value.text)
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int | float):
        out.append(_number(value))
    elif isinstance(value, str):
        out.append(render_string(value, style.escape, style.salt))
    elif isinstance(value, list):
        out.append("[")
        for index, item in enumerate(value):
            if index:
                out.append(comma)
            out.append(_gap(style, depth + 1, index))
            _render(item, style, depth + 1, out)
        out.append(_gap(style, depth, 1) if value else _inside_empty(style))
        out.append("]")
    elif isinstance(value, dict):
        out.append("{")
        for index, (key, item) in enumerate(value.items()):
            if index:
                out.append(comma)
            out.append(_gap(style, depth + 1, index))
            out.append(render_string(key, style.escape, style.salt + 1))
            out.append(_ODD[index % 3] if style.space == "odd" else "")
            out.append(colon)
            _render(item, style, depth + 1, out)
        out.append(_gap(style, depth, 2) if value else _inside_empty(style))
        out.append("}")
    else:
        raise TypeError(f"not a JSON value: {value!r}")


def integers_respelled(value: JSON) -> JSON:
    """`value` with every integral float (and RawNumber spelling an integer) written as a JSON integer.

    JSON Schema's data model does not tell 60000.0 from 60000, so this changes no schema verdict.
    """
    if isinstance(value, RawNumber):
        value = value.value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, list):
        return [integers_respelled(item) for item in value]
    if isinstance(value, dict):
        return {key: integers_respelled(item) for key, item in value.items()}
    return value


def has_integral_float(value: JSON) -> bool:
    """Whether any number in `value` is spelled as a float (fraction or exponent) but is a whole number."""
    if isinstance(value, RawNumber):
        number = value.value
        return isinstance(number, float) and number.is_integer()
    if isinstance(value, float):
        return value.is_integer()
    if isinstance(value, list):
        return any(has_integral_float(item) for item in value)
    if isinstance(value, dict):
        return any(has_integral_float(item) for item in value.values())
    return False


def json_equal(a: JSON, b: JSON) -> bool:
    """Equality of two parsed JSON values as JSON sees them: numbers by value (1 == 1.0), but true is not 1."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(json_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(json_equal(a[key], b[key]) for key in a)
    return type(a) is type(b) and a == b


def json_diff(a: JSON, b: JSON, path: str = "$") -> str | None:
    """Where two parsed JSON values first differ (a JSONPath-like location and both sides), or None."""
    if json_equal(a, b):
        return None
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            if key not in b:
                return f"{path}.{key}: dropped (was {json.dumps(a[key])[:80]})"
            if key not in a:
                return f"{path}.{key}: added ({json.dumps(b[key])[:80]})"
            found = json_diff(a[key], b[key], f"{path}.{key}")
            if found:
                return found
    if isinstance(a, list) and isinstance(b, list) and len(a) == len(b):
        for index, (x, y) in enumerate(zip(a, b, strict=True)):
            found = json_diff(x, y, f"{path}[{index}]")
            if found:
                return found
    return f"{path}: {json.dumps(a)[:80]} became {json.dumps(b)[:80]}"


def depth(value: JSON) -> int:
    """Nesting depth of arrays and objects (a scalar is 0)."""
    if isinstance(value, list):
        return 1 + max((depth(item) for item in value), default=0)
    if isinstance(value, dict):
        return 1 + max((depth(item) for item in value.values()), default=0)
    return 0

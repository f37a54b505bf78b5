"""Python names for wire names: deterministic, safe, and checked for collisions by `lower`."""

from __future__ import annotations

import keyword
import re
import unicodedata

RESERVED_ATTRIBUTES = frozenset(
    {
        # pydantic BaseModel methods and attributes (v1 names still exist, deprecated).
        "construct", "copy", "dict", "from_orm", "json", "parse_file", "parse_obj", "parse_raw", "schema",
        "schema_json", "update_forward_refs", "validate", "fields",
    }
)  # fmt: skip
"""Attribute names a generated model must not use (besides keywords and anything starting with `model_`)."""

RESERVED_SHAPE_NAMES = frozenset(
    {
        "Annotated", "Any", "BaseModel", "ConfigDict", "Field", "Literal", "MISSING", "NotRequired", "Strict",
        "StrictBool", "StrictStr", "TYPE_CHECKING", "TypeAlias", "TypeAliasType", "TypedDict", "Union", "annotations",
        "JsonInt", "JsonNumber", "Int53", "NotNull", "OnlyFor", "WireModel", "KeepsRequiredNulls", "is_none",
        "json_const", "with_config",
        # and the fast modules:
        "ClassVar", "Closed", "Decoder", "JsonFalse", "JsonTrue", "Meta", "Open", "Opt", "TypeVar", "UNSET",
        "UnsetType", "ValidationError",
    }
)  # fmt: skip
"""Names the generated modules import or define themselves; a shape may not take them."""

RESERVED_SEED_NAMES = RESERVED_SHAPE_NAMES | {
    "BaseModel", "Notification", "NotificationParams", "Request", "RequestParams", "Result", "json_schema", "wire",
    "typed", "constants", "to_camel",
}  # fmt: skip
"""Names the top-level module imports or defines; a seed model or alias may not take them."""

_SOFT_KEYWORDS = frozenset({"match", "case", "type", "_"})


def is_identifier(name: str) -> bool:
    """True when `name` can stand as a name in Python source: ASCII, an identifier, not a hard keyword."""
    return name.isascii() and name.isidentifier() and not keyword.iskeyword(name)


def is_plain_identifier(name: str) -> bool:
    """True when `name` is a usable identifier that is not a soft keyword either (`match`, `type`, ...)."""
    return is_identifier(name) and name not in _SOFT_KEYWORDS


def snake_case(wire_name: str) -> str:
    """The Python attribute name for a wire name, or "" when no safe name can be derived.

    `taskId` -> `task_id`, `_meta` -> `meta`, `$schema` -> `schema_`, `class` -> `class_`,
    `2fa` -> `field_2fa`, `x-y.z` -> `x_y_z`; non-ASCII letters are folded to ASCII where possible.
    """
    folded = unicodedata.normalize("NFKD", wire_name).encode("ascii", "ignore").decode("ascii")
    spaced = re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", folded)
    name = re.sub(r"[^0-9A-Za-z]+", "_", spaced).strip("_").lower()
    if not name:
        return ""
    if name[0].isdigit():
        name = f"field_{name}"
    if keyword.iskeyword(name) or name in _SOFT_KEYWORDS or name in RESERVED_ATTRIBUTES or name.startswith("model_"):
        name = f"{name}_"
    return name

"""Pydantic models of the YAML spec files: the whole syntax of the input, before any resolution.

Shapes are a union discriminated by `kind`, type expressions a union discriminated by their form (a name,
`{array: T}` or `{map: T}`). What needs the other shapes (does a name exist, do the variants carry their
discriminator) is checked by `resolve`. `lower` maps pydantic's errors to `file:line:col` through `error_location`.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    Tag,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .names import RESERVED_SHAPE_NAMES, is_plain_identifier

PRIMITIVES = ("string", "integer", "int53", "number", "boolean", "null", "any")
"""The type names that are not shapes."""

SCALARS = ("integer", "int53", "number", "string")
"""The primitives that take `minimum`, `maximum` or `format`."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _spec_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("spec", message)


# ---------------------------------------------------------------------------------------- type expressions
TYPE_EXPRESSION_ERROR = "type_expression"
"""The error type of a value that is none of the forms of a type expression."""


def _type_form(value: Any) -> str | None:
    if isinstance(value, str):
        return "<name>"
    if isinstance(value, (ArrayType, MapType)):
        return "<array>" if isinstance(value, ArrayType) else "<map>"
    if isinstance(value, dict) and len(value) == 1 and next(iter(value)) in ("array", "map"):
        return f"<{next(iter(value))}>"
    return None


class ArrayType(_Strict):
    """`{array: T}`: a JSON array whose items are all of type T."""

    array: TypeExpression


class MapType(_Strict):
    """`{map: T}`: a JSON object whose member values are all of type T."""

    map: TypeExpression


TypeExpression = Annotated[
    Annotated[StrictStr, Tag("<name>")] | Annotated[ArrayType, Tag("<array>")] | Annotated[MapType, Tag("<map>")],
    Discriminator(
        _type_form,
        custom_error_type=TYPE_EXPRESSION_ERROR,
        custom_error_message="a type is a name or {array: T} or {map: T}",
    ),
]
"""A type: a primitive or shape name, `{array: T}` or `{map: T}`."""

ArrayType.model_rebuild()
MapType.model_rebuild()


# ---------------------------------------------------------------------------------------------------- shapes
class FieldSpec(_Strict):
    """One member of an object shape, keyed by its wire name: exactly one of `type`, `const` or `enum`."""

    description: StrictStr
    type: TypeExpression | None = None
    const: StrictStr | StrictBool | StrictInt | None = None
    enum: list[StrictStr] | None = None
    required: StrictBool = True
    nullable: StrictBool = False
    minimum: StrictInt | float | None = None
    maximum: StrictInt | float | None = None
    format: StrictStr | None = None
    python_name: StrictStr | None = None

    @field_validator("enum")
    @classmethod
    def _distinct(cls, values: list[str] | None) -> list[str] | None:
        if values is not None and (not values or len(set(values)) != len(values)):
            raise _spec_error("an enum needs distinct values")
        return values

    @model_validator(mode="after")
    def _one_kind_of_value(self) -> FieldSpec:
        if [self.type, self.const, self.enum].count(None) != 2:
            raise _spec_error("a field needs exactly one of 'type', 'const' or 'enum'")
        bounded = self.minimum is not None or self.maximum is not None or self.format is not None
        if bounded and self.type not in SCALARS:
            raise _spec_error("minimum, maximum and format apply to scalar types only")
        return self


class ObjectSpec(_Strict):
    """A JSON object shape; `extends` merges the fields of other object shapes first (an allOf)."""

    kind: Literal["object"]
    description: StrictStr
    extends: list[StrictStr] = Field(default_factory=list)
    fields: dict[str, FieldSpec] = Field(default_factory=dict)
    additional: Literal["allow", "forbid"] = "allow"


class UnionSpec(_Strict):
    """An anyOf of type expressions, optionally told apart by a const member of every variant."""

    kind: Literal["union"]
    description: StrictStr
    variants: list[TypeExpression]
    discriminator: StrictStr | None = None

    @field_validator("variants")
    @classmethod
    def _distinct(cls, variants: list[str | ArrayType | MapType]) -> list[str | ArrayType | MapType]:
        if not variants:
            raise _spec_error("a union needs at least one variant")
        if len(set(variants)) != len(variants):
            raise _spec_error("a union lists the same variant twice")
        return variants


class EnumSpec(_Strict):
    """A closed set of string values, each with its meaning."""

    kind: Literal["enum"]
    description: StrictStr
    values: dict[str, StrictStr]

    @field_validator("values")
    @classmethod
    def _not_empty(cls, values: dict[str, str]) -> dict[str, str]:
        if not values:
            raise _spec_error("an enum needs at least one value")
        return values


class AliasSpec(_Strict):
    """A named type expression (a map or array of other shapes)."""

    kind: Literal["alias"]
    description: StrictStr
    type: TypeExpression


ShapeModel = ObjectSpec | UnionSpec | EnumSpec | AliasSpec
"""A validated shape, of any kind."""

SHAPE_KINDS: dict[str, type[ShapeModel]] = {
    "object": ObjectSpec,
    "union": UnionSpec,
    "enum": EnumSpec,
    "alias": AliasSpec,
}
"""Each shape kind and its model, in the order error messages list them."""

SHAPE_KIND_ERROR = "shape_kind"
"""The error type of a shape that is not a mapping or names no known kind."""


def _kind(value: Any) -> str | None:
    kind = value.get("kind") if isinstance(value, dict) else getattr(value, "kind", None)
    return f"<{kind}>" if isinstance(kind, str) else None


def _shape_name(name: str) -> str:
    if not is_plain_identifier(name) or name in RESERVED_SHAPE_NAMES or name[0].islower():
        raise _spec_error(f"shape name '{name}' must be a capitalised Python identifier, not reserved")
    return name


ShapeSpec = Annotated[
    Annotated[ObjectSpec, Tag("<object>")]
    | Annotated[UnionSpec, Tag("<union>")]
    | Annotated[EnumSpec, Tag("<enum>")]
    | Annotated[AliasSpec, Tag("<alias>")],
    Discriminator(_kind, custom_error_type=SHAPE_KIND_ERROR, custom_error_message="not a shape"),
]
"""One shape, of the kind its `kind` names."""

ShapeName = Annotated[StrictStr, AfterValidator(_shape_name)]
"""A shape's name: a capitalised Python identifier that no generated module reserves."""

Shapes = dict[ShapeName, ShapeSpec]
"""The `shapes:` section of a spec file."""


def yaml_path(data: Any, loc: tuple[str | int, ...]) -> tuple[str | int, ...]:
    """The YAML path of a pydantic error location in `data`: the tags of the discriminated unions (which pydantic
    puts in the location after the union's own place) left out. A step is a tag only where the value there has
    that tag, so a member that happens to be spelt like a tag keeps its place."""
    path: list[str | int] = []
    node = data
    for step in loc:
        if isinstance(step, str) and step in (_kind(node), _type_form(node)):
            continue
        path.append(step)
        inside = isinstance(node, dict) and step in node
        inside |= isinstance(node, list) and isinstance(step, int) and 0 <= step < len(node)
        node = node[step] if inside else None
    return tuple(path)


# ---------------------------------------------------------------------------------------------- the rest
class ExtensionSpec(_Strict):
    """Who the extension is: identifier, title, SEP number, Python package and JSON Schema $id."""

    id: StrictStr
    title: StrictStr
    sep: StrictInt
    package: StrictStr
    schema_id: StrictStr
    description: StrictStr


class ConstantSpec(_Strict):
    """A named string constant of the extension."""

    name: StrictStr
    value: StrictStr
    description: StrictStr


class MethodSpec(_Strict):
    """A request method: its request and result shapes."""

    name: StrictStr
    method: StrictStr
    request: StrictStr
    result: StrictStr
    description: StrictStr


class NotificationSpec(_Strict):
    """A notification method and its message shape."""

    name: StrictStr
    method: StrictStr
    message: StrictStr
    description: StrictStr


class ErrorCodeSpec(_Strict):
    """A JSON-RPC error code the extension uses, with when it is used."""

    name: StrictStr
    code: StrictInt
    description: StrictStr


class MetaKeySpec(_Strict):
    """A reserved `_meta` key the extension relies on."""

    name: StrictStr
    key: StrictStr
    where: StrictStr
    description: StrictStr


class StateMachineSpec(_Strict):
    """The task status lifecycle: initial and terminal statuses and the allowed transitions."""

    enum: StrictStr
    initial: list[StrictStr]
    terminal: list[StrictStr]
    transitions: dict[str, list[StrictStr]]
    description: StrictStr


SEED_BASES = ("model", "Result", "RequestParams", "NotificationParams", "Request", "Notification")
"""Bases a seed model may name besides other seed models: our camelCase model base and mcp_types classes."""


class SeedModelSpec(_Strict):
    """One class of the seed-compatible API: a lenient view of a shape on mcp_types bases."""

    shape: StrictStr
    bases: list[StrictStr]
    description: StrictStr
    optional: list[StrictStr] = Field(default_factory=list)
    loose: list[StrictStr] = Field(default_factory=list)
    name_param: StrictStr | None = None


class SeedApiSpec(_Strict):
    """The seed-compatible top-level API of the package."""

    description: StrictStr
    aliases: list[StrictStr] = Field(default_factory=list)
    models: dict[str, SeedModelSpec]


class DeviationSpec(_Strict):
    """A deliberate difference from the published JSON Schema, where that file contradicts its TypeScript source."""

    name: StrictStr
    shape: StrictStr
    official: StrictStr
    published: dict[str, Any]
    says: StrictStr
    ours: StrictStr
    why: StrictStr
    accepts: list[StrictStr] = Field(default_factory=list)
    still_rejects: list[StrictStr] = Field(default_factory=list)


class VersionSpec(_Strict):
    """A released or draft version of the extension, generated as its own module."""

    name: StrictStr
    module: StrictStr
    schema_id: StrictStr
    description: StrictStr
    spec: StrictStr | None = None
    """A folder beside this file holding the version's own spec; by default the version has this spec's shapes."""


class MainFileSpec(_Strict):
    """The main spec file (`tasks.yaml`): everything but the shapes of included files."""

    extension: ExtensionSpec
    versions: list[VersionSpec] = Field(default_factory=list)
    default_version: StrictStr | None = None
    include: list[StrictStr] = Field(default_factory=list)
    constants: list[ConstantSpec] = Field(default_factory=list)
    methods: list[MethodSpec] = Field(default_factory=list)
    notifications: list[NotificationSpec] = Field(default_factory=list)
    errors: list[ErrorCodeSpec] = Field(default_factory=list)
    meta_keys: list[MetaKeySpec] = Field(default_factory=list)
    state_machine: StateMachineSpec | None = None
    seed_api: SeedApiSpec | None = None
    deviations: list[DeviationSpec] = Field(default_factory=list)
    shapes: Shapes


class IncludedFileSpec(_Strict):
    """An included spec file: shapes only."""

    shapes: Shapes

"""Pydantic models of the YAML spec files: the syntax and shape of the input, before any resolution.

Type expressions are kept as raw data here (`Any`) and parsed by `lower`, which can point at them precisely.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, StrictInt, StrictStr


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


class FieldSpec(_Strict):
    """One member of an object shape, keyed by its wire name."""

    description: StrictStr
    type: Any = None
    const: StrictStr | StrictBool | StrictInt | None = None
    enum: list[StrictStr] | None = None
    required: StrictBool = True
    nullable: StrictBool = False
    minimum: StrictInt | float | None = None
    maximum: StrictInt | float | None = None
    format: StrictStr | None = None
    python_name: StrictStr | None = None


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
    variants: list[Any]
    discriminator: StrictStr | None = None


class EnumSpec(_Strict):
    """A closed set of string values, each with its meaning."""

    kind: Literal["enum"]
    description: StrictStr
    values: dict[str, StrictStr]


class AliasSpec(_Strict):
    """A named type expression (a map or array of other shapes)."""

    kind: Literal["alias"]
    description: StrictStr
    type: Any


SHAPE_KINDS: dict[str, type[_Strict]] = {
    "object": ObjectSpec,
    "union": UnionSpec,
    "enum": EnumSpec,
    "alias": AliasSpec,
}


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
    shapes: dict[str, dict[str, Any]]


class IncludedFileSpec(_Strict):
    """An included spec file: shapes only."""

    shapes: dict[str, dict[str, Any]]

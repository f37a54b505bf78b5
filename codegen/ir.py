"""The intermediate representation: the resolved spec, as frozen data. No I/O and no rendering here.

Descriptions stay raw text; every renderer escapes them its own way.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

INT53_MAX = 2**53 - 1
"""Largest integer a JSON number carries exactly (the schema's `int53` bound, both signs)."""


@dataclass(frozen=True, slots=True)
class Primitive:
    """A JSON scalar, `null` or `any`: string, integer (unbounded), int53, number, boolean, null, any."""

    name: Literal["string", "integer", "int53", "number", "boolean", "null", "any"]
    minimum: int | float | None = None
    maximum: int | float | None = None
    format: str | None = None


@dataclass(frozen=True, slots=True)
class Ref:
    """A reference to a named shape."""

    name: str


@dataclass(frozen=True, slots=True)
class ArrayOf:
    """A JSON array whose items all have one type."""

    item: TypeExpr


@dataclass(frozen=True, slots=True)
class MapOf:
    """A JSON object used as a map from string keys to values of one type."""

    value: TypeExpr


@dataclass(frozen=True, slots=True)
class Const:
    """Exactly one JSON value."""

    value: str | int | bool


@dataclass(frozen=True, slots=True)
class Choice:
    """One of a few string values (an inline enum)."""

    values: tuple[str, ...]


TypeExpr = Primitive | Ref | ArrayOf | MapOf | Const | Choice


@dataclass(frozen=True, slots=True)
class Field:
    """One member of an object shape."""

    wire_name: str
    py_name: str
    type: TypeExpr
    required: bool
    nullable: bool
    description: str
    declared_in: str
    """The shape whose YAML declares this field (itself, or a shape it extends)."""
    type_admits_null: bool = False
    """True when null is a value of `type` itself (`any`, `null`, or a union or alias that admits null), whatever
    `nullable` says."""


@dataclass(frozen=True, slots=True)
class ObjectShape:
    """A JSON object with known members; open (unknown members kept) unless `closed`."""

    name: str
    description: str
    fields: tuple[Field, ...]
    extends: tuple[str, ...]
    closed: bool
    group: str


@dataclass(frozen=True, slots=True)
class UnionShape:
    """Any one of several types; `discriminator` names the const member that tells object variants apart."""

    name: str
    description: str
    variants: tuple[TypeExpr, ...]
    discriminator: str | None
    discriminator_py_name: str | None
    """The Python attribute name of the discriminator field in every variant's wire model."""
    discriminator_values: tuple[str | int | bool, ...]
    """The discriminator's value in each variant, in the variants' order (empty without a discriminator)."""
    group: str
    recursive: bool
    """True when the union reaches itself through other unions or aliases (not through an object)."""


@dataclass(frozen=True, slots=True)
class EnumValue:
    """One value of an enum, with its meaning."""

    value: str
    description: str


@dataclass(frozen=True, slots=True)
class EnumShape:
    """A closed set of string values."""

    name: str
    description: str
    values: tuple[EnumValue, ...]
    group: str


@dataclass(frozen=True, slots=True)
class AliasShape:
    """A name for a type expression."""

    name: str
    description: str
    type: TypeExpr
    group: str
    recursive: bool
    """True when the alias reaches itself through unions or aliases (not through an object)."""


Shape = ObjectShape | UnionShape | EnumShape | AliasShape


@dataclass(frozen=True, slots=True)
class Constant:
    """A named string constant."""

    name: str
    value: str
    description: str


@dataclass(frozen=True, slots=True)
class Method:
    """A request method with its request and result shapes."""

    name: str
    method: str
    request: str
    result: str
    description: str


@dataclass(frozen=True, slots=True)
class Notification:
    """A notification method with its message shape."""

    name: str
    method: str
    message: str
    description: str


@dataclass(frozen=True, slots=True)
class ErrorCode:
    """A JSON-RPC error code and when it is used."""

    name: str
    code: int
    description: str


@dataclass(frozen=True, slots=True)
class MetaKey:
    """A reserved `_meta` key."""

    name: str
    key: str
    where: str
    description: str


@dataclass(frozen=True, slots=True)
class StateMachine:
    """The status lifecycle of a task."""

    enum: str
    initial: tuple[str, ...]
    terminal: tuple[str, ...]
    transitions: tuple[tuple[str, tuple[str, ...]], ...]
    description: str


@dataclass(frozen=True, slots=True)
class Deviation:
    """A place where the spec deliberately differs from the published JSON Schema (where that file contradicts the
    TypeScript source it is generated from): what the published file says there, what the spec does, and why."""

    name: str
    shape: str
    """The shape of this spec whose definition differs."""
    official: str
    """JSON Pointer to the published schema's fragment that `shape` replaces (`/$defs/JSONValue`)."""
    published: str
    """That fragment as the published schema has it, as canonical JSON text (sorted keys, compact)."""
    says: str
    """What the published fragment accepts, in words."""
    ours: str
    """What the spec accepts instead, in words."""
    why: str
    accepts: tuple[str, ...]
    """Valid examples (`Shape/slug`) that the published schema rejects: the deviation's witnesses."""
    still_rejects: tuple[str, ...]
    """Invalid examples (`Shape/slug`) near the deviation that both reject: where it stops."""


@dataclass(frozen=True, slots=True)
class Example:
    """A wire example of a shape, labelled valid or invalid; `text` is the file's exact JSON text."""

    shape: str
    slug: str
    valid: bool
    text: str


@dataclass(frozen=True, slots=True)
class SeedField:
    """A field of a seed-compatible model: lenient type, Python-side defaults."""

    wire_name: str
    py_name: str
    type: TypeExpr
    has_default: bool
    default: str | int | bool | None
    """The default when `has_default` (None for optional fields, the const for const fields)."""
    keep_null: bool
    """Written as null even under `exclude_none` (required nullable on the wire)."""
    omit_null: bool
    """Never written when None (optional, not nullable on the wire)."""
    owners: tuple[str, ...]
    """For a member only some variants of a union declare: their discriminator values (else empty)."""
    description: str


@dataclass(frozen=True, slots=True)
class SeedModel:
    """A class of the seed-compatible API, viewing one shape."""

    name: str
    shape: str
    bases: tuple[str, ...]
    """`model`, an mcp_types base (Result, RequestParams, NotificationParams, Request, Notification) or a seed model."""
    description: str
    fields: tuple[SeedField, ...]
    required_nulls: tuple[SeedField, ...]
    """Every keep-null field of the class, inherited ones included."""
    generic_args: tuple[str, str] | None
    """For Request/Notification bases: the params seed model and the method value."""
    discriminator: str | None
    """The Python name of the field whose value says which members belong (for fields with `owners`)."""
    name_param: str | None


@dataclass(frozen=True, slots=True)
class SeedApi:
    """The seed-compatible top-level API."""

    description: str
    aliases: tuple[str, ...]
    models: tuple[SeedModel, ...]

    def model_for(self, shape: str) -> str | None:
        """The first seed model viewing `shape` (how other seed models refer to that shape), or None."""
        return next((model.name for model in self.models if model.shape == shape), None)


@dataclass(frozen=True, slots=True)
class Extension:
    """Who the extension is."""

    id: str
    title: str
    sep: int
    package: str
    schema_id: str
    description: str


@dataclass(frozen=True, slots=True)
class Version:
    """One version of the extension: its name, the module it is generated into, and its own resolved spec."""

    name: str
    module: str
    description: str
    spec: Spec


@dataclass(frozen=True, slots=True)
class Spec:
    """The whole resolved spec, shapes in spec order (extension first, then included files)."""

    extension: Extension
    shapes: tuple[Shape, ...]
    constants: tuple[Constant, ...]
    methods: tuple[Method, ...]
    notifications: tuple[Notification, ...]
    errors: tuple[ErrorCode, ...]
    meta_keys: tuple[MetaKey, ...]
    state_machine: StateMachine | None
    examples: tuple[Example, ...]
    seed_api: SeedApi | None
    deviations: tuple[Deviation, ...] = ()
    """Where the spec deliberately differs from the published JSON Schema."""
    versions: tuple[Version, ...] = ()
    """Versions generated side by side, each into its own module; empty for a spec that has one version."""
    default_version: str | None = None
    """The version the package's top-level names point at."""
    by_name: dict[str, Shape] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "by_name", {shape.name: shape for shape in self.shapes})

    def shape(self, name: str) -> Shape:
        """The shape called `name` (lowering guarantees every reference resolves)."""
        return self.by_name[name]

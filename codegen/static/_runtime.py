"""Building blocks shared by the generated wire models and TypedDicts: JSON-exact scalar types and bases."""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, TypeVar, Union, cast

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    GetCoreSchemaHandler,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    Strict,
    ValidationInfo,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError, SchemaSerializer, core_schema, from_json

if TYPE_CHECKING:
    from typing_extensions import Self

INT53_MAX = 9007199254740991
"""The largest integer a JSON number carries exactly; `Int53` allows it with either sign."""


def _integral_float_to_int(value: float) -> int:
    # JSON Schema counts 60000.0 as an integer; pydantic's strict int would reject it.
    if not value.is_integer():
        raise ValueError("Input should be an integer, got a number with a fractional part")
    return int(value)


def _annotated(*args: Any) -> Any:
    # Annotated[T, *metadata]: Python 3.10 has no `*` inside a subscript, so the arguments go in as one tuple.
    return cast(Any, Annotated)[args]


def _json_int(*bounds: Any) -> Any:
    # Integers take the strict-int path in Rust; only floats reach the Python check above.
    return Annotated[
        Union[
            _annotated(int, Strict(), *bounds),
            _annotated(float, Strict(), *bounds, AfterValidator(_integral_float_to_int)),
        ],
        Field(union_mode="left_to_right"),
    ]


if TYPE_CHECKING:
    JsonInt = int
    Int53 = int
else:
    JsonInt = _json_int()
    Int53 = _json_int(Field(ge=-INT53_MAX, le=INT53_MAX))
"""`JsonInt`: a JSON integer: integral floats (60000.0) accepted as int, strings, booleans and fractions rejected.
`Int53`: the same within ±(2^53−1)."""


def json_const(expected: bool | int) -> Any:
    """A guard for a boolean or integer const: JSON keeps true and 1 apart, Python's Literal does not."""

    def check(value: Any) -> Any:
        if isinstance(expected, bool) and type(value) is bool:
            return value
        if not isinstance(expected, bool) and type(value) in (int, float):
            return int(value) if type(value) is float and value.is_integer() else value
        raise ValueError(f"Input should be {expected!r}")

    return BeforeValidator(check)


def _json_number(*bounds: Any) -> Any:
    # Integers stay integers (a strict float would turn 9007199254740993 into 9007199254740992.0).
    return Annotated[
        Union[_annotated(int, Strict(), *bounds), _annotated(float, Strict(), *bounds)],
        Field(union_mode="left_to_right"),
    ]


if TYPE_CHECKING:
    JsonNumber = float
else:
    JsonNumber = _json_number()
"""A JSON number: integers (kept exact) and floats, no strings or booleans."""


class NotNull:
    """Marks an optional field that may be omitted but, per the schema, never sent as null.

    Its Python type stays `X | None` (None means omitted); validation accepts only `X`.
    """

    @classmethod
    def __get_pydantic_core_schema__(cls, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        schema = handler(source)
        return schema["schema"] if schema["type"] == "nullable" else schema


class OnlyFor:
    """Marks a lenient member that belongs to some variants only (`result` to completed tasks): where the variant
    (the `key` member, the status) is another, a value that does not fit reads as absent instead of failing the
    whole message. Values that fit are validated in Rust; only misfits reach Python."""

    def __init__(self, key: str, *owners: str) -> None:
        self.key, self.owners = key, owners

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        def absent_elsewhere(value: Any, info: ValidationInfo) -> None:
            if info.data.get(self.key) in self.owners:
                raise PydanticCustomError(
                    "wrong_type",
                    "Input does not fit this member where {key} is {value}",
                    {"key": self.key, "value": info.data.get(self.key)},
                )
            return None

        fallback = core_schema.with_info_after_validator_function(absent_elsewhere, core_schema.any_schema())
        return core_schema.union_schema([handler(source), fallback], mode="left_to_right")


class WireTagged:
    """The discriminator of a union whose tag member has another name in Python (`type_` for `type`): the tag is
    read under its wire name first, then (for model instances) under its attribute name.

    pydantic's own `Field(discriminator=...)` reads the attribute name first, so a message with a stray member of
    that name (`{"type_": {}, "type": "image", ...}`) would pick its variant by the stray member. `tags` are the
    variants' tag values, in the order of the union's variants.
    """

    def __init__(self, wire_name: str, py_name: str, *tags: str | int | bool) -> None:
        self.wire_name, self.py_name, self.tags = wire_name, py_name, tags

    def __get_pydantic_core_schema__(self, source: Any, handler: GetCoreSchemaHandler) -> core_schema.CoreSchema:
        union = handler(source)
        if union["type"] != "union" or len(union["choices"]) != len(self.tags):
            raise TypeError(f"WireTagged needs a union of {len(self.tags)} variants, got {union['type']}")
        variants = [choice[0] if isinstance(choice, tuple) else choice for choice in union["choices"]]
        lookup: list[list[str | int]] = [[self.wire_name], [self.py_name]]
        return core_schema.tagged_union_schema(
            dict(zip(self.tags, variants, strict=True)),
            discriminator=lookup,
            from_attributes=True,
        )


def members_given_by_wire_name(**names: str) -> Any:
    """A model validator for the members that admit null and have another name in Python (attribute=wire name):
    pydantic counts an unknown member named like the attribute as setting it, so a None there would be written as
    an explicit null; it is set only when the message names its wire name. Runs for the models that have such a
    member only (one Python call each, reading the message as Python objects)."""

    def read(cls: type[BaseModel], data: Any, handler: Callable[[Any], Any]) -> Any:
        model = handler(data)
        extra = model.__pydantic_extra__
        if extra and isinstance(data, dict):
            for attribute, wire_name in names.items():
                if attribute in extra and wire_name not in data:
                    model.__pydantic_fields_set__.discard(attribute)
        return model

    return model_validator(mode="wrap")(cast(Any, classmethod(read)))


def is_none(value: Any) -> bool:
    """True for None: the seed models' serialization filter that keeps omitted optional fields off the wire."""
    return value is None


_AS_THE_MESSAGE: dict[str, Any] = {"exclude_none": False, "exclude_unset": True, "exclude_defaults": True}
"""Dump options that give back the exact message from a plain serializer (`_plain`): members left out stay out
(a `NotNull` member set to None counts as left out: `WireModel` keeps it out of `model_fields_set`), and the nulls
a message carries stay. The only defaults left to compare are those of `_misread_as_set` members."""

_NOT_SCHEMAS = frozenset(["cls", "function", "default", "expected", "ref", "schema_ref", "config"])
_BY_NAME = frozenset(["fields", "choices"])
"""Keys whose value maps member names or tags (any word, `metadata` too) to schemas."""
_UNIONS = ("union", "tagged-union")


def _with_ref_of(schema: dict[str, Any], original: dict[str, Any]) -> dict[str, Any]:
    """`schema` under the definition name of `original`, if it has one (other schemas refer to it by that name)."""
    return schema | ({"ref": original["ref"]} if "ref" in original else {})


class _PlainCopy:
    """A copy of a core schema without the wire models' wrap serializers, defaults (but those of `_misread_as_set`
    members) and metadata: it serializes in Rust alone. The original is left as it is (other models build on it).

    A union of wire models becomes one model serializer with every variant's members:
    pydantic-core writes a union's value by building it as Python objects and writing those again, while a model
    serializer writes any model by the members it holds (the wire models' members of one name agree on their
    wire name; where their types differ, the merged member writes what it holds by its type)."""

    def __init__(self, schema: Any) -> None:
        self.refs: dict[str, dict[str, Any]] = {}
        self.unions: list[dict[str, Any]] = []
        for node in self._nodes(schema, follow_refs=False):
            if isinstance(node.get("ref"), str):
                self.refs[node["ref"]] = node
            if node.get("type") in _UNIONS:
                self.unions.append(node)
        # A union's choices are written in pydantic-core's check mode, where a merged model would be refused: the
        # unions below a union that stays a union stay unions too.
        self.checked: set[int] = set()
        for union in self.unions:
            if self._variants(union) is None:
                self.checked.update(
                    id(node)
                    for node in self._nodes(self._choices(union), follow_refs=True)
                    if node.get("type") in _UNIONS
                )

    def _nodes(self, schema: Any, follow_refs: bool, seen: set[int] | None = None) -> Iterator[dict[str, Any]]:
        """Every schema below `schema` (a schema or a list of them), itself first; with `follow_refs`, the
        definitions they refer to as well."""
        seen = set() if seen is None else seen
        if isinstance(schema, (list, tuple)):
            for item in cast("Iterable[Any]", schema):
                yield from self._nodes(item, follow_refs, seen)
        elif isinstance(schema, dict) and id(cast(Any, schema)) not in seen:
            node = cast("dict[str, Any]", schema)
            seen.add(id(node))
            if "type" in node:
                yield node
            if follow_refs and node.get("type") == "definition-ref" and node.get("schema_ref") in self.refs:
                yield from self._nodes(self.refs[node["schema_ref"]], follow_refs, seen)
            for key, value in node.items():
                if key not in _NOT_SCHEMAS and key != "metadata":
                    yield from self._nodes(value, follow_refs, seen)

    @staticmethod
    def _choices(union: dict[str, Any]) -> list[Any]:
        choices = union["choices"].values() if union["type"] == "tagged-union" else union["choices"]
        return [choice[0] if isinstance(choice, tuple) else choice for choice in cast("Iterable[Any]", choices)]

    def _variants(self, union: dict[str, Any]) -> list[dict[str, Any]] | None:
        """The model schemas of a union of wire models, or None when a choice is something else."""
        variants: list[dict[str, Any]] = []
        for choice in self._choices(union):
            variant: dict[str, Any] = choice
            if choice.get("type") == "definition-ref" and choice.get("schema_ref") in self.refs:
                variant = self.refs[choice["schema_ref"]]
            cls = variant.get("cls") if variant.get("type") == "model" else None
            if (
                not (isinstance(cls, type) and issubclass(cls, WireModel))
                or variant["schema"]["type"] != "model-fields"
            ):
                return None
            variants.append(variant)
        return variants

    def copy(self, schema: Any, by_name: bool = False) -> Any:
        if isinstance(schema, list):
            return [self.copy(item) for item in cast("Iterable[Any]", schema)]
        if isinstance(schema, tuple):  # a union's (choice, label)
            return tuple(self.copy(item) for item in cast("Iterable[Any]", schema))
        if not isinstance(schema, dict):
            return schema
        original = cast("dict[str, Any]", schema)
        if by_name:
            return {name: self.copy(value) for name, value in original.items()}
        if original.get("type") in _UNIONS:
            merged = self._merged(original)
            if merged is not None:
                return merged
            if self._holds_model(original) is None:
                # JSON values and numbers: what the union holds is written the same by its type, without trying
                # the choices in turn
                return _with_ref_of({"type": "any"}, original)
        copy = {
            key: value if key in _NOT_SCHEMAS else self.copy(value, key in _BY_NAME)
            for key, value in original.items()
            if key != "metadata"
        }
        model = original.get("cls") if original.get("type") == "model" else None
        if isinstance(model, type) and issubclass(model, WireModel):
            copy.pop("serialization", None)
            misread = _misread_as_set(model)
            for name, field in copy["schema"].get("fields", {}).items():
                if field["schema"]["type"] == "default" and name not in misread:
                    field["schema"] = field["schema"]["schema"]
        return copy

    def _merged(self, union: dict[str, Any]) -> dict[str, Any] | None:
        """One model serializer for a union of wire models (`_merge_models`), or None when a variant is something
        else or the union is written in check mode."""
        originals = None if id(union) in self.checked else self._variants(union)
        if not originals:
            return None
        merged = self._merge_models([self.copy(variant) for variant in originals])
        return None if merged is None else _with_ref_of(merged, union)

    def _merge_models(self, models: list[dict[str, Any]]) -> dict[str, Any] | None:
        """One model serializer with the members of every (plain) model: a member that differs between them is
        merged in turn where each is a model, else written by the type of what it holds. None when the models are
        configured otherwise (one closed) or two of them write a member of one name under different wire names."""
        configs = [{key: value for key, value in m.get("config", {}).items() if key != "title"} for m in models]
        if any(config != configs[0] for config in configs):  # a closed model among open ones keeps its own
            return None
        versions: dict[str, list[dict[str, Any]]] = {}
        for model in models:
            for name, field in model["schema"]["fields"].items():
                versions.setdefault(name, []).append(field)
        fields: dict[str, dict[str, Any]] = {}
        for name, found in versions.items():
            first = found[0]
            if any(field.get("serialization_alias") != first.get("serialization_alias") for field in found):
                return None
            same = all(field == first for field in found)
            fields[name] = first if same else {**first, "schema": self._merged_member([f["schema"] for f in found])}
        inner = {**models[0]["schema"], "fields": fields}
        return {key: value for key, value in models[0].items() if key != "ref"} | {"cls": BaseModel, "schema": inner}

    def _holds_model(self, schema: Any) -> type | None:
        """BaseModel itself when a schema holds a merged model (or a union that will be one: not `checked`, wire
        models only), else the class of the first model it holds, or None; definitions are followed."""
        first: type | None = None
        for node in self._nodes(schema, follow_refs=True):
            kind = node.get("type")
            merged_here = kind in _UNIONS and id(node) not in self.checked
            if node.get("cls") is BaseModel or (merged_here and self._variants(node) is not None):
                return BaseModel
            if kind == "model" and first is None:
                first = cast(type, node["cls"])
        return first

    def _merged_member(self, schemas: list[dict[str, Any]]) -> Any:
        wrapper = schemas[0]["type"]
        if wrapper in ("default", "nullable") and all(schema["type"] == wrapper for schema in schemas):
            inner = self._merged_member([schema["schema"] for schema in schemas])
            return {**schemas[0], "schema": inner}
        if all(schema["type"] == "model" and schema["schema"]["type"] == "model-fields" for schema in schemas):
            merged = self._merge_models(schemas)
            if merged is not None:
                return merged
        # What it holds is written by its type (in Rust), but a model would be written by its own serializer, in
        # Python: a union of the schemas then, unless one holds a merged model (a union checks its choices).
        holds = [self._holds_model(schema) for schema in schemas]
        if any(holds) and BaseModel not in holds:
            return core_schema.union_schema(cast(Any, schemas))
        return core_schema.any_schema()


def _plain(schema: Any) -> Any:
    """The plain copy of a core schema (`_PlainCopy`)."""
    return _PlainCopy(schema).copy(schema)


_PLAIN_SERIALIZERS: dict[type[BaseModel], SchemaSerializer] = {}


def _plain_serializer(model: type[BaseModel]) -> SchemaSerializer:
    """The serializer every dump of a wire model ends in, built on its first dump."""
    serializer = _PLAIN_SERIALIZERS.get(model)
    if serializer is None:
        model.model_rebuild()  # the core schema is built on first use (defer_build)
        plain = SchemaSerializer(_plain(model.__pydantic_core_schema__))
        serializer = _PLAIN_SERIALIZERS.setdefault(model, plain)
    return serializer


def _package_file(package: str, name: str) -> bytes:
    """The bytes of a file in a package, read without importing importlib.resources where the package is a folder
    (which the models' import would otherwise pay for)."""
    location = getattr(sys.modules.get(package), "__file__", None)
    if location:
        with open(os.path.join(os.path.dirname(location), name), "rb") as file:
            return file.read()
    from importlib import resources  # a package in a zip file or another loader's

    return resources.files(package).joinpath(name).read_bytes()


@functools.cache
def _member_descriptions(package: str) -> dict[str, dict[str, str]]:
    """The description of every member of every object shape, by shape and wire name, from the package's schema
    (read once; the generated docstrings say the same, and both come from the spec)."""
    schema: dict[str, Any] = {}
    try:
        if package:
            schema = from_json(_package_file(package, "schema.json"))
    except (ModuleNotFoundError, OSError):
        return {}
    return {
        shape: {member: body["description"] for member, body in definition.get("properties", {}).items()}
        for shape, definition in schema.get("$defs", {}).items()
    }


@functools.cache
def _null_means_absent(model: type[BaseModel]) -> frozenset[str]:
    """The attribute and wire names of a model's members that may be omitted but never be null (`NotNull`)."""
    names: set[str] = set()
    for name, info in model.model_fields.items():
        if NotNull in info.metadata:
            names.add(name)
            if isinstance(info.validation_alias, str):
                names.add(info.validation_alias)
    return frozenset(names)


_Model = TypeVar("_Model", bound=BaseModel)


def _forget_nones(model: _Model) -> _Model:
    """The model, with the members that may be omitted but never be null and are None taken out of its set ones."""
    absent = _null_means_absent(type(model))
    model.__pydantic_fields_set__ -= {
        name for name in model.__pydantic_fields_set__ if name in absent and getattr(model, name) is None
    }
    return model


@functools.cache
def _misread_as_set(model: type[BaseModel]) -> frozenset[str]:
    """The members that may be omitted but never be null whose attribute name is not their wire name: pydantic
    counts an unknown member named like the attribute (`"meta"` beside `_meta`) as setting it, so such a member
    left out must still be left out of the dumps when it is None (its default, compared by `exclude_defaults`)."""
    return frozenset(
        name
        for name, info in model.model_fields.items()
        if NotNull in info.metadata and isinstance(info.validation_alias, str) and info.validation_alias != name
    )


class WireModel(BaseModel):
    """Base of the strict wire models: wire names in and out, unknown members accepted and kept.

    Every dump route (`model_dump`, `model_dump_json`, `TypeAdapter.dump_python` and `dump_json`, in either mode,
    with or without `exclude_none`) writes exactly the wire message: optional members that were left out are never
    written, and the nulls the message carries (`ttlMs`, an error's `data`, unknown members, nulls inside JSON
    values) are always kept. An optional member that was left out reads as None; `model_fields_set` tells it apart
    from an explicit null.

    Models are built in Python by attribute name (`GetTaskRequestParams(task_id="t")`; the wire name works too),
    where None leaves out a member that may be omitted but not be null. Messages (`model_validate`,
    `model_validate_json`, a TypeAdapter) are read by wire name only, as the schema says: in a message, `task_id`
    is an unknown member.
    """

    model_config = ConfigDict(
        extra="allow",
        validate_by_alias=True,
        validate_by_name=False,
        serialize_by_alias=True,
        defer_build=True,
        protected_namespaces=(),  # wire names like `model_dump` become `model_dump_`, which clashes with nothing
    )

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        # Descriptions for model_fields and pydantic's JSON Schema, without parsing the source for attribute
        # docstrings (which would cost tens of milliseconds at import). The schema build is deferred, so it sees them.
        super().__pydantic_init_subclass__(**kwargs)
        described = _member_descriptions(cls.__module__.rpartition(".")[0]).get(cls.__name__, {})
        for name, info in cls.model_fields.items():
            wire_name = info.serialization_alias or name
            if info.description is None and wire_name in described:
                info.description = described[wire_name]

    if not TYPE_CHECKING:  # type checkers keep the signatures pydantic declares (attribute names for __init__)

        def __init__(self, /, **data: Any) -> None:
            if any(value is None for value in data.values()):
                # None is how Python says "left out" for a member that may be omitted but never be null.
                absent = _null_means_absent(type(self))
                data = {key: value for key, value in data.items() if value is not None or key not in absent}
            self.__pydantic_validator__.validate_python(data, self_instance=self, by_alias=True, by_name=True)

        # Marks this __init__ as pydantic's own, so that validating a message does not go through it (which would
        # accept attribute names there too).
        __init__.__pydantic_base_init__ = True

        # The other ways to set a member in Python: None there leaves the member out too (out of model_fields_set,
        # where the dumps look).
        def __setattr__(self, name: str, value: Any) -> None:
            super().__setattr__(name, value)
            if value is None and name in _null_means_absent(type(self)):
                self.__pydantic_fields_set__.discard(name)

        def model_copy(self, *, update: Mapping[str, Any] | None = None, deep: bool = False) -> Self:
            return _forget_nones(super().model_copy(update=update, deep=deep))

        @classmethod
        def model_construct(cls, _fields_set: set[str] | None = None, **values: Any) -> Self:
            return _forget_nones(super().model_construct(_fields_set, **values))

        # Dumps take the plain serializer. `exclude_none`, `exclude_unset` and `exclude_defaults` are taken and
        # overridden (`_AS_THE_MESSAGE`). The common calls pass no other option: they spell its options out (without
        # the default exclude_none=False), since unpacking the dict into the call costs a fifth of a small dump.
        def model_dump(
            self, *, mode: str = "python", by_alias: bool | None = None, exclude_none: bool = False, **options: Any
        ) -> dict[str, Any]:
            serializer = _PLAIN_SERIALIZERS.get(type(self)) or _plain_serializer(type(self))
            if options:
                options.update(_AS_THE_MESSAGE)
                return serializer.to_python(self, mode=mode, by_alias=by_alias, **options)  # type: ignore[no-any-return]
            return serializer.to_python(self, mode=mode, by_alias=by_alias, exclude_unset=True, exclude_defaults=True)  # type: ignore[no-any-return]

        def model_dump_json(
            self, *, indent: int | None = None, by_alias: bool | None = None, exclude_none: bool = False, **options: Any
        ) -> str:
            serializer = _PLAIN_SERIALIZERS.get(type(self)) or _plain_serializer(type(self))
            if options:
                options.update(_AS_THE_MESSAGE)
                return serializer.to_json(self, indent=indent, by_alias=by_alias, **options).decode()
            return serializer.to_json(
                self, indent=indent, by_alias=by_alias, exclude_unset=True, exclude_defaults=True
            ).decode()

    @model_serializer(mode="wrap")
    def _as_the_message(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> dict[str, Any]:
        # Reached through a TypeAdapter or a container of other types: the plain serializer, whatever the options.
        return _plain_serializer(type(self)).to_python(  # type: ignore[no-any-return]
            self,
            mode=info.mode,
            by_alias=info.by_alias,
            include=cast(Any, info.include),  # the info's include/exclude are what to_python takes, typed wider
            exclude=cast(Any, info.exclude),
            round_trip=info.round_trip,
            serialize_as_any=info.serialize_as_any,
            context=info.context,
            **_AS_THE_MESSAGE,
        )


class KeepsRequiredNulls(BaseModel):
    """Mixin for seed-compatible models with required nullable fields (`ttlMs`): written as null even under
    `exclude_none`, also through a TypeAdapter, together with unknown members whose value is null.

    `__required_nullable__` lists them as (attribute, wire name) pairs.
    """

    model_config = ConfigDict(defer_build=True)  # built on first use, not when the wire models are imported

    __required_nullable__: ClassVar[tuple[tuple[str, str], ...]] = ()

    @model_serializer(mode="wrap")
    def _keep_required_nulls(self, handler: SerializerFunctionWrapHandler, info: SerializationInfo) -> Any:
        dumped: Any = handler(self)
        if not (info.exclude_none and isinstance(dumped, dict)):
            return dumped
        data = cast(dict[str, Any], dumped)
        asked = cast("bool | None", info.by_alias)  # None when the caller did not say, whatever the stub claims
        by_alias = asked if asked is not None else self.model_config.get("serialize_by_alias", False)
        exclude, include = info.exclude or (), info.include
        for attr, alias in self.__required_nullable__:
            wanted = attr not in exclude and (include is None or attr in include)
            if wanted and getattr(self, attr) is None:
                data[alias if by_alias else attr] = None
        for key, value in (self.__pydantic_extra__ or {}).items():
            if value is None and key not in exclude and (include is None or key in include):
                data[key] = None
        return data

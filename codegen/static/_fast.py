"""What the generated `fast` modules stand on (msgspec); how they work: the docstring of `<package>.fast`."""

from __future__ import annotations

import difflib
import functools
import importlib
import json
import re
import secrets
import sys
import types
from collections.abc import Callable
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    Generic,
    Literal,
    TypeAlias,
    TypeVar,
    Union,
    cast,
    get_args,
    get_origin,
)

import msgspec
from msgspec import Raw, UnsetType

if TYPE_CHECKING:
    from pydantic import BaseModel, TypeAdapter

T = TypeVar("T")
INT53_MAX = 9007199254740991
Int53 = Annotated[int, msgspec.Meta(ge=-INT53_MAX, le=INT53_MAX)]
"""An integer within ±(2^53−1)."""
Opt: TypeAlias = Union[T, UnsetType]
"""A member that may be left out (`Opt[str] = UNSET`): UNSET then, and not written."""
API_NAMES = ("Decoder", "UNSET", "UnsetType", "ValidationError", "decoder", "encode", "unknown_members")
"""What a fast module defines besides its shapes."""
_UNIONS = (Union, types.UnionType)
_PEEK = msgspec.json.Decoder(dict[str, Raw])


def camel(name: str) -> str:
    """The wire name of a Struct attribute that declares none (`task_id`: `taskId`); codegen's fast_view.camel."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


class Open(msgspec.Struct, forbid_unknown_fields=True, rename=camel):
    """Base of the Structs of open objects: unknown members are kept (`unknown_members`)."""


class Closed(msgspec.Struct, forbid_unknown_fields=True, rename=camel):
    """Base of the Structs of closed objects: unknown members are refused."""


class ValidationError(ValueError):
    """A message the shape does not accept, or bytes that are not JSON: `message` says what, `path` where (a
    JSONPath such as `$.params.inputResponses["city-1"].action`); `str()` gives both."""

    def __init__(self, message: str, path: str = "$") -> None:
        super().__init__(f"{message} - at `{path}`")
        self.message, self.path = message, path


class _Exact:
    # A type msgspec cannot express, as `Annotated[Raw, <it>]`: a boolean const, or (`_Union`) a union.

    def __init__(self, expected: object) -> None:
        self.expected = expected

    def decode(self, raw: Raw | bytes | str) -> Any:
        if msgspec.json.decode(raw) is not self.expected:
            raise ValueError(f"Expected {json.dumps(self.expected)}")
        return self.expected


class _Union(_Exact):
    def __init__(self, variants: Callable[[], tuple[Any, ...]]) -> None:
        self.variants = variants

    def decode(self, raw: Raw | bytes | str) -> Any:
        # Made on first use (the variants may be defined later), then called directly: the hot path.
        variants = [(v, _known(v)) for v in self.variants()]
        objects = [(known, msgspec.json.Decoder(v).decode) for v, known in variants if known is not None]
        others = [(msgspec.json.Decoder(v).decode, _fixer(v)) for v, known in variants if known is None]
        peek, refused = _PEEK.decode, msgspec.ValidationError
        required = [{f.encode_name for f in msgspec.structs.fields(v) if f.required} for v, k in variants if k]
        known_sets = [known for known, _ in objects]
        # When each variant requires a member the others do not know, no object fits two: no need to `peek`.
        disjoint = all(not r <= k for i, r in enumerate(required) for j, k in enumerate(known_sets) if i != j)

        def decode(raw: Raw | bytes | str) -> Any:
            if objects:
                try:
                    keys: Any = () if disjoint else peek(raw)
                except refused:
                    keys = ("",)  # not an object: only a variant that knows "" is tried
                for known, decode_variant in objects:
                    if known.issuperset(keys):  # a variant that knows every member: the first one wins
                        try:
                            return decode_variant(raw)
                        except refused:
                            pass
            for decode_variant, fix in others:
                try:
                    return decode_variant(raw) if fix is None else fix(decode_variant(raw))
                except refused:
                    pass
            raise ValueError("No variant takes it as msgspec reads it")  # the wire model decides

        self.decode = decode  # type: ignore[method-assign]
        return decode(raw)


def exact_union(union: Any, module: str | None = None) -> Any:
    """The run-time type of a union msgspec cannot express (type checkers see the Union): decoded by its first
    variant that knows every member of the object. A quoted variant is looked up in `module`."""
    variants = get_args(union) if get_origin(union) in _UNIONS else (union,)
    return Annotated[Raw, _Union(lambda: tuple(_resolve(v, module) for v in variants))]


def _resolve(tp: Any, module: str | None) -> Any:
    if module is None:
        return tp
    if isinstance(tp, str) or hasattr(tp, "__forward_arg__"):  # list["Tree"] keeps a str, Union["Tree"] wraps it
        return getattr(sys.modules[module], getattr(tp, "__forward_arg__", tp))
    origin = get_origin(tp)
    if origin not in (list, dict, *_UNIONS):
        return tp  # Literal["Tree"] is a string
    args = tuple(_resolve(a, module) for a in get_args(tp))
    return Union[args] if origin in _UNIONS else types.GenericAlias(cast(type, origin), args)


if TYPE_CHECKING:
    JsonTrue = Literal[True]
    JsonFalse = Literal[False]
else:
    JsonTrue, JsonFalse = Annotated[Raw, _Exact(True)], Annotated[Raw, _Exact(False)]


def _exact_of(tp: Any, optional: bool = False) -> _Exact | None:
    # The _Exact of `tp` (`optional`: also where it may be None or UNSET).
    args = get_args(tp)
    if get_origin(tp) in _UNIONS and optional:
        rest = [a for a in args if a not in (type(None), UnsetType)]
        return _exact_of(rest[0]) if len(rest) == 1 else None
    return next((m for m in args[1:] if isinstance(m, _Exact)), None) if get_origin(tp) is Annotated else None


def _known(tp: Any) -> frozenset[str] | None:
    if not (isinstance(tp, type) and issubclass(tp, msgspec.Struct)):
        return None
    names: frozenset[str] = frozenset(tp.__struct_encode_fields__)
    return names | {tp.__struct_config__.tag_field} if tp.__struct_config__.tag_field else names


def _type(value: object) -> type[object]:
    return type(value)  # unlike `type(value) is dict`, leaves `Any` unnarrowed for type checkers


@functools.cache
def _fixer(tp: Any) -> Callable[[Any], Any] | None:
    # What decodes, in place, the JSON text msgspec kept in a value of type `tp` outside Structs (None: none).
    exact = _exact_of(tp, optional=True)
    if exact is not None:
        return lambda value: exact.decode(value) if type(value) is Raw else value
    origin, args = get_origin(tp), get_args(tp)
    if origin is Annotated:
        return _fixer(args[0])
    if origin in _UNIONS:
        fixers = [f for f in map(_fixer, args) if f is not None]
        return functools.reduce(lambda f, g: lambda v: g(f(v)), fixers) if fixers else None
    inner = _fixer(args[-1]) if origin in (list, dict) else None
    if inner is None:
        return None
    item = _exact_of(args[-1])

    def each(value: Any) -> Any:
        kind: type[object] = value.__class__  # no `type(value) is dict`: that narrows `Any` for type checkers
        if kind is dict:
            members: dict[str, Any] = value
            if item is None:
                for key, member in members.items():
                    members[key] = inner(member)
            else:  # InputResponses: a map of a union, on the hot path
                for key, member in members.items():
                    if type(member) is Raw:
                        members[key] = item.decode(member)
        elif kind is list:
            items: list[Any] = value
            items[:] = map(inner, items)
        return value

    return each


_STEPS: dict[type, list[tuple[str, Callable[[Any], Any]]]] = {}


class DecodesUnions:
    """Mixin of the Structs holding exact types: their `__post_init__` decodes the JSON text msgspec kept."""

    __slots__ = ()

    def __post_init__(self) -> None:
        steps = _STEPS.get(type(self))
        if steps is None:
            fields = msgspec.structs.fields(cast(type[msgspec.Struct], type(self)))
            steps = _STEPS[type(self)] = [(f.name, fix) for f in fields if (fix := _fixer(f.type)) is not None]
        for name, fix in steps:
            value = getattr(self, name)
            if type(value) is Raw:
                setattr(self, name, fix(value))
            else:
                fix(value)  # a container: decoded in place


def _from_wire(value: Any, namespace: Any) -> Any:
    model: BaseModel | None = value if hasattr(value, "model_fields_set") else None
    if model is None:
        if _type(value) is list:
            return [_from_wire(item, namespace) for item in cast(list[Any], value)]
        if _type(value) is dict:
            return {key: _from_wire(item, namespace) for key, item in cast(dict[str, Any], value).items()}
        return value
    cls = getattr(namespace, type(model).__name__)
    if _known(cls) is None:  # an open object without members: a dict here
        return model.model_dump()
    unknown = model.__pydantic_extra__ or {}
    names = {f.name for f in msgspec.structs.fields(cls)} & model.model_fields_set
    if names & unknown.keys():  # an unknown member named like an attribute: which of the two was set?
        wire_names = model.model_dump(by_alias=True).keys()
        fields = type(model).model_fields
        names = {n for n in names if (fields[n].serialization_alias or n) in wire_names}
    members = {name: _from_wire(getattr(model, name), namespace) for name in names}
    if not unknown:
        return cls(**members)
    extra = {f"_unknown_{i}": value for i, value in enumerate(unknown.values())}
    return _keeper(cls, tuple(unknown))(**members, **extra)


@functools.lru_cache(maxsize=1024)
def _keeper(cls: type[msgspec.Struct], keys: tuple[str, ...]) -> type[msgspec.Struct]:
    # `cls` with a member per unknown member, which msgspec writes (a name it refuses: a placeholder `encode` swaps).
    names = {f"_unknown_{i}": key for i, key in enumerate(keys)}
    fields = [(name, Any, msgspec.field(name=_writable(key))) for name, key in names.items()]
    namespace = {"__unknown_members__": names}
    return msgspec.defstruct(
        cls.__name__, fields, bases=(cls,), module=cls.__module__, namespace=namespace, kw_only=True
    )


_PLACEHOLDER = f"~{secrets.token_hex(8)}~"
_PLACEHOLDERS: dict[bytes, bytes] = {}


def _writable(key: str) -> str:
    if not any(c in '"\\' or c < " " for c in key):
        return key
    placeholder = f"{_PLACEHOLDER}{len(_PLACEHOLDERS)}"
    _PLACEHOLDERS[json.dumps(placeholder).encode()] = json.dumps(key, ensure_ascii=False).encode()
    return placeholder


def unknown_members(obj: msgspec.Struct) -> dict[str, Any]:
    """The unknown members an object kept from its message, by wire name (empty when it had none)."""
    names: dict[str, str] = getattr(type(obj), "__unknown_members__", {})
    return {key: getattr(obj, name) for name, key in names.items()}


def _path(loc: tuple[int | str, ...], value: Any, missing: bool) -> tuple[int, str]:
    """How deep a pydantic error lies in `value`, and there its JSONPath (union tags left out)."""
    path, depth = "$", 0
    for index, step in enumerate(loc):
        inside: Any = value if _type(value) in (list, dict) else None
        if (_type(inside) is dict and step in inside) or (_type(step) is int and _type(inside) is list):
            value = inside[step]
        elif not (missing and index == len(loc) - 1):
            continue  # a union variant's tag
        path += f"[{step}]" if isinstance(step, int) else f".{step}" if step.isidentifier() else f"[{json.dumps(step)}]"
        depth += 1
    return depth, path


class _NoTag(msgspec.Struct):
    def __post_init__(self) -> None:
        raise ValueError("no message has this tag")


class Decoder(Generic[T]):
    """Decodes JSON into one shape as the strict wire models validate it: `decode(data)` returns the object, or
    raises `ValidationError` (also for bytes that are not JSON)."""

    __slots__ = ("_fast", "_fix", "_module", "_name", "_wire")

    def __init__(self, tp: Any, module: str, name: str) -> None:
        tag_field = tp.__struct_config__.tag_field if _known(tp) is not None else None
        # msgspec takes a tagged Struct without its tag unless the Struct is in a union: put it in one.
        no_tag = tag_field and msgspec.defstruct("_NoTag", [], bases=(_NoTag,), tag_field=tag_field, tag="\x00")
        self._fix, self._module, self._name = None if _exact_of(tp) else _fixer(tp), module, name
        self._fast: Any = _exact_of(tp) or msgspec.json.Decoder(Union[tp, no_tag] if no_tag else tp)
        self._wire: TypeAdapter[Any] | None = None

    def decode(self, data: bytes | str) -> T:
        """The object the JSON `data` holds; ValidationError when the shape does not accept it."""
        try:
            value: T = self._fast.decode(data)
            return value if self._fix is None else self._fix(value)
        except msgspec.ValidationError:
            pass
        except msgspec.DecodeError as error:
            raise ValidationError(f"Invalid JSON: {error}") from None
        except ValueError:  # an exact union at the top that no variant takes as msgspec reads it
            pass
        from pydantic import TypeAdapter  # the exact path: pydantic's wire models
        from pydantic import ValidationError as Refused

        wire = importlib.import_module(self._module.rpartition(".")[0] + ".wire")
        self._wire = self._wire or TypeAdapter(getattr(wire, self._name))
        try:
            model = self._wire.validate_json(data)
        except Refused as refused:
            try:
                message = json.loads(data)
            except ValueError:  # JSON that msgspec decoded no further than where the shape failed
                message = None
            # The deepest error (a missing member last among equals): in a union, of the variant that fits best.
            errors = [(_path(e["loc"], message, e["type"] == "missing"), e) for e in refused.errors()]
            (_, path), deepest = max(errors, key=lambda pair: (pair[0][0], pair[1]["type"] != "missing"))
            raise ValidationError(deepest["msg"], path) from None
        result: T = _from_wire(model, sys.modules[self._module])
        return result


@functools.cache
def shape_decoder(module: str, shape: Any) -> Decoder[Any]:
    """The decoder of a shape of the fast module `module`, by name or (a class) itself; made once."""
    shapes = [name for name in getattr(sys.modules[module], "__all__", ()) if name not in API_NAMES]
    name = shape if isinstance(shape, str) else getattr(shape, "__name__", "")
    if name not in shapes or not (isinstance(shape, str) or getattr(sys.modules[module], name) is shape):
        close = " or ".join(map(repr, difflib.get_close_matches(name, shapes, n=3)))
        raise ValueError(f"{module} has no shape named {name!r}" + (f"; did you mean {close}?" if close else ""))
    return Decoder(getattr(sys.modules[module], name), module, name)


_ENCODER = msgspec.json.Encoder()


def encode(obj: Any) -> bytes:
    """The JSON bytes of an object of a fast module: its message, unknown members included (UNSET: left out)."""
    data = _ENCODER.encode(obj)
    if _PLACEHOLDERS and _PLACEHOLDER.encode() in data:
        data = re.sub(rb'"~[0-9a-f]{16}~[0-9]+"', lambda m: _PLACEHOLDERS.get(m[0], m[0]), data)
    return data

"""The five validators whose verdicts must agree, behind one interface: `accepts(instance) -> bool | None`.

None means the validator gives no verdict on that instance (the official schema is absent, or
datamodel-code-generator could not be run); it is reported, never counted as agreement.
"""

from __future__ import annotations

import importlib
import importlib.metadata
import importlib.util
import json
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from types import ModuleType
from typing import Any

from pydantic import BaseModel, TypeAdapter, ValidationError

from codegen.deviations import apply_deviations, spec_deviations
from codegen.instances import JSON, Verdicts, deviation_behind, judge
from codegen.ir import Deviation
from codegen.lower import load_spec

from .jsontext import PLAIN, Style, has_integral_float, integers_respelled, json_diff, json_equal, render

REPO = Path(__file__).resolve().parents[2]
REFERENCE_DIR = REPO.parent / "shared" / "reference" / "ext-tasks"
OFFICIAL_SCHEMA = REFERENCE_DIR / "draft" / "schema.json"

# datamodel-code-generator, made as faithful to JSON Schema as it can be:
DATAMODEL_OPTIONS = (
    "--input-file-type=jsonschema",
    "--output-model-type=pydantic_v2.BaseModel",
    "--target-python-version=3.11",
    "--target-pydantic-version=2.14",
    # JSON types exactly: no "5000" for an integer, no 1 for a string, no 0 for a boolean.
    "--strict-types",
    "str",
    "int",
    "float",
    "bool",
    # Optional members may be left out but never sent as null (pydantic.MISSING instead of `X | None = None`).
    "--use-missing-sentinel",
    # `format` is an annotation here, as in every schema validator of the harness: no AnyUrl, no Base64Str.
    "--type-mappings",
    "uri=string",
    "byte=string",
    "--use-annotated",
    "--field-constraints",
    "--enum-field-as-literal=all",
    "--use-standard-collections",
    "--use-union-operator",
    "--disable-timestamp",
    "--formatters=builtin",
    # No --extra-fields: additionalProperties false becomes extra="forbid"; open objects keep pydantic's default.
)


@dataclass
class Instance:
    """One instance of one shape: a value tree and the spelling it is sent in."""

    shape: str
    value: JSON
    style: Style = PLAIN
    origin: str = "seed"
    raw: str | None = None  # exactly these bytes instead of a rendering of `value` (for fixed examples)

    @cached_property
    def text(self) -> str:
        return self.raw if self.raw is not None else render(self.value, self.style)

    @cached_property
    def data(self) -> JSON:
        return json.loads(self.text)


class Validator:
    name = ""
    available = True
    missing_reason = ""

    def accepts(self, instance: Instance) -> bool | None:
        raise NotImplementedError


class PydanticValidator(Validator):
    """`TypeAdapter(<module>.<Shape>).validate_json(text)`."""

    def __init__(self, name: str, module: ModuleType) -> None:
        self.name = name
        self.module = module
        self._adapters: dict[str, TypeAdapter[Any]] = {}

    def adapter(self, shape: str) -> TypeAdapter[Any]:
        if shape not in self._adapters:
            self._adapters[shape] = TypeAdapter(getattr(self.module, shape))
        return self._adapters[shape]

    def accepts(self, instance: Instance) -> bool | None:
        try:
            self.adapter(instance.shape).validate_json(instance.text)
        except ValidationError:
            return False
        return True


class SchemaValidator(Validator):
    """jsonschema's Draft 2020-12 validator on `$defs/<Shape>` (format not asserted, as by default)."""

    def __init__(self, name: str, document: dict[str, Any] | None, missing_reason: str = "") -> None:
        self.name = name
        self.document = document
        self.available = document is not None
        self.missing_reason = missing_reason
        self._validators: dict[str, Any] = {}
        if document is not None:
            from referencing import Registry, Resource

            self._registry = Registry().with_resource(document["$id"], Resource.from_contents(document))

    def validator(self, shape: str) -> Any:
        from jsonschema import Draft202012Validator

        assert self.document is not None
        if shape not in self._validators:
            root = {"$ref": f"{self.document['$id']}#/$defs/{shape}"}
            self._validators[shape] = Draft202012Validator(root, registry=self._registry)
        return self._validators[shape]

    def accepts_data(self, shape: str, data: JSON) -> bool | None:
        if self.document is None:
            return None
        return bool(self.validator(shape).is_valid(data))

    def accepts(self, instance: Instance) -> bool | None:
        return self.accepts_data(instance.shape, instance.data)


@dataclass(frozen=True)
class DatamodelLimit:
    """Something datamodel-code-generator's models cannot express, and what the harness does about it."""

    name: str
    shapes: str
    reason: str
    handling: str


DATAMODEL_LIMITS = (
    DatamodelLimit(
        "integral-floats",
        "the 14 shapes that reach an integer member (all but TaskStatus, UpdateTaskResult, CancelTaskResult, "
        "TaskSubscriptionNotifications, TaskSubscriptionAcknowledgedNotifications and TasksExtensionCapability)",
        "JSON Schema counts 60000.0 and 6e4 as integers; the generated StrictInt rejects them, and a lax int would "
        'accept "60000" and true instead',
        "the instance is given to these models with its integral floats spelled as integers, which JSON Schema "
        "treats as the identical value (so the verdict it should give is unchanged); counted in the dm-respelled "
        "column",
    ),
)


class DatamodelValidator(Validator):
    """Models that datamodel-code-generator builds from our generated JSON Schema: an independent implementation."""

    name = "datamodel"

    def __init__(self, schema: dict[str, Any] | None, *, off_reason: str = "") -> None:
        self.module: ModuleType | None = None
        self.source = ""
        self.version = ""
        self._adapters: dict[str, TypeAdapter[Any] | None] = {}
        self._skip_reasons: dict[str, str] = {}
        if schema is None:
            self.available, self.missing_reason = False, off_reason
            return
        try:
            self.module = self._build(schema)
        except (OSError, subprocess.SubprocessError, ImportError, SyntaxError) as error:
            self.available = False
            self.missing_reason = f"datamodel-code-generator could not build models: {error}"

    def _build(self, schema: dict[str, Any]) -> ModuleType:
        """Run datamodel-code-generator once on `schema` in a temporary directory and import what it wrote."""
        if importlib.util.find_spec("datamodel_code_generator") is None:
            raise ImportError("datamodel-code-generator is not installed (dependency group `agreement`)")
        self.version = importlib.metadata.version("datamodel-code-generator")
        with tempfile.TemporaryDirectory(prefix="agreement-datamodel-") as directory:
            source, output = Path(directory) / "schema.json", Path(directory) / "datamodel_models.py"
            source.write_text(json.dumps(schema), encoding="utf-8")
            command = [sys.executable, "-m", "datamodel_code_generator", f"--input={source}", f"--output={output}"]
            done = subprocess.run(
                [*command, *DATAMODEL_OPTIONS], capture_output=True, text=True, timeout=300, check=False
            )
            if done.returncode != 0:
                raise subprocess.SubprocessError(done.stderr.strip()[-2000:])
            self.source = output.read_text(encoding="utf-8")
            spec = importlib.util.spec_from_file_location("agreement_datamodel_models", output)
            assert spec is not None and spec.loader is not None
            module = importlib.util.module_from_spec(spec)
            sys.modules[spec.name] = module  # pydantic resolves the models' forward references through it
            spec.loader.exec_module(module)
        return module

    def skip_reason(self, shape: str) -> str | None:
        """Why this shape gets no datamodel verdict at all (None: it gets one)."""
        if not self.available:
            return self.missing_reason
        self._adapter(shape)
        return self._skip_reasons.get(shape)

    def _adapter(self, shape: str) -> TypeAdapter[Any] | None:
        if shape not in self._adapters:
            model = getattr(self.module, shape, None)
            if model is None:
                self._skip_reasons[shape] = f"datamodel-code-generator emitted no model named {shape}"
                self._adapters[shape] = None
            else:
                self._adapters[shape] = TypeAdapter(model)
        return self._adapters[shape]

    def accepts(self, instance: Instance) -> bool | None:
        adapter = self._adapter(instance.shape) if self.available else None
        if adapter is None:
            return None
        text = instance.text
        if has_integral_float(instance.value):
            text = render(integers_respelled(instance.value), instance.style)
        try:
            adapter.validate_json(text)
        except ValidationError:
            return False
        return True


class FastValidator(Validator):
    """`<package>.fast.decoder(<Shape>).decode(text)`: the msgspec fast path (the `fast` extra)."""

    name = "fast"

    def __init__(self, package: str) -> None:
        self.module: ModuleType | None = None
        try:
            self.module = importlib.import_module(f"{package}.fast")
        except ImportError as error:  # msgspec is not installed
            self.available, self.missing_reason = False, f"{package}.fast cannot be imported: {error}"

    def accepts(self, instance: Instance) -> bool | None:
        if self.module is None:
            return None
        try:
            self.module.decoder(instance.shape).decode(instance.text)
        except self.module.ValidationError:
            return False
        return True

    def round_trip_problem(self, instance: Instance) -> tuple[str, str, JSON] | None:
        """What goes wrong when the fast path reads `instance` and writes it back (None: nothing): `encode` must
        give the same JSON value, which the fast path reads again into an object that encodes the same."""
        if self.module is None:
            return None
        decoder = self.module.decoder(instance.shape)
        encoded = self.module.encode(decoder.decode(instance.text))
        out = json.loads(encoded)
        if not json_equal(instance.data, out):
            return "changed", f"fast.encode: {json_diff(instance.data, out)}; wrote {encoded[:300]!r}", out
        try:
            again = self.module.encode(decoder.decode(encoded))
        except self.module.ValidationError as error:
            return "reparse-rejected", f"fast: {error}; wrote {encoded[:300]!r}", out
        if again != encoded:
            return "reparse-differs", f"fast: {again[:200]!r} != {encoded[:200]!r}", out
        return None


@dataclass
class Validators:
    """The validators, in report order, plus the referee (the official schema, else our own)."""

    wire: PydanticValidator
    typed: PydanticValidator
    ours: SchemaValidator
    official: SchemaValidator
    """The official schema with the spec's listed deviations applied (codegen/deviations.py)."""
    datamodel: DatamodelValidator
    fast: FastValidator | None = None
    """The msgspec fast path (`<package>.fast`), also round-tripped; None leaves it out."""
    package: str = "mcp_ext_tasks"
    official_path: Path = OFFICIAL_SCHEMA
    deviations: tuple[Deviation, ...] = ()
    published: list[SchemaValidator] = field(default_factory=list)
    """The official schema as published, then with each deviation alone applied: they tell which deviation makes
    the published schema judge an instance otherwise (reported, never a disagreement)."""
    all: list[Validator] = field(init=False)

    def __post_init__(self) -> None:
        self.all = [self.wire, self.typed, self.ours, self.official, self.datamodel]
        self.all += [self.fast] if self.fast is not None else []

    @property
    def referee(self) -> SchemaValidator:
        return self.official if self.official.available else self.ours

    def deviation_behind(self, instance: Instance, official_verdict: bool) -> str | None:
        """The listed deviation that makes the published schema judge `instance` otherwise (None: it does not)."""
        if not self.published:
            return None
        singles = [(d.name, single.accepts) for d, single in zip(self.deviations, self.published[1:], strict=True)]
        return deviation_behind(instance, official_verdict, self.published[0].accepts, singles)

    def verdicts(self, instance: Instance, known: dict[str, bool | None] | None = None) -> Verdicts:
        """Every validator's verdict on `instance` (`known` holds verdicts already computed, by name)."""
        return judge(instance, {v.name: v.accepts for v in self.all}, known)


def load_official_schema(path: Path = OFFICIAL_SCHEMA) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    document: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return document


def build_validators(
    *, package: str = "mcp_ext_tasks", official: Path = OFFICIAL_SCHEMA, datamodel: bool = True
) -> Validators:
    """The six validators for `package` (the top-level names, or a versioned subpackage such as
    `mcp_ext_tasks.draft`), refereed by the official schema at `official`."""
    root = importlib.import_module(package)
    ours = root.json_schema()
    missing = f"official schema not found at {official}"
    off = "switched off (--no-datamodel)"
    published = load_official_schema(official)
    deviations = spec_deviations(load_spec(REPO / "spec"), ours.get("$id"))
    referee, judges = published, []
    if published is not None:
        applied = apply_deviations(published, ours, deviations)
        if applied.stale:
            stale = "; ".join(f"{d.name}: {problem}" for d, problem in applied.stale)
            raise ValueError(f"the spec's deviations do not fit {official}: {stale}")
        referee = applied.document
        judges = [SchemaValidator("published", published)]
        judges += [SchemaValidator(d.name, apply_deviations(published, ours, [d]).document) for d in deviations]
    validators = Validators(
        wire=PydanticValidator("wire", importlib.import_module(f"{package}.wire")),
        typed=PydanticValidator("typed", importlib.import_module(f"{package}.typed")),
        ours=SchemaValidator("schema", ours),
        official=SchemaValidator("official", referee, missing),
        datamodel=DatamodelValidator(ours if datamodel else None, off_reason=off),
        fast=FastValidator(package),
        deviations=deviations if published is not None else (),
        published=judges,
    )
    validators.package, validators.official_path = package, official
    return validators


def dump_routes(adapter: TypeAdapter[Any], value: Any) -> dict[str, str]:
    """The message written back by every dump route a user may take, as JSON text by route name.

    `model_dump` / `model_dump_json` (models only) and `TypeAdapter.dump_python` / `dump_json`; with and without
    `exclude_none`; python and JSON mode. Python-mode dumps are written as JSON text with big integers kept exact.
    """
    routes: dict[str, str] = {}
    for exclude_none in (False, True):
        options: dict[str, Any] = {"by_alias": True, "exclude_none": exclude_none}
        tag = "exclude_none" if exclude_none else "all"
        if isinstance(value, BaseModel):
            routes[f"model_dump_json/{tag}"] = value.model_dump_json(**options)
            for mode in ("python", "json"):
                routes[f"model_dump/{mode}/{tag}"] = json.dumps(value.model_dump(mode=mode, **options))
        routes[f"adapter.dump_json/{tag}"] = adapter.dump_json(value, **options).decode("utf-8")
        for mode in ("python", "json"):
            routes[f"adapter.dump_python/{mode}/{tag}"] = json.dumps(adapter.dump_python(value, mode=mode, **options))
    return routes

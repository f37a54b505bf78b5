"""IR -> {relative path: text}: one renderer per artifact, Jinja templates for Python and Markdown."""

from __future__ import annotations

import dataclasses
import json
import re
from collections.abc import Callable
from pathlib import Path

import jinja2

from . import ir
from .changelog import diff_specs
from .fast_view import FastView
from .filters import FILTERS
from .jsonschema import build_schema
from .names import is_identifier

TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"
"""Modules every generated package gets verbatim: real source, linted and type-checked where it is."""
PACKAGE_TEMPLATES = ("__init__.py", "_seed.py", "constants.py", "fast.py", "typed.py", "wire.py")
"""The modules of one version's package (templates/package/); `_seed.py` only for specs with a seed API."""
STATIC_MODULES = ("_runtime.py", "_fast.py")
"""The modules of codegen/static, copied into every generated package."""

REEXPORTED = ("constants", "typed", "wire")
"""With several versions, the top-level modules that re-export the default version's."""

_TESTS: dict[str, Callable[[object], bool]] = {
    "object_shape": lambda s: isinstance(s, ir.ObjectShape),
    "union_shape": lambda s: isinstance(s, ir.UnionShape),
    "enum_shape": lambda s: isinstance(s, ir.EnumShape),
    # A TypedDict can use class syntax when every key can be written as a name.
    "class_syntax": lambda s: isinstance(s, ir.ObjectShape) and all(is_identifier(f.wire_name) for f in s.fields),
}


def packed_all(names: list[str], width: int = 116) -> str:
    """`__all__ = [...]` for `names`, packed into lines and sorted as ruff's RUF022 sorts them (constants, then
    classes, then the rest), so that neither the formatter (`# fmt: skip`) nor the linter changes it: about a fifth
    of the room of one name a line, in every module of the wheel that lists its names."""

    def key(name: str) -> tuple[int, list[tuple[int, str]]]:  # numbers inside names in natural order
        kind = 0 if name.isupper() and len(name) > 1 else 1 if name[:1].isupper() else 2
        return kind, [(int(part), "") if part.isdigit() else (-1, part) for part in re.split(r"(\d+)", name)]

    ordered = sorted(names, key=key)
    lines = [""]
    for name in ordered:
        item = f"{json.dumps(name)},"
        if lines[-1] and len(lines[-1]) + 1 + len(item) > width:
            lines.append("")
        lines[-1] = f"{lines[-1]} {item}" if lines[-1] else item
    return "__all__ = [\n" + "".join(f"    {line}\n" for line in lines) + "]  # fmt: skip"


def environment() -> jinja2.Environment:
    """The Jinja environment: strict about undefined names, no autoescape (each filter escapes for its target)."""
    env = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )
    env.filters.update(FILTERS)
    env.filters["packed_all"] = packed_all
    env.tests.update(_TESTS)
    return env


class _DefinedBefore:
    """The shape names a module has defined before position `index` (a set view, without building the set)."""

    def __init__(self, order: dict[str, int], index: int) -> None:
        self.order, self.index = order, index

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.order.get(name, self.index) < self.index


def constant_names(spec: ir.Spec) -> list[str]:
    """Every name the constants module defines, sorted."""
    names = [c.name for c in spec.constants] + [m.name for m in spec.methods]
    names += [n.name for n in spec.notifications] + [e.name for e in spec.errors] + [k.name for k in spec.meta_keys]
    if spec.state_machine is not None:
        names += ["ALLOWED_TRANSITIONS", "INITIAL_STATUSES", "TERMINAL_STATUSES", "is_allowed_transition"]
    return sorted(names)


def _context(spec: ir.Spec, *, runtime: str = ".", home: str = "") -> dict[str, object]:
    """What the templates of one package see. `runtime` is the relative import prefix of the shared `_runtime`
    module; `home` the submodule (with a dot) holding the constants and seed models the package exports."""
    first_valid: dict[str, ir.Example] = {}
    for example in spec.examples:
        if example.valid:
            first_valid.setdefault(example.shape, example)
    names = [shape.name for shape in spec.shapes]
    order = {name: index for index, name in enumerate(names)}
    versions = [v.module for v in spec.versions]
    note = (
        ""
        if not spec.versions
        else (
            f"\n\nVersions: {', '.join(f'{v.name} (`{v.module}`)' for v in spec.versions)}; the names here are "
            f"those of {spec.default_version}."
        )
    )
    seed_models = [m.name for m in spec.seed_api.models] if spec.seed_api else []
    seed_names = [*spec.seed_api.aliases, *seed_models] if spec.seed_api else []
    lazy_modules = ["constants", "typed", "wire", *versions]
    package_names = [*constant_names(spec), *seed_names, *lazy_modules, "json_schema"]
    if spec.versions:
        package_names += ["DEFAULT_VERSION", "VERSIONS"]
    return {
        "spec": spec,
        "seed_models": seed_models,
        "package_names": sorted(package_names),
        "defined_before": {name: _DefinedBefore(order, index) for index, name in enumerate(names)},
        "examples": first_valid,
        "constant_names": constant_names(spec),
        "runtime": runtime,
        "home": home,
        "lazy_modules": lazy_modules,
        "versions_note": note,
        "schema_from": None,
        "schema_id": None,
    }


def render_schema(spec: ir.Spec) -> str:
    """The JSON Schema artifact as text: built as a dict, dumped with a fixed layout.

    Compact, with one line per top-level member and per `$defs` entry: a diff names the shapes that changed, and
    the schema, the largest file of the wheel, takes a fifth less room than with one-space indentation.
    """

    def compact(value: object) -> str:
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))

    members = []
    for key, value in build_schema(spec).items():
        if key == "$defs" and isinstance(value, dict) and value:
            entries = ",\n".join(f"{compact(name)}:{compact(body)}" for name, body in value.items())
            members.append(f"{compact(key)}:{{\n{entries}\n}}")
        else:
            members.append(f"{compact(key)}:{compact(value)}")
    return "{\n" + ",\n".join(members) + "\n}\n"


def _package(env: jinja2.Environment, spec: ir.Spec, folder: str, runtime: str) -> dict[str, str]:
    """One version's package: its modules and its schema."""
    # The fast module's docstring explains it once: here when the package has one version, else in the top facade.
    context = _context(spec, runtime=runtime) | {"fast": FastView(spec), "full_doc": runtime == "."}
    files = {
        f"{folder}/{name}": env.get_template(f"package/{name}.j2").render(context)
        for name in PACKAGE_TEMPLATES
        if name != "_seed.py" or spec.seed_api is not None
    }
    files[f"{folder}/schema.json"] = render_schema(spec)
    return files


def same_wire_format(a: ir.Spec, b: ir.Spec) -> bool:
    """True when two versions' specs differ in nothing but their schema `$id`."""
    return dataclasses.replace(a, extension=dataclasses.replace(a.extension, schema_id="")) == dataclasses.replace(
        b, extension=dataclasses.replace(b.extension, schema_id="")
    )


def _reexport_modules(spec: ir.Spec) -> dict[str, list[str]]:
    """The modules of a version's package that re-export another version's, each with the names it lists: a
    module whose source has `__all__` re-exports it whole (`import *`: the wheel holds no second list of names)."""
    modules: dict[str, list[str]] = {"typed": [], "wire": [], "constants": constant_names(spec)}
    if spec.seed_api is not None:  # the seed aliases (TaskStatus) live in the package's __init__, not in _seed
        modules["_seed"] = []
    return modules


def _same_as(env: jinja2.Environment, version: ir.Version, base: ir.Version, package: str) -> dict[str, str]:
    """The package of a version whose wire format is another's: its own import path, `__init__` and schema `$id`;
    modules that re-export the other version's objects, and the other version's schema file read with its `$id`."""
    folder = f"{package}/{version.module}"
    note = (
        f"version {version.name}, whose wire format is that of\nversion {base.name}: the same objects as "
        f"`{package}.{base.module}.{{module}}`"
    )
    context = _context(version.spec) | {"schema_from": base.module, "schema_id": version.spec.extension.schema_id}
    files = {f"{folder}/__init__.py": env.get_template("package/__init__.py.j2").render(context)}
    for module, names in _reexport_modules(version.spec).items():
        files[f"{folder}/{module}.py"] = env.get_template("facade/reexport.py.j2").render(
            context | {"module": module, "names": names, "source": f"..{base.module}", "about": note}
        )
    files[f"{folder}/fast.py"] = env.get_template("facade/fast.py.j2").render(
        context | {"source": f"..{base.module}", "about": note, "full_doc": False}
    )
    return files


def _home(spec: ir.Spec, version: ir.Version) -> ir.Version:
    """The version whose package holds the objects of `version` (itself, or the first one with its wire format)."""
    index = spec.versions.index(version)
    return next((v for v in spec.versions[:index] if same_wire_format(v.spec, version.spec)), version)


def render_all(spec: ir.Spec) -> dict[str, str]:
    """Every output file of the spec, unformatted, keyed by its path relative to the output folder.

    One version: the package holds it directly. Several: each in a subpackage, and the top level re-exports the
    default version's names (its `wire`, `typed`, `constants`, seed models and schema).
    """
    env = environment()
    package = spec.extension.package
    files = {f"{package}/{name}": (STATIC / name).read_text(encoding="utf-8") for name in STATIC_MODULES}
    files[f"{package}/py.typed"] = ""
    if not spec.versions:
        files |= _package(env, spec, package, runtime=".")
        files["docs/reference.md"] = env.get_template("docs/reference.md.j2").render(_context(spec))
        return files
    default = next(v for v in spec.versions if v.name == spec.default_version)
    for version in spec.versions:
        home = _home(spec, version)
        if home is version:
            files |= _package(env, version.spec, f"{package}/{version.module}", runtime="..")
        else:
            files |= _same_as(env, version, home, package)
        files[f"docs/reference-{version.module}.md"] = env.get_template("docs/reference.md.j2").render(
            _context(version.spec) | {"version": version}
        )
    # The top level re-exports the default version and reads its schema file (which keeps the version's $id).
    home = _home(spec, default)
    top = _context(spec, home=f"{home.module}.") | {"schema_from": home.module}
    files[f"{package}/__init__.py"] = env.get_template("package/__init__.py.j2").render(top)
    note = (
        f"version {default.name}, the version this package's top-level names point at:\nthe same objects as "
        f"`{package}.{default.module}.{{module}}`"
    )
    for module in REEXPORTED:
        names = _reexport_modules(spec)[module]
        files[f"{package}/{module}.py"] = env.get_template("facade/reexport.py.j2").render(
            top | {"module": module, "names": names, "source": f".{home.module}", "about": note}
        )
    files[f"{package}/fast.py"] = env.get_template("facade/fast.py.j2").render(
        top | {"source": f".{home.module}", "about": note, "full_doc": True}
    )
    # Each version's wire changes since the one listed before it, from the changelog.
    changes = {
        later.name: [change.line for change in diff_specs(earlier.spec, later.spec)]
        for earlier, later in zip(spec.versions, spec.versions[1:], strict=False)
    }
    files["docs/reference.md"] = env.get_template("docs/versions.md.j2").render(
        top | {"default": default, "changes": changes}
    )
    return files

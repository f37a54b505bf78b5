"""IR -> {relative path: text}: one renderer per artifact, Jinja templates for Python and Markdown."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import jinja2

from . import ir
from .filters import FILTERS
from .jsonschema import build_schema
from .names import is_identifier

TEMPLATES = Path(__file__).parent / "templates"
PACKAGE_DIR = "mcp_ext_tasks"
"""The template folder that stands for the generated package; it is written under the spec's package name."""

OPTIONAL_OUTPUTS: dict[str, Callable[[ir.Spec], bool]] = {
    f"{PACKAGE_DIR}/_seed.py.j2": lambda spec: spec.seed_api is not None,
}
"""Templates that render only for specs that need them."""

_TESTS: dict[str, Callable[[object], bool]] = {
    "object_shape": lambda s: isinstance(s, ir.ObjectShape),
    "union_shape": lambda s: isinstance(s, ir.UnionShape),
    "enum_shape": lambda s: isinstance(s, ir.EnumShape),
    "alias_shape": lambda s: isinstance(s, ir.AliasShape),
    # A TypedDict can use class syntax when every key can be written as a name.
    "class_syntax": lambda s: isinstance(s, ir.ObjectShape) and all(is_identifier(f.wire_name) for f in s.fields),
}


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
    env.tests.update(_TESTS)
    return env


def _context(spec: ir.Spec) -> dict[str, object]:
    first_valid: dict[str, ir.Example] = {}
    for example in spec.examples:
        if example.valid:
            first_valid.setdefault(example.shape, example)
    constant_names = [c.name for c in spec.constants] + [m.name for m in spec.methods]
    constant_names += [n.name for n in spec.notifications] + [e.name for e in spec.errors]
    constant_names += [k.name for k in spec.meta_keys]
    if spec.state_machine is not None:
        constant_names += ["ALLOWED_TRANSITIONS", "INITIAL_STATUSES", "TERMINAL_STATUSES", "is_allowed_transition"]
    names = [shape.name for shape in spec.shapes]
    defined_before = {name: frozenset(names[:index]) for index, name in enumerate(names)}
    seed_names = [*spec.seed_api.aliases, *(m.name for m in spec.seed_api.models)] if spec.seed_api else []
    return {
        "spec": spec,
        "seed_names": seed_names,
        "defined_before": defined_before,
        "examples": first_valid,
        "constant_names": sorted(constant_names),
        "int53_max": ir.INT53_MAX,
    }


def render_schema(spec: ir.Spec) -> str:
    """The JSON Schema artifact as text: built as a dict, dumped with a fixed layout."""
    return json.dumps(build_schema(spec), indent=2, ensure_ascii=False) + "\n"


def render_all(spec: ir.Spec) -> dict[str, str]:
    """Every output file of the spec, unformatted, keyed by its path relative to the output folder."""
    env = environment()
    context = _context(spec)
    package = spec.extension.package
    files: dict[str, str] = {}
    for template_name in sorted(env.list_templates(extensions=["j2"])):
        if template_name.startswith("_") or not OPTIONAL_OUTPUTS.get(template_name, bool)(spec):
            continue  # macro libraries, and outputs this spec does not need
        target = template_name.removesuffix(".j2")
        if target.startswith(f"{PACKAGE_DIR}/"):
            target = f"{package}/{target.removeprefix(f'{PACKAGE_DIR}/')}"
        files[target] = env.get_template(template_name).render(context)
    files[f"{package}/schema.json"] = render_schema(spec)
    files[f"{package}/py.typed"] = ""
    return files

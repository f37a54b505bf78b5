"""The spec's listed deviations from a published schema, applied to that schema before it is compared with ours.

A deviation (`deviations:` in tasks.yaml) names a shape of ours and the fragment of the published schema it
replaces. `apply_deviations` checks that the published schema still says exactly what the spec recorded, then
puts our definition of the shape in its place: what remains between ours and the patched document is drift. The
drift check and the agreement harness both ask the published schema through this function, so the list in the
spec is the only place that excuses a difference.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Container, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from . import ir
from .source import Document, Path_, SpecError
from .spec_model import MainFileSpec

_ANNOTATIONS = ("description", "$comment", "title", "examples")


class DeviationError(ValueError):
    """A listed deviation cannot be applied to this published schema (it moved, or the schema changed there)."""


@dataclass(frozen=True)
class Applied:
    """A published schema with deviations applied, and the deviations it could not take (stale entries)."""

    document: dict[str, Any]
    applied: tuple[ir.Deviation, ...]
    stale: tuple[tuple[ir.Deviation, str], ...]
    """(deviation, what is wrong): the published schema no longer says what the spec recorded."""


def _tokens(pointer: str) -> list[str]:
    if not pointer.startswith("/"):
        raise DeviationError(f"{pointer!r} is not a JSON Pointer")
    return [part.replace("~1", "/").replace("~0", "~") for part in pointer[1:].split("/")]


def resolve(document: Any, pointer: str) -> Any:
    """The value at `pointer` in `document`; DeviationError when there is none."""
    node = document
    for token in _tokens(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise DeviationError(f"the published schema has nothing at {pointer}")
    return node


def _replace(document: Any, pointer: str, value: Any) -> None:
    *parents, last = _tokens(pointer)
    node = (
        resolve(document, "/" + "/".join(p.replace("~", "~0").replace("/", "~1") for p in parents))
        if parents
        else document
    )
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value


def _refs(node: Any) -> Iterator[str]:
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "$ref" and isinstance(value, str):
                yield value
            else:
                yield from _refs(value)
    elif isinstance(node, list):
        for item in node:
            yield from _refs(item)


def canonical(value: Any) -> str:
    """The JSON text a deviation records its published fragment in (sorted keys, compact)."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def replacement(ours: dict[str, Any], deviation: ir.Deviation) -> dict[str, Any]:
    """Our definition of the deviation's shape, without annotations, ready to stand in the published schema."""
    definition = ours.get("$defs", {}).get(deviation.shape)
    if not isinstance(definition, dict):
        raise DeviationError(f"our schema has no $defs entry {deviation.shape} for deviation {deviation.name}")
    return {key: value for key, value in definition.items() if key not in _ANNOTATIONS}


def apply_deviations(published: dict[str, Any], ours: dict[str, Any], deviations: Sequence[ir.Deviation]) -> Applied:
    """A copy of `published` with each deviation's fragment replaced by our definition of its shape.

    A deviation whose fragment is not in `published` exactly as recorded is not applied and is returned as stale.
    Our definition may refer only to `$defs` entries the published schema has.
    """
    document = copy.deepcopy(published)
    applied: list[ir.Deviation] = []
    stale: list[tuple[ir.Deviation, str]] = []
    names = set(published.get("$defs", {}))
    for deviation in deviations:
        try:
            found = resolve(published, deviation.official)
        except DeviationError as error:
            stale.append((deviation, str(error)))
            continue
        if canonical(found) != deviation.published:
            stale.append((deviation, f"the published schema now says {canonical(found)} at {deviation.official}"))
            continue
        ours_fragment = replacement(ours, deviation)
        unknown = sorted({ref for ref in _refs(ours_fragment) if ref.removeprefix("#/$defs/") not in names})
        if unknown:
            raise DeviationError(f"deviation {deviation.name}: our {deviation.shape} refers to {', '.join(unknown)}")
        _replace(document, deviation.official, ours_fragment)
        applied.append(deviation)
    return Applied(document, tuple(applied), tuple(stale))


def spec_deviations(spec: ir.Spec, schema_id: str | None) -> tuple[ir.Deviation, ...]:
    """The deviations of the version whose schema `$id` is `schema_id` (the spec's own for any other)."""
    for version in spec.versions:
        if version.spec.extension.schema_id == schema_id:
            return version.spec.deviations
    return spec.deviations


def lower_deviations(
    main: MainFileSpec, doc: Document, examples: tuple[ir.Example, ...], shapes: Container[str], errors: list[SpecError]
) -> tuple[ir.Deviation, ...]:
    """The spec's `deviations:` as IR, checked against its shapes and examples; problems go to `errors`."""
    labels = {f"{e.shape}/{'valid' if e.valid else 'invalid'}-{e.slug}": e.valid for e in examples}
    result: list[ir.Deviation] = []
    names: set[str] = set()
    for index, dev in enumerate(main.deviations):
        path: Path_ = ("deviations", index)
        if dev.name in names:
            errors.append(doc.error((*path, "name"), f"duplicate deviation name '{dev.name}'"))
        names.add(dev.name)
        if dev.shape not in shapes:
            errors.append(doc.error((*path, "shape"), f"unknown shape '{dev.shape}'"))
        if not dev.official.startswith("/$defs/"):
            errors.append(doc.error((*path, "official"), "a JSON Pointer into the $defs, like /$defs/Name"))
        for key, wanted in (("accepts", True), ("still_rejects", False)):
            refs = getattr(dev, key)
            if key == "accepts" and not refs:
                errors.append(doc.error(path, "a deviation needs at least one example in 'accepts'"))
            for i, ref in enumerate(refs):
                if labels.get(ref) is not wanted:
                    label = "a valid" if wanted else "an invalid"
                    form = "valid" if wanted else "invalid"
                    errors.append(doc.error((*path, key, i), f"'{ref}' is not {label} example (Shape/{form}-slug)"))
        result.append(
            ir.Deviation(
                dev.name,
                dev.shape,
                dev.official,
                canonical(dev.published),
                dev.says,
                dev.ours,
                dev.why,
                tuple(dev.accepts),
                tuple(dev.still_rejects),
            )
        )
    return tuple(result)

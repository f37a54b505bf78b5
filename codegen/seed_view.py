"""The seed-compatible view of a resolved spec: lenient models on mcp_types bases, derived from the shapes they
view (`seed_api:` in the spec). Problems are collected, not raised."""

from __future__ import annotations

from . import ir
from .names import RESERVED_SEED_NAMES, is_plain_identifier
from .source import Document, Path_, SpecError
from .spec_model import SEED_BASES, SeedApiSpec


class SeedViewBuilder:
    """Builds the seed API of a spec, recording problems in `errors`."""

    def __init__(self, errors: list[SpecError]) -> None:
        self.errors = errors

    def build(self, api: SeedApiSpec, doc: Document, shapes: tuple[ir.Shape, ...]) -> ir.SeedApi | None:
        by_name = {shape.name: shape for shape in shapes}
        for index, alias in enumerate(api.aliases):
            if not isinstance(by_name.get(alias), (ir.EnumShape, ir.UnionShape, ir.AliasShape)):
                self.errors.append(
                    doc.error(("seed_api", "aliases", index), f"'{alias}' is not an enum, union or alias")
                )
        models: dict[str, ir.SeedModel] = {}
        wire_names: dict[str, set[str]] = {}
        for name, spec in api.models.items():
            path: Path_ = ("seed_api", "models", name)
            if not is_plain_identifier(name) or name in RESERVED_SEED_NAMES or name in api.aliases:
                self.errors.append(doc.error(path, f"'{name}' cannot name a seed model", at_key=True))
                continue
            shape = by_name.get(spec.shape)
            fields, owners = _seed_source_fields(shape, by_name) if shape is not None else (None, {})
            if fields is None:
                self.errors.append(
                    doc.error((*path, "shape"), f"'{spec.shape}' is not an object shape or a union of them")
                )
                continue
            provided: set[str] = set()
            keep_only: set[str] | None = None
            for index, base in enumerate(spec.bases):
                if base in models:
                    provided |= wire_names[base]
                elif base in ("Result", "RequestParams", "NotificationParams"):
                    provided.add("_meta")
                elif base in ("Request", "Notification"):
                    keep_only = {"method", "params"}  # the JSON-RPC envelope belongs to the session
                elif base not in SEED_BASES:
                    self.errors.append(
                        doc.error(
                            (*path, "bases", index),
                            f"unknown base '{base}' (one of {', '.join(SEED_BASES)} or an earlier seed model)",
                        )
                    )
            own = [f for f in fields if f.wire_name not in provided and (keep_only is None or f.wire_name in keep_only)]
            own_names = {f.wire_name for f in own}
            for key in ("optional", "loose"):
                for index, wire_name in enumerate(getattr(spec, key)):
                    if wire_name not in own_names:
                        self.errors.append(
                            doc.error((*path, key, index), f"'{wire_name}' is not a field of this model")
                        )
            seed_fields = tuple(
                _seed_field(f, f.wire_name in spec.optional, f.wire_name in spec.loose, owners.get(f.wire_name, ()))
                for f in own
            )
            inherited = [f for base in spec.bases if base in models for f in models[base].required_nulls]
            required_nulls = tuple(inherited) + tuple(f for f in seed_fields if f.keep_null)
            generic_args = self._generic_args(spec.bases, seed_fields, models, path, doc)
            if spec.name_param is not None and generic_args is not None:
                params = models[generic_args[0]]
                if spec.name_param not in {f.wire_name for f in params.fields}:
                    self.errors.append(
                        doc.error((*path, "name_param"), f"'{spec.name_param}' is not a field of {params.name}")
                    )
            models[name] = ir.SeedModel(
                name,
                spec.shape,
                tuple(spec.bases),
                spec.description,
                seed_fields,
                required_nulls,
                generic_args=generic_args,
                discriminator=shape.discriminator_py_name if isinstance(shape, ir.UnionShape) else None,
                name_param=spec.name_param,
            )
            wire_names[name] = own_names | provided
        return ir.SeedApi(api.description, tuple(api.aliases), tuple(models.values()))

    def _generic_args(
        self,
        bases: list[str],
        fields: tuple[ir.SeedField, ...],
        models: dict[str, ir.SeedModel],
        path: Path_,
        doc: Document,
    ) -> tuple[str, str] | None:
        """The (params model, method) a Request or Notification base is parametrised with."""
        if not {"Request", "Notification"} & set(bases):
            return None
        method = next((f for f in fields if f.wire_name == "method"), None)
        params = next((f for f in fields if f.wire_name == "params"), None)
        params_model = (
            next(
                (m.name for m in models.values() if isinstance(params.type, ir.Ref) and m.shape == params.type.name),
                None,
            )
            if params is not None
            else None
        )
        if method is None or not isinstance(method.default, str) or params_model is None:
            self.errors.append(
                doc.error(
                    path,
                    "a Request or Notification view needs a const 'method' and a "
                    "'params' shape viewed by an earlier seed model",
                )
            )
            return None
        return params_model, method.default


def _seed_source_fields(
    shape: ir.Shape, by_name: dict[str, ir.Shape]
) -> tuple[list[ir.Field] | None, dict[str, tuple[str, ...]]]:
    """The fields a seed model views: an object's own, or every variant's of a union, merged leniently; and, for a
    union's members that only some variants declare, those variants' discriminator values."""
    if isinstance(shape, ir.ObjectShape):
        return list(shape.fields), {}
    if not isinstance(shape, ir.UnionShape):
        return None, {}
    variants = [by_name.get(v.name) if isinstance(v, ir.Ref) else None for v in shape.variants]
    objects = [v for v in variants if isinstance(v, ir.ObjectShape)]
    if len(objects) != len(variants):
        return None, {}
    merged: dict[str, list[ir.Field]] = {}
    tags: dict[str, list[str]] = {}
    for variant, tag in zip(objects, shape.discriminator_values or (None,) * len(objects), strict=True):
        for f in variant.fields:
            merged.setdefault(f.wire_name, []).append(f)
            if isinstance(tag, str):
                tags.setdefault(f.wire_name, []).append(tag)
    result = []
    owners: dict[str, tuple[str, ...]] = {}
    for versions in merged.values():
        first = versions[0]
        same = all((f.type, f.required, f.nullable) == (first.type, first.required, first.nullable) for f in versions)
        if same and len(versions) == len(objects):
            result.append(first)
            continue
        if len(versions) < len(objects) and shape.discriminator is not None:
            owners[first.wire_name] = tuple(tags.get(first.wire_name, ()))
        types = {f.type for f in versions}
        if len(types) == 1:
            field_type = first.type
        elif all(isinstance(t, ir.Const) and isinstance(t.value, str) for t in types):
            field_type = ir.Choice(tuple(str(f.type.value) for f in versions if isinstance(f.type, ir.Const)))
        else:
            field_type = ir.Primitive("any")
        nullable = any(f.nullable for f in versions)
        result.append(
            ir.Field(first.wire_name, first.py_name, field_type, False, nullable, first.description, first.declared_in)
        )
    return result, owners


def _seed_field(field: ir.Field, optional: bool, loose: bool, owners: tuple[str, ...]) -> ir.SeedField:
    """The seed view of a wire field: consts default to their value, optional fields to None."""
    field_type = field.type
    has_default, default = not field.required or optional, None
    if isinstance(field_type, ir.Const):
        has_default, default = True, field_type.value
        if loose:
            field_type = ir.Primitive(
                "boolean" if isinstance(default, bool) else ("integer" if isinstance(default, int) else "string")
            )
    return ir.SeedField(
        field.wire_name,
        field.py_name,
        field_type,
        has_default,
        default,
        keep_null=field.required and field.nullable,
        omit_null=not field.required and not field.nullable,
        owners=owners,
        description=field.description,
    )

"""IR -> JSON Schema (draft 2020-12) as a dict: one `$defs` entry per shape, named as the spec names it."""

from __future__ import annotations

from typing import Any

from . import ir

DIALECT = "https://json-schema.org/draft/2020-12/schema"


def type_schema(expr: ir.TypeExpr) -> dict[str, Any]:
    """The schema of a type expression."""
    if isinstance(expr, ir.Ref):
        return {"$ref": f"#/$defs/{expr.name}"}
    if isinstance(expr, ir.ArrayOf):
        return {"type": "array", "items": type_schema(expr.item)}
    if isinstance(expr, ir.MapOf):
        return {"type": "object", "additionalProperties": type_schema(expr.value)}
    if isinstance(expr, ir.Const):
        return {"type": _json_type(expr.value), "const": expr.value}
    if isinstance(expr, ir.Choice):
        return {"type": "string", "enum": list(expr.values)}
    if expr.name == "any":
        return {}
    schema: dict[str, Any] = {"type": "integer" if expr.name == "int53" else expr.name}
    if expr.name == "int53":
        schema.update(minimum=-ir.INT53_MAX, maximum=ir.INT53_MAX)
    if expr.minimum is not None:
        schema["minimum"] = expr.minimum
    if expr.maximum is not None:
        schema["maximum"] = expr.maximum
    if expr.format is not None:
        schema["format"] = expr.format
    return schema


def _json_type(value: str | int | bool) -> str:
    if isinstance(value, bool):
        return "boolean"
    return "integer" if isinstance(value, int) else "string"


def field_schema(field: ir.Field) -> dict[str, Any]:
    """The schema of one object member, with its description."""
    schema = type_schema(field.type)
    if field.nullable:
        schema = {"anyOf": [schema, {"type": "null"}]}
    return {"description": field.description, **schema}


def shape_schema(shape: ir.Shape) -> dict[str, Any]:
    """The `$defs` entry of one shape."""
    head: dict[str, Any] = {"description": shape.description}
    if isinstance(shape, ir.ObjectShape):
        body: dict[str, Any] = {
            "type": "object",
            "properties": {f.wire_name: field_schema(f) for f in shape.fields},
        }
        required = [f.wire_name for f in shape.fields if f.required]
        if required:
            body["required"] = required
        if shape.closed:
            body["additionalProperties"] = False
        return {**head, **body}
    if isinstance(shape, ir.UnionShape):
        return {**head, "anyOf": [type_schema(v) for v in shape.variants]}
    if isinstance(shape, ir.EnumShape):
        return {**head, "type": "string", "enum": [v.value for v in shape.values]}
    return {**head, **type_schema(shape.type)}


def deviation_comment(deviation: ir.Deviation) -> str:
    """The `$comment` of a shape that deliberately differs from the published schema."""
    return (
        f"Deviates from the published schema.json at {deviation.official} ({deviation.name}): it says "
        f"{deviation.says[0].lower()}{deviation.says[1:]} This schema: {deviation.ours}"
    )


def build_schema(spec: ir.Spec) -> dict[str, Any]:
    """The whole schema document: self-contained, every shape under `$defs` in spec order."""
    ext = spec.extension
    comments = {d.shape: deviation_comment(d) for d in spec.deviations}
    return {
        "$schema": DIALECT,
        "$id": ext.schema_id,
        "title": ext.title,
        "description": ext.description,
        "$defs": {
            shape.name: (
                {"$comment": comments[shape.name], **shape_schema(shape)}
                if shape.name in comments
                else shape_schema(shape)
            )
            for shape in spec.shapes
        },
    }

"""The deterministic builder: instances of a schema in normal form (codegen/schema_normal.py), one per union
variant and enum value, minimal (required members only) and full (every member), and each top-level member given
its other built values in turn. The same schema always gives the same instances; they are meant to be valid but
are never assumed to be: every checker judges them."""

from __future__ import annotations

from dataclasses import dataclass

from ..schema_normal import ANY, JSON, MAX_DEPTH, Node, Normaliser


@dataclass(frozen=True)
class Built:
    """What the builder made of one node."""

    instances: list[JSON]
    """One per union variant and value, minimal and full."""
    variations: list[JSON]
    """Full top-level objects with one member at a time given each of its other built values."""
    vocabulary: list[str]
    """The string consts and enum values met while building, in order."""


def build_instances(side: Normaliser, node: Node) -> Built:
    """Every instance the builder makes of `node`, a node of the document `side` normalises."""
    builder = InstanceBuilder(side)
    instances = builder.build(node)
    return Built(instances, builder.variations, list(builder.vocabulary))


class InstanceBuilder:
    """Instances of one normal form: one per union variant and value, minimal and with every member."""

    def __init__(self, side: Normaliser) -> None:
        self.side = side
        self.vocabulary: dict[str, None] = {}
        self.variations: list[JSON] = []
        """Top-level objects with every member, one member at a time given each of its other built values."""

    def build(self, node: Node, depth: int = 0) -> list[JSON]:
        if node.never or depth > MAX_DEPTH:
            return []
        if node.variants is not None:
            out: list[JSON] = []
            for variant in node.variants:
                out += self.build(variant, depth + 1)[:3]
            return out
        if node.values is not None:
            for v in node.values:
                if isinstance(v, str):
                    self.vocabulary.setdefault(v, None)
            return list(node.values)
        types = sorted(node.types) if node.types is not None else ["object"]
        out = []
        for t in types:
            out += self._of_type(t, node, depth)
        return out

    def _of_type(self, t: str, node: Node, depth: int) -> list[JSON]:
        if t == "null":
            return [None]
        if t == "boolean":
            return [True, False]
        if t == "string":
            return ["x"]
        if t in ("integer", "number"):
            low = node.minimum if node.minimum is not None else -(2**60)
            high = node.maximum if node.maximum is not None else 2**60
            picks = [0, 7, int(low), int(high)] + ([0.5] if t == "number" else [])
            return [p for p in dict.fromkeys(picks) if low <= p <= high]
        if t == "array":
            item = self.side.norm_all(node.items) if node.items else ANY
            first = self.build(item, depth + 1)[:1] if depth < 6 else []
            return [[], first] if first else [[]]
        if t != "object":
            return []
        minimal: dict[str, JSON] = {}
        alternatives: dict[str, list[JSON]] = {}
        for name in sorted(node.required):
            subs = node.prop(name)
            built = self.build(self.side.norm_all(subs), depth + 1) if subs else ["x"]
            if not built:
                return []
            minimal[name], alternatives[name] = built[0], built[1:]
        out: list[JSON] = [minimal]
        if depth < 6:
            full = dict(minimal)
            for name, subs in node.properties:
                if name not in full:
                    built = self.build(self.side.norm_all(subs), depth + 1)
                    if built:
                        full[name], alternatives[name] = built[0], built[1:]
            if node.additional and not node.closed:
                built = self.build(self.side.norm_all(node.additional), depth + 1)
                if built:
                    full["k"] = built[0]
            if full != minimal:
                out.append(full)
            if depth <= 1:
                for name, others in alternatives.items():
                    self.variations += [{**full, name: other} for other in others[:4]]
        return out

"""What the msgspec fast path (`fast.py` of each version's package) needs to know about the IR, decided once.

msgspec validates in C what it can express, and the package's `_fast` module checks the rest exactly. This view
decides which is which:

- An object shape is a Struct that forbids unknown members (the strict fast path; open objects keep unknown members
  through the exact path). It inherits from the first shape it extends when that shape's members are its own
  first members, unchanged.
- A variant of discriminated unions is a tagged Struct (msgspec's `tag_field`/`tag`) when its discriminator is a
  required string const, every union holding it discriminates on the same member, and nothing refers to it directly
  (msgspec accepts a tagged Struct without its tag where it is not reached through a union).
- A union msgspec can express (tagged objects, or at most one type per JSON kind) is a Union alias; any other (an
  object union without a discriminator, a recursive one) is an exact union: a `Union` for type checkers, at run time
  a type the decoders' hook decodes variant by variant.
- A union or alias that admits every JSON value (`JSONValue`) is `Any`; an object shape without members that is
  open is `dict[str, Any]`.
"""

from __future__ import annotations

import heapq
import itertools
import math
import re
from collections.abc import Container, Iterator

from . import ir
from .filters import py_literal, python_choice, type_text

INT53 = (-ir.INT53_MAX, ir.INT53_MAX)


def camel(name: str) -> str:
    """The wire name the fast Structs give an attribute by default (`task_id` -> `taskId`): `_fast.camel`."""
    first, *rest = name.split("_")
    return first + "".join(part[:1].upper() + part[1:] for part in rest)


def _refs(expr: ir.TypeExpr) -> Iterator[str]:
    if isinstance(expr, ir.Ref):
        yield expr.name
    elif isinstance(expr, ir.ArrayOf):
        yield from _refs(expr.item)
    elif isinstance(expr, ir.MapOf):
        yield from _refs(expr.value)


class _Before:
    """The names defined before position `limit` of the aliases: every class, and the aliases placed earlier."""

    def __init__(self, position: dict[str, int], limit: int) -> None:
        self.position, self.limit = position, limit

    def __contains__(self, name: object) -> bool:
        return isinstance(name, str) and self.position.get(name, -1) < self.limit


class _Decisions:
    """What msgspec can express in one version's spec, decided once: the shapes that take every JSON value or are
    plain dicts, the renamed attributes, recursion, tags and the unions that need the exact path."""

    def __init__(self, spec: ir.Spec) -> None:
        self.spec = spec
        self.any_json = {s.name for s in spec.shapes if self._admits_every_value(ir.Ref(s.name), frozenset())}
        self.dicts = {s.name for s in spec.shapes if isinstance(s, ir.ObjectShape) and not s.fields and not s.closed}
        self.wire_names = self._wire_names()
        self.recursive = self._recursive()
        self.tags = self._tags()
        self.exact_unions = self._exact_unions()

    # ------------------------------------------------------------------------------------------- decisions

    def _admits_every_value(self, expr: ir.TypeExpr, assumed: frozenset[str]) -> bool:
        """True when `expr` accepts every JSON value (assuming so for the shapes in `assumed`: a recursive alias
        such as JSONValue does when its variants cover every kind with itself inside)."""
        if isinstance(expr, ir.Primitive):
            return expr.name == "any"
        if not isinstance(expr, ir.Ref):
            return False
        if expr.name in assumed:
            return True
        shape = self.spec.shape(expr.name)
        inner = assumed | {expr.name}
        if isinstance(shape, ir.AliasShape):
            return self._admits_every_value(shape.type, inner)
        if not isinstance(shape, ir.UnionShape):
            return False
        kinds: set[str] = set()
        for variant in shape.variants:
            kinds |= self._kinds_covered(variant, inner)
        return "any" in kinds or {"object", "array", "string", "number", "boolean", "null"} <= kinds

    def _kinds_covered(self, expr: ir.TypeExpr, assumed: frozenset[str]) -> set[str]:
        if isinstance(expr, ir.Primitive):
            unbounded = expr.minimum is None and expr.maximum is None
            if expr.name == "number" and unbounded:
                return {"number"}
            return {expr.name} if expr.name in ("string", "boolean", "null", "any") else set()
        if isinstance(expr, ir.ArrayOf):
            return {"array"} if self._admits_every_value(expr.item, assumed) else set()
        if isinstance(expr, ir.MapOf):
            return {"object"} if self._admits_every_value(expr.value, assumed) else set()
        if isinstance(expr, ir.Ref):
            shape = self.spec.shape(expr.name)
            if expr.name in assumed or self._admits_every_value(expr, assumed):
                return {"any"}
            if isinstance(shape, ir.AliasShape):
                return self._kinds_covered(shape.type, assumed | {expr.name})
            if isinstance(shape, ir.UnionShape):
                covered: set[str] = set()
                for variant in shape.variants:
                    covered |= self._kinds_covered(variant, assumed | {expr.name})
                return covered
        return set()

    def _wire_names(self) -> dict[str, str]:
        """Attribute names whose wire name is not `camel` of them and the same wherever they appear (`meta`:
        `_meta`): the module's Structs rename them by this table instead of one `field(name=...)` each."""
        seen: dict[str, set[str]] = {}
        for shape in self.spec.shapes:
            for f in shape.fields if isinstance(shape, ir.ObjectShape) else ():
                seen.setdefault(f.py_name, set()).add(f.wire_name)
        return {py: wire.pop() for py, wire in sorted(seen.items()) if len(wire) == 1 and camel(py) not in wire}

    def _recursive(self) -> set[str]:
        """Unions and aliases that reach themselves through other unions and aliases, `Any` ones aside (JSONObject
        is a map of JSONValue, which is `Any`: it is not recursive here)."""

        exprs = {
            s.name: s.variants if isinstance(s, ir.UnionShape) else (s.type,)
            for s in self.spec.shapes
            if isinstance(s, (ir.UnionShape, ir.AliasShape)) and s.name not in self.any_json
        }

        def edges(name: str) -> set[str]:
            return {ref for expr in exprs[name] for ref in _refs(expr) if ref in exprs}

        candidates = set(exprs)
        recursive: set[str] = set()
        for start in candidates:
            seen: set[str] = set()
            todo = list(edges(start))
            while todo:
                current = todo.pop()
                if current == start:
                    recursive.add(start)
                    break
                if current not in seen:
                    seen.add(current)
                    todo.extend(edges(current))
        return recursive

    def _direct_refs(self) -> set[str]:
        """Object shapes referred to other than as a variant of a discriminated union."""
        direct: set[str] = set()
        for shape in self.spec.shapes:
            if isinstance(shape, ir.ObjectShape):
                for f in shape.fields:
                    direct.update(_refs(f.type))
            elif isinstance(shape, ir.AliasShape):
                direct.update(_refs(shape.type))
            elif isinstance(shape, ir.UnionShape):
                for variant in shape.variants:
                    if shape.discriminator is None or not isinstance(variant, ir.Ref):
                        direct.update(_refs(variant))
        return direct

    def _tags(self) -> dict[str, tuple[str, str]]:
        """(member, value) of every object shape that is a tagged Struct."""
        candidates: dict[str, tuple[str, str] | None] = {}
        for union in self.spec.shapes:
            if not isinstance(union, ir.UnionShape) or union.discriminator is None:
                continue
            for variant, value in zip(union.variants, union.discriminator_values, strict=True):
                assert isinstance(variant, ir.Ref)  # lowering checks that discriminated variants are objects
                tag = (union.discriminator, value) if isinstance(value, str) else None
                candidates[variant.name] = tag if candidates.get(variant.name, tag) == tag else None
        direct = self._direct_refs()
        tags = {name: tag for name, tag in candidates.items() if tag is not None and name not in direct}
        while True:  # a variant of a union decoded variant by variant is reached directly: it loses its tag
            exact = self._exact_unions(tags)
            lost = {
                v.name
                for union in self.spec.shapes
                if isinstance(union, ir.UnionShape) and union.name in exact
                for v in union.variants
                if isinstance(v, ir.Ref) and v.name in tags
            }
            if not lost:
                return tags
            tags = {name: tag for name, tag in tags.items() if name not in lost}

    def _exact_unions(self, tags: dict[str, tuple[str, str]] | None = None) -> set[str]:
        """Unions (and recursive aliases) msgspec cannot express, decoded variant by variant by `_fast`."""
        tags = self.tags if tags is None else tags
        exact: set[str] = set()
        changed = True
        while changed:  # a union holding an exact union is exact too
            changed = False
            for shape in self.spec.shapes:
                if shape.name in exact or shape.name in self.any_json:
                    continue
                if shape.name in self.recursive or (
                    isinstance(shape, ir.UnionShape) and not self._expressible(shape, tags, exact)
                ):
                    exact.add(shape.name)
                    changed = True
        return exact

    def _expressible(self, union: ir.UnionShape, tags: dict[str, tuple[str, str]], exact: set[str]) -> bool:
        kinds: list[str] = []
        tag_fields: set[str] = set()
        for variant in union.variants:
            for kind in self._msgspec_kinds(variant, tags, exact):
                if kind.startswith("tag:"):
                    tag_fields.add(kind)
                else:
                    kinds.append(kind)
        if "exact" in kinds or "any" in kinds or len(tag_fields) > 1 or (tag_fields and "object" in kinds):
            return False
        return len(kinds) == len(set(kinds))

    def _msgspec_kinds(self, expr: ir.TypeExpr, tags: dict[str, tuple[str, str]], exact: set[str]) -> list[str]:
        """The kinds msgspec tells a union's members apart by (one member per kind, tagged Structs aside)."""
        if isinstance(expr, ir.ArrayOf):
            return ["array"]
        if isinstance(expr, ir.MapOf):
            return ["object"]
        if isinstance(expr, ir.Choice):
            return ["str"]
        if isinstance(expr, ir.Const):
            return ["exact"] if isinstance(expr.value, bool) else ["str" if isinstance(expr.value, str) else "int"]
        if isinstance(expr, ir.Primitive):
            return {
                "string": ["str"],
                "integer": ["int"],
                "int53": ["int"],
                "number": ["int", "float"],
                "boolean": ["bool"],
                "null": ["null"],
                "any": ["any"],
            }[expr.name]
        name = expr.name
        shape = self.spec.shape(name)
        if name in exact:
            return ["exact"]
        if name in self.any_json:
            return ["any"]
        if isinstance(shape, ir.ObjectShape):
            return [f"tag:{tags[name][0]}"] if name in tags else ["object"]
        if isinstance(shape, ir.EnumShape):
            return ["str"]
        if isinstance(shape, ir.AliasShape):
            return self._msgspec_kinds(shape.type, tags, exact)
        return [kind for variant in shape.variants for kind in self._msgspec_kinds(variant, tags, exact)]


class FastView(_Decisions):
    """The fast-path view of one version's spec for the template: the decisions (`_Decisions`), and from them the
    bases, annotations, keywords and output order."""

    def __init__(self, spec: ir.Spec) -> None:
        super().__init__(spec)
        self._index = {s.name: i for i, s in enumerate(spec.shapes)}
        self._classes = [s for s in spec.shapes if isinstance(s, ir.ObjectShape) and s.name not in self.dicts]
        self._aliases = self._ordered_aliases()
        self._position = {s.name: i for i, s in enumerate(self._aliases)}
        self._bases: dict[str, str] = {}
        self._reaches: dict[str, bool] = {}

    def classes(self) -> list[ir.ObjectShape]:
        """The object shapes that are Structs, in spec order (bases come first in the spec or are not used)."""
        return self._classes

    def aliases(self) -> list[ir.Shape]:
        """Enums, aliases, unions and member-less open objects, after the classes, each after what it needs."""
        return self._aliases

    def _ordered_aliases(self) -> list[ir.Shape]:
        # Spec order, each after the aliases it needs (a heap of the ready ones); a cycle goes only through exact
        # unions, whose variants are looked up when first used: the first pending one is taken as ready.
        pending = {s.name: s for s in self.spec.shapes if not isinstance(s, ir.ObjectShape) or s.name in self.dicts}
        needs = {name: {n for n in self._alias_refs(s) if n in pending and n != name} for name, s in pending.items()}
        needed_by: dict[str, list[str]] = {}
        for name, wanted in needs.items():
            for other in wanted:
                needed_by.setdefault(other, []).append(name)
        ready = [(self._index[name], name) for name, wanted in needs.items() if not wanted]
        heapq.heapify(ready)
        ordered: list[ir.Shape] = []
        while pending:
            if not ready:
                first = min((self._index[n], n) for n in pending if n in self.exact_unions)
                needs[first[1]] = set()
                ready.append(first)
            _, name = heapq.heappop(ready)
            if name not in pending:
                continue
            ordered.append(pending.pop(name))
            for other in needed_by.get(name, ()):
                needs[other].discard(name)
                if not needs[other] and other in pending:
                    heapq.heappush(ready, (self._index[other], other))
        return ordered

    def _alias_refs(self, shape: ir.Shape) -> set[str]:
        if shape.name in self.any_json or isinstance(shape, ir.ObjectShape):
            return set()
        if isinstance(shape, ir.AliasShape):
            return set(_refs(shape.type))
        if isinstance(shape, ir.UnionShape):
            return {name for v in shape.variants for name in _refs(v)}
        return set()

    def base(self, shape: ir.ObjectShape) -> str:
        """The class a Struct inherits from: a shape it extends (see the module docstring) or Open/Closed."""
        if shape.name not in self._bases:
            self._bases[shape.name] = self._base(shape)
        return self._bases[shape.name]

    def _base(self, shape: ir.ObjectShape) -> str:
        for parent_name in shape.extends:
            parent = self.spec.shape(parent_name)
            if (
                self._index[parent_name] < self._index[shape.name]
                and isinstance(parent, ir.ObjectShape)
                and parent_name not in self.dicts
                and parent.fields
                and shape.fields[: len(parent.fields)] == parent.fields
                and self.tags.get(parent_name) == self.tags.get(shape.name)
                and parent.closed == shape.closed
            ):
                return parent_name
        return "_Closed" if shape.closed else "_Open"

    def own_fields(self, shape: ir.ObjectShape) -> list[ir.Field]:
        """The members a Struct declares: not inherited, not its tag."""
        parent = self.spec.by_name.get(self.base(shape))
        inherited = len(parent.fields) if isinstance(parent, ir.ObjectShape) else 0
        tag = self.tags.get(shape.name)
        return [f for f in shape.fields[inherited:] if tag is None or f.wire_name != tag[0]]

    def reaches_exact(self, expr: ir.TypeExpr, seen: frozenset[str] = frozenset()) -> bool:
        """Whether a value of `expr` can hold an exact type outside a Struct (msgspec keeps its JSON text there,
        which the Struct holding the value decodes)."""
        if isinstance(expr, ir.Const):
            return isinstance(expr.value, bool)
        if isinstance(expr, (ir.ArrayOf, ir.MapOf)):
            return self.reaches_exact(expr.item if isinstance(expr, ir.ArrayOf) else expr.value, seen)
        if not isinstance(expr, ir.Ref) or expr.name in seen or expr.name in self.any_json:
            return False
        if expr.name in self.exact_unions:
            return True
        if expr.name not in self._reaches:
            shape = self.spec.shape(expr.name)
            inner = seen | {expr.name}
            exprs = (
                shape.variants
                if isinstance(shape, ir.UnionShape)
                else [shape.type]
                if isinstance(shape, ir.AliasShape)
                else []
            )
            self._reaches[expr.name] = any(self.reaches_exact(v, inner) for v in exprs)
        return self._reaches[expr.name]

    def decodes_unions(self, shape: ir.ObjectShape) -> bool:
        """Whether a Struct takes the `_DecodesUnions` mixin (its base does not have it already)."""
        parent = self.spec.by_name.get(self.base(shape))
        if isinstance(parent, ir.ObjectShape) and self.decodes_unions(parent):
            return False
        return any(self.reaches_exact(f.type) for f in shape.fields)

    def kw_only(self, shape: ir.ObjectShape) -> bool:
        """Whether a Struct's members are keyword-only: when a required one follows an optional one (msgspec and
        type checkers need it then), and in subclasses of such Structs (which keep the members' order)."""
        parent = self.spec.by_name.get(self.base(shape))
        if isinstance(parent, ir.ObjectShape) and self.kw_only(parent):
            return True
        tag = self.tags.get(shape.name)
        required = [f.required for f in shape.fields if tag is None or f.wire_name != tag[0]]
        return any(later and not earlier for earlier, later in itertools.pairwise(required))

    def class_keywords(self, shape: ir.ObjectShape) -> str:
        """The class statement's bases and keywords (`(_Open, kw_only=True)`)."""
        keywords = [self.base(shape)] + (["_DecodesUnions"] if self.decodes_unions(shape) else [])
        keywords += ["kw_only=True"] if self.kw_only(shape) else []
        tag = self.tags.get(shape.name)
        if tag is not None and self.base(shape) in ("_Open", "_Closed"):
            keywords += [f"tag_field={py_literal(tag[0])}", f"tag={py_literal(tag[1])}"]
        return ", ".join(keywords)

    def tag_attribute(self, shape: ir.ObjectShape) -> str | None:
        """The ClassVar statement that gives a tagged Struct its discriminator as an attribute, or None."""
        tag = self.tags.get(shape.name)
        if tag is None or self.base(shape) not in ("_Open", "_Closed"):
            return None
        member = next(f for f in shape.fields if f.wire_name == tag[0])
        return f"{member.py_name}: ClassVar[Literal[{py_literal(tag[1])}]] = {py_literal(tag[1])}"

    def type(self, expr: ir.TypeExpr, defined: Container[str] | None = None) -> str:
        """The type expression of `expr` for the Structs (msgspec reads it at run time, type checkers too). In an
        alias's value (`defined`: the names defined before it), a shape defined later is quoted."""
        return type_text(expr, lambda leaf: self._leaf(leaf, defined))

    def _leaf(self, expr: ir.TypeExpr, defined: Container[str] | None) -> str:
        if isinstance(expr, ir.Ref):
            name = "Any" if expr.name in self.any_json else expr.name
            return name if defined is None or name in defined or name == "Any" else py_literal(name)
        if isinstance(expr, ir.Const):
            if isinstance(expr.value, bool):
                return "JsonTrue" if expr.value else "JsonFalse"
            return f"Literal[{py_literal(expr.value)}]"
        if isinstance(expr, ir.Choice):
            return python_choice(expr)
        assert isinstance(expr, ir.Primitive)
        return _primitive(expr)

    def annotation(self, field: ir.Field) -> str:
        """A Struct member's annotation and default: `| None` when nullable, `Opt[...] = UNSET` when optional."""
        base = self.type(field.type)
        if field.nullable and base != "Any":
            base = f"{base} | None"
        if field.required:
            return base + self._name(field, "")
        return (base if base == "Any" else f"Opt[{base}]") + self._name(field, "UNSET")

    def _name(self, field: ir.Field, default: str) -> str:
        if self.wire_names.get(field.py_name, camel(field.py_name)) == field.wire_name:
            return f" = {default}" if default else ""
        args = [f"default={default}"] if default else []
        return f" = field({', '.join([*args, f'name={py_literal(field.wire_name)}'])})"

    def alias(self, shape: ir.Shape) -> str:
        """The value of a non-Struct shape's alias."""
        if shape.name in self.any_json:
            return "Any"
        if isinstance(shape, ir.EnumShape):
            return f"Literal[{', '.join(py_literal(v.value) for v in shape.values)}]"
        if isinstance(shape, ir.ObjectShape):
            return "dict[str, Any]"
        members = [self.type(m, self._defined(shape)) for m in self._members(shape)]
        return f"Union[{', '.join(members)}]" if len(members) > 1 else members[0]

    @staticmethod
    def _members(shape: ir.UnionShape | ir.AliasShape) -> list[ir.TypeExpr]:
        return list(shape.variants) if isinstance(shape, ir.UnionShape) else [shape.type]

    def _defined(self, shape: ir.Shape) -> Container[str]:
        """The names defined before the alias of `shape` (the classes come first, then the aliases in order)."""
        return _Before(self._position, self._position[shape.name])

    def exact_type(self, shape: ir.Shape) -> str | None:
        """For an exact union, its run-time value (made from the alias's value), else None."""
        if shape.name not in self.exact_unions or not isinstance(shape, (ir.UnionShape, ir.AliasShape)):
            return None
        # A name defined later (a recursive union) is quoted: looked up in the module when the union is first used.
        defined = self._defined(shape)
        later = {r for m in self._members(shape) for r in _refs(m) if r not in defined} - self.any_json
        return f"_exact_union({shape.name}, __name__)" if later else f"_exact_union({shape.name})"

    @staticmethod
    def summary(text: str) -> str:
        """A shape's description up to the end of its first sentence: its docstring here (the whole text is the
        docstring in `wire` and in the reference)."""
        end = re.search(r"[.!?](?=\s|$)", text)
        return text if end is None else text[: end.end()]

    def api_names(self) -> list[str]:
        """The names the fast module defines besides the shapes (`_fast.API_NAMES`)."""
        return ["Decoder", "UNSET", "UnsetType", "ValidationError", "decoder", "encode", "unknown_members"]

    def named_decoders(self) -> list[str]:
        """The shapes `decoder(name)` is typed for by name: the discriminated unions (`GetTaskResult`); a class is
        passed itself (`decoder(GetTaskRequest)`), which one generic signature types; other names give
        `Decoder[Any]`."""
        return [s.name for s in self.spec.shapes if isinstance(s, ir.UnionShape) and s.discriminator is not None]


def _primitive(expr: ir.Primitive) -> str:
    if expr.name in ("integer", "int53"):
        low, high = (expr.minimum, expr.maximum)
        if expr.name == "int53":
            low = INT53[0] if low is None else max(low, INT53[0])
            high = INT53[1] if high is None else min(high, INT53[1])
            if (low, high) == INT53:
                return "Int53"
        return _bounded("int", low, high, integer=True)
    if expr.name == "number":
        if expr.minimum is None and expr.maximum is None:
            return "int | float"
        int_part = _bounded("int", expr.minimum, expr.maximum, integer=True)
        return f"{int_part} | {_bounded('float', expr.minimum, expr.maximum, integer=False)}"
    return {"string": "str", "boolean": "bool", "null": "None", "any": "Any"}[expr.name]


def _bounded(base: str, low: float | None, high: float | None, *, integer: bool) -> str:
    """`base` with msgspec bounds; an integer is >= 0.5 when it is >= 1, so integer bounds are rounded inwards."""
    bounds = []
    if low is not None:
        bounds.append(f"ge={py_literal(math.ceil(low) if integer else low)}")
    if high is not None:
        bounds.append(f"le={py_literal(math.floor(high) if integer else high)}")
    return f"Annotated[{base}, Meta({', '.join(bounds)})]" if bounds else base

"""`python -m bench [--out docs/benchmarks.md] [--chart docs/benchmarks.png] [--quick] [--store-only]`: run every
benchmark in one process, print the tables and write the report and chart; the task stores under load (bench/stores.py)
go to docs/benchmarks-store.md (`--store-only`: that page alone). Exit code 0 whether targets are met or missed: the
report says which, plainly."""

from __future__ import annotations

import argparse
import compileall
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
import timeit
from collections.abc import Callable
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

import jsonschema_rs
import msgspec
import orjson
from pydantic import TypeAdapter

import mcp_ext_tasks
from codegen.__main__ import build
from codegen.lower import load_spec
from codegen.output import format_python
from codegen.render import render_all
from codegen.synthetic import write_scaled_spec
from mcp_ext_tasks import fast, typed, wire

from .contenders import MSGSPEC_TYPES, datamodel_codegen_models
from .payloads import Payload, payloads

REPO = Path(__file__).resolve().parents[1]
OFFICIAL_SCHEMA = REPO.parent / "shared" / "reference" / "ext-tasks" / "draft" / "schema.json"
SCALES = (1, 5, 20, 50)


def per_call(fn: Callable[[], object], repeats: int) -> float:
    """Seconds per call in the fastest of `repeats` timing runs of about 0.1 s each: on a machine shared with other
    processes a run is only ever slowed down, and a ratio of two medians taken at different moments moved by up to
    half between full runs, while the fastest runs agree."""
    timer = timeit.Timer(fn)
    number, _ = timer.autorange()
    return min(t / number for t in timer.repeat(repeat=repeats, number=number))


@dataclass
class Row:
    payload: str
    contender: str
    seconds: float
    ratio: float


def validation_contenders(item: Payload, dmcg: Any) -> dict[str, Callable[[], object]]:
    """Each validator of the payload's shape, as a call on its bytes; orjson.loads first (the floor)."""
    data = item.data
    schema_rs = jsonschema_rs.validator_for({**mcp_ext_tasks.json_schema(), "$ref": f"#/$defs/{item.shape}"})
    seed = TypeAdapter(getattr(mcp_ext_tasks, item.seed))  # the same call path as the strict adapters
    strict = TypeAdapter(getattr(wire, item.shape))
    dicts = TypeAdapter(getattr(typed, item.shape))
    decoder = msgspec.json.Decoder(MSGSPEC_TYPES[item.shape])
    exact_fast = fast.decoder(item.shape)
    contenders: dict[str, Callable[[], object]] = {
        "orjson.loads": lambda: orjson.loads(data),
        "wire (strict)": lambda: strict.validate_json(data),
        FAST: lambda: exact_fast.decode(data),
        "typed (TypedDict)": lambda: dicts.validate_json(data),
        "seed-compatible": lambda: seed.validate_json(data),
        "schema via jsonschema-rs": lambda: schema_rs.is_valid(orjson.loads(data)),
        "msgspec (hand-written)": lambda: decoder.decode(data),
    }
    if dmcg is not None:
        official = getattr(dmcg, item.shape)
        contenders["datamodel-codegen (official)"] = lambda: official.model_validate_json(data)
    return contenders


def serialization_contenders(item: Payload) -> dict[str, Callable[[], object]]:
    """Each serializer of the payload's parsed form; orjson.dumps of the plain object first (the floor)."""
    obj = orjson.loads(item.data)
    strict = TypeAdapter(getattr(wire, item.shape))
    model = strict.validate_json(item.data)
    dicts = TypeAdapter(getattr(typed, item.shape))
    td = dicts.validate_json(item.data)
    seed_model = getattr(mcp_ext_tasks, item.seed).model_validate_json(item.data)
    struct = msgspec.json.decode(item.data, type=MSGSPEC_TYPES[item.shape])
    fast_object = fast.decoder(item.shape).decode(item.data)
    return {
        "orjson.dumps": lambda: orjson.dumps(obj),
        "wire (strict)": lambda: model.model_dump_json(by_alias=True, exclude_none=True),
        SDK_ROUTE: lambda: model.model_dump(by_alias=True, mode="json", exclude_none=True),
        "wire via TypeAdapter(union)": lambda: strict.dump_json(model, by_alias=True, exclude_none=True),
        "typed (TypedDict)": lambda: dicts.dump_json(td, by_alias=True, exclude_none=True),
        "seed-compatible": lambda: seed_model.model_dump_json(by_alias=True, exclude_none=True),
        "msgspec (hand-written)": lambda: msgspec.json.encode(struct),
        FAST: lambda: fast.encode(fast_object),
    }


SDK_ROUTE = "wire, SDK route (model_dump, mode json)"
"""The contender name of the route the mcp SDK takes to a dict it then writes as JSON."""

FAST = "fast (msgspec, exact)"
"""The contender name of mcp_ext_tasks.fast in the tables, the chart and the targets."""


def timed(item: Payload, contenders: dict[str, Callable[[], object]], repeats: int) -> list[Row]:
    """Time every contender on one payload; ratios to the first (the floor)."""
    for fn in contenders.values():
        fn()  # build what is built lazily, and fail loudly if a contender rejects the payload
    floor_name, floor_fn = next(iter(contenders.items()))
    floor = per_call(floor_fn, repeats)
    rows = []
    for name, fn in contenders.items():
        seconds = floor if name == floor_name else per_call(fn, repeats)
        rows.append(Row(item.name, name, seconds, seconds / floor))
    return rows


def lossless(item: Payload, official: dict[str, Any] | None) -> bool:
    """The strict models write back exactly what they read, and it is valid under the official schema."""
    strict = TypeAdapter(getattr(wire, item.shape))
    out = orjson.loads(strict.dump_json(strict.validate_json(item.data), by_alias=True, exclude_none=True))
    if official is not None and not jsonschema_rs.validator_for({**official, "$ref": f"#/$defs/{item.shape}"}).is_valid(
        out
    ):
        return False
    return bool(out == orjson.loads(item.data))


def fast_lossless(item: Payload) -> bool:
    """The fast path writes back exactly what it read."""
    return bool(orjson.loads(fast.encode(fast.decoder(item.shape).decode(item.data))) == orjson.loads(item.data))


IMPORTS = {
    "pydantic alone (import pydantic; pydantic.BaseModel)": "import pydantic; pydantic.BaseModel",
    "pydantic + one deferred model (pydantic's own lazy imports)": (
        "import pydantic; pydantic.create_model('M', x=(int, ...), __config__=pydantic.ConfigDict(defer_build=True))"
    ),
    "mcp_types alone": "import mcp_types",
    "import mcp_ext_tasks": "import mcp_ext_tasks",
    "from mcp_ext_tasks import GetTaskResult (seed models)": "from mcp_ext_tasks import GetTaskResult",
    "import mcp_ext_tasks.wire": "import mcp_ext_tasks.wire",
    "import mcp_ext_tasks.typed": "import mcp_ext_tasks.typed",
    "wire import + first validation": (
        "import mcp_ext_tasks.wire as w; from pydantic import TypeAdapter; "
        "TypeAdapter(w.GetTaskResult).validate_json(PAYLOAD)"
    ),
}


def import_times(runs: int, first_payload: bytes) -> dict[str, float]:
    """Median milliseconds of each import statement in fresh interpreters (interpreter start excluded).

    The package is compiled to bytecode first, as an installed wheel is: an editable install is not, and with
    PYTHONDONTWRITEBYTECODE set (as on this image) every interpreter would otherwise measure the compiler."""
    compileall.compile_dir(Path(mcp_ext_tasks.__file__).parent, quiet=1)
    results: dict[str, float] = {}
    for label, statement in IMPORTS.items():
        code = (
            f"import time; PAYLOAD = {first_payload!r}; t = time.perf_counter(); {statement}; "
            "print(time.perf_counter() - t)"
        )
        samples = [
            float(subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout)
            for _ in range(runs)
        ]
        results[label] = statistics.median(samples) * 1000
    return results


def generation_times(runs: int) -> dict[int, tuple[int, float]]:
    """For each scale: (shapes, median seconds of load + render + format in this process)."""
    results: dict[int, tuple[int, float]] = {}
    with tempfile.TemporaryDirectory(prefix="bench-scale-") as tmp:
        for factor in SCALES:
            spec_dir = REPO / "spec" if factor == 1 else Path(tmp) / f"x{factor}"
            shapes = (
                len(load_spec(REPO / "spec").shapes)
                if factor == 1
                else write_scaled_spec(REPO / "spec", spec_dir, factor)
            )
            samples = []
            for _ in range(runs if factor < 20 else max(1, runs // 3)):
                start = time.perf_counter()
                format_python(render_all(load_spec(spec_dir)))
                samples.append(time.perf_counter() - start)
            results[factor] = (shapes, statistics.median(samples))
    build(REPO / "spec")  # the real CLI path once more, to be sure it works where it is measured
    return results


@dataclass
class Target:
    name: str
    limit: str
    figure: str
    met: bool


def targets(
    valid: list[Row],
    dumps: list[Row],
    kept: dict[str, bool],
    imports: dict[str, float],
    gen: dict[int, tuple[int, float]],
) -> list[Target]:
    def ratio(payload: str, contender: str, rows: list[Row] = valid) -> float:
        return next(r.ratio for r in rows if r.payload == payload and r.contender == contender)

    names = list(dict.fromkeys(r.payload for r in valid))
    completed = names[0]
    out = [
        Target(
            f"strict validation, {completed}",
            "≤ 2.5× orjson.loads",
            f"{ratio(completed, 'wire (strict)'):.2f}×",
            ratio(completed, "wire (strict)") <= 2.5,
        )
    ]
    for name in names[1:]:
        r = ratio(name, "wire (strict)")
        out.append(Target(f"strict validation, {name}", "≤ 5× orjson.loads", f"{r:.2f}×", r <= 5))
    for name in names[1:6]:
        if "CreateTaskResult" in name:
            continue
        try:
            speedup = ratio(name, "datamodel-codegen (official)") / ratio(name, "wire (strict)")
        except StopIteration:
            continue
        out.append(Target(f"vs datamodel-codegen, {name}", "≥ 3× faster", f"{speedup:.2f}× faster", speedup >= 3))
    for name in names:
        seed, strict = ratio(name, "seed-compatible"), ratio(name, "wire (strict)")
        out.append(
            Target(
                f"seed not slower than strict, {name}",
                "seed ≤ strict (5% timer noise allowed)",
                f"{seed / strict:.2f}× strict",
                seed <= strict * 1.05,
            )
        )
    for name in names:
        limit = 6.5 if name == completed else 10
        d = ratio(name, "wire (strict)", dumps)
        out.append(
            Target(
                f"serialization by alias, {name}",
                f"≤ {limit}× orjson.dumps, lossless",
                f"{d:.2f}×, lossless: {kept[name]}",
                d <= limit and kept[name],
            )
        )
    sdk = ratio(completed, SDK_ROUTE, dumps)
    out.append(
        Target(
            f"serialization by the SDK's route (model_dump, mode json, a dict), {completed}",
            "≤ 8× orjson.dumps",
            f"{sdk:.2f}×",
            sdk <= 8,
        )
    )
    base = imports["mcp_types alone"]
    for label in ("import mcp_ext_tasks", "from mcp_ext_tasks import GetTaskResult (seed models)"):
        out.append(
            Target(
                label,
                "≤ 1.1× import mcp_types",
                f"{imports[label]:.1f} ms = {imports[label] / base:.2f}×",
                imports[label] <= 1.1 * base,
            )
        )
    pyd = imports["pydantic alone (import pydantic; pydantic.BaseModel)"]
    w = imports["import mcp_ext_tasks.wire"]
    first_model = imports["pydantic + one deferred model (pydantic's own lazy imports)"]
    out.append(
        Target(
            "import mcp_ext_tasks.wire",
            "≤ pydantic + 40 ms",
            f"{w:.1f} ms = pydantic + {w - pyd:.1f} ms (a first model: + {first_model - pyd:.1f} ms)",
            w <= pyd + 40,
        )
    )
    one, fifty = gen[1][1], gen[50][1]
    out.append(Target("regeneration of the real spec", "≤ 1 s generator time", f"{one:.3f} s", one <= 1))
    out.append(Target("50× the shapes", "≤ 60× the time", f"{fifty / one:.1f}×", fifty / one <= 60))
    return out


FAST_DECODE_LIMITS = {"input_required": 2.5, "tasks/update": 2.5}
"""Decoding limits of the fast path by payload (a name containing the key); 1.3× orjson.loads for the others."""


def fast_targets(valid: list[Row], dumps: list[Row], kept: dict[str, bool]) -> list[Target]:
    """The fast path's targets (issue 14): decoding at msgspec's floor, encoding at most 2× orjson.dumps and
    lossless, on every payload."""
    out = []
    for name in dict.fromkeys(r.payload for r in valid):
        limit = next((v for key, v in FAST_DECODE_LIMITS.items() if key in name), 1.3)
        r = next(row.ratio for row in valid if row.payload == name and row.contender == FAST)
        out.append(Target(f"fast decode, {name}", f"≤ {limit}× orjson.loads", f"{r:.2f}×", r <= limit))
    for name in dict.fromkeys(r.payload for r in dumps):
        r = next(row.ratio for row in dumps if row.payload == name and row.contender == FAST)
        lossless = kept[name]
        figure = f"{r:.2f}×, lossless: {lossless}"
        out.append(Target(f"fast encode, {name}", "≤ 2× orjson.dumps, lossless", figure, r <= 2 and lossless))
    return out


BOUNDS = {
    "strict validation": (
        "Strict validation of input requests and responses walks the core MCP shapes (sampling messages, elicitation "
        "forms, content blocks); their unions have no discriminator in the schema, so each variant is tried in order "
        "(most frequent first) and a failed attempt costs pydantic an error object."
    ),
    "vs datamodel-codegen": (
        "datamodel-codegen's models are fastest where its unions happen to match early; ours try the same anyOf "
        "variants in order, so on payloads dominated by undiscriminated core unions the gap narrows."
    ),
    "seed not slower": (
        "The seed-compatible models validate in lax mode on mcp_types bases with camelCase alias generation and "
        "populate-by-name; on a tiny payload that fixed cost is a visible share."
    ),
    "serialization": (
        "Dumps run in pydantic-core alone (no wrap serializer, no `exclude_if` callback, no Python call but the "
        "`__eq__` of a present `_meta` model compared with its default), so what remains is pydantic-core's cost "
        "per model and member, about 0.5–1 µs a model: the completed result is mostly one `dict[str, Any]`, which "
        "pydantic-core writes at about 4.3× orjson.dumps on its own, while input requests and responses are a "
        "dozen small models (forms, sampling messages, content blocks), where datamodel-code-generator's plain "
        "pydantic models take as long or longer. A union of wire models is written as one model (pydantic-core "
        "writes a union's value by building Python objects first). The SDK's route builds a dict, then the SDK "
        "writes it: pydantic-core builds the JSON-mode dict of the same plain data at about 7.4× orjson.dumps on "
        "its own."
    ),
    "fast decode": (
        "The fast path decodes in msgspec's C code, except the unions without a discriminator (input responses, "
        "elicitation params, form fields), which msgspec cannot express: it keeps their JSON text, and each value "
        "is then decoded in Python by its variant (found by trying them in order where no object fits two, else by "
        "reading its member names first), about 1 µs a value, more when a variant is tried in vain (the sampling "
        "answer of tasks/update fails as an elicitation answer first)."
    ),
    "fast encode": (
        "The fast path is msgspec's JSON encoder, which writes the completed result's nested lists and long strings "
        "more slowly than orjson: `msgspec.json.encode` of the same plain dicts takes as long as `fast.encode` of "
        "the Structs (about 1.7× orjson.dumps on this machine)."
    ),
    "from mcp_ext_tasks import": (
        "The seed models subclass mcp_types' classes, so their first use pays for importing mcp_types (the "
        "baseline) plus building about a dozen model classes and parametrizing four generic Request/Notification "
        "classes; the package import itself stays at a few milliseconds."
    ),
    "import mcp_ext_tasks.wire": (
        "`defer_build` postpones the validators, but a first model class costs pydantic its own lazy imports "
        "(pydantic.fields, annotated_types, pydantic.types: the `pydantic + one deferred model` line), and every "
        "further class about 0.4 ms of field collection; the module holds a class for each of the extension's "
        "shapes and of the core MCP shapes an input request or response can reach (about 80)."
    ),
}
"""What bounds a target, shown in the report when it is missed."""


def machine() -> list[str]:
    cpu = (
        next(
            (
                line.split(":", 1)[1].strip()
                for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")
            ),
            platform.processor(),
        )
        if Path("/proc/cpuinfo").exists()
        else platform.processor()
    )
    versions = ", ".join(
        f"{name} {metadata.version(name)}"
        for name in (
            "pydantic",
            "pydantic-core",
            "mcp-types",
            "orjson",
            "msgspec",
            "jsonschema-rs",
            "datamodel-code-generator",
        )
    )
    return [
        f"- Machine: {platform.machine()}, {cpu}, {os.cpu_count()} cores, {platform.system()} {platform.release()}",
        f"- Python {platform.python_version()}; {versions}",
    ]


def markdown_table(rows: list[Row], floor: str) -> list[str]:
    contenders = list(dict.fromkeys(r.contender for r in rows))
    lines = ["| payload | " + " | ".join(contenders) + " |", "|---" * (len(contenders) + 1) + "|"]
    for payload in dict.fromkeys(r.payload for r in rows):
        cells = []
        for contender in contenders:
            row = next((r for r in rows if r.payload == payload and r.contender == contender), None)
            cells.append(
                "—" if row is None else (f"{row.seconds * 1e6:.1f} µs" if contender == floor else f"{row.ratio:.2f}×")
            )
        lines.append(f"| {payload} | " + " | ".join(cells) + " |")
    return lines


def chart(valid: list[Row], gen: dict[int, tuple[int, float]], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (left, right) = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [2.2, 1]})
    payload_names = list(dict.fromkeys(r.payload for r in valid))
    contenders = [c for c in dict.fromkeys(r.contender for r in valid) if c != "orjson.loads"]
    width = 0.8 / len(contenders)
    for index, contender in enumerate(contenders):
        values = [
            next((r.ratio for r in valid if r.payload == p and r.contender == contender), 0) for p in payload_names
        ]
        left.bar([i + index * width for i in range(len(payload_names))], values, width, label=contender)
    left.axhline(1, color="black", linewidth=0.8)
    left.set_yscale("log")
    left.set_xticks(
        [i + 0.4 - width / 2 for i in range(len(payload_names))],
        [p.replace(" GetTaskResult", "\nGetTaskResult").replace(" (", "\n(") for p in payload_names],
        fontsize=7,
    )
    left.set_ylabel("time / orjson.loads (log)")
    left.set_title("Validation from JSON bytes, relative to orjson.loads")
    left.legend(fontsize=7)
    shapes = [gen[f][0] for f in SCALES]
    seconds = [gen[f][1] for f in SCALES]
    right.plot(shapes, seconds, marker="o", label="measured")
    right.plot(shapes, [seconds[0] * s / shapes[0] for s in shapes], linestyle="--", label="linear from 1×")
    right.set_xlabel("shapes in the spec")
    right.set_ylabel("generator time (s)")
    right.set_title("Regeneration time by spec size")
    right.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110, metadata={"Software": None})
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument("--chart", type=Path, default=REPO / "docs" / "benchmarks.png")
    parser.add_argument("--quick", action="store_true", help="fewer repeats (for a smoke run, not for the report)")
    parser.add_argument("--store-out", type=Path, default=REPO / "docs" / "benchmarks-store.md")
    parser.add_argument("--store-only", action="store_true", help="only the task-store benchmark (bench/stores.py)")
    args = parser.parse_args(argv)
    if args.store_only:
        from . import stores

        stores.main(args.store_out, quick=args.quick)
        return 0
    repeats, import_runs, gen_runs = (3, 5, 1) if args.quick else (7, 15, 5)
    started = time.perf_counter()
    items = payloads()
    dmcg = datamodel_codegen_models(OFFICIAL_SCHEMA) if OFFICIAL_SCHEMA.exists() else None
    valid = [row for item in items for row in timed(item, validation_contenders(item, dmcg), repeats)]
    dumps = [row for item in items for row in timed(item, serialization_contenders(item), repeats)]
    official = json.loads(OFFICIAL_SCHEMA.read_text(encoding="utf-8")) if OFFICIAL_SCHEMA.exists() else None
    kept = {item.name: lossless(item, official) for item in items}
    fast_kept = {item.name: fast_lossless(item) for item in items}
    imports = import_times(import_runs, items[0].data)
    gen = generation_times(gen_runs)
    results = targets(valid, dumps, kept, imports, gen) + fast_targets(valid, dumps, fast_kept)
    elapsed = time.perf_counter() - started

    lines = [
        "# Benchmarks",
        "",
        "Written by `nox -s bench` (`python -m bench`); do not edit. Every figure comes from one run on the machine",
        "below: the fastest of repeated timings in one process, as ratios to the floor (orjson) on the same bytes.",
        "",
        *machine(),
        f"- Run took {elapsed:.0f} s.",
        "",
        "## Targets",
        "",
        "| target | limit | figure | verdict |",
        "|---|---|---|---|",
        *(f"| {t.name} | {t.limit} | {t.figure} | {'met' if t.met else '**MISSED**'} |" for t in results),
        "",
        *(
            ["## What bounds the missed targets", ""]
            + [
                f"- **{key}**: {text}"
                for key, text in BOUNDS.items()
                if any(not t.met and key in t.name for t in results)
            ]
            + [""]
            if any(not t.met for t in results)
            else []
        ),
        "## Validation from JSON bytes (time per call for orjson.loads, ratio to it for the others)",
        "",
        *markdown_table(valid, "orjson.loads"),
        "",
        "## Serialization to JSON bytes by alias, `exclude_none=True` (ratio to orjson.dumps of the same data)",
        "",
        *markdown_table(dumps, "orjson.dumps"),
        "",
        f'`{SDK_ROUTE}` is `model_dump(by_alias=True, mode="json", exclude_none=True)`, the dict the mcp SDK '
        "then writes as JSON.",
        "",
        "Lossless (the strict models' output equals the input object): "
        + ", ".join(f"{name}: {'yes' if ok else '**no**'}" for name, ok in kept.items()),
        "",
        f"`{FAST}` is `mcp_ext_tasks.fast` (`decoder(shape).decode(data)`, `encode(obj)`): msgspec Structs with the "
        "verdicts of the strict models. Lossless (its output equals the input object): "
        + ", ".join(f"{name}: {'yes' if ok else '**no**'}" for name, ok in fast_kept.items()),
        "",
        "## Import time (fresh interpreters, median, interpreter start excluded)",
        "",
        "| statement | ms |",
        "|---|---|",
        *(f"| `{label}` | {ms:.1f} |" for label, ms in imports.items()),
        "",
        "## Generation time (load + render + format in one process, interpreter start excluded)",
        "",
        "| spec | shapes | seconds | × the real spec |",
        "|---|---|---|---|",
        *(f"| {f}× | {shapes} | {seconds:.3f} | {seconds / gen[1][1]:.1f} |" for f, (shapes, seconds) in gen.items()),
        "",
        f"![ratios and scaling]({args.chart.name})",
        "",
    ]
    report = "\n".join(lines)
    print(report)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(report, encoding="utf-8")
    chart(valid, gen, args.chart)
    from . import stores  # the task stores under load, on real workers and a real redis-server: its own page

    stores.main(args.store_out, quick=args.quick)
    missed = [t.name for t in results if not t.met]
    print(
        f"\n{len(results) - len(missed)} targets met, {len(missed)} missed"
        + (f": {'; '.join(missed)}" if missed else "")
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())

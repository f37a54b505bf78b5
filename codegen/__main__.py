"""Command line: `python -m codegen generate|check|changelog|drift`, each with its own `--help`.

The hand-written modules in `runtime/` beside the spec folder (the SDK integration) are copied into the package
unchanged.

Exit codes: 0 done (or fresh), 1 `check` found drift, 2 the spec is malformed, 3 rendering or formatting failed
(a generator bug or an unreadable file). Nothing is written unless everything rendered.

`python -m codegen changelog OLD NEW` (codegen/changelog.py) prints the wire changes between two spec folders;
`python -m codegen drift OFFICIAL [--ours SCHEMA]` (codegen/drift.py) compares a generated schema with an official one.
Each takes its own options (`--help`).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

import jinja2

from .lower import load_spec
from .output import FormatError, diff_tree, format_python, write_tree
from .render import render_all
from .source import SpecErrors

Runner = Callable[[argparse.Namespace, argparse.ArgumentParser], int]
"""A subcommand: its parsed options and its own parser (for usage errors) in, the exit code out."""

EXIT_DRIFT = 1
EXIT_BAD_SPEC = 2
EXIT_FAILED = 3


RUNTIME_DIR = "runtime"
"""The folder beside the spec folder holding hand-written modules of the package (the SDK integration)."""


def runtime_files(runtime_dir: Path, package: str) -> dict[str, str]:
    """The hand-written modules in `runtime_dir` (`*.py`, not recursive), placed in the package unchanged.

    They are real source, linted and type-checked where they are; the package gets byte copies, so `check` fails
    when a copy is edited or stale.
    """
    if not runtime_dir.is_dir():
        return {}
    return {
        f"{package}/{path.name}": path.read_bytes().decode("utf-8")
        for path in sorted(runtime_dir.glob("*.py"), key=lambda p: p.name)
    }


def build(spec_dir: Path) -> dict[str, str]:
    """Everything `generate` writes, rendered and formatted in memory, with the hand-written runtime modules."""
    spec = load_spec(spec_dir)
    files = format_python(render_all(spec))
    copies = runtime_files(spec_dir.parent / RUNTIME_DIR, spec.extension.package)
    clashes = sorted(set(files) & set(copies))
    if clashes:
        raise FormatError(f"hand-written modules in {RUNTIME_DIR}/ would replace generated ones: {', '.join(clashes)}")
    return files | copies


def _generate_or_check(args: argparse.Namespace, parser: argparse.ArgumentParser) -> int:
    try:
        files = build(args.spec)
    except SpecErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        print(f"{len(exc.errors)} problem(s) in {args.spec}; nothing written.", file=sys.stderr)
        return EXIT_BAD_SPEC
    except (FormatError, OSError, jinja2.TemplateError) as exc:
        print(f"generation failed, nothing written: {type(exc).__name__}: {exc}", file=sys.stderr)
        return EXIT_FAILED
    if args.command == "generate":
        drift = write_tree(args.out, files)
        print(
            f"{args.out}: {len(files)} files, {len(drift.missing)} added, {len(drift.changed)} updated, "
            f"{len(drift.stale)} removed"
        )
        return 0
    drift = diff_tree(args.out, files)
    if drift.clean:
        print(f"{args.out} is fresh ({len(files)} files).")
        return 0
    sys.stdout.write(drift.diff)
    for label, paths in (("missing", drift.missing), ("stale", drift.stale), ("changed", drift.changed)):
        for path in paths:
            print(f"{label}: {args.out / path}", file=sys.stderr)
    print(f"{args.out} is out of date; run `python -m codegen generate` (or `nox -s generate`).", file=sys.stderr)
    return EXIT_DRIFT


def _tree_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--spec", type=Path, default=Path("spec"), help="spec folder (default: spec)")
    parser.add_argument("--out", type=Path, default=Path("generated"), help="output folder (default: generated)")


def parser() -> argparse.ArgumentParser:
    """The command line: one subcommand per job, each with its own `--help`."""
    from . import changelog, drift

    main_parser = argparse.ArgumentParser(prog="python -m codegen", description=__doc__.split("\n\n")[0])
    commands = main_parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    tools: list[tuple[str, str, Callable[[argparse.ArgumentParser], None], Runner]] = [
        ("generate", "write generated/ from spec/ (exit 2: the spec is malformed)", _tree_options, _generate_or_check),
        ("check", "exit 1 with a diff when generated/ is not what spec/ generates", _tree_options, _generate_or_check),
        ("changelog", changelog.DESCRIPTION, changelog.add_arguments, changelog.run),
        ("drift", drift.DESCRIPTION, drift.add_arguments, drift.run),
    ]
    for name, summary, add_arguments, run in tools:
        sub = commands.add_parser(name, help=summary, description=summary)
        add_arguments(sub)
        sub.set_defaults(run=run, parser=sub)
    return main_parser


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(sys.argv[1:] if argv is None else argv)
    code: int = args.run(args, args.parser)
    return code


if __name__ == "__main__":
    sys.exit(main())

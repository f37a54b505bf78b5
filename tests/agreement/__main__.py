"""`python -m agreement [--count N] [--seed S] [--shape NAME ...]`: the differential run at scale.

Prints the validators, a per-shape table of counts, where the instances came from, and every finding as a
minimal JSON instance with each validator's verdict. Exits 1 on any disagreement or round-trip failure that is
not a listed known failure, and 2 when fewer instances were made than asked for.
"""

from __future__ import annotations

import argparse
import random
import sys
import time
from pathlib import Path

from .known import KNOWN_FAILURES
from .runner import SHAPES, run
from .validators import OFFICIAL_SCHEMA, build_validators


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m agreement", description=__doc__.split("\n\n")[0])
    parser.add_argument("--count", type=int, default=1100, help="instances per shape (default 1100: 22,000 in all)")
    parser.add_argument("--seed", type=int, default=None, help="reproduce a run (default: a fresh seed, printed)")
    parser.add_argument("--shape", action="append", choices=SHAPES, help="only these shapes (repeatable)")
    parser.add_argument("--no-datamodel", action="store_true", help="skip the datamodel-code-generator validator")
    parser.add_argument(
        "--package",
        default="mcp_ext_tasks",
        help="the package whose wire, typed and json_schema() are checked (default: the top-level names; "
        "a versioned subpackage such as mcp_ext_tasks.draft works too)",
    )
    parser.add_argument(
        "--official", type=Path, default=OFFICIAL_SCHEMA, help=f"the referee schema (default: {OFFICIAL_SCHEMA})"
    )
    parser.add_argument("--no-minimize", action="store_true", help="print findings as found, not minimized")
    argv = sys.argv[1:] if argv is None else argv
    args = parser.parse_args(argv)
    seed = args.seed if args.seed is not None else random.SystemRandom().randrange(1 << 31)
    rerun = " ".join(["nox -s agreement --", *(argv if args.seed is not None else [*argv, f"--seed={seed}"])])
    shapes = tuple(args.shape) if args.shape else SHAPES

    started = time.perf_counter()
    validators = build_validators(package=args.package, official=args.official, datamodel=not args.no_datamodel)
    report = run(
        args.count,
        seed,
        shapes,
        validators=validators,
        minimize_findings=not args.no_minimize,
        progress=lambda line: print(f"  {line}", file=sys.stderr, flush=True),
    )
    print(report.header())
    print()
    print(report.table())
    print()
    print(report.origin_table())
    for finding in report.findings:
        print()
        print(finding.describe())
    if report.known_counts:
        print()
        print("Known failures (reported bugs, listed in tests/agreement/known.py; one minimal instance shown above):")
        for known in KNOWN_FAILURES:
            if report.known_counts[known.name]:
                print(f"- {known.name}: {report.known_counts[known.name]} instances. {known.reason}")
    elapsed = time.perf_counter() - started
    total = report.total
    failures = report.failures
    print()
    print(
        f"{total.instances} instances ({total.invalid} invalid), {total.round_trips} round trips, "
        f"{total.disagreements} disagreements, {total.round_trip_failures} round-trip failures, "
        f"{total.known} known failures, in {elapsed:.1f}s (seed {seed}; rerun: {rerun})"
    )
    if failures:
        print(f"FAILED: {len(failures)} finding(s) above are not known failures")
        return 1
    if total.instances < 0.95 * args.count * len(shapes):
        print(f"FAILED: only {total.instances} instances made, {args.count * len(shapes)} asked for")
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())

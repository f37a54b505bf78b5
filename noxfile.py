"""Developer sessions. `nox` alone runs what a contributor runs before pushing: check, lint, typecheck, tests."""

from __future__ import annotations

import nox

nox.options.default_venv_backend = "venv"
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["check", "lint", "typecheck", "tests"]

PYPROJECT = nox.project.load_toml("pyproject.toml")


def install_groups(session: nox.Session, *groups: str) -> None:
    """Install the named dependency groups of pyproject.toml."""
    for group in groups:
        session.install(*nox.project.dependency_groups(PYPROJECT, group))


@nox.session
def generate(session: nox.Session) -> None:
    """Regenerate generated/ from spec/ (the main job)."""
    install_groups(session, "codegen")
    session.run("python", "-m", "codegen", "generate", *session.posargs)


@nox.session
def check(session: nox.Session) -> None:
    """Fail with a diff when generated/ is not exactly what spec/ generates."""
    install_groups(session, "codegen")
    session.run("python", "-m", "codegen", "check", *session.posargs)


@nox.session
def tests(session: nox.Session) -> None:
    """The test suite, against the generated package installed from this checkout."""
    # typecheck: generated packages of odd specs must type-check; agreement: tests/test_agreement.py's sample
    install_groups(session, "codegen", "test", "typecheck", "agreement")
    session.install("-e", ".")
    session.run("python", "-m", "pytest", *session.posargs)


@nox.session
def lint(session: nox.Session) -> None:
    """Ruff lint and format check over everything, generated code included."""
    install_groups(session, "codegen")
    session.run("ruff", "check", ".")
    session.run("ruff", "format", "--check", ".")


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the generator, the package and the typing examples in tests/typing; pyright strict over
    what users type-check against (the package and the examples), as configured in pyproject.toml."""
    install_groups(session, "codegen", "test", "typecheck")
    session.install("-e", ".")
    session.run("mypy")
    session.run("pyright", "--pythonpath", f"{session.bin}/python")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks side by side; writes docs/benchmarks.md and docs/benchmarks.png (pass --quick for a smoke run)."""
    install_groups(session, "codegen", "test", "bench")
    session.install("-e", ".")
    session.run("python", "-m", "bench", *session.posargs)


@nox.session(default=False)
def agreement(session: nox.Session) -> None:
    """Differential test at scale: 22,000 instances, five validators, the round trip (docs/agreement.md).

    Options after `--` go to the harness: `--seed N` reproduces a run, `--count N` sets instances per shape.
    """
    install_groups(session, "codegen", "test", "agreement")
    session.install("-e", ".")
    session.run("python", "-m", "agreement", *session.posargs, env={"PYTHONPATH": "tests"})


@nox.session(default=False)
def changelog(session: nox.Session) -> None:
    """Wire changelog of spec/ since a git ref (docs/evolution.md): `nox -s changelog -- [BASE_REF] [options]`.

    BASE_REF defaults to HEAD; other options go to `python -m codegen changelog` (`--format json`,
    `--fail-on-breaking`, `--version NAME`, or a spec folder other than spec/).
    """
    install_groups(session, "codegen")
    args = list(session.posargs)
    base_ref = args.pop(0) if args and not args[0].startswith("-") else "HEAD"
    session.run("python", "-m", "codegen", "changelog", "--ref", base_ref, *args)


@nox.session(default=False)
def upstream(session: nox.Session) -> None:
    """Drift of our generated schema against an official one (docs/evolution.md).

    `nox -s upstream -- PATH_TO_OFFICIAL_SCHEMA [--ours generated/mcp_ext_tasks/<module>/schema.json]
    [--examples DIR]`: exits 1 when the two disagree.
    """
    install_groups(session, "codegen", "test")
    if not session.posargs:
        session.error("usage: nox -s upstream -- PATH_TO_OFFICIAL_SCHEMA [--ours SCHEMA] [--examples DIR]")
    session.run("python", "-m", "codegen", "drift", *session.posargs)

"""Developer sessions. `nox` alone runs what a contributor runs before pushing: check, lint, typecheck, tests,
conformance (the official suite's tasks-* scenarios; needs npm), docs (the site, checked in headless chromium)."""

from __future__ import annotations

import os
import platform
import re
import shutil
import subprocess
import sys
import tarfile
from contextlib import ExitStack
from pathlib import Path

import nox

# uv builds the environments in seconds from its cache (installed beside nox by the README's commands and .ci/run);
# plain venv and pip when it is missing.
nox.options.default_venv_backend = "uv|venv"
# uv leaves bytecode compilation to the first import, and where PYTHONDONTWRITEBYTECODE is set (as on this image) that
# means compiling every module again in every process: slow subprocess-heavy tests, and import benchmarks that
# measure the compiler. pip compiles at install time; ask uv to do the same.
os.environ.setdefault("UV_COMPILE_BYTECODE", "1")
nox.options.reuse_existing_virtualenvs = True
nox.options.sessions = ["check", "lint", "typecheck", "tests", "conformance", "docs"]

PYPROJECT = nox.project.load_toml("pyproject.toml")

sys.path.insert(0, str(Path(__file__).parent / "tests"))
from services import free_port, redis_server, redis_server_command, running  # noqa: E402  (shared with the tests)

PYTHONS = ("3.10", "3.11", "3.12", "3.13")
"""Every Python the package supports: the tests run on each (nox fails on a missing one when CI=true)."""
MAIN_PYTHON = "3.11"
"""The Python of the other sessions, and of the tests that cover all Pythons at once (the packaging tests)."""


def _expose_pyenv_pythons() -> None:
    """Make pyenv's shims answer `python3.10` ... `python3.13` (they only serve the versions pyenv selects)."""
    pyenv = shutil.which("pyenv")
    if pyenv is None:
        return
    listed = subprocess.run([pyenv, "versions", "--bare"], capture_output=True, text=True, check=False).stdout
    newest: dict[str, str] = {}
    for version in listed.split():
        minor = ".".join(version.split(".")[:2])
        if minor in PYTHONS and re.fullmatch(r"\d+\.\d+\.\d+", version):
            newest[minor] = max(newest.get(minor, version), version, key=lambda v: tuple(map(int, v.split("."))))
    if newest:
        # `pyenv exec` (how `python3` runs under pyenv) sets PYENV_VERSION to the one version it selected: keep it
        # first, so that `python3` stays what it was.
        selected = [v for v in os.environ.get("PYENV_VERSION", "").split(":") if v]
        ordered = [*selected, *(newest[m] for m in (MAIN_PYTHON, *PYTHONS) if m in newest)]
        os.environ["PYENV_VERSION"] = ":".join(dict.fromkeys(ordered))


_expose_pyenv_pythons()


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


@nox.session(python=PYTHONS)
def tests(session: nox.Session) -> None:
    """The test suite on every supported Python, against the package installed from this checkout, on every core
    (pytest-xdist; a test file stays on one worker, so its module fixtures are built once).

    The tests marked slow do not depend on the Python that runs them (the packaging tests build the distributions
    and install the wheel into every Python themselves), so they run once, in the main Python's session."""
    install_groups(session, "test")
    session.install("-e", ".")
    default = ["-n", "auto", "--dist", "loadfile"]
    if session.python != MAIN_PYTHON:
        default += ["-m", "not slow"]
    session.run("python", "-m", "pytest", *(session.posargs or default))


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


# The official MCP conformance suite: only its 0.2.0-alpha prereleases have the tasks-* scenarios. It needs Node 22
# or newer; when the machine's node is older, the node package of the npm registry provides one.
CONFORMANCE_SUITE = "@modelcontextprotocol/conformance@0.2.0-alpha.12"
CONFORMANCE_NODE_MAJOR = 22
TASKS_SCENARIOS = (
    "tasks-lifecycle",
    "tasks-capability-negotiation",
    "tasks-wire-fields",
    "tasks-request-state-removal",
    "tasks-mrtr-input",
    "tasks-request-headers",
    "tasks-dispatch-and-envelope",
    "tasks-status-notifications",
    "tasks-required-task-error",
    "tasks-mrtr-composition",
)
CONFORMANCE_NPM_DIR = Path(".nox") / "conformance-npm"
CONFORMANCE_SERVER = Path("examples") / "conformance_server.py"


def _node_package() -> str | None:
    """The npm package providing Node when the machine's node is missing or too old; None when it will do."""
    node = shutil.which("node")
    if node is not None:
        version = subprocess.run([node, "--version"], capture_output=True, text=True, check=False).stdout
        match = re.match(r"v(\d+)\.", version.strip())
        if match and int(match.group(1)) >= CONFORMANCE_NODE_MAJOR:
            return None
    system = {"linux": "linux", "darwin": "darwin"}.get(sys.platform)
    arch = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64"}.get(platform.machine().lower())
    if system is None or arch is None:
        raise RuntimeError(f"no Node {CONFORMANCE_NODE_MAJOR} package for {sys.platform}/{platform.machine()}")
    return f"node-{system}-{arch}@{CONFORMANCE_NODE_MAJOR}"


def _install_conformance_suite(session: nox.Session) -> tuple[str, Path]:
    """Install the suite (and Node, when needed) into .nox/conformance-npm once; the node binary and the CLI."""
    node_package = _node_package()
    wanted = " ".join(filter(None, [CONFORMANCE_SUITE, node_package]))
    marker = CONFORMANCE_NPM_DIR / "installed.txt"
    if not marker.is_file() or marker.read_text(encoding="utf-8") != wanted:
        CONFORMANCE_NPM_DIR.mkdir(parents=True, exist_ok=True)
        session.run(
            "npm", "install", "--prefix", str(CONFORMANCE_NPM_DIR), "--no-audit", "--no-fund", "--loglevel=error",
            *wanted.split(), external=True,
        )  # fmt: skip
        marker.write_text(wanted, encoding="utf-8")
    modules = CONFORMANCE_NPM_DIR / "node_modules"
    node = str(modules / node_package.split("@")[0] / "bin" / "node") if node_package else "node"
    return node, modules / "@modelcontextprotocol" / "conformance" / "dist" / "index.js"


@nox.session
@nox.parametrize("store", ["memory", "redis"])
def conformance(session: nox.Session, store: str) -> None:
    """The official conformance suite's tasks-* scenarios against examples/conformance_server.py (streamable HTTP).

    Installs the suite from the npm registry into .nox/conformance-npm (once), starts the server on a free port
    and fails when any scenario reports a failure. Runs once per task store: `conformance(store='memory')`, and
    `conformance(store='redis')` on a throwaway redis-server (Debian's package; skipped when it is missing, unless
    CI=true). Options after `--` choose scenarios (default: every tasks-*).
    """
    if store == "redis" and redis_server_command(0) is None:
        why = "redis-server is not installed (apt-get install -y redis-server)"
        if os.environ.get("CI") == "true":
            session.error(why)
        session.skip(why)
    session.install("-e", ".[redis]" if store == "redis" else ".[sdk]")
    with ExitStack() as services:
        store_url = services.enter_context(redis_server()) if store == "redis" else "memory://"
        _run_conformance(session, store_url)


def _run_conformance(session: nox.Session, store_url: str) -> None:
    node, cli = _install_conformance_suite(session)
    scenarios = session.posargs or list(TASKS_SCENARIOS)
    port = free_port()
    url = f"http://127.0.0.1:{port}/mcp"
    python = str(Path(session.bin) / "python")
    tmp = Path(session.create_tmp())
    server_log = tmp / "conformance-server.log"
    rows: list[tuple[str, int, str]] = []
    serve = [python, str(CONFORMANCE_SERVER), "--port", str(port), "--store", store_url]
    with server_log.open("wb") as log, running(serve, port, str(CONFORMANCE_SERVER), log):
        for scenario in scenarios:
            command = [node, str(cli), "server", "--url", url, "--scenario", scenario, "-o", str(tmp / "results")]
            finished = subprocess.run(command, capture_output=True, text=True, check=False, timeout=600)
            plain = re.sub(r"\x1b\[[0-9;]*m", "", finished.stdout + finished.stderr)
            summary = next((line for line in plain.splitlines() if line.startswith("Passed:")), "no summary")
            skipped = sum(" SKIPPED " in line for line in plain.splitlines())
            if skipped:
                summary += f" ({skipped} check{'s' if skipped > 1 else ''} skipped by the suite)"
            if finished.returncode != 0:
                session.log(plain)
            rows.append((scenario, finished.returncode, summary))
    width = max(len(name) for name, _, _ in rows) if rows else 0
    table = (f"{name:<{width}}  {'ok  ' if code == 0 else 'FAIL'}  {summary}" for name, code, summary in rows)
    session.log("tasks-* scenarios of %s (store %s):\n%s", CONFORMANCE_SUITE, store_url, "\n".join(table))
    failed = [name for name, code, _ in rows if code != 0]
    if failed:
        session.log("the server's log:\n%s", server_log.read_text(encoding="utf-8", errors="replace"))
        session.error(f"conformance scenarios failed: {', '.join(failed)}")


# The documentation site (mkdocs.yml, docs_site/): MkDocs with Material and mkdocstrings, built into site/. Mermaid's
# script is shipped with the site: its npm package is fetched once into .nox/docs-cache (`npm pack`, no install).
MERMAID_PACKAGE = "mermaid@12.3.0"
DOCS_CACHE = Path(".nox") / "docs-cache"
DOCS_ARTIFACTS = Path(".nox") / "docs-artifacts"
BROWSER_PROGRAMS = {"/usr/bin/chromium": "chromium", "/usr/bin/chromedriver": "chromium-driver"}


def _fetch_mermaid(session: nox.Session) -> Path:
    """dist/mermaid.min.js of MERMAID_PACKAGE, from the npm registry into .nox/docs-cache once."""
    target = DOCS_CACHE / "mermaid.min.js"
    marker = DOCS_CACHE / "mermaid.version"
    if not target.is_file() or not marker.is_file() or marker.read_text(encoding="utf-8") != MERMAID_PACKAGE:
        packed = Path(session.create_tmp()) / "mermaid-pack"
        shutil.rmtree(packed, ignore_errors=True)
        packed.mkdir(parents=True)
        session.run(
            "npm", "pack", MERMAID_PACKAGE, "--pack-destination", str(packed), "--silent", "--no-fund", external=True
        )
        (tarball,) = packed.glob("*.tgz")
        with tarfile.open(tarball) as archive:
            script = archive.extractfile("package/dist/mermaid.min.js")
            assert script is not None
            DOCS_CACHE.mkdir(parents=True, exist_ok=True)
            partial = target.with_suffix(".partial")
            partial.write_bytes(script.read())
            partial.replace(target)
        marker.write_text(MERMAID_PACKAGE, encoding="utf-8")
    return target


def _ensure_browser(session: nox.Session) -> None:
    """Debian's chromium and its chromedriver: installed with apt-get when missing (as root), else an error."""
    missing = [package for program, package in BROWSER_PROGRAMS.items() if not Path(program).is_file()]
    if not missing:
        return
    if shutil.which("apt-get") is None or os.geteuid() != 0:
        session.error(f"the browser test needs Debian's packages: apt-get install -y {' '.join(missing)}")
    session.run("apt-get", "update", "-q", external=True)
    session.run("apt-get", "install", "-y", "-q", *missing, external=True, env={"DEBIAN_FRONTEND": "noninteractive"})


@nox.session(python=MAIN_PYTHON)
def docs(session: nox.Session) -> None:
    """Build the documentation site into site/ (strict: a warning, a broken link or a missing page fails) and open
    it in headless chromium (tests/docs_site): the home page, the state diagram as an SVG, search, the API page.

    Screenshots go to .nox/docs-artifacts/. `nox -s docs -- --no-browser` only builds; `mkdocs serve` in the
    session's venv previews the site once this session has fetched Mermaid.
    """
    install_groups(session, "docs")
    mermaid = _fetch_mermaid(session)
    env = {"MERMAID_JS": str(mermaid.resolve()), "NO_MKDOCS_2_WARNING": "1"}
    session.run("mkdocs", "build", "--strict", "--site-dir", "site", env=env)
    if "--no-browser" in session.posargs:
        return
    _ensure_browser(session)
    session.run(
        "python", "-m", "pytest", "tests/docs_site", "--confcutdir", "tests/docs_site", "-p", "no:cacheprovider",
        env={"DOCS_SITE": "site", "DOCS_ARTIFACTS": str(DOCS_ARTIFACTS)},
    )  # fmt: skip
    session.log("screenshots of the site: %s", DOCS_ARTIFACTS.resolve())

"""The Python of the README and of the package's index page (docs/index.md, its long description) runs, and the
README's two commands are the ones nox and CI run."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest
from conftest import REPO

README = REPO / "README.md"
INDEX_PAGE = REPO / "docs" / "index.md"
CI_RUN = REPO / ".ci" / "run"
FENCE = re.compile(r"^```(?P<lang>[\w-]*)\n(?P<body>.*?)^```\s*$", re.MULTILINE | re.DOTALL)
SHELL_LANGS = {"sh", "bash", "shell", "console"}


def fenced_blocks(lang: set[str], page: Path = README) -> list[str]:
    return [m["body"] for m in FENCE.finditer(page.read_text(encoding="utf-8")) if m["lang"] in lang]


def shell_commands(script: str) -> list[list[list[str]]]:
    """Each command line of a shell script as its `&&`-separated commands, split into words, comments dropped."""
    commands = []
    for line in script.splitlines():
        words = shlex.split(line, comments=True)
        if not words:
            continue
        steps: list[list[str]] = [[]]
        for word in words:
            if word == "&&":
                steps.append([])
            else:
                steps[-1].append(word)
        commands.append(steps)
    return commands


def nox_arguments(step: list[str]) -> list[str] | None:
    """The arguments of a `nox ...` or `python -m nox ...` step; None for any other step."""
    if step[:1] == ["nox"]:
        return step[1:]
    if step[1:3] == ["-m", "nox"]:
        return step[3:]
    return None


def readme_commands() -> list[list[list[str]]]:
    commands = [command for block in fenced_blocks(SHELL_LANGS) for command in shell_commands(block)]
    assert len(commands) >= 2, "the README must start with the generate and the test command"
    return commands[:2]


def nox_pins(command: list[list[str]]) -> list[str]:
    return [word for step in command for word in step if word.startswith("nox==")]


PAGES = (README, INDEX_PAGE)
PYTHON_BLOCKS = [(page, block) for page in PAGES for block in fenced_blocks({"python"}, page)]


def test_each_page_has_python_examples() -> None:
    assert {page for page, _ in PYTHON_BLOCKS} == set(PAGES)


@pytest.mark.parametrize(
    ("page", "block"), PYTHON_BLOCKS, ids=[f"{page.name}-{i}" for i, (page, _) in enumerate(PYTHON_BLOCKS)]
)
def test_python_block_runs(page: Path, block: str) -> None:
    exec(compile(block, str(page), "exec", dont_inherit=True), {"__name__": "readme_example"})


def test_first_command_regenerates() -> None:
    generate, _ = readme_commands()
    assert nox_arguments(generate[-1]) == ["-s", "generate"], generate


def test_second_command_runs_the_default_sessions() -> None:
    _, test = readme_commands()
    assert nox_arguments(test[-1]) == [], test
    assert nox_pins(test), "the test command must pin nox"


def test_ci_runs_the_readme_test_command() -> None:
    if not CI_RUN.is_file():
        pytest.skip(".ci/run does not exist yet")
    _, test = readme_commands()
    ci_steps = [step for command in shell_commands(CI_RUN.read_text(encoding="utf-8")) for step in command]
    nox_steps = [step for step in ci_steps if nox_arguments(step) is not None]
    assert nox_steps == [test[-1]]
    assert sorted({pin for step in ci_steps for pin in nox_pins([step])}) == sorted(set(nox_pins(test)))

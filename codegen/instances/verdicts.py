"""Verdict comparison: an instance judged by two or more validators, whether they differ, and which listed deviation
explains a verdict that the official schema as published gives otherwise."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

Instance = TypeVar("Instance")

Verdicts = dict[str, "bool | None"]
"""Each validator's verdict by name: True accepts, False rejects, None gives no verdict (absent, or cannot say)."""


def judge(
    instance: Instance,
    judges: Mapping[str, Callable[[Instance], bool | None]],
    known: Mapping[str, bool | None] | None = None,
) -> Verdicts:
    """Every judge's verdict on `instance`, in the judges' order (`known`: verdicts already made, by name)."""
    known = known or {}
    return {name: known[name] if name in known else accepts(instance) for name, accepts in judges.items()}


def differ(verdicts: Mapping[str, bool | None]) -> bool:
    """Whether two of the judges that gave a verdict disagree."""
    return len({verdict for verdict in verdicts.values() if verdict is not None}) > 1


def deviation_behind(
    instance: Instance,
    verdict: bool,
    published: Callable[[Instance], bool | None],
    singles: Sequence[tuple[str, Callable[[Instance], bool | None]]],
) -> str | None:
    """Why the official schema as published (`published`) judges `instance` otherwise than the official schema with
    the listed deviations applied (`verdict`): the first deviation whose schema alone (`singles`: name and judge,
    the published schema with that deviation applied) gives `verdict`, or "several" when none does alone. None
    when the published schema agrees."""
    if published(instance) == verdict:
        return None
    return next((name for name, single in singles if single(instance) == verdict), "several")

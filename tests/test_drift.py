"""The drift check: no drift against the current official schemas, the real changes of every earlier official
revision named, equivalent encodings compared equal, and each kind of difference caught on a doctored copy of our
own schema (which needs no reference data)."""

from __future__ import annotations

import copy
import importlib
import json
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import pytest
from conftest import OFFICIAL_EXAMPLES_DIR, REFERENCE_DIR, SPEC_DIR, run_codegen

from codegen.deviations import spec_deviations
from codegen.drift import DriftReport, ShapeDrift, check_drift, collapse, load_examples, to_markdown
from codegen.lower import load_spec

HISTORY_DIR = REFERENCE_DIR / "history"
CURRENT_VERSIONS = ["draft", "2026-07-28"]


def our_package(version: str | None = None) -> str:
    """The package holding our schema for an official version: its own module when the spec generates versions
    side by side, else the package itself (the default version)."""
    spec = load_spec(SPEC_DIR)
    modules = {entry.name: entry.module for entry in spec.versions}
    package = spec.extension.package
    return f"{package}.{modules[version]}" if version in modules else package


def our_schema_document(version: str | None = None) -> dict[str, Any]:
    schema: dict[str, Any] = importlib.import_module(our_package(version)).json_schema()
    return schema


def read(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return data


def official_or_skip(path: Path) -> dict[str, Any]:
    if not path.is_file():
        pytest.skip(f"official schema not found at {path}")
    return read(path)


@cache
def drift_against(official: Path, version: str | None = None) -> DriftReport:
    document = our_schema_document(version)
    return check_drift(
        document,
        read(official),
        load_examples([SPEC_DIR / "examples", OFFICIAL_EXAMPLES_DIR]),
        ours_label=our_package(version),
        official_label=official.as_posix(),
        deviations=spec_deviations(load_spec(SPEC_DIR), document.get("$id")),
    )


def structure(report: DriftReport, shape: str) -> list[str]:
    found = [s for s in report.shapes if s.name == shape]
    assert found, f"{shape} is not a shared shape"
    return collapse(found[0].structure)


def shape_drift(report: DriftReport, shape: str) -> ShapeDrift:
    return next(s for s in report.shapes if s.name == shape)


# ---------------------------------------------------------------------------------------------------- current
@pytest.mark.parametrize("version", CURRENT_VERSIONS)
def test_no_drift_against_the_current_official_schema(version: str) -> None:
    official = REFERENCE_DIR / version / "schema.json"
    official_or_skip(official)
    report = drift_against(official, version)
    assert report.clean, to_markdown(report)
    assert report.missing == []
    assert len(report.shapes) >= 70  # the 20 extension shapes and the core shapes they reach
    assert report.instances >= 5000
    text = to_markdown(report)
    assert "**No drift**" in text
    # The spec's deviations are known, named, and each one explains instances the published schema judges otherwise.
    names = [d.name for d in load_spec(SPEC_DIR).deviations]
    assert [d.name for d in report.deviations] == names and report.stale == ()
    assert all(report.explained[name] > 0 for name in names), report.explained
    assert all(f"- `{name}`: our " in text for name in names)


@pytest.mark.parametrize("version", CURRENT_VERSIONS)
def test_without_the_deviations_the_published_schema_drifts_exactly_there(version: str) -> None:
    official = REFERENCE_DIR / version / "schema.json"
    official_or_skip(official)
    shapes = ("JSONValue", "ElicitResult", "UpdateTaskRequest", "InputRequiredTask", "Task")
    report = check_drift(
        our_schema_document(version),
        read(official),
        load_examples([SPEC_DIR / "examples"]),
        only=shapes,
        max_instances=150,
    )
    drifting = sorted(s.name for s in report.shapes if not s.clean)
    assert drifting == ["ElicitResult", "InputRequiredTask", "JSONValue", "UpdateTaskRequest"], to_markdown(report)


# ---------------------------------------------------------------------------------------------------- history
TASK_NOTIFICATION_RENAME = (
    'TaskStatusNotification.method: const: ours "notifications/tasks", official "notifications/tasks/status"'
)
SEP_2663_RESULT_CONSTS = {
    "CreateTaskResult": 'CreateTaskResult: members only in ours: resultType (const "task")',
    "UpdateTaskResult": 'UpdateTaskResult: members only in ours: resultType (const "complete")',
    "CancelTaskResult": 'CancelTaskResult: members only in ours: resultType (const "complete")',
}
PORT_EXPECTATIONS = {  # what every SEP-2663 revision before the schema enforced the spec's constraints shows
    "Task": [
        "Task: unknown members: ours allows them, official forbids them",
        "Task.ttlMs: type: ours integer|null, official null|number",
        "Task.ttlMs: range: ours [-9007199254740991, 9007199254740991], official unbounded",
    ],
    "GetTaskResult": [
        'GetTaskResult[*]: members only in ours: resultType (const "complete") (in 5 variants)',
        "GetTaskResult[*].ttlMs: type: ours integer|null, official null|number (in 5 variants)",
    ],
    "FailedTask": ["FailedTask.error: required only in ours: code, message"],
    "GetTaskRequest": ["GetTaskRequest.id: range: ours unbounded, official [-9007199254740991, 9007199254740991]"],
}
INPUT_REQUESTS_UNTYPED = {"InputRequests": ["InputRequests{}: ours accepts a union of 3 variants, official anything"]}

HISTORY: dict[str, dict[str, Any]] = {
    "2026-05-11-0b65dc6": {  # still the 2025-11-25 in-core design
        "missing": [
            "GetTaskPayloadRequest",
            "GetTaskPayloadResult",
            "ListTasksRequest",
            "ListTasksResult",
            "RelatedTaskMetadata",
            "TaskAugmentedRequestParams",
            "TaskClientCapabilities",
            "TaskMetadata",
            "TaskServerCapabilities",
            "ToolTaskSupport",
        ],
        "extra": ["CancelledTask", "DetailedTask", "UpdateTaskRequest", "UpdateTaskResult", "WorkingTask"],
        "lines": {
            "Task": [
                "Task: members only in ours: pollIntervalMs, ttlMs",
                "Task: members only in official: pollInterval, ttl",
                "Task: required only in official: ttl",
            ],
            "CreateTaskResult": [
                "CreateTaskResult: members only in official: task",
                "CreateTaskResult: required only in official: task",
            ],
            "CancelTaskResult": [
                "CancelTaskResult: members only in official: createdAt, lastUpdatedAt, pollInterval, status, "
                "statusMessage, taskId, ttl",
            ],
            "GetTaskResult": [
                'GetTaskResult: ours is a union of 5 variants (status="working", status="input_required", '
                'status="completed", status="failed", status="cancelled"), official is not',
            ],
            "TaskStatusNotification": [TASK_NOTIFICATION_RENAME],
        },
    },
    "2026-05-11-46bae20": {  # the SEP-2663 port
        "missing": [],
        "extra": ["InputResponse", "Result", "Error"],
        "lines": {
            **PORT_EXPECTATIONS,
            "InputRequests": [  # one generic {method, params} shape then
                'InputRequests{}: ours is a union of 3 variants (method="sampling/createMessage", '
                'method="roots/list", method="elicitation/create"), official is not',
                'InputRequests{}[method="roots/list"]: required only in official: params',
            ],
            "TaskStatusNotification": [TASK_NOTIFICATION_RENAME],
            "TaskSubscriptionNotifications": [
                "TaskSubscriptionNotifications: members only in ours: taskIds",
                "TaskSubscriptionNotifications: members only in official: tasksStatus",
            ],
            **{shape: [line] for shape, line in SEP_2663_RESULT_CONSTS.items()},
        },
    },
    "2026-05-12-a9c679b": {  # InputRequests/InputResponses copied from the core repository
        "missing": [],
        "extra": ["Result", "Error"],
        "lines": {
            **PORT_EXPECTATIONS,
            **INPUT_REQUESTS_UNTYPED,
            "TaskStatusNotification": [TASK_NOTIFICATION_RENAME],
            "InputResponse": ["InputResponse: ours accepts a union of 3 variants, official anything"],
            **{shape: [line] for shape, line in SEP_2663_RESULT_CONSTS.items()},
        },
    },
    "2026-05-22-0503f39": {  # regenerated: notifications/tasks and taskIds, still no resultType consts
        "missing": [],
        "extra": ["Result", "Error"],
        "lines": {
            **PORT_EXPECTATIONS,
            **INPUT_REQUESTS_UNTYPED,
            "TaskSubscriptionNotifications": [
                "TaskSubscriptionNotifications: unknown members: ours allows them, official forbids them"
            ],
            **{shape: [line] for shape, line in SEP_2663_RESULT_CONSTS.items()},
        },
    },
}


@pytest.mark.parametrize("revision", list(HISTORY))
def test_history_revision_drift_names_its_real_changes(revision: str) -> None:
    official = HISTORY_DIR / revision / "schema.json"
    official_or_skip(official)
    report = drift_against(official)
    expected = HISTORY[revision]
    assert not report.clean
    assert report.missing == expected["missing"]
    assert set(expected["extra"]) <= set(report.extra)
    for shape, lines in expected["lines"].items():
        found = structure(report, shape)
        assert [line for line in lines if line not in found] == [], "\n".join(found)
        assert shape_drift(report, shape).disagreements, f"{shape}: no instance shows the difference"


def test_the_notification_rename_shows_in_instances_until_it_was_made() -> None:
    before = HISTORY_DIR / "2026-05-12-a9c679b" / "schema.json"
    after = HISTORY_DIR / "2026-05-22-0503f39" / "schema.json"
    official_or_skip(before)
    official_or_skip(after)

    def methods(report: DriftReport) -> set[tuple[bool, str]]:
        drift = shape_drift(report, "TaskStatusNotification")
        return {(d.ours, d.instance.get("method")) for d in drift.disagreements if isinstance(d.instance, dict)}

    assert {(True, "notifications/tasks"), (False, "notifications/tasks/status")} <= methods(drift_against(before))
    assert (False, "notifications/tasks/status") not in methods(drift_against(after))
    assert not [line for line in structure(drift_against(after), "TaskStatusNotification") if "method" in line]


# ---------------------------------------------------------------------------------------------------- doctored copies
@cache
def our_schema() -> str:
    return json.dumps(our_schema_document())


def doctored(edit: Callable[[dict[str, Any]], None], *shapes: str) -> DriftReport:
    """Our schema against a copy of itself with `edit` applied, over the named shapes only."""
    ours = json.loads(our_schema())
    theirs = copy.deepcopy(ours)
    edit(theirs["$defs"])
    return check_drift(ours, theirs, only=shapes, max_instances=150)


def test_our_schema_has_no_drift_against_itself() -> None:
    report = doctored(lambda defs: None, "Task", "GetTaskResult", "TaskStatus", "TasksExtensionCapability")
    assert report.clean and len(report.shapes) == 4 and report.instances > 200


def _ttl_bound(defs: dict[str, Any]) -> None:
    defs["Task"]["properties"]["ttlMs"]["anyOf"][0]["maximum"] = 60000


def _drop_required(defs: dict[str, Any]) -> None:
    defs["Task"]["required"].remove("ttlMs")


def _close(defs: dict[str, Any]) -> None:
    defs["Task"]["additionalProperties"] = False


def _add_status(defs: dict[str, Any]) -> None:
    defs["TaskStatus"]["enum"].append("paused")


def _rename_method(defs: dict[str, Any]) -> None:
    defs["TaskStatusNotification"]["properties"]["method"]["const"] = "notifications/tasks/status"


def _widen_type(defs: dict[str, Any]) -> None:
    defs["Task"]["properties"]["pollIntervalMs"] = {"type": "number"}


def _rename_member(defs: dict[str, Any]) -> None:
    task = defs["Task"]
    task["properties"]["ttl"] = task["properties"].pop("ttlMs")
    task["required"] = ["ttl" if name == "ttlMs" else name for name in task["required"]]


DOCTORED: dict[str, tuple[Callable[[dict[str, Any]], None], str, list[str]]] = {
    "bound": (
        _ttl_bound,
        "Task",
        ["Task.ttlMs: range: ours [-9007199254740991, 9007199254740991], official [-9007199254740991, 60000]"],
    ),
    "required": (_drop_required, "Task", ["Task: required only in ours: ttlMs"]),
    "closed": (_close, "Task", ["Task: unknown members: ours allows them, official forbids them"]),
    "enum": (_add_status, "TaskStatus", ['TaskStatus: enum values only in official "paused"']),
    "const": (_rename_method, "TaskStatusNotification", [TASK_NOTIFICATION_RENAME]),
    "type": (
        _widen_type,
        "Task",
        [
            "Task.pollIntervalMs: type: ours integer, official number",
            "Task.pollIntervalMs: range: ours [-9007199254740991, 9007199254740991], official unbounded",
        ],
    ),
    "member": (
        _rename_member,
        "Task",
        [
            "Task: members only in ours: ttlMs",
            "Task: members only in official: ttl",
            "Task: required only in ours: ttlMs",
            "Task: required only in official: ttl",
        ],
    ),
}


@pytest.mark.parametrize("case", list(DOCTORED))
def test_each_kind_of_difference_is_caught_in_structure_and_instances(case: str) -> None:
    edit, shape, lines = DOCTORED[case]
    report = doctored(edit, shape)
    assert structure(report, shape) == lines
    assert shape_drift(report, shape).disagreements, "no instance gets different verdicts"
    assert not report.clean


def test_a_missing_shape_is_drift_and_an_extra_one_is_not() -> None:
    report = doctored(lambda defs: defs.pop("DetailedTask"), "Task")
    assert report.clean and report.extra == ["DetailedTask"]
    report = doctored(lambda defs: defs.update(ListTasksRequest={"type": "object"}), "Task")
    assert not report.clean and report.missing == ["ListTasksRequest"]


def _official_encoding(defs: dict[str, Any]) -> None:
    """Rewrite shapes the way the official schema writes them: allOf compositions, enums as anyOf of consts."""
    task = defs["Task"]
    names = list(task["properties"])
    halves = [names[: len(names) // 2], names[len(names) // 2 :]]
    defs["Task"] = {
        "allOf": [
            {
                "type": "object",
                "properties": {n: task["properties"][n] for n in half},
                "required": [n for n in task["required"] if n in half],
            }
            for half in halves
        ]
    }
    defs["TaskStatus"] = {"anyOf": [{"type": "string", "const": v} for v in defs["TaskStatus"]["enum"]]}
    variants = [defs[ref["$ref"].rsplit("/", 1)[1]] for ref in defs["GetTaskResult"]["anyOf"]]
    stripped = []
    for variant in variants:
        body = copy.deepcopy(variant)
        body["properties"].pop("resultType")
        body["properties"].pop("_meta")
        body["required"].remove("resultType")
        stripped.append(body)
    defs["GetTaskResult"] = {
        "allOf": [
            {"$ref": "#/$defs/Result"},
            {"anyOf": stripped},
            {"type": "object", "properties": {"resultType": {"const": "complete"}}, "required": ["resultType"]},
        ]
    }
    defs["TasksExtensionCapability"] = {"type": "object", "additionalProperties": {"not": {}}}


def test_equivalent_encodings_compare_equal() -> None:
    report = doctored(_official_encoding, "Task", "TaskStatus", "GetTaskResult", "TasksExtensionCapability")
    assert report.clean, to_markdown(report)


def test_markdown_report_of_a_drifting_shape() -> None:
    report = doctored(_rename_method, "TaskStatusNotification")
    text = to_markdown(report)
    assert "**Drift**: 0 official shape(s) missing from ours, 1 of 1 shared shape(s) differ." in text
    assert "| TaskStatusNotification | 1 |" in text
    assert f"#### TaskStatusNotification\n\n- `{TASK_NOTIFICATION_RENAME}`\n- ours accepts, official rejects" in text
    assert '"method":"notifications/tasks/status"' in text


# ---------------------------------------------------------------------------------------------------- command line
def test_cli_exit_codes(tmp_path: Path) -> None:
    ours = our_package()
    own_file = tmp_path / "ours.json"
    own_file.write_text(our_schema(), encoding="utf-8")
    same = run_codegen("drift", own_file, "--ours", ours, "--no-deviations", "--shape", "Task", "--shape", "TaskStatus")
    assert same.returncode == 0, same.stderr
    assert "2 shared shapes compared" in same.stdout and "**No drift**" in same.stdout
    theirs = json.loads(our_schema())
    _close(theirs["$defs"])
    doctored_path = tmp_path / "schema.json"
    doctored_path.write_text(json.dumps(theirs), encoding="utf-8")
    drifting = run_codegen("drift", doctored_path, "--ours", ours, "--no-deviations", "--shape", "Task")
    assert drifting.returncode == 1, drifting.stderr
    assert "- `Task: unknown members: ours allows them, official forbids them`" in drifting.stdout
    missing = run_codegen("drift", tmp_path / "nowhere.json", "--ours", ours)
    assert missing.returncode == 2 and "cannot read" in missing.stderr
    no_package = run_codegen("drift", own_file, "--ours", "mcp_ext_tasks.nowhere")
    assert no_package.returncode == 2 and "no package mcp_ext_tasks.nowhere" in no_package.stderr

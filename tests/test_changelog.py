"""The wire changelog: one pair of small specs per change class, with the exact lines and tags expected; the
Markdown and JSON outputs, exit codes, malformed specs and the git-ref mode on a real spec edit."""

from __future__ import annotations

import copy
import json
import re
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from conftest import REPO, SPEC_DIR, run_codegen, write_spec

from codegen.changelog import Change, diff_specs, to_json, to_markdown
from codegen.lower import load_spec

BASE: dict[str, Any] = {
    "extension": {
        "id": "example/ext",
        "title": "Example extension",
        "sep": 1,
        "package": "example_ext",
        "schema_id": "https://example.com/schema.json",
        "description": "An example extension.",
    },
    "constants": [{"name": "EXT_ID", "value": "example/ext", "description": "The id."}],
    "methods": [
        {
            "name": "GET_THING_METHOD",
            "method": "things/get",
            "request": "GetThingRequest",
            "result": "Thing",
            "description": "Read a thing.",
        }
    ],
    "notifications": [
        {
            "name": "THING_NOTIFICATION_METHOD",
            "method": "notifications/things/status",
            "message": "ThingNotification",
            "description": "A thing changed.",
        }
    ],
    "errors": [{"name": "MISSING_CAPABILITY", "code": -32003, "description": "The client did not opt in."}],
    "meta_keys": [
        {"name": "SERVER_INFO_META_KEY", "key": "example/serverInfo", "where": "result _meta", "description": "Who."}
    ],
    "state_machine": {
        "enum": "Status",
        "initial": ["running"],
        "terminal": ["done"],
        "transitions": {"running": ["stopped", "done"], "stopped": ["running", "done"]},
        "description": "Lifecycle.",
    },
    "shapes": {
        "Status": {
            "kind": "enum",
            "description": "A status.",
            "values": {"running": "Running.", "stopped": "Stopped.", "done": "Finished.", "paused": "Paused."},
        },
        "Thing": {
            "kind": "object",
            "description": "A thing.",
            "fields": {
                "id": {"type": "string", "description": "The id."},
                "status": {"type": "Status", "description": "Its status."},
                "size": {"type": "int53", "required": False, "description": "Its size."},
                "ttl": {"type": "int53", "nullable": True, "description": "Its lifetime."},
                "tags": {"type": {"array": "string"}, "required": False, "description": "Its tags."},
                "mode": {"enum": ["fast", "slow"], "required": False, "description": "Its mode."},
                "link": {"type": "string", "required": False, "format": "uri", "description": "Its page."},
            },
        },
        "RunningThing": {
            "kind": "object",
            "description": "A running thing.",
            "extends": ["Thing"],
            "fields": {"status": {"const": "running", "description": "Always running."}},
        },
        "StoppedThing": {
            "kind": "object",
            "description": "A stopped thing.",
            "extends": ["Thing"],
            "fields": {"status": {"const": "stopped", "description": "Always stopped."}},
        },
        "AnyThing": {
            "kind": "union",
            "description": "Any thing.",
            "discriminator": "status",
            "variants": ["RunningThing", "StoppedThing"],
        },
        "GetThingRequest": {
            "kind": "object",
            "description": "The request.",
            "fields": {
                "method": {"const": "things/get", "description": "The method."},
                "params": {"type": {"map": "any"}, "description": "The params."},
                "count": {"type": "integer", "required": False, "description": "How many."},
            },
        },
        "ThingNotification": {
            "kind": "object",
            "description": "The notification.",
            "fields": {
                "method": {"const": "notifications/things/status", "description": "The method."},
                "params": {"type": "RunningThing", "description": "The thing."},
            },
        },
        "ThingId": {"kind": "alias", "description": "A thing id.", "type": "string"},
        "Capability": {"kind": "object", "description": "No settings.", "additional": "forbid", "fields": {}},
    },
}

Edit = Callable[[dict[str, Any]], object]


def lines_after(tmp_path: Path, edit: Edit) -> list[str]:
    """The changelog lines from BASE to BASE with `edit` applied."""
    new = copy.deepcopy(BASE)
    edit(new)
    old_spec = load_spec(write_spec(tmp_path / "old", BASE))
    new_spec = load_spec(write_spec(tmp_path / "new", new))
    return [change.line for change in diff_specs(old_spec, new_spec)]


def shapes(data: dict[str, Any]) -> dict[str, Any]:
    result: dict[str, Any] = data["shapes"]
    return result


def fields(data: dict[str, Any], shape: str) -> dict[str, Any]:
    result: dict[str, Any] = data["shapes"][shape]["fields"]
    return result


def rename_key(mapping: dict[str, Any], old: str, new: str) -> None:
    """Rename a key in place, keeping its position."""
    items = [(new if key == old else key, value) for key, value in mapping.items()]
    mapping.clear()
    mapping.update(items)


def add_variant(data: dict[str, Any], name: str, status: str) -> None:
    """A new object shape extending Thing with its own status const, added to the AnyThing union."""
    shapes(data)[name] = {
        "kind": "object",
        "description": f"A {status} thing.",
        "extends": ["Thing"],
        "fields": {"status": {"const": status, "description": f"Always {status}."}},
    }
    shapes(data)["AnyThing"]["variants"].append(name)


def rename_method(data: dict[str, Any], section: str, shape: str, method: str) -> None:
    """What renaming a method on the wire takes: the method entry and the const of its message shape."""
    data[section][0]["method"] = method
    fields(data, shape)["method"]["const"] = method


CASES: dict[str, tuple[Edit, list[str]]] = {
    # ------------------------------------------------------------------ shapes
    "shape removed": (
        lambda d: shapes(d).pop("Capability"),
        ["BREAKING shape Capability: removed (object)"],
    ),
    "shape added": (
        lambda d: shapes(d).update(Extra={"kind": "enum", "description": "New.", "values": {"a": "A."}}),
        ["compatible shape Extra: added (enum)"],
    ),
    "shape renamed": (
        lambda d: rename_key(shapes(d), "Capability", "Capabilities"),
        ["BREAKING shape Capability: removed (object)", "compatible shape Capabilities: added (object)"],
    ),
    "shape kind changed": (
        lambda d: shapes(d).update(ThingId={"kind": "enum", "description": "A thing id.", "values": {"a": "A."}}),
        ["BREAKING shape ThingId: kind changed alias → enum"],
    ),
    "unknown members forbidden": (
        lambda d: shapes(d)["GetThingRequest"].update(additional="forbid"),
        ["BREAKING shape GetThingRequest: unknown members now forbidden"],
    ),
    "unknown members allowed": (
        lambda d: shapes(d)["Capability"].pop("additional"),
        ["compatible shape Capability: unknown members now allowed"],
    ),
    "alias type widened": (
        lambda d: shapes(d)["ThingId"].update(type="any"),
        ["compatible shape ThingId: type widened string → any"],
    ),
    "alias type changed": (
        lambda d: shapes(d)["ThingId"].update(type="integer"),
        ["BREAKING shape ThingId: type changed string → integer"],
    ),
    # ------------------------------------------------------------------ fields
    "field removed (inherited by two shapes)": (
        lambda d: fields(d, "Thing").pop("size"),
        ["BREAKING field Thing.size: removed (int53) (also in 2 extending shapes)"],
    ),
    "field renamed": (
        lambda d: rename_key(fields(d, "GetThingRequest"), "params", "arguments"),
        [
            "BREAKING field GetThingRequest.arguments: added as required ({map: any})",
            "BREAKING field GetThingRequest.params: removed ({map: any})",
        ],
    ),
    "optional field added": (
        lambda d: fields(d, "Thing").update(color={"type": "string", "required": False, "description": "Color."}),
        ["compatible field Thing.color: added as optional (string) (also in 2 extending shapes)"],
    ),
    "required field added": (
        lambda d: fields(d, "GetThingRequest").update(id={"type": "integer", "description": "Id."}),
        ["BREAKING field GetThingRequest.id: added as required (integer)"],
    ),
    "field made required": (
        lambda d: fields(d, "Thing")["size"].pop("required"),
        ["BREAKING field Thing.size: made required (also in 2 extending shapes)"],
    ),
    "field made optional": (
        lambda d: fields(d, "GetThingRequest")["params"].update(required=False),
        ["compatible field GetThingRequest.params: made optional"],
    ),
    "nullable added": (
        lambda d: fields(d, "Thing")["size"].update(nullable=True),
        ["compatible field Thing.size: made nullable (also in 2 extending shapes)"],
    ),
    "nullable removed": (
        lambda d: fields(d, "Thing")["ttl"].pop("nullable"),
        ["BREAKING field Thing.ttl: no longer nullable (also in 2 extending shapes)"],
    ),
    "type widened int53 to integer": (
        lambda d: fields(d, "Thing")["size"].update(type="integer"),
        ["compatible field Thing.size: type widened int53 → integer (also in 2 extending shapes)"],
    ),
    "type narrowed by a bound": (
        lambda d: fields(d, "Thing")["size"].update(minimum=0),
        ["BREAKING field Thing.size: type narrowed int53 → int53 (minimum 0) (also in 2 extending shapes)"],
    ),
    "type narrowed integer to int53": (
        lambda d: fields(d, "GetThingRequest")["count"].update(type="int53"),
        ["BREAKING field GetThingRequest.count: type narrowed integer → int53"],
    ),
    "type changed": (
        lambda d: fields(d, "Thing")["id"].update(type="int53"),
        ["BREAKING field Thing.id: type changed string → int53 (also in 2 extending shapes)"],
    ),
    "array item type widened": (
        lambda d: fields(d, "Thing")["tags"].update(type={"array": "any"}),
        [
            "compatible field Thing.tags: type widened {array: string} → {array: any} (also in 2 extending shapes)",
        ],
    ),
    "map value type narrowed": (
        lambda d: fields(d, "GetThingRequest")["params"].update(type={"map": "string"}),
        ["BREAKING field GetThingRequest.params: type narrowed {map: any} → {map: string}"],
    ),
    "reference widened to a union holding it": (
        lambda d: fields(d, "ThingNotification")["params"].update(type="AnyThing"),
        ["compatible field ThingNotification.params: type widened RunningThing → AnyThing"],
    ),
    "const changed": (
        lambda d: fields(d, "ThingNotification")["method"].update(const="notifications/things"),
        [
            'BREAKING field ThingNotification.method: const changed "notifications/things/status" → '
            '"notifications/things"'
        ],
    ),
    "const widened to a string": (
        lambda d: fields(d, "GetThingRequest").update(method={"type": "string", "description": "The method."}),
        ['compatible field GetThingRequest.method: type widened const "things/get" → string'],
    ),
    "enum reference narrowed to a const": (
        lambda d: fields(d, "Thing").update(status={"const": "running", "description": "Its status."}),
        ['BREAKING field Thing.status: type narrowed Status → const "running"'],
    ),
    "inline enum value added": (
        lambda d: fields(d, "Thing")["mode"].update(enum=["fast", "slow", "medium"]),
        ['compatible field Thing.mode: enum value "medium" added (also in 2 extending shapes)'],
    ),
    "inline enum value removed": (
        lambda d: fields(d, "Thing")["mode"].update(enum=["fast"]),
        ['BREAKING field Thing.mode: enum value "slow" removed (also in 2 extending shapes)'],
    ),
    "format changed (an annotation)": (
        lambda d: fields(d, "Thing")["link"].pop("format"),
        ["docs field Thing.link: format changed uri → none (also in 2 extending shapes)"],
    ),
    # ------------------------------------------------------------------ enums and unions
    "enum value added": (
        lambda d: shapes(d)["Status"]["values"].update(failed="Failed."),
        ['compatible enum-value Status: "failed" added'],
    ),
    "enum value removed": (
        lambda d: shapes(d)["Status"]["values"].pop("paused"),
        ['BREAKING enum-value Status: "paused" removed'],
    ),
    "enum value renamed": (
        lambda d: rename_key(shapes(d)["Status"]["values"], "paused", "suspended"),
        ['BREAKING enum-value Status: "paused" removed', 'compatible enum-value Status: "suspended" added'],
    ),
    "variant added": (
        lambda d: add_variant(d, "DoneThing", "done"),
        ["compatible variant AnyThing: DoneThing added", "compatible shape DoneThing: added (object)"],
    ),
    "variant removed": (
        lambda d: shapes(d)["AnyThing"]["variants"].remove("StoppedThing"),
        ["BREAKING variant AnyThing: StoppedThing removed"],
    ),
    # ------------------------------------------------------------------ methods, notifications, codes, keys
    "method renamed on the wire": (
        lambda d: rename_method(d, "methods", "GetThingRequest", "things/fetch"),
        [
            'BREAKING method GET_THING_METHOD: method changed "things/get" → "things/fetch"',
            'BREAKING field GetThingRequest.method: const changed "things/get" → "things/fetch"',
        ],
    ),
    "method result shape changed": (
        lambda d: d["methods"][0].update(result="AnyThing"),
        ["BREAKING method GET_THING_METHOD: result shape changed Thing → AnyThing"],
    ),
    "method removed": (
        lambda d: d["methods"].clear(),
        ['BREAKING method GET_THING_METHOD: removed ("things/get": GetThingRequest → Thing)'],
    ),
    "method added": (
        lambda d: d["methods"].append(
            {
                "name": "LIST_THINGS_METHOD",
                "method": "things/list",
                "request": "GetThingRequest",
                "result": "Thing",
                "description": "List.",
            }
        ),
        ['compatible method LIST_THINGS_METHOD: added ("things/list": GetThingRequest → Thing)'],
    ),
    "notification method renamed": (
        lambda d: rename_method(d, "notifications", "ThingNotification", "notifications/things"),
        [
            'BREAKING notification THING_NOTIFICATION_METHOD: method changed "notifications/things/status" → '
            '"notifications/things"',
            'BREAKING field ThingNotification.method: const changed "notifications/things/status" → '
            '"notifications/things"',
        ],
    ),
    "notification removed": (
        lambda d: d["notifications"].clear(),
        ['BREAKING notification THING_NOTIFICATION_METHOD: removed ("notifications/things/status": ThingNotification)'],
    ),
    "error code changed": (
        lambda d: d["errors"][0].update(code=-32021),
        ["BREAKING error MISSING_CAPABILITY: code changed -32003 → -32021"],
    ),
    "error code added": (
        lambda d: d["errors"].append({"name": "INVALID_PARAMS", "code": -32602, "description": "Unknown thing."}),
        ["compatible error INVALID_PARAMS: added (-32602)"],
    ),
    "error code removed": (
        lambda d: d["errors"].clear(),
        ["BREAKING error MISSING_CAPABILITY: removed (-32003)"],
    ),
    "constant value changed": (
        lambda d: d["constants"][0].update(value="example/extension"),
        ['BREAKING constant EXT_ID: value changed "example/ext" → "example/extension"'],
    ),
    "constant added": (
        lambda d: d["constants"].append({"name": "PREFIX", "value": "things/", "description": "Prefix."}),
        ['compatible constant PREFIX: added ("things/")'],
    ),
    "meta key changed": (
        lambda d: d["meta_keys"][0].update(key="example/server"),
        ['BREAKING meta-key SERVER_INFO_META_KEY: key changed "example/serverInfo" → "example/server"'],
    ),
    "meta key moved": (
        lambda d: d["meta_keys"][0].update(where="notification params._meta"),
        ['BREAKING meta-key SERVER_INFO_META_KEY: location changed "result _meta" → "notification params._meta"'],
    ),
    "extension id changed": (
        lambda d: d["extension"].update(id="example/things"),
        ['BREAKING extension id: changed "example/ext" → "example/things"'],
    ),
    "schema id changed (not on the wire)": (
        lambda d: d["extension"].update(schema_id="https://example.com/v2/schema.json"),
        ['docs extension schema_id: changed "https://example.com/schema.json" → "https://example.com/v2/schema.json"'],
    ),
    # ------------------------------------------------------------------ lifecycle
    "transition added": (
        lambda d: d["state_machine"]["transitions"]["stopped"].append("paused"),
        ['compatible lifecycle Status.stopped: transition to "paused" added'],
    ),
    "transition removed": (
        lambda d: d["state_machine"]["transitions"]["running"].remove("done"),
        ['BREAKING lifecycle Status.running: transition to "done" removed'],
    ),
    "terminal statuses changed": (
        lambda d: d["state_machine"].update(terminal=["done", "paused"]),
        ['BREAKING lifecycle Status: terminal statuses changed ["done"] → ["done", "paused"]'],
    ),
    # ------------------------------------------------------------------ descriptions only
    "shape description": (
        lambda d: shapes(d)["Thing"].update(description="A thing, described again."),
        ["docs shape Thing: description changed"],
    ),
    "field description (inherited)": (
        lambda d: fields(d, "Thing")["id"].update(description="The thing's id."),
        ["docs field Thing.id: description changed (also in 2 extending shapes)"],
    ),
    "enum value description": (
        lambda d: shapes(d)["Status"]["values"].update(done="Finished for good."),
        ['docs enum-value Status: description of "done" changed'],
    ),
    "method description": (
        lambda d: d["methods"][0].update(description="Read one thing."),
        ["docs method GET_THING_METHOD: description changed"],
    ),
    "nothing": (lambda d: None, []),
}


@pytest.mark.parametrize("case", list(CASES))
def test_change_class_gives_its_exact_lines(tmp_path: Path, case: str) -> None:
    edit, expected = CASES[case]
    assert lines_after(tmp_path, edit) == expected


def test_every_tag_and_kind_is_exercised() -> None:
    from codegen.changelog import KINDS, TAGS

    lines = [line for _, expected in CASES.values() for line in expected]
    assert {line.split(" ")[0] for line in lines} == set(TAGS)
    assert {line.split(" ")[1] for line in lines} == set(KINDS)


def test_a_redeclared_field_is_reported_where_it_changes(tmp_path: Path) -> None:
    """An extending shape that redeclares the field gets its own line; one that inherits it is folded."""

    def edit(d: dict[str, Any]) -> None:
        fields(d, "Thing")["size"].update(type="integer")
        fields(d, "RunningThing")["size"] = {"type": "number", "required": False, "description": "Its size."}

    assert lines_after(tmp_path, edit) == [
        "compatible field RunningThing.size: type widened int53 → number",
        "compatible field Thing.size: type widened int53 → integer (also in 1 extending shape)",
    ]


def test_lines_are_ordered_by_tag_then_section_then_place(tmp_path: Path) -> None:
    def edit(d: dict[str, Any]) -> None:
        shapes(d)["Thing"]["description"] = "Redescribed."
        fields(d, "Thing")["size"]["nullable"] = True
        shapes(d)["Status"]["values"].pop("paused")
        d["errors"][0]["code"] = -32021
        fields(d, "ThingNotification")["method"]["const"] = "notifications/things"
        d["extension"]["title"] = "Things"

    assert lines_after(tmp_path, edit) == [
        "BREAKING error MISSING_CAPABILITY: code changed -32003 → -32021",
        'BREAKING enum-value Status: "paused" removed',
        'BREAKING field ThingNotification.method: const changed "notifications/things/status" → "notifications/things"',
        "compatible field Thing.size: made nullable (also in 2 extending shapes)",
        'docs extension title: changed "Example extension" → "Things"',
        "docs shape Thing: description changed",
    ]


def test_markdown_and_json_outputs() -> None:
    changes = [
        Change("BREAKING", "error", "E", "code changed -1 → -2"),
        Change("compatible", "field", "T.`x`", "added as optional (string)"),
    ]
    assert to_markdown(changes, "old", "new") == (
        "## Wire changelog: `old` → `new`\n"
        "\n"
        "1 breaking, 1 compatible, 0 docs.\n"
        "\n"
        "### BREAKING\n"
        "\n"
        "- `BREAKING error E: code changed -1 → -2`\n"
        "\n"
        "### compatible\n"
        "\n"
        "- ``compatible field T.`x`: added as optional (string)``\n"
    )
    assert to_markdown([], "a", "b").endswith("0 breaking, 0 compatible, 0 docs.\n\nNo wire changes.\n")
    assert json.loads(to_json(changes)) == [
        {"tag": "BREAKING", "kind": "error", "where": "E", "message": "code changed -1 → -2"},
        {"tag": "compatible", "kind": "field", "where": "T.`x`", "message": "added as optional (string)"},
    ]


def test_the_real_spec_has_no_changes_against_itself() -> None:
    spec = load_spec(SPEC_DIR)
    assert diff_specs(spec, spec) == []


# ---------------------------------------------------------------------------------------------------- command line
def test_cli_exit_codes_and_formats(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", BASE)
    new_data = copy.deepcopy(BASE)
    new_data["errors"][0]["code"] = -32021
    new = write_spec(tmp_path / "new", new_data)
    markdown = run_codegen("changelog", old, new)
    assert markdown.returncode == 0, markdown.stderr
    assert "- `BREAKING error MISSING_CAPABILITY: code changed -32003 → -32021`\n" in markdown.stdout
    failing = run_codegen("changelog", old, new, "--fail-on-breaking", "--format", "json")
    assert failing.returncode == 1, failing.stderr
    assert json.loads(failing.stdout) == [
        {"tag": "BREAKING", "kind": "error", "where": "MISSING_CAPABILITY", "message": "code changed -32003 → -32021"}
    ]
    widened = copy.deepcopy(BASE)
    fields(widened, "Thing")["size"]["type"] = "integer"
    compatible = run_codegen("changelog", old, write_spec(tmp_path / "widened", widened), "--fail-on-breaking")
    assert compatible.returncode == 0, compatible.stderr
    assert "0 breaking, 1 compatible, 0 docs." in compatible.stdout
    same = run_codegen("changelog", old, old, "--fail-on-breaking")
    assert same.returncode == 0 and "No wire changes." in same.stdout


def test_cli_malformed_spec_exits_2_with_located_errors(tmp_path: Path) -> None:
    old = write_spec(tmp_path / "old", BASE)
    broken = copy.deepcopy(BASE)
    fields(broken, "Thing")["id"]["type"] = "Nowhere"
    new = write_spec(tmp_path / "new", broken)
    result = run_codegen("changelog", old, new)
    assert result.returncode == 2
    assert result.stdout == ""
    assert f"{new.as_posix()}/tasks.yaml:" in result.stderr
    assert "unknown type 'Nowhere'" in result.stderr
    assert f"1 problem(s) in {new.as_posix()}; no changelog." in result.stderr


def test_cli_needs_two_folders_or_a_ref(tmp_path: Path) -> None:
    result = run_codegen("changelog", tmp_path)
    assert result.returncode == 2 and "give two spec folders" in result.stderr


def _git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "user.name=test", "-c", "user.email=test@example.com", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def _replace_once(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {path}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_ref_mode_on_a_real_spec_edit(tmp_path: Path) -> None:
    """What `nox -s changelog` runs, on a copy of spec/ committed in a scratch repository and then edited: a
    notification method renamed, an error code changed, an optional field added."""
    repo = tmp_path / "repo"
    shutil.copytree(SPEC_DIR, repo / "spec")
    _git(repo, "init", "-q")
    _git(repo, "add", "spec")
    _git(repo, "commit", "-q", "-m", "spec")
    tasks = repo / "spec" / "tasks.yaml"
    _replace_once(tasks, "    method: notifications/tasks\n", "    method: notifications/tasks/status\n")
    _replace_once(tasks, "        const: notifications/tasks\n", "        const: notifications/tasks/status\n")
    _replace_once(tasks, "    code: -32021\n", "    code: -32003\n")
    _replace_once(
        tasks,
        "        description: The ids of the tasks to receive notifications/tasks for.\n",
        "        description: The ids of the tasks to receive notifications/tasks for.\n"
        "      includeFinished:\n"
        "        type: boolean\n"
        "        required: false\n"
        "        description: Whether to keep notifying about tasks after they finish.\n",
    )
    result = run_codegen("changelog", "--ref", "HEAD", "--fail-on-breaking", cwd=repo)
    assert result.returncode == 1, result.stderr
    bullets = [line for line in result.stdout.splitlines() if line.startswith("- ")]
    assert bullets == [
        '- `BREAKING notification TASK_STATUS_NOTIFICATION_METHOD: method changed "notifications/tasks" → '
        '"notifications/tasks/status"`',
        "- `BREAKING error MISSING_REQUIRED_CLIENT_CAPABILITY: code changed -32021 → -32003`",
        '- `BREAKING field TaskStatusNotification.method: const changed "notifications/tasks" → '
        '"notifications/tasks/status"`',
        "- `compatible field TaskSubscriptionNotifications.includeFinished: added as optional (boolean)`",
    ]
    assert result.stdout.startswith("## Wire changelog: `spec @ HEAD` → `spec (work tree)`\n\n3 breaking, 1 compatible")


@pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")
def test_ref_mode_reports_an_unknown_ref(tmp_path: Path) -> None:
    result = run_codegen("changelog", "--ref", "no-such-ref-anywhere", SPEC_DIR, cwd=REPO)
    assert result.returncode == 2
    assert "cannot read" in result.stderr and "no-such-ref-anywhere" in result.stderr


def test_the_changelog_file_lists_the_wire_changes_the_tool_prints() -> None:
    """CHANGELOG.md's wire entries are `python -m codegen changelog --ref REF` output, not hand-written lines."""
    text = (REPO / "CHANGELOG.md").read_text(encoding="utf-8")
    match = re.search(r"<!-- wire-changes: --ref (\S+) -->\n(.*?)<!-- /wire-changes -->", text, re.DOTALL)
    assert match, "CHANGELOG.md has no generated wire-changes block"
    ref, listed = match.group(1), match.group(2)
    if subprocess.run(["git", "cat-file", "-e", f"{ref}^{{commit}}"], cwd=REPO, check=False).returncode != 0:
        pytest.skip(f"git ref {ref} is not in this clone (a shallow clone?)")
    printed = run_codegen("changelog", "--ref", ref, "--format", "markdown")
    assert printed.returncode == 0, printed.stderr
    lines = [line for line in printed.stdout.splitlines() if line.startswith("- `")]
    assert listed.splitlines() == lines

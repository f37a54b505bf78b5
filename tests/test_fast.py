"""The msgspec fast path (`mcp_ext_tasks.fast`): the verdicts of the strict wire models on every example, encoding
that gives back the message (unknown members at every level, nulls, big integers), errors with their JSON path, a
decoder for every shape, and a core package that never imports msgspec."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import msgspec
import pytest
from conftest import Example, model_accepts, run_codegen, spec_ir, write_spec

from codegen.fast_view import FastView, camel
from codegen.output import format_python
from codegen.render import packed_all
from mcp_ext_tasks import _fast, fast, wire

TASK: dict[str, Any] = {
    "taskId": "t-1",
    "status": "completed",
    "createdAt": "2026-11-24T10:00:00Z",
    "lastUpdatedAt": "2026-11-24T10:00:05Z",
    "ttlMs": 60000,
    "resultType": "complete",
    "result": {"content": [{"type": "text", "text": "done"}]},
}
ELICITATION: dict[str, Any] = {
    "method": "elicitation/create",
    "params": {
        "message": "Which city?",
        "requestedSchema": {"type": "object", "properties": {"city": {"type": "string", "enum": ["Lyon", "Nice"]}}},
    },
}


def decode(shape: str, data: Any) -> Any:
    return fast.decoder(shape).decode(data if isinstance(data, (str, bytes)) else json.dumps(data))


def round_trip(shape: str, data: Any) -> Any:
    return json.loads(fast.encode(decode(shape, data)))


def fast_accepts(shape: str, text: str) -> bool:
    try:
        fast.decoder(shape).decode(text)
    except fast.ValidationError:
        return False
    return True


def check_example(example: Example) -> None:
    verdict = fast_accepts(example.shape, example.text)
    assert verdict == model_accepts("wire", example.shape, example.text) == example.valid
    if verdict:
        assert round_trip(example.shape, example.text) == example.data


def test_spec_example_gets_the_verdict_of_the_wire_models_and_comes_back(spec_example: Example) -> None:
    check_example(spec_example)


def test_official_example_gets_the_verdict_of_the_wire_models_and_comes_back(official_example: Example) -> None:
    check_example(official_example)


@pytest.mark.parametrize("name", wire.__all__)
def test_every_shape_has_a_decoder_and_every_version_the_same_objects(name: str) -> None:
    from mcp_ext_tasks.draft import fast as draft

    decoder = fast.decoder(name)
    assert decoder is fast.decoder(name) is draft.decoder(name)  # made once, shared by same-format versions
    assert getattr(draft, name) is getattr(fast, name)
    assert isinstance(decoder, fast.Decoder)


def test_a_class_is_its_own_decoder_key_and_an_unknown_name_is_a_clear_error() -> None:
    assert fast.decoder(fast.GetCompletedTaskResult).decode(json.dumps(TASK)).task_id == "t-1"
    with pytest.raises(ValueError, match=r"no shape named 'GetTaskResults'; did you mean 'GetTaskResult'"):
        fast.decoder("GetTaskResults")
    with pytest.raises(ValueError, match=r"no shape named 'decoder'"):
        fast.decoder("decoder")


def test_objects_are_typed_structs_with_absent_members_unset() -> None:
    task = decode("GetTaskResult", TASK)
    assert isinstance(task, fast.GetCompletedTaskResult) and isinstance(task, fast.CompletedTask)
    assert task.status == "completed" and type(task).status == "completed"  # the discriminator: a class attribute
    assert task.ttl_ms == 60000 and task.status_message is fast.UNSET and task.meta is fast.UNSET
    assert fast.unknown_members(task) == {}
    assert isinstance(decode("ContentBlock", {"type": "text", "text": "x"}), fast.TextContent)


def test_a_struct_built_in_python_encodes_as_its_message() -> None:
    error = fast.Error(code=-32603, message="boom")
    assert fast.encode(error) == b'{"code":-32603,"message":"boom"}'
    request = fast.GetTaskRequest(jsonrpc="2.0", id=7, method="tasks/get", params=fast.GetTaskRequestParams("t"))
    assert json.loads(fast.encode(request)) == {
        "jsonrpc": "2.0",
        "id": 7,
        "method": "tasks/get",
        "params": {"taskId": "t"},
    }


UNKNOWN = {"x-unknown": {"nested": [1, None]}, "nothing": None}


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ("top level", {**TASK, **UNKNOWN}),
        (
            "_meta's server info",
            {
                **TASK,
                "_meta": {"io.modelcontextprotocol/serverInfo": {"name": "s", "version": "1", **UNKNOWN}, "other": 1},
            },
        ),
        ("the error", {**TASK, "status": "failed", "result": None, "error": {"code": 1, "message": "m", **UNKNOWN}}),
        (
            "a form field (a union without discriminator)",
            {
                **TASK,
                "status": "input_required",
                "result": None,
                "inputRequests": {
                    "q": {
                        **ELICITATION,
                        "params": {
                            **ELICITATION["params"],
                            "requestedSchema": {
                                "type": "object",
                                "properties": {"city": {"type": "string", **UNKNOWN}},
                            },
                        },
                    }
                },
            },
        ),
        (
            "the input request and its params",
            {
                **TASK,
                "status": "input_required",
                "result": None,
                "inputRequests": {"q": {**ELICITATION, **UNKNOWN, "params": {**ELICITATION["params"], **UNKNOWN}}},
            },
        ),
        (
            "a content block in a sampling message",
            {
                **TASK,
                "status": "input_required",
                "result": None,
                "inputRequests": {
                    "s": {
                        "method": "sampling/createMessage",
                        "params": {
                            "maxTokens": 5,
                            "messages": [{"role": "user", "content": [{"type": "text", "text": "hi", **UNKNOWN}]}],
                        },
                    }
                },
            },
        ),
        ("member names msgspec cannot take", {**TASK, 'quote " and \\ backslash': 1, "tab\tand\x00nul": [None]}),
    ],
)
def test_unknown_members_are_kept_at_every_level(where: str, message: dict[str, Any]) -> None:
    message = {key: value for key, value in message.items() if value is not None or key in UNKNOWN}
    assert model_accepts("wire", "GetTaskResult", json.dumps(message)), where
    assert round_trip("GetTaskResult", message) == message


@pytest.mark.parametrize(
    "block",
    [
        {"type": "tool_result", "toolUseId": "u", "content": [], "meta": {}},  # `_meta` absent
        {"type": "tool_result", "toolUseId": "u", "content": [], "meta": 1, "_meta": {"k": None}},
        {"type": "tool_result", "toolUseId": "u", "content": [], "tool_use_id": "v", "is_error": None},
        {"type": "tool_result", "toolUseId": "u", "content": [], "structured_content": None},
    ],
)
def test_an_unknown_member_named_like_an_attribute_stays_unknown(block: dict[str, Any]) -> None:
    # Found by the agreement harness: pydantic counts such a member as set, under the attribute's name.
    message = {**TASK, "status": "input_required", "inputRequests": {"s": {"method": "sampling/createMessage"}}}
    message["inputRequests"]["s"]["params"] = {"maxTokens": 1, "messages": [{"role": "user", "content": block}]}
    del message["result"]
    assert round_trip("GetTaskResult", message) == message


def test_unknown_members_are_listed_and_written_back() -> None:
    task = decode("GetTaskResult", {**TASK, **UNKNOWN})
    assert isinstance(task, fast.GetCompletedTaskResult)
    assert fast.unknown_members(task) == UNKNOWN
    assert json.loads(fast.encode(msgspec.structs.replace(task, task_id="t-2"))) == {**TASK, **UNKNOWN, "taskId": "t-2"}


def test_nulls_big_integers_and_integral_numbers() -> None:
    big = 2**80
    message = {**TASK, "ttlMs": None, "result": {"n": big, "x": None, "f": 0.5, "nested": [{"k": -big}]}}
    assert round_trip("GetTaskResult", message) == message
    assert (
        fast.encode(decode("Error", {"code": big, "message": "m", "data": None}))
        == f'{{"code":{big},"message":"m","data":null}}'.encode()
    )
    integral = decode("GetTaskResult", {**TASK, "ttlMs": 60000.0, "pollIntervalMs": 1e3})
    assert (integral.ttl_ms, integral.poll_interval_ms) == (60000, 1000)
    assert type(integral.ttl_ms) is int and json.loads(fast.encode(integral))["ttlMs"] == 60000.0


UPDATE: dict[str, Any] = {"jsonrpc": "2.0", "id": 1, "method": "tasks/update", "params": {"taskId": "t"}}
FORM_FIELD = {**ELICITATION, "params": {"message": "m", "requestedSchema": {"type": "object", "properties": {}}}}
FORM_FIELD["params"]["requestedSchema"]["properties"]["p"] = {"type": "string", "minLength": "1"}


@pytest.mark.parametrize(
    ("shape", "message", "error", "path"),
    [
        ("GetTaskResult", {**TASK, "result": None}, "Input should be an object", "$.result"),
        ("GetTaskResult", {k: v for k, v in TASK.items() if k != "result"}, "Field required", "$.result"),
        ("GetTaskResult", {**TASK, "ttlMs": 60000.5}, "Input should be a valid integer", "$.ttlMs"),
        (
            "GetTaskResult",
            {**TASK, "ttlMs": 2**53},
            "Input should be less than or equal to 9007199254740991",
            "$.ttlMs",
        ),
        ("GetTaskResult", {**TASK, "statusMessage": None}, "Input should be a valid string", "$.statusMessage"),
        (
            "GetTaskResult",
            {**TASK, "status": "done"},
            "Input tag 'done' found using 'status' does not match any of the expected tags: 'working', "
            "'input_required', 'completed', 'failed', 'cancelled'",
            "$",
        ),
        (
            "UpdateTaskRequest",
            {**UPDATE, "params": {"taskId": "t", "inputResponses": {"city-1": {"action": "maybe"}}}},
            "Input should be 'accept', 'cancel' or 'decline'",
            '$.params.inputResponses["city-1"].action',
        ),
        (
            "GetTaskResult",
            {**TASK, "status": "input_required", "inputRequests": {"q": FORM_FIELD}},
            "Input should be a valid integer",
            "$.inputRequests.q.params.requestedSchema.properties.p.minLength",
        ),
        ("TasksExtensionCapability", {"x": 1}, "Extra inputs are not permitted", "$.x"),
        ("GetTaskResult", '{"taskId": ', "Invalid JSON: Input data was truncated", "$"),
    ],
)
def test_an_error_says_what_and_where(shape: str, message: Any, error: str, path: str) -> None:
    text = message if isinstance(message, str) else json.dumps(message)
    assert not model_accepts("wire", shape, text)
    with pytest.raises(fast.ValidationError) as caught:
        fast.decoder(shape).decode(text)
    assert (caught.value.message, caught.value.path) == (error, path)
    assert str(caught.value) == f"{error} - at `{path}`" and isinstance(caught.value, ValueError)


def test_a_form_field_prefers_the_variant_that_knows_every_member() -> None:
    field = decode("PrimitiveSchemaDefinition", {"type": "string", "enum": ["a"]})
    assert isinstance(field, fast.UntitledSingleSelectEnumSchema)  # StringSchema would take `enum` as unknown
    legacy = decode("PrimitiveSchemaDefinition", {"type": "string", "enum": ["a"], "enumNames": ["A"]})
    assert isinstance(legacy, fast.LegacyTitledEnumSchema)


def test_importing_the_core_package_never_imports_msgspec() -> None:
    probe = "import sys, mcp_ext_tasks, mcp_ext_tasks.wire, mcp_ext_tasks.typed; print('msgspec' in sys.modules)"
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "False"
    star = "import sys; from mcp_ext_tasks import *; print('msgspec' in sys.modules)"
    assert subprocess.run([sys.executable, "-c", star], capture_output=True, text=True, check=True).stdout == "False\n"


def test_every_struct_reads_and_writes_the_wire_names_of_its_shape() -> None:
    spec = spec_ir().versions[0].spec
    view = FastView(spec)
    for shape in view.classes():
        fields = {f.name: f.encode_name for f in msgspec.structs.fields(getattr(fast, shape.name))}
        tag = view.tags.get(shape.name)
        assert fields == {f.py_name: f.wire_name for f in shape.fields if tag is None or f.wire_name != tag[0]}
    assert all(camel(f.py_name) == _fast.camel(f.py_name) for s in view.classes() for f in s.fields)


def test_the_view_of_the_real_spec() -> None:
    view = FastView(spec_ir().versions[0].spec)
    assert view.exact_unions == {
        "InputResponse",
        "ResourceContents",
        "ElicitRequestParams",
        "PrimitiveSchemaDefinition",
    }
    assert view.tags["GetCompletedTaskResult"] == ("status", "completed") and "Task" not in view.tags
    assert view.any_json == {"JSONValue"} and "MetaObject" in view.dicts
    assert view.base(view.spec.by_name["GetCompletedTaskResult"]) == "CompletedTask"  # type: ignore[arg-type]


ODD_SPEC = """\
extension:
  id: example/odd
  title: Odd extension
  sep: 1
  package: odd_ext
  schema_id: https://example.com/odd.json
  description: Shapes the real spec does not have.
shapes:
  Flag:
    kind: object
    description: A closed object with boolean and integer consts.
    additional: forbid
    fields:
      on: {const: true, description: Always true.}
      level: {const: 2, description: Always 2.}
  Tree:
    kind: union
    description: A recursive union without discriminator.
    variants: [Leaf, {array: Tree}]
  Leaf:
    kind: object
    description: A leaf.
    fields:
      name: {type: string, description: Its name.}
      size: {type: integer, required: false, description: Its size.}
  Pair:
    kind: union
    description: Two objects msgspec cannot tell apart.
    variants: [Leaf, Flag]
"""


def test_the_rarer_kinds_of_a_spec_decode_exactly(tmp_path: Path) -> None:
    """Boolean and integer consts, a closed object, a recursive union without discriminator."""
    done = run_codegen("generate", "--spec", write_spec(tmp_path / "spec", ODD_SPEC), "--out", tmp_path / "out")
    assert done.returncode == 0, done.stderr
    probe = textwrap.dedent(
        """
        import json
        from odd_ext import fast
        def verdict(shape, text):
            try:
                return json.loads(fast.encode(fast.decoder(shape).decode(text)))
            except fast.ValidationError as error:
                return error.path
        print(json.dumps([
            verdict("Flag", '{"on": true, "level": 2.0}'), verdict("Flag", '{"on": 1, "level": 2}'),
            verdict("Flag", '{"on": true, "level": 2, "x": 0}'), verdict("Tree", '[[{"name": "a", "size": 3.0}], []]'),
            verdict("Tree", '[[{"name": "a", "extra": null}]]'), verdict("Tree", '[[{"name": 1}]]'),
            verdict("Pair", '{"on": true, "level": 2}'), verdict("Pair", '{"name": "n", "on": true}'),
        ]))
        """
    )
    out = subprocess.run([sys.executable, "-c", probe], cwd=tmp_path / "out", capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert json.loads(out.stdout) == [
        {"on": True, "level": 2},
        "$.on",
        "$.x",
        [[{"name": "a", "size": 3}], []],
        [[{"name": "a", "extra": None}]],
        "$[0][0].name",
        {"on": True, "level": 2},
        {"name": "n", "on": True},
    ]


def test_a_packed_all_is_what_ruff_writes_and_sorts() -> None:
    names = ["decoder", "UNSET", "HTTP2", "ValidationError", "JSONValue", "A", "encode", "a10", "a2"]
    names += [f"Shape{i}" for i in range(40)]
    text = packed_all(names) + "\n"
    assert format_python({"m.py": text})["m.py"] == text
    assert len(text.splitlines()) < len(names) // 4

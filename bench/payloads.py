"""The benchmark's payloads: realistic, fixed JSON bytes for each wire shape on the hot path."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

NOW = "2026-11-24T10:00:00Z"
LATER = "2026-11-24T10:00:42Z"


@dataclass(frozen=True)
class Payload:
    """One benchmark input: a name, the wire shape it is, its JSON bytes and the seed model that parses it."""

    name: str
    shape: str
    seed: str | None
    data: bytes


def _task(status: str, **extra: Any) -> dict[str, Any]:
    return {
        "taskId": "8c1f4e0a-4a7e-4b43-9b8e-2f8f8d7b1c55",
        "status": status,
        "statusMessage": f"task is {status}",
        "createdAt": NOW,
        "lastUpdatedAt": LATER,
        "ttlMs": 3_600_000,
        "pollIntervalMs": 2_000,
        **extra,
    }


def call_tool_result(blocks: int) -> dict[str, Any]:
    """A CallToolResult with `blocks` text blocks and structured content (about 400 bytes a block)."""
    rows = [
        {"day": f"2026-11-{24 + i % 6:02d}", "city": "Lyon", "high": 12 + i % 5, "low": 4 + i % 3, "rain": i % 2 == 0}
        for i in range(blocks)
    ]
    text = (
        "Forecast for {day} in {city}: high {high} °C, low {low} °C, {rain}. Wind from the south-west at 15 km/h, "
        "gusts to 30 km/h; humidity 70 %; sunrise 07:58, sunset 17:03. Air quality good."
    )
    return {
        "content": [
            {"type": "text", "text": text.format(**{**row, "rain": "rain" if row["rain"] else "dry"})} for row in rows
        ],
        "structuredContent": {"forecast": rows, "units": {"temperature": "celsius", "wind": "km/h"}},
        "isError": False,
    }


def _message(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def payloads() -> list[Payload]:
    """Every payload, in report order."""
    elicitation = {
        "method": "elicitation/create",
        "params": {
            "mode": "form",
            "message": "Which city should the forecast cover?",
            "requestedSchema": {
                "type": "object",
                "properties": {
                    "city": {"type": "string", "title": "City", "minLength": 1},
                    "days": {"type": "integer", "title": "Days", "minimum": 1, "maximum": 7},
                    "units": {"type": "string", "enum": ["celsius", "fahrenheit"]},
                },
                "required": ["city"],
            },
        },
    }
    sampling = {
        "method": "sampling/createMessage",
        "params": {
            "messages": [{"role": "user", "content": {"type": "text", "text": "Summarise the forecast in one line."}}],
            "maxTokens": 200,
            "temperature": 0.2,
            "modelPreferences": {"hints": [{"name": "small"}], "speedPriority": 0.8},
        },
    }
    meta = {"io.modelcontextprotocol/serverInfo": {"name": "weather-server", "version": "3.1.0"}}
    return [
        Payload(
            "completed GetTaskResult (2 KB result)",
            "GetTaskResult",
            "GetTaskResult",
            _message({**_task("completed", result=call_tool_result(6)), "resultType": "complete", "_meta": meta}),
        ),
        Payload(
            "input_required GetTaskResult",
            "GetTaskResult",
            "GetTaskResult",
            _message(
                {
                    **_task("input_required", inputRequests={"city-1": elicitation, "summary-1": sampling}),
                    "resultType": "complete",
                }
            ),
        ),
        Payload(
            "failed GetTaskResult",
            "GetTaskResult",
            "GetTaskResult",
            _message(
                {
                    **_task(
                        "failed",
                        error={
                            "code": -32603,
                            "message": "Upstream weather service unavailable",
                            "data": {"upstream": "api.weather.example", "status": 503, "retryAfterMs": 30000},
                        },
                    ),
                    "resultType": "complete",
                }
            ),
        ),
        Payload(
            "minimal CreateTaskResult",
            "CreateTaskResult",
            "CreateTaskResult",
            _message(
                {
                    "taskId": "t-1",
                    "status": "working",
                    "createdAt": NOW,
                    "lastUpdatedAt": NOW,
                    "ttlMs": None,
                    "resultType": "task",
                }
            ),
        ),
        Payload(
            "notifications/tasks",
            "TaskStatusNotification",
            "TaskStatusNotification",
            _message(
                {
                    "jsonrpc": "2.0",
                    "method": "notifications/tasks",
                    "params": {**_task("working"), "_meta": {"io.modelcontextprotocol/subscriptionId": 17}},
                }
            ),
        ),
        Payload(
            "tasks/update request",
            "UpdateTaskRequest",
            "UpdateTaskRequest",
            _message(
                {
                    "jsonrpc": "2.0",
                    "id": 42,
                    "method": "tasks/update",
                    "params": {
                        "taskId": "8c1f4e0a-4a7e-4b43-9b8e-2f8f8d7b1c55",
                        "inputResponses": {
                            "city-1": {"action": "accept", "content": {"city": "Lyon", "days": 3, "units": "celsius"}},
                            "summary-1": {
                                "role": "assistant",
                                "content": {"type": "text", "text": "Mild and mostly dry."},
                                "model": "small-1",
                                "stopReason": "endTurn",
                            },
                        },
                    },
                }
            ),
        ),
        Payload(
            "large completed GetTaskResult (200 KB result)",
            "GetTaskResult",
            "GetTaskResult",
            _message({**_task("completed", result=call_tool_result(740)), "resultType": "complete"}),
        ),
    ]

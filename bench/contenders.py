"""What the generated models are measured against: a hand-written msgspec set and datamodel-code-generator's
models of the official schema."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
import tempfile
from pathlib import Path
from types import ModuleType
from typing import Annotated, Any, Literal

import msgspec

Int53 = Annotated[int, msgspec.Meta(ge=-(2**53 - 1), le=2**53 - 1)]


class _TaskFields(msgspec.Struct, kw_only=True, tag_field="status"):
    taskId: str
    createdAt: str
    lastUpdatedAt: str
    ttlMs: Int53 | None
    statusMessage: str | msgspec.UnsetType = msgspec.UNSET
    pollIntervalMs: Int53 | msgspec.UnsetType = msgspec.UNSET
    _meta: dict[str, Any] | msgspec.UnsetType = msgspec.field(default=msgspec.UNSET, name="_meta")


class _Task(_TaskFields, kw_only=True):
    resultType: Literal["complete"]


class WorkingResult(_Task, tag="working"):
    pass


class InputRequiredResult(_Task, tag="input_required"):
    inputRequests: dict[str, dict[str, Any]]


class CompletedResult(_Task, tag="completed"):
    result: dict[str, Any]


class ErrorObject(msgspec.Struct):
    code: int
    message: str
    data: Any = msgspec.UNSET


class FailedResult(_Task, tag="failed"):
    error: ErrorObject


class CancelledResult(_Task, tag="cancelled"):
    pass


GetTaskResult = WorkingResult | InputRequiredResult | CompletedResult | FailedResult | CancelledResult


class CreateTaskResult(msgspec.Struct, kw_only=True):
    taskId: str
    status: Literal["working", "input_required", "completed", "failed", "cancelled"]
    createdAt: str
    lastUpdatedAt: str
    ttlMs: Int53 | None
    resultType: Literal["task"]
    statusMessage: str | msgspec.UnsetType = msgspec.UNSET
    pollIntervalMs: Int53 | msgspec.UnsetType = msgspec.UNSET


class WorkingParams(_TaskFields, tag="working"):
    pass


class TaskStatusNotification(msgspec.Struct):
    jsonrpc: Literal["2.0"]
    method: Literal["notifications/tasks"]
    params: WorkingParams


class UpdateParams(msgspec.Struct):
    taskId: str
    inputResponses: dict[str, dict[str, Any]]


class UpdateTaskRequest(msgspec.Struct):
    jsonrpc: Literal["2.0"]
    id: str | int
    method: Literal["tasks/update"]
    params: UpdateParams


MSGSPEC_TYPES: dict[str, Any] = {
    "GetTaskResult": GetTaskResult,
    "CreateTaskResult": CreateTaskResult,
    "TaskStatusNotification": TaskStatusNotification,
    "UpdateTaskRequest": UpdateTaskRequest,
}
"""A practical lower bound for typed decoding: tagged unions on `status`, written by hand for these payloads
(the notification decoder knows only the `working` variant the payload uses)."""


def datamodel_codegen_models(official_schema: Path) -> ModuleType:
    """Build and import the pydantic v2 models datamodel-code-generator makes from the official schema."""
    out = Path(tempfile.mkdtemp(prefix="bench-dmcg-")) / "official_models.py"
    subprocess.run(
        [
            sys.executable, "-m", "datamodel_code_generator", "--input", str(official_schema),
            "--input-file-type", "jsonschema", "--output-model-type", "pydantic_v2.BaseModel",
            "--target-python-version", "3.11", "--use-annotated", "--field-constraints", "--output", str(out),
        ],
        check=True,
        capture_output=True,
    )  # fmt: skip
    spec = importlib.util.spec_from_file_location("official_models", out)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["official_models"] = module
    spec.loader.exec_module(module)
    return module

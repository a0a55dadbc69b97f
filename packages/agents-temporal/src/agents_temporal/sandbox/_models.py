"""Both sides: what crosses the sandbox activity boundary.

Every sandbox operation is one activity taking one model and returning one. Each argument
carries the session's serializable state (``SandboxSessionState``, of the backend's own
subclass), so any worker can serve it: one that has the live session in memory uses it, any
other resumes the session from that state. Bytes (file contents, command output, workspace
archives) cross as base64, so binary data survives JSON unchanged.
"""

from __future__ import annotations

from base64 import b64decode, b64encode
from typing import Annotated, Any, cast

from agents.sandbox import Manifest
from agents.sandbox.session.sandbox_client import BaseSandboxClientOptions
from agents.sandbox.session.sandbox_session_state import SandboxSessionState
from agents.sandbox.snapshot import SnapshotBase, SnapshotSpecUnion
from agents.sandbox.types import User
from pydantic import BaseModel, BeforeValidator, PlainSerializer, SerializeAsAny, field_validator


def _to_bytes(value: object) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return b64decode(value, validate=True)
    raise ValueError(f"expected bytes or a base64 string, got {type(value).__name__}")


Base64Bytes = Annotated[
    bytes,
    BeforeValidator(_to_bytes),
    PlainSerializer(lambda value: b64encode(value).decode("ascii"), return_type=str),
]
"""Bytes held as bytes, written to JSON as base64."""


class SessionArgs(BaseModel):
    """An operation on one session, which any worker can serve from ``state``."""

    state: SerializeAsAny[SandboxSessionState]
    """The session's state, as the backend's own subclass."""

    @field_validator("state", mode="before")
    @classmethod
    def _backend_state(cls, value: object) -> SandboxSessionState:
        # The field is typed as the base class; `parse` picks the backend's subclass by its
        # `type` tag, so backend fields (a workspace path, a container id) survive the trip.
        return SandboxSessionState.parse(value)


class CreateSessionArgs(BaseModel):
    """Create a session (``BaseSandboxClient.create``)."""

    snapshot_spec: SnapshotSpecUnion | SerializeAsAny[SnapshotBase] | None = None
    manifest: Manifest | None = None
    client_options: SerializeAsAny[BaseSandboxClientOptions] | None = None

    @field_validator("snapshot_spec", mode="before")
    @classmethod
    def _snapshot(cls, value: object) -> object:
        # A snapshot instance has an `id`, a snapshot spec has none: that tells the two
        # unions apart once they are plain JSON.
        if isinstance(value, dict) and "id" in value:
            return SnapshotBase.parse(cast(dict[str, Any], value))
        return cast(Any, value)

    @field_validator("client_options", mode="before")
    @classmethod
    def _options(cls, value: object) -> BaseSandboxClientOptions | None:
        return None if value is None else BaseSandboxClientOptions.parse(value)


class ResumeSessionArgs(SessionArgs):
    """Resume a session from its state (``BaseSandboxClient.resume``)."""


class SessionResult(SessionArgs):
    """A session made or changed by an activity: its new state and what it supports."""

    supports_pty: bool


class StartArgs(SessionArgs):
    """Start a session: materialize its manifest, or restore its workspace."""


class StopArgs(SessionArgs):
    """Stop, shut down or delete a session."""


class RunningArgs(SessionArgs):
    """Ask whether a session is running."""


class ExecArgs(SessionArgs):
    """Run a command in a session."""

    command: list[str]
    timeout: float | None = None
    shell: bool | list[str] = True
    user: str | User | None = None


class ReadArgs(SessionArgs):
    """Read a file of a session."""

    path: str


class WriteArgs(SessionArgs):
    """Write a file of a session."""

    path: str
    data: Base64Bytes


class PersistWorkspaceArgs(SessionArgs):
    """Archive a session's workspace."""


class HydrateWorkspaceArgs(SessionArgs):
    """Restore a session's workspace from an archive."""

    data: Base64Bytes


class PtyExecStartArgs(SessionArgs):
    """Start an interactive process in a session."""

    command: list[str]
    timeout: float | None = None
    shell: bool | list[str] = True
    user: str | User | None = None
    tty: bool = False
    yield_time_s: float | None = None
    max_output_tokens: int | None = None


class PtyWriteStdinArgs(SessionArgs):
    """Write to an interactive process of a session."""

    session_id: int
    chars: str
    yield_time_s: float | None = None
    max_output_tokens: int | None = None


class ExecResult(BaseModel):
    """What a command printed and how it ended."""

    stdout: Base64Bytes
    stderr: Base64Bytes
    exit_code: int


class PtyExecUpdateResult(BaseModel):
    """Output of an interactive process so far."""

    process_id: int | None
    output: Base64Bytes
    exit_code: int | None
    original_token_count: int | None


class ReadResult(BaseModel):
    """A file's contents."""

    data: Base64Bytes


class RunningResult(BaseModel):
    """Whether the session is running."""

    is_running: bool


class PersistWorkspaceResult(BaseModel):
    """A workspace archive."""

    data: Base64Bytes


def activity_name(provider: str, operation: str) -> str:
    """The activity type of ``operation`` on the sandbox provider named ``provider``.

    The published integration's names (``daytona-sandbox_session_exec``), so a workflow it
    started can continue on our workers and the other way round.
    """
    scope = "client" if operation in ("create", "resume", "delete") else "session"
    return f"{provider}-sandbox_{scope}_{operation}"

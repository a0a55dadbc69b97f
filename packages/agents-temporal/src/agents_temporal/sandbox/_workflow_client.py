"""Workflow side: a sandbox client and session whose every operation is an activity.

The Agents SDK drives a ``SandboxAgent``'s sandbox through ``BaseSandboxClient`` and
``BaseSandboxSession``. Inside a workflow these stand-ins take their place: they hold only the
session's serializable state, and each call schedules the matching activity of the
``SandboxClientProvider`` registered on the workers under the same name, which does the real
work with the real client. Commands, files and processes therefore never touch the workflow,
and a run resumes after a worker restart from the state its history holds.
"""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path
from typing import Any, TypeVar

from agents.sandbox import Manifest
from agents.sandbox.session.base_sandbox_session import BaseSandboxSession
from agents.sandbox.session.pty_types import PtyExecUpdate
from agents.sandbox.session.sandbox_client import BaseSandboxClient, BaseSandboxClientOptions
from agents.sandbox.session.sandbox_session import SandboxSession
from agents.sandbox.session.sandbox_session_state import SandboxSessionState
from agents.sandbox.snapshot import SnapshotBase, SnapshotSpec, SnapshotSpecUnion
from agents.sandbox.types import ExecResult, User
from pydantic import BaseModel, TypeAdapter
from temporalio import workflow
from temporalio.workflow import ActivityConfig

from .._errors import AgentsWorkflowError
from ._models import (
    CreateSessionArgs,
    ExecArgs,
    HydrateWorkspaceArgs,
    PersistWorkspaceArgs,
    PersistWorkspaceResult,
    PtyExecStartArgs,
    PtyExecUpdateResult,
    PtyWriteStdinArgs,
    ReadArgs,
    ReadResult,
    ResumeSessionArgs,
    RunningArgs,
    RunningResult,
    SessionResult,
    StartArgs,
    StopArgs,
    WriteArgs,
    activity_name,
)
from ._models import ExecResult as ExecResultData

_DEFAULT_CONFIG = ActivityConfig(start_to_close_timeout=timedelta(minutes=5))
_SPECS: TypeAdapter[SnapshotSpecUnion] = TypeAdapter(SnapshotSpecUnion)

_R = TypeVar("_R")


def check_no_host_paths(manifest: Manifest | None) -> None:
    """Refuse a manifest whose path grants bind host paths.

    A grant's ``host_path`` would be written into the activity argument, and so into history;
    the message names the sandbox paths only, since it is itself written there.

    Raises:
        AgentsWorkflowError: Naming every sandbox path whose grant has a ``host_path``.
    """
    if manifest is None:
        return
    bound = [grant.path for grant in manifest.extra_path_grants if grant.host_path is not None]
    if bound:
        raise AgentsWorkflowError(
            f"Sandbox path grants with a host_path cannot be used in a workflow (found: "
            f"{', '.join(bound)}): the host path would be written into the workflow's history "
            "with the sandbox activity's argument. Remove host_path from these grants, or "
            "mount the host directory in the sandbox backend the worker configures."
        )


class TemporalSandboxSession(BaseSandboxSession):
    """A sandbox session whose operations run as the provider's activities."""

    def __init__(
        self,
        name: str,
        config: ActivityConfig,
        state: SandboxSessionState,
        supports_pty_flag: bool = True,
    ) -> None:
        self._name = name
        self._config = config
        self.state = state
        self._supports_pty = supports_pty_flag

    async def _call(self, operation: str, arg: BaseModel, result_type: type[_R]) -> _R:
        return await workflow.execute_activity(
            activity_name(self._name, operation),
            arg=arg,
            result_type=result_type,
            **self._config,
        )

    async def _call_updating_state(self, operation: str, arg: BaseModel) -> None:
        # Starting and stopping change the state (workspace ready, snapshot taken). The
        # activity runs elsewhere, so the change only reaches the workflow in its result.
        # `None` is what workers of the published integration return: the state is kept.
        result_type: Any = SessionResult | None
        result: SessionResult | None = await self._call(operation, arg, result_type)
        if result is not None:
            self.state = result.state

    # The SDK's session interface names these parameters `timeout`.
    async def exec(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109
        shell: bool | list[str] = True,
        user: str | User | None = None,
    ) -> ExecResult:
        """Run a command in the sandbox, as an activity."""
        result = await self._call(
            "exec",
            ExecArgs(
                state=self.state,
                command=[str(part) for part in command],
                timeout=timeout,
                shell=shell,
                user=user,
            ),
            ExecResultData,
        )
        return ExecResult(stdout=result.stdout, stderr=result.stderr, exit_code=result.exit_code)

    async def _exec_internal(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109
    ) -> ExecResult:
        raise NotImplementedError("TemporalSandboxSession runs exec() as an activity")

    async def read(self, path: Path, *, user: str | User | None = None) -> io.IOBase:
        """Read a file of the sandbox, as an activity."""
        result = await self._call("read", ReadArgs(state=self.state, path=str(path)), ReadResult)
        return io.BytesIO(result.data)

    async def write(self, path: Path, data: io.IOBase, *, user: str | User | None = None) -> None:
        """Write a file of the sandbox, as an activity."""
        await self._call(
            "write",
            WriteArgs(state=self.state, path=str(path), data=data.read()),
            type(None),
        )

    async def running(self) -> bool:
        """Whether the sandbox runs, as an activity."""
        result = await self._call("running", RunningArgs(state=self.state), RunningResult)
        return result.is_running

    async def start(self) -> None:
        """Start the sandbox (materialize the manifest, or restore the workspace)."""
        await self._call_updating_state("start", StartArgs(state=self.state))

    async def stop(self) -> None:
        """Stop the sandbox (persisting its workspace snapshot, if it has one)."""
        await self._call_updating_state("stop", StopArgs(state=self.state))

    async def shutdown(self) -> None:
        """Shut the sandbox down on the worker that holds it."""
        await self._call("shutdown", StopArgs(state=self.state), type(None))

    async def persist_workspace(self) -> io.IOBase:
        """Archive the workspace, as an activity."""
        result = await self._call(
            "persist_workspace", PersistWorkspaceArgs(state=self.state), PersistWorkspaceResult
        )
        return io.BytesIO(result.data)

    async def hydrate_workspace(self, data: io.IOBase) -> None:
        """Restore the workspace from an archive, as an activity."""
        await self._call(
            "hydrate_workspace",
            HydrateWorkspaceArgs(state=self.state, data=data.read()),
            type(None),
        )

    def supports_pty(self) -> bool:
        """Whether the backend runs interactive processes."""
        return self._supports_pty

    async def pty_exec_start(
        self,
        *command: str | Path,
        timeout: float | None = None,  # noqa: ASYNC109
        shell: bool | list[str] = True,
        user: str | User | None = None,
        tty: bool = False,
        yield_time_s: float | None = None,
        max_output_tokens: int | None = None,
    ) -> PtyExecUpdate:
        """Start an interactive process, as an activity."""
        result = await self._call(
            "pty_exec_start",
            PtyExecStartArgs(
                state=self.state,
                command=[str(part) for part in command],
                timeout=timeout,
                shell=shell,
                user=user,
                tty=tty,
                yield_time_s=yield_time_s,
                max_output_tokens=max_output_tokens,
            ),
            PtyExecUpdateResult,
        )
        return _pty_update(result)

    async def pty_write_stdin(
        self,
        *,
        session_id: int,
        chars: str,
        yield_time_s: float | None = None,
        max_output_tokens: int | None = None,
    ) -> PtyExecUpdate:
        """Write to an interactive process, as an activity."""
        result = await self._call(
            "pty_write_stdin",
            PtyWriteStdinArgs(
                state=self.state,
                session_id=session_id,
                chars=chars,
                yield_time_s=yield_time_s,
                max_output_tokens=max_output_tokens,
            ),
            PtyExecUpdateResult,
        )
        return _pty_update(result)


def _pty_update(result: PtyExecUpdateResult) -> PtyExecUpdate:
    return PtyExecUpdate(
        process_id=result.process_id,
        output=result.output,
        exit_code=result.exit_code,
        original_token_count=result.original_token_count,
    )


class TemporalSandboxClient(BaseSandboxClient[BaseSandboxClientOptions]):
    """A sandbox client that creates, resumes and deletes sessions through activities.

    Made with ``agents_temporal.workflow.temporal_sandbox_client(name)``; ``name`` is the name
    of a ``SandboxClientProvider`` on the workers, whose real client does the work.
    """

    def __init__(self, name: str, config: ActivityConfig | None = None) -> None:
        self._name = name
        self._config: ActivityConfig = config or _DEFAULT_CONFIG
        self.backend_id = name

    @property
    def name(self) -> str:
        """The name of the ``SandboxClientProvider`` this client's activities reach."""
        return self._name

    def _session(self, result: SessionResult) -> SandboxSession:
        inner = TemporalSandboxSession(self._name, self._config, result.state, result.supports_pty)
        # The real client's instrumentation runs in the activities, next to the real session.
        return self._wrap_session(inner, instrumentation=None)

    async def create(
        self,
        *,
        snapshot: SnapshotSpec | SnapshotBase | None = None,
        manifest: Manifest | None = None,
        options: BaseSandboxClientOptions,
    ) -> SandboxSession:
        """Create a session on a worker, as an activity."""
        check_no_host_paths(manifest)
        spec = (
            _SPECS.validate_python(snapshot, from_attributes=True)
            if isinstance(snapshot, SnapshotSpec)
            else snapshot
        )
        result = await workflow.execute_activity(
            activity_name(self._name, "create"),
            arg=CreateSessionArgs(snapshot_spec=spec, manifest=manifest, client_options=options),
            result_type=SessionResult,
            **self._config,
        )
        return self._session(result)

    async def resume(self, state: SandboxSessionState) -> SandboxSession:
        """Resume a session from its state, as an activity."""
        check_no_host_paths(state.manifest)
        result = await workflow.execute_activity(
            activity_name(self._name, "resume"),
            arg=ResumeSessionArgs(state=state),
            result_type=SessionResult,
            **self._config,
        )
        return self._session(result)

    async def delete(self, session: SandboxSession) -> SandboxSession:
        """Delete a session and its resources, as an activity."""
        await workflow.execute_activity(
            activity_name(self._name, "delete"),
            arg=StopArgs(state=session.state),
            **self._config,
        )
        return session

    def deserialize_session_state(self, payload: dict[str, Any]) -> SandboxSessionState:
        """Rebuild a session state of any backend from its JSON form."""
        return SandboxSessionState.parse(payload)


def temporal_sandbox_client(
    name: str, config: ActivityConfig | None = None
) -> TemporalSandboxClient:
    """The sandbox client a workflow gives ``SandboxRunConfig(client=...)``.

    Every sandbox operation of the run becomes an activity of the ``SandboxClientProvider``
    registered on the workers under ``name``, so one worker can offer several backends.

    Example:
        ```python
        run_config = RunConfig(
            sandbox=SandboxRunConfig(
                client=temporal_sandbox_client("local"),
                options=UnixLocalSandboxClientOptions(),
            )
        )
        result = await Runner.run(sandbox_agent, "Summarize the repository", run_config=run_config)
        ```

    Args:
        name: The name of a ``SandboxClientProvider`` on the workers.
        config: How the sandbox activities are scheduled (timeouts, retries, task queue);
            by default each may take 5 minutes and is retried as Temporal retries activities.
    """
    return TemporalSandboxClient(name, config)

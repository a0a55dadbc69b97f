"""Activity side: ``SandboxClientProvider``, a real sandbox client served as activities."""

from __future__ import annotations

import asyncio
import contextlib
import io
from collections.abc import AsyncGenerator, Callable, Collection, Sequence
from pathlib import Path
from typing import Any

from agents.sandbox import Manifest
from agents.sandbox.errors import SandboxError
from agents.sandbox.session.pty_types import PtyExecUpdate
from agents.sandbox.session.sandbox_client import BaseSandboxClient
from agents.sandbox.session.sandbox_session import SandboxSession
from temporalio import activity
from temporalio.exceptions import ApplicationError

from .._temporal_worker_env_ref import (
    AllowAllWorkerEnvVars,
    Resolvable,
    TemporalWorkerEnvValue,
    resolvable_names_scope,
    snapshot_names,
)
from ._models import (
    CreateSessionArgs,
    ExecArgs,
    ExecResult,
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
    SessionArgs,
    SessionResult,
    StartArgs,
    StopArgs,
    WriteArgs,
    activity_name,
)


async def _beat(interval: float) -> None:
    while True:
        activity.heartbeat()
        await asyncio.sleep(interval)


@contextlib.asynccontextmanager
async def _sandbox_activity(names: Resolvable) -> AsyncGenerator[None]:
    """The body of every sandbox activity: worker secrets readable, terminal errors final.

    Temporal retries an activity's exceptions; a ``SandboxError`` the SDK marks as terminal
    (``retryable is False``) becomes a non-retryable ``ApplicationError`` of its error code,
    while transient and unclassified ones stay as they are and are retried. When the workflow
    set a heartbeat timeout, the activity heartbeats while it runs, so that a worker that dies
    in a long command is noticed within that timeout instead of the start-to-close timeout.
    """
    heartbeat_timeout = activity.info().heartbeat_timeout if activity.in_activity() else None
    beating = (
        asyncio.create_task(_beat(max(heartbeat_timeout.total_seconds() / 3, 0.05)))
        if heartbeat_timeout
        else None
    )
    try:
        with resolvable_names_scope(names):
            yield
    except SandboxError as error:
        if error.retryable is False:
            raise ApplicationError(
                str(error), type=str(error.error_code), non_retryable=True
            ) from error
        raise
    finally:
        if beating is not None:
            beating.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await beating


async def _check_worker_values(manifest: Manifest | None) -> None:
    """Resolve the manifest's worker values once, before a sandbox is made or resumed.

    Backends read the environment when they start a process, in the middle of a tool call; a
    name this worker cannot resolve is better refused here, where the run's sandbox is set up,
    with the error ``TemporalWorkerEnvValue.resolve`` raises. The values are dropped.
    """
    if manifest is None:
        return
    for entry in manifest.environment.normalized().values():
        if isinstance(entry.value, TemporalWorkerEnvValue):
            await entry.value.resolve()


def _pty_result(update: PtyExecUpdate) -> PtyExecUpdateResult:
    return PtyExecUpdateResult(
        process_id=update.process_id,
        output=update.output,
        exit_code=update.exit_code,
        original_token_count=update.original_token_count,
    )


class SandboxClientProvider:
    """A sandbox backend offered to workflows under a name.

    Give providers to ``OpenAIAgentsPlugin(sandbox_clients=[...])``; a workflow reaches one with
    ``agents_temporal.workflow.temporal_sandbox_client(name)``. Each provider registers its own
    activities (``<name>-sandbox_client_create``, ``<name>-sandbox_session_exec``, ...), so
    several backends can share a worker:

    ```python
    plugin = OpenAIAgentsPlugin(
        sandbox_clients=[
            SandboxClientProvider("local", UnixLocalSandboxClient()),
            SandboxClientProvider("docker", DockerSandboxClient(docker.from_env())),
        ]
    )
    ```

    The provider keeps each live session in memory, by session id, on the worker that made it;
    another worker (or this one after a restart) resumes the session from the state the
    workflow sends with every operation.

    Args:
        name: The name workflows use; unique among the plugin's providers.
        client: The real sandbox client, which runs on the worker.
    """

    def __init__(self, name: str, client: BaseSandboxClient[Any]) -> None:
        self._name = name
        self._client = client
        self._sessions: dict[str, SandboxSession] = {}

    @property
    def name(self) -> str:
        """The name workflows use to reach this provider."""
        return self._name

    async def _session(self, args: SessionArgs) -> SandboxSession:
        key = str(args.state.session_id)
        session = self._sessions.get(key)
        if session is None:
            # Made by another worker, or by this one before it restarted: the backend reattaches
            # to the sandbox the state names, or makes a new one from its snapshot.
            session = await self._client.resume(args.state)
            self._sessions[key] = session
        return session

    def _keep(self, session: SandboxSession) -> SessionResult:
        self._sessions[str(session.state.session_id)] = session
        return SessionResult(state=session.state, supports_pty=session.supports_pty())

    def _get_activities(
        self, resolvable_worker_env_vars: Collection[str] | AllowAllWorkerEnvVars
    ) -> Sequence[Callable[..., Any]]:
        """The 14 activities of this provider, resolving only the names given."""
        names = snapshot_names(resolvable_worker_env_vars)
        return [*self._lifecycle_activities(names), *self._io_activities(names)]

    def _defn(self, operation: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
        return activity.defn(name=activity_name(self._name, operation))

    def _lifecycle_activities(self, names: Resolvable) -> list[Callable[..., Any]]:
        defn = self._defn

        @defn("create")
        async def create(args: CreateSessionArgs) -> SessionResult:
            async with _sandbox_activity(names):
                await _check_worker_values(args.manifest)
                session = await self._client.create(
                    snapshot=args.snapshot_spec,
                    manifest=args.manifest,
                    options=args.client_options,
                )
                return self._keep(session)

        @defn("resume")
        async def resume(args: ResumeSessionArgs) -> SessionResult:
            async with _sandbox_activity(names):
                await _check_worker_values(args.state.manifest)
                return self._keep(await self._client.resume(args.state))

        @defn("delete")
        async def delete(args: StopArgs) -> None:
            async with _sandbox_activity(names):
                await self._client.delete(await self._session(args))
                self._sessions.pop(str(args.state.session_id), None)

        @defn("start")
        async def start(args: StartArgs) -> SessionResult:
            async with _sandbox_activity(names):
                session = await self._session(args)
                await session.start()
                return self._keep(session)

        @defn("stop")
        async def stop(args: StopArgs) -> SessionResult:
            async with _sandbox_activity(names):
                session = await self._session(args)
                await session.stop()
                return self._keep(session)

        @defn("shutdown")
        async def shutdown(args: StopArgs) -> None:
            key = str(args.state.session_id)
            session = self._sessions.get(key)
            if session is None:
                # Nothing live here: a session this worker never held has no process of ours
                # to shut down, and resuming it just to stop it would start what we end.
                return
            try:
                async with _sandbox_activity(names):
                    await session.shutdown()
            except ApplicationError:
                # Terminal: the session is gone for good. A retryable error keeps it, so that
                # the activity's next attempt can still shut it down.
                del self._sessions[key]
                raise
            del self._sessions[key]

        return [create, resume, delete, start, stop, shutdown]

    def _io_activities(self, names: Resolvable) -> list[Callable[..., Any]]:
        defn = self._defn

        @defn("exec")
        async def exec_(args: ExecArgs) -> ExecResult:
            async with _sandbox_activity(names):
                session = await self._session(args)
                result = await session.exec(
                    *args.command, timeout=args.timeout, shell=args.shell, user=args.user
                )
                return ExecResult(
                    stdout=result.stdout, stderr=result.stderr, exit_code=result.exit_code
                )

        @defn("read")
        async def read(args: ReadArgs) -> ReadResult:
            async with _sandbox_activity(names):
                handle = await (await self._session(args)).read(Path(args.path))
                return ReadResult(data=handle.read())

        @defn("write")
        async def write(args: WriteArgs) -> None:
            async with _sandbox_activity(names):
                session = await self._session(args)
                await session.write(Path(args.path), io.BytesIO(args.data))

        @defn("running")
        async def running(args: RunningArgs) -> RunningResult:
            async with _sandbox_activity(names):
                return RunningResult(is_running=await (await self._session(args)).running())

        @defn("persist_workspace")
        async def persist_workspace(args: PersistWorkspaceArgs) -> PersistWorkspaceResult:
            async with _sandbox_activity(names):
                archive = await (await self._session(args)).persist_workspace()
                return PersistWorkspaceResult(data=archive.read())

        @defn("hydrate_workspace")
        async def hydrate_workspace(args: HydrateWorkspaceArgs) -> None:
            async with _sandbox_activity(names):
                session = await self._session(args)
                await session.hydrate_workspace(io.BytesIO(args.data))

        @defn("pty_exec_start")
        async def pty_exec_start(args: PtyExecStartArgs) -> PtyExecUpdateResult:
            async with _sandbox_activity(names):
                session = await self._session(args)
                update = await session.pty_exec_start(
                    *args.command,
                    timeout=args.timeout,
                    shell=args.shell,
                    user=args.user,
                    tty=args.tty,
                    yield_time_s=args.yield_time_s,
                    max_output_tokens=args.max_output_tokens,
                )
                return _pty_result(update)

        @defn("pty_write_stdin")
        async def pty_write_stdin(args: PtyWriteStdinArgs) -> PtyExecUpdateResult:
            async with _sandbox_activity(names):
                session = await self._session(args)
                update = await session.pty_write_stdin(
                    session_id=args.session_id,
                    chars=args.chars,
                    yield_time_s=args.yield_time_s,
                    max_output_tokens=args.max_output_tokens,
                )
                return _pty_result(update)

        return [
            exec_,
            read,
            write,
            running,
            persist_workspace,
            hydrate_workspace,
            pty_exec_start,
            pty_write_stdin,
        ]

"""Workflows of the sandbox tests: real SDK sandbox agents, their sandbox reached by name."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from agents import RunConfig, Runner
    from agents.sandbox import Manifest, SandboxAgent, SandboxRunConfig
    from agents.sandbox.capabilities import Shell
    from agents.sandbox.manifest import Environment
    from agents.sandbox.sandboxes.unix_local import UnixLocalSandboxClientOptions

    from agents_temporal import TemporalWorkerEnvValue
    from agents_temporal.workflow import temporal_sandbox_client


@dataclass
class SandboxTask:
    """What a sandbox agent is asked, and where its sandbox runs."""

    prompt: str
    backend: str = "local"
    """The name of the SandboxClientProvider on the workers."""
    secrets: dict[str, str] = field(default_factory=dict[str, str])
    """Sandbox environment variables read from worker variables: sandbox name -> worker name."""
    heartbeat_timeout_seconds: float | None = None
    """The sandbox activities' heartbeat timeout, short where a test kills a worker."""


@workflow.defn
class SandboxShellAgent:
    """A sandbox agent with a shell, whose every sandbox operation is an activity."""

    @workflow.run
    async def run(self, task: SandboxTask) -> str:
        agent = SandboxAgent[None](
            name="Shell agent",
            instructions="Use the shell to do what you are asked.",
            capabilities=[Shell()],
        )
        manifest = Manifest(
            environment=Environment(
                value={
                    name: TemporalWorkerEnvValue(name=worker_name)
                    for name, worker_name in task.secrets.items()
                }
            )
        )
        client = temporal_sandbox_client(
            task.backend,
            workflow.ActivityConfig(
                start_to_close_timeout=timedelta(seconds=60),
                heartbeat_timeout=timedelta(seconds=task.heartbeat_timeout_seconds)
                if task.heartbeat_timeout_seconds
                else None,
                retry_policy=RetryPolicy(maximum_attempts=3),
            ),
        )
        result = await Runner.run(
            agent,
            task.prompt,
            run_config=RunConfig(
                sandbox=SandboxRunConfig(
                    client=client, options=UnixLocalSandboxClientOptions(), manifest=manifest
                )
            ),
        )
        return str(result.final_output)


WORKFLOWS: list[type] = [SandboxShellAgent]

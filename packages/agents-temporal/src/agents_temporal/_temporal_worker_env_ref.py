"""Both sides: secrets that stay in the worker's environment, named in workflows.

A workflow must never hold a secret: whatever it passes to an activity is written into its
history. So a workflow names the secret instead, in one of two forms:

- ``temporal_worker_env_ref("NAME")``, a marker string put in a hosted tool's credentials (an
  MCP server's ``authorization`` or header values, a code interpreter's domain secrets), which
  the model activity replaces with the variable's value just before calling the model;
- ``TemporalWorkerEnvValue(name="NAME")``, a value in a sandbox manifest's environment, which
  the sandbox backend resolves inside a sandbox activity when it starts processes.

Either way the worker resolves only the names its plugin allows
(``OpenAIAgentsPlugin(resolvable_worker_env_vars=[...])``, or ``AllowAllWorkerEnvVars()``): the
workflow author chooses which secret a run uses, the worker's operator chooses which secrets
any run may use.

The module is named as the published integration names its own, so code written against
that integration's internals (its test suite does) finds these names here too.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import re
from collections.abc import Collection, Generator, Mapping
from contextvars import ContextVar
from typing import Any, Literal, cast

from agents.sandbox.manifest import EnvValue
from temporalio import workflow
from temporalio.exceptions import ApplicationError

_REF_PREFIX = "temporal.worker_env_ref:"
# `[^{}]*` keeps the scan linear: a value packed with unclosed openers is read once, never
# backtracked over, so a hostile tool configuration cannot stall the model activity.
_REF = re.compile(re.escape(_REF_PREFIX) + r"\{([^{}]*)\}")

UNRESOLVED = "TemporalWorkerEnvValueUnresolved"
"""ApplicationError type of a worker environment value that the worker cannot resolve."""


@dataclasses.dataclass(frozen=True)
class AllowAllWorkerEnvVars:
    """Let workflows read any environment variable of the worker.

    Pass an instance as ``OpenAIAgentsPlugin(resolvable_worker_env_vars=AllowAllWorkerEnvVars())``.
    Prefer a list of names: a sandbox manifest is written by workflow code, so with this any
    workflow can copy any worker variable into a sandbox, where a command the model composes
    can print it.
    """


Resolvable = frozenset[str] | AllowAllWorkerEnvVars
"""The names a worker resolves, fixed when its plugin is made."""


def snapshot_names(names: Collection[str] | AllowAllWorkerEnvVars) -> Resolvable:
    """Freeze the names a plugin was given, refusing the two easy mistakes.

    Raises:
        TypeError: A bare string (read as its characters) or the ``AllowAllWorkerEnvVars``
            class instead of an instance.
    """
    if isinstance(names, AllowAllWorkerEnvVars):
        return names
    if isinstance(names, str):
        raise TypeError(
            f"resolvable_worker_env_vars={names!r} is a single string, which would allow each "
            f"of its characters: pass a list of names, such as [{names!r}], or "
            "AllowAllWorkerEnvVars()"
        )
    if cast(object, names) is AllowAllWorkerEnvVars:
        raise TypeError(
            "resolvable_worker_env_vars was given the class AllowAllWorkerEnvVars: pass an "
            "instance, AllowAllWorkerEnvVars()"
        )
    return frozenset(names)


def is_resolvable(allowed: Resolvable, name: str) -> bool:
    """Whether a worker allowing ``allowed`` may read variable ``name``."""
    return isinstance(allowed, AllowAllWorkerEnvVars) or name in allowed


def temporal_worker_env_ref(name: str) -> str:
    """Name a secret in the worker's environment, for a hosted tool's credentials.

    Put the returned string where the secret would go: a ``HostedMCPTool``'s ``authorization``
    or a header value, or the ``value`` of a code interpreter's ``domain_secrets`` entry; it
    may be part of a longer value (``"Bearer " + temporal_worker_env_ref("TOKEN")``). Only the
    name enters the workflow's history; the model activity puts the value in its place, on
    workers whose plugin names it in ``resolvable_worker_env_vars``. A name a worker does not
    allow is left as it is; an allowed name that is unset becomes an empty string.

    Args:
        name: The environment variable that holds the secret on the workers.

    Returns:
        The reference to use in place of the secret.
    """
    return f"{_REF_PREFIX}{{{name}}}"


class WorkerEnvRefResolver:
    """Activity side: replaces the references in hosted tool configurations with values."""

    def __init__(self, names: Collection[str] | AllowAllWorkerEnvVars) -> None:
        self._allowed = snapshot_names(names)

    @property
    def allowed(self) -> Resolvable:
        """The names this resolver reads."""
        return self._allowed

    def _text(self, value: Any) -> Any:
        if not isinstance(value, str):
            return value

        def substitute(match: re.Match[str]) -> str:
            name = match.group(1)
            if not is_resolvable(self._allowed, name):
                return match.group(0)
            return os.environ.get(name, "")

        return _REF.sub(substitute, value)

    def _network_policy(self, policy: Any) -> Any:
        if not isinstance(policy, Mapping):
            return policy
        policy = cast(Mapping[str, Any], policy)
        secrets = policy.get("domain_secrets")
        if secrets is None:
            return dict(policy)
        resolved: list[Any] = []
        for entry in list(secrets):
            if isinstance(entry, Mapping):
                entry = cast(Mapping[str, Any], entry)
                entry = {**entry, "value": self._text(entry.get("value"))}
            resolved.append(entry)
        return {**policy, "domain_secrets": resolved}

    def mcp_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """A hosted MCP tool's configuration with its credentials resolved."""
        resolved = dict(config)
        if "authorization" in resolved:
            resolved["authorization"] = self._text(resolved["authorization"])
        headers = resolved.get("headers")
        if isinstance(headers, Mapping):
            resolved["headers"] = {
                key: self._text(value) for key, value in cast(Mapping[str, Any], headers).items()
            }
        return resolved

    def code_interpreter_config(self, config: Mapping[str, Any]) -> dict[str, Any]:
        """A code interpreter's configuration with its container's domain secrets resolved."""
        resolved = dict(config)
        container = resolved.get("container")
        if isinstance(container, Mapping) and "network_policy" in container:
            container = cast(Mapping[str, Any], container)
            resolved["container"] = {
                **container,
                "network_policy": self._network_policy(container["network_policy"]),
            }
        return resolved


_WorkerEnvRefResolver = WorkerEnvRefResolver
"""The published integration's (private) name for the resolver."""

_SCOPE: ContextVar[Resolvable] = ContextVar("agents_temporal.resolvable_worker_env_vars")


@contextlib.contextmanager
def resolvable_names_scope(names: Collection[str] | AllowAllWorkerEnvVars) -> Generator[None]:
    """Activity side: let ``TemporalWorkerEnvValue.resolve`` read ``names`` in the block."""
    token = _SCOPE.set(snapshot_names(names))
    try:
        yield
    finally:
        _SCOPE.reset(token)


def names_in_scope() -> Resolvable:
    """The names ``TemporalWorkerEnvValue`` may read here (none outside a sandbox activity)."""
    return _SCOPE.get(frozenset())


class TemporalWorkerEnvValue(EnvValue):
    """A sandbox environment value read from the worker's environment, never from history.

    Put it in a sandbox manifest in place of a secret:
    ``Environment(value={"API_KEY": TemporalWorkerEnvValue(name="WORKER_API_KEY")})``. Only
    the name travels through the workflow; the sandbox backend resolves it inside a sandbox
    activity, on workers whose plugin names it in ``resolvable_worker_env_vars``.
    """

    type: Literal["temporal.worker_env_value"] = "temporal.worker_env_value"  # pyright: ignore[reportIncompatibleVariableOverride]
    name: str
    """The worker's environment variable that holds the value."""

    async def resolve(self) -> str:
        """Read the value on the worker.

        Raises:
            ApplicationError: Non-retryable, of type ``TemporalWorkerEnvValueUnresolved``,
                when called in workflow code, when the worker does not allow the name, or
                when the variable is unset or empty. The message names the variable, never
                a value.
        """
        if workflow.in_workflow():
            raise ApplicationError(
                f"TemporalWorkerEnvValue({self.name!r}).resolve() must run in an activity: "
                "workflow code cannot read the worker's environment (it would not replay, and "
                "the value would enter the workflow's state). Leave it in the sandbox "
                "manifest; the sandbox activities resolve it.",
                type=UNRESOLVED,
                non_retryable=True,
            )
        if not is_resolvable(names_in_scope(), self.name):
            raise ApplicationError(
                f"The worker environment variable {self.name!r} is not resolvable on this "
                "worker: name it in OpenAIAgentsPlugin(resolvable_worker_env_vars=[...]) on "
                "the workers that run sandbox activities.",
                type=UNRESOLVED,
                non_retryable=True,
            )
        value = os.environ.get(self.name)
        if not value:
            raise ApplicationError(
                f"The worker environment variable {self.name!r} is unset or empty on this "
                "worker: set it in the environment of the workers that run sandbox activities.",
                type=UNRESOLVED,
                non_retryable=True,
            )
        return value

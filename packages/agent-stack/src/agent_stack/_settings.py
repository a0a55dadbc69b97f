"""The stack's settings model: what the worker, the console and the dev stack are configured by.

Only stack and worker concerns live here; an agent app declares its own settings
(`agents_temporal.apps.AppSettings`), so that the stack knows nothing of any app.
"""

from __future__ import annotations

import getpass
from collections.abc import Mapping
from pathlib import Path
from typing import ClassVar, Literal, Self, TypedDict

from pydantic import (
    Field,
    SecretStr,
    ValidationInfo,
    field_serializer,
    field_validator,
    model_validator,
)
from pydantic_core import PydanticCustomError
from temporalio.common import WorkerDeploymentVersion
from temporalio.service import TLSConfig

from agent_stack._settings_parsing import (
    EncryptionKeyring,
    check_host_port,
    check_http_url,
    check_operator_name,
    check_token,
    make_keyring,
    parse_allowed_hosts,
    parse_encryption_keys,
    parse_operators,
)
from agents_temporal.apps import AppSettings, SettingValue, redact_url

ModelMode = Literal["openai", "litellm", "offline"]
"""Which model provider the worker uses; see `Settings.model_mode`."""

PayloadStorage = Literal["local", "s3", "off"]
"""Where large payloads go: a local directory, an S3-compatible bucket, or nowhere."""

DEFAULT_OPENAI_MODEL = "gpt-4.1-mini"
"""The model agents use when MODEL is not set."""

LITELLM_PREFIX = "litellm/"
"""MODEL values starting with this route through LiteLLM: ``litellm/<provider>/<model>``."""

_URL_FIELDS = ("openai_base_url", "payload_s3_endpoint_url")


class TemporalConnectOptions(TypedDict):
    """Keyword arguments for `temporalio.client.Client.connect`, built from settings."""

    target_host: str
    namespace: str
    api_key: str | None
    tls: bool | TLSConfig


def _os_user() -> str:
    try:
        return getpass.getuser()
    except Exception:
        # getuser raises OSError or KeyError depending on the Python version; a container user
        # with no passwd entry and no USER variable still needs a name.
        return "operator"


def _conflict(problems: list[tuple[str, str]]) -> PydanticCustomError:
    # One error that carries every cross-field problem, each tagged with its variable;
    # load_settings unpacks them into one line per variable.
    text = "; ".join(f"{name}: {message}" for name, message in problems)
    return PydanticCustomError("settings_conflict", "{text}", {"text": text, "problems": problems})


class Settings(AppSettings):
    """Configuration from environment variables and an optional ``.env`` file.

    Every field reads the environment variable of the same name in capitals (``temporal_address``
    reads TEMPORAL_ADDRESS). Variables set in the process environment win over the ``.env``
    file; empty values count as unset. Every default works on one machine with `uv run dev`.

    The repr never shows a secret: secret fields are `SecretStr` and URL passwords are masked.
    Use `describe` for a printable summary and `load_settings` for one readable error message.
    """

    setting_hints: ClassVar[Mapping[str, str]] = {
        "TEMPORAL_TLS": "true or false, or unset it to decide from the credentials",
        "PAYLOAD_STORAGE_THRESHOLD_BYTES": "a non-negative number of bytes such as 65536",
        "WORKER_HEALTH_PORT": "a port number 1-65535 such as 8080, or unset it to turn it off",
        "WORKER_MAX_CONCURRENT_ACTIVITIES": "a positive whole number such as 100",
        "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS": "a whole number, at least 2, such as 8",
        "WORKER_STUCK_EXIT_SECONDS": "a whole number of seconds such as 60, or 0 to never exit",
        "WORKER_STICKY_QUEUE_TIMEOUT_SECONDS": "a positive whole number of seconds such as 10",
        "WORKER_DEPLOYMENT_NAME": "a name without dots such as 'durable-agents', or unset it",
        "WORKER_BUILD_ID": "the build's id such as the image tag '2026-12-06.1', or unset it",
        "CONSOLE_PORT": "a port number 1-65535 such as 8501",
        "CODEC_SERVER_PORT": "a port number 1-65535 such as 8234",
        "MODEL_TIMEOUT_SECONDS": "a whole number of seconds, at least 1, such as 120",
        "MODEL_HEARTBEAT_TIMEOUT_SECONDS": "a whole number of seconds, at least 1, such as 10",
        "MODEL_MAX_TOOL_CALLS": "a whole number, at least 1, such as 64",
        "TRACE_CONTENT": "true or false, or unset it to hide content when payloads are encrypted",
        "OPENAI_TRACE_EXPORT": "true or false",
        "CONSOLE_OPERATORS": "comma-separated name:token pairs such as "
        "'ada:<24 random characters>,grace:<another>'",
        "CONSOLE_ALLOWED_HOSTS": "comma-separated host names such as 'localhost,console.example'",
        "CODEC_SERVER_ALLOWED_HOSTS": "comma-separated host names such as 'localhost,127.0.0.1'",
    }

    # Agent apps
    agent_app_objects: str | None = None
    """Run and show only these agent apps, named ``module:attribute`` (space-separated).

    Unset means every installed app (entry point ``durable_agents.apps``). For apps that are
    not installed as packages with an entry point: a project's own module, or a test's app.
    """
    agent_app_names: str | None = None
    """Comma-separated names of the agent apps the worker serves and the console shows; unset:
    every installed one (``uv run worker --list-apps`` lists them)."""

    # Temporal
    temporal_address: str = "localhost:7233"
    """Temporal frontend as host:port (Temporal Cloud: ``<ns>.<account>.tmprl.cloud:7233``)."""
    temporal_namespace: str = Field(default="default", min_length=1)
    """Temporal namespace."""
    temporal_task_queue: str = Field(default="durable-agents", min_length=1)
    """Task queue that workers poll and clients start workflows on."""
    temporal_api_key: SecretStr | None = None
    """Temporal Cloud API key; implies TLS."""
    temporal_tls: bool | None = None
    """Use TLS; unset means on exactly when an API key or client certificate is set."""
    temporal_tls_client_cert_path: Path | None = None
    """Client certificate (PEM) for mTLS; set together with the key path."""
    temporal_tls_client_key_path: Path | None = None
    """Client private key (PEM) for mTLS; set together with the certificate path."""
    temporal_ui_url: str = "http://localhost:8233"
    """Temporal Web UI base URL, for links from the console and logs."""

    # Models
    openai_api_key: SecretStr | None = None
    """OpenAI API key; with it (and MODEL not litellm/...) agents use OpenAI models."""
    openai_base_url: str | None = None
    """Base URL of an OpenAI-compatible API, instead of api.openai.com."""
    model: str | None = None
    """Model for every agent: an OpenAI model name or ``litellm/<provider>/<model>``."""
    model_timeout_seconds: int = Field(default=120, ge=1)
    """Longest one model call may take before it is retried."""
    model_heartbeat_timeout_seconds: int = Field(default=10, ge=1)
    """How soon a model call on a worker that died is noticed and retried elsewhere."""
    model_max_tool_calls: int = Field(default=64, ge=1)
    """Most tool calls one model response may hold; a response with more fails its turn.

    A workflow handles every call of a response in one workflow task, which Temporal fails as
    a deadlock after 2 s; a model talked into thousands of calls would freeze the worker.
    """

    # Payload storage
    payload_storage: PayloadStorage = "local"
    """Where payloads above the threshold go: ``local``, ``s3`` or ``off``."""
    payload_storage_dir: Path = Path(".data/payloads")
    """Directory for ``local`` payload storage."""
    payload_storage_threshold_bytes: int = Field(default=64 * 1024, ge=0)
    """Payloads larger than this many bytes are stored outside workflow history."""
    payload_s3_bucket: str | None = None
    """Bucket for ``s3`` payload storage (required then)."""
    payload_s3_endpoint_url: str | None = None
    """S3-compatible endpoint (MinIO, R2, ...); unset means AWS S3."""
    payload_s3_prefix: str = "payloads/"
    """Key prefix for stored payloads inside the bucket."""

    # Payload encryption
    payload_encryption_keys: SecretStr | None = None
    """Comma-separated ``key_id:base64-32-byte-key`` entries; unset means encryption off."""
    payload_encryption_key_id: str | None = None
    """Id of the key that encrypts new payloads; defaults to the first configured key."""

    # Observability
    otel_exporter_otlp_endpoint: str | None = None
    """OTLP endpoint for traces (e.g. ``http://localhost:4318``); unset means no export."""
    otel_service_name: str | None = None
    """OpenTelemetry service name; unset means ``durable-agents-<app>``."""
    trace_content: bool | None = None
    """Whether exported spans carry messages, tool arguments and outputs.

    Unset means they do, except when payloads are encrypted: encryption keeps content out of
    Temporal, so it must not leave in traces instead. Names, timings and token counts stay.
    """
    openai_trace_export: bool = False
    """Send Agents SDK traces to the OpenAI platform's trace viewer (the SDK's own exporter).

    Off unless set: that exporter sends every conversation's content, with OPENAI_API_KEY, to
    OpenAI whenever the key is set, even when OPENAI_BASE_URL points at another provider.
    """

    # Worker
    worker_health_port: int | None = Field(default=None, ge=1, le=65535)
    """Port of the worker's HTTP health server (/healthz, /readyz); unset means off."""
    worker_health_host: str = Field(default="127.0.0.1", min_length=1)
    """Interface the health server listens on; containers set ``0.0.0.0`` for their probes."""
    worker_max_concurrent_activities: int = Field(default=100, ge=1)
    """Maximum activities (model calls, I/O tools) one worker runs at once."""
    worker_max_concurrent_workflow_tasks: int = Field(default=8, ge=2)
    """Maximum workflow tasks one worker runs at once (at least 2).

    Workflow code is CPU-bound Python, so more tasks at once only makes each one slower; one
    that takes over 2 seconds is failed as a deadlock, and that conversation stays stuck on
    this worker until it restarts. Tasks beyond this number wait at the server instead.
    """
    worker_sticky_queue_timeout_seconds: int = Field(default=10, ge=1)
    """Seconds a workflow task waits on this worker's own (sticky) queue before the server
    hands it to any worker of the task queue instead.

    A worker keeps the conversations it served in memory and gets their next tasks first. If
    it is gone, or too busy to take one within this time (all its workflow task slots in use),
    another worker takes the task and replays that conversation's history: nothing is lost, but
    the replay costs CPU. Longer keeps more work where it is cheap under heavy load, and makes
    a conversation wait that much longer after its worker dies.
    """
    worker_stuck_exit_seconds: int = Field(default=60, ge=0)
    """Seconds the worker keeps running with workflows stuck on it before it exits (0: never).

    It exits with code 3, so that its supervisor (compose, systemd, Kubernetes, ``dev``)
    starts a fresh worker, which picks those conversations up.
    """

    worker_deployment_name: str | None = None
    """Temporal Worker Deployment this worker belongs to; with WORKER_BUILD_ID it turns on
    Worker Versioning (both unset: off). The same for every build of the worker."""
    worker_build_id: str | None = None
    """This build's id within WORKER_DEPLOYMENT_NAME (an image tag, a commit); a new id for
    every deploy that changes workflow code, set together with WORKER_DEPLOYMENT_NAME."""

    # Console
    console_operator: str = Field(default_factory=_os_user, min_length=1)
    """Operator name recorded on approvals; defaults to the OS user name."""
    console_access_token: SecretStr | None = None
    """Token the console asks for before showing anything; unset means no login.

    At least 16 characters. Everyone who has it signs in under a name they type, so prefer
    CONSOLE_OPERATORS (or an OIDC login), whose identities a user cannot choose.
    """
    console_operators: SecretStr | None = None
    """Per-operator logins: comma-separated ``name:token`` pairs, each token 16+ characters.

    The name a token belongs to is recorded on every decision made with it; nobody types it.
    """
    console_allowed_hosts: str = "localhost,127.0.0.1,::1"
    """Host names the console answers to (its ``Host`` header), comma-separated; ``*``: any.

    Refusing other names defeats DNS rebinding: a web page whose own name resolves to this
    machine cannot drive the console from the operator's browser.
    """
    console_port: int = Field(default=8501, ge=1, le=65535)
    """Port the console's web server listens on."""

    # Codec server (lets the Temporal Web UI show encrypted payloads)
    codec_server_port: int = Field(default=8234, ge=1, le=65535)
    """Port of ``worker codec-server``; ``dev`` starts it when payloads are encrypted."""
    codec_server_token: SecretStr | None = None
    """Bearer token the codec server asks for; unset means none (it listens on 127.0.0.1)."""
    codec_server_allowed_hosts: str = "localhost,127.0.0.1,::1"
    """Host names the codec server answers to (its ``Host`` header), comma-separated."""

    @field_validator("agent_app_objects")
    @classmethod
    def _check_app_objects(cls, value: str | None) -> str | None:
        if value is None:
            return None
        for reference in value.split():
            module, colon, attribute = reference.partition(":")
            if not (module and colon and attribute):
                raise ValueError(
                    f"{reference!r} is not module:attribute; name each app object like "
                    "'my_agents.app:app', separated by spaces"
                )
        return " ".join(value.split()) or None

    @field_validator("worker_deployment_name", "worker_build_id")
    @classmethod
    def _check_deployment_part(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            return None
        value = value.strip()
        if not value:
            return None
        if any(character.isspace() for character in value):
            raise ValueError(f"{value!r} has white space in it; write it without")
        # Temporal names a version "<deployment>.<build id>" and splits it at the first dot.
        if info.field_name == "worker_deployment_name" and "." in value:
            raise ValueError(
                f"{value!r} has a dot in it, which Temporal does not allow in a deployment "
                "name; use dashes, e.g. 'durable-agents'"
            )
        return value

    @field_validator("temporal_address")
    @classmethod
    def _check_temporal_address(cls, value: str) -> str:
        return check_host_port(value, example="localhost:7233")

    @field_validator("temporal_ui_url", "openai_base_url", "otel_exporter_otlp_endpoint")
    @classmethod
    def _check_url(cls, value: str | None) -> str | None:
        return None if value is None else check_http_url(value)

    @field_validator("payload_s3_endpoint_url")
    @classmethod
    def _check_s3_endpoint(cls, value: str | None) -> str | None:
        return None if value is None else check_http_url(value)

    @field_validator("model")
    @classmethod
    def _check_model(cls, value: str | None) -> str | None:
        if value is None:
            return None
        model = value.strip()
        if model.startswith(LITELLM_PREFIX):
            provider, _, name = model.removeprefix(LITELLM_PREFIX).partition("/")
            if not provider or not name:
                raise ValueError(
                    "a LiteLLM model is written litellm/<provider>/<model>, e.g. "
                    f"'litellm/anthropic/claude-sonnet-4-5'; got {model!r}"
                )
        return model or None

    @field_validator("console_access_token")
    @classmethod
    def _check_access_token(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            check_token(value.get_secret_value(), "the token")
        return value

    @field_validator("console_operators")
    @classmethod
    def _check_operators(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_operators(value.get_secret_value())
        return value

    @field_validator("console_allowed_hosts", "codec_server_allowed_hosts")
    @classmethod
    def _check_hosts(cls, value: str) -> str:
        parse_allowed_hosts(value)
        return value

    @field_validator("console_operator")
    @classmethod
    def _check_operator_name(cls, value: str) -> str:
        return check_operator_name(value)

    @field_validator("payload_encryption_keys")
    @classmethod
    def _check_encryption_keys(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            parse_encryption_keys(value.get_secret_value())
        return value

    @field_validator("temporal_tls_client_cert_path", "temporal_tls_client_key_path")
    @classmethod
    def _check_readable_file(cls, value: Path | None) -> Path | None:
        if value is not None and not value.is_file():
            raise ValueError(f"no file at '{value}'; point it at a PEM file or unset it")
        return value

    @model_validator(mode="after")
    def _check_combinations(self) -> Self:
        problems: list[tuple[str, str]] = []
        cert, key = self.temporal_tls_client_cert_path, self.temporal_tls_client_key_path
        if (cert is None) != (key is None):
            missing = "TEMPORAL_TLS_CLIENT_" + ("KEY_PATH" if key is None else "CERT_PATH")
            problems.append((missing, "mTLS needs both the certificate and its key: set it too"))
        if cert is not None and self.temporal_tls is False:
            problems.append(("TEMPORAL_TLS", "is false but a client certificate is set: drop one"))
        if self.payload_storage == "s3" and not self.payload_s3_bucket:
            problems.append(("PAYLOAD_S3_BUCKET", "must be set when PAYLOAD_STORAGE=s3"))
        key_ids = tuple(self._encryption_keys())
        chosen = self.payload_encryption_key_id
        if chosen is not None and not key_ids:
            problems.append(
                ("PAYLOAD_ENCRYPTION_KEY_ID", "is set but PAYLOAD_ENCRYPTION_KEYS is not: add keys")
            )
        elif chosen is not None and chosen not in key_ids:
            problems.append(
                (
                    "PAYLOAD_ENCRYPTION_KEY_ID",
                    f"{chosen!r} is not a configured key id; use one of {list(key_ids)} "
                    "or add it to PAYLOAD_ENCRYPTION_KEYS",
                )
            )
        deployment, build = self.worker_deployment_name, self.worker_build_id
        if (deployment is None) != (build is None):
            missing = "WORKER_BUILD_ID" if build is None else "WORKER_DEPLOYMENT_NAME"
            problems.append(
                (
                    missing,
                    "must be set too: Worker Versioning needs both the deployment name and "
                    "the build id (or unset both to turn it off)",
                )
            )
        if self.console_operators is not None and self.console_access_token is not None:
            problems.append(
                (
                    "CONSOLE_ACCESS_TOKEN",
                    "is set together with CONSOLE_OPERATORS: unset it, since a shared token "
                    "would let anyone holding it sign in under any name",
                )
            )
        if problems:
            raise _conflict(problems)
        return self

    @field_serializer(*_URL_FIELDS, when_used="json")
    def _redact_url_in_json(self, value: str | None) -> str | None:
        # JSON dumps end up in logs and UIs; keep URL passwords out of them like repr does.
        return None if value is None else redact_url(value)

    def app_names(self) -> list[str] | None:
        """The agent apps AGENT_APP_NAMES chooses, or None for every installed one."""
        if self.agent_app_names is None:
            return None
        names = [name.strip() for name in self.agent_app_names.split(",") if name.strip()]
        return names or None

    @property
    def app_objects(self) -> tuple[str, ...]:
        """The ``module:attribute`` references of AGENT_APP_OBJECTS (empty when unset)."""
        return tuple((self.agent_app_objects or "").split())

    @property
    def model_mode(self) -> ModelMode:
        """Which model provider runs the agents.

        ``litellm`` when MODEL starts with ``litellm/``; else ``openai`` when OPENAI_API_KEY is
        set; else ``offline``, the deterministic demo model that needs no key.
        """
        if self.model is not None and self.model.startswith(LITELLM_PREFIX):
            return "litellm"
        if self.openai_api_key is not None:
            return "openai"
        return "offline"

    @property
    def default_model(self) -> str:
        """The model name agents get by default: MODEL, or ``gpt-4.1-mini``."""
        return self.model or DEFAULT_OPENAI_MODEL

    @property
    def trace_content_exported(self) -> bool:
        """Whether exported spans carry content: TRACE_CONTENT, else only without encryption."""
        if self.trace_content is not None:
            return self.trace_content
        return self.payload_encryption_keys is None

    def operator_tokens(self) -> dict[str, str]:
        """CONSOLE_OPERATORS as ``{name: token}`` (empty when unset)."""
        raw = self.console_operators
        return {} if raw is None else parse_operators(raw.get_secret_value())

    def allowed_hosts(self, component: Literal["console", "codec_server"]) -> tuple[str, ...]:
        """The host names the console or the codec server answers to, lower case."""
        raw = (
            self.console_allowed_hosts
            if component == "console"
            else (self.codec_server_allowed_hosts)
        )
        return parse_allowed_hosts(raw)

    @property
    def temporal_tls_enabled(self) -> bool:
        """Whether connections to Temporal use TLS (explicit, or implied by credentials)."""
        if self.temporal_tls is not None:
            return self.temporal_tls
        return self.temporal_api_key is not None or self.temporal_tls_client_cert_path is not None

    def temporal_tls_config(self) -> bool | TLSConfig:
        """TLS for `Client.connect`: a `TLSConfig` carrying the mTLS pair, or a plain flag.

        Raises:
            OSError: A certificate or key file cannot be read.
        """
        cert, key = self.temporal_tls_client_cert_path, self.temporal_tls_client_key_path
        if cert is not None and key is not None:
            return TLSConfig(client_cert=cert.read_bytes(), client_private_key=key.read_bytes())
        return self.temporal_tls_enabled

    def temporal_connect_options(self) -> TemporalConnectOptions:
        """Keyword arguments for ``Client.connect(**settings.temporal_connect_options())``."""
        api_key = self.temporal_api_key
        return TemporalConnectOptions(
            target_host=self.temporal_address,
            namespace=self.temporal_namespace,
            api_key=None if api_key is None else api_key.get_secret_value(),
            tls=self.temporal_tls_config(),
        )

    def encryption_keyring(self) -> EncryptionKeyring | None:
        """The payload encryption keys and the current key id, or `None` when encryption is off."""
        return make_keyring(self._encryption_keys(), self.payload_encryption_key_id)

    def _encryption_keys(self) -> dict[str, bytes]:
        raw = self.payload_encryption_keys
        return {} if raw is None else parse_encryption_keys(raw.get_secret_value())

    def worker_deployment(self) -> WorkerDeploymentVersion | None:
        """This worker's Worker Deployment Version, or None when Worker Versioning is off."""
        deployment, build = self.worker_deployment_name, self.worker_build_id
        if deployment is None or build is None:
            return None
        return WorkerDeploymentVersion(deployment_name=deployment, build_id=build)

    def service_name(self, app: str) -> str:
        """The OpenTelemetry service name: OTEL_SERVICE_NAME, or ``durable-agents-<app>``."""
        return self.otel_service_name or f"durable-agents-{app}"

    def describe(self) -> dict[str, SettingValue]:
        """A summary that is safe to print or log: secrets read ``set`` or ``not set``.

        Keys are the environment variable names, followed by derived values in lower case
        (``model_mode``, ``default_model``, ``temporal_tls_enabled``, ``payload_encryption``).
        """
        summary = super().describe()
        keyring = self.encryption_keyring()
        summary["model_mode"] = self.model_mode
        summary["default_model"] = self.default_model
        summary["temporal_tls_enabled"] = self.temporal_tls_enabled
        summary["payload_encryption"] = (
            "off"
            if keyring is None
            else f"on (current key {keyring.current_key_id!r} of {len(keyring.keys)})"
        )
        return summary

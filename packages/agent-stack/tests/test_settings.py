from __future__ import annotations

import base64
import getpass
import json
from pathlib import Path

import pytest
from pydantic import ValidationError
from temporalio.common import WorkerDeploymentVersion
from temporalio.service import TLSConfig

import agent_stack.settings as settings_module
from agent_stack.settings import Settings, SettingsError, load_settings

KEY_A = bytes(range(32))
KEY_B = bytes(range(100, 132))
KEY_A_B64 = base64.b64encode(KEY_A).decode()
KEY_B_B64 = base64.b64encode(KEY_B).decode()

EXPECTED_ENV_VARS = (
    "AGENT_APP_OBJECTS",
    "AGENT_APP_NAMES",
    "TEMPORAL_ADDRESS",
    "TEMPORAL_NAMESPACE",
    "TEMPORAL_TASK_QUEUE",
    "TEMPORAL_API_KEY",
    "TEMPORAL_TLS",
    "TEMPORAL_TLS_CLIENT_CERT_PATH",
    "TEMPORAL_TLS_CLIENT_KEY_PATH",
    "TEMPORAL_UI_URL",
    "OPENAI_API_KEY",
    "OPENAI_BASE_URL",
    "MODEL",
    "MODEL_TIMEOUT_SECONDS",
    "MODEL_HEARTBEAT_TIMEOUT_SECONDS",
    "MODEL_MAX_TOOL_CALLS",
    "PAYLOAD_STORAGE",
    "PAYLOAD_STORAGE_DIR",
    "PAYLOAD_STORAGE_THRESHOLD_BYTES",
    "PAYLOAD_S3_BUCKET",
    "PAYLOAD_S3_ENDPOINT_URL",
    "PAYLOAD_S3_PREFIX",
    "PAYLOAD_ENCRYPTION_KEYS",
    "PAYLOAD_ENCRYPTION_KEY_ID",
    "OTEL_EXPORTER_OTLP_ENDPOINT",
    "OTEL_SERVICE_NAME",
    "TRACE_CONTENT",
    "OPENAI_TRACE_EXPORT",
    "WORKER_HEALTH_PORT",
    "WORKER_HEALTH_HOST",
    "WORKER_MAX_CONCURRENT_ACTIVITIES",
    "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS",
    "WORKER_STICKY_QUEUE_TIMEOUT_SECONDS",
    "WORKER_STUCK_EXIT_SECONDS",
    "WORKER_DEPLOYMENT_NAME",
    "WORKER_BUILD_ID",
    "CONSOLE_OPERATOR",
    "CONSOLE_ACCESS_TOKEN",
    "CONSOLE_OPERATORS",
    "CONSOLE_ALLOWED_HOSTS",
    "CONSOLE_PORT",
    "CODEC_SERVER_PORT",
    "CODEC_SERVER_TOKEN",
    "CODEC_SERVER_ALLOWED_HOSTS",
)


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Run every test with none of the settings' variables set, in an empty directory."""
    for name in Settings.env_var_names():
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)
    return tmp_path


@pytest.fixture
def pem_pair(tmp_path: Path) -> tuple[Path, Path]:
    cert, key = tmp_path / "client.pem", tmp_path / "client.key"
    cert.write_bytes(b"-----BEGIN CERTIFICATE-----\ncert\n-----END CERTIFICATE-----\n")
    key.write_bytes(b"-----BEGIN PRIVATE KEY-----\nkey\n-----END PRIVATE KEY-----\n")
    return cert, key


def set_env(monkeypatch: pytest.MonkeyPatch, values: dict[str, str]) -> None:
    for name, value in values.items():
        monkeypatch.setenv(name, value)


def test_all_lists_exactly_the_public_names() -> None:
    public = {name for name in vars(settings_module) if not name.startswith("_")}
    assert len(set(settings_module.__all__)) == len(settings_module.__all__)
    assert set(settings_module.__all__) == public


def test_env_var_names_are_the_documented_ones() -> None:
    assert Settings.env_var_names() == EXPECTED_ENV_VARS


def test_defaults_work_on_one_machine() -> None:
    settings = load_settings()

    assert settings.temporal_address == "localhost:7233"
    assert settings.temporal_namespace == "default"
    assert settings.temporal_task_queue == "durable-agents"
    assert settings.temporal_api_key is None
    assert settings.temporal_tls is None
    assert settings.temporal_tls_enabled is False
    assert settings.temporal_ui_url == "http://localhost:8233"
    assert settings.openai_api_key is None
    assert settings.model is None
    assert settings.model_mode == "offline"
    assert settings.default_model == "gpt-4.1-mini"
    assert settings.payload_storage == "local"
    assert settings.payload_storage_dir == Path(".data/payloads")
    assert settings.payload_storage_threshold_bytes == 64 * 1024
    assert settings.payload_encryption_keys is None
    assert settings.encryption_keyring() is None
    assert settings.otel_exporter_otlp_endpoint is None
    assert settings.service_name("worker") == "durable-agents-worker"
    assert settings.worker_health_port is None
    assert settings.worker_max_concurrent_activities == 100
    assert settings.worker_max_concurrent_workflow_tasks == 8
    assert settings.worker_stuck_exit_seconds == 60
    assert settings.worker_sticky_queue_timeout_seconds == 10
    assert settings.model_max_tool_calls == 64
    assert settings.worker_deployment() is None
    assert settings.console_operator == getpass.getuser()
    assert settings.console_access_token is None
    assert settings.console_port == 8501


def test_environment_overrides_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(
        monkeypatch,
        {
            "TEMPORAL_ADDRESS": "temporal:7233",
            "TEMPORAL_NAMESPACE": "prod",
            "TEMPORAL_TASK_QUEUE": "agents-eu",
            "PAYLOAD_STORAGE": "s3",
            "PAYLOAD_S3_BUCKET": "payloads",
            "PAYLOAD_S3_ENDPOINT_URL": "http://minio:9000",
            "WORKER_HEALTH_PORT": "8080",
            "WORKER_MAX_CONCURRENT_ACTIVITIES": "7",
            "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS": "3",
            "WORKER_STUCK_EXIT_SECONDS": "0",
            "WORKER_STICKY_QUEUE_TIMEOUT_SECONDS": "30",
            "CONSOLE_OPERATOR": "alice",
            "OTEL_SERVICE_NAME": "my-worker",
            "temporal_ui_url": "http://ui.internal:8080",
        },
    )
    settings = load_settings()

    assert settings.temporal_address == "temporal:7233"
    assert settings.temporal_namespace == "prod"
    assert settings.temporal_task_queue == "agents-eu"
    assert settings.payload_storage == "s3"
    assert settings.payload_s3_bucket == "payloads"
    assert settings.payload_s3_endpoint_url == "http://minio:9000"
    assert settings.worker_health_port == 8080
    assert settings.worker_max_concurrent_activities == 7
    assert settings.worker_max_concurrent_workflow_tasks == 3
    assert settings.worker_stuck_exit_seconds == 0
    assert settings.worker_sticky_queue_timeout_seconds == 30
    assert settings.console_operator == "alice"
    assert settings.service_name("worker") == "my-worker"
    assert settings.temporal_ui_url == "http://ui.internal:8080"


def test_dotenv_file_is_read_and_environment_wins(
    monkeypatch: pytest.MonkeyPatch, clean_env: Path
) -> None:
    (clean_env / ".env").write_text(
        "# comment\nTEMPORAL_NAMESPACE=from-dotenv\nCONSOLE_PORT=9000\nUNRELATED_VARIABLE=1\n"
    )
    monkeypatch.setenv("CONSOLE_PORT", "9100")

    settings = load_settings()

    assert settings.temporal_namespace == "from-dotenv"
    assert settings.console_port == 9100
    assert load_settings(env_file=None).temporal_namespace == "default"


def test_dotenv_file_can_be_named(clean_env: Path) -> None:
    custom = clean_env / "staging.env"
    custom.write_text("TEMPORAL_TASK_QUEUE=staging\n")

    assert load_settings(env_file=custom).temporal_task_queue == "staging"
    assert load_settings(env_file=clean_env / "missing.env").temporal_task_queue == "durable-agents"


def test_empty_values_count_as_unset(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, {"OPENAI_API_KEY": "", "WORKER_HEALTH_PORT": "", "TEMPORAL_ADDRESS": ""})
    settings = load_settings()
    assert settings.openai_api_key is None
    assert settings.worker_health_port is None
    assert settings.temporal_address == "localhost:7233"


@pytest.mark.parametrize(
    ("env", "mode", "model"),
    [
        ({}, "offline", "gpt-4.1-mini"),
        ({"MODEL": "gpt-4o"}, "offline", "gpt-4o"),
        ({"OPENAI_API_KEY": "sk-test"}, "openai", "gpt-4.1-mini"),
        ({"OPENAI_API_KEY": "sk-test", "MODEL": "gpt-4o"}, "openai", "gpt-4o"),
        ({"MODEL": "litellm/ollama/llama3.2"}, "litellm", "litellm/ollama/llama3.2"),
        (
            {"OPENAI_API_KEY": "sk-test", "MODEL": "litellm/anthropic/claude-sonnet-4-5"},
            "litellm",
            "litellm/anthropic/claude-sonnet-4-5",
        ),
    ],
)
def test_model_mode_follows_key_and_model(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], mode: str, model: str
) -> None:
    set_env(monkeypatch, env)
    settings = load_settings()
    assert settings.model_mode == mode
    assert settings.default_model == model


def test_api_key_implies_tls(monkeypatch: pytest.MonkeyPatch) -> None:
    address = "ns.acct.tmprl.cloud:7233"
    set_env(monkeypatch, {"TEMPORAL_API_KEY": "cloud-key", "TEMPORAL_ADDRESS": address})
    options = load_settings().temporal_connect_options()
    assert options == {
        "target_host": address,
        "namespace": "default",
        "api_key": "cloud-key",
        "tls": True,
    }


def test_explicit_tls_flag_wins_over_the_implication(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, {"TEMPORAL_API_KEY": "k", "TEMPORAL_TLS": "false"})
    assert load_settings().temporal_tls_config() is False
    monkeypatch.delenv("TEMPORAL_API_KEY")
    monkeypatch.setenv("TEMPORAL_TLS", "true")
    assert load_settings().temporal_tls_config() is True


def test_client_certificate_pair_gives_mtls_config(
    monkeypatch: pytest.MonkeyPatch, pem_pair: tuple[Path, Path]
) -> None:
    cert, key = pem_pair
    set_env(
        monkeypatch,
        {"TEMPORAL_TLS_CLIENT_CERT_PATH": str(cert), "TEMPORAL_TLS_CLIENT_KEY_PATH": str(key)},
    )
    settings = load_settings()
    tls = settings.temporal_tls_config()
    assert settings.temporal_tls_enabled is True
    assert isinstance(tls, TLSConfig)
    assert tls.client_cert == cert.read_bytes()
    assert tls.client_private_key == key.read_bytes()


def test_encryption_keys_parse_in_order_with_first_as_default(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("PAYLOAD_ENCRYPTION_KEYS", f" k2:{KEY_B_B64} , k1:{KEY_A_B64},")
    keyring = load_settings().encryption_keyring()
    assert keyring is not None
    assert keyring.key_ids == ("k2", "k1")
    assert keyring.current_key_id == "k2"
    assert keyring.current_key == KEY_B
    assert keyring.keys["k1"] == KEY_A


def test_encryption_key_id_picks_the_current_key(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(
        monkeypatch,
        {
            "PAYLOAD_ENCRYPTION_KEYS": f"old:{KEY_A_B64},new:{KEY_B_B64}",
            "PAYLOAD_ENCRYPTION_KEY_ID": "new",
        },
    )
    keyring = load_settings().encryption_keyring()
    assert keyring is not None
    assert keyring.current_key == KEY_B
    assert repr(keyring) == "EncryptionKeyring(current_key_id='new', key_ids=('old', 'new'))"


def test_url_safe_base64_keys_are_accepted(monkeypatch: pytest.MonkeyPatch) -> None:
    key = bytes([0xFB, 0xFF] * 16)
    monkeypatch.setenv("PAYLOAD_ENCRYPTION_KEYS", "k:" + base64.urlsafe_b64encode(key).decode())
    keyring = load_settings().encryption_keyring()
    assert keyring is not None
    assert keyring.current_key == key


SHORT_KEY_B64 = base64.b64encode(b"0123456789abcdef").decode()

INVALID_CASES: list[tuple[dict[str, str], str, str]] = [
    ({"TEMPORAL_ADDRESS": "http://localhost:7233"}, "TEMPORAL_ADDRESS", "without a scheme"),
    ({"TEMPORAL_ADDRESS": "localhost"}, "TEMPORAL_ADDRESS", "must be host:port"),
    ({"TEMPORAL_ADDRESS": "localhost:99999"}, "TEMPORAL_ADDRESS", "out of range"),
    ({"TEMPORAL_TLS": "maybe"}, "TEMPORAL_TLS", "set true or false"),
    ({"TEMPORAL_UI_URL": "localhost:8233"}, "TEMPORAL_UI_URL", "http:// or https:// URL"),
    ({"OPENAI_BASE_URL": "ftp://models"}, "OPENAI_BASE_URL", "http:// or https:// URL"),
    ({"OTEL_EXPORTER_OTLP_ENDPOINT": "collector:4317"}, "OTEL_EXPORTER_OTLP_ENDPOINT", "URL"),
    ({"PAYLOAD_S3_ENDPOINT_URL": "minio:9000"}, "PAYLOAD_S3_ENDPOINT_URL", "URL"),
    ({"MODEL": "litellm/gpt-4o"}, "MODEL", "litellm/<provider>/<model>"),
    ({"MODEL_TIMEOUT_SECONDS": "soon"}, "MODEL_TIMEOUT_SECONDS", "got 'soon'"),
    ({"PAYLOAD_STORAGE": "gcs"}, "PAYLOAD_STORAGE", "'local', 's3' or 'off'"),
    ({"PAYLOAD_STORAGE_THRESHOLD_BYTES": "-5"}, "PAYLOAD_STORAGE_THRESHOLD_BYTES", "bytes"),
    ({"PAYLOAD_STORAGE": "s3"}, "PAYLOAD_S3_BUCKET", "must be set when PAYLOAD_STORAGE=s3"),
    ({"PAYLOAD_ENCRYPTION_KEYS": KEY_A_B64}, "PAYLOAD_ENCRYPTION_KEYS", "entry 1 is not"),
    ({"PAYLOAD_ENCRYPTION_KEYS": f"a b:{KEY_A_B64}"}, "PAYLOAD_ENCRYPTION_KEYS", "invalid key id"),
    (
        {"PAYLOAD_ENCRYPTION_KEYS": f"k1:{KEY_A_B64},k1:{KEY_B_B64}"},
        "PAYLOAD_ENCRYPTION_KEYS",
        "key id 'k1' appears more than once",
    ),
    ({"PAYLOAD_ENCRYPTION_KEYS": "k1:not*base64"}, "PAYLOAD_ENCRYPTION_KEYS", "'k1' is not valid"),
    (
        {"PAYLOAD_ENCRYPTION_KEYS": f"k1:{KEY_A_B64},short:{SHORT_KEY_B64}"},
        "PAYLOAD_ENCRYPTION_KEYS",
        "key 'short' decodes to 16 bytes",
    ),
    (
        {"PAYLOAD_ENCRYPTION_KEYS": f"k1:{KEY_A_B64}", "PAYLOAD_ENCRYPTION_KEY_ID": "k9"},
        "PAYLOAD_ENCRYPTION_KEY_ID",
        "'k9' is not a configured key id; use one of ['k1']",
    ),
    ({"PAYLOAD_ENCRYPTION_KEY_ID": "k1"}, "PAYLOAD_ENCRYPTION_KEY_ID", "add keys"),
    ({"TEMPORAL_TLS_CLIENT_CERT_PATH": "/no/c.pem"}, "TEMPORAL_TLS_CLIENT_CERT_PATH", "no file"),
    ({"WORKER_HEALTH_PORT": "http"}, "WORKER_HEALTH_PORT", "port number 1-65535"),
    ({"WORKER_HEALTH_PORT": "0"}, "WORKER_HEALTH_PORT", "greater than or equal to 1"),
    ({"WORKER_HEALTH_PORT": "70000"}, "WORKER_HEALTH_PORT", "less than or equal to 65535"),
    ({"WORKER_MAX_CONCURRENT_ACTIVITIES": "0"}, "WORKER_MAX_CONCURRENT_ACTIVITIES", "positive"),
    (
        {"WORKER_MAX_CONCURRENT_WORKFLOW_TASKS": "1"},
        "WORKER_MAX_CONCURRENT_WORKFLOW_TASKS",
        "at least 2",
    ),
    ({"WORKER_STUCK_EXIT_SECONDS": "-1"}, "WORKER_STUCK_EXIT_SECONDS", "or 0 to never exit"),
    (
        {"WORKER_STICKY_QUEUE_TIMEOUT_SECONDS": "0"},
        "WORKER_STICKY_QUEUE_TIMEOUT_SECONDS",
        "whole number of seconds",
    ),
    ({"CONSOLE_PORT": "web"}, "CONSOLE_PORT", "port number"),
    ({"MODEL_TIMEOUT_SECONDS": "0"}, "MODEL_TIMEOUT_SECONDS", "whole number of seconds"),
    (
        {"MODEL_HEARTBEAT_TIMEOUT_SECONDS": "soon"},
        "MODEL_HEARTBEAT_TIMEOUT_SECONDS",
        "whole number of seconds",
    ),
    ({"MODEL_MAX_TOOL_CALLS": "0"}, "MODEL_MAX_TOOL_CALLS", "at least 1, such as 64"),
]


@pytest.mark.parametrize(("env", "variable", "expected"), INVALID_CASES)
def test_invalid_setting_names_the_variable_and_the_fix(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str], variable: str, expected: str
) -> None:
    set_env(monkeypatch, env)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    error = caught.value
    assert isinstance(error, ValueError)
    assert [name for name, _ in error.problems] == [variable]
    assert expected in error.problems[0][1]
    assert f"  - {variable}: " in str(error)
    assert str(error).startswith("Invalid setting (from environment variables or the .env file)")


@pytest.mark.parametrize(
    ("present", "missing"),
    [
        ("TEMPORAL_TLS_CLIENT_CERT_PATH", "TEMPORAL_TLS_CLIENT_KEY_PATH"),
        ("TEMPORAL_TLS_CLIENT_KEY_PATH", "TEMPORAL_TLS_CLIENT_CERT_PATH"),
    ],
)
def test_mtls_needs_both_files(
    monkeypatch: pytest.MonkeyPatch, pem_pair: tuple[Path, Path], present: str, missing: str
) -> None:
    monkeypatch.setenv(present, str(pem_pair[0]))
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert caught.value.problems == (
        (missing, "mTLS needs both the certificate and its key: set it too"),
    )


def test_deployment_name_and_build_id_make_the_worker_deployment_version(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    set_env(monkeypatch, {"WORKER_DEPLOYMENT_NAME": " desk-agents ", "WORKER_BUILD_ID": "b-42"})
    assert load_settings().worker_deployment() == WorkerDeploymentVersion("desk-agents", "b-42")


@pytest.mark.parametrize(
    ("present", "missing"),
    [("WORKER_DEPLOYMENT_NAME", "WORKER_BUILD_ID"), ("WORKER_BUILD_ID", "WORKER_DEPLOYMENT_NAME")],
)
def test_worker_versioning_needs_both_deployment_name_and_build_id(
    monkeypatch: pytest.MonkeyPatch, present: str, missing: str
) -> None:
    monkeypatch.setenv(present, "desk")
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert [name for name, _ in caught.value.problems] == [missing]
    assert "needs both the deployment name and the build id" in caught.value.problems[0][1]
    assert "unset both to turn it off" in caught.value.problems[0][1]


@pytest.mark.parametrize(
    ("variable", "value", "expected"),
    [
        ("WORKER_DEPLOYMENT_NAME", "desk.agents", "has a dot in it"),
        ("WORKER_DEPLOYMENT_NAME", "desk agents", "has white space in it"),
        ("WORKER_BUILD_ID", "build 7", "has white space in it"),
    ],
)
def test_unusable_deployment_names_and_build_ids_are_refused(
    monkeypatch: pytest.MonkeyPatch, variable: str, value: str, expected: str
) -> None:
    set_env(monkeypatch, {"WORKER_DEPLOYMENT_NAME": "desk", "WORKER_BUILD_ID": "b1"})
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert [name for name, _ in caught.value.problems] == [variable]
    assert expected in caught.value.problems[0][1]


def test_tls_off_with_client_certificate_is_a_conflict(
    monkeypatch: pytest.MonkeyPatch, pem_pair: tuple[Path, Path]
) -> None:
    cert, key = pem_pair
    set_env(
        monkeypatch,
        {
            "TEMPORAL_TLS": "false",
            "TEMPORAL_TLS_CLIENT_CERT_PATH": str(cert),
            "TEMPORAL_TLS_CLIENT_KEY_PATH": str(key),
        },
    )
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert [name for name, _ in caught.value.problems] == ["TEMPORAL_TLS"]


def test_every_problem_is_listed_in_one_message(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(
        monkeypatch,
        {"TEMPORAL_ADDRESS": "nowhere", "CONSOLE_PORT": "x", "PAYLOAD_STORAGE": "tape"},
    )
    with pytest.raises(SettingsError) as caught:
        load_settings()
    message = str(caught.value)
    assert message.startswith("Invalid settings")
    for name in ("TEMPORAL_ADDRESS", "CONSOLE_PORT", "PAYLOAD_STORAGE"):
        assert f"  - {name}: " in message
    assert message.endswith("See infra/.env.example for every setting and its default.")


def test_cross_field_problems_are_all_listed(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, {"PAYLOAD_STORAGE": "s3", "PAYLOAD_ENCRYPTION_KEY_ID": "k1"})
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert [name for name, _ in caught.value.problems] == [
        "PAYLOAD_S3_BUCKET",
        "PAYLOAD_ENCRYPTION_KEY_ID",
    ]


SECRET_VALUES = {
    "TEMPORAL_API_KEY": "temporal-secret-3f9a",
    "OPENAI_API_KEY": "sk-secret-81c2",
    "CONSOLE_ACCESS_TOKEN": "console-secret-77d0",
    "PAYLOAD_ENCRYPTION_KEYS": f"k1:{KEY_A_B64}",
    "OPENAI_BASE_URL": "https://proxy:db-password-5e1@llm.internal:8443/v1",
}
SECRET_FRAGMENTS = (
    "temporal-secret-3f9a",
    "sk-secret-81c2",
    "console-secret-77d0",
    KEY_A_B64,
    "db-password-5e1",
)


def test_secrets_never_appear_in_repr_str_or_describe(monkeypatch: pytest.MonkeyPatch) -> None:
    set_env(monkeypatch, SECRET_VALUES)
    settings = load_settings()

    summary = settings.describe()
    for text in (repr(settings), str(settings), json.dumps(summary), settings.model_dump_json()):
        for fragment in SECRET_FRAGMENTS:
            assert fragment not in text
    assert "proxy:***@llm.internal:8443" in repr(settings)
    assert summary["OPENAI_BASE_URL"] == "https://proxy:***@llm.internal:8443/v1"
    # The values are still there for the code that needs them.
    assert settings.openai_api_key is not None
    assert settings.openai_api_key.get_secret_value() == "sk-secret-81c2"


def test_describe_shows_secrets_as_set_or_not_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OPENAI_API_KEY", "sk-secret-81c2")
    summary = load_settings().describe()

    assert summary["OPENAI_API_KEY"] == "set"
    assert summary["TEMPORAL_API_KEY"] == "not set"
    assert summary["CONSOLE_ACCESS_TOKEN"] == "not set"
    assert summary["PAYLOAD_ENCRYPTION_KEYS"] == "not set"
    assert summary["model_mode"] == "openai"
    assert summary["payload_encryption"] == "off"
    assert list(summary)[: len(EXPECTED_ENV_VARS)] == list(EXPECTED_ENV_VARS)
    json.dumps(summary)


def test_describe_summarises_encryption_without_keys(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PAYLOAD_ENCRYPTION_KEYS", f"a:{KEY_A_B64},b:{KEY_B_B64}")
    summary = load_settings().describe()
    assert summary["PAYLOAD_ENCRYPTION_KEYS"] == "set"
    assert summary["payload_encryption"] == "on (current key 'a' of 2)"


@pytest.mark.parametrize(
    "env",
    [
        {"PAYLOAD_ENCRYPTION_KEYS": f"k1:{SHORT_KEY_B64}", "OPENAI_API_KEY": "sk-secret-81c2"},
        {"PAYLOAD_ENCRYPTION_KEYS": SHORT_KEY_B64, "CONSOLE_PORT": "x"},
        {"PAYLOAD_ENCRYPTION_KEYS": f"k1:{KEY_A_B64},k1:{SHORT_KEY_B64}"},
        {"OPENAI_BASE_URL": "ftp://store:db-password-5e1@db/store"},
        {"OPENAI_BASE_URL": "store:db-password-5e1@db/store"},
        {"MODEL_TIMEOUT_SECONDS": "https://u:db-password-5e1@x"},
        {"TEMPORAL_API_KEY": "temporal-secret-3f9a", "TEMPORAL_ADDRESS": "bad"},
        {"OTEL_EXPORTER_OTLP_ENDPOINT": "collector://u:db-password-5e1@x"},
    ],
)
def test_error_messages_never_contain_secret_values(
    monkeypatch: pytest.MonkeyPatch, env: dict[str, str]
) -> None:
    set_env(monkeypatch, env)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    with pytest.raises(ValidationError) as raw:
        Settings()
    for text in (str(caught.value), repr(caught.value), str(raw.value)):
        for fragment in (*SECRET_FRAGMENTS, SHORT_KEY_B64):
            assert fragment not in text


def test_direct_construction_validates_too() -> None:
    with pytest.raises(ValidationError):
        Settings(temporal_address="http://x:1")
    assert Settings(temporal_namespace="custom").temporal_namespace == "custom"

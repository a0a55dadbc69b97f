"""infra/compose.yaml and the files it mounts: valid, pinned, scalable, consistent."""

from __future__ import annotations

import copy
import re
from pathlib import Path
from typing import Any, cast

import jsonschema
import pytest

from agents_temporal.testing import DEV_SERVER_DYNAMIC_CONFIG
from tests.infra._repo import (
    INFRA,
    REPO,
    SCHEMAS,
    STANDARD_AWS_VARIABLES,
    TOOL_VARIABLES,
    agent_app_packages,
    load_json,
    load_yaml,
    load_yaml_documents,
    setting_names,
)

COMPOSE_FILE = INFRA / "compose.yaml"
ONE_SHOT_SERVICES = {"temporal-schema", "temporal-namespace", "minio-bucket"}
APP_SERVICES = ("worker", "console")
# A pinned tag names a version: digits somewhere, never `latest`, or a digest.
_PINNED_TAG = re.compile(r"^(?!latest$).*\d.*$")


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    return load_yaml(COMPOSE_FILE)


@pytest.fixture(scope="module")
def validator() -> jsonschema.Draft7Validator:
    schema = load_json(SCHEMAS / "compose-spec.json")
    jsonschema.Draft7Validator.check_schema(schema)
    return jsonschema.Draft7Validator(schema)


def services(compose: dict[str, Any]) -> dict[str, dict[str, Any]]:
    found: dict[str, dict[str, Any]] = compose["services"]
    return found


def test_compose_file_matches_the_compose_specification(
    compose: dict[str, Any], validator: jsonschema.Draft7Validator
) -> None:
    errors = [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(compose)
    ]
    assert not errors, "\n".join(errors)


@pytest.mark.parametrize(
    ("service_patch", "expected"),
    [
        ({"restart_policy": "always"}, "'restart_policy' does not match any of the regexes"),
        ({"depends_on": {"postgres": {"condition": "ready"}}}, "is not valid under any of the"),
        ({"ports": [{"target": 80, "host": "8080"}]}, "is not valid under any of the"),
        ({"healthcheck": {"test": ["CMD", "true"], "interval": 5}}, "5 is not of type 'string'"),
    ],
)
def test_the_schema_catches_mistakes(
    compose: dict[str, Any],
    validator: jsonschema.Draft7Validator,
    service_patch: dict[str, Any],
    expected: str,
) -> None:
    broken = copy.deepcopy(compose)
    broken["services"]["worker"].update(service_patch)
    messages = [error.message for error in validator.iter_errors(broken)]
    assert any(expected in message for message in messages), messages


def test_every_image_is_pinned(compose: dict[str, Any]) -> None:
    for name, service in services(compose).items():
        image: str = service["image"]
        if "build" in service:
            continue
        reference, _, digest = image.partition("@")
        _, _, tag = reference.rpartition(":")
        assert digest or (tag and "/" not in tag and _PINNED_TAG.match(tag)), (
            f"service {name!r}: pin {image!r} to a version tag or digest"
        )


def test_built_services_use_the_repository_dockerfiles(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        build = services(compose)[name]["build"]
        context = (INFRA / build["context"]).resolve()
        assert context == REPO, f"{name}: the build context must be the repository root"
        assert (context / build["dockerfile"]).is_file()


def test_built_images_name_their_agent_apps(compose: dict[str, Any]) -> None:
    # The Dockerfiles default to no app; the template's stack chooses the example explicitly,
    # and services that share an image build it with the same apps.
    args_by_image: dict[str, dict[str, str]] = {}
    for name, service in services(compose).items():
        if "build" not in service:
            continue
        args: dict[str, str] = service["build"].get("args", {})
        apps = args.get("AGENT_APPS", "").split()
        # Without any agent app in the workspace (the example deleted, none added yet) there is
        # nothing to name, and the worker says so when it starts.
        if agent_app_packages():
            assert apps, f"service {name!r}: set build.args.AGENT_APPS to the agent apps it needs"
        unknown = set(apps) - agent_app_packages()
        assert not unknown, f"service {name!r}: not agent app packages: {sorted(unknown)}"
        assert args_by_image.setdefault(service["image"], args) == args, name


def test_mounted_files_exist(compose: dict[str, Any]) -> None:
    named_volumes = set(compose.get("volumes", {}))
    for name, service in services(compose).items():
        for volume in service.get("volumes", []):
            source = str(volume).split(":", 1)[0]
            if source.startswith("."):
                assert (INFRA / source).exists(), f"service {name!r} mounts missing {source}"
            else:
                assert source in named_volumes, f"service {name!r}: undeclared volume {source}"


def test_dependencies_name_real_services(compose: dict[str, Any]) -> None:
    known = set(services(compose))
    for name, service in services(compose).items():
        depends_on: dict[str, Any] | list[str] = service.get("depends_on", {})
        assert set(depends_on) <= known, f"service {name!r} depends on an unknown service"


def test_one_shot_services_gate_the_apps(compose: dict[str, Any]) -> None:
    for name in APP_SERVICES:
        depends_on = services(compose)[name]["depends_on"]
        assert depends_on["temporal-namespace"]["condition"] == "service_completed_successfully"
        assert depends_on["minio-bucket"]["required"] is False
    for name in ONE_SHOT_SERVICES:
        assert name in services(compose)


def test_optional_services_sit_behind_profiles(compose: dict[str, Any]) -> None:
    profiled = {
        name: service["profiles"]
        for name, service in services(compose).items()
        if "profiles" in service
    }
    assert profiled == {"minio": ["s3"], "minio-bucket": ["s3"], "codec-server": ["codec"]}


def test_worker_can_scale(compose: dict[str, Any]) -> None:
    worker = services(compose)["worker"]
    # A fixed container name or published host port would make `--scale worker=3` fail.
    assert "container_name" not in worker
    assert "ports" not in worker
    assert worker["environment"]["WORKER_HEALTH_PORT"] == "8080"


def test_app_environment_names_real_settings(compose: dict[str, Any]) -> None:
    allowed = setting_names() | STANDARD_AWS_VARIABLES | TOOL_VARIABLES
    for name in APP_SERVICES:
        environment: dict[str, str] = services(compose)[name]["environment"]
        unknown = set(environment) - allowed
        assert not unknown, f"service {name!r} sets variables no app reads: {sorted(unknown)}"
        assert environment["TEMPORAL_ADDRESS"] == "temporal:7233"


def test_collector_pipeline_uses_only_defined_components(compose: dict[str, Any]) -> None:
    config: dict[str, Any] = load_yaml(INFRA / "otel-collector.yaml")
    traces = config["service"]["pipelines"]["traces"]
    for section in ("receivers", "processors", "exporters"):
        assert set(traces[section]) <= set(config[section]), f"undefined {section} in traces"
    assert set(config["receivers"]["otlp"]["protocols"]) == {"grpc", "http"}
    assert "batch" in traces["processors"]
    assert "debug" in traces["exporters"]
    jaeger_endpoint: str = config["exporters"]["otlp/jaeger"]["endpoint"]
    assert jaeger_endpoint.split(":")[0] in services(compose)
    assert set(config["service"]["extensions"]) <= set(config["extensions"])


def test_temporal_dynamic_config_is_well_formed() -> None:
    config: dict[str, list[dict[str, Any]]] = load_yaml(INFRA / "temporal" / "dynamicconfig.yaml")
    assert config
    for key, entries in config.items():
        assert isinstance(entries, list), f"{key}: a dynamic config key holds a list"
        for entry in entries:
            assert "value" in entry, f"{key}: every entry needs a value"


@pytest.mark.parametrize(
    "path",
    sorted(p.relative_to(REPO) for p in INFRA.rglob("*") if p.suffix in {".yaml", ".yml"}),
    ids=str,
)
def test_yaml_parses(path: Path) -> None:
    assert load_yaml_documents(REPO / path)


def test_temporal_lifts_its_task_read_limits_for_its_shard_count(
    compose: dict[str, Any],
) -> None:
    # At 20 reads per second per shard, each dispatch past a small burst waits for a token (up
    # to 50 ms per model call); the dev servers we start run with 1,000 (DEV_SERVER_DYNAMIC_CONFIG).
    config: dict[str, list[dict[str, Any]]] = load_yaml(INFRA / "temporal" / "dynamicconfig.yaml")
    shards = int(services(compose)["temporal"]["environment"]["NUM_HISTORY_SHARDS"])
    limits = [key for key in DEV_SERVER_DYNAMIC_CONFIG if key.endswith("ProcessorMaxPollRPS")]
    assert limits, "the dev servers' config names the history service's task-read limiters"
    for key in limits:
        assert key in config, f"{key} is missing from infra/temporal/dynamicconfig.yaml"
        [entry] = config[key]
        assert shards * int(entry["value"]) >= 1000, f"{key}: {shards} shards x {entry['value']}"


# `${NAME:-default}` and `${NAME-default}`: what compose writes when NAME is unset.
_DEFAULTED = re.compile(r"\$\{[A-Z0-9_]+:?-([^}]*)\}")
_LOOPBACK = {"127.0.0.1", "[::1]", "::1"}


def published_addresses(service: dict[str, Any]) -> list[tuple[str, str]]:
    """(port entry, host address it binds with every variable at its default) per port."""
    found: list[tuple[str, str]] = []
    entries: list[object] = service.get("ports", [])
    for entry in entries:
        if isinstance(entry, dict):
            long_form = cast(dict[str, Any], entry)
            host_ip = str(long_form.get("host_ip", ""))
            found.append((str(long_form), _DEFAULTED.sub(r"\1", host_ip)))
            continue
        resolved = _DEFAULTED.sub(r"\1", str(entry))
        parts = resolved.rsplit(":", 2)
        found.append((str(entry), parts[0] if len(parts) == 3 else ""))
    return found


def test_nothing_is_published_beyond_loopback_by_default(compose: dict[str, Any]) -> None:
    # Temporal's frontend, its Web UI, Jaeger, the collector and MinIO ask nobody who calls:
    # on every interface, anyone on the network could read traces or decide approvals.
    exposed = [
        f"{name}: {entry}"
        for name, service in services(compose).items()
        for entry, address in published_addresses(service)
        if address not in _LOOPBACK
    ]
    assert not exposed, f"publish these on 127.0.0.1: {exposed}"


def test_the_console_does_not_start_without_operator_logins(compose: dict[str, Any]) -> None:
    # The console may be published beyond loopback (CONSOLE_PUBLISH_ADDRESS): compose must
    # then refuse to run it without logins whose names its users cannot choose.
    value = str(services(compose)["console"]["environment"].get("CONSOLE_OPERATORS", ""))
    match = re.fullmatch(r"\$\{CONSOLE_OPERATORS:\?(?P<message>[^}]+)\}", value.strip())
    assert match is not None, f"require CONSOLE_OPERATORS with ${{...:?message}}, got {value!r}"
    assert "infra/.env" in match["message"] and "name:token" in match["message"]


def test_the_exposure_check_sees_an_exposed_port(compose: dict[str, Any]) -> None:
    jaeger = copy.deepcopy(services(compose)["jaeger"])
    jaeger["ports"] = ["${JAEGER_UI_PORT:-16686}:16686", {"target": 1, "published": "2"}]
    assert [address for _, address in published_addresses(jaeger)] == ["", ""]

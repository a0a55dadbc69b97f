"""infra/k8s: every manifest is a valid Kubernetes object, and the pieces fit together."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import jsonschema
import pytest
from referencing import Registry, Resource

from tests.infra._repo import (
    K8S,
    SCHEMAS,
    STANDARD_AWS_VARIABLES,
    TOOL_VARIABLES,
    load_json,
    load_yaml,
    load_yaml_documents,
    setting_names,
)

KUBERNETES_SCHEMAS = SCHEMAS / "kubernetes" / "v1.34.0"
SECRET_TEMPLATE = K8S / "secret.example.yaml"
REQUIRED_SECRET_KEYS = {
    "OPENAI_API_KEY",
    "TEMPORAL_API_KEY",
    "PAYLOAD_ENCRYPTION_KEYS",
    "CONSOLE_OPERATORS",
}


def manifest_files() -> list[Path]:
    kustomization: dict[str, Any] = load_yaml(K8S / "kustomization.yaml")
    resources: list[str] = kustomization["resources"]
    return [K8S / name for name in resources]


def objects() -> list[tuple[str, dict[str, Any]]]:
    """(file name, object) for every object kustomize applies, plus the Secret template."""
    return [
        (path.name, document)
        for path in [*manifest_files(), SECRET_TEMPLATE]
        for document in load_yaml_documents(path)
    ]


def the_object(kind: str, name: str) -> dict[str, Any]:
    found = [obj for _, obj in objects() if obj["kind"] == kind and obj["metadata"]["name"] == name]
    assert len(found) == 1, f"expected one {kind} {name!r}"
    return found[0]


@pytest.fixture(scope="module")
def validators() -> dict[tuple[str, str], jsonschema.Draft202012Validator]:
    definitions = load_json(KUBERNETES_SCHEMAS / "_definitions.json")
    empty: Registry[Any] = Registry()
    registry = empty.with_resource(definitions["$id"], Resource.from_contents(definitions))
    by_kind: dict[tuple[str, str], jsonschema.Draft202012Validator] = {}
    for path in sorted(KUBERNETES_SCHEMAS.glob("[!_]*.json")):
        schema: dict[str, Any] = load_json(path)
        jsonschema.Draft202012Validator.check_schema(schema)
        for gvk in schema["x-kubernetes-group-version-kind"]:
            api_version = f"{gvk['group']}/{gvk['version']}" if gvk["group"] else gvk["version"]
            by_kind[(api_version, gvk["kind"])] = jsonschema.Draft202012Validator(
                schema, registry=registry
            )
    return by_kind


def errors_of(
    validators: dict[tuple[str, str], jsonschema.Draft202012Validator], obj: dict[str, Any]
) -> list[str]:
    key = (obj["apiVersion"], obj["kind"])
    assert key in validators, f"no committed schema for {key}: see tests/infra/schemas/README.md"
    return [
        f"{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validators[key].iter_errors(obj)
    ]


def test_kustomization_lists_every_manifest_but_the_secret_template() -> None:
    listed = {path.name for path in manifest_files()}
    on_disk = {path.name for path in K8S.glob("*.yaml")} - {"kustomization.yaml"}
    assert listed == on_disk - {SECRET_TEMPLATE.name}
    assert all(path.is_file() for path in manifest_files())


@pytest.mark.parametrize(
    ("file", "obj"),
    [
        pytest.param(file, obj, id=f"{file}:{obj['kind']}/{obj['metadata']['name']}")
        for file, obj in objects()
    ],
)
def test_manifest_matches_the_kubernetes_schema(
    validators: dict[tuple[str, str], jsonschema.Draft202012Validator],
    file: str,
    obj: dict[str, Any],
) -> None:
    errors = errors_of(validators, obj)
    assert not errors, f"{file}:\n" + "\n".join(errors)


def test_the_schema_catches_a_misspelt_field(
    validators: dict[tuple[str, str], jsonschema.Draft202012Validator],
) -> None:
    deployment = copy.deepcopy(the_object("Deployment", "durable-agents-worker"))
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    container["readinessProbes"] = container.pop("readinessProbe")
    errors = errors_of(validators, deployment)
    assert any("readinessProbes" in error for error in errors), errors


def container_of(deployment: dict[str, Any]) -> dict[str, Any]:
    containers: list[dict[str, Any]] = deployment["spec"]["template"]["spec"]["containers"]
    assert len(containers) == 1
    return containers[0]


def named_port(container: dict[str, Any], name: str) -> int:
    ports = {port["name"]: port["containerPort"] for port in container["ports"]}
    return ports[name]


def config() -> dict[str, str]:
    data: dict[str, str] = the_object("ConfigMap", "durable-agents-config")["data"]
    return data


def test_worker_probes_use_the_health_server() -> None:
    worker = the_object("Deployment", "durable-agents-worker")
    container = container_of(worker)
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["livenessProbe"]["httpGet"]["path"] == "/healthz"
    for probe in ("readinessProbe", "livenessProbe", "startupProbe"):
        assert container[probe]["httpGet"]["port"] == "health"
    assert named_port(container, "health") == int(config()["WORKER_HEALTH_PORT"])


def test_worker_gets_time_to_finish_activities() -> None:
    spec = the_object("Deployment", "durable-agents-worker")["spec"]
    assert spec["template"]["spec"]["terminationGracePeriodSeconds"] >= 60
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_autoscaler_targets_the_worker_on_cpu() -> None:
    hpa = the_object("HorizontalPodAutoscaler", "durable-agents-worker")
    target = hpa["spec"]["scaleTargetRef"]
    assert (target["apiVersion"], target["kind"], target["name"]) == (
        "apps/v1",
        "Deployment",
        "durable-agents-worker",
    )
    metric = hpa["spec"]["metrics"][0]
    assert metric["resource"]["name"] == "cpu"
    assert hpa["spec"]["minReplicas"] <= hpa["spec"]["maxReplicas"]
    # CPU utilisation is measured against requests, so the worker must declare some.
    assert container_of(the_object("Deployment", "durable-agents-worker"))["resources"]["requests"][
        "cpu"
    ]


def test_console_service_reaches_the_console_pods() -> None:
    console = the_object("Deployment", "durable-agents-console")
    service = the_object("Service", "durable-agents-console")
    labels: dict[str, str] = console["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= labels.items()
    assert console["spec"]["selector"]["matchLabels"].items() <= labels.items()
    container = container_of(console)
    target = service["spec"]["ports"][0]["targetPort"]
    assert named_port(container, target) == int(config()["CONSOLE_PORT"])
    assert container["readinessProbe"]["httpGet"]["path"] == "/_stcore/health"


@pytest.mark.parametrize("name", ["durable-agents-worker", "durable-agents-console"])
def test_apps_run_unprivileged_and_read_config_and_secret(name: str) -> None:
    pod = the_object("Deployment", name)["spec"]["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    container = container_of(the_object("Deployment", name))
    sources = container["envFrom"]
    assert {"configMapRef": {"name": "durable-agents-config"}} in sources
    assert {"secretRef": {"name": "durable-agents-secrets", "optional": True}} in sources
    assert container["securityContext"]["allowPrivilegeEscalation"] is False


def test_config_map_keys_are_settings() -> None:
    unknown = set(config()) - setting_names() - TOOL_VARIABLES
    assert not unknown, f"the ConfigMap sets variables no app reads: {sorted(unknown)}"
    assert not set(config()) & REQUIRED_SECRET_KEYS, "secrets belong in the Secret"


def test_secret_template_holds_only_placeholders() -> None:
    secret = the_object("Secret", "durable-agents-secrets")
    data: dict[str, str] = secret["stringData"]
    assert REQUIRED_SECRET_KEYS <= set(data)
    assert set(data) <= setting_names() | STANDARD_AWS_VARIABLES
    for key, value in data.items():
        assert "REPLACE_ME" in value, f"{key}: the template must hold a placeholder"

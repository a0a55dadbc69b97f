"""Refresh the committed Kubernetes JSON schemas from the `kubernetes-validate` package.

The tests validate ``infra/k8s`` offline, so the schemas they need live in this folder. This
script copies the schema of each kind the manifests use from the package's strict schemas, plus
only the shared definitions those schemas reach, so the committed data stays small. Run it from
the repository root when a new kind or Kubernetes version is needed:

    uv run --with kubernetes-validate==1.37.0 python tests/infra/schemas/refresh_k8s_schemas.py
"""

from __future__ import annotations

import importlib.util
import json
import re
import sys
from pathlib import Path
from typing import Any

KUBERNETES_VERSION = "v1.34.0"
KINDS = (
    "configmap-v1",
    "deployment-apps-v1",
    "horizontalpodautoscaler-autoscaling-v2",
    "secret-v1",
    "service-v1",
)
TARGET = Path(__file__).parent / "kubernetes" / KUBERNETES_VERSION
_REF = re.compile(r'"\$ref": "(?:/api/_definitions\.json)?#/\$defs/([^"]+)"')


def _source_dir() -> Path:
    spec = importlib.util.find_spec("kubernetes_validate")
    if spec is None or spec.origin is None:
        sys.exit("install it first: uv run --with kubernetes-validate==1.37.0 python " + __file__)
    return (
        Path(spec.origin).parent / "kubernetes-json-schema" / f"{KUBERNETES_VERSION}-local-strict"
    )


def _reachable(texts: list[str], definitions: dict[str, Any]) -> set[str]:
    pending = {name for text in texts for name in _REF.findall(text)}
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        pending |= set(_REF.findall(json.dumps(definitions[name]))) - seen
    return seen


def main() -> None:
    source = _source_dir()
    shared: dict[str, Any] = json.loads((source / "_definitions.json").read_text())
    texts = [(source / f"{kind}.json").read_text() for kind in KINDS]
    needed = _reachable(texts, shared["$defs"])
    TARGET.mkdir(parents=True, exist_ok=True)
    for kind, text in zip(KINDS, texts, strict=True):
        (TARGET / f"{kind}.json").write_text(text)
    pruned = {**shared, "$defs": {name: shared["$defs"][name] for name in sorted(needed)}}
    (TARGET / "_definitions.json").write_text(json.dumps(pruned, indent=2) + "\n")
    print(f"wrote {len(KINDS)} schemas and {len(needed)} shared definitions to {TARGET}")


if __name__ == "__main__":
    main()

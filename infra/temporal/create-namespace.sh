#!/bin/sh
# Registers TEMPORAL_NAMESPACE on the server at TEMPORAL_ADDRESS unless it already exists.
set -eu

namespace="${TEMPORAL_NAMESPACE:-default}"
attempt=1
until temporal operator cluster health --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; do
  if [ "$attempt" -ge 30 ]; then
    echo "Temporal at $TEMPORAL_ADDRESS did not become healthy" >&2
    exit 1
  fi
  attempt=$((attempt + 1))
  sleep 2
done

if temporal operator namespace describe --namespace "$namespace" --address "$TEMPORAL_ADDRESS" >/dev/null 2>&1; then
  echo "namespace $namespace already exists"
else
  temporal operator namespace create --namespace "$namespace" --retention 72h --address "$TEMPORAL_ADDRESS"
  echo "namespace $namespace created"
fi

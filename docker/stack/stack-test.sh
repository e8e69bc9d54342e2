#!/usr/bin/env bash
# `make stack-test`: the local base images (cached), the Airflow image on the Debian base, then
# docker/stack/stack_test.py. Needs root, podman, podman-compose, debootstrap (.ci/run installs).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/docker/stack/containers.conf}
started=$(date +%s)
docker/stack/base-image.sh
echo "[stack] build the Airflow image on council-social-base:bookworm"
podman build --quiet --network host --build-arg BASE_IMAGE=localhost/council-social-base:bookworm \
    -t council-social-airflow:stack . >/dev/null
echo "[stack] images ready in $(( $(date +%s) - started )) s"
STACK_STARTED=$started exec .venv/bin/python docker/stack/stack_test.py

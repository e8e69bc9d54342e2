#!/usr/bin/env bash
# `make stack-test`: the local base images (cached), the Airflow image on the Debian base, then
# docker/stack/stack_test.py. Needs root, podman and debootstrap (.ci/run installs them from
# Debian); podman-compose comes from PyPI into a venv beside the cached base (Debian's 1.0.3
# leaves `${VAR:-}` uninterpolated).
set -euo pipefail
cd "$(dirname "$0")/../.."
export CONTAINERS_CONF=${CONTAINERS_CONF:-$PWD/docker/stack/containers.conf}
started=$(date +%s)
cache=${STACK_CACHE:-/var/cache/council-social-stack}
compose_venv="$cache/podman-compose"
if [ ! -x "$compose_venv/bin/podman-compose" ]; then
    python3 -m venv "$compose_venv"
    "$compose_venv/bin/pip" install --quiet --disable-pip-version-check podman-compose==1.6.0
fi
export PODMAN_COMPOSE="$compose_venv/bin/podman-compose"
docker/stack/base-image.sh
echo "[stack] build the Airflow image on council-social-base:bookworm"
podman build --quiet --network host --build-arg BASE_IMAGE=localhost/council-social-base:bookworm \
    -t council-social-airflow:stack . >/dev/null
echo "[stack] images ready in $(( $(date +%s) - started )) s"
STACK_STARTED=$started exec .venv/bin/python docker/stack/stack_test.py

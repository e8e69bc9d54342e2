#!/usr/bin/env bash
# The local base images for `make stack-test`, built from Debian packages without any registry:
#   council-social-base:bookworm      debootstrap minbase + python3 (3.11) in a venv, user airflow,
#                                     /entrypoint (entrypoint.sh)
#   council-social-postgres:15        the base + Debian's postgresql-15 (official image's env)
#   council-social-redis:7            the base + Debian's redis-server
# debootstrap is the slow part: its tarball is cached in STACK_CACHE (outside the repo), so a
# rerun only re-imports it. Needs root, podman and debootstrap (Debian packages).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
cache=${STACK_CACHE:-/var/cache/council-social-stack}
mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}
tarball="$cache/debian-bookworm-minbase.tar"
mkdir -p "$cache"

if [ ! -s "$tarball" ]; then
    echo "[base] debootstrap bookworm minbase into $cache (slow, once)"
    rootfs=$(mktemp -d "$cache/rootfs.XXXXXX")
    trap 'rm -rf "$rootfs"' EXIT
    debootstrap --variant=minbase --include=python3,python3-venv,ca-certificates,curl,procps \
        bookworm "$rootfs" "$mirror" >"$cache/debootstrap.log" 2>&1 \
        || { tail -5 "$cache/debootstrap.log"; exit 1; }
    # The machine's extra CA certificates, or pip cannot reach the registry through its proxy.
    if compgen -G "/usr/local/share/ca-certificates/*.crt" >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$rootfs/usr/local/share/ca-certificates/"
        chroot "$rootfs" update-ca-certificates >/dev/null
    fi
    cp /etc/apt/sources.list.d/debian.sources "$rootfs/etc/apt/sources.list.d/" 2>/dev/null || true
    # What the official Airflow image provides and compose relies on: user airflow (50000, group
    # 0), a python on PATH that pip may install into, AIRFLOW_HOME and an /entrypoint.
    chroot "$rootfs" useradd --uid 50000 --gid 0 --home-dir /home/airflow --create-home \
        --shell /bin/bash airflow
    chroot "$rootfs" python3 -m venv /opt/python
    mkdir -p "$rootfs/opt/airflow"
    chroot "$rootfs" chown -R airflow:0 /opt/python /opt/airflow
    chroot "$rootfs" apt-get clean
    rm -rf "$rootfs"/var/lib/apt/lists/* "$rootfs"/var/cache/apt/*.bin
    tar -C "$rootfs" -cf "$tarball.part" . && mv "$tarball.part" "$tarball"
    rm -rf "$rootfs"; trap - EXIT
fi

if ! podman image exists council-social-rootfs:bookworm; then
    echo "[base] podman import $tarball"
    podman import \
        --change 'ENV PATH=/opt/python/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'ENV AIRFLOW_HOME=/opt/airflow' \
        --change 'ENV PYTHONUNBUFFERED=1' \
        --change 'WORKDIR /opt/airflow' \
        --change 'USER 50000' \
        --change 'ENTRYPOINT ["/entrypoint"]' \
        "$tarball" council-social-rootfs:bookworm >/dev/null
fi
# The /entrypoint as its own layer (layer-cached), so changing it needs no new debootstrap.
podman build --quiet -t council-social-base:bookworm -f "$here/base.Containerfile" "$here" >/dev/null
for image in postgres redis; do
    tag=$( [ $image = postgres ] && echo council-social-postgres:15 || echo council-social-redis:7 )
    # Always built: the layer cache makes it quick, and an entrypoint change is picked up.
    podman build --quiet --network host -t "$tag" -f "$here/$image.Containerfile" "$here" >/dev/null
done
echo "[base] images ready: council-social-base:bookworm council-social-postgres:15 council-social-redis:7"

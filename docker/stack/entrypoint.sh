#!/usr/bin/env bash
# The local base image's stand-in for the official Airflow image's /entrypoint: an Airflow
# subcommand (`scheduler`, `celery worker`, ...) runs under `airflow`, anything else as given.
set -euo pipefail
if [ $# -eq 0 ]; then exec bash; fi
case "$1" in
    api-server|scheduler|dag-processor|triggerer|celery|db|dags|tasks|pools|jobs|version|\
    config|connections|variables|providers|plugins|info|assets|backfill|standalone)
        exec airflow "$@" ;;
esac
exec "$@"

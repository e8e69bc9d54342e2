#!/usr/bin/env bash
# The local base image's stand-in for the official Airflow image's /entrypoint: run the command
# (an Airflow subcommand when it is not a program on PATH, as the official image does).
set -euo pipefail
if [ $# -eq 0 ]; then exec bash; fi
if command -v "$1" >/dev/null 2>&1; then exec "$@"; fi
exec airflow "$@"

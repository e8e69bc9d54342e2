#!/usr/bin/env bash
# airflow-init (docker-compose.yaml): runs once, as root, before every other Airflow service.
# Every step is idempotent, so `docker compose up` after a change runs it again safely.
# AIRFLOW_ENTRYPOINT and AIRFLOW_DIR exist so tests can run this against a stub entrypoint.
set -euo pipefail

entrypoint=${AIRFLOW_ENTRYPOINT:-/entrypoint}
airflow_dir=${AIRFLOW_DIR:-/opt/airflow}
owner="${AIRFLOW_UID:-50000}:0"
storage_root=${COUNCIL_SOCIAL_STORAGE_ROOT:?COUNCIL_SOCIAL_STORAGE_ROOT must name the shared volume}
passwords_file=${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$airflow_dir/config/simple_auth_manager_passwords.json}

# 0. The mounted folders and the council's shared storage belong to the Airflow user.
mkdir -p "$airflow_dir"/{logs,dags,plugins,config} "$storage_root"
chown -R "$owner" "$airflow_dir"/{logs,dags,plugins,config} "$storage_root"

# 1. Airflow metadata: the image's entrypoint migrates (_AIRFLOW_DB_MIGRATE=true).
"$entrypoint" airflow version
# Later steps must not repeat the migration.
export _AIRFLOW_DB_MIGRATE=

# 2. The product's own schema in the council_social database.
"$entrypoint" council-social db upgrade

# 3. One Airflow pool per configured platform API, sized from council.yaml. Python writes the
#    file itself: the entrypoint prints to stdout (a blank line from `airflow db check`).
pools_file=$(mktemp)
trap 'rm -f "$pools_file"' EXIT
"$entrypoint" python -m council_social.deploy.init_files pools "$pools_file"
"$entrypoint" airflow pools import "$pools_file"

# 4. The first admin's password for the simple auth manager (kept if it already exists).
"$entrypoint" python -m council_social.deploy.init_files passwords "$passwords_file"
chown "$owner" "$passwords_file"
chmod 600 "$passwords_file"
echo "airflow-init: done"

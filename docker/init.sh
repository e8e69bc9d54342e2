#!/usr/bin/env bash
# airflow-init (docker-compose.yaml): runs as root before the other Airflow services need it.
# Every step is idempotent, so `docker compose up` after a change runs it again safely.
# AIRFLOW_ENTRYPOINT and AIRFLOW_DIR exist so tests can run this against a stub entrypoint.
set -euo pipefail

entrypoint=${AIRFLOW_ENTRYPOINT:-/entrypoint}
airflow_dir=${AIRFLOW_DIR:-/opt/airflow}
owner="${AIRFLOW_UID:-50000}:0"
storage_root=${COUNCIL_SOCIAL_STORAGE_ROOT:?COUNCIL_SOCIAL_STORAGE_ROOT must name the shared volume}
anchor=${COUNCIL_SOCIAL_ARCHIVE_ANCHOR:-}
passwords_file=${AIRFLOW__CORE__SIMPLE_AUTH_MANAGER_PASSWORDS_FILE:-$airflow_dir/config/simple_auth_manager_passwords.json}

# 0. The mounted folders, the shared storage and the anchor's volume belong to the Airflow user.
folders=("$airflow_dir"/{logs,dags,plugins,config} "$storage_root")
[ -n "$anchor" ] && folders+=("$(dirname "$anchor")")
mkdir -p "${folders[@]}"
chown -R "$owner" "${folders[@]}"

# 1. The first admin's password for the simple auth manager (kept if it already exists). First:
#    an API server started before it would write a random one (podman-compose starts the
#    services without waiting for this job).
"$entrypoint" python -m council_social.deploy.init_files passwords "$passwords_file"
chown "$owner" "$passwords_file"
chmod 600 "$passwords_file"

# 2. Airflow metadata. PostgreSQL may still be starting (podman-compose does not wait for a
#    healthy service), so the migration is retried for a while.
for attempt in $(seq 1 "${INIT_DB_ATTEMPTS:-30}"); do
    "$entrypoint" airflow db migrate && break
    [ "$attempt" -lt "${INIT_DB_ATTEMPTS:-30}" ] || { echo "airflow-init: database not ready" >&2; exit 1; }
    sleep 2
done

# 3. The product's own schema in the council_social database.
"$entrypoint" council-social db upgrade

# 4. One Airflow pool per configured platform API, sized from council.yaml. Python writes the
#    file itself: the entrypoint prints to stdout (a blank line from `airflow db check`).
pools_file=$(mktemp)
trap 'rm -f "$pools_file"' EXIT
"$entrypoint" python -m council_social.deploy.init_files pools "$pools_file"
"$entrypoint" airflow pools import "$pools_file"

# 5. The DAGs into the metadata database, then the new ones of deployment.unpause_dags
#    unpaused (an operator's later pause is kept; publish_posts is the operator's call).
"$entrypoint" airflow dags reserialize
"$entrypoint" python -m council_social.deploy.init_files unpause

# 6. The preflight, printed for the operator. The scheduler, workers and triggerer start after
#    this job, so their checks cannot pass yet: run `council-social doctor` again once up.
"$entrypoint" council-social doctor || echo "airflow-init: doctor found the problems above" \
    "(components not yet started are expected here)"
echo "airflow-init: done"

# The Airflow image for docker-compose.yaml: a base plus requirements.lock (the runtime lock:
# no pytest, ruff, uv or embedded PostgreSQL) and the project.
#   docker compose build                     the official Airflow image as the base
#   BASE_IMAGE=council-social-base:bookworm  the local Debian base `make stack-test` builds
# Any base works that has a `python` on PATH pip may install into, user 50000 (group 0),
# AIRFLOW_HOME=/opt/airflow and an /entrypoint that runs its arguments.
ARG BASE_IMAGE=apache/airflow:3.3.2-python3.11
FROM ${BASE_IMAGE}

# Exactly the locked versions, as the image's user, the way the Airflow image's docs ask for
# extra packages; compiled to bytecode now so no container start compiles the libraries.
COPY --chown=50000:0 requirements.lock /opt/council-social/requirements.lock
RUN python -m pip install --no-cache-dir --disable-pip-version-check --compile \
        -r /opt/council-social/requirements.lock

# The product (council_social and the `council-social` command), its DAGs and plugin.
# Compose also mounts dags/, plugins/ and include/ over these, so code edits need no rebuild.
COPY --chown=50000:0 pyproject.toml README.md /opt/council-social/
COPY --chown=50000:0 include /opt/council-social/include
RUN python -m pip install --no-cache-dir --disable-pip-version-check --no-deps --compile \
        /opt/council-social
COPY --chown=50000:0 dags /opt/airflow/dags
COPY --chown=50000:0 plugins /opt/airflow/plugins
COPY --chown=50000:0 docker/init.sh /opt/council-social/docker/init.sh

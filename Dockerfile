# The Airflow image for docker-compose.yaml: the stock image plus requirements.lock and the
# project. Build: `docker compose build` (or `docker build -t council-social-airflow .`).
FROM apache/airflow:3.3.2-python3.11

# Exactly the locked versions (Celery provider, great_expectations, warcio, ...), as the
# airflow user, the way the image's docs ask for extra packages.
COPY --chown=airflow:0 requirements.lock /opt/council-social/requirements.lock
RUN pip install --no-cache-dir -r /opt/council-social/requirements.lock

# The product (council_social and the `council-social` command), its DAGs and plugin.
# Compose also mounts dags/, plugins/ and include/ over these, so code edits need no rebuild.
COPY --chown=airflow:0 pyproject.toml README.md /opt/council-social/
COPY --chown=airflow:0 include /opt/council-social/include
RUN pip install --no-cache-dir --no-deps /opt/council-social
COPY --chown=airflow:0 dags /opt/airflow/dags
COPY --chown=airflow:0 plugins /opt/airflow/plugins
COPY --chown=airflow:0 docker/init.sh /opt/council-social/docker/init.sh

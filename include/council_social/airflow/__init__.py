"""The Airflow adapter: the only part of `council_social` that imports Airflow.

DAG files import from here and from `airflow.sdk`, so the rest of the package runs and
tests without a scheduler. One module per job:

- `assets`: the assets the DAGs announce and the tags the DAG list filters on
- `defaults`: `default_args` and the start date; `failure`: the failure notice
- `council_config`: council.yaml, read and validated once per process
- `connections`: Airflow Connections and the database engine; `connectors`: the platform
  connectors; `mail`: the SMTP sender or the outbox; `posters`: publishers and repliers
- `run_windows`: what a run with no data interval owns (`ManualRun`, `process_window`)
- `dag_files`: loading the DAG folder and running one DAG (the demo, the tests)

Only what DAG files, the CLI, the demo and the tests use is re-exported here.
"""

from council_social.airflow.assets import (
    CHANNEL_PLATFORMS,
    ITEMS,
    RAW_CHANNELS,
    RAW_FACEBOOK,
    RAW_TWITTER,
    Tag,
    tags,
)
from council_social.airflow.connections import DB_CONNECTION_ID, connection, database_url, engine
from council_social.airflow.connectors import channel_connector, twitter_connector
from council_social.airflow.council_config import config
from council_social.airflow.dag_files import load_dags, run_dag
from council_social.airflow.defaults import START_DATE, default_args
from council_social.airflow.failure import notify_failure, on_failure
from council_social.airflow.mail import OUTBOX_ENV_VAR, mail_sender
from council_social.airflow.posters import grid_posters, instagram_poster, youtube_replier
from council_social.airflow.run_windows import ManualRun, process_window

__all__ = [
    "CHANNEL_PLATFORMS", "DB_CONNECTION_ID", "ITEMS", "OUTBOX_ENV_VAR", "RAW_CHANNELS",
    "RAW_FACEBOOK", "RAW_TWITTER", "START_DATE", "ManualRun", "Tag", "channel_connector",
    "config", "connection", "database_url", "default_args", "engine", "grid_posters",
    "instagram_poster", "load_dags", "mail_sender", "notify_failure", "on_failure",
    "process_window", "run_dag", "tags", "twitter_connector", "youtube_replier",
]

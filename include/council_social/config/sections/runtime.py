"""Where things are stored and how the local simulator behaves."""

from __future__ import annotations

from pydantic import Field

from council_social.config.types import (
    ConfigModel,
    NonBlank,
)


class SimulatorSettings(ConfigModel):
    seed: int = 20150810
    mentions_per_hour: float = Field(default=30.0, gt=0)
    # Simulator-only dummy credential; real tokens come from Airflow connections.
    bearer_token: NonBlank = "sim-token"


class StorageSettings(ConfigModel):
    data_dir: NonBlank = ".data"
    database_url: str | None = None  # None -> the embedded PostgreSQL under data_dir
    output_dir: NonBlank = "out"
    # What every worker and the API server must see alike: the WARC archive, the model
    # registry, the grid and report pages and the outbox, under one root. A path or an
    # fsspec URL (s3://bucket/prefix). None -> the one-machine layout: data_dir for the
    # archive, models and outbox, output_dir for the pages.
    root: NonBlank | None = None


class DeploymentSettings(ConfigModel):
    # DAGs a new deployment unpauses when they first appear (fnmatch patterns); a DAG an
    # operator pauses later stays paused. publish_posts is left to the operator on purpose.
    unpause_dags: list[NonBlank] = Field(default_factory=list)

    def wanted(self, dag_id: str) -> bool:
        from fnmatch import fnmatchcase

        return any(fnmatchcase(dag_id, pattern) for pattern in self.unpause_dags)

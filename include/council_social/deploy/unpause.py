"""Which DAGs a deployment unpauses: those meant to run, only when they first appear.

An operator's pause (publish_posts, archive_retention, ...) survives `make up` and the compose
init job running again. The DAGs already given their first state are remembered in an Airflow
Variable, beside the pause flags in the metadata database: a new database starts afresh.
"""

from __future__ import annotations

import json
from collections.abc import Callable

MARKER_VARIABLE = "council_social_dags_initialised"


def first_unpause(states: dict[str, bool], initialised: set[str],
                  wanted: Callable[[str], bool]) -> list[str]:
    """DAGs (dag_id -> is_paused) seen for the first time, paused and meant to run."""
    return sorted(d for d, paused in states.items()
                  if d not in initialised and paused and wanted(d))


def read_marker(value: str | None) -> set[str]:
    return set(json.loads(value)) if value else set()


def write_marker(initialised: set[str], states: dict[str, bool]) -> str:
    return json.dumps(sorted(initialised | set(states)))

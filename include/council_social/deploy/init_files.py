"""Files the compose stack's init job (docker/init.sh) and `make up` hand to Airflow.

    python -m council_social.deploy.init_files pools OUT.json
    python -m council_social.deploy.init_files passwords OUT.json
    python -m council_social.deploy.init_files unpause

`unpause` (after `airflow dags reserialize`) unpauses the DAGs of deployment.unpause_dags that
appear for the first time, through Airflow's models, and prints their names.

Written by Python, never parsed from a command's output.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def pools(config) -> dict[str, dict]:
    """`airflow pools import` input: one pool per configured platform API."""
    return {
        s.pool: {"slots": s.pool_slots, "description": f"{platform} API calls (council social)",
                 "include_deferred": False}
        for platform, s in config.channels.configured().items()
    }


def write_pools(path: Path, config) -> None:
    path.write_text(json.dumps(pools(config), indent=2) + "\n")


def write_passwords(path: Path, username: str, password: str) -> bool:
    """The simple auth manager's passwords file; an existing one is kept. True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({username: password}) + "\n")
    path.chmod(0o600)
    return True


def unpause_new_dags(config) -> list[str]:
    from airflow.models import DagModel, Variable
    from airflow.models.dagbag import DagPriorityParsingRequest
    from airflow.utils.session import create_session
    from sqlalchemy import select, update

    from council_social.deploy.unpause import (
        MARKER_VARIABLE,
        first_unpause,
        read_marker,
        write_marker,
    )

    with create_session() as session:
        states = dict(session.execute(select(DagModel.dag_id, DagModel.is_paused)
                                      .where(DagModel.is_stale.is_(False))).all())
        initialised = read_marker(Variable.get(MARKER_VARIABLE, default_var=None))
        unpaused = first_unpause(states, initialised, config.deployment.wanted)
        if unpaused:
            session.execute(update(DagModel).where(DagModel.dag_id.in_(unpaused))
                            .values(is_paused=False))
            # An asset's watcher (send_replies' trigger) is registered only when the file of an
            # unpaused DAG is parsed: ask the DAG processor to parse those files at once, as
            # the UI's Reparse button does.
            files = session.execute(select(DagModel.bundle_name, DagModel.relative_fileloc)
                                    .where(DagModel.dag_id.in_(unpaused))).all()
            session.add_all(DagPriorityParsingRequest(bundle_name=bundle, relative_fileloc=path)
                            for bundle, path in set(files))
    Variable.set(MARKER_VARIABLE, write_marker(initialised, states))
    return unpaused


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv == ["unpause"]:
        from council_social.config import load_config

        unpaused = unpause_new_dags(load_config())
        print(f"unpaused: {', '.join(unpaused) or 'none (new DAGs only; pauses are kept)'}")
        return 0
    if len(argv) != 2 or argv[0] not in ("pools", "passwords"):
        print("usage: python -m council_social.deploy.init_files pools|passwords OUT.json"
              " | unpause")
        return 2
    kind, out = argv[0], Path(argv[1])
    if kind == "pools":
        from council_social.config import load_config

        write_pools(out, load_config())
        return 0
    username = os.environ.get("_AIRFLOW_WWW_USER_USERNAME") or "airflow"
    password = os.environ.get("_AIRFLOW_WWW_USER_PASSWORD")
    if not password:
        print("init_files passwords: set _AIRFLOW_WWW_USER_PASSWORD (see .env.example)")
        return 2
    write_passwords(out, username, password)
    return 0


if __name__ == "__main__":
    sys.exit(main())

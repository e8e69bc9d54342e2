"""`council-social doctor [--format json]`: a deployment checked as an operator would before
going live. Exit 0 only when every check passes; otherwise one line per problem, exit 1.

Checks read, never change, and never print a secret: a Connection is named, not shown.
"""

from __future__ import annotations

import json
import os
import sys
import time
import uuid
from dataclasses import asdict, dataclass
from fnmatch import fnmatchcase
from pathlib import Path

# Further apart than this, a scheduled run's data interval and the database's timestamps disagree.
MAX_CLOCK_SKEW_SECONDS = 5.0
# Airflow components and Celery workers that have not answered in this long count as down.
CELERY_PING_TIMEOUT = 5.0
# Platforms that read public pages and need no credential.
NO_CREDENTIAL = {"feed"}


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str


def in_container() -> bool:
    """Podman writes /run/.containerenv, Docker /.dockerenv."""
    return Path("/run/.containerenv").exists() or Path("/.dockerenv").exists()


def _existing_ancestor(path: Path) -> Path:
    path = Path(os.path.abspath(path))
    while not path.exists() and path != path.parent:
        path = path.parent
    return path


def production() -> bool:
    from council_social.config import ENVIRONMENT_ENV_VAR

    return os.environ.get(ENVIRONMENT_ENV_VAR, "").strip().lower() == "production"


def persistence_problem(path, root_device: int | None = None) -> str | None:
    """Why `path` would not outlive its container, else None. Only a production deployment or
    a container is judged: on one machine (`make up`) .data is the host's own disk. In a
    container a path on its own root filesystem (no volume mounted over it) is lost on
    recreation; `root_device` stands in for that filesystem in tests."""
    from council_social.config.loader import not_persistent
    from council_social.config.paths import project_root

    if not isinstance(path, Path):
        return None  # an fsspec URL: object storage outlives every container
    if root_device is None:
        if not in_container():
            return not_persistent(path, project_root()) if production() else None
        root_device = os.stat("/").st_dev
    why = not_persistent(path, project_root())
    if why:
        return why
    if os.stat(_existing_ancestor(path)).st_dev == root_device:
        return "on the container's own filesystem, not a mounted volume"
    return None


def writable_problem(folder) -> str | None:
    """Create, write and remove a file in `folder` (made if missing)."""
    try:
        folder.mkdir(parents=True, exist_ok=True)
        probe = folder / f".doctor-{uuid.uuid4().hex}"
        probe.write_text("ok")
        probe.unlink()
    except OSError as exc:
        return f"not writable: {exc.strerror or exc}"
    return None


def check_storage(config, root_device: int | None = None) -> list[Check]:
    from council_social.config.loader import persistent_paths

    checks = []
    base = config.storage_base
    problem = writable_problem(base) or persistence_problem(base, root_device)
    checks.append(Check("storage", problem is None,
                        f"storage root {base} is {problem or 'writable and persistent'}"))
    for what, path in persistent_paths(config).items():
        why = persistence_problem(path, root_device)
        if why:
            checks.append(Check("storage", False, f"{what} {path} is {why}"))
    return checks


def check_anchor(config) -> Check:
    from council_social.archive.anchor import anchor_path
    from council_social.archive.storage import archive_root

    anchor, root = anchor_path(config), archive_root(config)
    if isinstance(root, Path) and Path(os.path.abspath(anchor)).is_relative_to(
            os.path.abspath(root)):
        return Check("anchor", False, f"anchor log {anchor} is inside the archive root {root}: "
                     "whoever can rewrite the archive can rewrite its evidence")
    problem = writable_problem(anchor.parent)
    if problem:
        return Check("anchor", False, f"anchor log folder {anchor.parent} is {problem}")
    return Check("anchor", True, f"anchor log {anchor} is outside the archive root {root}")


def check_database(config) -> list[Check]:
    """Reachable, migrated to every head, and the clock agrees with the server's."""
    from alembic.script import ScriptDirectory
    from sqlalchemy import text

    from council_social.store.engine import describe, get_engine
    from council_social.store.migrate import alembic_config, current_revision

    try:
        engine = get_engine(None, config)
        where = describe(engine.url.render_as_string(hide_password=True))
        with engine.connect() as conn:
            before = time.time()
            server = conn.execute(text("SELECT extract(epoch FROM clock_timestamp())")).scalar()
            after = time.time()
            current = current_revision(conn)
            heads = ",".join(sorted(ScriptDirectory.from_config(alembic_config(conn))
                                    .get_heads()))
    except Exception as exc:  # whatever the driver raises, the operator gets one line
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        return [Check("database", False, f"council database unreachable: {reason}")]
    checks = [Check("database", current == heads,
                    f"council database {where} at revision {current}"
                    + ("" if current == heads else f", expected {heads}: run "
                       "`council-social db upgrade`"))]
    skew = float(server) - (before + after) / 2
    checks.append(clock_check(skew, (after - before) / 2))
    return checks


def clock_check(skew: float, uncertainty: float) -> Check:
    ok = abs(skew) <= MAX_CLOCK_SKEW_SECONDS + uncertainty
    return Check("clock", ok, f"clock is {skew:+.1f} s from the database's"
                 + ("" if ok else f" (more than {MAX_CLOCK_SKEW_SECONDS:.0f} s): sync it (NTP)"))


def _connection_exists(conn_id: str) -> bool:
    from airflow.exceptions import AirflowNotFoundException
    from airflow.models.connection import Connection

    try:
        Connection.get_connection_from_secrets(conn_id)
    except AirflowNotFoundException:
        return False
    return True


def check_connections(config, exists=_connection_exists) -> list[Check]:
    checks = []
    for platform, settings in config.channels.configured().items():
        if platform in NO_CREDENTIAL:
            continue
        conn_id = settings.connection_id
        found = exists(conn_id)
        checks.append(Check("connection", found, f"{platform}: Airflow Connection {conn_id!r} "
                            + ("is present" if found else "is missing")))
    smtp = config.notifications.smtp_connection_id
    if exists(smtp):
        checks.append(Check("mail", True, f"SMTP Connection {smtp!r} is present"))
    else:
        outbox = os.environ.get("COUNCIL_SOCIAL_OUTBOX")
        checks.append(Check("mail", bool(outbox), (
            f"no SMTP Connection {smtp!r}: mail goes to the declared outbox {outbox}" if outbox
            else f"no SMTP Connection {smtp!r} and no outbox declared (COUNCIL_SOCIAL_OUTBOX): "
                 "digests and failure notices cannot be sent")))
    return checks


def check_dags(config, dag_states: dict[str, bool | None]) -> list[Check]:
    """dag_states: dag_id -> is_paused (None: not loaded) for every DAG in the DAG folder."""
    checks = []
    for pattern in config.deployment.unpause_dags:
        matched = [d for d in dag_states if fnmatchcase(d, pattern)]
        if not any(dag_states[d] is not None for d in matched):
            checks.append(Check("dags", False, f"no loaded DAG matches {pattern!r} "
                                "(is the DAG processor running?)"))
    for dag_id, paused in sorted(dag_states.items()):
        if paused and config.deployment.wanted(dag_id):
            checks.append(Check("dags", False, f"DAG {dag_id} is paused"))
    if not checks:
        checks.append(Check("dags", True, "every DAG in deployment.unpause_dags is unpaused"))
    return checks


def _airflow_dag_states() -> dict[str, bool | None]:
    from airflow.models import DagModel
    from airflow.utils.session import create_session
    from sqlalchemy import select

    with create_session() as session:
        rows = session.execute(select(DagModel.dag_id, DagModel.is_paused)
                               .where(DagModel.is_stale.is_(False))).all()
    return {dag_id: paused for dag_id, paused in rows}


def check_pools(config) -> list[Check]:
    from airflow.models import Pool

    checks = []
    for platform, settings in config.channels.configured().items():
        pool = Pool.get_pool(settings.pool)
        checks.append(Check("pool", pool is not None, f"pool {settings.pool} ({platform}) "
                            + ("is present" if pool else "is missing: run `airflow pools import`")))
    return checks


def check_components() -> list[Check]:
    """The scheduler, DAG processor and triggerer heartbeating; Celery workers answering."""
    from airflow.configuration import conf
    from airflow.jobs.job import most_recent_job

    checks = []
    for job_type, name in (("SchedulerJob", "scheduler"), ("DagProcessorJob", "DAG processor"),
                           ("TriggererJob", "triggerer")):
        job = most_recent_job(job_type)
        alive = job is not None and job.is_alive()
        checks.append(Check("components", alive, f"{name} " + (
            "is heartbeating" if alive else "has no recent heartbeat (is it running?)")))
    executor = conf.get("core", "executor")
    if "CeleryExecutor" in executor:
        from airflow.providers.celery.executors.celery_executor_utils import app

        try:
            replies = app.control.ping(timeout=CELERY_PING_TIMEOUT) or []
        except Exception as exc:  # the broker's own error, one line
            replies, why = [], f"broker unreachable: {str(exc).splitlines()[0]}"
        else:
            why = "no Celery worker answered a ping"
        checks.append(Check("components", bool(replies),
                            f"{len(replies)} Celery worker(s) answered" if replies else why))
    return checks


def run_checks(config_path=None) -> list[Check]:
    from council_social.config import ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        return [Check("config", False, line) for line in str(exc).splitlines()]
    checks = [Check("config", True, f"configuration {config.source_path} loads")]
    checks += check_database(config)
    checks += check_storage(config)
    checks.append(check_anchor(config))
    try:
        checks += check_connections(config)
        checks += check_dags(config, _airflow_dag_states())
        checks += check_pools(config)
        checks += check_components()
    except Exception as exc:  # Airflow's metadata database unreachable or not migrated
        reason = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        checks.append(Check("airflow", False, f"Airflow metadata database: {reason}"))
    return checks


def cmd_doctor(args) -> int:
    checks = run_checks(args.config)
    problems = [c for c in checks if not c.ok]
    if args.format == "json":
        json.dump({"ok": not problems, "checks": [asdict(c) for c in checks]}, sys.stdout,
                  indent=2)
        sys.stdout.write("\n")
    elif problems:
        for c in problems:
            print(f"doctor: {c.name}: {' '.join(c.detail.split())}")
    else:
        print(f"doctor: all {len(checks)} checks pass")
    return 1 if problems else 0


def register(sub) -> None:
    doctor = sub.add_parser("doctor", help="check this deployment before going live "
                            "(exit 0 only when every check passes)")
    doctor.add_argument("--format", choices=("text", "json"), default="text")
    doctor.set_defaults(func=cmd_doctor)

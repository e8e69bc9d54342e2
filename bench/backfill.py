"""Backfill benchmark: N days of history re-processed through a real scheduler and in one process.

Seeds N days (default 30) of simulated X traffic at the configured volume
(`simulator.mentions_per_hour`, about 1,000 tweets a day) into a fresh council
database, as the hourly ingest lands it (raw pages per hour). Then:

1. the same work in one process: `reprocess_span` over the N days in a fresh
   Python process, imports and Great Expectations setup included (P);
2. the documented backfill path, `airflow dags trigger reprocess --conf ...`,
   through a real scheduler (`make up`'s components: api-server, scheduler,
   dag-processor, LocalExecutor) started against a fresh Airflow metadata
   database; wall time W from the trigger to the run's end, task runs R and
   failed attempts F (earlier tries and failed task instances).

It ends with one line:

    backfill N days: R runs, F failed attempts, W s wall, I items; the same work in one process P s; wall/in-process X; 365 days ≈ Y min

(Y scales W by 365/N). Prints figures; it is not a test.

    .venv/bin/python bench/backfill.py [--days 30] [--per month|day] [--in-process-only]

The scheduler comes from `python -m council_social.deploy.up start` (`make up`)
when that module exists; otherwise the script starts the same components itself
(LocalExecutor, metadata in a throwaway PostgreSQL database). Everything it
starts it stops; the throwaway databases are dropped.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import logging
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

from ingest import PG_ADMIN_URL, create_database, drop_database, page_bodies  # noqa: E402
from sqlalchemy import create_engine, insert, text  # noqa: E402

from council_social.config import load_config  # noqa: E402
from council_social.simulator.traffic import TrafficModel  # noqa: E402
from council_social.store.migrate import upgrade  # noqa: E402
from council_social.store.tables import raw_pages  # noqa: E402

HOUR = timedelta(hours=1)
# History ends at a fixed midnight, so every run of the benchmark seeds the same tweets.
HISTORY_END = datetime(2026, 11, 1, tzinfo=UTC)
DERIVED = ("items", "item_versions", "authors", "quarantine", "process_batches",
           "triage_decisions", "processed_pages")


def say(message: str) -> None:
    print(message, flush=True)


def seed_history(engine, config, start: datetime, end: datetime) -> int:
    """Raw pages hour by hour, as ingest_twitter lands them; returns the tweets seeded."""
    accounts = config.accounts_for("twitter")
    model = TrafficModel(accounts, seed=config.simulator.seed,
                         mentions_per_hour=config.simulator.mentions_per_hour)
    seeded, day = 0, start
    while day < end:
        tweets = model.tweets_between(day, day + timedelta(days=1))
        rows = []
        for hour in range(24):
            h0 = day + hour * HOUR
            batch = [t for t in tweets if h0 <= t.created_at < h0 + HOUR]
            if not batch:
                continue
            for page in page_bodies(model, accounts, batch, h0 + HOUR + timedelta(minutes=1)):
                rows.append({**page, "interval_start": h0, "interval_end": h0 + HOUR,
                             "sha256": hashlib.sha256(page["body"]).hexdigest()})
            seeded += len(batch)
        if rows:
            with engine.begin() as conn:
                conn.execute(insert(raw_pages), rows)
        day += timedelta(days=1)
    return seeded


def empty_derived(engine) -> None:
    with engine.begin() as conn:
        conn.exec_driver_sql("TRUNCATE " + ", ".join(f"social.{t}" for t in DERIVED))


def stored_items(engine) -> int:
    with engine.connect() as conn:
        return conn.exec_driver_sql("SELECT count(*) FROM social.items").scalar()


# --------------------------------------------------------------------- in process
def in_process(url: str, start: datetime, end: datetime) -> float:
    """`reprocess_span` in a fresh process; seconds from its start, imports included."""
    code = (
        "import time; t0 = time.perf_counter()\n"
        "import sys, logging\n"
        f"sys.path.insert(0, {str(ROOT / 'include')!r})\n"
        "logging.disable(logging.WARNING)\n"
        "from datetime import datetime\n"
        "from council_social.config import load_config\n"
        "from council_social.store.engine import get_engine\n"
        "from council_social.pipeline.backfill import reprocess_span\n"
        "config = load_config()\n"
        "reprocess_span(get_engine(sys.argv[1], config), config,"
        " datetime.fromisoformat(sys.argv[2]), datetime.fromisoformat(sys.argv[3]))\n"
        "print(time.perf_counter() - t0)\n"
    )
    out = subprocess.run([sys.executable, "-c", code, url, start.isoformat(), end.isoformat()],
                         check=True, capture_output=True, text=True).stdout
    return float(out.strip().splitlines()[-1])


# ---------------------------------------------------------------------- scheduler
def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Deployment:
    """A real Airflow (api-server, scheduler, dag-processor; LocalExecutor) for the benchmark."""

    def __init__(self, council_url: str, meta_url: str, work: Path):
        self.work = work
        self.meta_url = meta_url
        self.procs: list[subprocess.Popen] = []
        self.via_make_up = (importlib.util.find_spec("council_social.deploy") is not None
                            and importlib.util.find_spec("council_social.deploy.up") is not None)
        port = free_port()
        self.env = {
            **os.environ,
            "AIRFLOW_HOME": str(work / "airflow"),
            "AIRFLOW__CORE__DAGS_FOLDER": str(ROOT / "dags"),
            "AIRFLOW__CORE__LOAD_EXAMPLES": "False",
            "AIRFLOW__CORE__EXECUTOR": "LocalExecutor",
            # Only reprocess is unpaused (below): the other DAGs would compete for the cores.
            "AIRFLOW__CORE__DAGS_ARE_PAUSED_AT_CREATION": "True",
            "AIRFLOW__DATABASE__SQL_ALCHEMY_CONN": meta_url,
            "AIRFLOW__API__HOST": "127.0.0.1",
            "AIRFLOW__API__PORT": str(port),
            "AIRFLOW__CORE__EXECUTION_API_SERVER_URL": f"http://127.0.0.1:{port}/execution/",
            "AIRFLOW__API_AUTH__JWT_SECRET": secrets.token_hex(16),
            "AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL": "10",
            "AIRFLOW__LOGGING__LOGGING_LEVEL": "WARNING",
            "COUNCIL_SOCIAL_DATABASE_URL": council_url,
            "UP_DIR": str(work / "up"),
            "UP_PORT": str(port),
            "AIRFLOW_DATABASE_URL": meta_url,
            "EXECUTOR": "local",
            "UP_DAGS": "reprocess",  # make up unpauses only this one, as above
            "PYTHONPATH": str(ROOT / "include"),
        }
        self.airflow = str(Path(sys.executable).with_name("airflow"))

    def start(self) -> None:
        if self.via_make_up:
            subprocess.run([sys.executable, "-m", "council_social.deploy.up", "start"],
                           env=self.env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
            self.env.update(read_env_file(Path(self.env["UP_DIR"]) / "env"))
            return
        subprocess.run([self.airflow, "db", "migrate"], env=self.env, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        for component in (["api-server"], ["scheduler"], ["dag-processor"]):
            log = open(self.work / f"{component[0]}.log", "w")  # noqa: SIM115 (closed at exit)
            self.procs.append(subprocess.Popen([self.airflow, *component], env=self.env,
                                               stdout=log, stderr=subprocess.STDOUT,
                                               start_new_session=True))

    def stop(self) -> None:
        if self.via_make_up:
            subprocess.run([sys.executable, "-m", "council_social.deploy.up", "stop"],
                           env=self.env, check=False, cwd=ROOT, stdout=subprocess.DEVNULL)
        for proc in self.procs:  # each started in its own session: stop its group
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                continue
        for proc in self.procs:
            try:
                proc.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    def meta(self):
        return create_engine(self.env["AIRFLOW__DATABASE__SQL_ALCHEMY_CONN"])

    def wait_for_dag(self, dag_id: str, timeout: float = 600) -> None:
        engine = self.meta()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    try:
                        found = conn.execute(text(
                            "SELECT 1 FROM serialized_dag WHERE dag_id = :d"), {"d": dag_id}).first()
                    except Exception:  # noqa: BLE001 (tables not there yet)
                        found = None
                if found:
                    return
                time.sleep(2)
        finally:
            engine.dispose()
        raise RuntimeError(f"DAG {dag_id} not parsed within {timeout:.0f} s; see {self.work}/*.log")

    def unpause(self, dag_id: str) -> None:
        subprocess.run([self.airflow, "dags", "unpause", dag_id], env=self.env, check=True,
                       capture_output=True)

    def trigger(self, run_id: str, conf: dict) -> str:
        # The documented command (README, "Backfill: re-triage history"); returns its output.
        return subprocess.run([self.airflow, "dags", "trigger", "reprocess", "--run-id", run_id,
                               "--conf", json.dumps(conf)], env=self.env, check=True,
                              capture_output=True, text=True).stdout

    def wait_for_run(self, run_id: str, timeout: float) -> tuple[str, float]:
        """The run's end state and its wall time, queued (trigger) to end, per the scheduler."""
        engine = self.meta()
        deadline = time.monotonic() + timeout
        try:
            while time.monotonic() < deadline:
                with engine.connect() as conn:
                    run = conn.execute(text(
                        "SELECT state, EXTRACT(EPOCH FROM end_date - queued_at) AS secs"
                        " FROM dag_run WHERE dag_id = 'reprocess' AND run_id = :r"),
                        {"r": run_id}).first()
                if run is not None and run.state in ("success", "failed"):
                    return run.state, float(run.secs)
                time.sleep(1)
        finally:
            engine.dispose()
        raise RuntimeError(f"run {run_id} not finished within {timeout:.0f} s")

    def attempts(self, run_id: str) -> tuple[int, int]:
        """(span task runs, failed attempts) of the run, from the metadata database."""
        engine = self.meta()
        try:
            with engine.connect() as conn:
                runs = conn.execute(text(
                    "SELECT count(*) FROM task_instance WHERE dag_id = 'reprocess'"
                    " AND run_id = :r AND task_id = 'reprocess_span'"), {"r": run_id}).scalar()
                earlier = conn.execute(text(
                    "SELECT count(*) FROM task_instance_history WHERE dag_id = 'reprocess'"
                    " AND run_id = :r"), {"r": run_id}).scalar()
                failed = conn.execute(text(
                    "SELECT count(*) FROM task_instance WHERE dag_id = 'reprocess'"
                    " AND run_id = :r AND state IN ('failed', 'upstream_failed')"),
                    {"r": run_id}).scalar()
        finally:
            engine.dispose()
        return runs, earlier + failed


def read_env_file(path: Path) -> dict:
    out = {}
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("export ") and "=" in line:
            key, value = line[len("export "):].split("=", 1)
            out[key] = value.strip("'\"")
    return out


# ---------------------------------------------------------------------------- main
def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--days", type=int, default=30, help="days of history (default 30)")
    p.add_argument("--per", choices=("month", "day"), default="month",
                   help="span of one reprocess task (default month)")
    p.add_argument("--in-process-only", action="store_true",
                   help="skip the scheduler half (prints P only)")
    p.add_argument("--timeout", type=float, default=3600, help="scheduler run timeout, s")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.WARNING)
    config = load_config()
    end = HISTORY_END
    start = end - timedelta(days=args.days)
    admin = create_engine(PG_ADMIN_URL, isolation_level="AUTOCOMMIT")
    council_url = create_database(admin, "council_social_backfill")
    meta_url = None
    work = Path(tempfile.mkdtemp(prefix="council-social-backfill-"))
    council = create_engine(council_url)
    deployment = None
    try:
        upgrade(council)
        t0 = time.perf_counter()
        seeded = seed_history(council, config, start, end)
        say(f"seeded {args.days} days ({start:%Y-%m-%d} .. {end - timedelta(days=1):%Y-%m-%d}):"
            f" {seeded:,} tweets in {time.perf_counter() - t0:.0f} s")

        in_process_seconds = in_process(council_url, start, end)
        items = stored_items(council)
        say(f"in one process: {in_process_seconds:.1f} s for {items:,} items")
        if args.in_process_only:
            return 0

        empty_derived(council)
        meta_url = create_database(admin, "council_social_backfill_airflow")
        deployment = Deployment(council_url, meta_url, work)
        t0 = time.perf_counter()
        deployment.start()
        deployment.wait_for_dag("reprocess")
        say(f"scheduler up ({'make up' if deployment.via_make_up else 'own components'}) in"
            f" {time.perf_counter() - t0:.0f} s")
        run_id = f"bench_{uuid.uuid4().hex[:8]}"
        conf = {"from": f"{start:%Y-%m-%d}", "to": f"{end - timedelta(days=1):%Y-%m-%d}",
                "rules_version": config.triage.rules_version, "per": args.per}
        if not deployment.via_make_up:
            deployment.unpause("reprocess")
        t0 = time.perf_counter()
        printed = deployment.trigger(run_id, conf)
        say(f"airflow dags trigger reprocess --conf '{json.dumps(conf)}' printed (the command"
            f" itself took {time.perf_counter() - t0:.0f} s):\n{printed}")
        state, wall = deployment.wait_for_run(run_id, args.timeout)
        runs, failed = deployment.attempts(run_id)
        items = stored_items(council)
        if state != "success":
            say(f"the reprocess run ended {state}; logs under {work}")
        ratio = wall / in_process_seconds
        say(f"backfill {args.days} days: {runs} runs, {failed} failed attempts, {wall:.0f} s wall,"
            f" {items} items; the same work in one process {in_process_seconds:.0f} s;"
            f" wall/in-process {ratio:.2f}; 365 days ≈ {wall * 365 / args.days / 60:.1f} min")
        return 0 if state == "success" else 1
    finally:
        if deployment is not None:
            deployment.stop()
        council.dispose()
        drop_database(admin, council_url)
        if meta_url:
            drop_database(admin, meta_url)
        admin.dispose()
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

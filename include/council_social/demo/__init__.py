"""`make demo`: the daily cycle on sample data, through Airflow, on this machine alone.

Starts the X simulator and (unless a database URL is configured) the embedded
PostgreSQL, migrates, runs `ingest_twitter` and `process_items` with
`dag.test()` over the last day in steps, prints a summary, and stops what it
started. Airflow's own chatter goes to `<data_dir>/demo/airflow.log`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

STEP = timedelta(hours=1)
# Every ingest DAG runs each step before process_items; channels add theirs here.
INGEST_DAGS: list[str] = ["ingest_twitter", "ingest_facebook", "ingest_instagram",
                          "ingest_youtube", "ingest_flickr", "ingest_linkedin", "ingest_feed",
                          "ingest_eventbrite"]
# Steps between runs of an ingest DAG (default every step). The channel DAGs fetch from
# their watermark to the step's end, so running them less often skips nothing and keeps
# the demo fast.
INGEST_EVERY: dict[str, int] = {d: 6 for d in INGEST_DAGS if d != "ingest_twitter"}


# Each capability joins the demo as a module of this package that exposes
# `run(ctx: DemoContext) -> list[str]`, called after the hourly ingest and
# process steps; the lines it returns are its part of the summary.
DEMO_STAGES: list[str] = [
    "council_social.demo.archive",
    "council_social.demo.grid",
    "council_social.demo.triage",
    # after triage: response cases open from its decisions
    "council_social.demo.cases",
    # after cases: answer one of them from the case, through the simulator
    "council_social.demo.replies",
    # before reports: the weekly report shows the campaign hashtags
    "council_social.demo.promotion",
    "council_social.demo.reports",
    # after reports (dormant-account alerts): account governance, moderation, the home page
    "council_social.demo.governance",
]


@dataclass
class DemoRun:
    started: float = field(default_factory=time.monotonic)
    steps: list[dict] = field(default_factory=list)


@dataclass
class DemoContext:
    config: object
    engine: object
    dags: dict
    start: datetime
    end: datetime
    simulator: object
    log_path: Path

    def run_dag(self, dag_id: str, interval_end: datetime) -> None:
        """Run a DAG for the data interval ending at `interval_end`, with Airflow's output
        in the demo log; raise if it does not succeed."""
        from council_social.airflow import run_dag

        with open(self.log_path, "a") as log, contextlib.redirect_stdout(log), \
                contextlib.redirect_stderr(log):
            state = run_dag(self.dags[dag_id], interval_end)
        if state != "success":
            raise RuntimeError(f"{dag_id} did not succeed for the interval ending "
                               f"{interval_end:%Y-%m-%d %H:%M} UTC")


def _say(message: str) -> None:
    print(message, flush=True)


def run_demo(hours: int = 24, config_path: str | None = None) -> int:
    from council_social.config import CONFIG_ENV_VAR, ConfigError, load_config

    try:
        config = load_config(config_path)
    except ConfigError as exc:
        _say(f"demo: configuration problem:\n{exc}")
        return 2
    # The DAGs and the simulator load the file from the environment: the same file.
    os.environ[CONFIG_ENV_VAR] = str(config.source_path)
    run = DemoRun()
    with contextlib.ExitStack() as cleanup:
        try:
            return _run(config, hours, run, cleanup)
        except Exception as exc:  # the demo's user wants one readable line and the log's place
            _say(f"\ndemo FAILED: {exc}")
            _say(f"details: {config.data_dir_path / 'demo' / 'airflow.log'}")
            return 1


def _run(config, hours: int, run: DemoRun, cleanup: contextlib.ExitStack) -> int:
    from council_social.demo.promotion import simulator_hashtags
    from council_social.local_airflow import airflow_environment, prepare
    from council_social.simulator.server import start_simulator
    from council_social.store.engine import DATABASE_URL_ENV, EmbeddedDatabase, describe
    from council_social.store.migrate import upgrade

    demo_dir = config.data_dir_path / "demo"
    demo_dir.mkdir(parents=True, exist_ok=True)
    end = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    start = end - timedelta(hours=hours)

    url = os.environ.get(DATABASE_URL_ENV) or config.storage.database_url
    if url:
        _say(f"[db] using {describe(url)}")
    else:
        embedded = EmbeddedDatabase(config.data_dir_path)
        _say(f"[db] starting embedded PostgreSQL in {embedded.pgdata}")
        url = embedded.start()
        cleanup.callback(_stop_embedded, embedded)
    from council_social.store.engine import get_engine

    engine = get_engine(url, config)
    _say(f"[db] social schema at revision {upgrade(engine)}")

    accounts = config.accounts_for("twitter")
    # The simulator's clock stops at the demo's end, so the run sees a fixed history.
    simulator = start_simulator(
        accounts, seed=config.simulator.seed, mentions_per_hour=config.simulator.mentions_per_hour,
        bearer_token=config.simulator.bearer_token, now=lambda: end,
        local_hashtags=simulator_hashtags(config),  # residents use the campaign tags
    )
    cleanup.callback(simulator.stop)
    _say(f"[sim] X API v2 simulator on {simulator.base_url} (seed {config.simulator.seed})")

    # Airflow's metadata is scratch for the demo: the council's data lives in PostgreSQL.
    shutil.rmtree(demo_dir / "airflow-home", ignore_errors=True)
    env = airflow_environment(
        demo_dir / "airflow-home", twitter_base_url=simulator.base_url,
        bearer_token=config.simulator.bearer_token, database_url=url,
    )
    os.environ.update(env)
    _say("[airflow] preparing a private metadata database and pools")
    prepare(env, {s.pool: s.pool_slots for s in config.channels.configured().values()})

    log_path = demo_dir / "airflow.log"
    from council_social.airflow import load_dags

    with open(log_path, "w") as log, contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
        dags = load_dags(env["AIRFLOW__CORE__DAGS_FOLDER"])
    context = DemoContext(config, engine, dags, start, end, simulator, log_path)
    steps = []
    t = start + STEP
    while t <= end:
        steps.append(t)
        t += STEP
    _say(f"[run] {len(steps)} steps of {STEP} from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} UTC")
    for number, when in enumerate(steps, 1):
        # Ingest owns the interval ending at `when`, process_items the hour ending then.
        for dag_id in INGEST_DAGS:
            if dag_id in dags and (number - 1) % INGEST_EVERY.get(dag_id, 1) == 0:
                context.run_dag(dag_id, when)
        context.run_dag("process_items", when)
        batch = _batch_at(engine, when)
        run.steps.append(batch)
        _say(f"  [{number:>2}/{len(steps)}] {when:%a %H:%M}  ingest ok  process: "
             f"{batch['records']} records, {batch['stored']} stored, {batch['quarantined']} quarantined")

    stage_lines: list[str] = []
    from importlib import import_module

    for module in DEMO_STAGES:
        _say(f"[stage] {module.split('.')[-2]}")
        stage_lines.extend(import_module(module).run(context))
    _print_summary(engine, start, end, run, log_path, stage_lines)
    return 0


def _stop_embedded(embedded) -> None:
    embedded.stop()
    _say("[db] embedded PostgreSQL stopped")


def _batch_at(engine, when: datetime) -> dict:
    from sqlalchemy import text

    with engine.connect() as conn:
        row = conn.execute(text(
            "SELECT records, stored, quarantined FROM social.process_batches"
            " WHERE interval_end = :end ORDER BY interval_start DESC LIMIT 1"
        ), {"end": when}).mappings().first()
    return dict(row) if row else {"records": 0, "stored": 0, "quarantined": 0}


def _print_summary(engine, start: datetime, end: datetime, run: DemoRun, log_path: Path,
                   stage_lines: list[str]) -> None:
    from council_social.reports.ingest_summary import ingest_summary

    summary = ingest_summary(engine, start, end)
    _say("\n=== Council Social Ops demo: summary ===")
    _say(f"window         {start:%Y-%m-%d %H:%M} .. {end:%Y-%m-%d %H:%M} UTC")
    columns = [("pages", "pages"), ("records", "records"), ("new_items", "new items"),
               ("stored", "stored"), ("duplicates", "dupes"), ("quarantined", "quarant.")]
    _say(f"{'account':<22}" + "".join(f"{label:>10}" for _, label in columns))
    for row in summary.accounts:
        _say(f"{row['account']:<22}" + "".join(f"{row[key]:>10}" for key, _ in columns))
    _say(f"{'total':<22}" + "".join(f"{summary.total(key):>10}" for key, _ in columns))
    _say("(records = stored + dupes + quarantined; stored counts every sighting, "
         "new items the first ones)")
    if summary.quarantine_reasons:
        _say("quarantined by reason:")
        for reason, count in summary.quarantine_reasons:
            _say(f"  {count:>6}  {reason}")
    else:
        _say("quarantined by reason: none")
    _say(f"items in store {summary.items_in_store} (authors {summary.authors_in_store})")
    for line in stage_lines:
        _say(line)
    _say(f"elapsed        {time.monotonic() - run.started:.1f} s   Airflow log: {log_path}")


if __name__ == "__main__":
    sys.exit(run_demo())

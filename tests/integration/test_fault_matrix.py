"""The fault matrix: three hours of X ingest and processing on the simulator while it
rate-limits, fails in bursts, hangs up, truncates a body, repeats a page, the database
drops every connection and a write dies half-way; then Airflow's retries. Nothing may be
lost, every batch must balance (records = stored + duplicates + quarantined) and a
rerun of everything must leave the tables identical."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.pool import NullPool

import council_social.pipeline.ingest as ingest_module
from council_social.pipeline.ingest import ingest_account
from council_social.pipeline.process import process_interval
from tests.conftest import SIM_NOW, snapshot
from tests.integration.test_pipeline import (
    ENDPOINTS,
    HOUR,
    LOOKBACK,
    Clock,
    assert_batches_balance,
    item_ids,
    make_connector,
    rows,
    served_ids,
    watermark,
)

pytestmark = pytest.mark.postgres

ENDS = [SIM_NOW - 2 * HOUR, SIM_NOW - HOUR, SIM_NOW]
USERS = "/2/users/"


def last_page(simulator, *, paginated: bool) -> bytes | None:
    """The body of the newest timeline page served (with a next_token if `paginated`)."""
    for served in reversed(simulator.served):
        if served.status == 200 and served.path.endswith(("/mentions", "/tweets")):
            if not paginated:
                return served.body
            return served.body if json.loads(served.body)["meta"].get("next_token") else None
    return None


class Faults:
    """Applies each fault in turn as pages land (the connector reads its clock once a page)."""

    def __init__(self, simulator, engine, names: list[str]):
        self.simulator, self.engine = simulator, engine
        self.pending = list(names)
        self.applied: list[str] = []

    def __call__(self, calls: int) -> None:
        if self.pending and calls % 2 == 0 and self.apply(self.pending[0]):
            self.applied.append(self.pending.pop(0))

    def apply(self, name: str) -> bool:
        sim = self.simulator
        if name == "429_with_reset":
            sim.inject_429(count=2, reset_in_seconds=2)
        elif name == "5xx_burst":
            for _ in range(3):
                sim.serve_raw_once(USERS, 503, b'{"title": "Service Unavailable"}')
        elif name == "hang_up":  # the request is served, the answer never arrives
            sim.drop_next_response("GET", USERS)
        elif name == "truncated_body":
            body = last_page(sim, paginated=False)
            sim.serve_raw_once(USERS, 200, body[: len(body) // 2])
        elif name == "page_repeated":  # the same page again, then the real next one
            body = last_page(sim, paginated=True)
            if body is None:
                return False
            sim.serve_raw_once(USERS, 200, body)
        elif name == "database_restart":
            terminate_backends(self.engine)
        return True


def terminate_backends(engine) -> None:
    killer = create_engine(engine.url, poolclass=NullPool)
    with killer.connect() as conn:
        conn.execute(text("SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                          " WHERE datname = current_database() AND pid <> pg_backend_pid()"))
    killer.dispose()


def run_interval(engine, config, simulator, accounts, end, faults=None) -> list[dict]:
    """One ingest_twitter run (every account) and its process_items run; a task that dies
    is recorded, as Airflow would, and retried later."""
    # Fetched at the simulator's now, so a 429's reset is seconds away, as on X.
    connector, _ = make_connector(config, simulator, page_size=25, clock=Clock(SIM_NOW, faults))
    outcomes = []
    for account in accounts:
        try:
            outcomes.append(ingest_account(engine, connector, account, endpoints=ENDPOINTS,
                                           interval_start=end - HOUR, interval_end=end,
                                           initial_lookback=LOOKBACK))
        except DBAPIError as exc:
            outcomes.append({"account": account.key, "crashed": type(exc.orig).__name__})
    process_interval(engine, config, end - HOUR, end)
    return outcomes


def crash_one_write(monkeypatch) -> None:
    """From now, the third landing of pages dies after writing, before commit (its
    database backend killed mid-transaction)."""
    real = ingest_module.record_fetch
    calls = {"n": 0}

    def dying(conn, *args, **kwargs):
        calls["n"] += 1
        landed = real(conn, *args, **kwargs)
        if calls["n"] == 3:
            conn.execute(text("SELECT pg_terminate_backend(pg_backend_pid())"))
        return landed

    monkeypatch.setattr(ingest_module, "record_fetch", dying)


def test_nothing_is_lost_every_batch_balances_and_reruns_are_identical(
        clean_db, config, simulator, monkeypatch):
    # The main account (most traffic) and one more keep the run short; faults hit both.
    accounts = config.accounts_for("twitter")[:2]
    first = Faults(simulator, clean_db, ["429_with_reset", "5xx_burst", "truncated_body"])
    stops = run_interval(clean_db, config, simulator, accounts, ENDS[0], first)
    second = Faults(simulator, clean_db, ["page_repeated", "hang_up", "database_restart"])
    stops += run_interval(clean_db, config, simulator, accounts, ENDS[1], second)
    reasons = [i["reason"] for o in stops for i in o.get("incomplete", [])]
    assert any(r.startswith("http_503") for r in reasons), reasons
    assert any(r.startswith("bad_page") for r in reasons), reasons
    assert any(r.startswith("connection_error") for r in reasons), reasons
    crash_one_write(monkeypatch)
    crashed = run_interval(clean_db, config, simulator, accounts, ENDS[2])
    monkeypatch.undo()  # the crashing write is gone for the retries
    assert first.applied == ["429_with_reset", "5xx_burst", "truncated_body"]
    assert second.applied == ["page_repeated", "hang_up", "database_restart"]
    assert any("crashed" in o for o in crashed), crashed

    # Airflow's retries: each interval's tasks again, in order.
    for end in ENDS:
        run_interval(clean_db, config, simulator, accounts, end)

    window = (ENDS[0] - LOOKBACK, SIM_NOW)
    expected = {str(i) for a in accounts for e in ENDPOINTS for i in served_ids(simulator, a, e, *window)}
    assert item_ids(clean_db) == expected
    for account in accounts:
        for endpoint in ENDPOINTS:
            ids = served_ids(simulator, account, endpoint, *window)
            assert watermark(clean_db, account.key, endpoint) == (str(max(ids)) if ids else None)
    batches = assert_batches_balance(clean_db)
    assert sum(b.duplicates for b in batches) > 0  # the repeated page
    unreadable = rows(clean_db, "SELECT count(*) AS n FROM social.quarantine"
                                " WHERE reasons::text LIKE '%page_unreadable%'")
    assert unreadable[0].n >= 1  # the truncated body, kept and quarantined

    before = snapshot(clean_db)
    for end in ENDS:
        run_interval(clean_db, config, simulator, accounts, end)
    assert snapshot(clean_db) == before

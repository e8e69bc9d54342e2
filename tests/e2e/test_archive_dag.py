"""The archive DAG runs through Airflow (dag.test) after a real ingest, and reruns cleanly."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta

import pytest
from sqlalchemy import text

from tests.conftest import snapshot

pytestmark = pytest.mark.airflow


def test_archive_dag_writes_verifies_and_reruns_without_change(dags, clean_db, config, simulator,
                                                               database_url, monkeypatch, tmp_path):
    from council_social.airflow import run_dag
    from council_social.archive.storage import archive_root
    from council_social.archive.verify import verify_archive

    monkeypatch.setenv("AIRFLOW_CONN_COUNCIL_SOCIAL_TWITTER", json.dumps({
        "conn_type": "http", "host": simulator.base_url, "password": config.simulator.bearer_token}))
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ROOT", str(tmp_path / "archive"))
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", str(tmp_path / "anchor.log"))
    monkeypatch.setenv("COUNCIL_SOCIAL_OUTBOX", str(tmp_path / "outbox"))
    # The connector stamps pages with the wall clock, so they belong to today's file.
    today = datetime.now(UTC).date()
    simulator.set_now(datetime.combine(today, time(0), tzinfo=UTC) + timedelta(hours=1))
    ingest_end = datetime.combine(today, time(1), tzinfo=UTC)
    # dag.test runs the interval that ends at the date given.
    assert run_dag(dags["ingest_twitter"], ingest_end) == "success"
    assert run_dag(dags["process_items"], ingest_end) == "success"

    # [today 02:00, tomorrow 02:00): owns today, when the pages were fetched.
    logical = datetime.combine(today + timedelta(days=1), time(2), tzinfo=UTC)
    assert run_dag(dags["archive"], logical) == "success"
    with clean_db.connect() as conn:
        files = conn.execute(text("SELECT path, records FROM social.archive_files")).all()
        lookups = conn.execute(text(
            "SELECT count(*) FROM social.raw_pages WHERE endpoint = 'tweets/lookup'")).scalar()
    assert [f.path for f in files] == [f"twitter/{today:%Y/%m}/twitter-{today}.warc.gz"]
    assert lookups > 0  # the re-check asked X about the items it had just stored
    report = verify_archive(clean_db, archive_root(config), tmp_path / "anchor.log")
    assert report.ok and report.files == 1 and report.anchored == 1 and not report.unanchored
    # the head went to the records officer once; the rerun below mails nothing new
    mails = list((tmp_path / "outbox").glob("*.eml"))
    assert len(mails) == 1 and files[0].path in mails[0].read_text()

    first = snapshot(clean_db)
    verified = first.pop("archive_verify_runs")
    assert run_dag(dags["archive"], logical) == "success"
    again = snapshot(clean_db)
    # the rerun changes nothing but adds its own verify (the Archive page shows the last)
    assert len(again.pop("archive_verify_runs")) == len(verified) + 1
    assert again == first
    with clean_db.connect() as conn:
        last = conn.execute(text("SELECT ok, files FROM social.archive_verify_runs"
                                 " ORDER BY id DESC LIMIT 1")).one()
    assert tuple(last) == (True, 1)
    assert len(list((tmp_path / "outbox").glob("*.eml"))) == 1

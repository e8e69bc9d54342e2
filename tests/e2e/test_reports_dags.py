"""reports and reports_weekly run through Airflow (dag.test) end to end."""

from __future__ import annotations

import email
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import yaml
from sqlalchemy import select

from council_social.reports.tables import alerts, metrics_daily
from tests.integration.test_reports import DAY, store  # noqa: F401  (the fixture)

pytestmark = pytest.mark.airflow
LONDON = ZoneInfo("Europe/London")


@pytest.fixture
def reports_env(monkeypatch, database_url, config, tmp_path):
    from council_social import airflow as adapter

    data = yaml.safe_load(config.source_path.read_text())
    data["reports"]["output_dir"] = str(tmp_path / "reports")
    council = tmp_path / "council.yaml"
    council.write_text(yaml.safe_dump(data))
    monkeypatch.setenv("COUNCIL_SOCIAL_CONFIG", str(council))
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCIL_SOCIAL_OUTBOX", str(tmp_path / "outbox"))
    adapter.config.cache_clear()
    yield tmp_path
    adapter.config.cache_clear()


def test_daily_and_weekly_reports(dags, reports_env, store):  # noqa: F811
    from council_social.airflow import run_dag

    # dag.test infers a manual run's data interval as the one ending at the date given.
    day_end = datetime.combine(DAY + timedelta(days=1), time(0), LONDON)
    assert run_dag(dags["reports"], day_end) == "success"
    with store.connect() as conn:
        days = {r.day for r in conn.execute(select(metrics_daily.c.day))}
        kinds = {r.kind for r in conn.execute(select(alerts.c.kind).where(alerts.c.notified_at.isnot(None)))}
    assert days == {DAY}
    assert {"spike", "negativity_spike", "impersonation"} <= kinds
    assert len(list((reports_env / "outbox").glob("alerts-*.eml"))) == 1

    week_end = datetime.combine(DAY - timedelta(days=DAY.weekday()) + timedelta(days=7), time(0), LONDON)
    assert run_dag(dags["reports_weekly"], week_end) == "success"
    page = reports_env / "reports" / "weekly-2026-11-23" / "index.html"
    assert "Brent Council" in page.read_text()
    [weekly] = (reports_env / "outbox").glob("weekly-2026-11-23*.eml")
    sent = email.message_from_bytes(weekly.read_bytes())
    assert sent["Subject"].startswith("Brent social media: week of 23 Nov 2026")

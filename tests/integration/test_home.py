"""Home: what needs doing now, as HTML and JSON, each figure linking to its filtered view."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from council_social.views.app import create_app
from tests.views_support import add_decision, add_item, raw_page

pytestmark = pytest.mark.postgres
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)  # a Wednesday


def case(conn, config, ext_id: str, team: str, due: datetime, kind: str = "customer_service", **kw):
    from council_social.cases.tables import cases

    conn.execute(insert(cases).values(
        platform="twitter", external_id=ext_id, kind=kind, team=team, assignee="x@brent.gov.uk",
        rules_version=config.triage.rules_version, outcome="customer_service", flags=[],
        opened_at=due - timedelta(days=1), due_at=due, escalate_at=due + timedelta(days=1),
        status=kw.get("status", "open"), responded_at=kw.get("responded_at"), recorded_at=NOW,
        updated_at=NOW, details={}))


@pytest.fixture
def home(clean_db, config):
    from council_social.archive.verify_log import record_run
    from council_social.grid.approvals import submit_entries
    from council_social.grid.planner import PlannerEntry
    from council_social.reports.tables import alerts

    with clean_db.begin() as conn:
        page = raw_page(conn)
        # a critical item with neither a case nor a reply, one with a case, one with a reply
        for ext in ("c1", "c2", "c3"):
            add_item(conn, page, ext, f"urgent {ext}", NOW - timedelta(hours=3), author="900")
            add_decision(conn, config, ext, NOW - timedelta(hours=3), critical=True)
        # critical, but nothing to answer (the council's own post, or abuse): not listed
        add_item(conn, page, "m1", "bins missed again", NOW - timedelta(hours=3), author="900")
        add_decision(conn, config, "m1", NOW - timedelta(hours=3), critical=True, outcome="monitor")
        add_item(conn, page, "r3", "We are on it", NOW - timedelta(hours=2),
                 author=str(config.account("brent-council").external_id), kind="reply", in_reply_to="c3")
        case(conn, config, "c2", "parking", NOW - timedelta(hours=1))  # overdue
        case(conn, config, "x1", "parking", NOW + timedelta(hours=3))  # due today
        case(conn, config, "x2", "housing", NOW + timedelta(days=2))  # later: not listed
        case(conn, config, "x3", "housing", NOW - timedelta(hours=5), responded_at=NOW - timedelta(hours=6))
        case(conn, config, "f1", "customer-services", NOW + timedelta(days=3), kind="foi")  # this week
        case(conn, config, "f2", "customer-services", NOW + timedelta(days=9), kind="foi")  # next week
        conn.execute(insert(alerts).values(
            kind="spike", subject="topic:bins", window_start=NOW - timedelta(days=1),
            window_end=NOW - timedelta(days=1) + timedelta(hours=1), team="web-team", observed=30,
            message="30 mentions about bins", detail={}, raised_for=NOW))
        submit_entries(conn, [PlannerEntry(
            key="bins", title="Bins", message="Bins change", channels=("brent-council",),
            earliest=date(2026, 11, 26), latest=date(2026, 11, 27), owner="Waste", priority="normal",
            status="approved", campaign="bins", essential=False)], "plan.csv", NOW)
        conn.execute(text(
            "INSERT INTO social.ingest_fetches (platform, account_key, endpoint, interval_end, complete, pages)"
            " VALUES ('twitter', 'brent-council', 'mentions', :fresh, true, 1),"
            " ('twitter', 'brent-culture', 'mentions', :old, true, 1),"
            " ('twitter', 'brent-jobs', 'mentions', :fresh, false, 1)"),
            {"fresh": NOW - timedelta(minutes=10), "old": NOW - timedelta(hours=5)})
        for n, code in enumerate(["bad_timestamp", "bad_timestamp", "text_too_long"]):
            conn.execute(text(
                "INSERT INTO social.quarantine (raw_page_id, record_index, platform, account_key, external_id,"
                " reasons, record, quarantined_at) VALUES (:p, :i, 'twitter', 'brent-council', :e, :r, '{}', :t)"),
                {"p": page, "i": n, "e": f"q{n}", "r": json.dumps([{"code": code, "message": code}]),
                 "t": NOW - timedelta(hours=2)})

    class Report:
        root, ok, files, records, problems = "/archive", True, 3, 40, []

    record_run(clean_db, Report(), NOW - timedelta(hours=6))
    return TestClient(create_app(lambda: clean_db, config=config, officer=lambda: "Olive", clock=lambda: NOW))


def test_home_says_what_needs_doing_now(home):
    data = home.get("/api/home").json()
    cases = data["cases"]
    assert [(t["team"], t["overdue"], t["due_today"]) for t in cases["teams"]] == [("parking", 1, 1)]
    assert cases["teams"][0]["overdue_link"] == "/cases?team=parking&overdue=true"
    critical = data["critical_unanswered"]
    assert critical["count"] == 1 and critical["rows"][0]["external_id"] == "c1"
    assert critical["rows"][0]["link"] == "/triage?platform=twitter&date_from=2026-11-25&date_to=2026-11-25#d-twitter-c1"
    assert data["alerts"]["count"] == 1 and data["alerts"]["by_kind"] == {"spike": 1}
    assert data["foi_this_week"]["count"] == 1
    assert data["awaiting_approval"]["count"] == 1 and data["awaiting_approval"]["link"] == "/grid#approvals"
    channels = {c["account"]: c for c in data["channels"]["channels"] if c["platform"] == "twitter"}
    assert (channels["brent-council"]["age_minutes"], channels["brent-council"]["stale"]) == (10, False)
    assert (channels["brent-culture"]["age_minutes"], channels["brent-culture"]["stale"]) == (300, True)
    assert channels["brent-jobs"]["last_ok"] is None and channels["brent-jobs"]["stale"]  # incomplete only
    assert channels["brent-council"]["stale_after_minutes"] == 30  # two 15-minute runs
    q = data["quarantined_last_day"]
    assert q["records"] == 3
    assert [(r["reason"], r["count"], r["link"]) for r in q["by_reason"]] == [
        ("bad_timestamp", 2, "/quarantine?reason=bad_timestamp"), ("text_too_long", 1, "/quarantine?reason=text_too_long")]
    verify = data["archive_verify"]
    assert verify["last"]["ok"] is True and verify["age_hours"] == 6.0
    assert data["accounts"]["pending_requests"] == 0


def test_home_page_links_each_figure_to_its_view(home):
    page = home.get("/").text
    for href in ('href="/cases?team=parking&amp;overdue=true"', 'href="/grid#approvals"', 'href="/reports#alerts"',
                 'href="/quarantine?reason=bad_timestamp"', 'href="/triage?platform=twitter&amp;date_from=2026-11-25',
                 'href="/api/home"', 'href="/archive"'):
        assert href in page, href
    assert "stale" in page and "What needs doing now" in page


def test_the_quarantine_view_filters_by_reason(home):
    assert len(home.get("/api/quarantine").json()["records"]) == 3
    rows = home.get("/api/quarantine", params={"reason": "text_too_long"}).json()["records"]
    assert [r["external_id"] for r in rows] == ["q2"]
    assert "text_too_long" in home.get("/quarantine", params={"reason": "text_too_long"}).text


def test_reports_open_on_the_latest_week_with_data(home, clean_db):
    from council_social.reports.tables import metrics_daily

    assert home.get("/api/reports").json()["week_start"] == "2026-11-16"  # no data: the last full week
    with clean_db.begin() as conn:
        conn.execute(insert(metrics_daily).values(
            day=date(2026, 11, 24), account_key="brent-council", platform="twitter", posts=1, engagement=2,
            mentions=7, mentions_positive=1, mentions_neutral=5, mentions_negative=1, replies=0,
            replies_within_target=0, cases_opened=0, cases_closed=0, cases_overdue=0, foi_due=0, foi_on_time=0,
            computed_for=NOW))
    data = home.get("/api/reports").json()
    assert data["week_start"] == "2026-11-23" and data["totals"]["mentions"] == 7
    assert home.get("/api/reports", params={"week": "2026-11-16"}).json()["week_start"] == "2026-11-16"


def test_the_critical_figure_links_to_exactly_the_rows_it_counts(home, clean_db, config):
    # Eight days ago: outside the home's week, so neither counted nor in the link's rows.
    with clean_db.begin() as conn:
        page = raw_page(conn, fetched_at=NOW - timedelta(days=8))
        add_item(conn, page, "old", "urgent old", NOW - timedelta(days=8), author="900")
        add_decision(conn, config, "old", NOW - timedelta(days=8), critical=True)
    critical = home.get("/api/home").json()["critical_unanswered"]
    link = critical["link"]
    assert link == "/triage?critical=true&unanswered=true&date_from=2026-11-19"
    listed = home.get("/api" + link).json()
    assert listed["total"] == critical["count"] == 1
    assert [d["external_id"] for d in listed["decisions"]] == ["c1"]
    assert f'href="{link.replace("&", "&amp;")}"' in home.get("/").text


def test_the_queue_filters_pages_and_names_each_form(home):
    everything = home.get("/api/triage").json()
    assert everything["total"] == len(everything["decisions"]) == 4
    assert {d["external_id"] for d in home.get("/api/triage", params={"critical": "false"}).json()[
        "decisions"]} == set()
    first = home.get("/api/triage", params={"limit": 3}).json()
    second = home.get("/api/triage", params={"limit": 3, "page": 2}).json()
    assert first["total"] == second["total"] == 4
    ids = [d["external_id"] for d in first["decisions"] + second["decisions"]]
    assert len(ids) == len(set(ids)) == 4
    assert home.get("/api/triage", params={"account": "brent-culture"}).json()["total"] == 0
    assert home.get("/api/triage", params={"account": "brent-council"}).json()["total"] == 4
    assert home.get("/api/triage", params={"outcome": "nonsense"}).status_code == 422
    page = home.get("/triage", params={"limit": 3}).text
    assert "page 1 of 2" in page and "page=2" in page
    labels = [line.split('aria-label="', 1)[1].split('"', 1)[0]
              for line in page.splitlines() if '<select name="outcome" aria-label=' in line]
    assert len(labels) == 3 and len(set(labels)) == 3  # one accessible name per row's form

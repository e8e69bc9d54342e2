"""The operator views' app with FastAPI's test client on real PostgreSQL."""

from __future__ import annotations

import io
import re
import zipfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import insert, select

from council_social.triage.tables import triage_corrections
from council_social.views.app import create_app
from tests.views_support import SCRIPT_POST, add_author, add_decision, add_item, raw_page

pytestmark = pytest.mark.postgres

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
REPO = Path(__file__).resolve().parents[2]


def seed(conn, config) -> int:
    """Three decisions (one hostile post) and an open case; returns the case id."""
    from council_social.cases.tables import cases

    page = raw_page(conn)
    add_author(conn, "900", "resident", "<b>A Resident</b>")
    add_author(conn, "901", "parker", "Pat Parker")
    add_item(conn, page, "t1", SCRIPT_POST, NOW - timedelta(hours=1), author="900")
    add_decision(conn, config, "t1", NOW - timedelta(hours=1), outcome="customer_service", critical=True,
                 flags=["out_of_hours"], influence=42)
    add_item(conn, page, "t2", "Where do I get a parking permit?", NOW - timedelta(hours=2), author="901")
    add_decision(conn, config, "t2", NOW - timedelta(hours=2), outcome="webteam_respond", topic="parking",
                 department="parking")
    add_item(conn, page, "t3", "I request under the FoI act all bin contracts", NOW - timedelta(days=3),
             author="901")
    add_decision(conn, config, "t3", NOW - timedelta(days=3), outcome="customer_service", flags=["foi"])
    return conn.execute(insert(cases).values(
        platform="twitter", external_id="t1", kind="customer_service", team="waste-recycling",
        assignee="wanda.placeholder@brent.gov.uk", assignee_name="Wanda Placeholder",
        rules_version=config.triage.rules_version, outcome="customer_service", flags=[],
        opened_at=NOW - timedelta(hours=1), due_at=NOW + timedelta(hours=23), escalate_at=NOW + timedelta(hours=47),
        status="open", recorded_at=NOW, updated_at=NOW, details={},
    ).returning(cases.c.id)).scalar()


@pytest.fixture
def seeded(clean_db, config, tmp_path, monkeypatch):
    monkeypatch.setattr(config.archive, "root", str(tmp_path / "archive"))
    monkeypatch.setattr(config.archive, "anchor_path", str(tmp_path / "anchor.log"))
    monkeypatch.setattr(config.reports, "output_dir", str(tmp_path / "reports"))
    with clean_db.begin() as conn:
        case_id = seed(conn, config)
    return clean_db, case_id


@pytest.fixture
def client(seeded, config):
    engine, _ = seeded
    app = create_app(lambda: engine, config=config, officer=lambda: "Olive Officer", clock=lambda: NOW)
    return TestClient(app)


def test_nothing_is_served_without_a_signed_in_officer(seeded, config):
    engine, _ = seeded
    anonymous = TestClient(create_app(lambda: engine, config=config))
    for path in ("/", "/triage", "/api/triage", "/cases", "/api/grid", "/reports", "/archive/export.zip",
                 "/docs", "/openapi.json"):
        assert anonymous.get(path).status_code == 401, path
    assert anonymous.post("/api/triage/twitter/t1/correction", json={"outcome": "monitor"}).status_code == 401


def test_the_airflow_plugin_requires_airflow_login():
    import importlib.util

    spec = importlib.util.spec_from_file_location("council_social_plugin", REPO / "plugins" / "council_social_plugin.py")
    plugin = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(plugin)
    cls = plugin.CouncilSocialPlugin
    assert cls.fastapi_apps[0]["url_prefix"] == "/council-social"
    assert [v["url_route"] for v in cls.external_views] == [
        "council-social-home", "council-social-triage", "council-social-cases", "council-social-grid",
        "council-social-archive", "council-social-reports", "council-social-accounts",
        "council-social-moderation", "council-social-promotion"]
    assert cls.external_views[0]["href"] == "council-social/"  # the home page comes first
    assert all(not v["href"].startswith("/") for v in cls.external_views)
    for path in ("/api/triage", "/docs", "/openapi.json"):
        response = TestClient(plugin.app).get(path)
        assert response.status_code == 401, path  # Airflow's get_user: no JWT cookie, no bearer token


def test_a_browser_without_a_session_is_sent_to_the_sign_in_page(seeded, config):
    engine, _ = seeded
    app = create_app(lambda: engine, config=config, sign_in=lambda nxt: f"/auth/login?next={nxt}")
    browser = TestClient(app, root_path="/council-social")
    page = browser.get("/cases", params={"team": "parking"}, headers={"accept": "text/html"},
                       follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == "/auth/login?next=/council-social/cases?team=parking"
    api = browser.get("/api/cases", headers={"accept": "application/json"})
    assert api.status_code == 401 and api.json()["detail"]


def test_triage_queue_newest_first_and_filters(client):
    rows = client.get("/api/triage").json()["decisions"]
    assert [r["external_id"] for r in rows] == ["t1", "t2", "t3"]
    assert rows[0]["text"] == SCRIPT_POST and rows[0]["influence"] == 42 and rows[0]["rule_path"]

    def ids(**params):
        return [r["external_id"] for r in client.get("/api/triage", params=params).json()["decisions"]]

    assert ids(outcome="webteam_respond") == ["t2"]
    assert ids(flag="foi") == ["t3"]
    assert ids(team="parking") == ["t2"]
    assert ids(platform="facebook") == []
    assert ids(date_from="2026-11-25", date_to="2026-11-25") == ["t1", "t2"]
    assert client.get("/api/triage", params={"date_from": "yesterday"}).status_code == 422


def test_an_officer_corrects_a_decision_and_the_queue_shows_it(client, seeded):
    engine, _ = seeded
    response = client.post("/api/triage/twitter/t2/correction",
                           json={"outcome": "service_conversation", "critical": True, "note": "<i>ongoing</i>"})
    assert response.status_code == 201, response.text
    assert response.json()["officer"] == "Olive Officer"
    row = next(r for r in client.get("/api/triage").json()["decisions"] if r["external_id"] == "t2")
    assert (row["corrected_outcome"], row["corrected_critical"], row["corrected_by"]) == (
        "service_conversation", True, "Olive Officer")
    assert "officer: service_conversation" in client.get("/triage").text
    with engine.connect() as conn:
        stored = conn.execute(select(triage_corrections)).mappings().all()
    assert [(s["external_id"], s["outcome"], s["note"]) for s in stored] == [("t2", "service_conversation",
                                                                              "<i>ongoing</i>")]


def test_corrections_are_checked(client):
    url = "/api/triage/twitter/t1/correction"
    assert client.post("/api/triage/twitter/nope/correction", json={"outcome": "monitor"}).status_code == 404
    assert client.post(url, json={}).status_code == 422
    assert client.post(url, json={"outcome": "ignore_it"}).status_code == 422
    assert client.post(url, data={"outcome": "monitor"}).status_code == 422  # a form post is not JSON
    evil = client.post(url, json={"outcome": "monitor"}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    cross = client.post(url, json={"outcome": "monitor"}, headers={"Sec-Fetch-Site": "cross-site"})
    assert cross.status_code == 403


def test_pages_escape_post_text_and_carry_a_strict_csp(client):
    response = client.get("/triage")
    html = response.text
    assert "<script>document.title" not in html and "onerror=" not in html.replace("onerror=&#34;", "")
    assert "&lt;script&gt;document.title=&#34;pwned&#34;&lt;/script&gt;" in html
    assert "&lt;b&gt;A Resident&lt;/b&gt;" in html
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'self'" in csp
    assert response.headers["x-content-type-options"] == "nosniff"
    assert "<script>" not in html.replace('<script src="/static/ops.js" defer></script>', "")


def test_every_view_loads_as_html_and_json(client, seeded):
    _, case_id = seeded
    for path in ("/", "/triage", "/cases", f"/cases/{case_id}", "/grid", "/archive", "/reports",
                 "/static/ops.js", "/static/ops.css"):
        assert client.get(path).status_code == 200, path
    cases = client.get("/api/cases").json()
    assert [c["external_id"] for t in cases["teams"] for c in t["cases"]] == ["t1"]
    assert cases["teams"][0]["cases"][0]["time_left"] == "23h 00m"
    assert "fortnights" in client.get("/api/grid").json()
    assert client.get("/api/archive", params={"q": "parking"}).json()["items"][0]["external_id"] == "t2"
    assert client.get("/api/archive", params={"verify": "true"}).json()["verify"] is None
    assert client.get("/api/reports").json()["week_start"] == "2026-11-16"
    assert client.get("/api/metrics", params={"date_from": "2026-11-01", "date_to": "2026-11-30"}).json() == {
        "metrics": []}
    assert client.get("/reports/charts/2026-11-16/sentiment.png").content[:4] == b"\x89PNG"
    assert client.get("/reports/charts/2026-11-16/secrets.png").status_code == 404
    docs = client.get("/docs").text
    assert "/api/triage/{platform}/{external_id}/correction" in docs and "cdn" not in docs.lower()
    # Nothing fetched from another site: the page works offline.
    assert not re.search(r'(src|href)="(https?:)?//', docs)
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/triage/{platform}/{external_id}/correction" in paths and "/api/cases/{case_id}/reply" in paths


def test_recording_a_reply_made_elsewhere(client, seeded):
    _, case_id = seeded
    assert client.post(f"/api/cases/{case_id}/reply", json={"channel": "phone", "note": "rang back"}).status_code == 201
    history = client.get(f"/api/cases/{case_id}").json()
    assert history["case"]["status"] == "responded" and history["case"]["response_channel"] == "phone"
    assert [e["event"] for e in history["events"]] == ["responded"]
    assert history["events"][0]["actor"] == "officer:Olive Officer"
    assert client.post(f"/api/cases/{case_id}/reply", json={"channel": "phone"}).status_code == 409
    assert client.post("/api/cases/999999/reply", json={"channel": "phone"}).status_code == 404


def test_archive_export_is_a_zip_bundle(client):
    response = client.get("/archive/export.zip", params={"q": "parking"})
    assert response.status_code == 200 and response.headers["content-type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "items.csv" in names and "manifest.json" in names


def test_a_missing_capability_shows_not_yet_available(client, monkeypatch):
    from council_social.views import availability

    def missing(conn, modules, tables):
        raise availability.Unavailable("council_social.grid is not installed (test)")

    monkeypatch.setattr("council_social.views.grid_panel.need", missing)
    page = client.get("/grid")
    assert page.status_code == 200 and "Not yet available" in page.text
    assert client.get("/api/grid").status_code == 503


def test_a_case_page_shows_the_post_and_allocates(client, seeded, config):
    _, case_id = seeded
    page = client.get(f"/cases/{case_id}").text
    assert "&lt;script&gt;document.title" in page and 'id="assign"' in page and 'id="close"' in page
    shown = client.get(f"/api/cases/{case_id}").json()
    assert shown["text"].startswith("<script>") and shown["author"]["username"] == "resident"
    assert shown["decision"]["outcome"] == "customer_service"
    # The signed-in user is not an officer in council.yaml: the form must say who acts.
    refused = client.post(f"/api/cases/{case_id}/assign", json={"to": "parking"})
    assert refused.status_code == 422 and "no officer 'Olive Officer'" in refused.json()["detail"]
    ok = client.post(f"/api/cases/{case_id}/assign",
                     json={"to": "parking", "officer": "Wendy Sample", "note": "permits"})
    assert ok.status_code == 200 and ok.json()["done"] == "assigned to Parveen Sample (Parking Services)"
    assert client.post(f"/api/cases/{case_id}/close", json={"reason": "because",
                                                          "officer": "Wendy Sample"}).status_code == 422
    closed = client.post(f"/api/cases/{case_id}/close",
                         json={"reason": "duplicate", "officer": "Parveen Sample"})
    assert closed.status_code == 200
    again = client.post(f"/api/cases/{case_id}/close",
                        json={"reason": "duplicate", "officer": "Parveen Sample"})
    assert again.status_code == 409
    assert client.post("/api/cases/999999/close",
                       json={"reason": "duplicate", "officer": "Parveen Sample"}).status_code == 404
    history = [e["sentence"] for e in client.get(f"/api/cases/{case_id}").json()["history"]]
    assert history == ["Assigned to Parveen Sample (Parking Services) by Wendy Sample: permits",
                       "Closed by Parveen Sample: a duplicate of another case"]


def test_backlog_is_listed_and_closed_in_bulk_from_the_cases_page(client, seeded, config):
    from council_social.cases.watch import mark_open_from, watch

    engine, case_id = seeded
    # t3 (an FoI request, three days old) and t9 (a complaint, four) predate the watch.
    with engine.begin() as conn:
        mark_open_from(conn, NOW - timedelta(hours=2), NOW)
        page = raw_page(conn, fetched_at=NOW - timedelta(days=4))
        add_item(conn, page, "t9", "Bins not emptied on Monday", NOW - timedelta(days=4), author="901")
        add_decision(conn, config, "t9", NOW - timedelta(days=4), outcome="customer_service",
               department="waste-recycling")
    watch(engine, config, NOW - timedelta(minutes=15), NOW)
    listed = client.get("/api/cases", params={"backlog": "true"}).json()
    assert [c["external_id"] for t in listed["teams"] for c in t["cases"]] == ["t9"]
    assert listed["backlog"] == [{"team": "waste-recycling", "cases": 1}]
    # The FoI request is a live case with its legal deadline, not backlog.
    live = client.get("/api/cases").json()
    assert "t3" in [c["external_id"] for t in live["teams"] for c in t["cases"]]
    assert 'id="backlog-close"' in client.get("/cases").text
    refused = client.post("/api/cases/backlog/close", json={"team": "nobody", "reason": "duplicate",
                                                            "officer": "Wendy Sample"})
    assert refused.status_code == 422
    done = client.post("/api/cases/backlog/close", json={
        "team": "waste-recycling", "reason": "no_reply_needed", "officer": "Wanda Placeholder"})
    assert done.json()["closed"] == 1
    assert client.get("/api/cases").json()["backlog"] == []


def test_the_archive_page_shows_the_last_verify_and_runs_none(client, seeded, config):
    from council_social.archive.storage import anchor_path, archive_root
    from council_social.archive.verify import verify_archive

    engine, _ = seeded
    runs = "SELECT count(*) FROM social.archive_verify_runs"
    assert "Not verified yet" in client.get("/archive").text
    verify_archive(engine, archive_root(config), anchor_path(config))
    with engine.connect() as conn:
        conn.exec_driver_sql("UPDATE social.archive_verify_runs SET ok = false, problems = 1,"
                             " detail = jsonb_set(detail, '{problems}', '[\"x.warc.gz: <b>gone</b>\"]')")
        conn.commit()
        before = conn.exec_driver_sql(runs).scalar()
    for _ in range(3):
        page = client.get("/archive").text
    status = client.get("/api/archive", params={"verify": "true"}).json()["verify"]
    with engine.connect() as conn:
        assert conn.exec_driver_sql(runs).scalar() == before == 1  # a view writes no verify row
    assert status["ok"] is False and status["problems"] == ["x.warc.gz: <b>gone</b>"]
    assert "1 problem(s) found" in page and "x.warc.gz: &lt;b&gt;gone&lt;/b&gt;" in page

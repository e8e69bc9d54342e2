"""The views against hostile query values, names, Host headers and people's times."""

from __future__ import annotations

from datetime import timedelta

import pytest
from fastapi.testclient import TestClient

from council_social.views.cli import dev_app
from tests.integration.test_views_api import NOW, client, seeded  # noqa: F401 (fixtures)
from tests.views_support import add_author, add_decision, add_item, raw_page

pytestmark = pytest.mark.postgres

RLO = "\u202e"


@pytest.mark.parametrize("path", [
    "/archive?q=%00", "/api/archive?q=bins%00", "/archive/export.zip?author=%00x",
    "/triage?team=%00", "/api/triage?outcome=%01", "/cases?team=%00",
    "/reports?week=9999-12-27", "/api/reports?week=9999-12-27",
    "/reports/charts/9999-12-27/sentiment.png",
    "/archive?q=" + "x" * 5000,
])
def test_bad_query_values_get_a_4xx_with_a_message(client, path):  # noqa: F811
    response = client.get(path)
    assert 400 <= response.status_code < 500, (path, response.status_code)
    assert response.json()["detail"]


def test_names_and_handles_are_bidi_isolated(client, seeded, config):  # noqa: F811
    engine, _ = seeded
    with engine.begin() as conn:
        page = raw_page(conn, endpoint="mentions")
        add_author(conn, "950", f"{RLO}evil", f"{RLO}Ann Resident")
        add_item(conn, page, "t9", "mixed direction bins", NOW - timedelta(minutes=30), author="950")
        add_decision(conn, config, "t9", NOW - timedelta(minutes=30))
    for path in ("/triage", "/archive?q=direction"):
        html = client.get(path).text
        assert f"<bdi>{RLO}Ann Resident</bdi>" in html, path
        assert f"@<bdi>{RLO}evil</bdi>" in html, path
    assert "<bdi>Wanda Placeholder</bdi>" in client.get("/cases").text


def test_the_dev_server_answers_only_loopback_hosts(seeded, config):  # noqa: F811
    engine, _ = seeded
    app = dev_app(lambda: engine, config)
    for host, expected in [("127.0.0.1:8090", 200), ("localhost:8090", 200), ("localhost", 200),
                           ("attacker.example", 400), ("attacker.example:8090", 400),
                           ("127.0.0.1.attacker.example", 400)]:
        response = TestClient(app, base_url=f"http://{host}").get("/api/grid")
        assert response.status_code == expected, host


@pytest.mark.parametrize("at, message", [
    ("9999-12-31T23:59:59Z", "in the future"),
    ("1970-01-01T00:00:00Z", "before the case opened"),
    ("2026-11-25T11:30:00", "timezone"),
])
def test_a_reply_time_is_checked(client, seeded, at, message):  # noqa: F811
    _, case_id = seeded
    response = client.post(f"/api/cases/{case_id}/reply", json={"channel": "phone", "at": at})
    assert response.status_code == 422 and message in str(response.json()["detail"])
    assert client.get(f"/api/cases/{case_id}").json()["case"]["status"] == "open"
    ok = client.post(f"/api/cases/{case_id}/reply",
                     json={"channel": "phone", "at": (NOW - timedelta(minutes=10)).isoformat()})
    assert ok.status_code == 201


def test_the_whole_calendar_is_a_search_for_everything(client, seeded, database_url,  # noqa: F811
                                                       monkeypatch, capsys):
    found = client.get("/api/archive", params={"date_from": "0001-01-01", "date_to": "9999-12-31"})
    assert found.status_code == 200 and len(found.json()["items"]) == 3
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    assert main(["archive", "search", "--from", "0001-01-01", "--to", "9999-12-31"]) == 0
    assert capsys.readouterr().err.strip() == "3 items"

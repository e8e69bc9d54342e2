"""The case page's reply box and POST /api/cases/{id}/replies, on real PostgreSQL."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from council_social.views.app import create_app
from tests.integration.test_views_api import NOW, seed

pytestmark = pytest.mark.postgres


@pytest.fixture
def page(clean_db, config):
    with clean_db.begin() as conn:
        case_id = seed(conn, config)
    app = create_app(lambda: clean_db, config=config, officer=lambda: "Wanda Placeholder",
                     clock=lambda: NOW)
    return TestClient(app), case_id


def test_an_officer_queues_a_reply_from_the_case_page_and_sees_it(page):
    client, case_id = page
    html = client.get(f"/cases/{case_id}").text
    assert f'/api/cases/{case_id}/replies"' in html
    assert "missed-bin" in html and "Send reply" in html
    url = f"/api/cases/{case_id}/replies"
    made = client.post(url, json={"text": "We will <b>collect</b> it today. ^WP"})
    assert made.status_code == 201, made.text
    assert made.json()["status"] == "queued" and made.json()["reply"].startswith("R-")
    again = client.post(url, json={"text": "we will <b>collect</b>  it today. ^WP",
                                    "officer": "Wes Placeholder"})
    assert again.status_code == 201 and again.json()["duplicate"] is True
    listed = client.get(url).json()["replies"]
    assert [r["status"] for r in listed] == ["queued"]
    html = client.get(f"/cases/{case_id}").text
    assert "&lt;b&gt;collect&lt;/b&gt;" in html and "<b>collect</b>" not in html


def test_refused_replies_say_why(page):
    client, case_id = page
    url = f"/api/cases/{case_id}/replies"
    bad = client.post(url, json={"text": "Ring me on 020 7946 0018"})
    assert bad.status_code == 400 and "move to DM" in bad.json()["detail"]
    who = client.post(url, json={"text": "Hello", "officer": "Mallory"})
    assert who.status_code == 403
    assert client.post("/api/cases/999999/replies", json={"text": "Hi"}).status_code == 404
    evil = client.post(url, json={"text": "Hi"}, headers={"Origin": "https://evil.example"})
    assert evil.status_code == 403
    assert client.get(url).json()["replies"] == []

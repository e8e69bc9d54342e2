""""Help the model": the day's posts the model is least sure about (views/triage_help.py)."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from sqlalchemy import insert

from council_social.triage.tables import triage_corrections, triage_decisions
from council_social.views.triage_help import least_sure

pytestmark = pytest.mark.postgres


def decide(conn, config, ext: str, when: datetime, score: float, cue: float = 0.0,
           intent: str = "general_comment") -> None:
    cut = config.triage.critical_threshold
    conn.execute(insert(triage_decisions).values(
        platform="twitter", external_id=ext, rules_version=config.triage.rules_version,
        outcome="monitor", flags=[], intent=intent, topic=None, department=None,
        criticality=score, critical=score >= cut and intent != "praise", influence=10,
        importance=0.0, inputs={"cue_score": cue, "critical_words": [["late", 0.5]]},
        rule_path=["x"], item_created_at=when))


def test_disagreements_first_then_nearest_the_cut_uncorrected_of_that_day(clean_db, config):
    cut = config.triage.critical_threshold
    day = datetime(2026, 11, 10, 12, tzinfo=config.tz)
    with clean_db.begin() as conn:
        # 14 disagreements (model critical, cues not; or model critical on praise) far from the cut
        for n in range(12):
            decide(conn, config, f"d{n}", day, cut + 0.3 + n / 100)
        decide(conn, config, "praise", day, cut + 0.2, cue=0.0, intent="praise")
        decide(conn, config, "cues", day, cut - 0.3, cue=0.9)  # cues critical, model not
        # 30 agreeing posts, at growing distance from the cut on both sides
        for n in range(30):
            side = 1 if n % 2 else -1
            score = cut + side * (0.01 + n / 100)
            decide(conn, config, f"a{n}", day, score, cue=0.9 if score >= cut else 0.0)
        decide(conn, config, "other-day", day - timedelta(days=1), cut)
        decide(conn, config, "corrected", day, cut)
        conn.execute(insert(triage_corrections).values(
            platform="twitter", external_id="corrected", rules_version=config.triage.rules_version,
            critical=True, officer="o", corrected_at=day))
    with clean_db.connect() as conn:
        rows = least_sure(conn, config, day.date())
    ids = [r["external_id"] for r in rows]
    assert len(rows) == 20 and len(set(ids)) == 20
    assert "other-day" not in ids and "corrected" not in ids
    # Half the list: the disagreements nearest the cut.
    assert all(r["disagreement"] for r in rows[:10])
    assert set(ids[:10]) == {"praise", "cues", "d0", "d1", "d2", "d3", "d4", "d5", "d6", "d7"}
    assert {r["rules_say"] for r in rows if r["external_id"] == "praise"} == {"praise"}
    # The rest: the agreeing posts nearest the cut, nearest first.
    assert ids[10:] == [f"a{n}" for n in range(10)]
    distances = [abs(r["criticality"] - cut) for r in rows[10:]]
    assert distances == sorted(distances)
    assert rows[10]["critical_words"] == [["late", 0.5]]


def test_few_disagreements_leave_room_for_the_nearest(clean_db, config):
    cut = config.triage.critical_threshold
    day = datetime(2026, 11, 10, 9, tzinfo=config.tz)
    with clean_db.begin() as conn:
        decide(conn, config, "dis", day, cut + 0.4)
        for n in range(25):
            decide(conn, config, f"a{n}", day, cut - 0.01 - n / 100)
    with clean_db.connect() as conn:
        rows = least_sure(conn, config, day.date())
    assert [r["external_id"] for r in rows] == ["dis", *(f"a{n}" for n in range(19))]
    assert rows[0]["model_says"] == "critical" and rows[0]["rules_say"] == "not critical"


def test_the_queue_shows_the_words_and_links_to_the_list(clean_db, config):
    from fastapi.testclient import TestClient

    from council_social.views.app import create_app
    from tests.views_support import add_item, raw_page

    now = datetime(2026, 11, 10, 15, tzinfo=config.tz)
    with clean_db.begin() as conn:
        add_item(conn, raw_page(conn), "w1", "bins <b>never</b> collected", now - timedelta(hours=1),
                 author="900")
        decide(conn, config, "w1", now - timedelta(hours=1), 0.9)
        conn.execute(triage_decisions.update().where(triage_decisions.c.external_id == "w1").values(
            inputs={"cue_score": 0.0, "critical_words": [["<b>never</b>", 1.2], ["bins", 0.4]]}))
    client = TestClient(create_app(lambda: clean_db, config=config, officer=lambda: "Olive",
                                   clock=lambda: now))
    queue = client.get("/triage").text
    assert 'id="help-link"' in queue
    row = queue.split('id="d-twitter-w1"', 1)[1].split("</tr>", 1)[0]
    assert "pushed by" in row and "&lt;b&gt;never&lt;/b&gt;, bins" in row and "<b>never" not in row
    posts = client.get("/api/triage/help").json()["posts"]
    assert [p["external_id"] for p in posts] == ["w1"] and posts[0]["disagreement"] is True
    page = client.get("/triage/help").text
    assert 'id="h-twitter-w1"' in page and "&lt;b&gt;never&lt;/b&gt;" in page
    assert client.get("/api/triage/help?day=2026-11-09").json()["posts"] == []

"""metrics_daily, alerts and the weekly report on real PostgreSQL: figures, reruns, mail once."""

from __future__ import annotations

import email
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import insert, select

from council_social.reports.alerts import raise_alerts
from council_social.reports.mail import OutboxSender
from council_social.reports.metrics import compute_metrics
from council_social.reports.notify import notify_alerts
from council_social.reports.tables import alerts, metrics_daily
from council_social.reports.weekly import send_weekly, write_weekly
from council_social.store.tables import ingest_fetches
from tests.conftest import snapshot
from tests.views_support import SCRIPT_POST, add_author, add_decision, add_item, raw_page

pytestmark = pytest.mark.postgres

DAY = date(2026, 11, 24)  # a Tuesday; London is on GMT, so local hours are UTC hours
COUNCIL = "154019375"


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def _profile(followers: int) -> dict:
    return {"data": [], "includes": {"users": [{"id": COUNCIL, "username": "Brent_Council",
                                                "name": "Brent Council",
                                                "public_metrics": {"followers_count": followers}}]},
            "meta": {"result_count": 0}}


@pytest.fixture
def store(clean_db, config):
    with clean_db.begin() as conn:
        page = raw_page(conn, body=_profile(20000), fetched_at=at(DAY - timedelta(days=1), 22))
        raw_page(conn, body=_profile(20015), fetched_at=at(DAY, 22))
        add_author(conn, COUNCIL, "Brent_Council", "Brent Council", 20015)
        # Watching began five weeks before DAY: four weeks of baseline exist for DAY only.
        watched_from = at(DAY - timedelta(weeks=5), 0)
        conn.execute(insert(ingest_fetches).values(
            platform="twitter", account_key="brent-council", endpoint="mentions",
            interval_end=watched_from, start_time=watched_from, complete=True, pages=1))
        add_author(conn, "900", "resident", "A Resident")
        # A lookalike, first seen today, with markup in its name.
        add_author(conn, "901", "BrentCounci1", "<script>alert(1)</script>Brent Council")
        n = 0
        # Four past weeks: about two bins mentions an hour at 10:00; today 25 of them at 10:00.
        for week in range(1, 5):
            for k in range(2):
                n += 1
                created = at(DAY - timedelta(weeks=week), 10, k)
                add_item(conn, page, f"m{n}", "bins not collected", created, author="900")
                add_decision(conn, config, f"m{n}", created)
        for k in range(25):
            n += 1
            created = at(DAY, 10, k)
            text = "Terrible, bins missed again #WembleyBins" if k % 2 else "thanks for the great help #WembleyBins"
            add_item(conn, page, f"m{n}", text, created, author="900")
            add_decision(conn, config, f"m{n}", created, critical=bool(k % 2))
        add_item(conn, page, "lk1", SCRIPT_POST, at(DAY, 11), author="901")
        # The council's own post and a reply to the first of today's mentions, 30 minutes later.
        add_item(conn, page, "own1", "Our bins update", at(DAY, 9), author=COUNCIL,
                 metrics={"like_count": 5, "repost_count": 2, "reply_count": 1, "quote_count": 0})
        add_item(conn, page, "rep1", "Sorry, we're on it", at(DAY, 10, 30), author=COUNCIL, kind="reply",
                 in_reply_to="m9")
    return clean_db


def test_daily_metrics_per_account(store, config):
    compute_metrics(store, config, DAY - timedelta(days=1), at(DAY, 0))
    rows = {r["account_key"]: r for r in compute_metrics(store, config, DAY, at(DAY + timedelta(days=1), 0))}
    assert set(rows) == {a.key for a in config.accounts}
    main = rows["brent-council"]
    assert main["followers"] == 20015 and main["baseline_daily_growth"] == 12.0
    assert (main["posts"], main["engagement"], main["replies"]) == (1, 8, 1)
    assert main["mentions"] == 26  # 25 bins mentions + the lookalike's post
    assert main["mentions_positive"] >= 12 and main["mentions_negative"] >= 12
    assert main["median_response_minutes"] == 30.0 and main["replies_within_target"] == 1
    assert rows["brent-jobs"]["mentions"] == 0 and rows["brent-jobs"]["followers"] is None


def test_alerts_spike_negativity_hashtag_and_impersonation(store, config):
    found = raise_alerts(store, config, DAY, at(DAY + timedelta(days=1), 0))
    kinds = {(a["kind"], a["subject"]) for a in found}
    assert ("spike", "topic:bins-recycling") in kinds
    assert ("negativity_spike", "topic:bins-recycling") in kinds
    assert ("trending_hashtag", "hashtag:wembleybins") in kinds
    assert ("impersonation", "author:twitter:901") in kinds
    spike = next(a for a in found if a["kind"] == "spike")
    assert spike["observed"] == 25 and spike["window_start"] == at(DAY, 10)
    # A burst two weeks earlier, when watching had not yet covered four weeks: no volume alerts.
    early = DAY - timedelta(weeks=2)
    with store.begin() as conn:
        page = raw_page(conn, fetched_at=at(early, 23))
        for k in range(20):
            add_item(conn, page, f"early{k}", "bins", at(early, 15, k), author="900")
            add_decision(conn, config, f"early{k}", at(early, 15, k))
    cold = raise_alerts(store, config, early, at(early + timedelta(days=1), 0))
    assert not [a for a in cold if a["kind"] in ("spike", "negativity_spike")]
    # The day before had no planted spike: no volume alerts.
    quiet = raise_alerts(store, config, DAY - timedelta(days=7), at(DAY - timedelta(days=6), 0))
    assert not [a for a in quiet if a["kind"] in ("spike", "negativity_spike")]


def test_reruns_change_nothing_and_the_web_team_hears_once(store, config, tmp_path):
    run_end = at(DAY + timedelta(days=1), 0)
    compute_metrics(store, config, DAY, run_end)
    raise_alerts(store, config, DAY, run_end)
    outbox = OutboxSender(tmp_path)
    first = notify_alerts(store, config, DAY, outbox, run_end)
    assert first["alerts"] >= 4 and len(outbox.written) == 1
    before = snapshot(store)
    compute_metrics(store, config, DAY, run_end)
    raise_alerts(store, config, DAY, run_end)
    assert notify_alerts(store, config, DAY, outbox, run_end)["alerts"] == 0
    assert snapshot(store) == before and len(outbox.written) == 1
    with store.connect() as conn:
        assert conn.execute(select(alerts.c.notified_at).where(alerts.c.notified_at.is_(None))).first() is None
        assert conn.execute(select(metrics_daily)).rowcount == len(config.accounts)
    message = email.message_from_bytes(outbox.written[0].read_bytes())
    html = next(p for p in message.walk() if p.get_content_type() == "text/html").get_payload(decode=True)
    assert b"<script>" not in html  # the lookalike's display name is not markup


def test_weekly_page_and_email(store, config, tmp_path, monkeypatch):
    monkeypatch.setattr(config.reports, "output_dir", str(tmp_path / "reports"))
    for back in range(8):
        day = DAY - timedelta(days=back)
        compute_metrics(store, config, day, at(day + timedelta(days=1), 0))
    raise_alerts(store, config, DAY, at(DAY + timedelta(days=1), 0))
    written = write_weekly(store, config, DAY)
    page = (tmp_path / "reports" / "weekly-2026-11-23" / "index.html")
    assert written["page"] == str(page)
    html = page.read_text()
    assert "Brent Council" in html and 'src="growth.png"' in html and "<script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;Brent Council" in html
    for name in written["charts"]:
        assert (page.parent / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    growth = next(a for a in written["context"]["accounts"] if a["key"] == "brent-council")
    assert growth["new_followers"] == 15 and growth["baseline_per_day"] == 12.0
    outbox = OutboxSender(tmp_path / "outbox")
    sent = send_weekly(store, config, DAY, outbox, at(DAY + timedelta(days=6), 6))
    message = email.message_from_bytes(outbox.written[0].read_bytes())
    assert sent["message_id"] == "<weekly-2026-11-23@council-social>"
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == len(written["charts"])

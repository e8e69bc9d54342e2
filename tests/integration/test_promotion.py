"""Promotion against real PostgreSQL and the X simulator: followers in X's wire format,
follow-back through the CLI, a competition drawn, archived and re-run, one alert when a
planner entry's Facebook and X posts give different dates."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import requests
from sqlalchemy import insert, select, text

from council_social.channels.twitter import TwitterConnector
from council_social.cli import main
from council_social.grid.tables import planner_entries, post_attempts
from council_social.promotion.jobs import build_suggestions, fetch_follows
from council_social.promotion.messaging import check_day
from council_social.promotion.tables import follows
from council_social.store.ingest_repo import FetchKey, current_watermark
from council_social.store.tables import items, raw_pages
from tests.conftest import SIM_NOW
from tests.views_support import add_author, add_item, raw_page

pytestmark = pytest.mark.postgres


def main_account(config):
    return next(a for a in config.accounts if a.key == "brent-council")


def connector(simulator, config, sleeps=None, **kw):
    return TwitterConnector(config.simulator.bearer_token, simulator.base_url,
                            sleep=(sleeps if sleeps is not None else []).append,
                            clock=lambda: SIM_NOW.timestamp(), **kw)


# ----------------------------------------------------------------- the simulator
def test_simulator_serves_followers_in_xs_wire_format(simulator, config):
    account = main_account(config)
    expected = [u.id for u in simulator.model.followers_of(account.external_id)]
    assert 50 < len(expected) < len(simulator.model.users())
    url = f"{simulator.base_url}/2/users/{account.external_id}/followers"
    auth = {"Authorization": f"Bearer {config.simulator.bearer_token}"}
    got, token = [], None
    while True:
        params = {"max_results": 40, "user.fields": "location,public_metrics"}
        if token:
            params["pagination_token"] = token
        r = requests.get(url, params=params, headers=auth, timeout=10)
        assert r.status_code == 200 and r.headers["x-rate-limit-limit"] == "15"
        body = r.json()
        assert set(body) <= {"data", "meta"} and body["meta"]["result_count"] == len(body["data"])
        assert set(body["data"][0]) >= {"id", "name", "username", "public_metrics"}
        got += [u["id"] for u in body["data"]]
        token = body["meta"].get("next_token")
        if not token:
            break
    assert got == expected
    bad = requests.get(url, params={"max_results": 1001}, headers=auth, timeout=10)
    assert bad.status_code == 400 and bad.json()["errors"][0]["parameters"] == {
        "max_results": ["1001"]}


def test_connector_walks_followers_with_the_paginator_stopping_at_the_watermark(simulator, config):
    account = main_account(config)
    everyone = [u.id for u in simulator.model.followers_of(account.external_id)]
    sleeps: list[float] = []
    c = connector(simulator, config, sleeps, page_size=25, max_rate_limit_wait_seconds=30)
    simulator.inject_429(count=1, reset_in_seconds=5)
    full = c.fetch_follows(account, "followers")
    assert full.complete and [u.external_id for u in full.users] == everyone
    assert sleeps == [6.0] and all(p.status == 200 for p in full.pages)
    assert len(full.pages) == -(-len(everyone) // 25) and full.newest_id == everyone[0]
    assert full.pages[0].endpoint == f"users/{account.external_id}/followers"
    since = c.fetch_follows(account, "followers", stop_at_id=everyone[3])
    assert since.complete and since.reached_watermark
    assert [u.external_id for u in since.users] == everyone[:3] and len(since.pages) == 1


# ------------------------------------------------------------------ the store
def test_follows_land_with_raw_pages_and_watermark_and_feed_follow_back(
        clean_db, simulator, config, database_url, monkeypatch, capsys):
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    account = main_account(config)
    c = connector(simulator, config, page_size=100)
    start, end = SIM_NOW - timedelta(days=1), SIM_NOW
    for direction in ("followers", "following"):
        summary = fetch_follows(clean_db, c, account, direction, interval_start=start,
                                interval_end=end, full=True)
        assert summary["complete"]
    followers = simulator.model.followers_of(account.external_id)
    with clean_db.connect() as conn:
        stored = conn.execute(select(raw_pages.c.endpoint, raw_pages.c.status)).all()
        assert {r.endpoint for r in stored} == {"followers", "following"}
        ids = set(conn.execute(select(follows.c.user_external_id).where(
            follows.c.direction == "followers")).scalars())
        assert ids == {u.id for u in followers}
        key = FetchKey("twitter", account.key, "followers", end)
        assert current_watermark(conn, key) == followers[0].id

    # One follower posts to us often, one is abusive, one is already followed back.
    following = {u.id for u in simulator.model.following_of(account.external_id)}
    fans = [u for u in followers if u.id not in following]
    keen, rude = fans[0], fans[1]
    with clean_db.begin() as conn:
        page = raw_page(conn)
        for u in (keen, rude):
            add_author(conn, u.id, u.username, u.name, followers=u.followers_count)
        for i in range(3):
            add_item(conn, page, f"k{i}", f"@BrentCouncil thanks {i}", SIM_NOW - timedelta(days=i),
                     author=keen.id, kind="reply")
        add_item(conn, page, "r1", "@BrentCouncil you idiots", SIM_NOW, author=rude.id)
        conn.execute(text(
            "INSERT INTO social.triage_decisions (platform, external_id, rules_version, outcome,"
            " flags, intent, criticality, critical, influence, importance, inputs, rule_path,"
            " item_created_at) VALUES ('twitter', 'r1', 'x', 'monitor', ARRAY['abusive'],"
            " 'abuse', 0, false, 1, 0, '{}', '[]', now())"))
    counts = build_suggestions(clean_db, config, SIM_NOW.date())
    assert counts[account.key] == min(len(fans) - 1, config.promotion.follow_back_limit)

    assert main(["promotion", "follow-back", "--account", account.key, "--format", "json"]) == 0
    listed = json.loads(capsys.readouterr().out)
    handles = [s["handle"] for s in listed]
    assert keen.username in handles and rude.username not in handles
    assert not following & {s["user_id"] for s in listed}
    mine = next(s for s in listed if s["handle"] == keen.username)
    assert "follows us" in mine["reasons"] and "engaged 3 times in 90 days" in mine["reasons"]
    assert [s["influence"] for s in listed] == sorted((s["influence"] for s in listed),
                                                      reverse=True)

    assert main(["promotion", "dismiss", keen.username, "--account", account.key,
                 "--officer", "Wendy Web", "--reason", "a business, not a resident"]) == 0
    capsys.readouterr()
    assert main(["promotion", "follow-back", "--account", account.key, "--format", "json"]) == 0
    assert keen.username not in [s["handle"] for s in json.loads(capsys.readouterr().out)]
    assert main(["promotion", "dismiss", "nobody_here", "--account", account.key,
                 "--officer", "Wendy Web", "--reason", "x"]) == 2
    assert capsys.readouterr().err.count("\n") == 1


# ------------------------------------------------------------------ competitions
def test_competition_draw_is_archived_and_a_second_run_gives_the_same_winner(
        clean_db, simulator, config, database_url, tmp_path, monkeypatch, capsys):
    account = main_account(config)
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ROOT", str(tmp_path / "archive"))
    monkeypatch.setenv("AIRFLOW_CONN_COUNCIL_SOCIAL_TWITTER", json.dumps({
        "conn_type": "http", "host": simulator.base_url,
        "password": config.simulator.bearer_token}))
    followers = simulator.model.followers_of(account.external_id)
    follower_ids = {u.id for u in followers}
    strangers = [u for u in simulator.model.residents if u.id not in follower_ids][:2]
    opens, closes = SIM_NOW - timedelta(days=7), SIM_NOW - timedelta(hours=1)
    with clean_db.begin() as conn:
        page = raw_page(conn)
        for i, u in enumerate([*followers[:5], *strangers]):
            add_author(conn, u.id, u.username, u.name)
            add_item(conn, page, f"e{i}", f"Count me in #BrentWin {i}", opens + timedelta(hours=i),
                     author=u.id)
        add_item(conn, page, "e-late", "#BrentWin too late", closes + timedelta(minutes=5),
                 author=followers[6].id)
        add_item(conn, page, "e-again", "#BrentWin again", opens + timedelta(hours=9),
                 author=followers[0].id)
    spec = tmp_path / "winter-giveaway.yaml"
    spec.write_text(f"account: {account.key}\nhashtag: BrentWin\nopens: '{opens.isoformat()}'\n"
                    f"closes: '{closes.isoformat()}'\nprize: Two panto tickets\n"
                    "rules: Followers only, one entry each.\npublished_value: '1861234567890'\n")
    assert main(["promotion", "competition", "open", str(spec), "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["status"] == "open"

    assert main(["promotion", "competition", "draw", str(spec), "--format", "json"]) == 0
    first = json.loads(capsys.readouterr().out)
    assert (first["entries"], first["eligible"], first["rerun"]) == (7, 5, False)
    assert first["winner"]["author_id"] in {u.id for u in followers[:5]}
    archive = tmp_path / "archive" / first["archive"]["warc"]
    assert hashlib.sha256(archive.read_bytes()).hexdigest() == first["archive"]["sha256"]
    manifest = json.loads((tmp_path / "archive" / first["archive"]["manifest"]).read_text())
    assert [r["uri"].rsplit(":", 1)[1] for r in manifest["records"]] == ["rules", "entries", "draw"]
    from warcio.archiveiterator import ArchiveIterator

    with archive.open("rb") as fh:
        docs = {r.rec_headers.get_header("WARC-Target-URI").rsplit(":", 1)[1]: r.content_stream().read()
                for r in ArchiveIterator(fh) if r.rec_type == "resource"}
    assert docs["rules"] == spec.read_bytes()
    drawn = json.loads(docs["draw"])
    lines = sorted(drawn["eligible"])
    seed = hashlib.sha256(("\n".join(lines) + "\n1861234567890").encode()).hexdigest()
    assert seed == first["seed"] == drawn["seed"]
    assert lines[int(seed, 16) % len(lines)].split()[0] == first["winner"]["author_id"]

    assert main(["promotion", "competition", "draw", str(spec), "--format", "json"]) == 0
    second = json.loads(capsys.readouterr().out)
    assert second["rerun"] and second["winner"] == first["winner"] and second["seed"] == seed


def test_competition_bad_input_is_one_line_exit_2(clean_db, config, database_url, tmp_path,
                                                  monkeypatch, capsys):
    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    spec = tmp_path / "c.yaml"
    spec.write_text("account: brent-council\nhashtag: X\nopens: '2026-11-02T00:00:00Z'\n"
                    "closes: '2026-11-01T00:00:00Z'\nprize: p\nrules: r\n")
    assert main(["promotion", "competition", "draw", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "is not after opens" in err
    spec.write_text("account: brent-council\nhashtag: X\nopens: '2026-11-01T00:00:00Z'\n"
                    "closes: '2026-11-02T00:00:00Z'\nprize: p\nrules: r\npublished_value: '1'\n")
    assert main(["promotion", "competition", "draw", str(spec)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "no entries" in err


# ------------------------------------------------------------ consistent messaging
def test_a_planner_entrys_facebook_and_x_posts_with_different_dates_raise_one_alert(
        clean_db, config):
    day = date(2026, 11, 25)
    x, fb = main_account(config), next(a for a in config.accounts if a.key == "brent-facebook")
    message = "Winter fair in Harlesden on 12 December, 10am. Info: https://www.brent.gov.uk/fair"
    at = datetime(2026, 11, 25, 9, tzinfo=UTC)
    with clean_db.begin() as conn:
        conn.execute(insert(planner_entries).values(
            key="winter-fair", title="Winter fair", message=message, channels=[x.key, fb.key],
            earliest=day, latest=day, owner="communications", priority="normal",
            status="scheduled", campaign="winter-fair", essential=False, media=[],
            source="test", imported_at=at))
        conn.execute(insert(post_attempts).values(
            idempotency_key="k1", entry_key="winter-fair", account_key=x.key, platform="twitter",
            slot_at=at, text="Winter fair in Harlesden on 13 December, 10am. Info: "
                             "https://www.brent.gov.uk/fair", status="posted", external_id="555",
            tries=1, first_tried_at=at, last_tried_at=at))
        page = raw_page(conn, account_key=fb.key)
        conn.execute(text("UPDATE social.raw_pages SET platform = 'facebook'"))
        conn.execute(insert(items).values(platform="facebook", external_id="fb-777", account_key=fb.key,
                             kind="post", author_external_id=fb.external_id, text=message,
                             created_at=at, metrics={}, content_sha256="x", version=1,
                             raw_page_id=page, first_seen_at=at, last_seen_at=at))
    raised = check_day(clean_db, config, day, at)
    assert raised == [
        "inconsistent messaging in planner:winter-fair: dates: twitter brent-council post 555 "
        "says 13 December 2026, facebook brent-facebook post fb-777 (by hand) says "
        "12 December 2026"]
    assert check_day(clean_db, config, day, at) == raised  # a rerun: still one alert
    with clean_db.connect() as conn:
        rows = conn.execute(text("SELECT subject, team FROM social.alerts "
                                 "WHERE kind = 'inconsistent_message'")).all()
    assert [tuple(r) for r in rows] == [("planner:winter-fair", "communications")]


# ------------------------------------------------------------------ campaign hashtags
def test_campaign_hashtags_reach_the_weekly_report_with_a_chart(clean_db, config, tmp_path,
                                                                monkeypatch):
    from council_social.promotion.jobs import build_campaign_weeks
    from council_social.reports.weekly import write_weekly

    monkeypatch.setattr(config.reports, "output_dir", str(tmp_path / "reports"))
    x = main_account(config)
    day = date(2026, 11, 25)
    at = datetime(2026, 11, 24, 10, tzinfo=UTC)
    with clean_db.begin() as conn:
        page = raw_page(conn)
        add_item(conn, page, "c1", "Recycling week starts <b>now</b> #BrentRecycles", at,
                 author=x.external_id, metrics={"repost_count": 4, "like_count": 10})
        for i, who in enumerate(["r1", "r2", "r1"]):
            add_item(conn, page, f"r{i}", f"my bins are sorted #brentrecycles {i}",
                     at + timedelta(hours=i + 1), author=who, metrics={"like_count": 1})
        add_item(conn, page, "old", "#BrentRecycles ten weeks ago", at - timedelta(days=70),
                 author="r3")
    assert build_campaign_weeks(clean_db, config, day) == 1
    written = write_weekly(clean_db, config, day)
    [row] = written["context"]["campaigns"]
    assert (row["tag"], row["posts"], row["council_posts"], row["reach"], row["engagement"],
            row["resident_authors"]) == ("BrentRecycles", 4, 1, 4, 17, 2)
    html = Path(written["page"]).read_text()
    assert "<h2>Campaign hashtags</h2>" in html and 'src="campaigns.png"' in html
    assert (Path(written["page"]).parent / "campaigns.png").read_bytes()[:4] == b"\x89PNG"


# ------------------------------------------------------------------ the Promotion page
def test_the_promotion_page_escapes_everything_and_records_decisions(clean_db, config):
    from fastapi.testclient import TestClient

    from council_social.views.app import create_app
    from tests.integration.test_views_browser import _promotion

    with clean_db.begin() as conn:
        _promotion(conn)
    app = create_app(lambda: clean_db, config=config, officer=lambda: "Olive Officer",
                     clock=lambda: SIM_NOW)
    client = TestClient(app)
    assert TestClient(create_app(lambda: clean_db, config=config)).get("/promotion").status_code == 401
    html = client.get("/promotion").text
    assert "&lt;script&gt;document.title" in html and "<script>document.title" not in html
    assert "&lt;b&gt;winner&lt;/b&gt;" in html and "#harlesdenrecycling" in html
    data = client.get("/api/promotion").json()
    assert [s["handle"] for s in data["suggestions"]] == ['<script>document.title="pwned"</script>']
    url = "/api/promotion/follow-back/brent-council/u1/dismiss"
    origin = {"Origin": "http://testserver"}
    assert client.post(url, json={}, headers=origin).status_code == 422  # a reason is needed
    assert client.post(url, json={"reason": "not local"}, headers=origin).status_code == 201
    assert client.get("/api/promotion").json()["suggestions"] == []
    with clean_db.connect() as conn:
        row = conn.execute(text("SELECT action, officer, reason FROM "
                                "social.promotion_follow_decisions")).one()
    assert tuple(row) == ("dismissed", "Olive Officer", "not local")

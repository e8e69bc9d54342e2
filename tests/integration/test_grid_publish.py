"""The grid against real PostgreSQL and the X simulator: import, plan, publish, post once."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from council_social.channels.twitter import TwitterConnector
from council_social.grid.build import plan_grid, publish_grid
from council_social.grid.planner import PlannerEntry
from council_social.grid.publish import publish_due
from council_social.grid.store import log_override, upsert_entries
from council_social.grid.tables import post_attempts
from council_social.grid.twitter_poster import TwitterPoster
from tests.conftest import SIM_NOW, snapshot

pytestmark = pytest.mark.postgres

# The grid is built at 06:00 on the simulator's day; the default best hour 12:00 is SIM_NOW.
BUILT_FOR = datetime(2026, 11, 25, 6, tzinfo=UTC)
DAY = date(2026, 11, 25)
HOSTILE_TEXT = 'Bins & recycling: <b>"collections"</b> change =SUM(1) \u202eok'


def entry(title: str, message: str, **kw) -> PlannerEntry:
    fields = {"key": title.lower().replace(" ", "-"), "title": title, "message": message,
              "channels": ("brent-council",), "earliest": DAY, "latest": DAY, "owner": "Web",
              "priority": "normal", "status": "approved", "campaign": title,
              "essential": False}
    fields.update(kw)
    return PlannerEntry(**fields)


def load(engine, entries):
    with engine.begin() as conn:
        return upsert_entries(conn, entries, "test", SIM_NOW)


def poster(simulator, config):
    main = config.account("brent-council")
    connector = TwitterConnector(config.simulator.bearer_token, simulator.base_url,
                                 clock=lambda: SIM_NOW.timestamp())
    return {"twitter": TwitterPoster(connector,
                                     {main.key: simulator.user_token(main.external_id)})}


def slot_time(engine, key):
    with engine.connect() as conn:
        return conn.execute(text("SELECT slot_at FROM social.grid_slots WHERE entry_key = :k "
                                 "AND built_for = :b"), {"k": key, "b": BUILT_FOR}).scalar()


def attempts(engine):
    with engine.connect() as conn:
        return conn.execute(select(post_attempts)).all()


def test_import_cli_plan_publish_and_identical_rerun(clean_db, config, tmp_path, database_url,
                                                     monkeypatch, capsys):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    planner = config.project_root / "include/config/sample_planner.csv"
    assert main(["planner", "import", str(planner)]) == 0
    assert "0 updated" in capsys.readouterr().out
    assert main(["planner", "import", str(planner)]) == 0
    assert "0 new, 0 updated" in capsys.readouterr().out

    built_for = datetime(2026, 12, 1, 6, tzinfo=UTC)
    plan = plan_grid(clean_db, config, built_for)
    first = publish_grid(clean_db, config, built_for, tmp_path)
    assert plan["grid_start"] == "2026-11-30" and plan["placed"] > 10 and plan["unplaced"] >= 2
    before = snapshot(clean_db)
    bytes_before = {k: open(v["path"], "rb").read() for k, v in first["files"].items()}
    assert plan_grid(clean_db, config, built_for) == plan
    second = publish_grid(clean_db, config, built_for, tmp_path)
    assert second["files"] == first["files"]
    assert snapshot(clean_db) == before
    assert {k: open(v["path"], "rb").read() for k, v in second["files"].items()} == bytes_before
    with clean_db.connect() as conn:
        slots = conn.execute(text("SELECT slot_at, state FROM social.grid_slots")).all()
    # Nothing before the moment the grid was built for is offered.
    assert all(s.slot_at >= built_for for s in slots if s.state == "placed")


def test_due_entry_is_posted_once_and_its_id_kept(clean_db, config, simulator):
    load(clean_db, [entry("Winter gritting", HOSTILE_TEXT)])
    plan_grid(clean_db, config, BUILT_FOR)
    assert slot_time(clean_db, "winter-gritting") == SIM_NOW
    posters = poster(simulator, config)
    summary = publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    assert len(summary.posted) == 1 and summary.unknown == []
    (tweet,) = simulator.posted_tweets
    assert tweet.text == HOSTILE_TEXT and tweet.author_id == config.account("brent-council").external_id
    (row,) = attempts(clean_db)
    assert row.status == "posted" and row.external_id == tweet.id_str
    # A rerun of the same interval (or the next one) posts nothing more.
    again = publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=10))
    assert again.already_posted == 1 and len(simulator.posted_tweets) == 1
    # The post is on the account's timeline, so ingest links replies and metrics to it.
    assert poster(simulator, config)["twitter"].find(
        config.account("brent-council"), HOSTILE_TEXT, SIM_NOW - timedelta(hours=1)) == tweet.id_str


def test_retry_after_a_lost_response_does_not_post_twice(clean_db, config, simulator):
    load(clean_db, [entry("Council tax", "Council tax is due on the 1st. Pay online.")])
    plan_grid(clean_db, config, BUILT_FOR)
    posters = poster(simulator, config)
    simulator.drop_next_response("POST", "/2/tweets")
    with pytest.raises(RuntimeError, match="unknown outcome"):
        publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    assert len(simulator.posted_tweets) == 1  # it went out; we never heard
    (row,) = attempts(clean_db)
    assert row.status == "pending" and row.external_id is None and row.tries == 1
    summary = publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    assert summary.found_after_lost_response == 1
    assert len(simulator.posted_tweets) == 1
    (row,) = attempts(clean_db)
    assert row.status == "posted" and row.external_id == simulator.posted_tweets[0].id_str
    assert row.tries == 1
    posts = [s for s in simulator.served if s.method == "POST"]
    assert len(posts) == 1


def test_pre_election_holds_posting_until_an_override_is_logged(clean_db, config, simulator):
    from council_social.config import PreElectionPeriod

    cfg = config.model_copy(deep=True)
    load(clean_db, [entry("Flood warning", "Flood warning for Wembley: sandbags at the depot",
                          priority="essential", essential=True)])
    plan_grid(clean_db, cfg, BUILT_FOR)  # placed before the period was configured
    cfg.grid.pre_election = [PreElectionPeriod(name="By-election", start=DAY, end=DAY)]
    posters = poster(simulator, cfg)
    held = publish_due(clean_db, cfg, posters, SIM_NOW + timedelta(minutes=5))
    assert held.held == ["flood-warning@brent-council"] and simulator.posted_tweets == []
    assert attempts(clean_db)[0].status == "held"
    with clean_db.begin() as conn:
        log_override(conn, "flood-warning", "Colin Sample", "flood emergency", SIM_NOW)
    done = publish_due(clean_db, cfg, posters, SIM_NOW + timedelta(minutes=5))
    assert len(done.posted) == 1 and len(simulator.posted_tweets) == 1


def test_posting_disabled_posts_nothing(clean_db, config, simulator):
    cfg = config.model_copy(deep=True)
    cfg.grid.posting_enabled = False
    load(clean_db, [entry("Library event", "Storytime at Kilburn library")])
    plan_grid(clean_db, cfg, BUILT_FOR)
    assert publish_due(clean_db, cfg, poster(simulator, cfg), SIM_NOW + timedelta(minutes=5)
                       ).disabled
    assert simulator.posted_tweets == [] and attempts(clean_db) == []


def test_simulator_create_tweet_contract(simulator, config):
    import requests

    url = f"{simulator.base_url}/2/tweets"
    app = {"Authorization": f"Bearer {config.simulator.bearer_token}"}
    assert requests.post(url, json={"text": "hi"}, headers=app, timeout=5).status_code == 403
    main = config.account("brent-council")
    user = {"Authorization": f"Bearer {simulator.user_token(main.external_id)}"}
    made = requests.post(url, json={"text": "New post"}, headers=user, timeout=5)
    assert made.status_code == 201
    data = made.json()["data"]
    assert data["text"] == "New post" and data["id"].isdigit()
    dup = requests.post(url, data=json.dumps({"text": "New post"}), headers=user, timeout=5)
    assert dup.status_code == 403 and "duplicate" in dup.json()["detail"]
    timeline = requests.get(f"{simulator.base_url}/2/users/{main.external_id}/tweets",
                            params={"max_results": 5}, headers=app, timeout=5).json()
    assert timeline["data"][0]["id"] == data["id"]

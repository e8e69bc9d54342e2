"""The grid against real PostgreSQL and the X simulator: import, plan, publish, post once."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import select, text

from council_social.channels.twitter import TwitterConnector
from council_social.grid.build import plan_grid, publish_grid
from council_social.grid.planner import PlannerEntry
from council_social.grid.publish import publish_due
from council_social.grid.repo import log_override, upsert_entries
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
    # The file's entries arrive submitted: nothing is placed until an approver approves.
    assert plan_grid(clean_db, config, built_for)["placed"] == 0
    with clean_db.connect() as conn:
        waiting = conn.execute(text("SELECT key FROM social.planner_entries WHERE status = 'submitted'"
                                    " ORDER BY key")).scalars().all()
    for key in waiting:
        assert main(["planner", "approve", key, "--officer", config.grid.approvers[0]]) == 0
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


# --------------------------------------------------------------------- Facebook
def fb_posters(simulator, config, **kw):
    from council_social.grid.facebook_poster import FacebookPoster

    return {**poster(simulator, config),
            "facebook": FacebookPoster(simulator.base_url, {},
                                       default_token=config.simulator.bearer_token, **kw)}


def fb_feed_path(config) -> str:
    from council_social.channels.facebook import GRAPH_VERSION

    return f"/{GRAPH_VERSION}/{config.account('brent-facebook').external_id}/feed"


def served(simulator, method, path):
    return [s for s in simulator.served if s.method == method and s.path == path]


def statuses(engine) -> dict[str, str]:
    with engine.connect() as conn:
        return dict(conn.execute(text("SELECT key, status FROM social.planner_entries")).all())


def test_facebook_post_exactly_once_across_a_lost_response_and_a_retry(clean_db, config,
                                                                        simulator):
    load(clean_db, [entry("Recycling week", HOSTILE_TEXT, channels=("brent-facebook",),
                          press_release_url="https://www.brent.gov.uk/news/recycling")])
    plan_grid(clean_db, config, BUILT_FOR)
    assert slot_time(clean_db, "recycling-week") == SIM_NOW
    posters = fb_posters(simulator, config)
    simulator.drop_next_response("POST", fb_feed_path(config))
    with pytest.raises(RuntimeError, match="unknown outcome"):
        publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    (made,) = simulator.channels.facebook_posted  # it went out; we never heard
    assert made["message"] == HOSTILE_TEXT and made["link"].endswith("/news/recycling")
    (row,) = attempts(clean_db)
    assert (row.status, row.external_id, row.tries) == ("pending", None, 1)
    # The retry (a new task try, new poster) checks the page before posting again.
    summary = publish_due(clean_db, config, fb_posters(simulator, config),
                          SIM_NOW + timedelta(minutes=5))
    assert summary.found_after_lost_response == 1 and summary.unknown == []
    assert len(simulator.channels.facebook_posted) == 1
    assert len(served(simulator, "POST", fb_feed_path(config))) == 1
    (row,) = attempts(clean_db)
    assert row.status == "posted" and row.external_id == made["id"] and row.tries == 1
    assert row.external_id.startswith(config.account("brent-facebook").external_id + "_")
    assert statuses(clean_db) == {"recycling-week": "published"}
    # Reruns post nothing more; the post is in the page's feed for ingest to link replies to.
    again = publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=10))
    assert again.already_posted == 1 and len(served(simulator, "POST", fb_feed_path(config))) == 1
    feed = json.loads(served(simulator, "GET", fb_feed_path(config).replace("/feed", "/posts")
                             )[-1].body)
    assert made["id"] in [p["id"] for p in feed["data"]]


def test_facebook_duplicate_answer_is_resolved_from_the_page(clean_db, config, simulator):
    load(clean_db, [entry("Library hours", "Libraries open late on Thursdays",
                          channels=("brent-facebook",))])
    plan_grid(clean_db, config, BUILT_FOR)
    posters = fb_posters(simulator, config)
    simulator.drop_next_response("POST", fb_feed_path(config))
    with pytest.raises(RuntimeError):
        publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    # The pending record is lost too (say, restored from a backup): Graph answers 506
    # "Duplicate status message", and the earlier post is found instead of failing.
    with clean_db.begin() as conn:
        conn.execute(text("DELETE FROM social.post_attempts"))
    summary = publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    (made,) = simulator.channels.facebook_posted
    assert summary.posted == [{"entry": "library-hours", "account": "brent-facebook",
                               "external_id": made["id"]}]
    assert len(served(simulator, "POST", fb_feed_path(config))) == 2
    assert json.loads(served(simulator, "POST", fb_feed_path(config))[-1].body
                      )["error"]["code"] == 506


def test_facebook_expired_token_fails_clearly_and_records_nothing_as_posted(clean_db, config,
                                                                            simulator):
    load(clean_db, [entry("Gritting", "Gritters out tonight", channels=("brent-facebook",)),
                    entry("Gritting X", "Gritters out tonight on X")])
    plan_grid(clean_db, config, BUILT_FOR)
    simulator.channels.expire_token("facebook")
    posters = fb_posters(simulator, config)
    with pytest.raises(RuntimeError) as info:
        publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    message = str(info.value)
    assert "token refused" in message and "190" in message
    assert "renew it in Airflow Connection 'council_social_facebook'" in message
    assert config.simulator.bearer_token not in message
    assert simulator.channels.facebook_posted == []
    assert len(served(simulator, "POST", fb_feed_path(config))) == 1  # no retry storm
    rows = {r.account_key: r for r in attempts(clean_db)}
    assert rows["brent-facebook"].status == "auth_failed"
    assert rows["brent-facebook"].external_id is None
    assert rows["brent-council"].status == "posted"  # X is not held back by Facebook
    # The task's retries do not post either; once the token is renewed, the slot posts.
    with pytest.raises(RuntimeError, match="token refused"):
        publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    assert simulator.channels.facebook_posted == []
    simulator.channels.renew_token("facebook")
    done = publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=10))
    (made,) = simulator.channels.facebook_posted
    assert done.posted[0]["external_id"] == made["id"]


def test_facebook_policy_block_is_a_refusal_not_a_retry(clean_db, config, simulator):
    load(clean_db, [entry("Consultation", "Have your say on parking", channels=("brent-facebook",))])
    plan_grid(clean_db, config, BUILT_FOR)
    simulator.channels.block_posting(config.account("brent-facebook").external_id)
    posters = fb_posters(simulator, config)
    summary = publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=5))
    assert len(summary.failed) == 1 and "policy enforcement" in summary.failed[0]
    assert "368" in summary.failed[0]
    publish_due(clean_db, config, posters, SIM_NOW + timedelta(minutes=10))
    assert len(served(simulator, "POST", fb_feed_path(config))) == 1
    (row,) = attempts(clean_db)
    assert row.status == "failed" and row.external_id is None


def test_simulator_page_feed_post_contract(simulator, config):
    import requests

    page = config.account("brent-facebook").external_id
    url = simulator.base_url + fb_feed_path(config)
    auth = {"Authorization": f"Bearer {config.simulator.bearer_token}"}
    made = requests.post(url, params={"message": "Hello Brent"}, headers=auth, timeout=5)
    assert made.status_code == 200 and made.json()["id"].startswith(page + "_")
    dup = requests.post(url, params={"message": "Hello Brent"}, headers=auth, timeout=5)
    assert dup.status_code == 400 and dup.json()["error"]["code"] == 506
    empty = requests.post(url, params={"message": " "}, headers=auth, timeout=5)
    assert empty.json()["error"]["code"] == 100
    bad = requests.post(url, params={"message": "x"}, headers={"Authorization": "Bearer no"},
                        timeout=5)
    assert bad.json()["error"]["code"] == 190
    group = config.channels.facebook.groups[0]
    assert requests.post(url.replace(page, group), params={"message": "x"}, headers=auth,
                         timeout=5).json()["error"]["code"] == 100
    for edge in ("feed", "posts"):
        listed = requests.get(url.replace("/feed", f"/{edge}"), headers=auth, timeout=5).json()
        assert listed["data"][0]["id"] == made.json()["id"]
        assert listed["data"][0]["message"] == "Hello Brent"


# --------------------------------------------------------------- statuses, missed slots
def test_statuses_move_approved_to_scheduled_to_published_and_never_back(clean_db, config,
                                                                          simulator, tmp_path):
    planned = [entry("Bins", "Bin day moves this week"),
               entry("Draft idea", "Not ready", status="draft"),
               entry("Old news", "Withdrawn", status="withdrawn")]
    load(clean_db, planned)
    plan_grid(clean_db, config, BUILT_FOR)
    first = publish_grid(clean_db, config, BUILT_FOR, tmp_path)
    assert first["scheduled"] == ["bins"]
    assert statuses(clean_db) == {"bins": "scheduled", "draft-idea": "draft",
                                  "old-news": "withdrawn"}
    rows = list(csv.DictReader(io.StringIO(open(first["files"]["csv"]["path"],
                                                encoding="utf-8").read())))
    assert {r["entry_key"]: r["entry_status"] for r in rows} == {
        "bins": "scheduled", "draft-idea": "draft", "old-news": "withdrawn"}
    assert "entry scheduled" in open(first["files"]["html"]["path"], encoding="utf-8").read()
    # Re-importing the same file does not undo the scheduling, and a rerun is identical.
    assert load(clean_db, planned) == {"inserted": 0, "updated": 0, "unchanged": 3}
    before = snapshot(clean_db)
    assert publish_grid(clean_db, config, BUILT_FOR, tmp_path)["files"] == first["files"]
    assert snapshot(clean_db) == before

    summary = publish_due(clean_db, config, poster(simulator, config),
                          SIM_NOW + timedelta(minutes=5))
    (tweet,) = simulator.posted_tweets
    assert summary.published_entries == ["bins"]
    assert statuses(clean_db)["bins"] == "published"
    load(clean_db, planned)  # the planner still says approved: it stays published
    assert statuses(clean_db)["bins"] == "published"
    # The next grid shows the post as published, with its id.
    later = SIM_NOW + timedelta(hours=1)
    plan_grid(clean_db, config, later)
    nxt = publish_grid(clean_db, config, later, tmp_path)
    rows = {r["entry_key"]: r for r in csv.DictReader(io.StringIO(open(
        nxt["files"]["csv"]["path"], encoding="utf-8").read()))}
    assert rows["bins"]["state"] == "published" and rows["bins"]["posted_id"] == tweet.id_str
    assert rows["bins"]["entry_status"] == "published"
    assert statuses(clean_db) == {"bins": "published", "draft-idea": "draft",
                                  "old-news": "withdrawn"}


def test_entry_on_two_channels_is_published_when_both_are_posted(clean_db, config, simulator):
    load(clean_db, [entry("Both", "On X and Facebook",
                          channels=("brent-council", "brent-facebook"))])
    plan_grid(clean_db, config, BUILT_FOR)
    simulator.channels.expire_token("facebook")
    with pytest.raises(RuntimeError):
        publish_due(clean_db, config, fb_posters(simulator, config),
                    SIM_NOW + timedelta(minutes=5))
    assert statuses(clean_db) == {"both": "approved"}  # X posted, Facebook not yet
    simulator.channels.renew_token("facebook")
    summary = publish_due(clean_db, config, fb_posters(simulator, config),
                          SIM_NOW + timedelta(minutes=5))
    assert summary.published_entries == ["both"] and statuses(clean_db) == {"both": "published"}


def test_a_missed_slot_is_recorded_and_listed_in_the_next_grid(clean_db, config, simulator,
                                                               tmp_path):
    load(clean_db, [entry("Council tax", "Council tax is due on the 1st.")])
    plan_grid(clean_db, config, BUILT_FOR)
    grace = config.grid.late_grace_minutes
    # The scheduler was down from 11:55 until past the grace period.
    late = SIM_NOW + timedelta(minutes=grace + 10)
    summary = publish_due(clean_db, config, poster(simulator, config), late)
    assert summary.due == 0 and summary.missed == ["council-tax@brent-council"]
    assert simulator.posted_tweets == []
    (row,) = attempts(clean_db)
    assert row.status == "missed" and row.slot_at == SIM_NOW and row.tries == 0
    assert f"passed more than {grace} min before publish_posts" in row.detail
    again = publish_due(clean_db, config, poster(simulator, config),
                        late + timedelta(minutes=5))
    assert again.missed == [] and len(attempts(clean_db)) == 1
    # The next morning's grid says so.
    tomorrow = BUILT_FOR + timedelta(days=1)
    plan_grid(clean_db, config, tomorrow)
    files = publish_grid(clean_db, config, tomorrow, tmp_path)["files"]
    page = open(files["html"]["path"], encoding="utf-8").read()
    assert "Not placed / missed" in page and "1 missed" in page
    assert "Wed 25 Nov 12:00: missed: the Wed 25 Nov 12:00 slot passed" in page


def test_missed_sweep_leaves_attempts_with_their_own_reason(clean_db, config, simulator):
    load(clean_db, [entry("Held one", "Held back")])
    plan_grid(clean_db, config, BUILT_FOR)
    simulator.drop_next_response("POST", "/2/tweets")
    with pytest.raises(RuntimeError):
        publish_due(clean_db, config, poster(simulator, config), SIM_NOW + timedelta(minutes=5))
    late = SIM_NOW + timedelta(minutes=config.grid.late_grace_minutes + 10)
    assert publish_due(clean_db, config, poster(simulator, config), late).missed == []
    (row,) = attempts(clean_db)
    assert row.status == "pending"  # outcome unknown stays visible as such

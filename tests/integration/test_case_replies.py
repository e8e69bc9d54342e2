"""Answering from the case against real PostgreSQL and the X simulator: checks, approval,
and exactly one reply in the thread per queued reply under retries, a crash between the
platform's answer and our write, and two officers pressing Send."""

from __future__ import annotations

import threading
from dataclasses import dataclass
from datetime import timedelta

import pytest
import requests
from sqlalchemy import insert, select, text

from council_social.cases import reply_send
from council_social.cases.graph_replies import FacebookReplier, InstagramReplier
from council_social.cases.replies import ReplyRefused, approve_reply, queue_reply
from council_social.cases.reply_send import TwitterReplier, announce_queued, send_queued
from council_social.cases.reply_tables import case_replies
from council_social.cases.tables import cases
from council_social.cases.youtube_replies import YouTubeReplier
from council_social.channels.facebook import GRAPH_VERSION, parse_facebook_page
from council_social.channels.twitter import TwitterConnector
from council_social.grid.facebook_poster import FacebookPoster
from council_social.grid.twitter_poster import TwitterPoster
from tests.cases_support import add_item
from tests.conftest import SIM_NOW

pytestmark = pytest.mark.postgres

LATER = SIM_NOW + timedelta(minutes=1)


def resident_tweet(simulator, n: int = 0):
    """The n-th resident tweet of the simulated hour before SIM_NOW that starts a thread."""
    council = {u.id for u in simulator.model.council}
    found = [t for t in simulator.model.tweets_between(SIM_NOW - timedelta(hours=3), SIM_NOW)
             if t.author_id not in council and t.in_reply_to_user_id is None]
    return found[n]


def open_case(engine, simulator, *, n: int = 0, kind: str = "customer_service",
              outcome: str | None = None) -> tuple[int, object]:
    tweet = resident_tweet(simulator, n)
    with engine.begin() as conn:
        add_item(conn, tweet.id_str, tweet.created_at, tweet.text, author=tweet.author_id,
                 username=f"resident{n}", display_name="Rita Resident")
        case_id = conn.execute(insert(cases).values(
            platform="twitter", external_id=tweet.id_str, kind=kind, team="waste-recycling",
            department="waste-recycling", assignee="wanda.placeholder@brent.gov.uk",
            rules_version="test-1", outcome=outcome or kind, flags=[],
            opened_at=tweet.created_at, due_at=tweet.created_at + timedelta(hours=24),
            escalate_at=tweet.created_at + timedelta(hours=48), status="open",
            recorded_at=SIM_NOW, updated_at=SIM_NOW, details={"topic": "bins-recycling"},
        ).returning(cases.c.id)).scalar_one()
    return case_id, tweet


def repliers(simulator, config):
    main = config.account("brent-council")
    connector = TwitterConnector(config.simulator.bearer_token, simulator.base_url,
                                 clock=lambda: LATER.timestamp())
    poster = TwitterPoster(connector, {main.key: simulator.user_token(main.external_id)})
    token = config.simulator.bearer_token
    return {"twitter": TwitterReplier(poster),
            "facebook": FacebookReplier(FacebookPoster(simulator.base_url, {},
                                                       default_token=token)),
            "instagram": InstagramReplier(FacebookPoster(
                simulator.base_url, {}, default_token=token,
                connection_id="council_social_instagram")),
            "youtube": YouTubeReplier(simulator.base_url, token)}


# ------------------------------------------------- the same thread on each platform
GRAPH_ACCOUNTS = {"facebook": "brent-facebook", "instagram": "brent-instagram",
                  "youtube": "brent-youtube"}


def graph_get(simulator, config, path: str, **params) -> dict:
    return requests.get(f"{simulator.base_url}/{GRAPH_VERSION}/{path}", params=params,
                        headers={"Authorization": f"Bearer {config.simulator.bearer_token}"},
                        timeout=10).json()


def resident_comment(simulator, config, platform: str, nth: int = 0) -> tuple[str, str]:
    """(comment id, its post's id): the nth resident's comment on the council's own posts."""
    account = config.account(GRAPH_ACCOUNTS[platform])
    if platform == "youtube":
        threads = requests.get(
            f"{simulator.base_url}/youtube/v3/commentThreads", timeout=10,
            params={"part": "snippet", "allThreadsRelatedToChannelId": account.external_id,
                    "maxResults": 100},
            headers={"Authorization": f"Bearer {config.simulator.bearer_token}"}).json()
        found = [(t["snippet"]["topLevelComment"]["id"], t["snippet"]["videoId"])
                 for t in threads["items"]
                 if t["snippet"]["topLevelComment"]["snippet"]["authorChannelId"]["value"]
                 != account.external_id]
        return found[nth]
    edge = "feed" if platform == "facebook" else "media"
    found = [(comment["id"], post["id"])
             for post in graph_get(simulator, config, f"{account.external_id}/{edge}",
                                   limit=100)["data"]
             for comment in (post.get("comments") or {}).get("data", [])
             if comment.get("from", {}).get("id") != account.external_id]
    return found[nth]


@dataclass
class Thread:
    """Where a case's reply goes on one platform, and what the simulator recorded there."""
    platform: str
    parent: str
    post_path: str  # the POST a lost response is dropped on

    def made(self, simulator) -> list[str]:
        if self.platform == "twitter":
            return [t.id_str for t in simulator.posted_tweets
                    if ("replied_to", int(self.parent)) in t.referenced_tweets]
        return [r["id"] for r in simulator.channels.comment_replies(self.platform, self.parent)]

    def posted_anywhere(self, simulator) -> int:
        if self.platform == "twitter":
            return len(simulator.posted_tweets)
        return len(simulator.channels.comment_replies(self.platform))


def open_thread_case(engine, config, simulator, platform: str, *, kind: str = "comment",
                     n: int = 0) -> tuple[int, Thread]:
    """A case on a resident's post on `platform`: X's resident tweet, or a resident's comment
    on the council's Facebook / Instagram posts (the same rows, moved to that platform)."""
    case_id, tweet = open_case(engine, simulator, n=n)
    if platform == "twitter":
        return case_id, Thread("twitter", tweet.id_str, "/2/tweets")
    comment, post = resident_comment(simulator, config, platform, n)
    # A reply is a resident's answer under that comment (its id is the comment's, plus one).
    external_id, parent = {"post": (post, None), "comment": (comment, post),
                           "reply": (f"{comment}1", comment)}[kind]
    with engine.begin() as conn:
        conn.execute(text("UPDATE social.items SET platform = :p, external_id = :e, kind = :k,"
                          " account_key = :a, in_reply_to_external_id = :r"
                          " WHERE external_id = :t"),
                     {"p": platform, "e": external_id, "k": kind, "a": GRAPH_ACCOUNTS[platform],
                      "r": parent, "t": tweet.id_str})
        conn.execute(text("UPDATE social.authors SET platform = :p"), {"p": platform})
        conn.execute(text("UPDATE social.cases SET platform = :p, external_id = :e WHERE id = :i"),
                     {"p": platform, "e": external_id, "i": case_id})
    if platform == "youtube":
        return case_id, Thread(platform, external_id, "/youtube/v3/comments")
    edge = "replies" if platform == "instagram" else "comments"
    return case_id, Thread(platform, external_id, f"/{GRAPH_VERSION}/{external_id}/{edge}")


PLATFORMS = ["twitter", "facebook", "instagram", "youtube"]


def queue(engine, config, case_id, **kw):
    kw.setdefault("officer", "Wanda Placeholder")
    kw.setdefault("reply_text", None)
    with engine.begin() as conn:
        return queue_reply(conn, config, case_id, at=SIM_NOW, **kw)


def send(engine, config, simulator):
    return send_queued(engine, config, repliers(simulator, config), now=lambda: LATER)


def replies(engine):
    with engine.connect() as conn:
        return conn.execute(select(case_replies).order_by(case_replies.c.id)).all()


def case_row(engine, case_id):
    with engine.connect() as conn:
        return conn.execute(select(cases).where(cases.c.id == case_id)).mappings().one()


def thread_replies(simulator, parent):
    return [t for t in simulator.posted_tweets if ("replied_to", parent.id) in t.referenced_tweets]


def test_saved_reply_goes_out_once_in_the_thread_tagged_and_closes_the_case(
        clean_db, config, simulator):
    case_id, tweet = open_case(clean_db, simulator)
    queued = queue(clean_db, config, case_id, saved_key="missed-bin")
    assert queued.status == "queued" and not queued.duplicate
    assert "@resident0" in queued.text and "^WP" in queued.text
    assert "utm_content=missed-bin" in queued.text and "utm_source=twitter" in queued.text
    summary = send(clean_db, config, simulator)
    (posted,) = thread_replies(simulator, tweet)
    assert posted.text == queued.text and posted.in_reply_to_user_id == tweet.author_id
    assert posted.conversation_id == tweet.conversation_id
    (row,) = replies(clean_db)
    assert row.status == "sent" and row.external_id == posted.id_str and row.tries == 1
    assert row.link.startswith("https://www.brent.gov.uk/") and "utm_medium=social" in row.link
    assert summary.sent == [{"reply": f"R-{row.id:06d}", "external_id": posted.id_str}]
    case = case_row(clean_db, case_id)
    assert case["status"] == "closed" and case["response_channel"] == "thread"
    # Later runs send nothing more.
    send(clean_db, config, simulator)
    assert len(simulator.posted_tweets) == 1


@pytest.mark.parametrize("platform", PLATFORMS)
def test_retry_after_a_lost_response_finds_the_reply_in_the_thread(clean_db, config, simulator,
                                                                   platform):
    case_id, thread = open_thread_case(clean_db, config, simulator, platform)
    queue(clean_db, config, case_id, reply_text="Thanks, a crew will collect it tomorrow. ^WP")
    simulator.drop_next_response("POST", thread.post_path)
    with pytest.raises(RuntimeError, match="unknown outcome"):
        send(clean_db, config, simulator)
    assert len(thread.made(simulator)) == 1  # it went out; we never heard
    (row,) = replies(clean_db)
    assert row.status == "sending" and row.external_id is None and row.tries == 1
    summary = send(clean_db, config, simulator)  # the task's retry
    assert summary.found_after_lost_response == 1
    (posted,) = thread.made(simulator)
    (row,) = replies(clean_db)
    assert row.status == "sent" and row.external_id == posted and row.tries == 1
    assert thread.posted_anywhere(simulator) == 1
    assert len([s for s in simulator.served if s.method == "POST"]) == 1
    assert case_row(clean_db, case_id)["status"] == "closed"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_crash_between_the_platforms_answer_and_our_write(clean_db, config, simulator,
                                                          monkeypatch, platform):
    case_id, thread = open_thread_case(clean_db, config, simulator, platform)
    queue(clean_db, config, case_id, reply_text="Sorry about that, we will sort it today. ^WP")

    def killed(*args, **kwargs):
        raise SystemExit("worker killed")  # not an Exception: nothing in the task catches it

    monkeypatch.setattr(reply_send, "mark_sent", killed)
    with pytest.raises(SystemExit):
        send(clean_db, config, simulator)
    monkeypatch.undo()
    assert thread.posted_anywhere(simulator) == 1
    assert replies(clean_db)[0].status == "sending"
    assert case_row(clean_db, case_id)["status"] == "open"
    send(clean_db, config, simulator)
    (posted,) = thread.made(simulator)
    (row,) = replies(clean_db)
    assert row.status == "sent" and row.external_id == posted
    assert thread.posted_anywhere(simulator) == 1
    assert case_row(clean_db, case_id)["status"] == "closed"


@pytest.mark.parametrize("platform", PLATFORMS)
def test_two_officers_pressing_send_make_one_reply(clean_db, config, simulator, platform):
    case_id, thread = open_thread_case(clean_db, config, simulator, platform)
    first = queue(clean_db, config, case_id, reply_text="We have booked a collection. ^WP",
                  officer="Wanda Placeholder")
    second = queue(clean_db, config, case_id, reply_text="  we have booked a  collection. ^WP",
                   officer="wes placeholder")
    assert second.duplicate and second.reply_id == first.reply_id
    # A different answer while the first is on its way is refused, naming who wrote it.
    with pytest.raises(ReplyRefused, match="Wanda Placeholder"):
        queue(clean_db, config, case_id, reply_text="Another answer. ^WP",
              officer="Wes Placeholder")
    # Two send runs at the same moment (a retry overlapping a new run) reply once.
    barrier = threading.Barrier(2)
    errors = []

    def run():
        barrier.wait()
        try:
            send(clean_db, config, simulator)
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(thread.made(simulator)) == 1 and len(replies(clean_db)) == 1
    assert thread.posted_anywhere(simulator) == 1
    assert replies(clean_db)[0].status == "sent"


@pytest.mark.parametrize("platform", ["facebook", "instagram", "youtube"])
def test_a_refused_token_leaves_the_reply_queued(clean_db, config, simulator, platform):
    case_id, thread = open_thread_case(clean_db, config, simulator, platform)
    queue(clean_db, config, case_id, reply_text="Thanks, we are on it. ^WP")
    simulator.channels.expire_token(platform)
    with pytest.raises(RuntimeError, match="token refused"):
        send(clean_db, config, simulator)
    (row,) = replies(clean_db)
    assert row.status == "queued" and f"council_social_{platform}" in row.detail
    assert thread.made(simulator) == []
    assert case_row(clean_db, case_id)["status"] == "open"
    simulator.channels.renew_token(platform)
    send(clean_db, config, simulator)
    (posted,) = thread.made(simulator)
    assert replies(clean_db)[0].external_id == posted
    assert case_row(clean_db, case_id)["status"] == "closed"


def test_graph_replies_go_under_the_right_comment(clean_db, config, simulator):
    # A Facebook post gets a comment from the page, listed under the post's comments.
    case_id, thread = open_thread_case(clean_db, config, simulator, "facebook", kind="post")
    queue(clean_db, config, case_id, reply_text="Thanks for your post. ^WP")
    send(clean_db, config, simulator)
    (posted,) = thread.made(simulator)
    listed = graph_get(simulator, config, f"{thread.parent}/comments",
                       fields="id,message,created_time,from{id}")["data"]
    assert [c["message"] for c in listed if c["id"] == posted] == ["Thanks for your post. ^WP"]
    # The next ingest of the page's feed reads it as the page's comment in that thread.
    page = config.account("brent-facebook")
    feed = requests.get(f"{simulator.base_url}/{GRAPH_VERSION}/{page.external_id}/feed",
                        params={"limit": 100}, timeout=10,
                        headers={"Authorization": f"Bearer {config.simulator.bearer_token}"})
    (item,) = [i for i in parse_facebook_page(feed.content).items if i.external_id == posted]
    assert (item.author_external_id, item.in_reply_to_external_id, item.kind) == (
        page.external_id, thread.parent, "comment")
    # An Instagram reply to a reply goes under its parent comment (threads are two deep) ...
    case_b, _ = open_thread_case(clean_db, config, simulator, "instagram", kind="reply", n=1)
    comment, _ = resident_comment(simulator, config, "instagram", 1)
    queued = queue(clean_db, config, case_b, reply_text="We have passed this on. ^WP")
    assert queued.status == "queued" and replies(clean_db)[-1].in_reply_to == comment
    send(clean_db, config, simulator)
    (made,) = simulator.channels.comment_replies("instagram")
    assert made["parent"] == comment and replies(clean_db)[-1].external_id == made["id"]
    listed = graph_get(simulator, config, f"{comment}/replies",
                       fields="id,text,username,timestamp")["data"]
    assert [(r["id"], r["username"]) for r in listed] == [
        (made["id"], config.account("brent-instagram").handle)]
    # ... and a resident's Instagram post is answered there, as is a YouTube video.
    case_c, _ = open_thread_case(clean_db, config, simulator, "instagram", kind="post", n=2)
    assert queue(clean_db, config, case_c, reply_text="Thanks. ^WP").status == "answer_there"
    case_d, _ = open_thread_case(clean_db, config, simulator, "youtube", kind="post", n=3)
    assert queue(clean_db, config, case_d, reply_text="Thanks. ^WP").status == "answer_there"


def test_a_youtube_reply_is_listed_under_the_comment_and_in_its_thread(clean_db, config,
                                                                      simulator):
    case_id, thread = open_thread_case(clean_db, config, simulator, "youtube")
    queue(clean_db, config, case_id, reply_text="Thanks, we have booked it. ^WP")
    send(clean_db, config, simulator)
    (posted,) = thread.made(simulator)
    channel = config.account("brent-youtube").external_id
    auth = {"Authorization": f"Bearer {config.simulator.bearer_token}"}
    listed = requests.get(f"{simulator.base_url}/youtube/v3/comments", headers=auth, timeout=10,
                          params={"part": "snippet", "parentId": thread.parent}).json()
    (mine,) = [c for c in listed["items"] if c["id"] == posted]
    assert mine["snippet"]["authorChannelId"]["value"] == channel
    assert mine["snippet"]["textOriginal"] == "Thanks, we have booked it. ^WP"
    threads = requests.get(f"{simulator.base_url}/youtube/v3/commentThreads", headers=auth,
                           timeout=10, params={"part": "snippet,replies", "maxResults": 100,
                                               "allThreadsRelatedToChannelId": channel}).json()
    (top,) = [t for t in threads["items"] if t["id"] == thread.parent]
    assert posted in [c["id"] for c in top["replies"]["comments"]]


def test_holding_reply_stops_the_clock_and_keeps_the_case_open(clean_db, config, simulator):
    case_id, tweet = open_case(clean_db, simulator)
    queue(clean_db, config, case_id, saved_key="looking-into-it", holding=True)
    send(clean_db, config, simulator)
    case = case_row(clean_db, case_id)
    assert case["status"] == "responded" and case["responded_at"] == LATER
    queue(clean_db, config, case_id, saved_key="missed-bin")
    send(clean_db, config, simulator)
    assert case_row(clean_db, case_id)["status"] == "closed"
    assert len(thread_replies(simulator, tweet)) == 2


def test_checks_refuse_personal_data_length_style_and_strangers(clean_db, config, simulator):
    case_id, _ = open_case(clean_db, simulator)
    for bad, why in [("Call us on 020 7946 0018", "move to DM"),
                     ("Email rita.resident@example.com", "move to DM"),
                     ("Your ref CT12345678 is logged", "move to DM"),
                     ("x" * 281, "too long for twitter"),
                     ("Apologies for any inconvenience", "house style"),
                     ("PLEASE WAIT", "shouting")]:
        with pytest.raises(ReplyRefused, match=why):
            queue(clean_db, config, case_id, reply_text=bad)
    with pytest.raises(ReplyRefused, match="not an officer"):
        queue(clean_db, config, case_id, reply_text="Fine", officer="Mallory")
    with pytest.raises(ReplyRefused, match="no saved reply"):
        queue(clean_db, config, case_id, saved_key="nope")
    # A long link counts 23 on X, and the council's own numbers may be given.
    ok = queue(clean_db, config, case_id, reply_text="Out of hours call 020 8937 0000: "
               "https://www.brent.gov.uk/" + "a" * 300)
    assert ok.status == "queued"
    assert replies(clean_db)[0].text.count("utm_campaign=case-reply") == 1


def test_escalations_wait_for_a_second_pair_of_eyes(clean_db, config, simulator):
    case_id, tweet = open_case(clean_db, simulator, kind="escalate_comms")
    queued = queue(clean_db, config, case_id, reply_text="We are looking into this now. ^CS",
                   officer="Colin Sample")
    assert queued.status == "awaiting_approval"
    with clean_db.begin() as conn:
        assert announce_queued(conn.engine, SIM_NOW) == []
    send(clean_db, config, simulator)
    assert simulator.posted_tweets == []
    with clean_db.begin() as conn, pytest.raises(ReplyRefused, match="another approver"):
        approve_reply(conn, config, queued.reply_id, "Colin Sample", SIM_NOW)
    with clean_db.begin() as conn, pytest.raises(ReplyRefused, match="not an approver"):
        approve_reply(conn, config, queued.reply_id, "Lena Sample", SIM_NOW)
    with clean_db.begin() as conn:
        approve_reply(conn, config, queued.reply_id, "Wendy Sample", SIM_NOW)
    # Approved, it is announced once to the trigger and sent.
    assert announce_queued(clean_db, SIM_NOW) == [queued.reply_id]
    assert announce_queued(clean_db, SIM_NOW) == []
    send(clean_db, config, simulator)
    assert len(thread_replies(simulator, tweet)) == 1
    assert replies(clean_db)[0].approved_by == "Wendy Sample"


def test_cli_reply_and_approve(clean_db, config, simulator, database_url, monkeypatch, capsys):
    from council_social.cli import main

    monkeypatch.setenv("COUNCIL_SOCIAL_DATABASE_URL", database_url)
    case_id, _ = open_case(clean_db, simulator)
    assert main(["cases", "reply", f"CS-{case_id:06d}", "--officer", "Wanda Placeholder",
                 "--saved", "missed-bin"]) == 0
    assert "queued" in capsys.readouterr().out
    for argv, why in [(["--officer", "Mallory", "--text", "Hi"], "not an officer"),
                      (["--officer", "Wanda Placeholder"], "--text"),
                      (["--officer", "Wanda Placeholder", "--text", "call 020 7946 0018"],
                       "move to DM")]:
        assert main(["cases", "reply", str(case_id), *argv]) == 2
        err = capsys.readouterr().err
        assert why in err and err.count("\n") == 1
    assert main(["cases", "reply", "999999", "--officer", "Wanda Placeholder",
                 "--text", "Hi"]) == 2
    assert main(["cases", "approve-reply", "R-000001", "--officer", "Wendy Sample"]) == 2
    with clean_db.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM social.case_replies")).scalar() == 1


def test_weekly_reply_figures(clean_db, config, simulator):
    from council_social.cases.reply_reports import reply_figures
    from council_social.cases.watch import respond
    from council_social.reports.weekly import weekly_context

    case_a, _ = open_case(clean_db, simulator, n=0)
    case_b, _ = open_case(clean_db, simulator, n=1)
    case_c, _ = open_case(clean_db, simulator, n=2)
    queue(clean_db, config, case_a, saved_key="looking-into-it", holding=True)
    send(clean_db, config, simulator)
    queue(clean_db, config, case_a, saved_key="missed-bin")
    queue(clean_db, config, case_b, reply_text="All sorted now, thank you. ^WP")
    send(clean_db, config, simulator)
    with clean_db.begin() as conn:  # answered by phone, recorded as today
        respond(conn, case_c, status="open", at=LATER + timedelta(hours=2), recorded_at=LATER,
                actor="officer:Wanda Placeholder", channel="phone", detail={})
    with clean_db.connect() as conn:
        figures = reply_figures(conn, config, SIM_NOW - timedelta(days=2),
                                SIM_NOW + timedelta(days=1))
    assert figures["first_response"] == {"platform": 2, "elsewhere": 1, "not_yet": 0}
    assert figures["sent"] == {"holding": 1, "substantive": 2}
    # The saved replies speak for their services; case b's free text for the case's team.
    assert figures["self_service"] == [
        {"service": "customer-services", "replies": 1, "with_link": 0, "share": 0.0},
        {"service": "waste-recycling", "replies": 2, "with_link": 1, "share": 0.5}]
    (team,) = figures["teams"]
    assert team["team"] == "waste-recycling" and team["responded"] == 3
    assert team["p50_hours"] < team["p90_hours"]
    with clean_db.connect() as conn:
        context = weekly_context(conn, config, SIM_NOW.date())
    assert context["replies"]["sent"] == {"holding": 1, "substantive": 2}
    from council_social.reports.weekly import render_page

    html = render_page(context, lambda name: f"{name}.png")
    assert "2 substantive, 1 holding" in html and "50%" in html


def test_a_platform_without_a_reply_api_is_answered_there(clean_db, config, simulator):
    case_id, _ = open_case(clean_db, simulator)
    with clean_db.begin() as conn:
        conn.execute(text("UPDATE social.cases SET platform = 'linkedin' WHERE id = :i"),
                     {"i": case_id})
        conn.execute(text("UPDATE social.items SET platform = 'linkedin'"))
    queued = queue(clean_db, config, case_id, reply_text="Thanks, we will reply there. ^WP")
    assert queued.status == "answer_there" and "cases respond" in queued.message
    send(clean_db, config, simulator)
    assert simulator.posted_tweets == [] and replies(clean_db)[0].status == "answer_there"
    assert case_row(clean_db, case_id)["status"] == "open"


def test_the_demo_stage_answers_one_case_once_and_closes_it(clean_db, config, simulator):
    from types import SimpleNamespace

    from council_social.demo import replies as demo_replies

    case_id, tweet = open_case(clean_db, simulator)
    ctx = SimpleNamespace(config=config, engine=clean_db, simulator=simulator, end=LATER)
    lines = demo_replies.run(ctx)
    (posted,) = thread_replies(simulator, tweet)
    assert f"CS-{case_id:06d} answered by Wanda Placeholder with saved reply 'missed-bin': sent" \
        in lines[0] and "1 post(s)" in lines[0]
    assert f"in the thread as {posted.id_str} replying to {tweet.id_str}; case closed" in lines[1]
    assert case_row(clean_db, case_id)["status"] == "closed"


def yt_error(code: int, reason: str) -> dict:
    return {"error": {"code": code, "message": reason,
                      "errors": [{"domain": "youtube.comment", "reason": reason}]}}


def test_youtube_errors_decide_between_failed_and_try_again(clean_db, config, simulator):
    # Out of quota: nothing is known to be posted, so the retry looks first, then sends once.
    case_id, thread = open_thread_case(clean_db, config, simulator, "youtube")
    queue(clean_db, config, case_id, reply_text="Thanks, we are on it. ^WP")
    simulator.channels.inject_once("/youtube/v3/comments", 403,
                                   yt_error(403, "quotaExceeded"))
    with pytest.raises(RuntimeError, match="unknown outcome"):
        send(clean_db, config, simulator)
    assert replies(clean_db)[0].status == "sending" and thread.made(simulator) == []
    send(clean_db, config, simulator)
    assert len(thread.made(simulator)) == 1 and replies(clean_db)[0].status == "sent"
    # Refused for good (comments disabled on the video): failed, with YouTube's reason.
    case_b, thread_b = open_thread_case(clean_db, config, simulator, "youtube", n=1)
    queue(clean_db, config, case_b, reply_text="We have passed this on. ^WP")
    simulator.channels.inject_once("/youtube/v3/comments", 403,
                                   yt_error(403, "commentsDisabled"))
    summary = send(clean_db, config, simulator)
    assert summary.failed and replies(clean_db)[-1].status == "failed"
    assert "commentsDisabled" in replies(clean_db)[-1].detail
    assert thread_b.made(simulator) == []

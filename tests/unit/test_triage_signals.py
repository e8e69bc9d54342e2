"""Each triage signal as a pure function."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from council_social.triage import criticality as crit
from council_social.triage.foi import correspondence_address, foi_valid, real_name
from council_social.triage.hours import out_of_hours
from council_social.triage.impersonation import ImpersonationCheck
from council_social.triage.importance import importance, thread_growth
from council_social.triage.influence import AuthorActivity, influence
from council_social.triage.intent import abuse_score, classify_intent, emergency_score
from council_social.triage.topics import TopicMatcher


@pytest.fixture(scope="module")
def model():
    return crit.load_model(None)


@pytest.mark.parametrize("text", [
    "@Brent_Council still waiting for my bin, third week",
    "Reported the leak twice and nobody has been round",
    "Great, bins missed again. Thanks for nothing",
])
def test_neutral_worded_complaints_and_sarcasm_are_critical(model, text):
    assert crit.criticality(text, model) >= 0.5
    assert crit.criticality(text, model, use_model=False) >= 0.5


@pytest.mark.parametrize("text", [
    "How do I apply for a visitor parking permit?",
    "Thank you to the crew who cleared the fly-tip so quickly!",
    "Lovely walk in Fryent Country Park today",
])
def test_questions_praise_and_chatter_are_not_critical(model, text):
    assert crit.criticality(text, model) < 0.5


def test_a_neutral_worded_complaint_is_caught_by_the_cues():
    assert crit.cue_scores("still waiting for my bin, third week")[0] >= 0.5


@pytest.mark.parametrize("text", [
    "a b", "\U0001F621", "\U0001F621\U0001F621\U0001F621", "https://t.co/abc123",
    "@Brent_Council https://t.co/abc123", "!!!", "? ?", "1 2 3", "", "   ", "@a @b @c",
    "www.example.com/complaint-form",
])
def test_degenerate_text_is_never_critical(model, text):
    for use_model in (True, False):
        c = crit.score_batch([text], model, use_model)[0]
        assert c.score == 0.0 and not c.substantive


def test_substantive_text_is_judged():
    assert crit.substantive("no")
    assert crit.substantive("@Brent_Council disgraceful https://t.co/x")
    assert not crit.substantive("x y @Brent_Council https://t.co/disgraceful")


def test_model_round_trips_through_json(tmp_path, model):
    model.save(tmp_path / "m.json")
    again = crit.CriticalityModel.load(tmp_path / "m.json")
    text = "nobody came to fix the boiler"
    assert crit.criticality(text, again) == crit.criticality(text, model)
    assert again.to_json() == model.to_json()


def test_a_promoted_model_in_the_old_format_gives_way_to_the_shipped_one(tmp_path):
    old = tmp_path / "models" / crit.PROMOTED_NAME
    old.parent.mkdir()
    old.write_text('{"version": "criticality-v2", "text": {}, "rules": {}}', encoding="utf-8")
    assert crit.load_model(tmp_path).version == crit.load_model(None).version == "criticality-v5"


def test_promoted_model_is_preferred(tmp_path, model):
    assert crit.model_path(tmp_path) == crit.SHIPPED_MODEL
    model.save(tmp_path / "models" / crit.PROMOTED_NAME)
    assert crit.model_path(tmp_path) == tmp_path / "models" / crit.PROMOTED_NAME


def _intent(text, critical=False, topic=True):
    return classify_intent(
        text, critical=critical, complaint_cues=crit.cue_scores(text)[0],
        praise=crit.cue_scores(text)[1], abusive=abuse_score(text)[0],
        emergency=emergency_score(text)[0], has_topic=topic,
    )


@pytest.mark.parametrize("text,expected", [
    ("Under the Freedom of Information Act please send the spend on agency staff", "foi_request"),
    ("strong smell of gas outside the flats on Harrow Road", "emergency"),
    ("you lot are a bunch of clowns", "abuse"),
    ("still waiting for my bin, third week", "complaint"),
    ("thank you, the pothole was fixed so quickly", "praise"),
    ("what day is recycling collected in Queens Park?", "question"),
    ("Busy day at the market in Kilburn", "general_comment"),
])
def test_intent(text, expected):
    assert _intent(text) == expected


def test_complaint_with_swearing_stays_a_complaint():
    text = "bins not collected for 3 weeks, absolute bloody joke"
    assert _intent(text, critical=True, topic=True) == "complaint"
    assert abuse_score(text)[0] > 0


def test_topic_keywords_hashtags_and_places(config):
    m = TopicMatcher(config.topics, config.places)
    bins = m.match("Missed collection again on Walm Lane, Willesden #BrentRecycles")
    assert bins.topic == "bins-recycling" and bins.department == "waste-recycling"
    assert "Willesden" in bins.places
    assert m.match("the fly-tipping by the station").topic == "fly-tipping"
    assert m.match("lovely weather").topic is None


def test_influence_scale_and_explanation(config):
    weights = config.triage.influence_weights.model_dump()
    at = datetime(2026, 11, 20, tzinfo=UTC)
    nobody, _ = influence(AuthorActivity(followers=12), weights, at)
    journalist, points = influence(AuthorActivity(
        followers=48_200, verified=True, listed=400, created_at=datetime(2012, 1, 1, tzinfo=UTC),
        posts_in_window=40, interactions_in_window=8000, reach_in_window=3000), weights, at)
    assert 1 <= nobody < 25 < journalist <= 100
    assert journalist >= config.triage.escalate_influence
    assert set(points) == {"audience", "engagement", "reach", "verified", "listed", "account_age", "site"}
    assert points["verified"] > 0
    forum, _ = influence(AuthorActivity(followers=10, site_audience=7_000_000), weights, at)
    assert forum > nobody


def test_importance_and_growth():
    t0 = datetime(2026, 11, 20, 10, tzinfo=UTC)
    growth = thread_growth({"reply_count": 30, "repost_count": 10, "quote_count": 2}, t0,
                           datetime(2026, 11, 20, 12, tzinfo=UTC))
    assert growth == 21
    quiet = importance(0.3, False, 0, 0, 3)
    hot = importance(0.8, True, 2, growth, 3)
    assert quiet == 0.15 and hot > 1.0


@pytest.mark.parametrize("name,expected", [
    ("Amara Okafor", True), ("Dr Leila Shah", True), ("Patrick O'Brien", True),
    ("nw10_watcher", False), ("KilburnBloke", False), ("NW6 Residents", False),
    ("anon resident", False), (None, False),
])
def test_real_name(name, expected):
    assert real_name(name) is expected


def test_foi_validity_rule():
    assert foi_valid("Amara Okafor", "FOI please")[0]
    assert foi_valid("brent_dad", "FOI please, reply to dad@example.com")[0]
    assert foi_valid("brent_dad", "FOI: write to 14 Forty Lane, Wembley HA9 9EB")[0]
    assert foi_valid("brent_dad", "FOI: how many wardens?") == (False, "no_real_name_or_address")
    assert not correspondence_address("how many wardens are there in 2025?")


@pytest.mark.parametrize("when,expected", [
    ("2026-11-18T10:00:00+00:00", False),   # Wednesday, office hours
    ("2026-11-18T17:00:00+00:00", True),    # closing time
    ("2026-11-21T11:00:00+00:00", True),    # Saturday
    ("2026-12-25T11:00:00+00:00", True),    # Christmas Day
    ("2026-12-28T11:00:00+00:00", True),    # Boxing Day substitute (Monday)
    ("2026-07-01T08:30:00+00:00", False),   # 09:30 BST: London time, not UTC
])
def test_out_of_hours(config, when, expected):
    assert out_of_hours(datetime.fromisoformat(when), config.office_hours)[0] is expected


def test_impersonation(config):
    check = ImpersonationCheck(config.accounts)
    assert check.check("twitter", "1", "BrentCounci1", "Brent Council")[0]
    assert check.check("twitter", "2", "helpdesk9", "Brent Council Help Desk")[0]
    assert not check.check("twitter", "154019375", "Brent_Council", "Brent Council")[0]
    assert not check.check("twitter", "3", "amara_w", "Amara Wright")[0]
    assert not check.check("twitter", "4", "bcwatch", "Brent Council Watch")[0]
    assert check.is_own("twitter", "154019375", None)

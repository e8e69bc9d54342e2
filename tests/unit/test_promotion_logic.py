"""Promotion's pure logic: follow-back ranking, local trends, campaign weeks, competitions,
consistent messaging."""

from __future__ import annotations

import hashlib
from datetime import UTC, date, datetime, timedelta
from types import SimpleNamespace

import pytest

from council_social.promotion.campaigns import TaggedPost, campaign_weeks
from council_social.promotion.competition import (
    CompetitionError,
    Entry,
    draw,
    one_per_person,
    read_competition,
    redraw,
)
from council_social.promotion.consistency import Post, disagreements, facts
from council_social.promotion.follow_back import Candidate, suggest
from council_social.promotion.trends import TrendPost, local_trends

DAY = date(2026, 11, 25)
T0 = datetime(2026, 11, 1, 9, tzinfo=UTC)


# ------------------------------------------------------------------ follow-back
def test_follow_back_ranks_by_influence_and_leaves_out_whom_it_must():
    people = [
        Candidate("1", "quiet", influence=10, follows_us=True),
        Candidate("2", "loud", influence=70, follows_us=True, engaged=3, local=True),
        Candidate("3", "troll", influence=90, follows_us=True, flags=frozenset({"abusive"})),
        Candidate("4", "fake", influence=80, engaged=2, flags=frozenset({"impersonation"})),
        Candidate("5", "known", influence=60, follows_us=True),  # already followed
        Candidate("6", "no", influence=50, follows_us=True),  # dismissed
        Candidate("7", "council", influence=99, follows_us=True),  # our own account
        Candidate("8", "engager", influence=40, engaged=5),  # engages, does not follow
        Candidate("9", "stranger", influence=95),  # neither follows nor engages
    ]
    out = suggest(people, following={"5"}, dismissed={"6"}, own_ids={"7"}, engagement_days=90)
    assert [s.handle for s in out] == ["loud", "engager", "quiet"]
    assert out[0].reasons == ("follows us", "local", "engaged 3 times in 90 days", "influence 70")
    assert out[1].reasons == ("engaged 5 times in 90 days", "influence 40")


# ------------------------------------------------------------------ local trends
def _topics():
    return [SimpleNamespace(key="bins-recycling", name="Bins", service="waste-recycling",
                            keywords=["recycling", "bins"], hashtags=["BrentRecycles"])]


def _accounts():
    return [SimpleNamespace(key="brent-council", platform="twitter", team="web", main=True),
            SimpleNamespace(key="brent-recycles", platform="twitter", team="waste-recycling",
                            main=False)]


def test_a_tag_rising_in_one_area_is_a_trend_there_with_the_service_account():
    posts = [TrendPost(DAY, "twitter", f"t{i}", "Clean-up in Harlesden today #HarlesdenRecycling")
             for i in range(4)]
    posts.append(TrendPost(DAY - timedelta(days=10), "twitter", "old",
                           "#HarlesdenRecycling in Harlesden"))
    posts += [TrendPost(DAY - timedelta(days=d), "twitter", f"w{d}", "Wembley #matchday")
              for d in range(0, 28)]  # used every day: no rise
    out = local_trends(posts, DAY, places=["Harlesden", "Wembley"], topics=_topics(),
                       accounts=_accounts(), baseline_days=28, min_count=3, growth=2.0)
    assert [(t.area, t.hashtag) for t in out] == [("Harlesden", "harlesdenrecycling")]
    t = out[0]
    assert t.count == 4 and t.topic == "bins-recycling"
    assert t.suggested_account == "brent-recycles"
    assert t.rise == round(4 / max(1 / 28, 1.0 / 28), 1)
    assert [p["external_id"] for p in t.posts] == ["t0", "t1", "t2", "t3"]


# ---------------------------------------------------------------- campaigns
def test_campaign_weeks_count_residents_once_and_only_inside_the_dates():
    c = SimpleNamespace(tag="BrentRecycles", campaign="Recycling week",
                        starts=date(2026, 11, 16), ends=date(2026, 11, 30))
    posts = [
        TaggedPost(date(2026, 11, 23), "council", "Out now #BrentRecycles", True, 5, 20),
        TaggedPost(date(2026, 11, 24), "r1", "me too #brentrecycles", False, 1, 3),
        TaggedPost(date(2026, 11, 25), "r1", "again #BrentRecycles", False, 0, 1),
        TaggedPost(date(2026, 11, 25), "r2", "#BrentRecycles!", False, 0, 0),
        TaggedPost(date(2026, 11, 10), "r3", "too early #BrentRecycles", False, 9, 9),
        TaggedPost(date(2026, 11, 25), "r4", "no tag here", False, 9, 9),
    ]
    [week] = campaign_weeks(posts, [c])
    assert week.week_start == date(2026, 11, 23)
    assert (week.posts, week.council_posts, week.reach, week.engagement,
            week.resident_authors) == (4, 1, 6, 24, 2)


# ------------------------------------------------------------------ competitions
def _yaml(tmp_path, **over):
    fields = {"account": "brent-council", "hashtag": "BrentWin", "opens": "2026-11-01T09:00:00Z",
              "closes": "2026-11-08T17:00:00Z", "prize": "Two cinema tickets",
              "rules": "One entry per person. Followers only. Staff may not enter."}
    fields.update(over)
    path = tmp_path / "comp.yaml"
    path.write_text("\n".join(f"{k}: {v!r}" if isinstance(v, str) else f"{k}: {v}"
                              for k, v in fields.items() if v is not None))
    return path


ACCOUNTS = {"brent-council": object()}


def test_a_competition_file_reads_and_bad_ones_get_one_line(tmp_path):
    comp = read_competition(_yaml(tmp_path), ACCOUNTS)
    assert comp.key == "comp" and comp.hashtag == "BrentWin" and comp.closes > comp.opens
    bad = {
        "closes before opening": (dict(closes="2026-10-01T09:00:00Z"), "is not after opens"),
        "no offset": (dict(opens="2026-11-01T09:00:00"), "needs a UTC offset"),
        "unknown account": (dict(account="nope"), "unknown account 'nope'"),
        "both ways in": (dict(post="123"), "exactly one of hashtag"),
        "no prize": (dict(prize=None), "missing prize"),
    }
    for name, (over, message) in bad.items():
        with pytest.raises(CompetitionError, match=message) as exc:
            read_competition(_yaml(tmp_path, **over), ACCOUNTS)
        assert "\n" not in str(exc.value), name


def _entry(author, post, minute=0):
    return Entry(author, f"h{author}", post, T0 + timedelta(minutes=minute))


def test_the_draw_is_one_entry_a_person_followers_only_and_reproducible():
    posts = [_entry("a", "10"), _entry("a", "11", 5), _entry("b", "12", 1),
             _entry("c", "13", 2), _entry("staff", "14", 3), _entry("council", "15", 4)]
    entries = one_per_person(posts, {"council"}, ("hstaff",))
    assert [e.line() for e in entries] == ["a 10", "b 12", "c 13"]
    result = draw(entries, followers={"a", "c", "zz"}, published_value="999")
    assert [e.line() for e in result.eligible] == ["a 10", "c 13"]
    expected = hashlib.sha256(b"a 10\nc 13\n999").hexdigest()
    assert result.seed == expected
    assert result.winner.line() == ["a 10", "c 13"][int(expected, 16) % 2]
    # Anyone with the archived list gets the same seed and winner, whatever its order.
    assert redraw(["c 13", "a 10"], "999") == (expected, result.winner.line())
    # Another published value is another seed.
    assert draw(entries, {"a", "c"}, "1000").seed != expected


def test_a_draw_without_entries_or_eligible_followers_is_refused():
    with pytest.raises(CompetitionError, match="no entries"):
        draw([], {"a"}, "1")
    with pytest.raises(CompetitionError, match="none from a follower"):
        draw([_entry("a", "1")], {"b"}, "1")
    with pytest.raises(CompetitionError, match="no value published"):
        draw([_entry("a", "1")], {"a"}, "")


# ------------------------------------------------------------ consistent messaging
PLACES = ["Wembley", "Wembley Park", "Harlesden"]


def test_facts_are_read_in_one_normal_form():
    f = facts("Fair on 12 March at 10am, Wembley Park. Call 020 8937 1234, tickets £5, "
              "https://www.brent.gov.uk/fair/", places=PLACES, base=datetime(2026, 1, 5))
    assert f == {"dates": {"12 March 2026"}, "times": {"10:00"}, "money": {"£5.00"},
                 "phones": {"+442089371234"}, "links": {"www.brent.gov.uk/fair"},
                 "places": {"Wembley Park"}}
    # Other spellings of the same facts read the same.
    g = facts("Fair 12/03/2026 10:00 in Wembley Park; ring 02089371234; £5.00; "
              "https://WWW.brent.gov.uk/fair", places=PLACES, base=datetime(2026, 1, 5))
    assert g == f


def test_posts_that_disagree_are_named_with_their_values():
    fb = Post("brent-facebook post 1", "brent-facebook", "facebook",
              "Christmas market on 12 March in Harlesden, call 020 8937 1234")
    x = Post("brent-council post 2", "brent-council", "twitter",
             "Christmas market on 13 March in Harlesden, call 020 8937 1234")
    found = disagreements([fb, x], places=PLACES, base=datetime(2026, 1, 5))
    assert [d.describe() for d in found] == [
        "dates: facebook brent-facebook post 1 says 12 March 2026, "
        "twitter brent-council post 2 says 13 March 2026"]
    same = Post("brent-instagram post 3", "brent-instagram", "instagram",
                "Harlesden Christmas market, 12 March! Info: 020 8937 1234")
    assert disagreements([fb, same], places=PLACES, base=datetime(2026, 1, 5)) == []

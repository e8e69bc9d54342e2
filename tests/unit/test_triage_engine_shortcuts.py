"""The per-item shortcuts of triage (engine, hours, foi) give exactly the plain answers."""

from __future__ import annotations

import inspect
import json
import math
import random
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from council_social.config import load_config
from council_social.triage import criticality as crit
from council_social.triage import engine
from council_social.triage.decision import decide_fields
from council_social.triage.engine import INPUT_KEYS, TriageInput, TriageRules, triage_batch
from council_social.triage.foi import EMAIL, POSTCODE, STREET, correspondence_address, foi_valid
from council_social.triage.hours import OutOfHours, out_of_hours
from council_social.triage.importance import importance, thread_growth
from council_social.triage.influence import AuthorActivity, influence
from council_social.triage.intent import abuse_score
from council_social.triage.records import input_from_record

LABELLED = Path(__file__).resolve().parents[1] / "data/council_labelled.jsonl"
ROWS = [json.loads(x) for x in LABELLED.read_text().splitlines()]


@pytest.fixture(scope="module")
def config():
    return load_config()


def _near_ties(ndigits: int) -> list[float]:
    """Floats at and a few ulps either side of the decimal ties k.5e-ndigits."""
    out = []
    for k in [*range(0, 400), *range(9_000, 9_400), 123_456, 99_999_999]:
        x = (k + 0.5) / 10 ** ndigits
        out.append(x)
        lo = hi = x
        for _ in range(3):
            lo, hi = math.nextafter(lo, -math.inf), math.nextafter(hi, math.inf)
            out += [lo, hi]
    return out


def test_round_is_builtin_round_bit_for_bit():
    rnd = random.Random(11)
    specials = [0.0, -0.0, 1e-300, 5e-5, 4.9999e-5, 0.03125, 1.00005, 2.675, 0.5, 1.0, -0.3,
                -1e-9, 1e9 - 0.5, 1e9, 1e12, 123456.78915, math.inf, -math.inf, math.nan]
    for ndigits in (3, 4):
        xs = specials + _near_ties(ndigits)
        xs += [rnd.random() for _ in range(20_000)]
        xs += [rnd.expovariate(0.01) for _ in range(5_000)]  # growth per hour
        xs += [round(rnd.random(), 6) for _ in range(5_000)]  # criticality scores
        for x in xs:
            assert repr(engine._round(x, ndigits)) == repr(round(x, ndigits)), (x, ndigits)


def _inputs() -> list[TriageInput]:
    """The labelled items, plus metrics, reputational words, FoI requests without a real
    name, stored influence, author ages, forums and times near the office's opening."""
    items = [input_from_record(r) for r in ROWS]
    opening = datetime(2026, 11, 18, 9, 0, tzinfo=UTC)
    extra = [
        {"text": "FOI request: how many wardens? Write to me at jo.bloggs+foi@example.co.uk",
         "author_name": "brent_dad"},
        {"text": "FOI: reply to 14 Forty Lane, Wembley HA9 9EB please", "author_name": "NW6 Mum"},
        {"text": "Freedom of Information request for bin data @Brent_Council", "author_name": "x1"},
        {"text": "My councillor and the BBC say the fly-tipping on Ealing Road is a scandal",
         "metrics": {"reply_count": 40, "repost_count": 12, "quote_count": 3},
         "observed_at": "2026-11-18T12:00:00Z"},
        {"text": "Any news on parking permits? asking for a journalist",
         "metrics": {"reply_count": 1}, "author_created_at": "2019-03-01T00:00:00Z"},
        {"text": "Bins not collected again", "platform": "mumsnet", "author_followers": 5},
        {"text": "Potholes everywhere on Kilburn High Road", "metrics": {"like_count": 9}},
    ]
    for r in extra:
        items.append(input_from_record({"created_at": "2026-11-18T08:59:59.999999Z", **r}))
    for n, r in enumerate(ROWS[:40]):  # either side of 09:00, later minute first
        when = opening + timedelta(minutes=n // 2) - timedelta(microseconds=n % 2)
        items.append(input_from_record({**r, "created_at": when.isoformat()}))
    stored = input_from_record(ROWS[0])
    stored.stored_influence = (61, {"audience": 30.0, "site": 0.0})
    return [*items, stored]


def test_batch_inputs_are_the_plain_values(config):
    rules = TriageRules.from_config(config)
    model = crit.load_model(None)
    items = _inputs()
    scores = crit.score_batch([r.text for r in items], model, rules.use_model)
    for r, c, res in zip(items, scores, triage_batch(items, rules, model), strict=True):
        keys = list(res.inputs)
        if r.stored_influence is not None:
            assert keys == [*INPUT_KEYS, "influence_source"]
        else:
            assert keys == list(INPUT_KEYS)
        for k, v in c.inputs().items():  # Criticality.inputs() rounds with round()
            assert repr(res.inputs[k]) == repr(v), (r.text, k)
        growth = thread_growth(r.metrics, r.created_at, r.observed_at)
        assert repr(res.inputs["growth_per_hour"]) == repr(round(growth, 3))
        topic = rules.topic_by_key.get(res.topic) if res.topic else None
        plain = importance(topic.weight if topic else 0.0, bool(topic and topic.reputational),
                           res.inputs["reputational_hits"], growth,
                           config.triage.conversation_growth_per_hour)
        assert repr(res.importance) == repr(plain), r.text
        if res.intent == "foi_request":
            assert (res.foi_valid, res.inputs["foi_reason"]) == foi_valid(r.author_name, r.text)
        expected = out_of_hours(r.created_at, config.office_hours, config.council.timezone)
        assert (res.inputs["out_of_hours"], res.inputs["out_of_hours_reason"]) == expected
    assert any(res.inputs["reputational_hits"] for res in triage_batch(items, rules, model))


def test_the_batch_passes_each_signal_to_decide_under_its_name(config, monkeypatch):
    calls = []

    def recording(*args):
        calls.append(inspect.signature(decide_fields).bind(*args).arguments)
        return decide_fields(*args)

    monkeypatch.setattr(engine, "decide_fields", recording)
    rules = TriageRules.from_config(config)
    items = _inputs()
    results = triage_batch(items, rules, crit.load_model(None))
    for r, res, signals in zip(items, results, calls, strict=True):
        topic = rules.topic_by_key.get(res.topic) if res.topic else None
        i = res.inputs
        assert signals["t"] is rules.thresholds
        assert (signals["intent"], signals["criticality"], signals["critical"]) == (
            res.intent, res.criticality, res.critical)
        assert (signals["influence"], signals["importance"], signals["topic"]) == (
            res.influence, res.importance, res.topic)
        assert signals["growth_per_hour"] == thread_growth(r.metrics, r.created_at, r.observed_at)
        assert signals["topic_name"] == (topic.name if topic else None)
        assert signals["topic_link"] == (topic.link if topic else None)
        assert (signals["own_account"], signals["impersonation"]) == (
            i["own_account"], i["impersonation"])
        assert signals["threat"] == ("threat" in i["abuse_cues"])
        assert (signals["out_of_hours"], signals["foi_valid"]) == (i["out_of_hours"], res.foi_valid)
        assert signals["abusive"] == (abuse_score(r.text)[0] >= 0.6)
        assert signals["department"] == rules.topics.match(r.text).department


def test_author_influence_is_the_plain_influence(config):
    rules = TriageRules.from_config(config)
    aged = AuthorActivity(followers=300, created_at=datetime(2020, 1, 1, tzinfo=UTC))
    items = [*_inputs(),
             TriageInput("x", author=aged, created_at=datetime(2026, 1, 1, tzinfo=UTC)),
             TriageInput("x", author=aged),
             TriageInput("x", platform="feed", author=aged,
                         created_at=datetime(2021, 1, 1, tzinfo=UTC))]
    for r in items * 2:  # the second time from the memo
        site = config.triage.site_audience.get(r.platform)
        author = replace(r.author, site_audience=site) if site else r.author
        expected = r.stored_influence or influence(author, rules.weights, r.created_at)
        assert repr(rules.author_influence(r)) == repr(expected), r.text


ZONES = [ZoneInfo("UTC"), timezone(timedelta(hours=5, minutes=30)), ZoneInfo("Europe/London"),
         timezone(timedelta(seconds=-37)), UTC]  # UTC (its own shortcut) last


def test_out_of_hours_memo_at_minute_edges(config):
    """One memo for every zone; the later minute is asked first: a minute worked out wrongly
    would hand its answer to a moment a microsecond or a day away."""
    cached = OutOfHours(config.office_hours, config.council.timezone)
    days = [datetime(2026, 11, 18), datetime(2026, 11, 20), datetime(2026, 11, 21),
            datetime(2026, 3, 29), datetime(2026, 10, 25), datetime(2026, 12, 25),
            datetime(1969, 12, 31), datetime(1965, 6, 2), datetime(2100, 3, 1)]
    for zone in ZONES:
        for day in days:
            for hour, minute in [(0, 0), (8, 59), (9, 0), (10, 0), (16, 59), (17, 0), (23, 59)]:
                later = day.replace(hour=hour, minute=minute, tzinfo=zone)
                for moment in (later, later - timedelta(microseconds=1),
                               later + timedelta(seconds=59)):
                    expected = out_of_hours(moment, config.office_hours, config.council.timezone)
                    assert cached.answer(moment) == cached(moment) == expected, moment


def _plain_growth(metrics, created_at, observed_at):
    count = (int(metrics.get("reply_count") or 0) + int(metrics.get("repost_count") or 0)
             + int(metrics.get("quote_count") or 0))
    hours = 1.0
    if created_at is not None and observed_at is not None:
        hours = max(1.0, (observed_at - created_at).total_seconds() / 3600)
    return count / hours


def test_thread_growth_is_the_plain_rate():
    t0 = datetime(2026, 11, 20, 10, tzinfo=UTC)
    for metrics in ({}, {"reply_count": 3}, {"repost_count": 2.9}, {"quote_count": None},
                    {"like_count": 50}, {"reply_count": 0, "repost_count": 0},
                    {"reply_count": 7, "repost_count": 1, "quote_count": 2, "like_count": 4}):
        for times in ((None, None), (t0, None), (t0, t0 + timedelta(minutes=20)),
                      (t0, t0 + timedelta(hours=7, seconds=3))):
            assert repr(thread_growth(metrics, *times)) == repr(_plain_growth(metrics, *times))


CORRESPONDENCE = [
    "reply to jo@example.com", "jo.@x.y", "..@x.y", " @x.y", "@brent.gov.uk", "a@b", "a@b.",
    "a@b.c", "a+b-c@d-e.f-g", "é@ü.de", "_@_._", "x@y..z", "@Brent_Council hi", "mail a@b .c",
    "NW10 2AB", "nw10 2ab", "NW102AB", "E1 6AN", "W1A 1AA", "HA9 9EB.", "ab1 2cd", "12AB",
    "1 2AB", "A1 1AAA", "ſ1 1ſſ", "\u212a1 1\u212a\u212a", "NW1 0\u212aX", "E1\t6AN", "E1\n\n6AN",
    "14 Forty Lane", "12a, Church Lane", "1234 Acacia Avenue", "12345 Acacia Avenue",
    "99 high road", "#12 Park Road", "3 The Mews", "7 Kilburn High Road", "7 Kilburn high Road",
    "2 St", "10 Downing Street", "flat 4, 10 Ealing Rd", "٣ Station Road", "4 O'Neill Way",
    "how many wardens are there in 2025?", "", "3rd week", "23rd", "no digits here @x",
]


def _plain_address(text: str) -> bool:
    return bool(POSTCODE.search(text) or EMAIL.search(text) or STREET.search(text))


def test_correspondence_address_equals_the_plain_regexes():
    for text in CORRESPONDENCE:
        assert correspondence_address(text) is _plain_address(text), text
    rnd = random.Random(5)
    pieces = ["1", "23", "4a", "NW", "nw", "E", "ab", " ", "  ", "\t", ",", ".", "@", "+", "-",
              "_", "'", "ſ", "\u212a", "é", "Road", " Lane", " Park", " St", "High", " The",
              "x", "Q", "9", "٣"]
    for _ in range(20_000):
        text = "".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 12)))
        assert correspondence_address(text) is _plain_address(text), repr(text)

"""Emerging issues: spike detection and trending hashtags, on planted series."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta
from zoneinfo import ZoneInfo

from council_social.reports.hashtags import hashtags, trending
from council_social.reports.spikes import day_slots, detect_spikes, poisson_tail

LONDON = ZoneInfo("Europe/London")
DAY = date(2026, 11, 24)


def _series(slots, today, history):
    """A topic's hourly counts: `today(hour_index)` on the day, `history(week, hour_index)` before."""
    counts = {}
    for i, slot in enumerate(slots):
        counts[slot.start] = today(i)
        for week, past in enumerate(slot.past, 1):
            counts[past] = history(week, i)
    return counts


def test_a_planted_spike_is_found_at_its_hour_and_nowhere_else():
    slots = day_slots(DAY, LONDON, weeks=4)
    normal = lambda week, i: 2 + (week + i) % 3  # noqa: E731  2..4 an hour, every week
    series = {"bins-recycling": _series(slots, lambda i: 40 if i == 10 else 3, normal),
              "parking": _series(slots, lambda i: 3, normal)}
    spikes = detect_spikes(series, slots, min_count=5, p_value=0.001)
    assert [(s.topic, s.start.astimezone(LONDON).hour, s.observed) for s in spikes] == [("bins-recycling", 10, 40)]
    assert spikes[0].expected >= 2 and spikes[0].p_value < 1e-6


def test_a_series_without_a_spike_raises_nothing():
    slots = day_slots(DAY, LONDON, weeks=4)
    # A busy topic: 30 an hour every week is its normal, whatever the hour.
    series = {"council-tax": _series(slots, lambda i: 30 + i % 4, lambda w, i: 28 + (w + i) % 6)}
    assert detect_spikes(series, slots, min_count=5, p_value=0.001) == []


def test_a_past_spike_does_not_hide_todays_and_a_small_count_never_alerts():
    slots = day_slots(DAY, LONDON, weeks=4)
    history = lambda w, i: 50 if w == 1 else 2  # noqa: E731  last week had its own spike
    spikes = detect_spikes({"t": _series(slots, lambda i: 30 if i == 12 else 1, history)}, slots,
                           min_count=5, p_value=0.001)
    assert [s.start.astimezone(LONDON).hour for s in spikes] == [12]
    quiet = detect_spikes({"t": _series(slots, lambda i: 4, lambda w, i: 0)}, slots, min_count=5, p_value=0.001)
    assert quiet == []


def test_slots_follow_local_hours_across_the_clock_change():
    # 25 Oct 2026: clocks go back in London, the day has 25 hours.
    slots = day_slots(date(2026, 10, 25), LONDON, weeks=2)
    assert len(slots) == 25
    noon = next(s for s in slots if s.start.astimezone(LONDON).hour == 12)
    assert [p.astimezone(LONDON).hour for p in noon.past] == [12, 12]
    assert noon.past[0] == noon.start - timedelta(weeks=1, hours=1)  # BST a week before


def test_poisson_tail():
    assert poisson_tail(0, 3.0) == 1.0
    assert abs(poisson_tail(1, 2.0) - (1 - 2.718281828 ** -2)) < 1e-6
    assert poisson_tail(20, 2.0) < 1e-9


def test_hashtags_and_trending_local_tags():
    assert hashtags("Bins again #Wembley #wembley &#39; #2026 #BrentRecycles") == {"wembley", "brentrecycles"}
    past = [Counter({"wembley": 1, "bins": 4}) for _ in range(7)]
    today = Counter({"wembley": 12, "bins": 5, "rare": 2})
    found = trending(today, past, min_count=5, growth=3, places=["Wembley", "Kilburn"])
    assert [(t.tag, t.places) for t in found] == [("wembley", ("Wembley",))]

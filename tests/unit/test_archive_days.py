"""Which UTC days an archive interval owns (archive/manifest.days_ending_in): the complete
days whose end falls in (start, end], so consecutive intervals archive each day once."""

from __future__ import annotations

import time
from datetime import UTC, date, datetime, timedelta, timezone

from council_social.archive.manifest import day_bounds, days_ending_in

MIDNIGHT = datetime(2026, 11, 25, tzinfo=UTC)
HOUR = timedelta(hours=1)


def test_a_day_is_utc_midnight_to_midnight():
    assert day_bounds(date(2026, 11, 25)) == (MIDNIGHT, MIDNIGHT + timedelta(days=1))
    assert day_bounds(date(2026, 6, 1))[0].utcoffset() == timedelta(0)


def test_the_interval_ending_at_midnight_owns_the_day_before():
    assert days_ending_in(MIDNIGHT - HOUR, MIDNIGHT) == [date(2026, 11, 24)]
    # The next interval starts at that midnight and owns nothing until the next one.
    assert days_ending_in(MIDNIGHT, MIDNIGHT + HOUR) == []
    assert days_ending_in(MIDNIGHT - 2 * HOUR, MIDNIGHT - HOUR) == []


def test_a_long_interval_owns_every_day_that_ends_inside_it():
    assert days_ending_in(MIDNIGHT - timedelta(days=2, hours=3), MIDNIGHT + HOUR) == [
        date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24)]
    assert days_ending_in(MIDNIGHT, MIDNIGHT + timedelta(days=2)) == [
        date(2026, 11, 25), date(2026, 11, 26)]


def test_consecutive_hourly_intervals_archive_each_day_exactly_once():
    owned = []
    start = MIDNIGHT - timedelta(days=3)
    while start < MIDNIGHT + timedelta(days=1):
        owned += days_ending_in(start, start + HOUR)
        start += HOUR
    assert owned == [date(2026, 11, 22), date(2026, 11, 23), date(2026, 11, 24),
                     date(2026, 11, 25)]


def test_an_interval_given_in_another_zone_counts_utc_days():
    paris = timezone(timedelta(hours=1))
    # 00:30 in Paris on the 25th is 23:30 UTC on the 24th: the 24th has not ended yet.
    assert days_ending_in(datetime(2026, 11, 25, 0, 30, tzinfo=paris), MIDNIGHT + HOUR) == [
        date(2026, 11, 24)]


def test_the_machine_zone_does_not_move_the_days(monkeypatch):
    # A worker whose clock is set to Tokyo must archive the same UTC days.
    monkeypatch.setenv("TZ", "Asia/Tokyo")
    time.tzset()
    try:
        assert days_ending_in(MIDNIGHT - HOUR / 2, MIDNIGHT + HOUR) == [date(2026, 11, 24)]
    finally:
        monkeypatch.undo()
        time.tzset()

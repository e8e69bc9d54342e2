"""Office hours as triage asks them (per minute) agree with the function."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from council_social.config import load_config
from council_social.triage.hours import OutOfHours, out_of_hours


def test_out_of_hours_per_minute_equals_the_function():
    config = load_config()
    cached = OutOfHours(config.office_hours, config.council.timezone)
    moment = datetime(2026, 3, 27, 0, 0, 17, tzinfo=UTC)  # across a weekend, a clock change, Easter
    for _ in range(2000):
        moment += timedelta(minutes=7, seconds=13)
        assert cached(moment) == out_of_hours(moment, config.office_hours, config.council.timezone)

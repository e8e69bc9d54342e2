"""The grid's rules: daily caps, gaps, campaign weekly caps, cover, pre-election.

`Ledger` knows what is already booked per account and says why a new post at
a given time would break a rule; the placement tries times in order of score.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

DAILY_CAP = "daily_cap"
MIN_GAP = "min_gap"
CAMPAIGN_CAP = "campaign_cap"
NO_COVER = "no_cover"


@dataclass(frozen=True)
class Booking:
    account_key: str
    entry_key: str
    campaign: str
    at: datetime  # aware


class Ledger:
    def __init__(self, settings, timezone: str):
        self.settings = settings
        self.tz = ZoneInfo(timezone)
        self._by_account: dict[str, list[Booking]] = defaultdict(list)

    def add(self, booking: Booking) -> None:
        self._by_account[booking.account_key].append(booking)

    def bookings(self, account_key: str) -> list[Booking]:
        return list(self._by_account[account_key])

    def _local_day(self, at: datetime) -> date:
        return at.astimezone(self.tz).date()

    def _week(self, at: datetime) -> date:
        day = self._local_day(at)
        return day - timedelta(days=day.weekday())

    def refusal(self, account_key: str, campaign: str, at: datetime) -> str | None:
        """The first rule a post at `at` would break, or None."""
        booked = self._by_account[account_key]
        day = self._local_day(at)
        if sum(1 for b in booked if self._local_day(b.at) == day) >= \
                self.settings.cap_for(account_key):
            return DAILY_CAP
        gap = timedelta(minutes=self.settings.min_gap_minutes)
        if any(abs(b.at - at) < gap for b in booked):
            return MIN_GAP
        week = self._week(at)
        if sum(1 for b in booked if b.campaign == campaign and self._week(b.at) == week) >= \
                self.settings.campaign_posts_per_week:
            return CAMPAIGN_CAP
        return None


def describe(reason: str, settings, account_key: str, campaign: str) -> str:
    return {
        DAILY_CAP: f"daily cap of {settings.cap_for(account_key)} posts on {account_key} reached",
        MIN_GAP: f"{settings.min_gap_minutes} min minimum gap between posts on {account_key}",
        CAMPAIGN_CAP: f"campaign {campaign!r} already has {settings.campaign_posts_per_week} "
                      f"posts that week on {account_key}",
        NO_COVER: "outside office hours with nobody on the cover rota",
    }[reason]


def cover_for(config, local: datetime) -> tuple[bool, str | None]:
    """(may post, who covers): office hours (never on a bank holiday) need no cover;
    outside them the rota must."""
    return config.office_hours.calendar(config.council.timezone).cover(local,
                                                                      config.grid.cover_rota)


def pre_election_hold(settings, day: date, essential: bool, overridden: bool):
    """The pre-election period holding a non-essential, non-overridden post on `day`."""
    period = settings.pre_election_on(day)
    if period is None or essential or overridden:
        return None
    return period

"""Deterministic greedy placement of planner entries into a fortnight's slots.

Entries go in order of priority, then tightest deadline, then key; each
channel of an entry takes the best-scoring hour in its window that breaks no
rule. The same inputs always give the same grid.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from council_social.grid.planner import PLACEABLE, PlannerEntry
from council_social.grid.rules import NO_COVER, Booking, Ledger, cover_for, describe
from council_social.grid.rules import pre_election_hold as _hold

GRID_DAYS = 14
# Platforms the publisher can post to; others are placed for posting by hand.
CONNECTED_PLATFORMS = frozenset({"twitter", "facebook"})
# Why a channel is posted by hand (shown on its slot).
BY_HAND = {
    "instagram": "Instagram publishing needs a hosted image or video and is not connected",
    "linkedin": "posting to the LinkedIn page is not connected",
    "youtube": "a YouTube post is a video upload, done in YouTube Studio",
    "flickr": "a Flickr post is a photo upload, done on Flickr",
}
DAY_LOAD_PENALTY = 0.15


@dataclass(frozen=True)
class Slot:
    entry_key: str
    account_key: str
    state: str  # placed | published | held | unplaced
    slot_at: datetime | None
    mode: str | None  # post | manual
    score: float | None
    why: str
    cover: str | None = None
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Posted:
    entry_key: str
    account_key: str
    slot_at: datetime
    external_id: str | None


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def grid_days(grid_start: date) -> list[date]:
    return [grid_start + timedelta(days=i) for i in range(GRID_DAYS)]


def candidate_times(day: date, settings, tz: ZoneInfo) -> list[datetime]:
    return [datetime.combine(day, time(hour), tzinfo=tz)
            for hour in range(settings.first_hour, settings.last_hour + 1)]


def _fmt(day: date) -> str:
    return f"{day:%a} {day.day} {day:%b}"


def place(entries: list[PlannerEntry], config, best_times: dict, grid_start: date, *,
          cutoff: datetime | None = None, posted: list[Posted] = (),
          overrides: frozenset[str] | set[str] = frozenset(),
          connected: frozenset[str] = CONNECTED_PLATFORMS) -> list[Slot]:
    settings, tz = config.grid, ZoneInfo(config.council.timezone)
    days = grid_days(grid_start)
    first, last = days[0], days[-1]
    by_key = {e.key: e for e in entries}
    ledger = Ledger(settings, config.council.timezone)
    slots: list[Slot] = []
    done: set[tuple[str, str]] = set()
    for p in sorted(posted, key=lambda p: (p.slot_at, p.entry_key, p.account_key)):
        entry = by_key.get(p.entry_key)
        ledger.add(Booking(p.account_key, p.entry_key, entry.campaign if entry else p.entry_key,
                           p.slot_at))
        slots.append(Slot(p.entry_key, p.account_key, "published", p.slot_at, "post", None,
                          f"posted as {p.external_id}" if p.external_id else "posted"))
        done.add((p.entry_key, p.account_key))
    accounts = {a.key: a for a in config.accounts}
    cutoff_day = cutoff.astimezone(tz).date() if cutoff else None
    ordered = sorted((e for e in entries if e.latest >= first and e.earliest <= last),
                     key=lambda e: (e.priority_rank, e.latest, e.earliest, e.key))
    for entry in ordered:
        for account_key in entry.channels:
            if (entry.key, account_key) in done:
                continue
            slots.append(_place_one(entry, account_key, accounts, best_times, days, cutoff,
                                    cutoff_day, ledger, config, tz, overrides, connected))
    return sorted(slots, key=slot_order)


def slot_order(s: Slot):
    return (s.slot_at is None, s.slot_at or datetime.min.replace(tzinfo=ZoneInfo("UTC")),
            s.account_key, s.entry_key)


def _place_one(entry, account_key, accounts, best_times, days, cutoff, cutoff_day, ledger,
               config, tz, overrides, connected) -> Slot:
    settings = config.grid

    def unplaced(why: str, state: str = "unplaced", flags: tuple[str, ...] = ()) -> Slot:
        return Slot(entry.key, account_key, state, None, None, None, why, None, flags)

    if entry.status not in PLACEABLE:
        return unplaced({"withdrawn": "withdrawn",
                         "published": "marked published in the planner"}.get(
                            entry.status, f"not approved yet (status {entry.status})"))
    account = accounts.get(account_key)
    if account is None:
        return unplaced(f"account {account_key!r} is no longer in council.yaml")
    window = [d for d in days if entry.earliest <= d <= entry.latest]
    open_days = [d for d in window if cutoff_day is None or d >= cutoff_day]
    if not open_days:
        return unplaced(f"window {_fmt(entry.earliest)}–{_fmt(entry.latest)} had passed when "
                        "the grid was built")
    overridden = entry.key in overrides
    allowed = [d for d in open_days if _hold(settings, d, entry.essential, overridden) is None]
    if not allowed:
        period = settings.pre_election_on(open_days[0])
        return unplaced(f"held: pre-election period {period.name!r} ({period.start}–{period.end})"
                        "; not marked essential and no override logged", "held",
                        ("pre_election",))
    times = best_times[account_key]
    candidates = [t for d in allowed for t in candidate_times(d, settings, tz)
                  if cutoff is None or t >= cutoff]
    # Spread an account's posts: a day that already has posts is worth a little less.
    load = Counter(b.at.astimezone(tz).date() for b in ledger.bookings(account_key))
    candidates.sort(key=lambda t: (-(times.score(t) - DAY_LOAD_PENALTY * load[t.date()]), t))
    refused: Counter[str] = Counter()
    for t in candidates:
        may, cover = cover_for(config, t)
        if not may:
            refused[NO_COVER] += 1
            continue
        reason = ledger.refusal(account_key, entry.campaign, t)
        if reason is not None:
            refused[reason] += 1
            continue
        ledger.add(Booking(account_key, entry.key, entry.campaign, t))
        flags, why = [], [times.explain(t)]
        if cover:
            flags.append("out_of_hours")
            why.append(f"out of hours: {cover} covers replies")
        if settings.pre_election_on(t.date()) is not None:
            flags.append("pre_election")
            why.append("in a pre-election period: " + (
                "override logged" if overridden else "essential; needs a logged override to post"))
        mode = "post" if account.platform in connected else "manual"
        if mode == "manual":
            flags.append("by_hand")
            reason = BY_HAND.get(account.platform,
                                 f"no publishing API is connected for {account.platform}")
            why.append(f"post by hand: {reason}")
        return Slot(entry.key, account_key, "placed", t, mode, round(times.score(t), 4),
                    "; ".join(why), cover, tuple(flags))
    if not candidates:
        return unplaced(f"no posting hours left in {_fmt(allowed[0])}–{_fmt(allowed[-1])}")
    reasons = ", ".join(f"{describe(r, settings, account_key, entry.campaign)} ({n} slots)"
                        for r, n in sorted(refused.items(), key=lambda kv: (-kv[1], kv[0])))
    return unplaced(f"no free slot {_fmt(allowed[0])}–{_fmt(allowed[-1])}: {reasons}")

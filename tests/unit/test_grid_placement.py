"""Placement: caps, gaps, campaign caps, cover, best times, pre-election holds."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, date, datetime, timedelta

import pytest

from council_social.grid.best_times import learn
from council_social.grid.placement import place
from council_social.grid.planner import PlannerEntry

MONDAY = date(2026, 11, 30)


def entry(i: int, *, channels=("brent-council",), earliest=MONDAY, latest=None,
          campaign=None, priority="normal", status="approved", essential=False) -> PlannerEntry:
    return PlannerEntry(key=f"e{i:03d}", title=f"Entry {i}", message=f"Message {i}",
                        channels=channels, earliest=earliest,
                        latest=latest or earliest + timedelta(days=13), owner="Web",
                        priority=priority, status=status, campaign=campaign or f"c{i}",
                        essential=essential)


def defaults(config):
    return {a.key: learn(a.key, [], config.grid, config.council.timezone)
            for a in config.accounts}


def with_grid(config, **changes):
    copy = config.model_copy(deep=True)
    for name, value in changes.items():
        setattr(copy.grid, name, value)
    return copy


def test_daily_cap_gap_and_campaign_cap_hold(config):
    cfg = with_grid(config, posts_per_day=3, min_gap_minutes=180, campaign_posts_per_week=2)
    entries = [entry(i, campaign="winter" if i % 2 else None) for i in range(60)]
    slots = place(entries, cfg, defaults(cfg), MONDAY)
    placed = sorted(s.slot_at for s in slots if s.state == "placed")
    tz = cfg.tz
    per_day = Counter(t.astimezone(tz).date() for t in placed)
    assert placed and max(per_day.values()) == 3
    assert all(b - a >= timedelta(minutes=180) for a, b in zip(placed, placed[1:], strict=False))
    winter = [s.slot_at for s in slots if s.state == "placed" and int(s.entry_key[1:]) % 2]
    weeks = Counter(t.astimezone(tz).isocalendar().week for t in winter)
    assert max(weeks.values()) == 2
    unplaced = [s for s in slots if s.state == "unplaced"]
    assert len(placed) + len(unplaced) == 60
    assert any("daily cap of 3 posts" in s.why for s in unplaced)
    assert any("campaign 'winter' already has 2 posts" in s.why for s in unplaced)


def test_out_of_hours_needs_cover(config):
    no_rota = with_grid(config, cover_rota=[], posts_per_day=20, min_gap_minutes=60)
    slots = place([entry(i) for i in range(40)], no_rota, defaults(no_rota), MONDAY)
    for s in slots:
        if s.state == "placed":
            assert no_rota.is_office_hours(s.slot_at) and s.cover is None
    rota = with_grid(config, posts_per_day=20, min_gap_minutes=60)
    slots = place([entry(i) for i in range(40)], rota, defaults(rota), MONDAY)
    ooh = [s for s in slots if s.state == "placed" and not rota.is_office_hours(s.slot_at)]
    assert ooh and all(s.cover and "out_of_hours" in s.flags for s in ooh)


def test_best_time_learned_from_history_wins(config):
    tz = config.tz
    # Tuesday 15:00 posts do far better than anything else; other hours are ordinary.
    history = []
    for week in range(8):
        tuesday = datetime(2026, 9, 1, 15, tzinfo=tz) + timedelta(weeks=week)
        history.append((tuesday.astimezone(UTC), 120))
        for day, hour in ((0, 9), (2, 12), (3, 17), (4, 8)):
            other = datetime(2026, 8, 31, hour, tzinfo=tz) + timedelta(weeks=week, days=day)
            history.append((other.astimezone(UTC), 10))
    best = defaults(config)
    best["brent-council"] = learn("brent-council", history, config.grid, config.council.timezone)
    assert best["brent-council"].source == "learned"
    assert best["brent-council"].top(1)[0][0] == "Tue 15:00"
    (slot,) = place([entry(1)], config, best, MONDAY)
    local = slot.slot_at.astimezone(tz)
    assert (local.strftime("%a"), local.hour) == ("Tue", 15)
    assert "mean 120 engagements over 8 past posts" in slot.why
    # Without enough history the defaults decide (12:00 on the first day).
    (slot,) = place([entry(1)], config, defaults(config), MONDAY)
    assert slot.slot_at.astimezone(tz).hour in config.grid.default_best_hours
    assert "default best hour" in slot.why


def test_pre_election_holds_non_essential_and_flags_essential(config):
    from council_social.config import PreElectionPeriod

    cfg = with_grid(config, pre_election=[PreElectionPeriod(
        name="By-election", start=MONDAY, end=MONDAY + timedelta(days=20))])
    entries = [entry(1), entry(2, priority="essential", essential=True), entry(3)]
    slots = {s.entry_key: s for s in place(entries, cfg, defaults(cfg), MONDAY,
                                           overrides={"e003"})}
    assert slots["e001"].state == "held" and "pre_election" in slots["e001"].flags
    assert "By-election" in slots["e001"].why and "not marked essential" in slots["e001"].why
    assert slots["e002"].state == "placed" and "needs a logged override" in slots["e002"].why
    assert slots["e003"].state == "placed" and "override logged" in slots["e003"].why


def test_status_window_and_connection_reasons(config):
    cutoff = datetime(2026, 12, 3, 6, tzinfo=UTC)
    entries = [entry(1, status="draft"), entry(2, status="withdrawn"),
               entry(3, latest=MONDAY + timedelta(days=1)),
               entry(4, channels=("brent-instagram",)), entry(5, channels=("brent-facebook",)),
               entry(6, channels=("brent-linkedin",))]
    slots = {s.entry_key: s for s in place(entries, config, defaults(config), MONDAY,
                                           cutoff=cutoff)}
    assert slots["e001"].why == "not approved yet (status draft)"
    assert slots["e002"].why == "withdrawn"
    assert "had passed" in slots["e003"].why
    assert slots["e004"].mode == "manual" and "by_hand" in slots["e004"].flags
    assert "post by hand: Instagram publishing needs a hosted image" in slots["e004"].why
    assert slots["e004"].slot_at >= cutoff
    # Facebook posts through the Graph API page feed; LinkedIn is still by hand.
    assert slots["e005"].mode == "post" and "by hand" not in slots["e005"].why
    assert slots["e006"].mode == "manual" and "LinkedIn page is not connected" in slots["e006"].why


def test_placement_is_deterministic(config):
    entries = [entry(i, channels=("brent-council", "brent-alerts")) for i in range(30)]
    a = place(entries, config, defaults(config), MONDAY)
    b = place(list(reversed(entries)), config, defaults(config), MONDAY)
    assert a == b


@pytest.mark.parametrize("bad", [{"first_hour": 22, "last_hour": 8}])
def test_grid_settings_are_validated(bad):
    from pydantic import ValidationError

    from council_social.config import GridSettings

    with pytest.raises(ValidationError):
        GridSettings(**bad)

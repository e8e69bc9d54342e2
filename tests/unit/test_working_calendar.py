"""Triage, the grid and cases read one working calendar: every hour of a year gets
the same answer from all three, bank holidays and clock changes included."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from council_social.cases.calendar import WorkingCalendar
from council_social.config import CouncilConfig
from council_social.grid.rules import cover_for
from council_social.triage.hours import out_of_hours

MINUTE = timedelta(minutes=1)


def with_holidays(config, subdivision: str | None, rota=()):
    doc = config.model_dump()
    doc["cases"]["holiday_subdivision"] = subdivision
    doc["grid"]["cover_rota"] = list(rota)
    return CouncilConfig.model_validate(doc)


def verdicts(config, moment: datetime) -> tuple[bool, bool, bool, bool]:
    """In office hours? by triage, the grid, cases' office clock and config."""
    triage = not out_of_hours(moment, config.office_hours, config.council.timezone)[0]
    may_post, cover = cover_for(config, moment)
    grid = may_post and cover is None
    calendar = WorkingCalendar.from_config(config)
    # An office-hours clock started in office hours runs at once; otherwise it waits.
    cases = calendar.clock_deadline(moment, 1 / 60, runs_out_of_hours=False) == moment + MINUTE
    return triage, grid, cases, config.office_hours.contains(moment, config.council.timezone)


def hours_of(year: int):
    moment = datetime(year, 1, 1, tzinfo=UTC)
    while moment.year == year:
        yield moment
        moment += timedelta(hours=1)


@pytest.mark.parametrize("subdivision", ["ENG", "SCT"])
def test_triage_grid_and_cases_agree_on_every_hour_of_a_year(config, subdivision):
    cfg = with_holidays(config, subdivision)
    inside = 0
    for moment in hours_of(2026):
        # Half past as well as on the hour: 09:00 local is 08:00 UTC in summer.
        for at in (moment, moment + timedelta(minutes=30)):
            answers = verdicts(cfg, at)
            assert len(set(answers)) == 1, (at, answers)
            inside += answers[0]
    # 261 weekdays less 8 English or 10 Scottish bank holidays (one a one-off), 8 hours, two samples an hour.
    assert inside == {"ENG": 253, "SCT": 251}[subdivision] * 8 * 2


@pytest.mark.parametrize("when, inside", [
    ("2026-03-27T08:30:00+00:00", False),  # Friday 08:30 GMT, before the clocks change
    ("2026-03-27T09:00:00+00:00", True),
    ("2026-03-30T08:00:00+00:00", True),   # Monday 09:00 BST
    ("2026-03-30T07:59:00+00:00", False),
    ("2026-10-26T16:59:00+00:00", True),   # Monday 16:59 GMT, after the clocks go back
    ("2026-10-26T08:30:00+00:00", False),
])
def test_clock_changes_move_office_hours_with_local_time(config, when, inside):
    assert set(verdicts(config, datetime.fromisoformat(when))) == {inside}


@pytest.mark.parametrize("day, english, scottish", [
    (date(2026, 1, 2), False, True),    # 2 January: a Scottish bank holiday only
    (date(2026, 4, 6), True, False),    # Easter Monday: England and Wales only
    (date(2026, 12, 28), True, True),   # Boxing Day substitute: both
])
def test_the_configured_countrys_bank_holidays_close_the_office(config, day, english, scottish):
    noon = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
    for subdivision, holiday in (("ENG", english), ("SCT", scottish)):
        cfg = with_holidays(config, subdivision)
        ooh, why = out_of_hours(noon, cfg.office_hours, cfg.council.timezone)
        assert ooh is holiday and (why.startswith("bank holiday") is holiday)
        assert set(verdicts(cfg, noon)) == {not holiday}


def test_the_cover_rota_lets_the_grid_post_on_a_bank_holiday(config):
    rota = [{"days": ["mon"], "start": "10:00", "end": "14:00", "officer": "Sam Cover",
             "team": config.teams[0].key}]
    cfg = with_holidays(config, "ENG", rota)
    easter_monday = datetime(2026, 4, 6, 11, tzinfo=UTC)  # 12:00 BST
    assert cover_for(cfg, easter_monday) == (True, f"Sam Cover ({config.teams[0].key})")
    assert cover_for(cfg, easter_monday + timedelta(hours=4)) == (False, None)

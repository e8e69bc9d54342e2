"""Backfill: re-process history a day per transaction, a month (or a day) per task.

The hourly `process_items` runs pay a task's fixed cost (imports, the Great
Expectations context, the engine) every hour; a backfill task pays it once and
then walks its span a day at a time in the same process. The `reprocess` DAG
maps one task over each span `plan_spans` returns.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Engine

DAY = timedelta(days=1)
PER = ("day", "month")
TOTALS = ("raw_pages", "records", "stored", "duplicates", "quarantined")


class BackfillRequestError(ValueError):
    """A reprocess request that cannot run as asked; the message says why."""


def _date(value, name: str) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise BackfillRequestError(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None


def plan_spans(start, end, per: str = "month", *, configured_rules: str | None = None,
               rules_version: str | None = None) -> list[tuple[datetime, datetime]]:
    """The UTC spans [from 00:00, day after `to` 00:00), cut at each day or month start.

    `start`/`end` are dates, both included. `rules_version`, when given, must be
    the deployed one: decisions are labelled with the rules that made them.
    """
    first, last = _date(start, "from"), _date(end, "to")
    if last < first:
        raise BackfillRequestError(f"to ({last}) is before from ({first})")
    if per not in PER:
        raise BackfillRequestError(f"per: {per!r} is not one of {', '.join(PER)}")
    if rules_version and configured_rules and rules_version != configured_rules:
        raise BackfillRequestError(
            f"rules_version {rules_version!r} asked for, but the deployed rules are "
            f"{configured_rules!r}: deploy council.yaml with triage.rules_version "
            f"{rules_version!r} first")
    spans, at = [], first
    stop = last + DAY
    while at < stop:
        if per == "day":
            following = at + DAY
        else:
            following = date(at.year + (at.month == 12), at.month % 12 + 1, 1)
        following = min(following, stop)
        spans.append((_midnight(at), _midnight(following)))
        at = following
    return spans


def _midnight(day: date) -> datetime:
    return datetime.combine(day, time(0), tzinfo=UTC)


def reprocess_span(engine: Engine, config, start: datetime, end: datetime) -> dict:
    """Re-process (start, end] a day per transaction, in this one process.

    Validation, storing and triage under the configured rules version, exactly as
    the hourly runs do. It opens no response cases (history is not a queue) and
    emits no asset events. Each day's accounting row replaces the hourly rows
    inside it. Returns the totals over the span.
    """
    # Imported here: planning and summing stay light (no pandas, no Great Expectations).
    from council_social.pipeline.process import process_interval

    totals = dict.fromkeys(("days", *TOTALS), 0)
    at = start
    while at < end:
        day_end = min(at + DAY, end)
        row = process_interval(engine, config, at, day_end, supersede_contained=True)
        totals["days"] += 1
        for key in TOTALS:
            totals[key] += row[key]
        at = day_end
    return totals


def add_totals(parts: list[dict]) -> dict:
    out = dict.fromkeys(("days", *TOTALS), 0)
    for part in parts:
        for key in out:
            out[key] += part.get(key, 0)
    return out


def summary_line(start, end, rules_version: str, totals: dict) -> str:
    return (f"reprocessed {_date(start, 'from')} .. {_date(end, 'to')} under rules "
            f"{rules_version}: {totals['days']} days, {totals['raw_pages']} raw pages, "
            f"{totals['records']} records, {totals['stored']} stored, "
            f"{totals['duplicates']} duplicates, {totals['quarantined']} quarantined")

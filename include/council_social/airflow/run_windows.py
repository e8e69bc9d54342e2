"""Which data a run owns when Airflow gives it no data interval.

A run triggered with no logical date (the UI's Trigger button, `airflow dags trigger`)
has no data interval. Each DAG says in its `default_args(manual_run=...)` what such a run
owns; nothing here looks at a DAG's tags.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, tzinfo
from enum import StrEnum

log = logging.getLogger(__name__)


class ManualRun(StrEnum):
    """What a run with no logical date owns."""

    LAST_PERIOD = "last_period"  # the schedule's last complete period (Airflow's own rule)
    UNTIL_NOW = "until_now"  # the part of the current period already past (ingest: up to the click)
    OWN_WINDOW = "own_window"  # the task finds its own window (process_items, reprocess)


def is_manual_without_interval(context) -> bool:
    run = context.get("dag_run")
    run_type = getattr(getattr(run, "run_type", None), "value", getattr(run, "run_type", None))
    return run is not None and run_type == "manual" and context.get("data_interval_end") is None


def _zone(timezone) -> tzinfo:
    if isinstance(timezone, str):
        from zoneinfo import ZoneInfo

        return ZoneInfo(timezone)
    return timezone  # pendulum's Timezone is a ZoneInfo; FixedTimezone a tzinfo


def _fire_time(expression: str, zone: tzinfo, at: datetime, *, forward: bool) -> datetime:
    """The cron's next (or previous) fire time strictly after (before) `at`, in UTC.

    croniter works on wall-clock times: the step is taken in the cron's zone. A cron that
    fires every hour steps by elapsed time instead, so the hour repeated when the clocks
    go back is not skipped (what Airflow's own cron timetables do).
    """
    from croniter import croniter

    local = at.astimezone(zone)
    naive = local.replace(tzinfo=None)
    cron = croniter(expression, naive)
    fired = cron.get_next(datetime) if forward else cron.get_prev(datetime)
    if cron.expanded[1] == ["*"]:
        return at.astimezone(UTC) + (fired - naive)
    return fired.replace(tzinfo=zone).astimezone(UTC)


def manual_interval(expression: str, timezone, run_after: datetime, *,
                    until_now: bool) -> tuple[datetime, datetime]:
    """The window a manual run with no logical date owns under a cron data-interval schedule.

    The last complete period (the period Airflow itself gives a manual run with a logical
    date); with `until_now` the part of the current period already past instead, so an
    ingest reaches up to the moment of the click.
    """
    zone = _zone(timezone)
    end = _fire_time(expression, zone, run_after, forward=False)
    if _fire_time(expression, zone, end, forward=True) == run_after:
        end = run_after  # clicked on a period's edge: the period that just ended
    if until_now and end < run_after:
        return end, run_after
    return _fire_time(expression, zone, end, forward=False), end


def _fill(context, *, until_now: bool) -> None:
    if not is_manual_without_interval(context):
        return
    from airflow.sdk import CronDataIntervalTimetable

    timetable = context["dag"].timetable
    timetable = getattr(timetable, "timetable", timetable)  # the time half of an asset-or-time schedule
    if not isinstance(timetable, CronDataIntervalTimetable):
        return  # a trigger or no schedule has no periods to own; its tasks use none
    start, end = manual_interval(timetable.expression, timetable.timezone,
                                 context["dag_run"].run_after, until_now=until_now)
    log.info("manual run with no logical date: owning %s .. %s", start.isoformat(), end.isoformat())
    context["data_interval_start"], context["data_interval_end"] = start, end


def own_last_period(context) -> None:
    """pre_execute hook (ManualRun.LAST_PERIOD). The run keeps logical date None, so it
    never takes a scheduled slot's place."""
    _fill(context, until_now=False)


def own_until_now(context) -> None:
    """pre_execute hook (ManualRun.UNTIL_NOW)."""
    _fill(context, until_now=True)


PRE_EXECUTE = {ManualRun.LAST_PERIOD: own_last_period, ManualRun.UNTIL_NOW: own_until_now,
               ManualRun.OWN_WINDOW: None}


def unprocessed_window():
    """(first, last) ingest interval bound of the raw pages no run has processed, or None."""
    from council_social.airflow.connections import engine
    from council_social.pipeline.claims import unprocessed_window as find

    with engine().connect() as conn:
        return find(conn)


def process_window(context) -> tuple[datetime, datetime]:
    """The raw-page window a process_items run owns.

    Time-scheduled and backfill runs own their data interval. A run triggered
    by new raw pages owns the ingest intervals named in the triggering events
    and any raw page no run has processed yet. A manual run with no logical date
    owns the raw pages no run has processed yet, and is skipped when there are none.
    """
    start, end = context.get("data_interval_start"), context.get("data_interval_end")
    if start is not None and end is not None and start < end:
        return start, end
    bounds = [
        (datetime.fromisoformat(e.extra["interval_start"]), datetime.fromisoformat(e.extra["interval_end"]))
        for events in (context.get("triggering_asset_events") or {}).values()
        for e in events
        if e.extra and "interval_start" in e.extra
    ]
    if not bounds and is_manual_without_interval(context):
        from airflow.sdk.exceptions import AirflowSkipException

        window = unprocessed_window()
        if window is None:
            raise AirflowSkipException("no raw pages are waiting to be processed")
        return window
    if not bounds:
        raise RuntimeError("process_items run has neither a data interval nor asset events to own")
    # Events that land while a run waits (max_active_runs) can miss their own run until
    # the next event arrives: an asset-triggered run also takes any page still waiting.
    pending = unprocessed_window()
    if pending is not None:
        bounds.append(pending)
    return min(b[0] for b in bounds), max(b[1] for b in bounds)

"""Home: what needs doing now, each figure with the link to its filtered view.

Every section reads its own capability's tables; a capability missing here
shows as unavailable instead of failing the page.
"""

from __future__ import annotations

from datetime import datetime, time, timedelta
from urllib.parse import urlencode

from council_social.views import queries
from council_social.views.availability import Unavailable, need

CRITICAL_DAYS = 7  # critical items from the last week that need an answer and have none
ALERT_DAYS = 7  # alerts raised in the last week are "open"
QUARANTINE_HOURS = 24


def _link(path: str, **params) -> str:
    query = urlencode({k: v for k, v in params.items() if v not in (None, "", False)})
    return f"{path}?{query}" if query else path


def _section(conn, build, *args):
    try:
        return build(conn, *args)
    except Unavailable as exc:
        return {"unavailable": str(exc)}


def _cases(conn, config, now: datetime) -> dict:
    need(conn, ("council_social.cases.tables",), ("cases",))
    local = now.astimezone(config.tz)
    day_end = datetime.combine(local.date() + timedelta(days=1), time(0), config.tz)
    rows = queries.cases_due_by_team(conn, now, day_end)
    teams = [{**r, "link": _link("/cases", team=r["team"]),
              "overdue_link": _link("/cases", team=r["team"], overdue="true")} for r in rows]
    return {"teams": teams, "overdue": sum(t["overdue"] for t in teams),
            "due_today": sum(t["due_today"] for t in teams), "link": "/cases"}


def _critical(conn, config, now: datetime) -> dict:
    """Critical items of the last CRITICAL_DAYS local days that need an answer and have none:
    exactly the rows of the queue's link (its filters, one query)."""
    need(conn, ("council_social.triage.tables", "council_social.cases.tables"),
         ("triage_decisions", "cases"))
    from council_social.views.triage_queue import TriageFilter

    first_day = now.astimezone(config.tz).date() - timedelta(days=CRITICAL_DAYS - 1)
    queue = TriageFilter(critical=True, unanswered=True, date_from=first_day, limit=20)
    rows = queries.list_decisions(conn, config, queue)
    items = []
    for r in rows:
        day = r["item_created_at"].astimezone(config.tz).date()
        items.append({**r, "link": _link("/triage", platform=r["platform"], date_from=day, date_to=day)
                      + f"#d-{r['platform']}-{r['external_id']}"})
    link = _link("/triage", critical="true", unanswered="true", date_from=first_day.isoformat())
    return {"count": queries.count_decisions(conn, config, queue), "rows": items, "link": link}


def _alerts(conn, config, now: datetime) -> dict:
    need(conn, ("council_social.reports.tables",), ("alerts",))
    rows = queries.alerts_since(conn, now - timedelta(days=ALERT_DAYS))
    kinds: dict[str, int] = {}
    for r in rows:
        kinds[r["kind"]] = kinds.get(r["kind"], 0) + 1
    return {"count": len(rows), "by_kind": kinds, "rows": rows[:10], "link": "/reports#alerts"}


def _foi(conn, config, now: datetime) -> dict:
    need(conn, ("council_social.cases.tables",), ("cases",))
    local = now.astimezone(config.tz).date()
    monday = local - timedelta(days=local.weekday())
    week_end = datetime.combine(monday + timedelta(days=7), time(0), config.tz)
    rows = queries.foi_due_before(conn, week_end)
    return {"count": len(rows), "overdue": sum(r["due_at"] < now for r in rows),
            "rows": rows[:10], "link": _link("/cases", team=config.cases.foi_team) + "#foi"}


def _approvals(conn, config, now: datetime) -> dict:
    need(conn, ("council_social.grid.approvals",), ("planner_entries", "planner_audit"))
    from council_social.grid.approvals import waiting

    rows = waiting(conn)
    return {"count": len(rows), "rows": rows[:10], "link": "/grid#approvals"}


def stale_after(schedule: str, at: datetime) -> timedelta:
    """Two of the channel's schedule periods: one missed run is late, two are stale."""
    from croniter import croniter

    it = croniter(schedule, at)
    first = it.get_next(datetime)
    return 2 * (it.get_next(datetime) - first)


def _channels(conn, config, now: datetime) -> dict:
    last = queries.last_complete_fetches(conn)
    out = []
    for platform, settings in config.channels.configured().items():
        limit = stale_after(settings.schedule, now)
        for source in config.sources_for(platform):
            when = last.get((platform, source.key))
            age = now - when if when else None
            out.append({"platform": platform, "account": source.key, "last_ok": when,
                        "age_minutes": int(age.total_seconds() // 60) if age is not None else None,
                        "stale": age is None or age > limit,
                        "stale_after_minutes": int(limit.total_seconds() // 60)})
    return {"channels": out, "stale": sum(c["stale"] for c in out),
            "link": _link("/archive", platform=None)}


def _quarantine(conn, config, now: datetime) -> dict:
    since = now - timedelta(hours=QUARANTINE_HOURS)
    return {"records": queries.quarantined_since(conn, since),
            "by_reason": [{"reason": r["reason"], "count": r["n"],
                           "link": _link("/quarantine", reason=r["reason"])}
                          for r in queries.quarantine_reasons_since(conn, since)],
            "link": "/quarantine"}


def _verify(conn, config, now: datetime) -> dict:
    need(conn, ("council_social.archive.verify_log",), ("archive_verify_runs",))
    from council_social.archive.verify_log import last_run

    run = last_run(conn)
    if run is None:
        return {"last": None, "link": "/archive"}
    age = now - run["verified_at"]
    return {"last": run, "age_hours": round(age.total_seconds() / 3600, 1), "link": "/archive"}


def _accounts(conn, config, now: datetime) -> dict:
    need(conn, ("council_social.governance.tables",), ("account_requests", "account_registry"))
    from council_social.governance.accounts import pending_count

    return {"pending_requests": pending_count(conn), "link": "/accounts"}


def home_view(conn, config, now: datetime) -> dict:
    return {
        "as_of": now,
        "cases": _section(conn, _cases, config, now),
        "critical_unanswered": _section(conn, _critical, config, now),
        "alerts": _section(conn, _alerts, config, now),
        "foi_this_week": _section(conn, _foi, config, now),
        "awaiting_approval": _section(conn, _approvals, config, now),
        "channels": _section(conn, _channels, config, now),
        "quarantined_last_day": _section(conn, _quarantine, config, now),
        "archive_verify": _section(conn, _verify, config, now),
        "accounts": _section(conn, _accounts, config, now),
    }


def quarantine_rows(conn, now: datetime, reason: str | None, limit: int = 200) -> list[dict]:
    """The last day's quarantined records, optionally those with one reason."""
    return queries.quarantine_rows(conn, now - timedelta(hours=QUARANTINE_HOURS), reason, limit)

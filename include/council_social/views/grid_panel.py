"""Grid: the current and next fortnight as last built, what could not be placed and why,
and the pre-election (purdah) flag per day."""

from __future__ import annotations

from datetime import date, timedelta

from council_social.views import queries
from council_social.views.availability import need

MODULES = ("council_social.grid.tables",)
TABLES = ("grid_publications", "grid_slots", "planner_entries", "planner_audit")
GRID_DAYS = 14


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def grid_view(conn, config, today: date) -> dict:
    need(conn, MODULES, TABLES)
    current = _monday(today)
    fortnights = []
    for label, start in (("current fortnight", current), ("next fortnight", current + timedelta(days=GRID_DAYS))):
        pub = queries.latest_publication(conn, start)
        slots = queries.slots_with_entries(conn, start, pub["built_for"]) if pub is not None else []
        days = []
        for n in range(GRID_DAYS):
            day = start + timedelta(days=n)
            period = config.grid.pre_election_on(day)
            days.append({"day": day, "pre_election": period.name if period else None})
        fortnights.append({
            "label": label, "start": start, "end": start + timedelta(days=GRID_DAYS - 1),
            "built_for": pub["built_for"] if pub else None,
            "placed": [s for s in slots if s["state"] in ("placed", "published")],
            "unplaced": [s for s in slots if s["state"] in ("unplaced", "held")],
            "days": days,
            "pre_election": sorted({d["pre_election"] for d in days if d["pre_election"]}),
        })
    from council_social.grid.approvals import audit, waiting

    return {"fortnights": fortnights, "waiting": waiting(conn), "audit": audit(conn, limit=20)}

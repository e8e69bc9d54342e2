"""Grid: the current and next fortnight as last built, what could not be placed and why,
and the pre-election (purdah) flag per day."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import text

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
        pub = conn.execute(text(
            "SELECT * FROM social.grid_publications WHERE grid_start = :s ORDER BY built_for DESC LIMIT 1"
        ), {"s": start}).mappings().first()
        slots = []
        if pub is not None:
            slots = [dict(r) for r in conn.execute(text("""
                SELECT s.*, e.title, e.priority, e.campaign, e.essential
                FROM social.grid_slots s LEFT JOIN social.planner_entries e ON e.key = s.entry_key
                WHERE s.grid_start = :s AND s.built_for = :b
                ORDER BY s.slot_at NULLS LAST, s.account_key, s.entry_key
            """), {"s": start, "b": pub["built_for"]}).mappings()]
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

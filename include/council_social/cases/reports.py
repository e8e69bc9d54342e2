"""How fast the council answers: response-time p50/p90 per kind and week, against targets.

A case belongs to the local (Monday-based) week in which it was received. Its
outcome is decided once it has a response or its deadline has passed by
`as_of`; the share within target is responded-by-the-deadline over decided.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text


def target_label(target) -> str:
    if target.working_days is not None:
        return f"{target.working_days} working days"
    clock = "" if target.clock_runs_out_of_hours else " (office hours)"
    return f"{target.hours:g} h{clock}"


def response_times(conn, config, start: datetime, end: datetime, as_of: datetime) -> list[dict]:
    """One row per (week, kind) for cases received in [start, end)."""
    rows = conn.execute(text("""
        SELECT (date_trunc('week', c.opened_at AT TIME ZONE :tz))::date AS week,
               c.kind,
               count(*) AS cases,
               count(c.responded_at) AS responded,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM c.responded_at - c.opened_at) / 3600) AS p50_hours,
               percentile_cont(0.9) WITHIN GROUP (
                   ORDER BY extract(epoch FROM c.responded_at - c.opened_at) / 3600) AS p90_hours,
               count(*) FILTER (WHERE c.responded_at <= c.due_at) AS within_target,
               count(*) FILTER (WHERE c.responded_at IS NOT NULL OR c.due_at <= :as_of) AS decided
        FROM social.cases c
        WHERE c.opened_at >= :start AND c.opened_at < :end
        GROUP BY 1, 2
        ORDER BY 1, 2
    """), {"tz": config.council.timezone, "start": start, "end": end, "as_of": as_of}).mappings()
    out = []
    for r in rows:
        target = config.response_targets[r["kind"]]
        out.append({
            "week": r["week"].isoformat(),
            "kind": r["kind"],
            "target": target_label(target),
            "target_hours": target.hours,
            "cases": r["cases"],
            "responded": r["responded"],
            "p50_hours": None if r["p50_hours"] is None else round(float(r["p50_hours"]), 2),
            "p90_hours": None if r["p90_hours"] is None else round(float(r["p90_hours"]), 2),
            "within_target": r["within_target"],
            "decided": r["decided"],
            "share_within_target": (round(r["within_target"] / r["decided"], 4)
                                    if r["decided"] else None),
        })
    return out

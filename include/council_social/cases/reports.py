"""How fast the council answers: response-time p50/p90 per kind and week, against targets.

A case belongs to the local (Monday-based) week in which it was received. Its
outcome is decided once it has a response or its deadline has passed by
`as_of`; the share within target is responded-by-the-deadline over decided.
"""

from __future__ import annotations

from datetime import datetime

from council_social.cases.repo import reading


def target_label(target) -> str:
    if target.working_days is not None:
        return f"{target.working_days} working days"
    clock = "" if target.clock_runs_out_of_hours else " (office hours)"
    return f"{target.hours:g} h{clock}"


def response_times(conn, config, start: datetime, end: datetime, as_of: datetime) -> list[dict]:
    """One row per (week, kind) for cases received in [start, end)."""
    rows = reading.response_times(conn, config.council.timezone, start, end, as_of)
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

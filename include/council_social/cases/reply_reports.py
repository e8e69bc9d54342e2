"""The weekly report's replies section: where the council answered, holding or substantive,
time to first response per team, and the channel shift (self-service links) per service.

Cases count in the week they were received (as cases.reports does); replies count in
the week they were sent. "From the platform" is a first response made in the thread
(a reply sent from the case, or one response_watch saw there); "elsewhere" is one an
officer recorded with `cases respond` (phone, e-mail, DM...).
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import text


def _hours(value) -> float | None:
    return None if value is None else round(float(value), 2)


def reply_figures(conn, config, start: datetime, end: datetime) -> dict:
    window = {"start": start, "end": end}
    where = conn.execute(text("""
        SELECT count(*) FILTER (WHERE response_channel = 'thread') AS platform,
               count(*) FILTER (WHERE response_channel IS NOT NULL
                                  AND response_channel <> 'thread') AS elsewhere,
               count(*) FILTER (WHERE responded_at IS NULL) AS not_yet
        FROM social.cases WHERE opened_at >= :start AND opened_at < :end
    """), window).mappings().one()
    kinds = conn.execute(text("""
        SELECT count(*) FILTER (WHERE holding) AS holding,
               count(*) FILTER (WHERE NOT holding) AS substantive
        FROM social.case_replies WHERE status = 'sent' AND sent_at >= :start AND sent_at < :end
    """), window).mappings().one()
    teams = conn.execute(text("""
        SELECT team, count(*) AS cases, count(responded_at) AS responded,
               percentile_cont(0.5) WITHIN GROUP (
                   ORDER BY extract(epoch FROM responded_at - opened_at) / 3600) AS p50_hours,
               percentile_cont(0.9) WITHIN GROUP (
                   ORDER BY extract(epoch FROM responded_at - opened_at) / 3600) AS p90_hours
        FROM social.cases WHERE opened_at >= :start AND opened_at < :end
        GROUP BY team ORDER BY team
    """), window).mappings().all()
    # The service a reply speaks for: its saved reply's, else the case's team.
    saved_service = {s.key: s.service for s in config.cases.saved_replies}
    sent = conn.execute(text("""
        SELECT r.saved_key, r.link, c.team
        FROM social.case_replies r JOIN social.cases c ON c.id = r.case_id
        WHERE r.status = 'sent' AND r.sent_at >= :start AND r.sent_at < :end
    """), window).mappings().all()
    services: dict[str, list[int]] = {}
    for r in sent:
        service = saved_service.get(r["saved_key"] or "", r["team"])
        counts = services.setdefault(service, [0, 0])
        counts[0] += 1
        counts[1] += r["link"] is not None
    return {
        "first_response": {"platform": where["platform"], "elsewhere": where["elsewhere"],
                           "not_yet": where["not_yet"]},
        "sent": {"holding": kinds["holding"], "substantive": kinds["substantive"]},
        "teams": [{"team": t["team"], "cases": t["cases"], "responded": t["responded"],
                   "p50_hours": _hours(t["p50_hours"]), "p90_hours": _hours(t["p90_hours"])}
                  for t in teams],
        "self_service": [{"service": s, "replies": n, "with_link": k,
                          "share": round(k / n, 3) if n else None}
                         for s, (n, k) in sorted(services.items())],
    }

"""The weekly report's replies section: where the council answered, holding or substantive,
time to first response per team, and the channel shift (self-service links) per service.

Cases count in the week they were received (as cases.reports does); replies count in
the week they were sent. "From the platform" is a first response made in the thread
(a reply sent from the case, or one response_watch saw there); "elsewhere" is one an
officer recorded with `cases respond` (phone, e-mail, DM...).
"""

from __future__ import annotations

from datetime import datetime

from council_social.cases.repo import replies as repo


def _hours(value) -> float | None:
    return None if value is None else round(float(value), 2)


def reply_figures(conn, config, start: datetime, end: datetime) -> dict:
    where = repo.first_responses(conn, start, end)
    kinds = repo.sent_kinds(conn, start, end)
    teams = repo.team_response_times(conn, start, end)
    # The service a reply speaks for: its saved reply's, else the case's team.
    saved_service = {s.key: s.service for s in config.cases.saved_replies}
    sent = repo.sent_replies(conn, start, end)
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

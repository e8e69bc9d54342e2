"""Cases: open and overdue cases by team with time left, the FoI register, a case's history,
and recording a reply an officer made elsewhere (phone, email, another account)."""

from __future__ import annotations

from datetime import datetime

from council_social.views import queries
from council_social.views.availability import Unavailable, need

MODULES = ("council_social.cases.tables", "council_social.cases.watch", "council_social.cases.queries",
           "council_social.cases.foi", "council_social.cases.detail", "council_social.cases.allocate")
TABLES = ("cases", "case_events")
OPEN_STATUSES = ["open", "overdue", "escalated"]


def _time_left(due_at: datetime, now: datetime) -> str:
    seconds = int((due_at - now).total_seconds())
    sign = "" if seconds >= 0 else "overdue by "
    seconds = abs(seconds)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    parts = (f"{days}d " if days else "") + f"{hours}h {minutes:02d}m"
    return sign + parts


def cases_view(conn, config, now: datetime, team: str | None = None, overdue_only: bool = False,
               backlog: bool = False) -> dict:
    need(conn, MODULES, TABLES)
    from council_social.cases.foi import register
    from council_social.cases.queries import list_cases

    statuses = ["backlog"] if backlog else (None if overdue_only else OPEN_STATUSES)
    rows = list_cases(conn, team=team or None, overdue=overdue_only and not backlog,
                      statuses=statuses)
    by_team: dict[str, list] = {}
    for r in rows:
        r["time_left"] = _time_left(r["due_at"], now)
        r["late"] = r["due_at"] < now
        by_team.setdefault(r["team"], []).append(r)
    return {
        "teams": [{"team": t, "cases": by_team[t], "overdue": sum(c["late"] for c in by_team[t])}
                  for t in sorted(by_team)],
        "foi_register": register(conn, config, now, include_closed=False),
        "backlog": queries.backlog_by_team(conn),
        "as_of": now,
    }


def close_backlog(conn, config, *, team: str | None, reason: str, officer: str,
                  note: str | None, at: datetime) -> int:
    """Close a team's (or every) backlog case with one reason; returns how many."""
    need(conn, MODULES, TABLES)
    from council_social.cases.allocate import close_backlog as close_all

    return len(close_all(conn, config, team=team, reason=reason, officer=officer, note=note, at=at))


def case_history(conn, config, case_id: int) -> dict | None:
    """The case as an officer works it (`cases.detail`), with `events` for older callers."""
    need(conn, MODULES, TABLES)
    from council_social.cases.detail import case_detail

    found = case_detail(conn, config, case_id)
    if found is not None:
        found["events"] = found["history"]
    return found


def allocation_choices(config) -> dict:
    """What the case page's forms offer: officers, teams and close reasons."""
    from council_social.cases.detail import CLOSE_REASONS

    return {
        "officers": [{"name": p.name, "email": p.email, "team": t.name} for p, t in config.officers()],
        "team_choices": [{"key": t.key, "name": t.name} for t in config.teams],
        "close_reasons": CLOSE_REASONS,
    }


def acting_officer(config, chosen: str | None, signed_in: str) -> str:
    """The officer a page action is recorded under: the one chosen on the form, else the
    signed-in user when council.yaml names them. Refused (Refused) otherwise."""
    from council_social.cases.allocate import officer_of

    person, _ = officer_of(config, chosen or signed_in)
    return person.name


def record_reply(conn, case_id: int, *, at: datetime, channel: str, officer: str, note: str | None,
                 now: datetime) -> bool | None:
    """True if recorded, False if the case already had its response, None if no such case.

    TimeRefused if `at` is in the future or before the case opened."""
    need(conn, MODULES, TABLES)
    from council_social.cases.times import check_time
    from council_social.cases.watch import respond

    case = queries.case_status(conn, case_id)
    if case is None:
        return None
    check_time(at, now=now, what="at", not_before=case.opened_at)
    return respond(conn, case_id, status=case.status, at=at, recorded_at=now, actor=f"officer:{officer}",
                   channel=channel, detail={"note": note} if note else {})


__all__ = ["Unavailable", "acting_officer", "allocation_choices", "case_history", "cases_view",
           "record_reply"]

"""Officers allocate cases: take one, hand it on to an officer or a team, or close it because
no reply is owed. Each step is a case event (the case's history and the audit) naming the
officer who took it; only officers named in council.yaml may."""

from __future__ import annotations

from datetime import datetime

from council_social.cases.detail import CLOSE_REASONS
from council_social.cases.events import case_ref, record_event
from council_social.cases.repo import lifecycle as repo
from council_social.cases.watch import BACKLOG, close, lock
from council_social.text_rules import TextRuleError, required_words


class Refused(ValueError):
    """An allocation the rules do not allow; the message says why, in one line."""


def visible_words(value: str | None, what: str) -> str:
    """`value` trimmed, if it says something (not only spaces or a zero-width space)."""
    try:
        return " ".join(required_words(value, what).split())
    except TextRuleError as exc:
        raise Refused(str(exc)) from None


def officer_of(config, who: str):
    try:
        return config.officer(who)
    except KeyError as exc:
        raise Refused(exc.args[0]) from None


def _open_case(conn, case_id: int) -> dict:
    case = repo.get_case(conn, case_id)
    if case is None:
        raise Refused(f"no case {case_id}")
    if case["status"] == "closed":
        raise Refused(f"case {case_ref(case['kind'], case_id)} is already closed")
    return dict(case)


def resolve_assignee(config, to: str):
    """A team key (its lead officer takes it) or an officer's name or e-mail -> (person, team)."""
    try:
        team = config.team(to.strip())
        return team.lead_officer, team
    except KeyError:
        pass
    try:
        return config.officer(to)
    except KeyError:
        raise Refused(f"--to {to!r} is neither a team nor an officer in council.yaml; teams are: "
                      + ", ".join(t.key for t in config.teams)) from None


def assign(conn, config, case_id: int, *, to: str, officer: str, note: str | None,
           at: datetime) -> str:
    """Give the case to an officer (their team owns it from now) or to a team's lead."""
    by, _ = officer_of(config, officer)
    note = visible_words(note, "--note") if note is not None else None
    person, team = resolve_assignee(config, to)
    lock(conn)
    case = _open_case(conn, case_id)
    if case["assignee"].casefold() == person.email.casefold() and case["team"] == team.key:
        raise Refused(f"case {case_ref(case['kind'], case_id)} is already with {person.name}")
    record_event(conn, case_id, "assigned", at=at, recorded_at=at, actor=f"officer:{by.name}",
                 from_status=case["status"], to_status=case["status"],
                 detail={"to": person.email, "to_name": person.name, "team": team.key,
                         "from": case["assignee"], "from_team": case["team"], "note": note})
    repo.set_assignee(conn, case_id, email=person.email, name=person.name, team=team.key, at=at)
    return f"assigned to {person.name} ({team.name})"


def close_with_reason(conn, config, case_id: int, *, reason: str, officer: str,
                      note: str | None, at: datetime) -> str:
    by, _ = officer_of(config, officer)
    if reason not in CLOSE_REASONS:
        raise Refused(f"--reason {reason!r} is not one of: {', '.join(CLOSE_REASONS)}")
    note = visible_words(note, "--note") if note is not None else None
    lock(conn)
    case = _open_case(conn, case_id)
    close(conn, case_id, status=case["status"], at=at, recorded_at=at, actor=f"officer:{by.name}",
          detail={"reason": reason, "note": note})
    return f"closed: {CLOSE_REASONS[reason]}"


def close_backlog(conn, config, *, team: str | None, reason: str, officer: str,
                  note: str | None, at: datetime) -> list[tuple[str, str]]:
    """Close a team's (or every) backlog case with one reason, oldest first: the CLI's
    `cases close --backlog` and the cases page's button. (case ref, what was done) per case."""
    return [(case_ref(kind, case_id),
             close_with_reason(conn, config, case_id, reason=reason, officer=officer, note=note, at=at))
            for case_id, kind in repo.cases_in_status(conn, BACKLOG, team)]

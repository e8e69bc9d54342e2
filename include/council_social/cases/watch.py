"""The watch over response cases: opened from triage, answered, overdue, escalated, closed.

`watch(engine, config, start, end)` is response_watch's whole job and uses the
data interval end as "now": it opens cases from triage decisions, detects
council replies in the thread, marks cases overdue and escalates them (the
team's lead officer at the deadline, the head of communications at twice the
target) and sends FoI reminders. Who owns a case is `cases.routing`; listing
them is `cases.queries`. Each once-only step is a `case_events` row
with a unique `once_key`, so a rerun of any interval changes nothing.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from council_social.cases.calendar import WorkingCalendar
from council_social.cases.events import ACTOR, record_event
from council_social.cases.repo import lifecycle as repo
from council_social.cases.routing import (
    FLAG_KINDS,
    OUTCOME_KINDS,
    case_kind_for,
    closes_case,
    council_accounts,
    owning_team,
)

# Statuses still waiting for a first response.
AWAITING = ("open", "overdue", "escalated")
# A promise made before the watch began: listed for the team, on no clock, paging nobody.
BACKLOG = "backlog"
# Their deadlines are the law's, counted from receipt whether or not anyone was watching.
CLOCK_FROM_RECEIPT = ("foi", "emergency")
LEAD_OFFICER = "lead_officer"
HEAD_OF_COMMS = "head_of_communications"
OPEN_FROM_MARK = "cases_open_from"


def current_rules_version(config) -> str | None:
    """The triage rules version in force, if the config names one yet."""
    triage = getattr(config, "triage", None)
    version = getattr(triage, "rules_version", None)
    return str(version) if version else None


@dataclass
class WatchResult:
    now: datetime
    opened: Counter = field(default_factory=Counter)
    backlog: Counter = field(default_factory=Counter)
    responded: Counter = field(default_factory=Counter)
    closed: Counter = field(default_factory=Counter)
    acknowledged: Counter = field(default_factory=Counter)
    overdue: Counter = field(default_factory=Counter)
    escalated: Counter = field(default_factory=Counter)
    reminders: Counter = field(default_factory=Counter)
    decisions_seen: int = 0

    def as_dict(self) -> dict:
        keys = ("opened", "backlog", "responded", "closed", "acknowledged", "overdue", "escalated", "reminders")
        return {
            "now": self.now.isoformat(),
            "decisions_seen": self.decisions_seen,
            **{k: sum(getattr(self, k).values()) for k in keys},
            "by_team": {
                team: {k: getattr(self, k)[team] for k in keys}
                for team in sorted(set().union(*(getattr(self, k) for k in keys)))
            },
        }


def watch(engine, config, start: datetime, end: datetime) -> WatchResult:
    """One response_watch interval, in one transaction; `end` is "now"."""
    calendar = WorkingCalendar.from_config(config)
    result = WatchResult(now=end)
    with engine.begin() as conn:
        lock(conn)
        # The first run ever marks when the deployment began watching.
        mark_open_from(conn, start, end)
        open_cases(conn, config, calendar, end, result)
        detect_replies(conn, config, end, result)
        mark_overdue(conn, config, end, result)
        from council_social.cases.foi import send_reminders

        send_reminders(conn, config, calendar, end, result)
    return result


def lock(conn) -> None:
    """Serialise response_watch runs and officers' commands on the same cases."""
    repo.lock(conn)


# --- opening -----------------------------------------------------------------------------


def mark_open_from(conn, at: datetime, recorded_at: datetime) -> datetime:
    """Store `at` as the moment cases start opening unless one is stored; return the stored one."""
    repo.add_mark(conn, OPEN_FROM_MARK, at, recorded_at)
    return stored_open_from(conn)


def stored_open_from(conn) -> datetime | None:
    return repo.mark(conn, OPEN_FROM_MARK)


def open_from(conn, config) -> datetime | None:
    """Items received at or before this open no case: `cases.open_from`, else the stored
    start of the first response_watch run."""
    return config.cases.open_from or stored_open_from(conn)


def _decisions(conn, config, now: datetime):
    """Each item's ruling decision that promises a reply and has no case yet."""
    return repo.decisions_without_case(conn, now=now, outcomes=list(OUTCOME_KINDS),
                                       flags=list(FLAG_KINDS),
                                       rules_version=current_rules_version(config))


def watched_from(conn, config, now: datetime) -> datetime:
    """Items received from here on open live cases; older ones are history."""
    since = now - timedelta(days=config.cases.open_lookback_days)
    start = open_from(conn, config)
    return max(start, since) if start else since


def open_cases(conn, config, calendar: WorkingCalendar, now: datetime, result: WatchResult) -> None:
    """One case per item that promises a reply.

    Items received since the watch began open live cases. History (before `open_from`, or
    older than `open_lookback_days`) pages nobody, but is never left without a case: an FoI
    request or an emergency opens a live case whose clock ran from receipt (overdue at
    once if its deadline has passed); any other promise opens a `backlog` case, for the team
    to answer or close with a reason.
    """
    enabled = set(config.cases.kinds)
    decisions = _decisions(conn, config, now)
    result.decisions_seen = len(decisions)
    live_from = watched_from(conn, config, now)
    for d in decisions:
        kind, carried = case_kind_for(d["outcome"], d["flags"], enabled)
        if kind is None:
            continue
        received = d["item_created_at"]
        backlog = received < live_from and kind not in CLOCK_FROM_RECEIPT
        target = config.response_targets[kind]
        team = owning_team(config, kind, d["department"])
        case_id = repo.add_case(conn, dict(
            platform=d["platform"], external_id=d["external_id"], kind=kind,
            team=team.key, department=d["department"],
            assignee=team.lead_officer.email, assignee_name=team.lead_officer.name,
            rules_version=d["rules_version"], outcome=d["outcome"],
            flags=list(d["flags"] or []),
            opened_at=received,
            due_at=calendar.deadline(target, received),
            escalate_at=calendar.deadline(
                target, received, config.cases.second_escalation_factor),
            status=BACKLOG if backlog else "open", recorded_at=now, updated_at=now,
            details={
                "foi_valid": d["foi_valid"], "topic": d["topic"],
                "author_external_id": d["author_external_id"],
                "conversation_id": d["conversation_id"], "url": d["url"],
                "carries": [
                    {"kind": k, "due_at": calendar.deadline(
                        config.response_targets[k], received).isoformat()}
                    for k in carried],
            },
        ))
        if case_id is None:
            continue
        record_event(conn, case_id, BACKLOG if backlog else "opened", at=received,
                     recorded_at=now, actor=ACTOR, to_status=BACKLOG if backlog else "open",
                     once_key="opened",
                     detail={"rules_version": d["rules_version"], "outcome": d["outcome"],
                             "team": team.key, "assignee": team.lead_officer.email,
                             "carries": carried})
        (result.backlog if backlog else result.opened)[team.key] += 1


# --- replies -----------------------------------------------------------------------------


def _thread_replies(conn, config, now: datetime):
    accounts = council_accounts(config)
    if not accounts:
        return []
    # A council reply to the case's item, or to its author in the same conversation.
    rows = repo.thread_replies(conn, sorted({x for _, x in accounts}), now)
    return [r for r in rows if (r["platform"], r["author_external_id"]) in accounts]


def detect_replies(conn, config, now: datetime, result: WatchResult) -> None:
    accounts = council_accounts(config)
    for r in _thread_replies(conn, config, now):
        account = accounts[(r["platform"], r["author_external_id"])]
        state = repo.response_state(conn, r["id"])
        if state.status == "closed":
            continue
        actor = f"account:{account.key}"
        detail = {"reply_external_id": r["reply_id"], "account": account.key}
        if r["kind"] == "foi":
            # A tweet cannot carry an FoI answer: a thread reply is the acknowledgement only.
            if record_event(conn, r["id"], "acknowledged", at=r["created_at"], recorded_at=now,
                            actor=actor, once_key="acknowledged", detail=detail):
                result.acknowledged[r["team"]] += 1
            continue
        status = state.status
        if state.responded_at is None:
            closing = closes_case(config, r["kind"], r["team"], account)
            respond(conn, r["id"], status=status, at=r["created_at"], recorded_at=now, actor=actor,
                    channel="thread", detail=detail)
            result.responded[r["team"]] += 1
            status = "responded"
            if closing:
                close(conn, r["id"], status=status, at=r["created_at"], recorded_at=now,
                      actor=actor, detail=detail)
                result.closed[r["team"]] += 1
        elif closes_case(config, r["kind"], r["team"], account):
            close(conn, r["id"], status=status, at=r["created_at"], recorded_at=now, actor=actor,
                  detail=detail)
            result.closed[r["team"]] += 1


def respond(conn, case_id: int, *, status: str, at: datetime, recorded_at: datetime, actor: str,
            channel: str, detail: dict) -> bool:
    """Record the first response: status responded, with its time, author and channel."""
    if not record_event(conn, case_id, "responded", at=at, recorded_at=recorded_at, actor=actor,
                        from_status=status, to_status="responded", once_key="responded",
                        detail={**detail, "channel": channel}):
        return False
    repo.set_responded(conn, case_id, at=at, actor=actor, channel=channel, recorded_at=recorded_at)
    return True


def close(conn, case_id: int, *, status: str, at: datetime, recorded_at: datetime, actor: str,
          detail: dict) -> bool:
    if not record_event(conn, case_id, "closed", at=at, recorded_at=recorded_at, actor=actor,
                        from_status=status, to_status="closed", once_key="closed", detail=detail):
        return False
    repo.set_closed(conn, case_id, at=at, recorded_at=recorded_at)
    return True


# --- clocks ------------------------------------------------------------------------------


def mark_overdue(conn, config, now: datetime, result: WatchResult) -> None:
    head = config.council.head_of_communications
    late = repo.late_cases(conn, AWAITING, now)
    done = repo.once_keys(conn, [c.id for c in late])
    for c in late:
        if {"overdue", f"escalated:{LEAD_OFFICER}", f"escalated:{HEAD_OF_COMMS}"} <= done[c.id] \
                or (c.escalate_at > now
                    and {"overdue", f"escalated:{LEAD_OFFICER}"} <= done[c.id]):
            continue
        status = c.status
        if record_event(conn, c.id, "overdue", at=c.due_at, recorded_at=now, actor=ACTOR,
                        from_status=status, to_status="overdue", once_key="overdue",
                        detail={"due_at": c.due_at.isoformat()}):
            result.overdue[c.team] += 1
            if status == "open":
                repo.set_status(conn, c.id, "overdue", now)
                status = "overdue"
        lead = config.team(c.team).lead_officer
        if record_event(conn, c.id, "escalated", at=c.due_at, recorded_at=now, actor=ACTOR,
                        once_key=f"escalated:{LEAD_OFFICER}",
                        detail={"step": LEAD_OFFICER, "to": lead.email, "name": lead.name}):
            result.escalated[c.team] += 1
        if c.escalate_at <= now and record_event(
            conn, c.id, "escalated", at=c.escalate_at, recorded_at=now, actor=ACTOR,
            from_status=status, to_status="escalated", once_key=f"escalated:{HEAD_OF_COMMS}",
            detail={"step": HEAD_OF_COMMS, "to": head.email, "name": head.name},
        ):
            result.escalated[c.team] += 1
            repo.set_status(conn, c.id, "escalated", now)


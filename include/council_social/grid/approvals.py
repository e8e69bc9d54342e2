"""Approvals before posting, as in Hootsuite: services submit, an approver decides.

A planner file cannot approve anything: an entry it calls `approved` (or
`submitted`) arrives `submitted`, and only an officer listed in
`grid.approvers`, who is not the one who submitted it, moves it to `approved`
(or `rejected`, with a reason). An approved entry whose text, channels or dates
change in a later import needs approval again. Every step goes to
`planner_audit`.
"""

from __future__ import annotations

import dataclasses
from datetime import datetime

from sqlalchemy import Connection, select, update

from council_social.grid.planner import PlannerEntry
from council_social.grid.repo import upsert_entries
from council_social.grid.tables import planner_audit, planner_entries
from council_social.text_rules import TextRuleError, required_words

# What the file may ask for that needs an approver's decision.
ASKS_APPROVAL = ("submitted", "approved", "scheduled")
# Fields an approval is about: changing one after approval needs a new approval.
APPROVED_CONTENT = ("message", "channels", "earliest", "latest")


class ApprovalError(ValueError):
    """The approval step is not allowed; the message says why. `kind`: who (not this officer),
    missing (no such entry) or state (not waiting for approval, or no reason)."""

    def __init__(self, message: str, kind: str = "state"):
        super().__init__(message)
        self.kind = kind


def _arriving(old, entry: PlannerEntry) -> str:
    if entry.status not in ASKS_APPROVAL:
        return entry.status  # draft, withdrawn: the service's call
    if old is None:
        return "submitted"
    if old.status == "published":
        return "published"
    changed = any(list(getattr(old, f)) != list(getattr(entry, f)) if f == "channels"
                  else getattr(old, f) != getattr(entry, f) for f in APPROVED_CONTENT)
    if changed:
        return "submitted"
    if old.status in ("approved", "scheduled"):
        return "approved"  # the store keeps `scheduled` (merged_status)
    if old.status == "rejected":
        return "rejected"
    return "submitted"


def log_step(conn: Connection, entry_key: str, action: str, officer: str, reason: str | None,
             from_status: str | None, to_status: str, at: datetime) -> None:
    conn.execute(planner_audit.insert().values(
        entry_key=entry_key, action=action, officer=officer, reason=reason,
        from_status=from_status, to_status=to_status, at=at))


def submit_entries(conn: Connection, entries: list[PlannerEntry], source: str, at: datetime,
                   submitted_by: str | None = None) -> dict[str, int]:
    """Import entries from a service's planner: they arrive `submitted`, never `approved`."""
    old = {r.key: r for r in conn.execute(select(planner_entries).where(
        planner_entries.c.key.in_([e.key for e in entries])))}
    arriving = [dataclasses.replace(e, status=_arriving(old.get(e.key), e)) for e in entries]
    counts = upsert_entries(conn, arriving, source, at)
    now = {r.key: r.status for r in conn.execute(select(
        planner_entries.c.key, planner_entries.c.status).where(
        planner_entries.c.key.in_([e.key for e in entries])))}
    counts["submitted"] = 0
    for e in arriving:
        before = old[e.key].status if e.key in old else None
        after = now[e.key]
        if after == before:
            continue
        who = submitted_by or e.owner
        reason = (f"changed after approval in {source}; needs approval again"
                  if before in ("approved", "scheduled", "rejected") else f"imported from {source}")
        log_step(conn, e.key, after, who, reason, before, after, at)
        if after == "submitted":
            counts["submitted"] += 1
            conn.execute(update(planner_entries).where(planner_entries.c.key == e.key)
                         .values(submitted_by=who))
    return counts


def _decide(conn: Connection, config, key: str, officer: str, decision: str, reason: str | None,
            at: datetime) -> dict:
    officer = officer.strip()
    approvers = list(config.grid.approvers)
    if officer.casefold() not in {a.casefold() for a in approvers}:
        raise ApprovalError(f"{officer!r} is not an approver; grid.approvers are: "
                            f"{', '.join(approvers) or '(none configured)'}", "who")
    row = conn.execute(select(planner_entries).where(planner_entries.c.key == key)
                       .with_for_update()).first()
    if row is None:
        raise ApprovalError(f"no planner entry with key {key!r}", "missing")
    if row.status != "submitted":
        raise ApprovalError(f"entry {key!r} is {row.status}, not waiting for approval")
    if (row.submitted_by or row.owner).strip().casefold() == officer.casefold():
        raise ApprovalError(f"{officer} submitted entry {key!r}; another approver must decide", "who")
    try:
        if decision == "approved" and not (reason or "").strip():
            reason = None  # optional on approval: a blank one is no reason
        if decision == "rejected" or reason is not None:
            reason = required_words(reason, "the reason")
    except TextRuleError as exc:
        needs = "a rejection needs a reason: " if decision == "rejected" else ""
        raise ApprovalError(f"{needs}{exc}") from None
    conn.execute(update(planner_entries).where(planner_entries.c.key == key,
                                               planner_entries.c.status == "submitted")
                 .values(status=decision))
    log_step(conn, key, decision, officer, reason, "submitted", decision, at)
    return {"entry": key, "title": row.title, "status": decision, "officer": officer,
            "reason": reason}


def approve(conn: Connection, config, key: str, officer: str, at: datetime,
            reason: str | None = None) -> dict:
    return _decide(conn, config, key, officer, "approved", reason, at)


def reject(conn: Connection, config, key: str, officer: str, reason: str, at: datetime) -> dict:
    return _decide(conn, config, key, officer, "rejected", reason, at)


def waiting(conn: Connection) -> list[dict]:
    """Entries waiting for an approver, soonest first."""
    return [dict(r) for r in conn.execute(select(
        planner_entries.c.key, planner_entries.c.title, planner_entries.c.message,
        planner_entries.c.channels, planner_entries.c.earliest, planner_entries.c.latest,
        planner_entries.c.owner, planner_entries.c.submitted_by, planner_entries.c.priority,
    ).where(planner_entries.c.status == "submitted").order_by(
        planner_entries.c.earliest, planner_entries.c.key)).mappings()]


def audit(conn: Connection, entry_key: str | None = None, limit: int = 200) -> list[dict]:
    q = select(planner_audit).order_by(planner_audit.c.at.desc(), planner_audit.c.id.desc())
    if entry_key:
        q = q.where(planner_audit.c.entry_key == entry_key)
    return [dict(r) for r in conn.execute(q.limit(limit)).mappings()]

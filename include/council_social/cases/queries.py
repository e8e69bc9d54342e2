"""The list query over response cases (the cases CLI and the operator view)."""

from __future__ import annotations

from sqlalchemy import select

from council_social.cases.events import case_ref
from council_social.cases.tables import cases


def list_cases(conn, *, team: str | None = None, overdue: bool = False,
               statuses: list[str] | None = None, kind: str | None = None) -> list[dict]:
    query = select(cases).order_by(cases.c.due_at, cases.c.id)
    if team:
        query = query.where(cases.c.team == team)
    if kind:
        query = query.where(cases.c.kind == kind)
    if overdue:
        query = query.where(cases.c.status.in_(("overdue", "escalated")))
    if statuses:
        query = query.where(cases.c.status.in_(statuses))
    rows = [dict(r) for r in conn.execute(query).mappings()]
    for row in rows:
        row["ref"] = case_ref(row["kind"], row["id"])
    return rows

"""The list query over response cases (the cases CLI and the operator view)."""

from __future__ import annotations

from council_social.cases.events import case_ref
from council_social.cases.repo import lifecycle as repo


def list_cases(conn, *, team: str | None = None, overdue: bool = False,
               statuses: list[str] | None = None, kind: str | None = None) -> list[dict]:
    rows = repo.find_cases(conn, team=team, overdue=overdue, statuses=statuses, kind=kind)
    for row in rows:
        row["ref"] = case_ref(row["kind"], row["id"])
    return rows

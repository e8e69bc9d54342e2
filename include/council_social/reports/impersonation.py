"""Accounts that look like the council's, found among the authors first seen on a day.

The name matching itself is triage's rule (`triage.impersonation`), so the
decision flag and the report agree; this module only chooses whom to check.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from council_social.reports.repo import first_seen_authors


@dataclass(frozen=True)
class Lookalike:
    platform: str
    external_id: str
    username: str | None
    display_name: str | None
    resembles: str
    first_item_at: datetime
    items: int


def new_lookalikes(conn, config, start: datetime, end: datetime) -> list[Lookalike]:
    """Authors whose first stored item falls in [start, end) and whose name mimics the council."""
    from council_social.triage.impersonation import ImpersonationCheck

    check = ImpersonationCheck(config.accounts, threshold=config.triage.impersonation_similarity)
    rows = first_seen_authors(conn, start, end)
    found = []
    for platform, ext_id, username, display_name, description, first_at, n in rows:
        suspicious, name = check.check(platform, ext_id, username, display_name, description)
        if suspicious:
            found.append(Lookalike(platform, ext_id, username, display_name, name or "", first_at, n))
    return found

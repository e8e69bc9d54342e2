"""Case references and the case event log, shared by the watch, FoI and the CLI."""

from __future__ import annotations

import re
from datetime import datetime

from council_social.cases.repo import lifecycle as repo

ACTOR = "response_watch"
KIND_CODES = {
    "customer_service": "CS",
    "service_conversation": "SC",
    "escalate_comms": "EC",
    "foi": "FOI",
    "emergency": "EM",
}


def case_ref(kind: str, case_id: int) -> str:
    return f"{KIND_CODES.get(kind, 'C')}-{case_id:06d}"


def parse_case_ref(value: str) -> int:
    """'FOI-000012', 'fo-12' or '12' -> 12."""
    match = re.fullmatch(r"\s*(?:[A-Za-z]+-)?0*(\d+)\s*", value or "")
    if not match:
        raise ValueError(f"{value!r} is not a case reference (e.g. CS-000012 or 12)")
    return int(match.group(1))


def record_event(conn, case_id: int, event: str, *, at: datetime, recorded_at: datetime,
                 actor: str, from_status: str | None = None, to_status: str | None = None,
                 once_key: str | None = None, detail: dict | None = None) -> bool:
    """Append an event; a once-only event that already exists is skipped (returns False)."""
    return repo.add_event(conn, dict(
        case_id=case_id, event=event, at=at, recorded_at=recorded_at, actor=actor,
        from_status=from_status, to_status=to_status, once_key=once_key, detail=detail or {},
    ))

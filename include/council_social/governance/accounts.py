"""Requests for new accounts, their review by the web team, and the account registry.

The strategy's "New social media accounts" asks each request four questions:
who the audience is, what the objectives are, why the service needs its own
account rather than the council's, and its commitment to regular, fresh
content. A request missing any answer is refused whole. The web team reviews;
an approved request joins the registry under its owning team (the service).
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from pathlib import Path

import yaml
from sqlalchemy import Connection, func, select, text, update
from sqlalchemy.dialects.postgresql import insert

from council_social import safe_yaml
from council_social.bounded_read import InputRefused, read_text
from council_social.governance.tables import account_registry, account_requests
from council_social.text_rules import (
    NAME_LIMIT,
    NOTE_LIMIT,
    TextRuleError,
    bounded,
    check_handle,
    has_visible_letters,
    required_words,
)

IDENTITY = ("service", "platform", "handle", "requested_by")
QUESTIONS = ("audience", "objectives", "why_own_account", "content_commitment")
FIELDS = IDENTITY + QUESTIONS
RECENT_DAYS = 28
# Four answers of a few paragraphs each.
REQUEST_LIMIT = 256 * 1024


class RequestError(ValueError):
    """The request cannot be stored or reviewed; `missing` names unanswered fields."""

    def __init__(self, message: str, missing: tuple[str, ...] = ()):
        super().__init__(message)
        self.missing = missing


def read_request(path: str | Path) -> dict:
    """The request's fields from YAML; RequestError naming each missing or empty one."""
    try:
        # A request is a page of answers; no anchors or aliases (they can only expand).
        data = safe_yaml.load(read_text(path, REQUEST_LIMIT), anchors=False)
    except InputRefused as exc:
        raise RequestError(str(exc)) from None
    except yaml.YAMLError as exc:
        raise RequestError(f"{path}: invalid YAML: {getattr(exc, 'problem', None) or exc}") from None
    if not isinstance(data, dict):
        raise RequestError(f"{path}: expected a mapping with the keys {', '.join(FIELDS)}")
    unknown = sorted(set(map(str, data)) - set(FIELDS))
    if unknown:
        raise RequestError(f"{path}: unknown key(s) {', '.join(unknown)}; keys are: {', '.join(FIELDS)}")
    not_text = [f for f in FIELDS if isinstance(data.get(f), dict | list)]
    if not_text:
        raise RequestError(f"{path}: {', '.join(not_text)}: must be text, not a list or mapping")
    missing = tuple(f for f in FIELDS if not has_visible_letters(str(data.get(f) or "")))
    if missing:
        unanswered = [f for f in missing if f in QUESTIONS]
        what = "; ".join(filter(None, [
            f"unanswered: {', '.join(unanswered)}" if unanswered else "",
            f"missing: {', '.join(f for f in missing if f not in QUESTIONS)}"
            if len(unanswered) < len(missing) else ""]))
        raise RequestError(f"{path}: {what}", missing)
    try:
        return {f: bounded(str(data[f]), f"{path}: {f}", NOTE_LIMIT if f in QUESTIONS else NAME_LIMIT)
                .strip() for f in FIELDS}
    except TextRuleError as exc:
        raise RequestError(str(exc)) from None


def check_request(config, fields: dict) -> dict:
    """`fields` with the handle as the platform spells it, if the platform is known, the
    service is a team in council.yaml and the handle is one the platform accepts."""
    from council_social.config import PLATFORMS

    if fields["platform"] not in PLATFORMS:
        raise RequestError(f"unknown platform {fields['platform']!r}; expected one of {', '.join(PLATFORMS)}")
    teams = [t.key for t in config.teams]
    if fields["service"] not in teams:
        raise RequestError(f"service {fields['service']!r} is not a team in council.yaml; "
                           f"teams are: {', '.join(teams)}")
    try:
        return {**fields, "handle": check_handle(fields["platform"], fields["handle"])}
    except TextRuleError as exc:
        raise RequestError(str(exc)) from None


def store_request(conn: Connection, config, fields: dict, at: datetime) -> int:
    fields = check_request(config, fields)
    handle = fields["handle"]
    earlier = conn.execute(select(account_requests.c.id, account_requests.c.status).where(
        account_requests.c.platform == fields["platform"],
        func.lower(account_requests.c.handle) == handle.lower(),
        account_requests.c.status.in_(("pending", "approved")))).first()
    if earlier is not None:
        raise RequestError(f"{fields['platform']} @{handle} was already requested (request {earlier.id}, "
                           f"{earlier.status})")
    return conn.execute(account_requests.insert().values(
        {**fields, "handle": handle, "status": "pending", "requested_at": at},
    ).returning(account_requests.c.id)).scalar_one()


def _registry_key(platform: str, handle: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", f"{platform}-{handle}".lower()).strip("-")


def review(conn: Connection, config, request_id: int, decision: str, officer: str, reason: str,
           at: datetime) -> dict:
    """The web team approves or rejects a pending request; approval adds it to the registry."""
    officers = config.web_team_officers()
    if officer.strip().casefold() not in {o.casefold() for o in officers}:
        raise RequestError(f"{officer!r} is not a web team officer; they are: {', '.join(officers)}")
    try:
        reason = required_words(reason, "the review's reason")
    except TextRuleError as exc:
        raise RequestError(str(exc)) from None
    row = conn.execute(select(account_requests).where(account_requests.c.id == request_id)
                       .with_for_update()).first()
    if row is None:
        raise RequestError(f"no account request {request_id}")
    if row.status != "pending":
        raise RequestError(f"request {request_id} was already {row.status} by {row.reviewed_by}")
    status = {"approve": "approved", "reject": "rejected"}[decision]
    key = None
    if status == "approved":
        sync_registry(conn, config, at)
        key = _registry_key(row.platform, row.handle)
        conn.execute(insert(account_registry).values(
            key=key, platform=row.platform, handle=row.handle, external_id=None,
            owner_team=row.service, source=f"request {row.id}", added_at=at,
        ).on_conflict_do_nothing(index_elements=["key"]))
    conn.execute(update(account_requests).where(account_requests.c.id == request_id).values(
        status=status, reviewed_by=officer.strip(), reviewed_at=at, review_reason=reason.strip(),
        registry_key=key))
    return {"request": request_id, "status": status, "registry_key": key, "owner": row.service}


def sync_registry(conn: Connection, config, at: datetime) -> None:
    """council.yaml's accounts are in the registry (added once, owner kept up to date)."""
    rows = [{"key": a.key, "platform": a.platform, "handle": a.handle,
             "external_id": str(a.external_id) if a.external_id else None, "owner_team": a.team,
             "source": "council.yaml", "added_at": at} for a in config.accounts]
    stmt = insert(account_registry).values(rows)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["key"],
        set_={c: stmt.excluded[c] for c in ("platform", "handle", "external_id", "owner_team")},
        where=account_registry.c.source == "council.yaml"))


def _activity(conn: Connection, now: datetime) -> dict[str, tuple]:
    """registry key -> (last own post, own posts in the last 28 days, watched since)."""
    rows = conn.execute(text("""
        WITH own AS (
            SELECT r.key, i.created_at
            FROM social.account_registry r
            JOIN social.items i ON i.platform = r.platform AND i.kind = 'post' AND (
                i.author_external_id = r.external_id OR i.author_external_id IN (
                    SELECT a.external_id FROM social.authors a
                    WHERE a.platform = r.platform AND lower(a.username) = lower(r.handle)))
        )
        SELECT r.key, max(o.created_at) AS last_post,
               count(o.created_at) FILTER (WHERE o.created_at >= :recent) AS recent,
               (SELECT min(coalesce(f.start_time, f.interval_end)) FROM social.ingest_fetches f
                WHERE f.account_key = r.key) AS watched_since
        FROM social.account_registry r LEFT JOIN own o ON o.key = r.key
        GROUP BY r.key
    """), {"recent": now - timedelta(days=RECENT_DAYS)})
    return {r.key: (r.last_post, r.recent, r.watched_since) for r in rows}


def list_accounts(conn: Connection, config, now: datetime, dormant_only: bool = False) -> dict:
    """Registry accounts (active or dormant) and account requests, with their owners."""
    sync_registry(conn, config, now)
    days = config.governance.dormant_after_days
    activity = _activity(conn, now)
    accounts = []
    for r in conn.execute(select(account_registry).order_by(account_registry.c.platform,
                                                            account_registry.c.key)):
        last, recent, watched = activity.get(r.key, (None, 0, None))
        since = last or watched or r.added_at
        dormant = since < now - timedelta(days=days)
        if dormant_only and not dormant:
            continue
        accounts.append({"key": r.key, "platform": r.platform, "handle": r.handle,
                         "owner": r.owner_team, "source": r.source,
                         "status": "dormant" if dormant else "active", "last_own_post": last,
                         "posts_28d": recent, "quiet_since": since})
    requests = [] if dormant_only else [dict(r) for r in conn.execute(
        select(account_requests).order_by(account_requests.c.id.desc())).mappings()]
    return {"dormant_after_days": days, "accounts": accounts, "requests": requests}


def pending_count(conn: Connection) -> int:
    return conn.execute(select(func.count()).select_from(account_requests).where(
        account_requests.c.status == "pending")).scalar_one()

"""Post the grid's due entries exactly once, even across retries and lost responses.

Each post has an idempotency key (entry, account, slot). Before calling the
platform the attempt is committed as `pending`; after, as `posted` with the
platform's id. A retry that finds a `pending` attempt does not know whether
the post went out, so it looks on the channel first and only posts again if
the text is not there. Nothing is posted during a pre-election period unless
an override for the entry is in the override log.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from council_social.grid import store
from council_social.grid.tables import post_attempts
from council_social.grid.twitter_poster import DuplicatePost, PostRejected

log = logging.getLogger(__name__)
# How far before the slot a post made by an earlier try could be on the timeline.
LOOKUP_MARGIN = timedelta(hours=1)


def idempotency_key(entry_key: str, account_key: str, slot_at: datetime) -> str:
    slot = slot_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return hashlib.sha256(f"{entry_key}|{account_key}|{slot}".encode()).hexdigest()


@dataclass
class PublishSummary:
    due: int = 0
    posted: list[dict] = field(default_factory=list)
    found_after_lost_response: int = 0
    already_posted: int = 0
    held: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    disabled: bool = False

    def as_dict(self) -> dict:
        return {k: v for k, v in self.__dict__.items()}


def _now() -> datetime:
    return datetime.now(UTC)  # audit timestamps only; what to post comes from the interval


def publish_due(engine, config, posters: dict, interval_end: datetime, *,
                now=_now) -> PublishSummary:
    """Post every API slot whose time has come by `interval_end` (within the grace period).

    Raises after trying every due post if any outcome is unknown, so the task is
    retried; the retry checks the channel before posting again.
    """
    summary = PublishSummary()
    settings = config.grid
    if not settings.posting_enabled:
        summary.disabled = True
        log.warning("grid.posting_enabled is false: nothing posted")
        return summary
    not_before = interval_end - timedelta(minutes=settings.late_grace_minutes)
    with engine.begin() as conn:
        due = store.due_slots(conn, interval_end, not_before)
        entries = store.entries_by_key(conn, {s.entry_key for s in due})
        overrides = store.overridden_entries(conn)
    summary.due = len(due)
    tz = ZoneInfo(config.council.timezone)
    accounts = {a.key: a for a in config.accounts}
    for slot in due:
        entry, account = entries.get(slot.entry_key), accounts.get(slot.account_key)
        if entry is None or account is None or entry.status not in ("approved", "scheduled"):
            continue  # withdrawn or removed since the grid was built
        label = f"{entry.key}@{account.key}"
        period = settings.pre_election_on(slot.slot_at.astimezone(tz).date())
        key = idempotency_key(entry.key, account.key, slot.slot_at)
        if period is not None and entry.key not in overrides:
            _record(engine, key, entry, account, slot.slot_at, "held", now(),
                    detail=f"pre-election period {period.name!r}: no override logged")
            summary.held.append(label)
            continue
        poster = posters.get(account.platform)
        if poster is None:
            continue  # placed for posting by hand
        try:
            outcome = _post_once(engine, poster, key, entry, account, slot.slot_at, now)
        except PostRejected as exc:
            _record(engine, key, entry, account, slot.slot_at, "failed", now(), detail=str(exc))
            summary.failed.append(f"{label}: {exc}")
            continue
        except Exception as exc:  # network or 5xx: the post may or may not exist
            log.warning("post %s: outcome unknown (%s); a retry checks the channel first",
                        label, type(exc).__name__)
            summary.unknown.append(f"{label}: {type(exc).__name__}")
            continue
        if outcome[0] == "already":
            summary.already_posted += 1
        else:
            summary.posted.append({"entry": entry.key, "account": account.key,
                                   "external_id": outcome[1]})
            if outcome[0] == "found":
                summary.found_after_lost_response += 1
    if summary.unknown:
        raise RuntimeError(f"{len(summary.unknown)} post(s) with unknown outcome: "
                           + "; ".join(summary.unknown))
    return summary


def _attempts(engine, entry_key: str, account_key: str) -> list:
    """Every attempt at this entry on this account, whatever slot a grid gave it."""
    with engine.connect() as conn:
        return list(conn.execute(select(post_attempts).where(
            post_attempts.c.entry_key == entry_key, post_attempts.c.account_key == account_key)))


def _record(engine, key, entry, account, slot_at, status, at, *, external_id=None,
            detail=None) -> None:
    with engine.begin() as conn:
        stmt = insert(post_attempts).values(
            idempotency_key=key, entry_key=entry.key, account_key=account.key,
            platform=account.platform, slot_at=slot_at, text=entry.message, status=status,
            external_id=external_id, tries=0, detail=detail, first_tried_at=at,
            last_tried_at=at)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["idempotency_key"],
            set_={"status": status, "external_id": external_id, "detail": detail,
                  "last_tried_at": at},
            where=post_attempts.c.status != "posted"))


def _post_once(engine, poster, key, entry, account, slot_at, now) -> tuple[str, str]:
    attempts = _attempts(engine, entry.key, account.key)
    # Exactly once per entry and account, even if a later grid moved it to another slot.
    posted = next((a for a in attempts if a.status == "posted"), None)
    if posted is not None:
        return "already", posted.external_id
    mine = next((a for a in attempts if a.idempotency_key == key), None)
    if mine is not None and mine.status == "failed":
        raise PostRejected(mine.detail or "refused earlier")
    if any(a.status == "pending" for a in attempts):
        # The last try sent the post and never heard back: is it on the channel?
        found = poster.find(account, entry.message, slot_at - LOOKUP_MARGIN)
        if found is not None:
            _record(engine, key, entry, account, slot_at, "posted", now(), external_id=found,
                    detail="found on the channel after a lost response")
            return "found", found
    _record(engine, key, entry, account, slot_at, "pending", now())
    with engine.begin() as conn:  # commit the try before the call, so a crash leaves a trace
        conn.execute(update(post_attempts).where(post_attempts.c.idempotency_key == key)
                     .values(tries=post_attempts.c.tries + 1))
    try:
        external_id = poster.create(account, entry.message)
    except DuplicatePost:
        found = poster.find(account, entry.message, slot_at - LOOKUP_MARGIN)
        if found is None:
            raise
        external_id = found
    _record(engine, key, entry, account, slot_at, "posted", now(), external_id=external_id)
    return "posted", external_id

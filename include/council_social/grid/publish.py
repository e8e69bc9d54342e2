"""Post the grid's due entries exactly once, even across retries and lost responses.

Each post has an idempotency key (entry, account, slot). Before calling the
platform the attempt is committed as `pending`; after, as `posted` with the
platform's id. A retry that finds a `pending` attempt does not know whether
the post went out, so it looks on the channel first and only posts again if
the text is not there. Nothing is posted during a pre-election period unless
an override for the entry is in the override log.

A refused token (`PostAuthError`) is the channel's problem, not the entry's:
the attempt is kept as `auth_failed` (a later run tries again once the token
is renewed), the account's other posts are not tried in this run, and the
task fails with the reason. A slot that passed more than
`grid.late_grace_minutes` ago without a post is recorded as `missed`, so the
next grid lists it. An entry moves to `published` once every channel has a
post; its ids stay in `post_attempts`.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import select, update
from sqlalchemy.dialects.postgresql import insert

from council_social.grid import repo as grid_repo
from council_social.grid.posting import DuplicatePost, PostAuthError, PostRejected
from council_social.grid.tables import post_attempts

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
    auth_failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    missed: list[str] = field(default_factory=list)
    published_entries: list[str] = field(default_factory=list)
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
    not_before = interval_end - timedelta(minutes=settings.late_grace_minutes)
    summary.missed = record_missed(engine, config, not_before, now)
    if not settings.posting_enabled:
        summary.disabled = True
        log.warning("grid.posting_enabled is false: nothing posted")
        return summary
    with engine.begin() as conn:
        due = grid_repo.due_slots(conn, interval_end, not_before)
        entries = grid_repo.entries_by_key(conn, {s.entry_key for s in due})
        overrides = grid_repo.overridden_entries(conn)
    summary.due = len(due)
    tz = ZoneInfo(config.council.timezone)
    accounts = {a.key: a for a in config.accounts}
    refused: dict[str, str] = {}  # account key -> why its token was refused in this run
    for slot in due:
        entry, account = entries.get(slot.entry_key), accounts.get(slot.account_key)
        if entry is not None and entry.status == "published":
            summary.already_posted += 1  # every channel has its post
            continue
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
            # Placed for the API but no publisher (its Connection is missing): say so.
            summary.failed.append(f"{label}: no publisher for {account.platform} "
                                  "(is its Airflow Connection set?)")
            continue
        if account.key in refused:
            # One refused token is enough: do not hammer the API with the rest.
            _record(engine, key, entry, account, slot.slot_at, "auth_failed", now(),
                    detail=f"not tried: {refused[account.key]}",
                    protect=("posted", "pending", "failed"))
            summary.auth_failed.append(f"{label}: not tried (token refused)")
            continue
        try:
            outcome = _post_once(engine, poster, key, entry, account, slot.slot_at, now)
        except PostAuthError as exc:
            refused[account.key] = str(exc)
            summary.auth_failed.append(f"{label}: {exc}")
            continue
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
        with engine.begin() as conn:
            if grid_repo.mark_published_if_done(conn, entry.key):
                summary.published_entries.append(entry.key)
    problems = []
    if summary.unknown:
        problems.append(f"{len(summary.unknown)} post(s) with unknown outcome: "
                        + "; ".join(summary.unknown))
    if summary.auth_failed:
        problems.append(f"{len(summary.auth_failed)} post(s) not sent, token refused: "
                        + "; ".join(sorted(set(refused.values()))))
    if problems:
        raise RuntimeError(" | ".join(problems))
    return summary


def record_missed(engine, config, not_before: datetime, now=_now) -> list[str]:
    """Record every API slot that passed before `not_before` with no attempt as `missed`.

    Looks back over a grid's fortnight; an attempt already recorded for the slot
    (failed, held, refused, pending) keeps its own, more telling, reason.
    """
    from council_social.grid.placement import GRID_DAYS

    tz = ZoneInfo(config.council.timezone)
    grace = config.grid.late_grace_minutes
    accounts = {a.key: a for a in config.accounts}
    out = []
    with engine.begin() as conn:
        slots = grid_repo.passed_slots(conn, not_before - timedelta(days=GRID_DAYS), not_before)
        entries = grid_repo.entries_by_key(conn, {s.entry_key for s in slots})
        for slot in slots:
            entry, account = entries.get(slot.entry_key), accounts.get(slot.account_key)
            if entry is None or account is None or entry.status not in ("approved", "scheduled"):
                continue  # withdrawn, unapproved or removed: nothing was owed
            local = slot.slot_at.astimezone(tz)
            why = (f"missed: the {local:%a %d %b %H:%M} slot passed more than {grace} min "
                   "before publish_posts could post it"
                   + ("" if config.grid.posting_enabled else " (grid.posting_enabled is false)")
                   + "; not posted late, re-place it in the planner")
            if grid_repo.record_missed_attempt(
                    conn, idempotency_key(entry.key, account.key, slot.slot_at), entry,
                    account.key, account.platform, slot.slot_at, why, now()):
                out.append(f"{entry.key}@{account.key}")
    if out:
        log.warning("%d slot(s) missed: %s", len(out), ", ".join(out))
    return out


def _attempts(engine, entry_key: str, account_key: str) -> list:
    """Every attempt at this entry on this account, whatever slot a grid gave it."""
    with engine.connect() as conn:
        return list(conn.execute(select(post_attempts).where(
            post_attempts.c.entry_key == entry_key, post_attempts.c.account_key == account_key)))


def _record(engine, key, entry, account, slot_at, status, at, *, external_id=None,
            detail=None, protect: tuple[str, ...] = ("posted",)) -> None:
    """Upsert the attempt; one whose status is in `protect` is left as it is."""
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
            where=post_attempts.c.status.notin_(protect)))


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
        external_id = poster.create(account, entry.message, link=entry.press_release_url)
    except PostAuthError as exc:
        # Refused before anything was posted: not pending, and not failed for good.
        _record(engine, key, entry, account, slot_at, "auth_failed", now(), detail=str(exc))
        raise
    except DuplicatePost:
        found = poster.find(account, entry.message, slot_at - LOOKUP_MARGIN)
        if found is None:
            raise
        external_id = found
    _record(engine, key, entry, account, slot_at, "posted", now(), external_id=external_id)
    return "posted", external_id

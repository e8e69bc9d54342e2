"""Weekly retention: expire whole WARC files past their retention and not on hold.

A file's retention is the longest of its records' classes (council.yaml
`archive.retention`), counted from its day. Expiry removes the file and
logs it in `retention_log` and as an expiry event in the anchor log (who, when,
which rule, the file's last sha256), which is what lets `verify` accept its
absence; the manifest row stays, marked expired, so the hash chain still
verifies. Only files whose expiry event is in the anchor log are deleted, each
resolved inside the archive root first: a path outside it, a link, or a legal
hold found at deletion time stops the run with one line (RetentionError).
"""

from __future__ import annotations

import logging
import os
import stat
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path, PurePosixPath

from sqlalchemy import Engine

from council_social.archive import repo
from council_social.archive.anchor import anchor_expiries, read_anchor

log = logging.getLogger(__name__)


class RetentionError(RuntimeError):
    """Retention refused to go on: a path outside the root, or a hold on a file to delete."""


@dataclass(frozen=True)
class RetentionOutcome:
    expired: list[dict]
    held: list[dict]
    kept: int


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year + years, day=28)


def retain_until(day: date, record_classes: set[str], retention) -> date:
    years = max((retention.years_for(c) for c in record_classes), default=retention.default_years)
    return add_years(day, years)


def _rule(day: date, record_classes: set[str], retention, until: date) -> str:
    classes = ", ".join(f"{c} {retention.years_for(c)}y" for c in sorted(record_classes)) or (
        f"default {retention.default_years}y")
    return f"archive.retention ({classes}) from {day}: kept until {until}"


def target_inside(root, relative: str):
    """root/relative, only if it stays inside the root once resolved (no '..', no
    absolute path, no link on the way out); RetentionError otherwise."""
    parts = PurePosixPath(relative)
    if (not relative or parts.is_absolute() or "\\" in relative or "\x00" in relative
            or any(p in ("..", "") for p in parts.parts)):
        raise RetentionError(f"retention stopped: {relative!r} is not a path inside the "
                             "archive root; nothing more deleted")
    target = root / parts.as_posix()
    if isinstance(root, Path):
        if not target.resolve().is_relative_to(root.resolve()):
            raise RetentionError(f"retention stopped: {relative!r} resolves outside the archive "
                                 f"root {root}; nothing more deleted")
        try:
            if not stat.S_ISREG(os.lstat(target).st_mode):
                raise RetentionError(f"retention stopped: {relative!r} is not a regular file; "
                                     "nothing more deleted")
        except FileNotFoundError:
            pass
    return target


def expire_files(engine: Engine, root, retention, as_of: datetime, anchor,
                 by: str = "council-social archive_retention") -> RetentionOutcome:
    """Expire files whose retention ended on or before `as_of` (the run's interval end),
    recording each in `anchor` (the anchor log) before any file goes."""
    expired: list[dict] = []
    held: list[dict] = []
    kept = 0
    with engine.begin() as conn:
        repo.lock_chain(conn)
        files = repo.live_files(conn)
        classes = repo.record_classes(conn)
        for f in files:
            until = retain_until(f["day"], classes.get(f["id"], set()), retention)
            if until > as_of.date():
                kept += 1
                continue
            target_inside(root, f["path"])  # before anything is marked: stops the run
            holds = repo.holds_on_file(conn, f["id"])
            if holds:
                held.append({"path": f["path"], "retain_until": until, "holds": holds})
                log.info("retention: %s is past %s but held by %s", f["path"], until,
                         ", ".join(f"{case} ({item})" for case, item in holds))
                continue
            rule = _rule(f["day"], classes.get(f["id"], set()), retention, until)
            row = {"file_id": f["id"], "path": f["path"], "platform": f["platform"],
                   "day": f["day"], "records": f["records"], "bytes": f["bytes"],
                   "sha256": f["sha256"], "retain_until": until, "expired_at": as_of,
                   "rule": rule, "expired_by": by}
            repo.expire_file(conn, row)
            expired.append({**row, "chain_position": f["chain_position"]})
        # In the anchor log before the commit: a file only ever goes with its event there.
        anchor_expiries(conn, anchor, expired, by, as_of)
    delete_expired(engine, root, anchor)
    for row in expired:
        log.warning("retention: removed %s (%s records, %s bytes, sha256 %s, kept until %s)",
                    row["path"], row["records"], row["bytes"], row["sha256"], row["retain_until"])
    return RetentionOutcome(expired, held, kept)


def delete_expired(engine: Engine, root, anchor) -> None:
    """Delete the files the anchor log expired that are still there (a failed delete is
    retried next week); a hold placed since, or a path outside the root, stops the run."""
    events = read_anchor(anchor).expired
    if not events:
        return
    with engine.connect() as conn:
        ids = repo.file_ids_at(conn, events)
        for position, event in sorted(events.items()):
            target = target_inside(root, event["path"])
            if not target.exists():
                continue
            holds = repo.holds_on_file(conn, ids[position]) if position in ids else []
            if holds:
                raise RetentionError(
                    f"retention stopped: {event['path']} is under legal hold "
                    f"({', '.join(case for case, _ in holds)}); nothing more deleted")
            target.unlink()

"""Weekly retention: expire whole WARC files past their retention and not on hold.

A file's retention is the longest of its records' classes (council.yaml
`archive.retention`), counted from its day. Expiry removes the file and
logs it in `retention_log`; the manifest row stays, marked expired, so the
hash chain still verifies. Held files are never removed.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import Engine, insert, select, text, update

from council_social.archive.holds import holds_on_file
from council_social.archive.manifest import CHAIN_LOCK
from council_social.archive.tables import archive_files, archive_records, retention_log

log = logging.getLogger(__name__)


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


def expire_files(engine: Engine, root, retention, as_of: datetime) -> RetentionOutcome:
    """Expire files whose retention ended on or before `as_of` (the run's interval end)."""
    expired: list[dict] = []
    held: list[dict] = []
    kept = 0
    with engine.begin() as conn:
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": CHAIN_LOCK})
        files = conn.execute(select(archive_files).where(archive_files.c.expired_at.is_(None))
                             .order_by(archive_files.c.chain_position)).mappings().all()
        classes: dict[int, set[str]] = {}
        for file_id, klass in conn.execute(
                select(archive_records.c.file_id, archive_records.c.record_class).distinct()
                .where(archive_records.c.raw_page_id.is_not(None))):
            classes.setdefault(file_id, set()).add(klass)
        for f in files:
            until = retain_until(f["day"], classes.get(f["id"], set()), retention)
            if until > as_of.date():
                kept += 1
                continue
            holds = holds_on_file(conn, f["id"])
            if holds:
                held.append({"path": f["path"], "retain_until": until, "holds": holds})
                log.info("retention: %s is past %s but held by %s", f["path"], until,
                         ", ".join(f"{case} ({item})" for case, item in holds))
                continue
            conn.execute(update(archive_files).where(archive_files.c.id == f["id"])
                         .values(expired_at=as_of))
            row = {"file_id": f["id"], "path": f["path"], "platform": f["platform"],
                   "day": f["day"], "records": f["records"], "bytes": f["bytes"],
                   "sha256": f["sha256"], "retain_until": until, "expired_at": as_of}
            conn.execute(insert(retention_log).values(**row))
            expired.append(row)
        expired_paths = conn.execute(select(archive_files.c.path).where(
            archive_files.c.expired_at.is_not(None))).scalars().all()
    # Files go only after the log is committed; a failed delete is retried next week.
    for path in expired_paths:
        target = root / path
        if target.exists():
            target.unlink()
    for row in expired:
        log.warning("retention: removed %s (%s records, %s bytes, sha256 %s, kept until %s)",
                    row["path"], row["records"], row["bytes"], row["sha256"], row["retain_until"])
    return RetentionOutcome(expired, held, kept)

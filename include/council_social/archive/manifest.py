"""Write a day's WARC file and its manifest row, chained to the previous file's hash.

One chain for the whole archive: each row holds the sha256 of the file
before it in `chain_position` order, so altering or dropping any file, or
editing its manifest row, breaks a link that `verify` checks.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Connection, Engine

from council_social.archive import repo
from council_social.archive.anchor import anchor_pending
from council_social.archive.storage import ArchiveError, day_path, write_once
from council_social.archive.writer import Exchange, build_day_file

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DayOutcome:
    platform: str
    day: date
    outcome: str  # written | unchanged | empty
    path: str | None = None
    version: int | None = None
    records: int = 0
    bytes: int = 0
    sha256: str | None = None


def day_bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), tzinfo=UTC)
    return start, start + timedelta(days=1)


def days_ending_in(start: datetime, end: datetime) -> list[date]:
    """The UTC days whose end falls in (start, end]: the complete days an interval owns."""
    day = start.astimezone(UTC).date()
    out = []
    while True:
        _, day_end = day_bounds(day)
        if day_end > end:
            return out
        if day_end > start:
            out.append(day)
        day += timedelta(days=1)


def exchanges_for_day(conn: Connection, platform: str, day: date) -> list[Exchange]:
    start, end = day_bounds(day)
    return [exchange(r) for r in repo.day_pages(conn, platform, start, end)]


def exchange(row) -> Exchange:
    return Exchange(
        id=row["id"], platform=row["platform"], account_key=row["account_key"],
        endpoint=row["endpoint"], request_url=row["request_url"],
        request_params=row["request_params"], interval_start=row["interval_start"],
        interval_end=row["interval_end"], page_number=row["page_number"],
        fetched_at=row["fetched_at"], status=row["status"], headers=row["headers"],
        body=bytes(row["body"]), sha256=row["sha256"],
    )


def archive_day(engine: Engine, root, platform: str, day: date, written_for: datetime,
                anchor=None) -> DayOutcome:
    """Archive one platform's exchanges fetched on one UTC day. Idempotent.

    Same pages as the newest file for that day: nothing happens. Different
    pages (late arrivals): a new version of the whole day, chained; the old
    file stays as it was. With `anchor` (a path), every manifest row not yet in
    that anchor log is appended to it once the row is committed.
    """
    outcome = _archive_day(engine, root, platform, day, written_for)
    if anchor is not None:
        anchor_pending(engine, anchor, datetime.now(UTC))
    return outcome


def _archive_day(engine: Engine, root, platform: str, day: date, written_for: datetime) -> DayOutcome:
    with engine.begin() as conn:
        repo.lock_chain(conn)  # one manifest writer at a time: the chain stays linear
        exchanges = exchanges_for_day(conn, platform, day)
        if not exchanges:
            return DayOutcome(platform, day, "empty")
        warc = build_day_file(platform, day, exchanges)
        latest = repo.newest_day_file(conn, platform, day)
        if latest is not None and latest["sha256"] == warc.sha256:
            return DayOutcome(platform, day, "unchanged", latest["path"], latest["version"],
                              latest["records"], latest["bytes"], latest["sha256"])
        version = latest["version"] + 1 if latest is not None else 1
        path = day_path(platform, day, version)
        while True:
            try:
                write_once(root, path, warc.data)
                break
            except ArchiveError as exc:
                # A file the manifest does not know (another database's archive, a restore):
                # left exactly as found; this content takes the next name.
                log.warning("%s; writing the next version instead", exc)
                version += 1
                path = day_path(platform, day, version)
        previous = repo.chain_head(conn)
        repo.add_file(conn, dict(
            platform=platform, day=day, version=version, path=path,
            records=len(warc.records), bytes=len(warc.data), sha256=warc.sha256,
            prev_sha256=previous.sha256 if previous else None,
            chain_position=(previous.chain_position + 1) if previous else 1,
            first_fetched_at=min(e.fetched_at for e in exchanges),
            last_fetched_at=max(e.fetched_at for e in exchanges),
            written_for=written_for,
        ), [
            {"record_index": r.index, "warc_record_id": r.warc_record_id,
             "warc_type": r.warc_type, "raw_page_id": r.raw_page_id,
             "record_class": r.record_class, "byte_offset": r.offset,
             "byte_length": r.length, "sha256": r.sha256}
            for r in warc.records
        ])
    if latest is not None:
        log.warning("%s %s: the day's exchanges changed since %s; wrote %s", platform, day,
                    latest["path"], path)
    return DayOutcome(platform, day, "written", path, version, len(warc.records),
                      len(warc.data), warc.sha256)


def archive_interval(engine: Engine, root, platforms: list[str], start: datetime,
                     end: datetime, anchor=None) -> list[DayOutcome]:
    """Every complete UTC day in (start, end], for each platform."""
    return [archive_day(engine, root, platform, day, end, anchor)
            for day in days_ending_in(start, end) for platform in platforms]


def archive_totals(engine: Engine) -> dict:
    with engine.connect() as conn:
        return repo.totals(conn)

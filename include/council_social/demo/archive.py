"""The demo's archive stage: run the `archive` DAG for the demo's day(s), then verify."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import func, select

from council_social.archive.anchor import anchor_path
from council_social.archive.manifest import archive_totals
from council_social.archive.storage import archive_root
from council_social.archive.tables import item_tombstones
from council_social.archive.verify import verify_archive
from council_social.store.tables import items, raw_pages


def run(ctx) -> list[str]:
    import os

    from council_social.airflow import OUTBOX_ENV_VAR

    # The chain head's email goes where the digests go when there is no SMTP Connection.
    os.environ.setdefault(OUTBOX_ENV_VAR, str(ctx.config.data_dir_path / "demo" / "outbox"))
    with ctx.engine.connect() as conn:
        days = set(conn.execute(
            select(func.date(func.timezone("UTC", raw_pages.c.fetched_at))).distinct()
            .where(raw_pages.c.interval_end > ctx.start, raw_pages.c.interval_end <= ctx.end)
        ).scalars())
    # The re-check's lookups are fetched now, so today's file holds them.
    days.add(datetime.now(UTC).date())
    for day in sorted(days):
        # dag.test runs the interval that ends at the date given: 02:00 the next day
        # closes the interval [day 02:00, next day 02:00), which owns `day`.
        end = datetime.combine(day + timedelta(days=1), time(2), tzinfo=UTC)
        ctx.run_dag("archive", end)
        # The re-check announced its lookups; process_items stores edits and deletions.
        ctx.run_dag("process_items", end)
    root = archive_root(ctx.config)
    anchor = anchor_path(ctx.config)
    report = verify_archive(ctx.engine, root, anchor)
    if not report.ok:
        raise RuntimeError("archive verify failed: " + "; ".join(map(str, report.problems[:5])))
    totals = archive_totals(ctx.engine)
    with ctx.engine.connect() as conn:
        edited = conn.execute(select(func.count()).where(items.c.version > 1)).scalar()
        deleted = conn.execute(select(func.count()).select_from(item_tombstones)).scalar()
    return [
        f"archive        {totals['files']} WARC files, {totals['records']} records, "
        f"{totals['bytes']:,} bytes under {root}",
        f"archive chain  verified: {report.files} files, {report.records} record digests "
        f"(council-social archive verify); head anchored in {anchor}",
        f"re-check       {edited} items with edits kept as versions, {deleted} deletions tombstoned",
    ]

"""Every archive verify is kept, so the home page can say when the chain was last checked."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import BigInteger, Boolean, Column, DateTime, Identity, Integer, Table, Text, select
from sqlalchemy.dialects.postgresql import JSONB

from council_social.store.tables import metadata

archive_verify_runs = Table(
    "archive_verify_runs",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("verified_at", DateTime(timezone=True), nullable=False),
    Column("root", Text, nullable=False),
    Column("ok", Boolean, nullable=False),
    Column("files", Integer, nullable=False),
    Column("records", Integer, nullable=False),
    Column("problems", Integer, nullable=False),
    # what the Archive page shows: bytes, expired, anchored, the first problems' lines
    Column("detail", JSONB),
)

SHOWN_PROBLEMS = 50


def record_run(engine, report, at: datetime | None = None) -> None:
    """Keep one verify's outcome (nothing if the table is not migrated here)."""
    with engine.begin() as conn:
        if conn.exec_driver_sql("SELECT to_regclass('social.archive_verify_runs')").scalar() is None:
            return
        conn.execute(archive_verify_runs.insert().values(
            verified_at=at or datetime.now(UTC), root=str(report.root), ok=report.ok,
            files=report.files, records=report.records, problems=len(report.problems),
            detail={"bytes": getattr(report, "bytes", None),
                    "expired": getattr(report, "expired", 0),
                    "anchored": getattr(report, "anchored", None),
                    "anchors": list(getattr(report, "anchors", [])),
                    "problems": [str(p) for p in report.problems[:SHOWN_PROBLEMS]],
                    "unanchored": list(getattr(report, "unanchored", []))[:SHOWN_PROBLEMS]}))


def last_run(conn) -> dict | None:
    row = conn.execute(select(archive_verify_runs).order_by(
        archive_verify_runs.c.verified_at.desc(), archive_verify_runs.c.id.desc()).limit(1)).first()
    return dict(row._mapping) if row else None

"""Every archive verify is kept, so the home page can say when the chain was last checked."""

from __future__ import annotations

from datetime import UTC, datetime

from council_social.archive import repo
from council_social.archive.tables import archive_verify_runs as archive_verify_runs

SHOWN_PROBLEMS = 50


def record_run(engine, report, at: datetime | None = None) -> None:
    """Keep one verify's outcome (nothing if the table is not migrated here)."""
    with engine.begin() as conn:
        if not repo.verify_runs_table_exists(conn):
            return
        repo.add_verify_run(conn, dict(
            verified_at=at or datetime.now(UTC), root=str(report.root), ok=report.ok,
            files=report.files, records=report.records, problems=len(report.problems),
            detail={"bytes": getattr(report, "bytes", None),
                    "expired": getattr(report, "expired", 0),
                    "anchored": getattr(report, "anchored", None),
                    "anchors": list(getattr(report, "anchors", [])),
                    "problems": [str(p) for p in report.problems[:SHOWN_PROBLEMS]],
                    "unanchored": list(getattr(report, "unanchored", []))[:SHOWN_PROBLEMS]}))


def last_run(conn) -> dict | None:
    return repo.last_verify_run(conn)

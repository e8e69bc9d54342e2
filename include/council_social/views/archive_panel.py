"""Archive: search for FoI officers, the export bundle, and the hash chain's verify status."""

from __future__ import annotations

from datetime import date

from council_social.views.availability import Unavailable, need
from council_social.views.queries import table_exists

MODULES = ("council_social.archive.search", "council_social.archive.export",
           "council_social.archive.verify", "council_social.archive.storage")
TABLES = ("archive_files", "archive_records")


def search_query(words=None, date_from: date | None = None, date_to: date | None = None,
                 account=None, author=None, platform=None, limit: int | None = 200):
    from council_social.archive.search import SearchQuery

    return SearchQuery(words=words or None, date_from=date_from, date_to=date_to, account=account or None,
                       author=author or None, platform=platform or None, limit=limit)


def archive_search(conn, config, query) -> list[dict]:
    need(conn, MODULES, TABLES)
    from council_social.archive.search import search_items

    return search_items(conn, query, config.council.timezone)


def verify_status(engine, config) -> dict | None:
    """The last `archive verify` (the `archive` DAG's, the command's): read, never re-run,
    so a page view costs no hashing and writes nothing. None before the first."""
    with engine.connect() as conn:
        need(conn, MODULES, TABLES)
        from council_social.archive.verify_log import last_run

        run = last_run(conn) if table_exists(conn, "archive_verify_runs") else None
    if run is None:
        return None
    detail = run.get("detail") or {}
    return {"ok": run["ok"], "verified_at": run["verified_at"], "root": run["root"],
            "files": run["files"], "records": run["records"], "bytes": detail.get("bytes"),
            "expired": detail.get("expired", 0), "problems": detail.get("problems", []),
            "problem_count": run["problems"]}


def export_zip(engine, config, query, out_path) -> dict:
    with engine.connect() as conn:
        need(conn, MODULES, TABLES)
    from council_social.archive.bundle import BundleError
    from council_social.archive.export import export_bundle

    try:
        summary = export_bundle(engine, config, query, out_path, redact=False)
    except BundleError as exc:  # the archive does not verify: no bundle from it
        raise Unavailable(str(exc)) from None
    return getattr(summary, "__dict__", {"summary": str(summary)})

"""
### archive_retention

Weekly (Sunday 03:00 UTC): first verifies the whole archive (every file's
and record's sha256 and the hash chain), then expires whole WARC files whose
retention (`archive.retention` in council.yaml, default six years per record
class, counted from the file's day) ended by the end of the data interval,
unless a legal hold covers any item in them. The items of every open FoI
case are put on hold first, and holds of closed FoI cases released.
Each removal is logged in `social.retention_log` and as an expiry event in
the anchor log (who, when, which rule, the file's sha256); manifest rows stay
so the chain still verifies. A path outside the archive root, or a hold found
when a file is about to go, stops the run with one line.

**Owner:** web team (records manager). **When it fails:** if `verify_archive`
failed, nothing was expired: its log names each damaged file and record;
restore them from backup and escalate, never re-write them. If
`expire_files` failed, clear it: expiry is logged before files are deleted
and deletion is retried.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="archive_retention",
    schedule=CronDataIntervalTimetable("0 3 * * 0", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.ARCHIVE),
    doc_md=__doc__,
):

    @task
    def verify_archive() -> dict:
        from council_social.airflow import engine
        from council_social.archive.verify import verify_configured

        return verify_configured(engine(), config())

    @task
    def expire_files(verified: dict, data_interval_end=None, run_id=None) -> dict:
        from council_social.airflow import engine
        from council_social.archive.anchor import anchor_path
        from council_social.archive.holds import sync_foi_holds
        from council_social.archive.retention import expire_files as expire
        from council_social.archive.storage import archive_root

        with engine().begin() as conn:  # open FoI cases hold their items first
            holds = sync_foi_holds(conn, data_interval_end)
        outcome = expire(engine(), archive_root(config()), config().archive.retention,
                         data_interval_end, anchor_path(config()),
                         by=f"archive_retention run {run_id}")
        return {"foi_holds": holds, "expired": [r["path"] for r in outcome.expired],
                "held": [h["path"] for h in outcome.held], "kept": outcome.kept}

    expire_files(verify_archive())

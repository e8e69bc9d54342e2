"""
### process_items

Turns the raw pages landed by the ingest DAGs into validated items. Runs
whenever new raw pages land, and hourly as a safety net. A run reads only the
pages no other run has read (a rerun reads its own again), and is skipped,
before any heavy import, when there are none. To re-process history, use the
`reprocess` DAG (a month per task); an hourly `airflow backfill create` pays
the task's start-up cost every hour. A run owns the raw pages whose ingest
interval ended inside its data interval and no other run read: it parses them, validates every
record with the Great Expectations item suite, upserts items, versions and
authors, and recomputes the interval's quarantine. It never calls a platform.

Accounting: records read = stored + identical duplicates + quarantined; the
task fails if not.

**Owner:** web team. **When it fails:** nothing was written (one
transaction). An accounting failure is a defect: keep the run failed and
raise it with the developers; a rule that cannot run names itself in the log.
"""

from __future__ import annotations

from airflow.sdk import (
    DAG,
    AssetAny,
    AssetOrTimeSchedule,
    CronDataIntervalTimetable,
    get_current_context,
    task,
)

from council_social.airflow import (
    ITEMS,
    RAW_CHANNELS,
    RAW_TWITTER,
    START_DATE,
    ManualRun,
    Tag,
    config,
    default_args,
    tags,
)

with DAG(
    dag_id="process_items",
    schedule=AssetOrTimeSchedule(
        timetable=CronDataIntervalTimetable("0 * * * *", timezone="UTC"),
        # Any channel's new raw pages (ingest_twitter and the ingest_channels DAGs).
        assets=AssetAny(RAW_TWITTER, *RAW_CHANNELS.values()),
    ),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    # A click on Trigger takes the raw pages still waiting (process_window).
    default_args=default_args(manual_run=ManualRun.OWN_WINDOW),
    tags=tags(Tag.PROCESS),
    doc_md=__doc__,
):

    @task(outlets=[ITEMS])
    def process_raw_pages() -> dict:
        from airflow.sdk.exceptions import AirflowSkipException

        from council_social.airflow import engine, process_window
        from council_social.pipeline.claims import has_pages_to_read

        start, end = process_window(get_current_context())
        if not has_pages_to_read(engine(), start, end):
            # An earlier run read them all (the hourly run is the safety net): no event.
            raise AirflowSkipException("every raw page of the window was read by another run")
        from council_social.pipeline.process import process_interval

        row = process_interval(engine(), config(), start, end)
        return {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()}

    process_raw_pages()

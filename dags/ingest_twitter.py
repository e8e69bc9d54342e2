"""
### ingest_twitter

Pulls mentions of, and posts by, each of the council's X accounts in
`include/config/council.yaml`, every 15 minutes, one mapped task per account
in the `twitter_api` pool. Each task fetches from the account's watermark up
to the end of its data interval and lands the raw API pages, the fetch record
and the new watermark in one transaction, then announces the
`council_social.raw_pages.twitter` asset so `process_items` runs.

**Owner:** web team. **When it fails:** the watermark has not moved, so
nothing is lost; check the `council_social_twitter` Connection (401 means the
bearer token) and the task log for a rate-limit stop, then clear the task.
"""

from __future__ import annotations

from datetime import timedelta

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import RAW_TWITTER, START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="ingest_twitter",
    schedule=CronDataIntervalTimetable(config().channels.twitter.schedule, timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.INGEST, Tag.TWITTER),
    doc_md=__doc__,
):

    @task
    def council_accounts() -> list[str]:
        from council_social.airflow import engine
        from council_social.store.accounts_repo import sync_accounts

        with engine().begin() as conn:
            sync_accounts(conn, config())
        return [a.key for a in config().accounts_for("twitter")]

    @task(pool=config().channels.twitter.pool, outlets=[RAW_TWITTER], map_index_template="{{ account_key }}")
    def fetch_account(account_key: str, data_interval_start=None, data_interval_end=None, outlet_events=None):
        from council_social.airflow import engine, twitter_connector
        from council_social.pipeline.ingest import ingest_account

        settings = config().channels.twitter
        summary = ingest_account(
            engine(), twitter_connector(), config().account(account_key),
            endpoints=list(settings.endpoints),
            interval_start=data_interval_start,
            interval_end=data_interval_end,
            initial_lookback=timedelta(hours=settings.initial_lookback_hours),
        )
        outlet_events[RAW_TWITTER].extra = {
            "account": account_key,
            "interval_start": data_interval_start.isoformat(),
            "interval_end": data_interval_end.isoformat(),
            "new_pages": summary["new_pages"],
        }
        return summary

    fetch_account.expand(account_key=council_accounts())

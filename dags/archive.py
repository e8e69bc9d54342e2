"""
### archive

Keeps the council's social media record complete, unaltered and exportable
(FoI and records retention). Daily at 02:00 UTC, for the UTC day that just
ended:

1. `recheck_recent_items` asks X again for the posts and mentions of the
   last `archive.recheck_days` days, lands the answers as raw pages and
   announces `council_social.raw_pages.twitter`; `process_items` then stores
   an edited text as a new item version and marks a deleted post deleted with
   a tombstone; the content always stays. Skipped when the X Connection is not
   configured.
2. `write_warc` (one mapped task per platform) writes every raw API exchange
   fetched that day to one WARC 1.1 file under the archive root, with a
   manifest row chained to the previous file's sha256. A rerun with the same
   exchanges changes nothing; late exchanges make a new file version (-v2),
   never an edit of a written file. Each manifest row is then appended to
   the anchor log (`archive.anchor_path`), outside the database and the root.
3. `mail_chain_head` mails the anchor's head to `archive.records_officer_email`
   (once per day and head), an independent copy `archive verify` can be
   checked against.
4. `verify_archive` re-hashes every file and record against the manifest and
   the anchor log; the Archive page shows this last result.

**Owner:** web team. **When it fails:** a failed `write_warc` wrote no
manifest row; clear it. "already exists with different content" means a file
under the archive root does not match the store: do not delete it, run
`council-social archive verify` and escalate to the records manager. A failed
re-check loses nothing; the next run re-checks the same window. A failed
`verify_archive` names each damaged file or record: restore it from backup and
escalate to the records manager; never re-write it.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import RAW_TWITTER, START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="archive",
    schedule=CronDataIntervalTimetable("0 2 * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.ARCHIVE),
    doc_md=__doc__,
):

    @task(pool=config().channels.twitter.pool, outlets=[RAW_TWITTER])
    def recheck_recent_items(data_interval_start=None, data_interval_end=None,
                             outlet_events=None) -> dict:
        from datetime import timedelta

        from airflow.sdk.exceptions import AirflowSkipException

        from council_social.airflow import engine, twitter_connector
        from council_social.archive.recheck import recheck_recent

        try:
            connector = twitter_connector()
        except RuntimeError as exc:  # no Connection: nothing to ask, nothing lost
            raise AirflowSkipException(str(exc)) from None
        summary = recheck_recent(engine(), config(), connector, data_interval_start,
                                 data_interval_end)
        # The lookups' interval ends at data_interval_end: the last hour owns them, so the
        # process_items run this triggers does not re-read the whole day.
        outlet_events[RAW_TWITTER].extra = {
            "interval_start": (data_interval_end - timedelta(hours=1)).isoformat(),
            "interval_end": data_interval_end.isoformat(),
            "new_pages": summary.new_pages,
        }
        return summary.as_dict()

    # all_done: the day's exchanges are archived even if the re-check could not run.
    @task(trigger_rule="all_done", map_index_template="{{ platform }}")
    def write_warc(platform: str, data_interval_start=None, data_interval_end=None) -> list[dict]:
        from council_social.airflow import engine
        from council_social.archive.anchor import anchor_path
        from council_social.archive.manifest import archive_interval
        from council_social.archive.storage import archive_root

        outcomes = archive_interval(engine(), archive_root(config()), [platform],
                                    data_interval_start, data_interval_end,
                                    anchor=anchor_path(config()))
        return [{**o.__dict__, "day": o.day.isoformat()} for o in outcomes]

    @task
    def mail_chain_head(data_interval_start=None) -> dict:
        from datetime import UTC, datetime

        from airflow.sdk.exceptions import AirflowSkipException

        from council_social.airflow import mail_sender
        from council_social.archive.anchor import anchor_path, mail_head
        from council_social.cases.notify import default_from_email

        settings = config()
        if settings.archive.records_officer_email is None:
            raise AirflowSkipException("archive.records_officer_email is not set")
        with mail_sender(settings.notifications.smtp_connection_id) as (sender, transport):
            mailed = mail_head(anchor_path(settings), data_interval_start.date(),
                               settings.archive.records_officer_email,
                               default_from_email(settings), sender, datetime.now(UTC))
        return {"mailed": mailed, "transport": transport}

    # all_done: a day whose write failed is still checked; the page shows this result.
    @task(trigger_rule="all_done")
    def verify_archive() -> dict:
        from council_social.airflow import engine
        from council_social.archive.verify import verify_configured

        return verify_configured(engine(), config())

    written = recheck_recent_items() >> write_warc.expand(platform=list(config().channels.configured()))
    written >> mail_chain_head() >> verify_archive()

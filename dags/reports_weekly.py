"""
### reports_weekly

Every Monday morning: the weekly report for the week just ended (Monday to
Sunday, council time), a page with charts (audience growth against the
strategy's baselines, mentions by sentiment, replies within target, cases)
written to `<reports output>/weekly-YYYY-MM-DD/index.html`, shown in the
Reports view of the Airflow plugin, and emailed to the report's recipients.
It reads what the daily `reports` DAG stored.

**Owner:** web team. **When it fails:** the page is rewritten whole on a
rerun; if only `email_report` fails, check the SMTP Connection named in
`notifications.smtp_connection_id` and clear that task.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="reports_weekly",
    # Monday 00:00 to Monday 00:00 local, run at the end: the interval is the finished week.
    schedule=CronDataIntervalTimetable("0 0 * * 1", timezone=config().council.timezone),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.REPORTS),
    doc_md=__doc__,
):

    def _week(data_interval_start):
        from council_social.reports.weekly import monday_of

        return monday_of(data_interval_start.astimezone(config().tz).date())

    @task
    def write_page(data_interval_start=None) -> dict:
        from council_social.airflow import engine
        from council_social.reports.weekly import write_weekly

        written = write_weekly(engine(), config(), _week(data_interval_start))
        return {"page": written["page"], "charts": written["charts"]}

    @task
    def email_report(data_interval_start=None, data_interval_end=None) -> dict:
        import os

        from council_social.airflow import OUTBOX_ENV_VAR, engine, mail_sender
        from council_social.reports.weekly import send_weekly

        os.environ.setdefault(OUTBOX_ENV_VAR, str(config().reports_output_path / "outbox"))
        with mail_sender(config().notifications.smtp_connection_id) as (sender, transport):
            sent = send_weekly(engine(), config(), _week(data_interval_start), sender, data_interval_end)
        return {**sent, "transport": transport}

    write_page() >> email_report()

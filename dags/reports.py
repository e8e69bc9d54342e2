"""
### reports

Every night, for the council's previous local day: recomputes `metrics_daily`
per account (followers against the strategy's baselines, posts, engagement,
mentions by sentiment, replies against response targets, cases opened,
closed and overdue, FoI on time), finds emerging issues (volume and
negativity spikes per topic against the same hour of past weeks, trending
hashtags, new accounts impersonating the council) as `alerts`, and emails the
web team the alerts it has not yet heard about. A registry account with no own
post for `governance.dormant_after_days` raises one `dormant_account` alert,
emailed once to its owning team and the web team. The weekly page is
`reports_weekly`.

**Owner:** web team. **When it fails:** nothing is half-written (each step
is one transaction keyed on the day, so clear and rerun the task). If only
`notify_web_team` fails, check the SMTP Connection named in
`notifications.smtp_connection_id`; the alerts are already in the Reports view.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="reports",
    # Local midnight to midnight: a run's data interval is one council day.
    schedule=CronDataIntervalTimetable("0 0 * * *", timezone=config().council.timezone),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.REPORTS),
    doc_md=__doc__,
):

    def _day(data_interval_start):
        return data_interval_start.astimezone(config().tz).date()

    @task
    def compute_metrics(data_interval_start=None, data_interval_end=None) -> dict:
        from council_social.airflow import engine
        from council_social.reports.metrics import compute_metrics

        rows = compute_metrics(engine(), config(), _day(data_interval_start), data_interval_end)
        return {"accounts": len(rows), "mentions": sum(r["mentions"] for r in rows)}

    @task
    def raise_alerts(data_interval_start=None, data_interval_end=None) -> dict:
        from council_social.airflow import engine
        from council_social.reports.alerts import raise_alerts

        found = raise_alerts(engine(), config(), _day(data_interval_start), data_interval_end)
        return {"alerts": len(found), "kinds": sorted({a["kind"] for a in found})}

    @task
    def notify_web_team(data_interval_start=None, data_interval_end=None) -> dict:
        import os

        from council_social.airflow import OUTBOX_ENV_VAR, engine, mail_sender
        from council_social.reports.notify import notify_alerts

        # Without the SMTP Connection the message is written under the reports folder.
        os.environ.setdefault(OUTBOX_ENV_VAR, str(config().reports_output_path / "outbox"))
        with mail_sender(config().notifications.smtp_connection_id) as (sender, transport):
            sent = notify_alerts(engine(), config(), _day(data_interval_start), sender, data_interval_end)
        return {**sent, "transport": transport}

    @task
    def dormant_accounts(data_interval_end=None) -> dict:
        import os

        from council_social.airflow import OUTBOX_ENV_VAR, engine, mail_sender
        from council_social.reports.dormant import raise_dormant_alerts

        # One alert per dormant account, to its owner and the web team (the strategy's
        # duty of regular, fresh content).
        os.environ.setdefault(OUTBOX_ENV_VAR, str(config().reports_output_path / "outbox"))
        with mail_sender(config().notifications.smtp_connection_id) as (sender, transport):
            raised = raise_dormant_alerts(engine(), config(), data_interval_end, sender)
        return {"dormant": [a["subject"] for a in raised], "transport": transport}

    compute_metrics() >> raise_alerts() >> dormant_accounts() >> notify_web_team()

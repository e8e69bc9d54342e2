"""
### response_watch

Keeps the strategy's reply promises: a substantive reply to customer-service
contacts within 24 hours, FoI responses within 20 working days, and "do not
ignore genuine questions". Every 15 minutes, using the end of its data
interval as "now" (never the wall clock), it

1. opens a case for each triage decision that promises a reply
   (customer_service, service_conversation, escalate_comms, and the flags
   foi and emergency): one case per item and kind, however often it reruns;
2. marks cases responded (and closed, when the owning team replied) from
   council replies in the thread;
3. marks unanswered cases overdue at the deadline and escalates them once
   per step: the team's lead officer at the deadline, the head of
   communications at twice the target; sends FoI reminders 5 and 1 working
   days before the deadline;
4. sends one digest email per team with news, through the SMTP Connection
   named in `notifications.smtp_connection_id`.

**Owner:** web team. **When it fails:** `watch_cases` is one transaction, so
nothing half-happened: clear the task and it redoes the interval. If
`send_digests` fails, check the SMTP Connection (host, port, TLS extras);
digests are recorded only when sent, so clearing the task sends each one
exactly once.
"""

from __future__ import annotations

from airflow.sdk import DAG, CronDataIntervalTimetable, get_current_context, task

from council_social.airflow import START_DATE, Tag, config, default_args, tags

with DAG(
    dag_id="response_watch",
    schedule=CronDataIntervalTimetable("*/15 * * * *", timezone="UTC"),
    start_date=START_DATE,
    catchup=False,
    max_active_runs=1,
    default_args=default_args(),
    tags=tags(Tag.CASES),
    doc_md=__doc__,
):

    @task
    def watch_cases() -> dict:
        from council_social.airflow import engine
        from council_social.cases.watch import watch

        context = get_current_context()
        start, end = context["data_interval_start"], context["data_interval_end"]
        return watch(engine(), config(), start, end).as_dict()

    @task
    def send_digests(summary: dict) -> dict:
        from council_social.airflow import engine, mail_sender
        from council_social.cases.notify import send_digests as send

        context = get_current_context()
        start, end = context["data_interval_start"], context["data_interval_end"]
        with mail_sender(config().notifications.smtp_connection_id) as (sender, transport):
            sent = send(engine(), config(), start, end, sender, transport=transport)
        return {**summary, "digests_sent": [d.team for d in sent], "transport": transport}

    send_digests(watch_cases())

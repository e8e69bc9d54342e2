"""The failure notice: a task that failed after its last retry mails the web team once."""

from __future__ import annotations

import logging
from datetime import UTC, datetime

from council_social.airflow.connections import connection
from council_social.airflow.council_config import config
from council_social.airflow.mail import OUTBOX_ENV_VAR

log = logging.getLogger(__name__)


def on_failure(context) -> None:
    """A task failed after its last retry: one log line, and one email to the web team.

    Airflow calls on_failure_callback only once the retries are spent, so each
    failure mails once. Without the SMTP Connection the notice goes to the outbox
    folder. Notifying never raises: the task has failed already.
    """
    ti = context.get("ti") or context.get("task_instance")
    log.error(
        "council-social task failed: dag=%s task=%s run=%s try=%s error=%s",
        getattr(ti, "dag_id", "?"), getattr(ti, "task_id", "?"), context.get("run_id"),
        getattr(ti, "try_number", "?"), context.get("exception"),
    )
    try:
        transport = notify_failure(context)
        log.info("failure notice sent by %s", transport)
    except Exception:  # noqa: BLE001 - a broken mail set-up must not hide the task's own error
        log.exception("could not send the failure notice")


def notify_failure(context, now: datetime | None = None) -> str:
    """Email the failure notice; returns "smtp" or "outbox"."""
    import os

    from council_social.failure_notice import Failure, failure_notice, last_line
    from council_social.reports.alerts import web_team_key
    from council_social.reports.mail import from_address

    cfg = config()
    ti = context.get("ti") or context.get("task_instance")
    failure = Failure(
        dag_id=str(getattr(ti, "dag_id", "?")), task_id=str(getattr(ti, "task_id", "?")),
        run_id=str(context.get("run_id") or getattr(ti, "run_id", "?")),
        try_number=getattr(ti, "try_number", None),
        interval_start=context.get("data_interval_start"),
        interval_end=context.get("data_interval_end"),
        error=last_line(context.get("exception")), log_url=getattr(ti, "log_url", None),
    )
    to = [cfg.team(web_team_key(cfg)).email]
    msg = failure_notice(failure, to=to, from_email=from_address(cfg), council=cfg.council.short_name,
                         now=now or datetime.now(UTC))
    conn_id = cfg.notifications.smtp_connection_id
    if connection(conn_id) is None:
        from council_social.cases.notify import OutboxSender

        OutboxSender(os.environ.get(OUTBOX_ENV_VAR) or cfg.outbox_path).send_message(msg)
        return "outbox"
    from airflow.providers.smtp.notifications.smtp import SmtpNotifier

    html = msg.get_body(preferencelist=("html",)).get_content()
    # notify(), not __call__: the text is final, and Jinja must not render an error message.
    SmtpNotifier(to=to, from_email=str(msg["From"]), subject=str(msg["Subject"]), html_content=html,
                 smtp_conn_id=conn_id,
                 custom_headers={"Message-ID": str(msg["Message-ID"])}).notify(context)
    return "smtp"

"""Who the reports' email goes to; the outbox that writes .eml files is the cases' one.

Senders have smtplib's `send_message(msg)`: the DAGs use `council_social.airflow.mail_sender`
(the SMTP Connection named in `notifications.smtp_connection_id`, else an outbox folder).
"""

from __future__ import annotations

from council_social.cases.notify import OutboxSender  # noqa: F401  (one outbox for all mail)


def recipients(config) -> list[str]:
    if config.reports.recipients:
        return list(config.reports.recipients)
    from council_social.reports.alerts import web_team_key

    return [config.team(web_team_key(config)).email]


def from_address(config) -> str:
    return config.notifications.from_email or f"no-reply@{config.council.website.split('//', 1)[-1].split('/')[0]}"

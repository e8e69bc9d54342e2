"""Who the reports' email goes to, and an outbox that writes .eml files instead of sending.

Senders have smtplib's `send_message(msg)`: the DAGs use `council_social.airflow.mail_sender`
(the SMTP Connection named in `notifications.smtp_connection_id`, else an outbox folder).
"""

from __future__ import annotations

import re
from email.message import EmailMessage
from pathlib import Path


class OutboxSender:
    """Writes each message to `<folder>/<message-id>.eml`; the same message rewrites its file."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)
        self.written: list[Path] = []

    def send_message(self, message: EmailMessage) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        name = re.sub(r"[^A-Za-z0-9._-]", "_", str(message["Message-ID"]).strip("<>"))
        path = self.folder / f"{name}.eml"
        path.write_bytes(bytes(message))
        self.written.append(path)


def recipients(config) -> list[str]:
    if config.reports.recipients:
        return list(config.reports.recipients)
    from council_social.reports.alerts import web_team_key

    return [config.team(web_team_key(config)).email]


def from_address(config) -> str:
    return config.notifications.from_email or f"no-reply@{config.council.website.split('//', 1)[-1].split('/')[0]}"

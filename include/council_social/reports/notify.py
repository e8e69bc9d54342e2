"""Tell the web team about alerts they have not heard about yet (one message per day's run)."""

from __future__ import annotations

from datetime import date, datetime
from email.message import EmailMessage
from email.utils import format_datetime
from html import escape

from council_social.reports.mail import from_address, recipients
from council_social.reports.metrics import day_bounds
from council_social.reports.repo import alerts_between, mark_notified


def alert_message(config, day: date, pending: list[dict], sent_at: datetime) -> EmailMessage:
    msg = EmailMessage()
    msg["Subject"] = f"{config.council.short_name} social: {len(pending)} emerging issue(s) on {day:%a %d %b %Y}"
    msg["From"] = from_address(config)
    msg["To"] = ", ".join(recipients(config))
    msg["Date"] = format_datetime(sent_at)
    msg["Message-ID"] = f"<alerts-{day.isoformat()}-{sent_at:%Y%m%dT%H%M}@council-social>"
    lines = [f"Emerging issues found by the reports run for {day:%A %d %B %Y}:", ""]
    for a in pending:
        lines.append(f"- [{a['kind']}] {a['message']}")
    lines += ["", "Open the Alerts section of the Reports view in Airflow for the detail."]
    msg.set_content("\n".join(lines))
    # The SMTP hook sends the HTML part; every message is escaped (post text is hostile).
    items = "".join(f"<li>[{escape(a['kind'])}] {escape(a['message'])}</li>" for a in pending)
    msg.add_alternative(f"<p>{escape(lines[0])}</p><ul>{items}</ul><p>{escape(lines[-1])}</p>",
                        subtype="html")
    return msg


def notify_alerts(engine, config, day: date, sender, sent_at: datetime) -> dict:
    """Send one message with the day's alerts nobody was told about; mark them told."""
    start, end = day_bounds(day, config.tz)
    with engine.begin() as conn:
        pending = [a for a in alerts_between(conn, start, end) if a["notified_at"] is None]
        if not pending:
            return {"alerts": 0, "message_id": None}
        message = alert_message(config, day, pending, sent_at)
        sender.send_message(message)
        for a in pending:
            mark_notified(conn, a["kind"], a["subject"], a["window_start"], sent_at)
    return {"alerts": len(pending), "message_id": message["Message-ID"]}

"""The email the web team gets when a task has failed for good (after its last retry).

Pure: `failure_notice(...)` builds the message from plain values; the Airflow
callback in `council_social.airflow` gathers them from the task's context and
sends it. The error line is hostile text (it may quote a post): the HTML part
escapes it, and credentials in URLs or bearer tokens are masked.
"""

from __future__ import annotations

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime

_URL_PASSWORD = re.compile(r"(?P<head>[A-Za-z][A-Za-z0-9+.-]*://[^/\s:@]*:)[^@\s/]+@")
_BEARER = re.compile(r"(?i)\b(bearer|token|password|secret|api[_-]?key)([=:\s]+)\S+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def last_line(error: BaseException | str | None) -> str:
    """The error's last line, with its type, secrets masked: what the mail shows."""
    if error is None:
        return "(no exception recorded)"
    text = str(error).strip()
    line = text.splitlines()[-1].strip() if text else ""
    if isinstance(error, BaseException):
        line = f"{type(error).__name__}: {line}" if line else type(error).__name__
    return mask(line)[:500]


def mask(text: str) -> str:
    text = _URL_PASSWORD.sub(r"\g<head>***@", text)
    text = _BEARER.sub(r"\1\2***", text)
    return _CONTROL.sub(" ", text)


@dataclass(frozen=True)
class Failure:
    dag_id: str
    task_id: str
    run_id: str
    try_number: int | None
    interval_start: datetime | None
    interval_end: datetime | None
    error: str  # last_line() of the exception
    log_url: str | None

    @property
    def interval(self) -> str:
        if self.interval_start is None and self.interval_end is None:
            return "(manual run, no data interval)"
        return f"{_when(self.interval_start)} .. {_when(self.interval_end)}"


def _when(moment: datetime | None) -> str:
    return moment.isoformat() if moment is not None else "?"


def failure_notice(failure: Failure, *, to: list[str], from_email: str, council: str,
                   now: datetime) -> EmailMessage:
    subject = f"[{council} social ops] task failed: {failure.dag_id}.{failure.task_id}"
    rows = [("DAG", failure.dag_id), ("Task", failure.task_id), ("Run", failure.run_id),
            ("Interval", failure.interval), ("Try", str(failure.try_number or "?")),
            ("Error", failure.error), ("Log", failure.log_url or "(no log link)")]
    text = ("A council-social task failed after its last retry.\n\n"
            + "\n".join(f"{label + ':':<10}{value}" for label, value in rows)
            + "\n\nFix the cause, then clear the task in Airflow to run it again.\n")
    cells = "".join(
        f"<tr><th align='left'>{html.escape(label)}</th><td>"
        + (f"<a href=\"{html.escape(value)}\">{html.escape(value)}</a>"
           if label == "Log" and failure.log_url else html.escape(value))
        + "</td></tr>" for label, value in rows)
    body = (f"<!doctype html><html><body style='font-family: sans-serif'>"
            f"<p>A council-social task failed after its last retry.</p><table>{cells}</table>"
            "<p>Fix the cause, then clear the task in Airflow to run it again.</p></body></html>")
    msg = EmailMessage()
    msg["From"] = from_email
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg["Date"] = format_datetime(now)
    key = f"{failure.dag_id}|{failure.task_id}|{failure.run_id}|{failure.try_number}"
    msg["Message-ID"] = f"<failure-{hashlib.sha256(key.encode()).hexdigest()[:20]}@council-social>"
    msg.set_content(text)
    msg.add_alternative(body, subtype="html")
    return msg

"""Freedom of Information: the register, the acknowledgement, the reminders.

FoI cases are ordinary cases of kind `foi` with a 20-working-day clock. A
thread reply only acknowledges (a post cannot carry the answer: it is emailed
or published on the website and the link posted); the response itself is
recorded with `council-social cases respond`. Reminders go out at the start of
office hours 5 and 1 working days before the deadline.
"""

from __future__ import annotations

import csv
import io
from datetime import datetime

from council_social.cases.calendar import WorkingCalendar
from council_social.cases.events import ACTOR, case_ref, record_event
from council_social.cases.repo import lifecycle, reading
from council_social.safe_text import defuse_formula

POST_LIMIT = 280
# Spreadsheet programs run cells that start with these as formulas.


def reminder_times(calendar: WorkingCalendar, due_at: datetime, days_before) -> dict[int, datetime]:
    """{n: start of office hours on the working day n working days before the due date}."""
    due_date = calendar.local_date(due_at)
    return {
        n: calendar.start_of_office_day(calendar.subtract_working_days(due_date, n))
        for n in sorted(set(days_before))
    }


def send_reminders(conn, config, calendar: WorkingCalendar, now: datetime, result) -> None:
    """Record each reminder once, when its time has come and the case is still unanswered.

    A case opened late skips reminders already overtaken by a nearer one.
    """
    for c in lifecycle.foi_awaiting(conn, now):
        times = reminder_times(calendar, c.due_at, config.cases.foi_reminder_working_days)
        reached = [n for n, at in times.items() if at <= now]
        if not reached:
            continue
        n = min(reached)
        if record_event(conn, c.id, "reminder", at=times[n], recorded_at=now, actor=ACTOR,
                        once_key=f"reminder:{n}",
                        detail={"working_days_left": n, "due_at": c.due_at.isoformat()}):
            result.reminders[c.team] += 1


def acknowledgement_text(config, *, ref: str, due_at: datetime, valid: bool | None,
                         handle: str | None = None) -> str:
    """The reply to post under an FoI request (fits in one post)."""
    calendar = WorkingCalendar.from_config(config)
    due = calendar.local_date(due_at)
    to = f"@{handle} " if handle else ""
    if valid is False:
        text_ = (
            f"{to}Thanks. To treat this as a Freedom of Information request we need your real "
            f"name and an address for correspondence: please DM or email them to us, quoting {ref}."
        )
    else:
        text_ = (
            f"{to}Thanks, we've logged your Freedom of Information request as {ref}. We'll respond "
            f"by {due:%-d %b %Y}. A post can't carry the answer, so we'll email it or publish it "
            "on our website and reply here with the link."
        )
    if len(text_) > POST_LIMIT:
        # A long handle: drop it rather than cut the sentence.
        return acknowledgement_text(config, ref=ref, due_at=due_at, valid=valid)
    return text_


def open_foi_items(conn) -> list[dict]:
    """Items under an FoI case not yet closed: the archive places legal holds on these.

    Returns [{platform, external_id, case_id, ref, due_at, status}].
    """
    rows = lifecycle.foi_not_closed(conn)
    return [
        {"platform": r.platform, "external_id": r.external_id, "case_id": r.id,
         "ref": case_ref("foi", r.id), "due_at": r.due_at, "status": r.status}
        for r in rows
    ]


REGISTER_COLUMNS = (
    "ref", "status", "received_at", "due_date", "working_days_left", "valid_request",
    "requester", "platform", "external_id", "url", "team", "assignee", "acknowledged_at",
    "reminders_sent", "responded_at", "response_channel", "closed_at", "request_text",
)


def register(conn, config, as_of: datetime, *, include_closed: bool = True) -> list[dict]:
    """The FoI register, oldest first; `working_days_left` is counted from `as_of`."""
    calendar = WorkingCalendar.from_config(config)
    rows = reading.foi_register(conn, include_closed)
    today = calendar.local_date(as_of)
    out = []
    for r in rows:
        due_date = calendar.local_date(r["due_at"])
        left = calendar.working_days_between(today, due_date)
        if due_date < today:
            left = -calendar.working_days_between(due_date, today)
        requester = " ".join(p for p in (r["requester_name"],
                                         f"@{r['requester_handle']}" if r["requester_handle"] else None)
                             if p)
        out.append({
            "ref": case_ref("foi", r["id"]),
            "status": r["status"],
            "received_at": calendar.to_local(r["opened_at"]).isoformat(),
            "due_date": due_date.isoformat(),
            "working_days_left": None if r["status"] == "closed" else left,
            "valid_request": r["details"].get("foi_valid"),
            "requester": requester or None,
            "platform": r["platform"],
            "external_id": r["external_id"],
            "url": r["item_url"] or r["details"].get("url"),
            "team": r["team"],
            "assignee": r["assignee"],
            "acknowledged_at": _iso(calendar, r["acknowledged_at"]),
            "reminders_sent": ",".join(k.split(":", 1)[1] for k in (r["reminders"] or [])),
            "responded_at": _iso(calendar, r["responded_at"]),
            "response_channel": r["response_channel"],
            "closed_at": _iso(calendar, r["closed_at"]),
            "request_text": r["request_text"],
        })
    return out


def _iso(calendar, moment):
    return calendar.to_local(moment).isoformat() if moment else None


def csv_safe(value) -> str:
    """A cell a spreadsheet shows as text, never runs as a formula."""
    if value is None:
        return ""
    if isinstance(value, bool | int | float):
        return str(value)
    return defuse_formula(str(value))


def register_csv(rows: list[dict]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(REGISTER_COLUMNS)
    for row in rows:
        writer.writerow([csv_safe(row[c]) for c in REGISTER_COLUMNS])
    return buffer.getvalue()


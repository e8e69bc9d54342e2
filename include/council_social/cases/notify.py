"""One digest email per team per response_watch run.

`collect` reads what changed in the interval and what is still outstanding,
`render_digests` (pure) turns that into messages, and `send_digests` records
each digest in `case_digests` before handing it to a sender, inside one
transaction per team, so a rerun of the interval sends nothing twice.

A sender is anything with smtplib's `send_message(msg)`: an `smtplib.SMTP`,
the Airflow SMTP hook adapter in `council_social.airflow`, or `OutboxSender`,
which writes .eml files. Post text is hostile: the HTML part is rendered with
Jinja2 autoescaping and every snippet is stripped of control characters.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.utils import format_datetime
from pathlib import Path
from urllib.parse import urlparse
from zoneinfo import ZoneInfo

from council_social.cases.events import case_ref
from council_social.cases.repo import digests as repo
from council_social.cases.watch import AWAITING, HEAD_OF_COMMS, LEAD_OFFICER

SNIPPET = 160
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")

# event -> (section heading, word in the subject line)
EVENT_HEADINGS = {
    "opened": ("New cases", "new"),
    "backlog": ("Backlog: received before the platform watched, on no clock", "backlog"),
    "assigned": ("Assigned", "assigned"),
    "responded": ("Responded", "responded"),
    "acknowledged": ("FoI requests acknowledged", "FoI acknowledged"),
    "closed": ("Closed", "closed"),
    "overdue": ("Now overdue", "overdue"),
    "escalated": ("Escalated", "escalated"),
    "reminder": ("FoI reminders", "FoI reminders"),
    "note": ("Notes", "notes"),
}
# A first run after a long gap can carry hundreds of events; the digest lists this many
# per section and counts the rest (`council-social cases list` shows them all).
SECTION_LIMIT = 25

_HTML = """<!doctype html>
<html><body style="font-family: sans-serif">
<h2>{{ team_name }}: response cases</h2>
<p>Changes between {{ start }} and {{ end }} ({{ tz }}).</p>
{% for heading, total, rows in sections %}
<h3>{{ heading }} ({{ total }})</h3>
<ul>
{% for e in rows %}<li><b>{{ e.ref }}</b> {{ e.kind }} &middot; {{ e.line }}{% if e.url %} &middot; <a href="{{ e.url }}">post</a>{% endif %}<br><q>{{ e.snippet }}</q></li>
{% endfor %}{% if total > rows|length %}<li>and {{ total - rows|length }} more</li>{% endif %}</ul>
{% endfor %}
<h3>Waiting for a response ({{ waiting_total }})</h3>
{% if outstanding %}<table border="1" cellpadding="4" cellspacing="0">
<tr><th>case</th><th>kind</th><th>status</th><th>due</th><th>post</th></tr>
{% for c in outstanding %}<tr><td>{{ c.ref }}</td><td>{{ c.kind }}</td><td>{{ c.status }}</td><td>{{ c.due }}</td><td>{{ c.snippet }}</td></tr>
{% endfor %}</table>{% if waiting_total > outstanding|length %}<p>and {{ waiting_total - outstanding|length }} more</p>{% endif %}{% else %}<p>Nothing outstanding.</p>{% endif %}
<p>Record a reply made by email, DM or phone with
<code>council-social cases respond CASE --channel email --note "..."</code>.</p>
</body></html>
"""



@dataclass(frozen=True)
class Digest:
    team: str
    to: tuple[str, ...]
    cc: tuple[str, ...]
    subject: str
    text: str
    html: str
    message_id: str
    cases: int
    events: int

    @property
    def recipients(self) -> list[str]:
        return [*self.to, *self.cc]

    def body_sha256(self) -> str:
        return hashlib.sha256((self.text + "\0" + self.html).encode()).hexdigest()

    def to_message(self, from_email: str, date: datetime) -> EmailMessage:
        msg = EmailMessage()
        msg["From"] = from_email
        msg["To"] = ", ".join(self.to)
        if self.cc:
            msg["Cc"] = ", ".join(self.cc)
        msg["Subject"] = self.subject
        msg["Date"] = format_datetime(date)
        msg["Message-ID"] = self.message_id
        msg.set_content(self.text)
        msg.add_alternative(self.html, subtype="html")
        return msg


def snippet(value: str | None, limit: int = SNIPPET) -> str:
    cleaned = " ".join(_CONTROL.sub(" ", value or "").split())
    return cleaned if len(cleaned) <= limit else cleaned[: limit - 1] + "\u2026"


def _safe_url(url: str | None) -> str | None:
    # Only http(s) links go into a page: a javascript: URL in a post's data is not a link.
    if url and urlparse(url).scheme in ("http", "https"):
        return url
    return None


def _line(event: dict, tz: ZoneInfo) -> str:
    at = event["at"].astimezone(tz)
    detail = event.get("detail") or {}
    kind = event["event"]
    if kind == "opened":
        return f"received {at:%a %d %b %H:%M}, due {event['due_at'].astimezone(tz):%a %d %b %H:%M}"
    if kind == "escalated":
        who = "lead officer" if detail.get("step") == LEAD_OFFICER else "head of communications"
        return f"escalated to the {who} {detail.get('name', '')} ({detail.get('to', '')})"
    if kind == "reminder":
        return (f"{detail.get('working_days_left')} working day(s) left, due "
                f"{event['due_at'].astimezone(tz):%a %d %b}")
    if kind == "overdue":
        return f"overdue since {at:%a %d %b %H:%M}"
    channel = detail.get("channel")
    by = event["actor"]
    return f"{at:%a %d %b %H:%M} by {by}" + (f" via {channel}" if channel else "")


def _render_text(values: dict) -> str:
    lines = [f"{values['team_name']}: response cases",
             f"Changes between {values['start']} and {values['end']} ({values['tz']}).", ""]
    for heading, total, rows in values["sections"]:
        lines.append(f"{heading} ({total})")
        for e in rows:
            lines.append(f"  {e['ref']} {e['kind']}: {e['line']}")
            lines.append(f"    \"{e['snippet']}\"" + (f" {e['url']}" if e["url"] else ""))
        if total > len(rows):
            lines.append(f"  and {total - len(rows)} more")
        lines.append("")
    lines.append(f"Waiting for a response ({values['waiting_total']})")
    for c in values["outstanding"]:
        lines.append(f"  {c['ref']} {c['kind']} {c['status']} due {c['due']}: \"{c['snippet']}\"")
    if values["waiting_total"] > len(values["outstanding"]):
        lines.append(f"  and {values['waiting_total'] - len(values['outstanding'])} more")
    if not values["waiting_total"]:
        lines.append("  nothing outstanding")
    lines += ["", "Record a reply made by email, DM or phone with:",
              '  council-social cases respond CASE --channel email --note "..."', ""]
    return "\n".join(lines)


def render_digests(config, events: list[dict], outstanding: list[dict], start: datetime,
                   end: datetime) -> list[Digest]:
    """One digest per team with something new in (start, end]; pure."""
    from jinja2 import Environment

    tz = config.tz
    html_template = Environment(autoescape=True, trim_blocks=True, lstrip_blocks=True) \
        .from_string(_HTML)
    head = config.council.head_of_communications
    digests = []
    for team in config.teams:
        mine = [e for e in events if e["team"] == team.key]
        if not mine:
            continue
        sections = []
        for kind, (heading, _) in EVENT_HEADINGS.items():
            rows = [e for e in mine if e["event"] == kind]
            if rows:
                sections.append((heading, len(rows), [
                    {"ref": case_ref(e["kind"], e["case_id"]), "kind": e["kind"],
                     "line": _line(e, tz), "snippet": snippet(e.get("text")),
                     "url": _safe_url(e.get("url"))}
                    for e in rows[:SECTION_LIMIT]
                ]))
        waiting = [c for c in outstanding if c["team"] == team.key]
        shown = [
            {"ref": case_ref(c["kind"], c["id"]), "kind": c["kind"], "status": c["status"],
             "due": f"{c['due_at'].astimezone(tz):%a %d %b %H:%M}",
             "snippet": snippet(c.get("text"), 80)}
            for c in waiting[:SECTION_LIMIT]
        ]
        steps = {(e.get("detail") or {}).get("step") for e in mine if e["event"] == "escalated"}
        cc = []
        if LEAD_OFFICER in steps:
            cc.append(team.lead_officer.email)
        if HEAD_OF_COMMS in steps:
            cc.append(head.email)
        values = {
            "team_name": team.name, "sections": sections, "outstanding": shown,
            "waiting_total": len(waiting),
            "start": f"{start.astimezone(tz):%a %d %b %Y %H:%M}",
            "end": f"{end.astimezone(tz):%a %d %b %Y %H:%M}", "tz": config.council.timezone,
        }
        counts = Counter(e["event"] for e in mine)
        subject = f"[{config.council.short_name} social] {team.name}: " + ", ".join(
            f"{counts[k]} {word}" for k, (_, word) in EVENT_HEADINGS.items() if counts[k])
        digests.append(Digest(
            team=team.key, to=(team.email,), cc=tuple(dict.fromkeys(cc)),
            subject=snippet(subject, 200),
            text=_render_text(values), html=html_template.render(values),
            message_id=f"<case-digest.{team.key}.{end.astimezone(ZoneInfo('UTC')):%Y%m%dT%H%M%SZ}"
                       f"@council-social>",
            cases=len({e["case_id"] for e in mine}), events=len(mine),
        ))
    return digests


def collect(conn, config, start: datetime, end: datetime) -> list[Digest]:
    events = repo.events_recorded(conn, start, end)
    outstanding = repo.outstanding(conn, AWAITING, end)
    return render_digests(config, [dict(e) for e in events], [dict(c) for c in outstanding],
                          start, end)


def default_from_email(config) -> str:
    host = urlparse(config.council.website).hostname or "localhost"
    return config.notifications.from_email or f"social-ops@{host.removeprefix('www.')}"


def send_digests(engine, config, start: datetime, end: datetime, sender, *,
                 transport: str = "smtp") -> list[Digest]:
    """Send the interval's digests not sent before; returns those sent now."""
    with engine.connect() as conn:
        digests = collect(conn, config, start, end)
    sent = []
    from_email = default_from_email(config)
    for digest in digests:
        # The row and the send share a transaction: a failed send leaves no row, so a
        # retry sends again; a sent digest's row makes every rerun a no-op.
        with engine.begin() as conn:
            if not repo.add_digest(conn, dict(
                    team=digest.team, interval_end=end, recipients=digest.recipients,
                    subject=digest.subject, message_id=digest.message_id, cases=digest.cases,
                    events=digest.events, transport=transport, body_sha256=digest.body_sha256(),
            )):
                continue
            sender.send_message(digest.to_message(from_email, end))
        sent.append(digest)
    return sent


class OutboxSender:
    """Writes each message to `<folder>/<n>-<team>.eml` instead of sending it."""

    def __init__(self, folder: Path):
        # A UPath (an outbox on object storage) is kept as it is.
        self.folder = folder if hasattr(folder, "joinpath") else Path(folder)
        self.folder.mkdir(parents=True, exist_ok=True)
        self.written: list[Path] = []

    def send_message(self, msg: EmailMessage) -> None:
        stem = re.sub(r"[^A-Za-z0-9.-]+", "_", str(msg["Message-ID"]).strip("<>"))
        path = self.folder / f"{stem}.eml"
        path.write_bytes(msg.as_bytes())
        self.written.append(path)

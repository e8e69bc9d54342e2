"""The grid as an iCalendar file (icalendar): one event per placed post.

DTSTAMP is the moment the grid was built for, not the wall clock, so a rerun
writes the same bytes; icalendar escapes commas, semicolons and newlines.
"""

from __future__ import annotations

import hashlib
from datetime import UTC, datetime, time, timedelta

from council_social.grid.render import GridInput
from council_social.safe_text import visible

EVENT_LENGTH = timedelta(minutes=15)


def render_ics(g: GridInput, config) -> bytes:
    from icalendar import Calendar, Event

    cal = Calendar()
    cal.add("prodid", "-//Council Social Ops//communications grid//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"{config.council.short_name} communications grid "
                            f"{g.grid_start.isoformat()}")
    stamp = g.built_for or datetime.combine(g.grid_start, time(0), tzinfo=UTC)
    for s in g.slots:
        if s.slot_at is None:
            continue
        e = g.entries.get(s.entry_key)
        title = e.title if e else s.entry_key
        uid = hashlib.sha256(f"{s.entry_key}|{s.account_key}|{s.slot_at.isoformat()}".encode()
                             ).hexdigest()[:24]
        ev = Event()
        ev.add("uid", f"{uid}@council-social")
        ev.add("dtstamp", stamp.astimezone(UTC))
        ev.add("dtstart", s.slot_at.astimezone(UTC))
        ev.add("dtend", s.slot_at.astimezone(UTC) + EVENT_LENGTH)
        ev.add("summary", visible(f"[{s.account_key}] {title}"))
        lines = [e.message if e else "", "", f"Owner: {e.owner if e else ''}",
                 f"State: {s.state} ({s.mode or ''})",
                 f"Entry status: {e.status if e else ''}", f"Why this time: {s.why}"]
        if s.cover:
            lines.append(f"Cover: {s.cover}")
        ev.add("description", visible("\n".join(lines)))
        ev.add("categories", [s.account_key])
        if e and e.press_release_url:
            ev.add("url", e.press_release_url)
        cal.add_component(ev)
    return cal.to_ical()

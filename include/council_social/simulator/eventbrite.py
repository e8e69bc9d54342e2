"""The simulated Eventbrite API: events with pagination.continuation."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any

from council_social.simulator.channels_common import (
    Source,
    int_param,
    page_cursor,
    page_offset,
    query_value,
    yt_time,
)
from council_social.simulator.channels_content import num_id, rng


class EventbriteApi:
    """Mixed into ChannelsApi, whose state (spec, now, token, lock...) it uses."""

    def _eventbrite(self, path: str, query, ok: bool):
        if not ok or "eventbrite" in self.expired:
            return self._json(401, {"status_code": 401, "error": "INVALID_AUTH",
                                    "error_description": "The OAuth token you provided was "
                                                         "invalid."})
        parts = [p for p in path.split("/") if p]
        if len(parts) >= 3 and parts[1] == "organizers":
            s = self.source("eventbrite", parts[2])
            if s is None:
                return self._json(404, {"status_code": 404, "error": "NOT_FOUND",
                                        "error_description": "The organizer you requested does "
                                                             "not exist."})
            events = self._events(s)
            if len(parts) == 3:
                return self._json(200, {
                    "description": {"text": f"Events run by {self.spec.locale.council}",
                                    "html": f"<p>Events run by {escape(self.spec.locale.council)}</p>"},
                    "resource_uri": f"{self._base()}/v3/organizers/{s.external_id}/",
                    "id": s.external_id, "name": s.name,
                    "url": f"https://www.eventbrite.co.uk/o/{s.external_id}",
                    "num_past_events": 120, "num_future_events": len(events),
                    "num_followers": self._audience(s, 400)})
            size = max(1, min(50, int_param(query_value(query, "page_size"), 50)))
            offset = page_offset(query_value(query, "continuation"))
            chunk = events[offset:offset + size]
            more = offset + size < len(events)
            pagination: dict[str, Any] = {
                "object_count": len(events), "page_number": offset // size + 1,
                "page_size": size, "page_count": max(1, -(-len(events) // size)),
                "has_more_items": more}
            if more:
                pagination["continuation"] = page_cursor(offset + size)
            return self._json(200, {"pagination": pagination, "events": chunk})
        return self._json(404, {"status_code": 404, "error": "NOT_FOUND",
                                "error_description": "Not found"})

    def _events(self, s: Source) -> list[dict]:
        now = self.now()
        anchor = datetime(2026, 1, 1, tzinfo=UTC)
        week = int((now - anchor) // timedelta(days=5))
        out = []
        for k in range(week, week - 8, -1):
            r = rng(self.seed, "event", s.external_id, k)
            published = anchor + timedelta(days=5 * k, hours=r.randrange(9, 17))
            if published > now:
                continue
            start = published + timedelta(days=r.randrange(7, 30), hours=2)
            capacity = r.choice([40, 60, 100, 150])
            sold = min(capacity, int((now - published).total_seconds() / 3600 * r.random() * 0.6))
            name = r.choice(list(self.spec.locale.events))
            eid = num_id(self.seed, "event", s.external_id, k, digits=12)
            out.append({
                "name": {"text": name, "html": escape(name)},
                "description": {"text": f"{name}. Free, booking required.",
                                "html": f"<p>{escape(name)}. Free, booking required.</p>"},
                "id": eid, "url": f"https://www.eventbrite.co.uk/e/{eid}",
                "start": {"timezone": "Europe/London", "local": start.strftime("%Y-%m-%dT%H:%M:%S"),
                          "utc": yt_time(start)},
                "end": {"timezone": "Europe/London",
                        "local": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
                        "utc": yt_time(start + timedelta(hours=2))},
                "organization_id": num_id(s.external_id, "org", digits=12),
                "created": yt_time(published - timedelta(hours=1)),
                "changed": yt_time(published), "published": yt_time(published),
                "capacity": capacity, "status": "live" if start > now else "completed",
                "currency": "GBP", "online_event": False, "organizer_id": s.external_id,
                "locale": "en_GB", "is_free": True,
                "ticket_classes": [{"resource_uri": "", "id": num_id(eid, "tc", digits=10),
                                    "name": "General admission", "free": True,
                                    "quantity_total": capacity, "quantity_sold": sold,
                                    "event_id": eid}],
                "ticket_availability": {"has_available_tickets": sold < capacity,
                                        "is_sold_out": sold >= capacity,
                                        "waitlist_available": False},
            })
        return out

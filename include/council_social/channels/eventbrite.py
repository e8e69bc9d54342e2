"""Eventbrite API v3: the council's events (as the organiser) and their ticket counts.

`GET /v3/organizers/{id}/events/?expand=ticket_classes,ticket_availability`
answers `{"pagination": {"has_more_items", "continuation", ...}, "events": [...]}`.
Each event is an item (kind post) by its organiser; tickets sold and on
offer (summed over `ticket_classes`) and `capacity` are its metrics, so a
rerun updates the counts. The organiser object is an author (`num_followers`
where Eventbrite gives it). Errors: `{"status_code", "error", "error_description"}`.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council_social.channels.common import (
    FetchResult,
    HttpConnector,
    as_dict,
    as_id,
    as_int,
    as_list,
    as_str,
    load_json,
    load_json_object,
    newest_stamp,
    parse_time,
    raw_time,
)
from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage

ENDPOINTS = ("events",)


def _organizer(doc: dict[str, Any]) -> AuthorRecord | None:
    oid = as_id(doc.get("id"))
    if oid is None:
        return None
    return AuthorRecord(
        platform="eventbrite", external_id=oid, display_name=as_str(doc.get("name")),
        description=as_str(as_dict(doc.get("description")).get("text")),
        followers_count=as_int(doc.get("num_followers")),
        post_count=as_int(doc.get("num_past_events")), url=as_str(doc.get("url")), raw=doc)


def parse_eventbrite_page(body: bytes, *, account_key: str | None = None) -> ParsedPage:
    """Read one Eventbrite v3 response body. Pure: no network, no Airflow."""
    doc, where, problem = load_json_object(body, account_key)
    if problem:
        return ParsedPage(problem=problem)
    if "error" in doc and "events" not in doc:
        return ParsedPage(problem=f"Eventbrite error {doc.get('status_code')} {doc.get('error')}: "
                                  f"{str(doc.get('error_description'))[:300]}{where}")
    page = ParsedPage()
    if "events" not in doc:
        if "name" in doc and "id" in doc and "start" not in doc:
            if (a := _organizer(doc)) is not None:
                page.authors[a.external_id] = a
            return page
        if "id" in doc and "start" in doc:
            events = [doc]  # a single event lookup
        else:
            page.problem = f"no events: not an Eventbrite events response{where}"
            return page
    else:
        events = doc["events"]
        if not isinstance(events, list):
            page.problem = f"events is a JSON {type(events).__name__}, expected a list{where}"
            return page
        pagination = as_dict(doc.get("pagination"))
        page.result_count = as_int(pagination.get("object_count"))
        if pagination.get("has_more_items") is True:
            page.next_token = as_str(pagination.get("continuation")) or str(
                (as_int(pagination.get("page_number")) or 1) + 1)
    for e in events:
        index = len(page.items)
        if not isinstance(e, dict):
            page.items.append(ItemRecord(platform="eventbrite", external_id=None,
                                         record_index=index, raw=NotAnObject(value=e)))
            continue
        organizer = as_dict(e.get("organizer"))
        oid = as_id(e.get("organizer_id")) or as_id(organizer.get("id"))
        if organizer and (a := _organizer(organizer)) is not None:
            page.authors[a.external_id] = a
        elif oid and oid not in page.authors:
            page.authors[oid] = AuthorRecord(platform="eventbrite", external_id=oid,
                                             raw={"id": oid})
        name = as_str(as_dict(e.get("name")).get("text"))
        description = as_str(as_dict(e.get("description")).get("text")) or as_str(e.get("summary"))
        text = "\n\n".join(t for t in (name, description) if t) if (name or description) else None
        classes = [as_dict(c) for c in as_list(e.get("ticket_classes"))]
        metrics: dict[str, int] = {}
        sold = [n for c in classes if (n := as_int(c.get("quantity_sold"))) is not None]
        total = [n for c in classes if (n := as_int(c.get("quantity_total"))) is not None]
        if sold:
            metrics["tickets_sold"] = sum(sold)
        if total:
            metrics["tickets_total"] = sum(total)
        if (cap := as_int(e.get("capacity"))) is not None:
            metrics["capacity"] = cap
        availability = as_dict(e.get("ticket_availability"))
        if isinstance(availability.get("is_sold_out"), bool):
            metrics["sold_out"] = int(availability["is_sold_out"])
        created = e.get("published") or e.get("created")
        eid = as_id(e.get("id"))
        page.items.append(ItemRecord(
            platform="eventbrite", external_id=eid, record_index=index, kind="post",
            author_external_id=oid, text=text,
            created_at=parse_time(created) if isinstance(created, str) else None,
            created_at_raw=raw_time(created), conversation_id=eid,
            lang=(as_str(e.get("locale")) or "").split("_")[0] or None,
            url=as_str(e.get("url")), metrics=metrics, raw=e))
    return page


class EventbriteConnector(HttpConnector):
    platform = "eventbrite"

    def __init__(self, token: str, base_url: str = "https://www.eventbriteapi.com", **kw):
        super().__init__(token, base_url, **kw)

    def stop_reason(self, resp) -> str:
        doc, _ = load_json(resp.content, "")
        d = as_dict(doc)
        return f"http_{resp.status_code}: {d.get('error') or ''} {d.get('error_description') or ''}"[:300]

    def fetch(self, account, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None
              ) -> FetchResult:
        """Every live and recent event each run: ticket counts change, ids do not."""
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        org = account.external_id or account.handle
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        parsed: list[ParsedPage] = []
        calls: list[tuple[str, dict[str, Any] | None, str]] = [
            (f"/v3/organizers/{org}/", None, "organizer")]
        params: dict[str, Any] = {"status": "live,started,ended", "order_by": "start_desc",
                                  "expand": "ticket_classes,ticket_availability",
                                  "page_size": min(self.page_size, 50)}
        for path, query, label in calls:
            resp, stop = self.get(path, query, account, label, result)
            if stop is not None:
                result.stopped_reason = stop
                return result
            result.pages.append(self.raw_page(account, label, resp))
        while True:
            page = self.next_page(f"/v3/organizers/{org}/events/", params, account, "events",
                                  result, parse_eventbrite_page)
            if page is None:
                return result
            parsed.append(page)
            if not page.next_token:
                break
            params = {**params, "continuation": page.next_token}
        result.complete = True
        result.newest_id = newest_stamp(parsed)
        return result

"""LinkedIn Community Management API (REST, versioned): organisation posts and their comments.

Collections come as `{"elements": [...], "paging": {"start", "count", "total"}}`;
the next page is `start + count` while that is below `total` (or while a page
comes back full when `total` is absent). Posts (`/rest/posts?q=author`) carry
`commentary` and epoch-millisecond `createdAt`/`publishedAt`; comments
(`/rest/socialActions/{urn}/comments`) carry `message.text`, `actor` and
`created.time`. An organisation lookup is an author; `followerCount` or
`firstDegreeSize` give its audience where present. Errors:
`{"status": 401, "serviceErrorCode": 65600, "code": "INVALID_ACCESS_TOKEN", "message": ...}`.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote

from council_social.channels.common import (
    FetchResult,
    HttpConnector,
    as_dict,
    as_id,
    as_int,
    as_str,
    load_json,
    load_json_object,
    metrics_of,
    newest_stamp,
    raw_time,
    since_from,
)
from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage

ENDPOINTS = ("posts",)
LINKEDIN_VERSION = "202411"


def _ms(value: Any) -> datetime | None:
    ms = as_int(value)
    if ms is None or ms <= 0:
        return None
    try:
        return datetime.fromtimestamp(ms / 1000, tz=UTC)
    except (OverflowError, ValueError, OSError):
        return None


def _org_author(doc: dict[str, Any]) -> AuthorRecord | None:
    oid = as_id(doc.get("id"))
    if oid is None:
        return None
    urn = oid if oid.startswith("urn:") else f"urn:li:organization:{oid}"
    followers = as_int(doc.get("followerCount"))
    if followers is None:
        followers = as_int(doc.get("firstDegreeSize"))
    vanity = as_str(doc.get("vanityName"))
    return AuthorRecord(platform="linkedin", external_id=urn, username=vanity,
                        display_name=as_str(doc.get("localizedName")),
                        description=as_str(doc.get("localizedDescription")),
                        followers_count=followers,
                        url=f"https://www.linkedin.com/company/{vanity}" if vanity else None,
                        raw=doc)


def parse_linkedin_page(body: bytes, *, account_key: str | None = None) -> ParsedPage:
    """Read one LinkedIn REST response body. Pure: no network, no Airflow."""
    doc, where, problem = load_json_object(body, account_key)
    if problem:
        return ParsedPage(problem=problem)
    if "serviceErrorCode" in doc or ("status" in doc and "message" in doc and "elements" not in doc):
        return ParsedPage(problem=f"LinkedIn error {doc.get('status')} {doc.get('code') or ''}: "
                                  f"{str(doc.get('message'))[:300]}{where}")
    page = ParsedPage()
    if "elements" not in doc:
        if (a := _org_author(doc)) is not None and ("localizedName" in doc or "vanityName" in doc
                                                     or "followerCount" in doc):
            page.authors[a.external_id] = a
            return page
        page.problem = f"no elements: not a LinkedIn collection{where}"
        return page
    elements = doc["elements"]
    if not isinstance(elements, list):
        page.problem = f"elements is a JSON {type(elements).__name__}, expected a list{where}"
        return page
    paging = as_dict(doc.get("paging"))
    start, count, total = (as_int(paging.get(k)) for k in ("start", "count", "total"))
    page.result_count = total
    if start is not None and count:
        nxt = start + count
        if (total is not None and nxt < total) or (total is None and len(elements) >= count):
            page.next_token = str(nxt)
    for e in elements:
        index = len(page.items)
        if not isinstance(e, dict):
            page.items.append(ItemRecord(platform="linkedin", external_id=None,
                                         record_index=index, raw=NotAnObject(value=e)))
            continue
        if "message" in e or "commentUrn" in e or "actor" in e:  # a comment
            actor = as_id(e.get("actor")) or as_id(as_dict(e.get("created")).get("actor"))
            if actor and actor not in page.authors:
                page.authors[actor] = AuthorRecord(platform="linkedin", external_id=actor,
                                                   raw={"urn": actor})
            created = as_dict(e.get("created")).get("time")
            obj = as_id(e.get("object"))
            parent = as_id(e.get("parentComment"))
            page.items.append(ItemRecord(
                platform="linkedin", external_id=as_id(e.get("commentUrn")) or as_id(e.get("id")),
                record_index=index, kind="reply" if parent else "comment",
                author_external_id=actor, text=as_str(as_dict(e.get("message")).get("text")),
                created_at=_ms(created), created_at_raw=raw_time(created),
                conversation_id=obj, in_reply_to_external_id=parent or obj,
                metrics=metrics_of({
                    "like_count": as_dict(e.get("likesSummary")).get("totalLikes"),
                    "reply_count": as_dict(e.get("commentsSummary")).get("aggregatedTotalComments"),
                }),
                raw=e))
            continue
        author = as_id(e.get("author"))
        if author and author not in page.authors:
            page.authors[author] = AuthorRecord(platform="linkedin", external_id=author,
                                                raw={"urn": author})
        created = e.get("publishedAt") or e.get("createdAt")
        pid = as_id(e.get("id"))
        page.items.append(ItemRecord(
            platform="linkedin", external_id=pid, record_index=index, kind="post",
            author_external_id=author, text=as_str(e.get("commentary")),
            created_at=_ms(created), created_at_raw=raw_time(created), conversation_id=pid,
            url=f"https://www.linkedin.com/feed/update/{pid}/" if pid else None, raw=e))
    return page


class LinkedInConnector(HttpConnector):
    platform = "linkedin"

    def __init__(self, token: str, base_url: str = "https://api.linkedin.com", **kw):
        super().__init__(token, base_url, **kw)

    def auth(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        super().auth(params, headers)
        headers["LinkedIn-Version"] = LINKEDIN_VERSION
        headers["X-Restli-Protocol-Version"] = "2.0.0"

    def stop_reason(self, resp) -> str:
        doc, _ = load_json(resp.content, "")
        return f"http_{resp.status_code}: {str(as_dict(doc).get('message') or '')[:200]}"

    def _collection(self, path: str, params: dict[str, Any], account, label: str,
                    result: FetchResult, parsed: list[ParsedPage], since) -> bool:
        start = 0
        while True:
            page = self.next_page(path, {**params, "start": start}, account, label, result,
                                  parse_linkedin_page)
            if page is None:
                return False
            parsed.append(page)
            older = since is not None and page.items and all(
                i.created_at is not None and i.created_at < since for i in page.items)
            if older or not page.next_token:
                return True
            start = int(page.next_token)

    def fetch(self, account, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None
              ) -> FetchResult:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        if not account.external_id:
            raise LookupError(f"linkedin account {account.key!r} needs its organization id")
        org = account.external_id
        urn = org if org.startswith("urn:") else f"urn:li:organization:{org}"
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        since = since_from(since_id, start_time)
        parsed: list[ParsedPage] = []
        resp, stop = self.get(f"/rest/organizations/{urn.rsplit(':', 1)[-1]}", {}, account,
                              "organization", result)
        if stop is not None:
            result.stopped_reason = stop
            return result
        result.pages.append(self.raw_page(account, "organization", resp))
        posts: list[ParsedPage] = []
        if not self._collection("/rest/posts", {"q": "author", "author": urn,
                                                "count": min(self.page_size, 100),
                                                "sortBy": "LAST_MODIFIED"},
                                account, "posts", result, posts, since):
            return result
        parsed += posts
        for page in posts:
            for item in page.items:
                if item.kind != "post" or not item.external_id:
                    continue
                if since is not None and item.created_at is not None and item.created_at < since:
                    continue
                path = f"/rest/socialActions/{quote(item.external_id, safe='')}/comments"
                if not self._collection(path, {"count": 100}, account, "comments", result,
                                        parsed, None):
                    return result
        result.complete = True
        result.newest_id = newest_stamp(parsed)
        return result

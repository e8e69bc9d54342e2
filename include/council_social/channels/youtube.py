"""YouTube Data API v3: the channel's videos, comment threads and replies, with quota units.

Parser: `items` of any v3 list response. commentThreads give the top-level
comment (kind comment) and its inline `replies.comments` (kind reply);
comments.list gives comments or replies (`parentId`); videos, search results
and playlist items are the channel's posts; a channel resource is an author
whose `subscriberCount` is the audience. `nextPageToken` pages.

Connector: every call costs quota units (list calls 1, search 100) against a
daily quota (10,000 by default). A run stops cleanly *before* a call that
would pass the budget, and a `quotaExceeded` 403 stops it too; in both cases
the watermark stays, so the next run (after the quota resets) loses nothing.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

import requests

from council_social.channels.common import (
    ChannelAuthError,
    FetchResult,
    HttpConnector,
    as_dict,
    as_id,
    as_list,
    as_str,
    load_json,
    load_json_object,
    metrics_of,
    newest_stamp,
    parse_time,
    raw_time,
    since_from,
)
from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage

log = logging.getLogger(__name__)

ENDPOINTS = ("videos", "comments")
DAILY_QUOTA = 10_000
QUOTA_COST = {"channels": 1, "playlistItems": 1, "commentThreads": 1, "comments": 1,
              "videos": 1, "search": 100}
QUOTA_REASONS = {"quotaExceeded", "dailyLimitExceeded", "rateLimitExceeded",
                 "userRateLimitExceeded"}


class YouTubeAuthError(ChannelAuthError):
    """Google refused the API key or OAuth token."""


def youtube_error(doc: Any) -> tuple[int | None, str | None, str]:
    err = as_dict(as_dict(doc).get("error"))
    if not err:
        return None, None, ""
    reasons = [as_dict(e).get("reason") for e in as_list(err.get("errors"))]
    reason = next((r for r in reasons if isinstance(r, str)), None)
    return err.get("code"), reason, str(err.get("message") or "")[:300]


def _channel_author(r: dict[str, Any]) -> AuthorRecord | None:
    cid = as_id(r.get("id"))
    if cid is None:
        return None
    sn, st = as_dict(r.get("snippet")), as_dict(r.get("statistics"))
    return AuthorRecord(
        platform="youtube", external_id=cid, username=as_str(sn.get("customUrl")),
        display_name=as_str(sn.get("title")), description=as_str(sn.get("description")),
        followers_count=metrics_of({"n": st.get("subscriberCount")}).get("n"),
        post_count=metrics_of({"n": st.get("videoCount")}).get("n"),
        location=as_str(sn.get("country")), url=f"https://www.youtube.com/channel/{cid}",
        created_at=parse_time(sn.get("publishedAt")), raw=r,
    )


class _Reader:
    def __init__(self, page: ParsedPage):
        self.page = page

    def _item(self, record: Any, **kw) -> None:
        self.page.items.append(ItemRecord(platform="youtube", record_index=len(self.page.items),
                                          **kw))

    def comment(self, c: Any, *, thread: dict[str, Any] | None = None) -> None:
        if not isinstance(c, dict):
            self._item(c, external_id=None, raw=NotAnObject(value=c))
            return
        sn = as_dict(c.get("snippet"))
        parent = as_id(sn.get("parentId"))
        author_id = as_id(as_dict(sn.get("authorChannelId")).get("value"))
        if author_id and author_id not in self.page.authors:
            self.page.authors[author_id] = AuthorRecord(
                platform="youtube", external_id=author_id,
                display_name=as_str(sn.get("authorDisplayName")),
                url=as_str(sn.get("authorChannelUrl")),
                raw={k: sn.get(k) for k in ("authorDisplayName", "authorChannelUrl",
                                            "authorChannelId")})
        video = as_id(sn.get("videoId")) or as_id(as_dict(thread).get("videoId"))
        cid = as_id(c.get("id"))
        text = as_str(sn.get("textOriginal"))
        if text is None:
            text = as_str(sn.get("textDisplay"))
        created = sn.get("publishedAt")
        self._item(c, external_id=cid, kind="reply" if parent else "comment",
                   author_external_id=author_id, text=text,
                   created_at=parse_time(created) if isinstance(created, str) else None,
                   created_at_raw=raw_time(created), conversation_id=video,
                   in_reply_to_external_id=parent or video,
                   url=(f"https://www.youtube.com/watch?v={video}&lc={cid}"
                        if video and cid else None),
                   metrics=metrics_of({"like_count": sn.get("likeCount"),
                                       "reply_count": (thread or {}).get("totalReplyCount")}),
                   raw=c)

    def video(self, r: dict[str, Any], vid: str | None) -> None:
        sn, st = as_dict(r.get("snippet")), as_dict(r.get("statistics"))
        title, description = as_str(sn.get("title")), as_str(sn.get("description"))
        text = "\n\n".join(t for t in (title, description) if t) if (title or description) else None
        owner = as_id(sn.get("videoOwnerChannelId")) or as_id(sn.get("channelId"))
        if owner and owner not in self.page.authors:
            self.page.authors[owner] = AuthorRecord(
                platform="youtube", external_id=owner,
                display_name=as_str(sn.get("videoOwnerChannelTitle"))
                or as_str(sn.get("channelTitle")),
                url=f"https://www.youtube.com/channel/{owner}", raw={"channelId": owner})
        created = as_dict(r.get("contentDetails")).get("videoPublishedAt") or sn.get("publishedAt")
        self._item(r, external_id=vid, kind="post", author_external_id=owner, text=text,
                   created_at=parse_time(created) if isinstance(created, str) else None,
                   created_at_raw=raw_time(created), conversation_id=vid,
                   lang=as_str(sn.get("defaultLanguage")) or as_str(sn.get("defaultAudioLanguage")),
                   url=f"https://www.youtube.com/watch?v={vid}" if vid else None,
                   metrics=metrics_of({"view_count": st.get("viewCount"),
                                       "like_count": st.get("likeCount"),
                                       "reply_count": st.get("commentCount")}),
                   raw=r)

    def add(self, r: Any) -> None:
        if not isinstance(r, dict):
            self._item(r, external_id=None, raw=NotAnObject(value=r))
            return
        kind = r.get("kind")
        if kind == "youtube#commentThread":
            sn = as_dict(r.get("snippet"))
            self.comment(sn.get("topLevelComment"), thread=sn)
            for reply in as_list(as_dict(r.get("replies")).get("comments")):
                self.comment(reply, thread=sn)
        elif kind == "youtube#comment":
            self.comment(r)
        elif kind == "youtube#channel":
            if (a := _channel_author(r)) is not None:
                self.page.authors[a.external_id] = a  # full record wins over a stub
        elif kind == "youtube#searchResult":
            self.video(r, as_id(as_dict(r.get("id")).get("videoId")))
        elif kind == "youtube#playlistItem":
            vid = (as_id(as_dict(r.get("contentDetails")).get("videoId"))
                   or as_id(as_dict(as_dict(r.get("snippet")).get("resourceId")).get("videoId")))
            self.video(r, vid)
        else:  # youtube#video, or a kind we do not know: kept as a post for validation
            self.video(r, as_id(r.get("id")))


def parse_youtube_page(body: bytes, *, account_key: str | None = None) -> ParsedPage:
    """Read one YouTube Data API v3 response body. Pure: no network, no Airflow."""
    doc, where, problem = load_json_object(body, account_key)
    if problem:
        return ParsedPage(problem=problem)
    code, reason, message = youtube_error(doc)
    if code is not None or "error" in doc:
        return ParsedPage(problem=f"YouTube error {code} {reason or ''}: {message}{where}")
    page = ParsedPage(next_token=as_str(doc.get("nextPageToken")) or None)
    page.result_count = as_dict(doc.get("pageInfo")).get("totalResults")
    if "items" not in doc:
        page.problem = f"no items: not a YouTube list response{where}"
        return page
    items = doc["items"]
    if not isinstance(items, list):
        page.problem = f"items is a JSON {type(items).__name__}, expected a list{where}"
        return page
    reader = _Reader(page)
    for r in items:
        reader.add(r)
    return page


class QuotaLedger:
    """Units spent today against the daily quota; `spent` is seeded from the archive."""

    def __init__(self, daily_quota: int = DAILY_QUOTA, spent: int = 0, reserve: int = 0):
        self.daily_quota = daily_quota
        self.spent = spent
        self.reserve = reserve

    def allows(self, units: int) -> bool:
        return self.spent + units <= self.daily_quota - self.reserve

    def charge(self, units: int) -> None:
        self.spent += units


class YouTubeConnector(HttpConnector):
    platform = "youtube"
    auth_error = YouTubeAuthError

    def __init__(self, token: str, base_url: str = "https://www.googleapis.com", *,
                 ledger: QuotaLedger | None = None, use_api_key: bool = False, **kw):
        super().__init__(token, base_url, **kw)
        self.ledger = ledger or QuotaLedger()
        self.use_api_key = use_api_key

    def auth(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        if self.use_api_key:
            params["key"] = self._token
        else:
            headers["Authorization"] = f"Bearer {self._token}"

    def _reason(self, resp: requests.Response) -> tuple[int | None, str | None, str]:
        doc, _ = load_json(resp.content, "")
        return youtube_error(doc)

    def auth_failure(self, resp: requests.Response) -> str | None:
        if resp.status_code == 401:
            _, reason, message = self._reason(resp)
            return f"YouTube returned 401 {reason or ''}: {message or 'credential refused'}"
        if resp.status_code == 403:
            _, reason, message = self._reason(resp)
            if reason in ("forbidden", "accessNotConfigured", "keyInvalid", "ipRefererBlocked"):
                return f"YouTube returned 403 {reason}: {message}"
        return None

    def stop_reason(self, resp: requests.Response) -> str:
        _, reason, message = self._reason(resp)
        if reason in QUOTA_REASONS:
            return "quota_exceeded"
        return f"http_{resp.status_code}: {reason or ''} {message}".strip()[:300]

    def call(self, resource: str, params: dict[str, Any], account, result: FetchResult,
             parsed: list[ParsedPage]) -> tuple[ParsedPage | None, str | None]:
        units = QUOTA_COST.get(resource, 1)
        if not self.ledger.allows(units):
            log.warning("youtube %s: quota budget reached (%d of %d units), stopping",
                        account.key, self.ledger.spent, self.ledger.daily_quota)
            return None, "quota_budget"
        if len(result.pages) >= self.max_pages:
            return None, "max_pages"
        self.ledger.charge(units)  # failed calls cost quota too
        resp, stop = self.get(f"/youtube/v3/{resource}", params, account, resource, result)
        if stop is not None:
            return None, stop
        result.pages.append(self.raw_page(account, resource, resp))
        page = parse_youtube_page(resp.content, account_key=account.key)
        if page.problem:
            return None, f"bad_page: {page.problem}"
        parsed.append(page)
        return page, None

    def fetch(self, account, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None
              ) -> FetchResult:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        channel = account.external_id
        if not channel:
            raise LookupError(f"youtube account {account.key!r} needs its channel id")
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        since = since_from(since_id, start_time)
        parsed: list[ParsedPage] = []
        size = min(self.page_size, 50 if endpoint == "videos" else 100)
        if endpoint == "videos":
            page, stop = self.call("channels", {"part": "snippet,statistics,contentDetails",
                                                "id": channel}, account, result, parsed)
            if stop:
                result.stopped_reason = stop
                return result
            ch = next((a for a in page.authors.values() if a.external_id == channel), None)
            uploads = as_str(as_dict(as_dict(as_dict(ch.raw if ch else {}).get("contentDetails"))
                                     .get("relatedPlaylists")).get("uploads"))
            uploads = uploads or ("UU" + channel[2:] if channel.startswith("UC") else None)
            resource = "playlistItems"
            params: dict[str, Any] = {"part": "snippet,contentDetails", "playlistId": uploads,
                                      "maxResults": size}
        else:
            resource = "commentThreads"
            params = {"part": "snippet,replies", "allThreadsRelatedToChannelId": channel,
                      "order": "time", "maxResults": size, "textFormat": "plainText"}
        threads: list[ParsedPage] = []
        while True:
            page, stop = self.call(resource, params, account, result, threads)
            if stop:
                result.stopped_reason = stop
                return result
            older = since is not None and page.items and all(
                i.created_at is not None and i.created_at < since for i in page.items)
            if older or not page.next_token:
                break
            params = {**params, "pageToken": page.next_token}
        parsed += threads
        if endpoint == "comments":
            # Threads list at most 5 replies inline; page the rest with comments.list.
            for page in threads:
                for item in page.items:
                    if item.kind != "comment":
                        continue
                    total = self._reply_total(page, item.external_id)
                    inline = sum(1 for i in page.items
                                 if i.in_reply_to_external_id == item.external_id)
                    if total <= inline:
                        continue
                    q: dict[str, Any] = {"part": "snippet", "parentId": item.external_id,
                                         "maxResults": 100, "textFormat": "plainText"}
                    while True:
                        more, stop = self.call("comments", q, account, result, parsed)
                        if stop:
                            result.stopped_reason = stop
                            return result
                        if not more.next_token:
                            break
                        q = {**q, "pageToken": more.next_token}
        result.complete = True
        result.newest_id = newest_stamp(parsed)
        return result

    @staticmethod
    def _reply_total(page: ParsedPage, comment_id: str | None) -> int:
        for item in page.items:
            if item.external_id == comment_id:
                return int(item.metrics.get("reply_count") or 0)
        return 0

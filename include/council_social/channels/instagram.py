"""Instagram Graph API: the council's media, their comments and replies, mentions, hashtags.

Same Graph envelope and paging as Facebook (`channels.facebook`). Media
(`caption`, `media_type`, `timestamp`) are posts; records with `text` are
comments, replies when nested under `replies` or carrying `parent_id`;
`mentioned_comment` / `mentioned_media` lookups are mentions. A user object
(`followers_count`) is the audience. Commenters are known by `from.id` when
Graph gives it, else by `username` alone.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from council_social.channels.common import (
    FetchResult,
    as_dict,
    as_id,
    as_int,
    as_list,
    as_str,
    metrics_of,
    newest_stamp,
    parse_time,
    raw_time,
    since_from,
)
from council_social.channels.facebook import (
    GRAPH_VERSION,
    FacebookAuthError,
    GraphConnector,
    graph_author,
    graph_next,
    parse_graph_page,
)
from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage

ENDPOINTS = ("media", "mentions", "hashtags")
USER_FIELDS = "id,username,name,biography,followers_count,follows_count,media_count,website"
COMMENT_FIELDS = "id,text,timestamp,username,from,like_count,parent_id"
MEDIA_FIELDS = (f"id,caption,media_type,permalink,timestamp,username,owner,like_count,"
                f"comments_count,comments.limit(50){{{COMMENT_FIELDS},"
                f"replies.limit(50){{{COMMENT_FIELDS}}}}}")


class InstagramAuthError(FacebookAuthError):
    """Graph refused the Instagram access token."""


def _is_media(r: dict[str, Any]) -> bool:
    return "text" not in r and any(k in r for k in ("media_type", "caption", "media_url",
                                                    "permalink", "comments_count"))


def _is_user(r: dict[str, Any]) -> bool:
    return ("text" not in r and not _is_media(r) and "id" in r
            and any(k in r for k in ("username", "followers_count", "biography")))


class _InstagramReader:
    def __init__(self, page: ParsedPage):
        self.page = page

    def add_object(self, doc: dict[str, Any]) -> bool:
        if "mentioned_comment" in doc or "mentioned_media" in doc:
            for key in ("mentioned_comment", "mentioned_media"):
                if key in doc:
                    self.add(doc[key], kind="mention")
            return True
        if _is_user(doc):
            if (a := graph_author("instagram", doc)) is not None:
                self.page.authors[a.external_id] = a
            return True
        return False

    def _author_of(self, r: dict[str, Any]) -> str | None:
        who = as_dict(r.get("from")) or as_dict(r.get("owner"))
        uid = as_id(who.get("id"))
        username = as_str(who.get("username")) or as_str(r.get("username"))
        key = uid or username
        if key is None:
            return None
        known = self.page.authors.get(key)
        if known is None or (known.username is None and username):
            self.page.authors[key] = AuthorRecord(
                platform="instagram", external_id=key, username=username,
                raw={"id": uid, "username": username})
        return key

    def add(self, record: Any, *, kind: str | None = None, media_id: str | None = None,
            parent: str | None = None) -> None:
        if isinstance(record, dict) and set(record) == {"id"} and kind is None:
            return  # an id-only answer (ig_hashtag_search) names an object; it is not content
        index = len(self.page.items)
        if not isinstance(record, dict):
            self.page.items.append(ItemRecord(platform="instagram", external_id=None,
                                              record_index=index, raw=NotAnObject(value=record)))
            return
        rid = as_id(record.get("id"))
        media = _is_media(record)
        parent_id = parent or as_id(record.get("parent_id"))
        if kind is None:
            kind = "post" if media else ("reply" if parent_id else "comment")
        created = record.get("timestamp")
        media_of = as_id(as_dict(record.get("media")).get("id")) or media_id
        self.page.items.append(ItemRecord(
            platform="instagram", external_id=rid, record_index=index, kind=kind,
            author_external_id=self._author_of(record),
            text=as_str(record.get("caption")) if media else as_str(record.get("text")),
            created_at=parse_time(created) if isinstance(created, str) else None,
            created_at_raw=raw_time(created),
            conversation_id=rid if media else media_of,
            in_reply_to_external_id=parent_id if kind == "reply" else (
                media_of if not media else None),
            url=as_str(record.get("permalink")),
            metrics=metrics_of({"like_count": record.get("like_count"),
                                "reply_count": record.get("comments_count")}),
            raw=record,
        ))
        if media:
            for child in as_list(as_dict(record.get("comments")).get("data")):
                self.add(child, media_id=rid)
        else:
            for child in as_list(as_dict(record.get("replies")).get("data")):
                self.add(child, kind="reply", media_id=media_of, parent=rid)


def parse_instagram_page(body: bytes, *, account_key: str | None = None) -> ParsedPage:
    """Read one Instagram Graph API response body. Pure: no network, no Airflow."""
    return parse_graph_page(body, platform="instagram", account_key=account_key,
                            reader_cls=_InstagramReader)


class InstagramConnector(GraphConnector):
    platform = "instagram"
    auth_error = InstagramAuthError

    def __init__(self, token: str, base_url: str = "https://graph.facebook.com", *,
                 hashtags: list[str] | None = None, comment_window_hours: float = 72, **kw):
        super().__init__(token, base_url, **kw)
        self.hashtags = [h.lstrip("#") for h in (hashtags or [])]
        self.comment_window = timedelta(hours=comment_window_hours)

    def fetch(self, account, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None
              ) -> FetchResult:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        if not account.external_id:
            raise LookupError(f"instagram account {account.key!r} needs its IG user id "
                              "(external_id) in council.yaml")
        user = account.external_id
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        parsed: list[ParsedPage] = []
        since = since_from(since_id, start_time)
        if end_time is not None:  # comments keep arriving on recent media
            window_start = end_time - self.comment_window
            since = window_start if since is None else min(since, window_start)
        base = {"limit": min(self.page_size, 100)}
        if endpoint == "media":
            steps = [(f"/{GRAPH_VERSION}/{user}", {"fields": USER_FIELDS}, "user"),
                     (f"/{GRAPH_VERSION}/{user}/media", {**base, "fields": MEDIA_FIELDS},
                      "media")]
        elif endpoint == "mentions":
            steps = [(f"/{GRAPH_VERSION}/{user}/tags", {**base, "fields": MEDIA_FIELDS},
                      "tags")]
        else:
            steps = []
            for tag in self.hashtags:
                resp, stop = self.get(f"/{GRAPH_VERSION}/ig_hashtag_search",
                                      {"user_id": user, "q": tag}, account, "hashtag_search",
                                      result)
                if stop is not None:
                    result.stopped_reason = stop
                    return result
                result.pages.append(self.raw_page(account, "hashtag_search", resp))
                data = as_list(as_dict(self._graph_doc(resp)).get("data"))
                tag_id = as_id(as_dict(data[0]).get("id")) if data else None
                if tag_id:
                    steps.append((f"/{GRAPH_VERSION}/{tag_id}/recent_media",
                                  {**base, "user_id": user, "fields": MEDIA_FIELDS},
                                  f"hashtag/{tag}"))
        for path, params, label in steps:
            pages: list[ParsedPage] = []
            if not self._page_until(path, params, account, label, result, pages, since):
                return result
            parsed += pages
            for page in pages:
                for item in page.items:
                    more = graph_next(as_dict(as_dict(item.raw).get("comments")))
                    if item.kind in ("post", "mention") and more:
                        if not self.page_through(more, None, account, f"{label}/comments",
                                                 result, parse_instagram_page, parsed):
                            return result
        result.complete = True
        result.newest_id = newest_stamp(parsed)
        return result

    def _page_until(self, path, params, account, label, result, pages, since) -> bool:
        """Media edges have no `since`: page newest first until a page is all older."""
        next_url, query = path, params
        while next_url:
            page = self.next_page(next_url, query, account, label, result, parse_instagram_page)
            if page is None:
                return False
            pages.append(page)
            posts = [i for i in page.items if i.kind in ("post", "mention")]
            if since is not None and posts and all(
                    i.created_at is not None and i.created_at < since for i in posts):
                return True
            next_url, query = page.next_token, None
        return True


__all__ = ["InstagramConnector", "parse_instagram_page", "as_int"]

"""Facebook Graph API: page posts with their comments, local group feeds, the page's audience.

The parser reads every Graph shape the samples show: `data` lists with
`paging` (cursors and an absolute `paging.next`), `?ids=` maps keyed by id, a
single post, a page object (the audience: `fan_count`/`followers_count`) and
the error envelope. Comments nested under a post (`comments.data`, and their
own `comments`) are items too. Graph withholds `from` without a page token,
so a comment may have no author; its id is then rebuilt from `permalink_url`
(`{post}_{comment_id}`, as Graph writes comment ids).

The connector asks for posts in (since, end] with comments expanded, follows
`paging.next` to the end, then pages any comment list that has more. An
expired token (code 190) raises `FacebookAuthError`; the watermark (the
newest created_time seen, an ISO stamp) only moves after a complete fetch.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import parse_qs, urlsplit

import requests

from council_social.channels.common import (
    ChannelAuthError,
    FetchResult,
    HttpConnector,
    as_dict,
    as_id,
    as_int,
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

GRAPH_VERSION = "v19.0"
AUTHOR_FIELDS = "id,name,username,link,fan_count,followers_count"
COMMENT_FIELDS = f"id,message,created_time,permalink_url,like_count,comment_count,parent{{id}},from{{{AUTHOR_FIELDS}}}"
POST_FIELDS = (f"id,message,story,created_time,updated_time,permalink_url,shares,"
               f"from{{{AUTHOR_FIELDS}}},reactions.summary(true).limit(0),"
               f"comments.summary(true).order(reverse_chronological).limit(25){{{COMMENT_FIELDS},"
               f"comments.limit(25){{{COMMENT_FIELDS}}}}}")
ENDPOINTS = ("posts", "groups")
# Graph codes that mean the token, not the request, is the problem.
AUTH_CODES = {102, 190, 463, 467}
RATE_CODES = {4, 17, 32, 613, 80001}


class FacebookAuthError(ChannelAuthError):
    """Graph refused the access token (error code 190: expired or revoked)."""


# ----------------------------------------------------------------- Graph envelope
def graph_error(doc: Any) -> dict[str, Any] | None:
    if isinstance(doc, dict) and isinstance(doc.get("error"), dict):
        return doc["error"]
    return None


def describe_graph_error(err: dict[str, Any]) -> str:
    code = err.get("code")
    sub = err.get("error_subcode")
    kind = err.get("type") or "GraphError"
    msg = str(err.get("message") or "")[:300]
    return f"Graph error {code}{f'/{sub}' if sub else ''} ({kind}): {msg}"


def graph_next(doc: Any) -> str | None:
    paging = as_dict(as_dict(doc).get("paging"))
    return as_str(paging.get("next")) or None


def _comment_ids_from_permalink(url: str | None
                                ) -> tuple[str | None, str | None, str | None, str | None]:
    """(post object id, page_post id, comment id, reply comment id) from a comment permalink."""
    if not url:
        return None, None, None, None
    parts = urlsplit(url)
    q = parse_qs(parts.query)
    segments = [s for s in parts.path.split("/") if s]
    post = page_post = None
    if "posts" in segments[:-1]:
        at = segments.index("posts")
        post = segments[at + 1]
        page_post = f"{segments[at - 1]}_{post}" if at > 0 else post
    return (post, page_post, (q.get("comment_id") or [None])[0],
            (q.get("reply_comment_id") or [None])[0])


def graph_author(platform: str, u: Any) -> AuthorRecord | None:
    u = as_dict(u)
    uid = as_id(u.get("id"))
    if uid is None:
        return None
    followers = as_int(u.get("followers_count"))
    if followers is None:
        followers = as_int(u.get("fan_count"))
    return AuthorRecord(
        platform=platform, external_id=uid, username=as_str(u.get("username")),
        display_name=as_str(u.get("name")),
        description=as_str(u.get("about")) or as_str(u.get("biography")),
        verified=(u.get("verification_status") == "blue_verified"
                  if "verification_status" in u else None),
        followers_count=followers, following_count=as_int(u.get("follows_count")),
        post_count=as_int(u.get("media_count")),
        url=as_str(u.get("link")) or as_str(u.get("website")), raw=u,
    )


def _is_page_object(doc: dict[str, Any]) -> bool:
    return ("created_time" not in doc and "message" not in doc and "id" in doc
            and any(k in doc for k in ("name", "fan_count", "followers_count", "username")))


class _Reader:
    def __init__(self, page: ParsedPage):
        self.page = page

    def add(self, record: Any, *, parent_post: str | None = None,
            parent_comment: str | None = None) -> None:
        index = len(self.page.items)
        if not isinstance(record, dict):
            self.page.items.append(ItemRecord(platform="facebook", external_id=None,
                                              record_index=index, raw=NotAnObject(value=record)))
            return
        rid = as_id(record.get("id"))
        link = as_str(record.get("permalink_url"))
        post_from_link, page_post, comment_id, reply_id = _comment_ids_from_permalink(link)
        if comment_id and parent_post is None:
            parent_post = page_post
        parent = as_id(as_dict(record.get("parent")).get("id"))
        if rid is None and comment_id and post_from_link:
            rid = f"{post_from_link}_{reply_id or comment_id}"
        id_parts = rid.split("_") if rid else []
        if reply_id or parent or parent_comment:
            kind = "reply"
            in_reply_to = parent or parent_comment or (
                f"{post_from_link}_{comment_id}" if post_from_link else None)
        elif comment_id or parent_post or len(id_parts) == 3:
            kind = "comment"
            in_reply_to = parent_post or (
                "_".join(id_parts[:2]) if len(id_parts) == 3 else None)
        else:
            kind, in_reply_to = "post", None
        author = graph_author("facebook", record.get("from"))
        if author is not None:
            self.page.authors.setdefault(author.external_id, author)
        conversation = (rid if kind == "post" else parent_post
                        or ("_".join(id_parts[:2]) if len(id_parts) == 3 else None))
        text = as_str(record.get("message"))
        if text is None and kind == "post":
            text = as_str(record.get("story"))
        shares = as_dict(record.get("shares")).get("count")
        reactions = as_dict(as_dict(record.get("reactions")).get("summary")).get("total_count")
        comments = as_dict(record.get("comments"))
        comment_total = (as_dict(comments.get("summary")).get("total_count")
                         if "summary" in comments else comments.get("count"))
        created = record.get("created_time")
        self.page.items.append(ItemRecord(
            platform="facebook", external_id=rid, record_index=index, kind=kind,
            author_external_id=author.external_id if author else None, text=text,
            created_at=parse_time(created) if isinstance(created, str) else None,
            created_at_raw=raw_time(created), conversation_id=conversation,
            in_reply_to_external_id=in_reply_to, url=link,
            metrics=metrics_of({"like_count": record.get("like_count", record.get("likes")),
                                "reply_count": record.get("comment_count", comment_total),
                                "repost_count": shares, "reaction_count": reactions}),
            raw=record,
        ))
        # Comments expanded under a post, and replies under a comment, are items too.
        for child in as_list(comments.get("data")):
            if kind == "post":
                self.add(child, parent_post=rid)
            else:
                self.add(child, parent_post=conversation, parent_comment=rid)


def parse_graph_page(body: bytes, *, platform: str, account_key: str | None,
                     reader_cls) -> ParsedPage:
    doc, where, problem = load_json_object(body, account_key)
    if problem:
        return ParsedPage(problem=problem)
    if (err := graph_error(doc)) is not None:
        return ParsedPage(problem=describe_graph_error(err) + where)
    page = ParsedPage()
    page.next_token = graph_next(doc)
    reader = reader_cls(page)
    if "data" in doc:
        data = doc["data"]
        if isinstance(data, dict):
            data = [data]
        if not isinstance(data, list):
            page.problem = f"data is a JSON {type(data).__name__}, expected a list{where}"
            return page
        for record in data:
            reader.add(record)
        page.result_count = len(data)
        return page
    if doc and all(isinstance(v, dict) and as_id(v.get("id")) == k for k, v in doc.items()):
        for record in doc.values():  # an ?ids=a,b lookup: one object per id
            if not reader.add_object(record):
                reader.add(record)
        return page
    if reader.add_object(doc):
        return page
    if "id" in doc:
        reader.add(doc)
        return page
    page.problem = f"not a Graph response: no data, no id and no error{where}"
    return page


class _FacebookReader(_Reader):
    def add_object(self, doc: dict[str, Any]) -> bool:
        """A page (or group, or user) object: an author with its audience, not an item."""
        if not _is_page_object(doc):
            return False
        if (a := graph_author("facebook", doc)) is not None:
            self.page.authors[a.external_id] = a
        return True


def parse_facebook_page(body: bytes, *, account_key: str | None = None) -> ParsedPage:
    """Read one Graph API response body (Facebook). Pure: no network, no Airflow."""
    return parse_graph_page(body, platform="facebook", account_key=account_key,
                            reader_cls=_FacebookReader)


# ----------------------------------------------------------------- connector
class GraphConnector(HttpConnector):
    """Graph API paging shared by Facebook and Instagram."""

    auth_error = FacebookAuthError

    def _graph_doc(self, resp: requests.Response) -> Any:
        doc, _ = load_json(resp.content, "")
        return doc

    def auth_failure(self, resp: requests.Response) -> str | None:
        err = graph_error(self._graph_doc(resp)) if resp.status_code >= 400 else None
        if err is not None and (err.get("code") in AUTH_CODES or resp.status_code == 401):
            return describe_graph_error(err) + " - renew the access token"
        if resp.status_code == 401:
            return f"{self.platform} returned 401: the access token was refused"
        return None

    def rate_limited(self, resp: requests.Response) -> bool:
        if resp.status_code == 429:
            return True
        err = graph_error(self._graph_doc(resp)) if resp.status_code >= 400 else None
        return err is not None and err.get("code") in RATE_CODES

    def stop_reason(self, resp: requests.Response) -> str:
        err = graph_error(self._graph_doc(resp))
        detail = describe_graph_error(err) if err else "(no Graph error body)"
        return f"http_{resp.status_code}: {detail}"[:300]

    def get(self, url, params, account, label, result):
        try:
            return super().get(url, params, account, label, result)
        except ChannelAuthError as e:
            raise self.auth_error(str(e)) from None

    def page_through(self, url: str, params: dict[str, Any] | None, account, label: str,
                     result: FetchResult, parser, parsed: list[ParsedPage]) -> bool:
        """Follow paging.next to the end; False (with the reason set) on an early stop."""
        next_url: str | None = url
        query = params
        while next_url:
            page = self.next_page(next_url, query, account, label, result, parser)
            if page is None:
                return False
            parsed.append(page)
            next_url, query = page.next_token, None  # paging.next carries every parameter
        return True


class FacebookConnector(GraphConnector):
    platform = "facebook"

    def __init__(self, token: str, base_url: str = "https://graph.facebook.com", *,
                 groups: list[str] | None = None, comment_window_hours: float = 72, **kw):
        super().__init__(token, base_url, **kw)
        self.groups = list(groups or [])
        self.comment_window = timedelta(hours=comment_window_hours)

    def fetch(self, account, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None
              ) -> FetchResult:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        since = since_from(since_id, start_time)
        if end_time is not None:
            # Comments keep arriving on recent posts: re-read the comment window each run.
            window_start = end_time - self.comment_window
            since = window_start if since is None else min(since, window_start)
        page_id = account.external_id or account.handle
        parsed: list[ParsedPage] = []
        if endpoint == "posts":
            targets = [(f"/{GRAPH_VERSION}/{page_id}/feed", "feed")]
            # The page object first: its fan and follower counts are the audience.
            if not self.page_through(f"/{GRAPH_VERSION}/{page_id}",
                                     {"fields": AUTHOR_FIELDS + ",about,verification_status"},
                                     account, "page", result, parse_facebook_page, parsed):
                return result
        else:
            targets = [(f"/{GRAPH_VERSION}/{g}/feed", f"group/{g}") for g in self.groups]
        params: dict[str, Any] = {"fields": POST_FIELDS, "limit": min(self.page_size, 100)}
        if since is not None:
            params["since"] = int(since.timestamp())
        if end_time is not None:
            params["until"] = int(end_time.timestamp())
        for path, label in targets:
            posts: list[ParsedPage] = []
            if not self.page_through(path, dict(params), account, label, result,
                                     parse_facebook_page, posts):
                return result
            parsed += posts
            # A post whose expanded comments have a paging.next has more: page them too.
            for page in posts:
                for item in page.items:
                    comments = as_dict(as_dict(item.raw).get("comments"))
                    more = graph_next(comments)
                    if item.kind == "post" and more:
                        if not self.page_through(more, None, account, f"{label}/comments",
                                                 result, parse_facebook_page, parsed):
                            return result
        result.complete = True
        result.newest_id = newest_stamp(parsed)
        return result

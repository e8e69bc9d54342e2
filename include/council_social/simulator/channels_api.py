"""The non-X platform APIs the connectors call, in their real wire formats.

`ChannelsApi.handle(method, path, query, headers)` -> (status, headers, body),
routed by path prefix from `server.py`:

  /v{N}.{M}/...          Facebook and Instagram Graph API (data + paging.cursors/next)
  /youtube/v3/...        YouTube Data API v3 (items, nextPageToken, quota errors)
  /services/rest/        Flickr REST (stat envelope, epoch strings, HTTP 200 errors)
  /rest/...              LinkedIn Community Management API (elements + paging)
  /v3/...                Eventbrite (events + pagination.continuation)
  /feeds/{key}           RSS 2.0, Atom and JSON Feed bodies

Test hooks: `inject_once` serves exact bytes once under a prefix,
`inject_429` rate-limits the next requests, `expire_token(platform)` makes
Graph answer code 190, `youtube_quota` caps the units YouTube will serve.

Posting: `POST /{v}/{page-id}/feed` (message, optional link, in the query
string) creates a post on a configured Facebook page, answers
`{"id": "{page-id}_{post-id}"}` and lists it in the page's `/feed` and
`/posts`; the same message twice answers Graph's duplicate error (506), and
`block_posting(page_id)` makes the page answer 368. `facebook_posted` lists
what was created. A lost response is the server's `drop_next_response("POST",
"/v19.0/{page-id}/feed")`, as for X.
"""

from __future__ import annotations

import base64
import hmac
import json
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from html import escape
from typing import Any
from urllib.parse import urlencode

from council_social.simulator.channels_content import (
    Person,
    SimPost,
    num_id,
    posts_between,
    rng,
    word_id,
)
from council_social.simulator.locale import BRENT, Locale

PREFIXES = ("/youtube/", "/services/rest", "/rest/", "/v3/", "/feeds/")
GRAPH_LOOKBACK = timedelta(days=30)


def owns(path: str) -> bool:
    if path.startswith(PREFIXES):
        return True
    head = path.split("/")[1] if path.count("/") >= 1 else ""
    return head.startswith("v") and "." in head and head[1:].replace(".", "").isdigit()


@dataclass
class Source:
    key: str
    platform: str
    external_id: str
    name: str
    handle: str
    kind: str = "account"  # account | group | feed kind


@dataclass
class _Inject:
    prefix: str
    status: int
    body: bytes
    headers: dict[str, str]


@dataclass
class ChannelSpec:
    sources: list[Source] = field(default_factory=list)
    hashtags: list[str] = field(default_factory=list)
    locale: Locale = BRENT

    @classmethod
    def from_config(cls, config) -> ChannelSpec:
        spec = cls(locale=Locale.from_config(config))
        for a in config.accounts:
            if a.platform != "twitter":
                spec.sources.append(Source(a.key, a.platform, a.external_id or a.handle,
                                           a.display_name, a.handle))
        fb = config.channels.facebook
        for g in (fb.groups if fb else []):
            spec.sources.append(Source(f"group-{g}", "facebook", g, f"{spec.locale.area} residents group",
                                       g, kind="group"))
        for f in config.feeds:
            spec.sources.append(Source(f.key, "feed", f.key, f.name, f.url, kind=f.kind))
        ig = config.channels.instagram
        spec.hashtags = list(ig.hashtags if ig else [])
        return spec


def _graph_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def _yt_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def _cursor(n: int) -> str:
    return base64.urlsafe_b64encode(f"o:{n}".encode()).decode().rstrip("=")


def _offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return max(0, int(raw.split(":", 1)[1]))
    except (ValueError, IndexError, UnicodeDecodeError):
        return -1


def _q(query: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    values = query.get(name)
    return values[0] if values else default


def _int(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default


class ChannelsApi:
    def __init__(self, spec: ChannelSpec, *, seed: int, token: str,
                 now: Callable[[], datetime]):
        self.spec = spec
        self.seed = seed
        self.token = token
        self.now = now
        self.lock = threading.Lock()
        self.injected: list[_Inject] = []
        self.limited: dict[str, tuple[int, float]] = {}
        self.expired: set[str] = set()
        self.youtube_quota: int | None = None
        self.youtube_units = 0
        self.host = "127.0.0.1"
        self.fb_posted: list[dict] = []  # created with POST /{page-id}/feed
        self.fb_blocked: set[str] = set()
        # comment ids hidden with POST /{comment-id}?is_hidden=true, and every such call
        self.hidden: set[str] = set()
        self.hide_calls: list[str] = []

    # --------------------------------------------------------------- hooks
    def inject_once(self, prefix: str, status: int, body: bytes | dict,
                    headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self.lock:
            self.injected.append(_Inject(prefix, status, raw, dict(headers or {})))

    def inject_429(self, prefix: str, count: int = 1, retry_after: float = 1.0) -> None:
        with self.lock:
            self.limited[prefix] = (count, retry_after)

    def expire_token(self, platform: str) -> None:
        self.expired.add(platform)

    def renew_token(self, platform: str) -> None:
        """Undo `expire_token`: the platform accepts the token again."""
        self.expired.discard(platform)

    def block_posting(self, page_id: str) -> None:
        """From now on posts to this page are refused with Graph error 368."""
        with self.lock:
            self.fb_blocked.add(str(page_id))

    @property
    def facebook_posted(self) -> list[dict]:
        """Posts created through POST /{page-id}/feed, oldest first (id, page_id,
        message, link, created)."""
        with self.lock:
            return [dict(p) for p in self.fb_posted]

    def source(self, platform: str, external_id: str) -> Source | None:
        return next((s for s in self.spec.sources
                     if s.platform == platform and s.external_id == external_id), None)

    # --------------------------------------------------------------- dispatch
    def handle(self, method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        self.host = next((v for k, v in headers.items() if k.lower() == "host"), self.host)
        with self.lock:
            for i, inj in enumerate(self.injected):
                if path.startswith(inj.prefix):
                    del self.injected[i]
                    return inj.status, {"content-type": "application/json; charset=utf-8",
                                        **inj.headers}, inj.body
            for prefix, (count, wait) in list(self.limited.items()):
                if path.startswith(prefix) and count > 0:
                    self.limited[prefix] = (count - 1, wait)
                    return 429, {"content-type": "application/json", "Retry-After":
                                 str(int(wait) if wait == int(wait) else wait)}, \
                        json.dumps({"error": {"message": "Too many requests", "code": 4}}).encode()
        if method == "POST" and not path.startswith(PREFIXES):
            auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
            return self._graph_post(path, query, auth.startswith("Bearer ") and hmac.compare_digest(
                auth[7:].encode(), self.token.encode()))
        if method != "GET":
            return self._json(405, {"error": {"message": "method not allowed"}})
        if path.startswith("/feeds/"):
            return self._feed(path[len("/feeds/"):].strip("/"))
        if path.startswith("/services/rest"):
            return self._flickr(query)
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        ok = auth.startswith("Bearer ") and hmac.compare_digest(auth[7:].encode(),
                                                                 self.token.encode())
        if path.startswith("/youtube/"):
            return self._youtube(path, query, ok)
        if path.startswith("/rest/"):
            return self._linkedin(path, query, ok)
        if path.startswith("/v3/"):
            return self._eventbrite(path, query, ok)
        return self._graph(path, query, ok)

    @staticmethod
    def _json(status: int, body: Any, extra: dict[str, str] | None = None):
        raw = json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
        return status, {"content-type": "application/json; charset=utf-8", **(extra or {})}, raw

    def _base(self) -> str:
        return f"http://{self.host}"

    # --------------------------------------------------------------- Graph
    def _graph_error(self, status: int, message: str, kind: str, code: int,
                     sub: int | None = None):
        err: dict[str, Any] = {"message": message, "type": kind, "code": code,
                               "fbtrace_id": word_id(self.seed, message, length=23)}
        if sub is not None:
            err["error_subcode"] = sub
        return self._json(status, {"error": err},
                          {"WWW-Authenticate": 'OAuth "Facebook Platform" "invalid_token"'}
                          if code == 190 else None)

    def _graph(self, path: str, query, ok: bool):
        parts = [p for p in path.split("/") if p]
        rest = parts[1:]  # parts[0] is the Graph version; any is served
        if not ok or self.expired & {"facebook", "instagram"}:
            return self._graph_error(400, "Error validating access token: Session has expired on "
                                     "Tuesday, 24-Nov-26 04:00:00 PST. The current time is "
                                     "Wednesday, 25-Nov-26 04:00:00 PST.", "OAuthException",
                                     190, 463)
        now = self.now()
        if rest == ["ig_hashtag_search"]:
            tag = (_q(query, "q") or "").lstrip("#").lower()
            return self._json(200, {"data": [{"id": num_id(self.seed, "hashtag", tag,
                                                           digits=17)}]})
        if not rest or len(rest) > 2:
            return self._graph_error(400, "Unsupported get request.", "GraphMethodException", 100,
                                     33)
        obj = rest[0]
        edge = rest[1] if len(rest) == 2 else None
        fb = self.source("facebook", obj)
        ig = self.source("instagram", obj)
        tag = next((t for t in self.spec.hashtags
                    if num_id(self.seed, "hashtag", t.lower(), digits=17) == obj), None)
        if edge is None and fb is not None:
            return self._json(200, self._page_obj(fb))
        if edge is None and ig is not None:
            return self._json(200, self._ig_user(ig))
        if edge is None and _q(query, "fields") == "is_hidden":
            with self.lock:
                return self._json(200, {"id": obj, "is_hidden": obj in self.hidden})
        since = datetime.fromtimestamp(_int(_q(query, "since"), 0), tz=UTC) \
            if _q(query, "since") else now - GRAPH_LOOKBACK
        until = datetime.fromtimestamp(_int(_q(query, "until"), 0), tz=UTC) \
            if _q(query, "until") else now
        limit = max(1, min(100, _int(_q(query, "limit"), 25)))
        offset = _offset(_q(query, "after"))
        if offset < 0:
            return self._graph_error(400, "Invalid cursor", "OAuthException", 100)
        if edge == "posts" and fb is not None and fb.kind == "account":
            # The page's own posts: the council's generated posts plus those made through the API.
            council = self._person(fb)
            posts = posts_between(self.seed, f"fb:{fb.external_id}", since, until, now,
                                  rate=0.5, council=council, locale=self.spec.locale)
            rows = [self._fb_post(fb, p) for p in posts]
            rows = self._with_fb_posted(fb, rows, since, until)
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if edge == "feed" and fb is not None:
            council = self._person(fb)
            posts = posts_between(self.seed, f"fb:{fb.external_id}", since, until, now,
                                  rate=0.5 if fb.kind == "account" else 0.6,
                                  by_residents=fb.kind == "group", council=council, locale=self.spec.locale)
            rows = [self._fb_post(fb, p) for p in posts]
            rows = self._with_fb_posted(fb, rows, since, until)
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if edge == "comments":
            page_id, _, post_n = obj.partition("_")
            fb = self.source("facebook", page_id)
            if fb is None:
                return self._graph_error(400, "Unsupported get request.", "GraphMethodException",
                                         100, 33)
            posts = posts_between(self.seed, f"fb:{fb.external_id}", now - GRAPH_LOOKBACK * 3,
                                  now, now, by_residents=fb.kind == "group",
                                  council=self._person(fb), locale=self.spec.locale)
            post = next((p for p in posts if p.id == post_n), None)
            rows = [self._fb_comment(fb, post, c) for c in post.comments] if post else []
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if ig is not None and edge in ("media", "tags"):
            posts = posts_between(self.seed, f"ig:{edge}:{ig.external_id}", now - GRAPH_LOOKBACK,
                                  now, now, rate=0.3, by_residents=edge == "tags",
                                  council=self._person(ig), locale=self.spec.locale)
            rows = [self._ig_media(ig, p) for p in posts]
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        if tag is not None and edge == "recent_media":
            posts = posts_between(self.seed, f"ig:tag:{tag}", now - timedelta(days=1), now, now,
                                  rate=0.5, by_residents=True, locale=self.spec.locale)
            rows = [self._ig_media(None, p) for p in posts]
            return self._json(200, self._graph_page(path, query, rows, offset, limit))
        return self._graph_error(400, f"Unsupported get request. Object with ID '{obj}' does "
                                 "not exist, cannot be loaded due to missing permissions, or "
                                 "does not support this operation.", "GraphMethodException",
                                 100, 33)

    def _graph_post(self, path: str, query, ok: bool):
        """POST /{v}/{page-id}/feed: publish to a configured page as the page."""
        if not ok or self.expired & {"facebook"}:
            return self._graph_error(400, "Error validating access token: Session has expired on "
                                     "Tuesday, 24-Nov-26 04:00:00 PST. The current time is "
                                     "Wednesday, 25-Nov-26 04:00:00 PST.", "OAuthException",
                                     190, 463)
        rest = [p for p in path.split("/") if p][1:]
        if len(rest) == 1 and _q(query, "is_hidden") is not None:
            return self._hide(rest[0], _q(query, "is_hidden") == "true")
        fb = self.source("facebook", rest[0]) if len(rest) == 2 and rest[1] == "feed" else None
        if fb is None or fb.kind != "account":
            return self._graph_error(400, "Unsupported post request. Please read the Graph API "
                                     "documentation at https://developers.facebook.com/docs/"
                                     "graph-api", "GraphMethodException", 100, 33)
        message, link = _q(query, "message") or "", _q(query, "link")
        if not message.strip() and not link:
            return self._graph_error(400, "(#100) Missing message or attachment",
                                     "OAuthException", 100)
        now = self.now().astimezone(UTC)
        with self.lock:
            if fb.external_id in self.fb_blocked:
                return self._graph_error(400, "(#368) The action attempted has been deemed "
                                         "abusive or is otherwise disallowed", "OAuthException",
                                         368, 1390008)
            if any(p["page_id"] == fb.external_id and p["message"] == message
                   for p in self.fb_posted):
                return self._graph_error(400, "(#506) Duplicate status message",
                                         "OAuthException", 506)
            post_id = num_id(self.seed, "fbpost", fb.external_id, len(self.fb_posted), digits=16)
            self.fb_posted.append({"id": f"{fb.external_id}_{post_id}", "page_id": fb.external_id,
                                   "message": message, "link": link, "created": now})
        return self._json(200, {"id": f"{fb.external_id}_{post_id}"})

    def _hide(self, comment_id: str, hidden: bool):
        """POST /{comment-id}?is_hidden=true|false (a Facebook or Instagram comment)."""
        if self.source("facebook", comment_id) or self.source("instagram", comment_id):
            return self._graph_error(400, "(#100) Param is_hidden is not valid for a page",
                                     "OAuthException", 100)
        with self.lock:
            self.hide_calls.append(comment_id)
            (self.hidden.add if hidden else self.hidden.discard)(comment_id)
        return self._json(200, {"success": True})

    def _with_fb_posted(self, fb: Source, rows: list[dict], since: datetime,
                        until: datetime) -> list[dict]:
        """Generated rows plus the page's API posts in (since, until], newest first."""
        with self.lock:
            made = [p for p in self.fb_posted
                    if p["page_id"] == fb.external_id and since < p["created"] <= until]
        if not made:
            return rows
        page = self._page_obj(fb)
        for p in made:
            row: dict[str, Any] = {
                "id": p["id"], "message": p["message"], "created_time": _graph_time(p["created"]),
                "updated_time": _graph_time(p["created"]),
                "permalink_url": f"https://www.facebook.com/{fb.external_id}/posts/"
                                 f"{p['id'].split('_', 1)[1]}",
                "shares": {"count": 0},
                "from": {k: page[k] for k in ("id", "name", "username", "link", "fan_count",
                                              "followers_count")},
                "reactions": {"data": [], "summary": {"total_count": 0,
                                                      "viewer_reaction": "NONE"}},
                "comments": {"data": [], "summary": {"order": "reverse_chronological",
                                                     "total_count": 0, "can_comment": True}}}
            if p["link"]:
                row["link"] = p["link"]
            rows = [*rows, row]
        return sorted(rows, key=lambda r: r["created_time"], reverse=True)

    def _graph_page(self, path: str, query, rows: list[dict], offset: int, limit: int) -> dict:
        chunk = rows[offset:offset + limit]
        body: dict[str, Any] = {"data": chunk}
        if chunk:
            paging: dict[str, Any] = {"cursors": {"before": _cursor(offset),
                                                  "after": _cursor(offset + len(chunk))}}
            if offset + limit < len(rows):
                params = {k: v[0] for k, v in query.items() if k not in ("after", "access_token")}
                params["after"] = _cursor(offset + limit)
                paging["next"] = f"{self._base()}{path}?{urlencode(params)}"
            body["paging"] = paging
        return body

    def _person(self, s: Source) -> Person:
        return Person(s.external_id, s.name, s.handle)

    def _audience(self, s: Source, base: int) -> int:
        days = (self.now() - datetime(2015, 8, 10, tzinfo=UTC)).days
        return base + days * (7 if s.platform == "facebook" else 3)

    def _page_obj(self, s: Source) -> dict:
        if s.kind == "group":
            return {"id": s.external_id, "name": s.name, "privacy": "CLOSED",
                    "member_count": 4200}
        fans = self._audience(s, 3294)
        return {"id": s.external_id, "name": s.name, "username": s.handle,
                "link": f"https://www.facebook.com/{s.handle}", "fan_count": fans,
                "followers_count": fans + 150, "about": f"The official page of {self.spec.locale.council}.",
                "verification_status": "blue_verified"}

    def _from(self, s: Source, p: Person) -> dict:
        if p.id == s.external_id and s.kind == "account":
            page = self._page_obj(s)
            return {k: page[k] for k in ("id", "name", "username", "link", "fan_count",
                                         "followers_count")}
        return {"id": p.id, "name": p.name}

    def _fb_comment(self, s: Source, post: SimPost, c, parent: str | None = None) -> dict:
        cid = f"{post.id}_{c.id}"
        link = f"https://www.facebook.com/{s.external_id}/posts/{post.id}/?comment_id="
        row: dict[str, Any] = {
            "id": cid, "message": c.text, "created_time": _graph_time(c.created),
            "permalink_url": link + (f"{parent.split('_')[-1]}&reply_comment_id={c.id}"
                                     if parent else c.id),
            "like_count": c.likes, "comment_count": len(getattr(c, "replies", [])),
            "from": self._from(s, c.author),
        }
        if parent:
            row["parent"] = {"id": parent}
        elif c.replies:
            row["comments"] = {"data": [self._fb_comment(s, post, r, cid) for r in c.replies],
                               "paging": {"cursors": {"before": _cursor(0),
                                                      "after": _cursor(len(c.replies))}}}
        return row

    def _fb_post(self, s: Source, p: SimPost) -> dict:
        author = p.author or self._person(s)
        comments = [self._fb_comment(s, p, c) for c in p.comments]
        return {
            "id": f"{s.external_id}_{p.id}", "message": p.text,
            "created_time": _graph_time(p.created), "updated_time": _graph_time(p.created),
            "permalink_url": f"https://www.facebook.com/{s.external_id}/posts/{p.id}",
            "shares": {"count": p.shares}, "from": self._from(s, author),
            "reactions": {"data": [], "summary": {"total_count": p.likes,
                                                  "viewer_reaction": "NONE"}},
            "comments": {"data": comments[:25],
                         **({"paging": {"cursors": {"before": _cursor(0),
                                                    "after": _cursor(len(comments[:25]))}}}
                            if comments else {}),
                         "summary": {"order": "reverse_chronological",
                                     "total_count": len(comments), "can_comment": True}},
        }

    def _ig_user(self, s: Source) -> dict:
        return {"id": s.external_id, "username": s.handle, "name": s.name,
                "biography": f"Official Instagram of {self.spec.locale.council}",
                "followers_count": self._audience(s, 900), "follows_count": 120,
                "media_count": 480, "website": self.spec.locale.website}

    def _ig_comment(self, c, reply: bool = False) -> dict:
        row = {"id": num_id(c.id, "ig", digits=17), "text": c.text,
               "timestamp": _graph_time(c.created), "username": c.author.username,
               "from": {"id": c.author.id, "username": c.author.username},
               "like_count": c.likes}
        if not reply and c.replies:
            row["replies"] = {"data": [self._ig_comment(r, True) for r in c.replies]}
        return row

    def _ig_media(self, s: Source | None, p: SimPost) -> dict:
        author = p.author or (self._person(s) if s else None)
        mid = num_id(p.id, "igm", digits=17)
        row: dict[str, Any] = {
            "id": mid, "caption": p.text, "media_type": "IMAGE",
            "permalink": f"https://www.instagram.com/p/{word_id(mid, length=11)}/",
            "timestamp": _graph_time(p.created), "like_count": p.likes,
            "comments_count": len(p.comments),
        }
        if author is not None:
            row["username"] = author.username
            row["owner"] = {"id": author.id}
        if p.comments:
            row["comments"] = {"data": [self._ig_comment(c) for c in p.comments]}
        return row

    # --------------------------------------------------------------- YouTube
    def _yt_error(self, status: int, reason: str, message: str, domain: str = "global"):
        return self._json(status, {"error": {"code": status, "message": message, "errors": [
            {"message": message, "domain": domain, "reason": reason}]}})

    def _youtube(self, path: str, query, ok: bool):
        if not ok:
            return self._yt_error(401, "authError", "Request had invalid authentication "
                                  "credentials. Expected OAuth 2 access token.")
        resource = path.rstrip("/").rsplit("/", 1)[-1]
        with self.lock:
            if self.youtube_quota is not None and self.youtube_units >= self.youtube_quota:
                quota = True
            else:
                quota = False
                self.youtube_units += 100 if resource == "search" else 1
        if quota:
            return self._yt_error(403, "quotaExceeded", "The request cannot be completed "
                                  "because you have exceeded your <a href=\"/youtube/v3/"
                                  "getting-started#quota\">quota</a>.", "youtube.quota")
        now = self.now()
        size = max(1, min(100, _int(_q(query, "maxResults"), 5)))
        offset = _offset(_q(query, "pageToken"))
        if offset < 0:
            return self._yt_error(400, "invalidPageToken", "The request specifies an invalid "
                                  "page token.")
        if resource == "channels":
            s = self.source("youtube", _q(query, "id") or "")
            items = [self._yt_channel(s)] if s else []
            return self._json(200, {"kind": "youtube#channelListResponse",
                                    "etag": word_id(self.seed, "ch", now.date()),
                                    "pageInfo": {"totalResults": len(items), "resultsPerPage": 5},
                                    "items": items})
        if resource == "playlistItems":
            pid = _q(query, "playlistId") or ""
            s = self.source("youtube", "UC" + pid[2:]) if pid.startswith("UU") else None
            if s is None:
                return self._yt_error(404, "playlistNotFound", "The playlist identified with "
                                      "the request's <code>playlistId</code> parameter cannot "
                                      "be found.")
            rows = [self._yt_playlist_item(s, v, i) for i, v in enumerate(self._videos(s))]
            return self._yt_list("youtube#playlistItemListResponse", rows, offset, size)
        if resource == "commentThreads":
            s = self.source("youtube", _q(query, "allThreadsRelatedToChannelId") or "")
            if s is None:
                return self._yt_error(404, "channelNotFound", "The channel could not be found.")
            threads = [(v, c) for v in self._videos(s) for c in v.comments]
            threads.sort(key=lambda vc: max([vc[1].created] + [r.created for r in vc[1].replies]),
                         reverse=True)
            rows = [self._yt_thread(s, v, c) for v, c in threads]
            return self._yt_list("youtube#commentThreadListResponse", rows, offset, size)
        if resource == "comments":
            parent = _q(query, "parentId") or ""
            rows = []
            for s in self.spec.sources:
                if s.platform != "youtube":
                    continue
                for v in self._videos(s):
                    for c in v.comments:
                        if self._yt_cid(c) == parent:
                            rows = [self._yt_comment(s, v, r, parent) for r in c.replies]
            return self._yt_list("youtube#commentListResponse", rows, offset, size)
        return self._yt_error(404, "notFound", "Not Found")

    def _videos(self, s: Source) -> list[SimPost]:
        now = self.now()
        return posts_between(self.seed, f"yt:{s.external_id}", now - timedelta(days=30), now,
                             now, rate=0.15, council=self._person(s), locale=self.spec.locale)

    @staticmethod
    def _yt_cid(c) -> str:
        return "Ug" + word_id(c.id, length=24)

    def _yt_list(self, kind: str, rows: list[dict], offset: int, size: int):
        chunk = rows[offset:offset + size]
        body: dict[str, Any] = {"kind": kind, "etag": word_id(kind, offset, len(rows))}
        if offset + size < len(rows):
            body["nextPageToken"] = _cursor(offset + size)
        body["pageInfo"] = {"totalResults": len(rows), "resultsPerPage": size}
        body["items"] = chunk
        return self._json(200, body)

    def _yt_channel(self, s: Source) -> dict:
        return {"kind": "youtube#channel", "etag": word_id(s.external_id), "id": s.external_id,
                "snippet": {"title": s.name, "description": f"{self.spec.locale.council}'s YouTube channel",
                            "customUrl": f"@{s.handle.lower()}",
                            "publishedAt": "2010-03-01T10:00:00Z", "country": "GB"},
                "contentDetails": {"relatedPlaylists": {"likes": "",
                                                        "uploads": "UU" + s.external_id[2:]}},
                "statistics": {"viewCount": "250000",
                               "subscriberCount": str(self._audience(s, 180)),
                               "hiddenSubscriberCount": False, "videoCount": "140"}}

    def _yt_vid(self, v: SimPost) -> str:
        return word_id(v.id, "video", length=11)

    def _yt_playlist_item(self, s: Source, v: SimPost, position: int) -> dict:
        vid = self._yt_vid(v)
        return {"kind": "youtube#playlistItem", "etag": word_id(vid, "etag"),
                "id": word_id(vid, "pli", length=40),
                "snippet": {"publishedAt": _yt_time(v.created), "channelId": s.external_id,
                            "title": v.title, "description": v.text, "channelTitle": s.name,
                            "playlistId": "UU" + s.external_id[2:], "position": position,
                            "resourceId": {"kind": "youtube#video", "videoId": vid},
                            "videoOwnerChannelTitle": s.name,
                            "videoOwnerChannelId": s.external_id},
                "contentDetails": {"videoId": vid, "videoPublishedAt": _yt_time(v.created)}}

    def _yt_comment(self, s: Source, v: SimPost, c, parent: str | None = None) -> dict:
        cid = self._yt_cid(c) if parent is None else f"{parent}.{word_id(c.id, length=22)}"
        author_id = s.external_id if c.by_council else "UC" + word_id(c.author.id, length=22)
        snippet: dict[str, Any] = {
            "channelId": s.external_id, "videoId": self._yt_vid(v),
            "authorDisplayName": s.name if c.by_council else c.author.name,
            "authorProfileImageUrl": "https://yt3.ggpht.com/a/default-user=s48",
            "authorChannelUrl": f"http://www.youtube.com/channel/{author_id}",
            "authorChannelId": {"value": author_id},
            "textDisplay": escape(c.text), "textOriginal": c.text, "canRate": True,
            "viewerRating": "none", "likeCount": c.likes,
            "publishedAt": _yt_time(c.created), "updatedAt": _yt_time(c.created)}
        if parent:
            snippet["parentId"] = parent
        return {"kind": "youtube#comment", "etag": word_id(cid, "e"), "id": cid,
                "snippet": snippet}

    def _yt_thread(self, s: Source, v: SimPost, c) -> dict:
        top = self._yt_comment(s, v, c)
        row: dict[str, Any] = {
            "kind": "youtube#commentThread", "etag": word_id(top["id"], "t"), "id": top["id"],
            "snippet": {"channelId": s.external_id, "videoId": self._yt_vid(v),
                        "topLevelComment": top, "canReply": True,
                        "totalReplyCount": len(c.replies), "isPublic": True}}
        if c.replies:
            row["replies"] = {"comments": [self._yt_comment(s, v, r, top["id"])
                                           for r in c.replies]}
        return row

    # --------------------------------------------------------------- Flickr
    def _flickr(self, query):
        def fail(code: int, message: str):
            return self._json(200, {"stat": "fail", "code": code, "message": message})

        if _q(query, "format") != "json" or _q(query, "nojsoncallback") != "1":
            return 200, {"content-type": "text/xml; charset=utf-8"}, (
                b'<?xml version="1.0" encoding="utf-8" ?>\n<rsp stat="fail">\n\t<err code="111" '
                b'msg="Format &quot;rest&quot; not found" />\n</rsp>\n')
        if _q(query, "api_key") != self.token or "flickr" in self.expired:
            return fail(100, "Invalid API Key (Key has invalid format)")
        method = _q(query, "method") or ""
        now = self.now()
        if method == "flickr.people.getInfo":
            s = self.source("flickr", _q(query, "user_id") or "")
            if s is None:
                return fail(1, "User not found")
            return self._json(200, {"person": {
                "id": s.external_id, "nsid": s.external_id, "ispro": 1, "path_alias": s.handle,
                "username": {"_content": s.handle}, "realname": {"_content": s.name},
                "location": {"_content": f"{self.spec.locale.places[0]}, London, UK"},
                "description": {"_content": f"Photos from {self.spec.locale.council} events."},
                "profileurl": {"_content": f"https://www.flickr.com/people/{s.handle}/"},
                "photos": {"count": {"_content": 2400}}}, "stat": "ok"})
        if method in ("flickr.people.getPhotos", "flickr.photos.search"):
            s = (self.source("flickr", _q(query, "user_id") or "")
                 if method == "flickr.people.getPhotos"
                 else next((x for x in self.spec.sources if x.platform == "flickr"), None))
            if s is None:
                return fail(2, "Unknown user")
            lo = _q(query, "min_upload_date")
            hi = _q(query, "max_upload_date")
            start = datetime.fromtimestamp(_int(lo, 0), tz=UTC) if lo else now - timedelta(days=30)
            end = datetime.fromtimestamp(_int(hi, 0), tz=UTC) if hi else now
            search = method == "flickr.photos.search"
            posts = self._flickr_photos(s, start, end, search)
            per = max(1, min(500, _int(_q(query, "per_page"), 100)))
            page = max(1, _int(_q(query, "page"), 1))
            pages = max(1, -(-len(posts) // per))
            chunk = posts[(page - 1) * per: page * per]
            return self._json(200, {"photos": {
                "page": page, "pages": pages, "perpage": per, "total": len(posts),
                "photo": [self._flickr_photo(s, p, search) for p in chunk]}, "stat": "ok"})
        if method == "flickr.photos.comments.getList":
            pid = _q(query, "photo_id") or ""
            lo = _int(_q(query, "min_comment_date"), 0)
            for s in self.spec.sources:
                if s.platform != "flickr":
                    continue
                for search in (False, True):
                    for p in self._flickr_photos(s, now - timedelta(days=60), now, search):
                        if self._flickr_pid(p) == pid:
                            rows = [self._flickr_comment(p, c) for c in p.comments
                                    if c.created.timestamp() >= lo]
                            body: dict[str, Any] = {"photo_id": pid}
                            if rows:
                                body["comment"] = rows
                            return self._json(200, {"comments": body, "stat": "ok"})
            return fail(1, "Photo not found")
        return fail(112, f'Method "{method}" not found')

    def _flickr_photos(self, s: Source, start: datetime, end: datetime, search: bool):
        return posts_between(self.seed, f"fl:{'search' if search else 'own'}:{s.external_id}",
                             start, end, self.now(), rate=0.2, by_residents=search, locale=self.spec.locale)

    @staticmethod
    def _flickr_pid(p: SimPost) -> str:
        return num_id(p.id, "flickr", digits=11)

    def _flickr_photo(self, s: Source, p: SimPost, search: bool) -> dict:
        owner = (f"{num_id(p.author.id, digits=9)}@N0{int(p.author.id[-1]) % 9 + 1}"
                 if search and p.author else s.external_id)
        return {"id": self._flickr_pid(p), "owner": owner, "secret": word_id(p.id, length=10),
                "server": "65535", "farm": 66, "title": p.title, "ispublic": 1, "isfriend": 0,
                "isfamily": 0, "dateupload": str(int(p.created.timestamp())),
                "datetaken": p.created.strftime("%Y-%m-%d %H:%M:%S"),
                "datetakengranularity": 0, "datetakenunknown": "0",
                "ownername": p.author.name if search and p.author else s.name,
                "views": str(p.views), "count_comments": str(len(p.comments)),
                "count_faves": str(p.likes), "description": {"_content": p.text},
                "pathalias": None if search else s.handle}

    def _flickr_owner(self) -> str:
        own = next((s for s in self.spec.sources if s.platform == "flickr"), None)
        return own.handle if own is not None else "council"

    def _flickr_comment(self, p: SimPost, c) -> dict:
        pid = self._flickr_pid(p)
        author = f"{num_id(c.author.id, digits=9)}@N01"
        cid = f"{num_id(pid, digits=6)}-{pid}-{num_id(c.id, digits=17)}"
        return {"id": cid, "author": author, "author_is_deleted": 0,
                "authorname": c.author.username, "datecreate": str(int(c.created.timestamp())),
                "permalink": f"https://www.flickr.com/photos/{self._flickr_owner()}/{pid}/#comment{cid}",
                "path_alias": None, "realname": c.author.name, "_content": c.text}

    # --------------------------------------------------------------- LinkedIn
    def _linkedin(self, path: str, query, ok: bool):
        if not ok or "linkedin" in self.expired:
            return self._json(401, {"status": 401, "serviceErrorCode": 65600,
                                    "code": "INVALID_ACCESS_TOKEN",
                                    "message": "Invalid access token"})
        start = max(0, _int(_q(query, "start"), 0))
        count = max(1, min(100, _int(_q(query, "count"), 10)))
        parts = [p for p in path.split("/") if p]
        if len(parts) == 3 and parts[1] == "organizations":
            s = self.source("linkedin", parts[2])
            if s is None:
                return self._json(404, {"status": 404, "code": "NOT_FOUND",
                                        "message": "Organization not found"})
            return self._json(200, {"id": int(s.external_id), "localizedName": s.name,
                                    "vanityName": s.handle,
                                    "localizedDescription": self.spec.locale.tagline})
        if parts[1:] == ["posts"]:
            org = (_q(query, "author") or "").rsplit(":", 1)[-1]
            s = self.source("linkedin", org)
            if s is None or _q(query, "q") != "author":
                return self._json(400, {"status": 400, "code": "ILLEGAL_ARGUMENT",
                                        "message": "Invalid query parameters"})
            rows = [self._li_post(s, p) for p in self._li_posts(s)]
            return self._li_page(rows, start, count)
        if len(parts) == 4 and parts[1] == "socialActions" and parts[3] == "comments":
            urn = parts[2]
            for s in self.spec.sources:
                if s.platform != "linkedin":
                    continue
                for p in self._li_posts(s):
                    if f"urn:li:share:{p.id}" == urn:
                        rows = [self._li_comment(p, c) for c in p.comments]
                        rows += [self._li_comment(p, r, c) for c in p.comments for r in c.replies]
                        return self._li_page(rows, start, count)
            return self._li_page([], start, count)
        return self._json(404, {"status": 404, "code": "NOT_FOUND", "message": "Not Found"})

    def _li_posts(self, s: Source) -> list[SimPost]:
        now = self.now()
        return posts_between(self.seed, f"li:{s.external_id}", now - timedelta(days=30), now,
                             now, rate=0.15, council=self._person(s), locale=self.spec.locale)

    def _li_page(self, rows: list[dict], start: int, count: int):
        return self._json(200, {"paging": {"start": start, "count": count, "links": [],
                                           "total": len(rows)},
                                "elements": rows[start:start + count]})

    @staticmethod
    def _li_post(s: Source, p: SimPost) -> dict:
        ms = int(p.created.timestamp() * 1000)
        return {"id": f"urn:li:share:{p.id}", "author": f"urn:li:organization:{s.external_id}",
                "commentary": p.text, "visibility": "PUBLIC", "lifecycleState": "PUBLISHED",
                "createdAt": ms, "publishedAt": ms, "lastModifiedAt": ms,
                "distribution": {"feedDistribution": "MAIN_FEED", "targetEntities": [],
                                 "thirdPartyDistributionChannels": []},
                "isReshareDisabledByAuthor": False}

    @staticmethod
    def _li_comment(p: SimPost, c, parent=None) -> dict:
        activity = f"urn:li:activity:{p.id}"
        actor = f"urn:li:person:{word_id(c.author.id, length=10)}"
        ms = int(c.created.timestamp() * 1000)
        row: dict[str, Any] = {
            "actor": actor, "id": c.id, "commentUrn": f"urn:li:comment:({activity},{c.id})",
            "created": {"actor": actor, "time": ms}, "lastModified": {"actor": actor, "time": ms},
            "message": {"text": c.text, "attributes": []}, "object": activity,
            "likesSummary": {"totalLikes": c.likes, "likedByCurrentUser": False},
            "commentsSummary": {"aggregatedTotalComments": len(c.replies),
                                "totalFirstLevelComments": len(c.replies)}}
        if parent is not None:
            row["parentComment"] = f"urn:li:comment:({activity},{parent.id})"
        return row

    # --------------------------------------------------------------- Eventbrite
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
            size = max(1, min(50, _int(_q(query, "page_size"), 50)))
            offset = _offset(_q(query, "continuation"))
            chunk = events[offset:offset + size]
            more = offset + size < len(events)
            pagination: dict[str, Any] = {
                "object_count": len(events), "page_number": offset // size + 1,
                "page_size": size, "page_count": max(1, -(-len(events) // size)),
                "has_more_items": more}
            if more:
                pagination["continuation"] = _cursor(offset + size)
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
                          "utc": _yt_time(start)},
                "end": {"timezone": "Europe/London",
                        "local": (start + timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M:%S"),
                        "utc": _yt_time(start + timedelta(hours=2))},
                "organization_id": num_id(s.external_id, "org", digits=12),
                "created": _yt_time(published - timedelta(hours=1)),
                "changed": _yt_time(published), "published": _yt_time(published),
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

    # --------------------------------------------------------------- feeds
    def _feed(self, key: str):
        s = self.source("feed", key)
        if s is None:
            return 404, {"content-type": "text/html; charset=utf-8"}, b"<h1>Not Found</h1>"
        now = self.now()
        posts = posts_between(self.seed, f"feed:{key}", now - timedelta(days=7), now, now,
                              rate=0.35, by_residents=True, locale=self.spec.locale)
        host = s.handle.split("/")[2] if "://" in s.handle else "example.org"
        if s.kind == "blog":
            return self._json(200, {
                "version": "https://jsonfeed.org/version/1.1", "title": s.name,
                "home_page_url": f"https://{host}/", "feed_url": s.handle, "language": "en-GB",
                "items": [{"id": f"https://{host}/{p.id}", "url": f"https://{host}/{p.id}",
                           "title": p.title, "content_text": p.text,
                           "date_published": _yt_time(p.created),
                           "authors": [{"name": p.author.name}] if p.author else []}
                          for p in posts]}, {"content-type": "application/feed+json"})
        if s.kind == "alerts":
            entries = "".join(
                f"<entry><id>tag:google.com,2013:googlealerts/feed:{num_id(p.id, digits=19)}</id>"
                f"<title type=\"html\">{escape(f'<b>{self.spec.locale.council}</b> ' + p.title)}</title>"
                f"<link href=\"https://www.google.com/url?rct=j&amp;sa=t&amp;url=https://news."
                f"example.co.uk/{p.id}\"/><published>{_yt_time(p.created)}</published>"
                f"<updated>{_yt_time(p.created)}</updated>"
                f"<content type=\"html\">{escape(p.text)}</content><author><name></name></author>"
                f"</entry>" for p in posts)
            body = ('<?xml version="1.0" encoding="utf-8"?><feed xmlns="http://www.w3.org/2005/'
                    'Atom" xmlns:idx="urn:atom-extension:indexing"><id>tag:google.com,2005:reader/'
                    'user/00000000000000000000/state/com.google/alerts/1111111111111111111</id>'
                    f'<title>Google Alert - "{escape(self.spec.locale.council)}"</title><link href="{escape(s.handle)}"'
                    f' rel="self"></link><updated>{_yt_time(now)}</updated>{entries}</feed>')
            return 200, {"content-type": "application/atom+xml; charset=utf-8"}, body.encode()
        items = "".join(
            f"<item><title>{escape(p.title)}</title><link>https://{host}/t/{p.id}</link>"
            f"<guid isPermaLink=\"false\">{host}-{p.id}</guid>"
            f"<pubDate>{p.created.strftime('%a, %d %b %Y %H:%M:%S +0000')}</pubDate>"
            f"<dc:creator>{escape(p.author.username if p.author else '')}</dc:creator>"
            f"<description>{escape(p.text)}</description></item>" for p in posts)
        body = ('<?xml version="1.0" encoding="UTF-8"?><rss version="2.0" '
                'xmlns:dc="http://purl.org/dc/elements/1.1/"><channel>'
                f"<title>{escape(s.name)}</title><link>https://{host}/</link>"
                f"<description>{escape(s.name)}</description><language>en-gb</language>"
                f"{items}</channel></rss>")
        return 200, {"content-type": "application/rss+xml; charset=utf-8"}, body.encode()

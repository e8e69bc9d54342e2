"""The non-X platform APIs the connectors call, in their real wire formats.

`ChannelsApi.handle(method, path, query, headers)` -> (status, headers, body),
routed by path prefix from `server.py`:

  /v{N}.{M}/...          Facebook and Instagram Graph API (data + paging.cursors/next)
  /youtube/v3/...        YouTube Data API v3 (items, nextPageToken, quota errors)
  /services/rest/        Flickr REST (stat envelope, epoch strings, HTTP 200 errors)
  /rest/...              LinkedIn Community Management API (elements + paging)
  /v3/...                Eventbrite (events + pagination.continuation)
  /feeds/{key}           RSS 2.0, Atom and JSON Feed bodies

Each platform is a mixin in its own module, mirroring `channels/` (facebook,
instagram, youtube, flickr, linkedin, eventbrite, feeds); what they share
(sources, the spec, paging and time helpers) is `channels_common`.

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

Replying: `POST /{v}/{comment-or-post-id}/comments?message=` (Facebook) and
`POST /{v}/{ig-comment-id}/replies?message=` (Instagram) answer `{"id": ...}`
as the platform's first council account; `GET` on the same edge lists them
(Facebook: id, message, created_time, from; Instagram: id, text, username,
timestamp). `comment_replies(platform)` lists every one made, so a test can
count them. YouTube: `POST /youtube/v3/comments?part=snippet` with a JSON body
(`snippet.parentId`, `snippet.textOriginal`) answers the comment resource, and
`GET /youtube/v3/comments?parentId=` lists it.
"""

from __future__ import annotations

import hmac
import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from council_social.simulator.channels_common import PREFIXES, ChannelSpec, Inject, Source
from council_social.simulator.channels_content import Person
from council_social.simulator.eventbrite import EventbriteApi
from council_social.simulator.facebook import FacebookApi
from council_social.simulator.feeds import FeedsApi
from council_social.simulator.flickr import FlickrApi
from council_social.simulator.instagram import InstagramApi
from council_social.simulator.linkedin import LinkedInApi
from council_social.simulator.youtube import YouTubeApi


class ChannelsApi(FacebookApi, InstagramApi, YouTubeApi, FlickrApi, LinkedInApi,
                  EventbriteApi, FeedsApi):
    """Routes each request to its platform's mixin (one module per platform)."""

    def __init__(self, spec: ChannelSpec, *, seed: int, token: str,
                 now: Callable[[], datetime]):
        self.spec = spec
        self.seed = seed
        self.token = token
        self.now = now
        self.lock = threading.Lock()
        self.injected: list[Inject] = []
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
        # comments and replies made with POST /{id}/comments or /{ig-comment-id}/replies
        self.replies: list[dict] = []

    # --------------------------------------------------------------- hooks
    def inject_once(self, prefix: str, status: int, body: bytes | dict,
                    headers: dict[str, str] | None = None) -> None:
        raw = body if isinstance(body, bytes) else json.dumps(body).encode()
        with self.lock:
            self.injected.append(Inject(prefix, status, raw, dict(headers or {})))

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

    def comment_replies(self, platform: str, parent: str | None = None) -> list[dict]:
        """Replies made through the API on `platform` (under `parent`, if given), oldest first
        (id, parent, message, created)."""
        with self.lock:
            return [{k: r[k] for k in ("id", "parent", "message", "created")}
                    for r in self.replies
                    if r["platform"] == platform and parent in (None, r["parent"])]

    def source(self, platform: str, external_id: str) -> Source | None:
        return next((s for s in self.spec.sources
                     if s.platform == platform and s.external_id == external_id), None)

    # --------------------------------------------------------------- dispatch
    def handle(self, method: str, path: str, query: dict[str, list[str]],
               headers: dict[str, str], body: bytes = b"") -> tuple[int, dict[str, str], bytes]:
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
        if method == "POST" and path.startswith("/youtube/"):
            auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
            return self._youtube_post(path, query, auth.startswith("Bearer ") and
                                      hmac.compare_digest(auth[7:].encode(), self.token.encode()),
                                      body)
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

    def _person(self, s: Source) -> Person:
        return Person(s.external_id, s.name, s.handle)

    def _audience(self, s: Source, base: int) -> int:
        days = (self.now() - datetime(2015, 8, 10, tzinfo=UTC)).days
        return base + days * (7 if s.platform == "facebook" else 3)

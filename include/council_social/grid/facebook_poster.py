"""Post to the council's Facebook page through the Graph API page feed, and find a post again.

`POST /{page-id}/feed` with `message` (and an optional `link`) and a Page
access token answers `{"id": "{page-id}_{post-id}"}`; failures come in
Graph's error envelope. The token goes in the Authorization header, never in
a URL, a log line or an exception. The parameters go in the query string,
which Graph accepts for POST as it does a form body (the simulator only sees
the query string).

Graph codes decide what a failure means: 102/190/463/467 (and 401) the token
is no good -> `PostAuthError`, tried again once renewed; 506 a duplicate ->
`DuplicatePost`, so the caller looks for the earlier post; 368 blocked by
Facebook's policy enforcement and any other 4xx -> `PostRejected`; 4/17/32/613
(rate limits), 429, 5xx and network errors -> the outcome is unknown.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council_social.channels.common import load_json
from council_social.channels.facebook import (
    AUTH_CODES,
    GRAPH_VERSION,
    RATE_CODES,
    describe_graph_error,
    graph_error,
    graph_next,
)
from council_social.grid.posting import DuplicatePost, PostAuthError, PostRejected
from council_social.transport import check_base_url, register_secret, session

DUPLICATE_CODE = 506
BLOCKED_CODE = 368
# Graph codes for "try again later" that are not rate limits: unknown and service errors.
TRANSIENT_CODES = {1, 2}
FIND_MAX_PAGES = 10
FIND_FIELDS = "id,message,created_time,from{id}"


class FacebookPoster:
    platform = "facebook"

    def __init__(self, base_url: str, page_tokens: dict[str, str], *,
                 default_token: str | None = None, connection_id: str = "council_social_facebook",
                 timeout: tuple[float, float] = (10.0, 30.0)):
        self.base_url = check_base_url(base_url)
        self._tokens = dict(page_tokens)
        self._default = default_token
        self.connection_id = connection_id
        self._timeout = timeout
        # A post is never retried here (its outcome would be unknown): the publisher
        # looks for it first. The session masks every token in log lines.
        self.session = session()
        for token in (*self._tokens.values(), default_token):
            register_secret(token)

    def __repr__(self) -> str:  # never show tokens
        return f"FacebookPoster(base_url={self.base_url!r})"

    def _token(self, account) -> str:
        token = self._tokens.get(account.key) or self._default
        if not token:
            raise PostAuthError(f"no Page access token for {account.key!r}: put it in the "
                                f"password (or extra 'page_tokens') of Airflow Connection "
                                f"{self.connection_id!r}")
        return token

    def _page_id(self, account) -> str:
        return str(account.external_id or account.handle)

    def _request(self, method: str, url: str, account, params: dict[str, Any]
                 ) -> tuple[int, Any]:
        headers = {"Accept": "application/json",
                   "Authorization": f"Bearer {self._token(account)}"}
        resp = self.session.request(method, url if "://" in url else self.base_url + url,
                                    params=params or None, headers=headers,
                                    timeout=self._timeout)
        doc, _ = load_json(resp.content, "")
        return resp.status_code, doc

    def _raise_for(self, status: int, doc: Any, account, doing: str) -> None:
        err = graph_error(doc)
        if err is None and status < 400:
            return
        code = err.get("code") if err else None
        detail = describe_graph_error(err) if err else f"HTTP {status} with no Graph error body"
        if code in AUTH_CODES or status == 401:
            raise PostAuthError(f"Facebook refused the Page access token for {account.key!r} "
                                f"while {doing} ({detail}): renew it in Airflow Connection "
                                f"{self.connection_id!r}")
        if status == 429 or status >= 500 or code in RATE_CODES or code in TRANSIENT_CODES:
            raise RuntimeError(f"Facebook answered {status} while {doing}: {detail}")
        if code == DUPLICATE_CODE or "duplicate" in detail.lower():
            raise DuplicatePost(detail)
        if code == BLOCKED_CODE:
            raise PostRejected(f"Facebook blocked the post (policy enforcement): {detail}")
        raise PostRejected(f"Facebook refused the post ({status}): {detail}")

    def call(self, method: str, path: str, account, params: dict[str, Any], doing: str) -> Any:
        """One Graph call with the account's token; a failure raised as posting's are."""
        status, doc = self._request(method, path, account, params)
        self._raise_for(status, doc, account, doing)
        return doc

    def create(self, account, text: str, *, link: str | None = None) -> str:
        """Post to the page feed; return the post's id. Network errors propagate."""
        params = {"message": text}
        if link:
            params["link"] = link
        status, doc = self._request("POST", f"/{GRAPH_VERSION}/{self._page_id(account)}/feed",
                                    account, params)
        self._raise_for(status, doc, account, "posting")
        post_id = doc.get("id") if isinstance(doc, dict) else None
        if not isinstance(post_id, str) or not post_id:
            # 2xx without an id: we cannot tell what happened, so check the page first.
            raise RuntimeError(f"Facebook answered {status} to a post without an id")
        return post_id

    def find(self, account, text: str, since: datetime) -> str | None:
        """The id of a post by the page with this message since `since`, if there is one."""
        page_id = self._page_id(account)
        url: str | None = f"/{GRAPH_VERSION}/{page_id}/posts"
        params: dict[str, Any] = {"fields": FIND_FIELDS, "since": int(since.timestamp()),
                                  "limit": 100}
        for _ in range(FIND_MAX_PAGES):
            status, doc = self._request("GET", url, account, params)
            self._raise_for(status, doc, account, "checking the page's posts")
            for post in (doc.get("data") if isinstance(doc, dict) else None) or []:
                if not isinstance(post, dict):
                    continue
                author = (post.get("from") or {}).get("id") if isinstance(post.get("from"),
                                                                          dict) else None
                if author not in (None, page_id):
                    continue
                message = post.get("message")
                if isinstance(message, str) and message.strip() == text.strip():
                    return str(post.get("id"))
            url, params = graph_next(doc), {}  # paging.next carries every parameter
            if not url:
                return None
        raise RuntimeError(f"cannot check {account.key}'s page: more than {FIND_MAX_PAGES} "
                           "pages of posts since the slot")


def from_connection(conn, settings, poster_class: type | None = None) -> FacebookPoster | None:
    """The poster for Connection `conn` (None when it is missing): the password is the
    Page access token, extra `page_tokens` may give one per account key, and the host
    (if set) is the Graph base URL."""
    if conn is None:
        return None
    extra = conn.extra_dejson or {}
    tokens = extra.get("page_tokens") or {}
    if not conn.password and not tokens:
        return None
    base_url = "https://graph.facebook.com"
    if conn.host:
        base_url = conn.host if "://" in conn.host else f"{conn.schema or 'https'}://{conn.host}"
        if conn.port:
            base_url = f"{base_url}:{conn.port}"
    return (poster_class or FacebookPoster)(base_url, tokens, default_token=conn.password or None,
                                            connection_id=settings.connection_id)

"""X (Twitter) API v2 connector on tweepy, and the pure page parser.

The connector keeps every response byte for byte (`RawPage`) and pages to the
end of a timeline with tweepy's Paginator; waits on 429 and the simulator swap
come from `council_social.transport`. X pages newest to oldest, so the newest id is only a safe
watermark once the last page has been read: an early stop returns the pages
so far with `newest_id=None` and the next run fetches them again (upserts are
idempotent, so nothing is lost or doubled).
"""

from __future__ import annotations

import functools
import json
import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any, Protocol
from urllib.parse import parse_qsl, urlsplit

import requests
import tweepy

from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage, RawPage
from council_social.transport import (
    check_base_url,
    exchange_within_budget,
    public_params,
    rate_limit_wait,
    session,
)

log = logging.getLogger(__name__)

TWEEPY_HOST = "https://api.twitter.com"  # hard-coded in tweepy.BaseClient.request
TWEET_FIELDS = ["author_id", "created_at", "conversation_id", "in_reply_to_user_id",
                "referenced_tweets", "public_metrics", "lang", "entities"]
USER_FIELDS = ["created_at", "description", "location", "public_metrics", "verified",
               "url"]
METRIC_NAMES = {"retweet_count": "repost_count", "reply_count": "reply_count",
                "like_count": "like_count", "quote_count": "quote_count",
                "bookmark_count": "bookmark_count", "impression_count": "impression_count"}
ENDPOINTS = ("mentions", "tweets", "search")


class AccountLike(Protocol):
    key: str
    handle: str
    external_id: str | None
    display_name: str


class TwitterAuthError(RuntimeError):
    """X refused the bearer token (401) or the app's access (403)."""


@dataclass
class FetchResult:
    pages: list[RawPage]
    newest_id: str | None
    complete: bool
    stopped_reason: str | None
    waited_seconds: float = 0.0
    exchanges: int = 0  # HTTP requests made, including 429s
    notes: list[str] = field(default_factory=list)


class FetchStopped(Exception):
    """Ends a paged fetch early; carries the stop reason."""


class _Reached(Exception):
    """Ends a follows walk at the watermark."""


FOLLOW_DIRECTIONS = ("followers", "following")


@dataclass
class FollowsResult(FetchResult):
    users: list[AuthorRecord] = field(default_factory=list)
    reached_watermark: bool = False


def tweepy_client(base_url: str, bearer_token: str,
                  timeout: tuple[float, float] = (10.0, 60.0)) -> tweepy.Client:
    """A tweepy Client whose requests go to `base_url` with `bearer_token`.

    The token is added by the transport, not given to tweepy, because tweepy logs
    its request headers at DEBUG level and we never want the token in a log.
    """
    client = tweepy.Client(bearer_token="set-by-transport", return_type=requests.Response)
    session(mount=TWEEPY_HOST, base_url=base_url, bearer_token=bearer_token, timeout=timeout,
            into=client.session)
    return client


class TwitterConnector:
    def __init__(self, bearer_token: str, base_url: str = "https://api.x.com", *,
                 page_size: int = 100, max_pages: int = 50,
                 max_rate_limit_wait_seconds: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time,
                 timeout: tuple[float, float] = (10.0, 60.0)):
        if not bearer_token:
            raise ValueError("bearer_token is required")
        self.base_url = check_base_url(base_url)
        self.page_size = page_size
        self.max_pages = max_pages
        self.max_rate_limit_wait_seconds = max_rate_limit_wait_seconds
        self._sleep = sleep
        self._clock = clock
        self.client = tweepy_client(base_url, bearer_token, timeout)
        self._user_ids: dict[str, str] = {}

    def __repr__(self) -> str:  # never show the token
        return f"TwitterConnector(base_url={self.base_url!r})"

    # ------------------------------------------------------------------ fetch
    def fetch(self, account: AccountLike, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None,
              query: str | None = None) -> FetchResult:
        """Page `endpoint` ('mentions' | 'tweets' | 'search') for one account.

        `query` only applies to 'search' (default: the handle or display name).
        """
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        for name, dt in (("start_time", start_time), ("end_time", end_time)):
            if dt is not None and dt.tzinfo is None:
                raise ValueError(f"{name} must be timezone-aware")
        params: dict[str, Any] = {
            "tweet_fields": TWEET_FIELDS, "expansions": ["author_id"],
            "user_fields": USER_FIELDS, "since_id": since_id,
            "start_time": start_time, "end_time": end_time,
        }
        if endpoint == "search":
            params["query"] = query or f'@{account.handle} OR "{account.display_name}"'
            params["max_results"] = max(10, min(100, self.page_size))
            call = self.client.search_recent_tweets
            label = "tweets/search/recent"
        else:
            user_id = self._user_id(account)
            params["id"] = user_id
            params["max_results"] = max(5, min(100, self.page_size))
            call = (self.client.get_users_mentions if endpoint == "mentions"
                    else self.client.get_users_tweets)
            label = f"users/{user_id}/{endpoint}"

        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        last: dict[str, Any] = {}

        @functools.wraps(call)  # tweepy's Paginator names the token parameter by method name
        def page(**kwargs: Any) -> requests.Response:
            resp, stop = self._get(call, kwargs, account, label, result)
            if stop is not None:
                raise FetchStopped(stop)
            result.pages.append(self._raw_page(account.key, label, resp))
            meta, problem = _page_meta(resp.content)
            if problem is not None:
                raise FetchStopped(f"bad_page: {problem}")
            last.update(meta)
            return resp

        newest: int | None = None
        try:
            for _ in tweepy.Paginator(page, limit=self.max_pages, **params):
                if last.get("newest_id") is not None and str(last["newest_id"]).isdigit():
                    newest = max(newest or 0, int(last["newest_id"]))
        except FetchStopped as stop:
            result.stopped_reason = str(stop)
            return result
        if last.get("next_token"):
            result.stopped_reason = "max_pages"
            log.warning("twitter %s %s: stopped after max_pages=%d, watermark not advanced",
                        account.key, label, self.max_pages)
            return result
        result.complete = True
        # None after a complete but empty fetch: the caller keeps its old watermark.
        result.newest_id = str(newest) if newest is not None else None
        return result

    def fetch_follows(self, account: AccountLike, direction: str, *,
                      stop_at_id: str | None = None) -> FollowsResult:
        """Page `GET /2/users/:id/followers` (or `/following`) with tweepy's Paginator,
        newest first, keeping every page. `stop_at_id` (the newest follower seen last
        time: the watermark) ends the walk once reached; without it the walk is the whole
        list. An early stop (429 past the wait budget, max_pages) leaves `complete` False
        and `newest_id` None, so the watermark stays where it was."""
        if direction not in FOLLOW_DIRECTIONS:
            raise ValueError(f"direction must be one of {FOLLOW_DIRECTIONS}, got {direction!r}")
        user_id = self._user_id(account)
        call = (self.client.get_users_followers if direction == "followers"
                else self.client.get_users_following)
        label = f"users/{user_id}/{direction}"
        params = {"id": user_id, "max_results": max(1, min(1000, self.page_size)),
                  "user_fields": USER_FIELDS}
        result = FollowsResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        state: dict[str, Any] = {"reached": False, "next_token": None}

        @functools.wraps(call)  # the Paginator picks `pagination_token` by the method's name
        def page(**kwargs: Any) -> requests.Response:
            if state["reached"]:
                raise _Reached
            resp, stop = self._get(call, kwargs, account, label, result)
            if stop is not None:
                raise FetchStopped(stop)
            result.pages.append(self._raw_page(account.key, label, resp))
            users, next_token, problem = parse_follows_page(resp.content)
            if problem is not None:
                raise FetchStopped(f"bad_page: {problem}")
            state["next_token"] = next_token
            for u in users:
                if stop_at_id is not None and u.external_id == stop_at_id:
                    state["reached"] = True
                    break
                result.users.append(u)
            return resp

        try:
            for _ in tweepy.Paginator(page, limit=self.max_pages, **params):
                if state["reached"]:
                    break
        except _Reached:
            pass
        except FetchStopped as stop:
            result.stopped_reason = str(stop)
            return result
        if state["next_token"] and not state["reached"]:
            result.stopped_reason = "max_pages"
            return result
        result.complete = True
        result.reached_watermark = state["reached"]
        result.newest_id = result.users[0].external_id if result.users else stop_at_id
        return result

    def lookup(self, account_key: str, ids: list[str], *, endpoint: str = "tweets/lookup",
               batch: int = 100) -> tuple[list[RawPage], str | None]:
        """Ask X for the current state of `ids` (`GET /2/tweets?ids=`, `batch` a request):
        (every exchange as a RawPage, stop reason or None). Not-found ids come back in
        the page's `errors`; a non-2xx answer is kept and stops the lookup."""
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        for start in range(0, len(ids), batch):
            params = {"ids": ids[start:start + batch], "tweet_fields": TWEET_FIELDS,
                      "expansions": ["author_id"], "user_fields": USER_FIELDS}
            resp, stop = self._exchange(self.client.get_tweets, params, result)
            if resp is not None:
                result.pages.append(self._raw_page(account_key, endpoint, resp))
            if stop is not None:
                return result.pages, stop
            if not 200 <= resp.status_code < 300:
                return result.pages, f"http_{resp.status_code}"
        return result.pages, None

    def _exchange(self, call: Callable[..., Any], params: dict[str, Any], result: FetchResult
                  ) -> tuple[requests.Response | None, str | None]:
        """One call with the transport's 429 waits: (last response, None), or (the 429,
        "rate_limited"), or (None, a connection error)."""
        def exchange() -> requests.Response:
            result.exchanges += 1
            try:
                return call(**params)
            except tweepy.errors.HTTPException as e:  # tweepy raises on every non-2xx
                return e.response

        return exchange_within_budget(exchange, result, self.max_rate_limit_wait_seconds,
                                      sleep=self._sleep, clock=self._clock)

    def _get(self, call: Callable[..., Any], params: dict[str, Any], account: AccountLike,
             label: str, result: FetchResult) -> tuple[requests.Response | None, str | None]:
        resp, stop = self._exchange(call, params, result)
        if resp is None:
            return None, stop
        status = resp.status_code
        if 200 <= status < 300:
            return resp, None
        if status in (401, 403):
            raise TwitterAuthError(
                f"X API returned {status} {_detail(resp.content)} for account "
                f"{account.key!r} endpoint {label!r}: check the bearer token and the "
                "app's access level")
        if stop is not None:
            wait = rate_limit_wait(resp, self._clock)
            log.warning("twitter %s %s: rate limited (reset in %s s), stopping",
                        account.key, label, None if wait is None else round(wait))
            return None, stop
        return None, f"http_{status}: {_detail(resp.content)}"

    def _user_id(self, account: AccountLike) -> str:
        if account.external_id:
            return str(account.external_id)
        if account.handle not in self._user_ids:
            try:
                resp = self.client.get_user(username=account.handle)
            except tweepy.errors.HTTPException as e:
                if e.response.status_code in (401, 403):
                    raise TwitterAuthError(
                        f"X API returned {e.response.status_code} looking up "
                        f"{account.handle!r} for account {account.key!r}") from None
                raise
            try:
                self._user_ids[account.handle] = str(resp.json()["data"]["id"])
            except (ValueError, KeyError, TypeError):
                raise LookupError(f"X has no user @{account.handle} (account "
                                  f"{account.key!r}): {_detail(resp.content)}") from None
        return self._user_ids[account.handle]

    def _raw_page(self, account_key: str, label: str, resp: requests.Response) -> RawPage:
        url = resp.request.url or ""
        return RawPage(
            platform="twitter", account_key=account_key, endpoint=label,
            request_url=url, request_params=public_params(parse_qsl(urlsplit(url).query)),
            fetched_at=datetime.fromtimestamp(self._clock(), tz=UTC),
            status=resp.status_code, headers=dict(resp.headers), body=resp.content,
        )


def _page_meta(body: bytes) -> tuple[dict[str, Any], str | None]:
    """The meta of a 2xx page, or why the page can't be paged past."""
    parsed = parse_twitter_page(body)
    if parsed.problem is not None:
        return {}, parsed.problem
    return {"next_token": parsed.next_token, "newest_id": parsed.newest_id}, None


def _detail(body: bytes) -> str:
    try:
        obj = json.loads(body)
    except (ValueError, UnicodeDecodeError, RecursionError):
        return f"(non-JSON body, {len(body)} bytes)"
    if isinstance(obj, dict):
        if isinstance(obj.get("errors"), list) and obj["errors"]:
            first = obj["errors"][0]
            if isinstance(first, dict):
                return str(first.get("detail") or first.get("message") or first)[:200]
        return str(obj.get("detail") or obj.get("title") or "")[:200]
    return ""


# ----------------------------------------------------------------- parsing
def _parse_dt(value: Any) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    if dt.tzinfo is None:  # X always sends Z; a naive time is ambiguous
        return None
    return dt.astimezone(UTC)


def _id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value):
        return str(value)
    return None


def _int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) else None


def _str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def _author(u: dict[str, Any]) -> AuthorRecord | None:
    uid = _id(u.get("id"))
    if uid is None:
        return None
    pm = u.get("public_metrics") if isinstance(u.get("public_metrics"), dict) else {}
    return AuthorRecord(
        platform="twitter", external_id=uid, username=_str(u.get("username")),
        display_name=_str(u.get("name")), description=_str(u.get("description")),
        verified=u["verified"] if isinstance(u.get("verified"), bool) else None,
        followers_count=_int(pm.get("followers_count")),
        following_count=_int(pm.get("following_count")),
        listed_count=_int(pm.get("listed_count")), post_count=_int(pm.get("tweet_count")),
        location=_str(u.get("location")), url=_str(u.get("url")),
        created_at=_parse_dt(u.get("created_at")), raw=u,
    )


def _item(t: Any, index: int, authors: dict[str, AuthorRecord]) -> ItemRecord:
    if not isinstance(t, dict):
        # Kept, not dropped: validation quarantines it for having no id.
        return ItemRecord(platform="twitter", external_id=None, record_index=index,
                          raw=NotAnObject(value=t))
    refs = t.get("referenced_tweets") if isinstance(t.get("referenced_tweets"), list) else []
    ref_types = {r["type"]: _id(r.get("id")) for r in refs
                 if isinstance(r, dict) and isinstance(r.get("type"), str)}
    in_reply_to_author = _id(t.get("in_reply_to_user_id"))
    if "replied_to" in ref_types or in_reply_to_author:
        kind = "reply"
    elif "quoted" in ref_types:
        kind = "quote"
    elif "retweeted" in ref_types:
        kind = "repost"
    else:
        kind = "post"
    tid = _id(t.get("id"))
    author_id = _id(t.get("author_id"))
    author = authors.get(author_id) if author_id else None
    pm = t.get("public_metrics") if isinstance(t.get("public_metrics"), dict) else {}
    metrics = {METRIC_NAMES[k]: v for k, v in pm.items()
               if k in METRIC_NAMES and _int(v) is not None}
    created_raw = t.get("created_at")
    return ItemRecord(
        platform="twitter", external_id=tid, record_index=index, kind=kind,
        author_external_id=author_id, text=_str(t.get("text")),
        created_at=_parse_dt(created_raw),
        created_at_raw=created_raw if isinstance(created_raw, str) else (
            None if created_raw is None else json.dumps(created_raw)),
        lang=_str(t.get("lang")), conversation_id=_id(t.get("conversation_id")),
        in_reply_to_external_id=ref_types.get("replied_to"),
        in_reply_to_author_id=in_reply_to_author,
        url=(f"https://x.com/{author.username}/status/{tid}"
             if author is not None and author.username and tid else None),
        metrics=metrics, raw=t,
    )


def parse_follows_page(body: bytes) -> tuple[list[AuthorRecord], str | None, str | None]:
    """A followers/following page: (users in order, next_token, problem or None)."""
    try:
        doc = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return [], None, "body is not UTF-8 JSON"
    if not isinstance(doc, dict):
        return [], None, "top level is not a JSON object"
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    data = doc.get("data", [])
    if "data" not in doc and "meta" not in doc:
        return [], None, f"no data and no meta: {_detail(body)}"
    if not isinstance(data, list):
        return [], None, "data is not a list"
    users = [a for u in data if isinstance(u, dict) and (a := _author(u)) is not None]
    return users, _str(meta.get("next_token")), None


def parse_twitter_page(body: bytes, *, account_key: str | None = None) -> ParsedPage:
    """Read one X API v2 response body. Pure: no network, no Airflow.

    `account_key` is only used to make problem messages traceable.
    """
    where = f" ({account_key})" if account_key else ""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as e:
        return ParsedPage(problem=f"body is not valid UTF-8 at byte {e.start}{where}")
    try:
        doc = json.loads(text)
    except ValueError as e:
        return ParsedPage(problem=f"body is not JSON: {e.msg} at line {e.lineno}{where}")
    except RecursionError:
        return ParsedPage(problem=f"body is JSON nested too deeply to read{where}")
    if not isinstance(doc, dict):
        return ParsedPage(problem=f"top level is a JSON {type(doc).__name__}, "
                                  f"expected an object{where}")
    page = ParsedPage()
    meta = doc.get("meta") if isinstance(doc.get("meta"), dict) else {}
    page.result_count = _int(meta.get("result_count"))
    page.next_token = _str(meta.get("next_token"))
    page.newest_id = _id(meta.get("newest_id"))

    includes = doc.get("includes") if isinstance(doc.get("includes"), dict) else {}
    users = includes.get("users") if isinstance(includes.get("users"), list) else []
    for u in users:
        if isinstance(u, dict) and (a := _author(u)) is not None:
            page.authors[a.external_id] = a

    data = doc.get("data")
    if "data" not in doc:
        if isinstance(doc.get("errors"), list) and doc["errors"]:
            page.problem = f"X error response: {_detail(body)}{where}"
        elif page.result_count:
            page.problem = (f"meta.result_count is {page.result_count} but there is "
                            f"no data{where}")
        elif "meta" not in doc:
            page.problem = (f"no data and no meta: {_detail(body) or 'not a timeline page'}"
                            f"{where}")
        return page
    if isinstance(data, dict):  # single tweet lookup
        data = [data]
    elif not isinstance(data, list):
        page.problem = f"data is a JSON {type(data).__name__}, expected a list or object{where}"
        return page
    page.items = [_item(t, i, page.authors) for i, t in enumerate(data)]
    return page

"""What every non-X channel shares: value readers for parsers and an HTTP connector base.

Parsers stay pure (bytes in, `ParsedPage` out). The connector base keeps
every response byte for byte as a `RawPage`; waits, URLs and secret masking
come from the one HTTP layer (`council_social.transport`).
"""

from __future__ import annotations

import email.utils
import json
import logging
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any
from urllib.parse import parse_qsl, urlsplit

import requests

from council_social.channels.twitter import FetchResult
from council_social.items import ParsedPage, RawPage
from council_social.transport import (
    check_base_url,
    exchange_within_budget,
    public_params,
    query_url,
    session,
)

log = logging.getLogger(__name__)

__all__ = ["FetchResult", "ChannelAuthError", "HttpConnector", "load_json", "parse_time",
           "iso_z", "as_id", "as_int", "as_str", "newest_stamp"]


class ChannelAuthError(RuntimeError):
    """The platform refused the credential (expired or revoked token, no permission)."""


class QuotaStop(Exception):
    """Raised inside a fetch to stop cleanly (quota spent); carries the reason."""


# ----------------------------------------------------------------- parsing helpers
def load_json(body: bytes, where: str) -> tuple[Any, str | None]:
    """The decoded JSON document, or why it is not one."""
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as e:
        return None, f"body is not valid UTF-8 at byte {e.start}{where}"
    try:
        return json.loads(text), None
    except ValueError as e:
        return None, f"body is not JSON: {getattr(e, 'msg', e)}{where}"
    except RecursionError:
        return None, f"body is JSON nested too deeply to read{where}"


def load_json_object(body: bytes, account_key: str | None) -> tuple[dict, str, str | None]:
    """(document, where, problem): the body as a JSON object, or why it is not one.

    `where` names the account for messages, so a parser can add it to its own.
    """
    where = f" ({account_key})" if account_key else ""
    doc, problem = load_json(body, where)
    if problem is None and not isinstance(doc, dict):
        problem = f"top level is a JSON {type(doc).__name__}, expected an object{where}"
    return (doc if problem is None else {}), where, problem


def parse_time(value: Any) -> datetime | None:
    """ISO 8601 (with +0000 or Z), RFC 2822, or Unix epoch seconds (int or digit string)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float) or (isinstance(value, str) and value.strip().isdigit()):
        try:
            return datetime.fromtimestamp(int(value), tz=UTC)
        except (ValueError, OverflowError, OSError):
            return None
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip()
    try:
        dt = datetime.fromisoformat(text.replace("Z", "+00:00") if text.endswith("Z") else text)
    except ValueError:
        try:
            dt = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
    if dt is None or dt.tzinfo is None:
        return None  # a naive time is ambiguous
    try:
        return dt.astimezone(UTC)
    except (OverflowError, ValueError):
        return None


def iso_z(dt: datetime) -> str:
    """A fixed-width UTC stamp: lexical order is time order, so it works as a watermark."""
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def raw_time(value: Any) -> str | None:
    if value is None:
        return None
    return value if isinstance(value, str) else json.dumps(value)


def as_id(value: Any) -> str | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int) or (isinstance(value, str) and value.strip()):
        return str(value)
    return None


def as_int(value: Any) -> int | None:
    """Counts arrive as ints (Graph) or digit strings (YouTube, Flickr)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdigit():
        return int(value.strip())
    return None


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def metrics_of(pairs: dict[str, Any]) -> dict[str, int]:
    return {k: n for k, v in pairs.items() if (n := as_int(v)) is not None}


def newest_stamp(pages: list[ParsedPage]) -> str | None:
    stamps = [i.created_at for p in pages for i in p.items if i.created_at is not None]
    return iso_z(max(stamps)) if stamps else None


def since_from(since_id: str | None, start_time: datetime | None) -> datetime | None:
    """The earlier of the watermark (an ISO stamp) and the planned start time."""
    mark = parse_time(since_id) if since_id else None
    if mark is None:
        return start_time
    return mark if start_time is None else min(mark, start_time)


# ----------------------------------------------------------------- HTTP connector base
class HttpConnector:
    """requests-based paging with 429 handling; subclasses say what an auth failure is."""

    platform = ""
    auth_error: type[ChannelAuthError] = ChannelAuthError

    def __init__(self, token: str, base_url: str, *, page_size: int = 100,
                 max_pages: int = 50, max_rate_limit_wait_seconds: float = 60.0,
                 sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time,
                 timeout: tuple[float, float] = (10.0, 60.0)):
        self.base_url = check_base_url(base_url)
        self._token = token
        self.page_size = page_size
        self.max_pages = max_pages
        self.max_rate_limit_wait_seconds = max_rate_limit_wait_seconds
        self._sleep = sleep
        self._clock = clock
        self._timeout = timeout
        self.session = session(bearer_token=token)

    def __repr__(self) -> str:  # never show the token
        return f"{type(self).__name__}(base_url={self.base_url!r})"

    # hooks --------------------------------------------------------------
    def auth(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        headers["Authorization"] = f"Bearer {self._token}"

    def auth_failure(self, resp: requests.Response) -> str | None:
        """A message when the response means the credential is no good."""
        if resp.status_code == 401:
            return f"{self.platform} returned 401: the access token was refused"
        return None

    def rate_limited(self, resp: requests.Response) -> bool:
        return resp.status_code == 429

    def stop_reason(self, resp: requests.Response) -> str:
        return f"http_{resp.status_code}"

    # paging -------------------------------------------------------------
    def url(self, path: str) -> str:
        return path if "://" in path else f"{self.base_url}/{path.lstrip('/')}"

    def get(self, url: str, params: dict[str, Any] | None, account, label: str,
            result: FetchResult) -> tuple[requests.Response | None, str | None]:
        """One exchange with retries on 429; (response, None) or (None, stop reason)."""
        def exchange() -> requests.Response:
            result.exchanges += 1
            headers: dict[str, str] = {"Accept": "application/json"}
            query = dict(params or {})
            self.auth(query, headers)
            return self.session.get(self.url(url), params=query or None, headers=headers,
                                    timeout=self._timeout)

        resp, stop = exchange_within_budget(
            exchange, result, self.max_rate_limit_wait_seconds, sleep=self._sleep,
            clock=self._clock, rate_limited=self.rate_limited)
        if resp is None:
            return None, stop
        if (message := self.auth_failure(resp)) is not None:
            raise self.auth_error(f"{message} (account {account.key!r}, {label}); "
                                  "nothing was lost: the watermark has not moved")
        if stop is not None:
            log.warning("%s %s %s: rate limited, stopping", self.platform, account.key, label)
            return None, stop
        if not 200 <= resp.status_code < 300:
            return None, self.stop_reason(resp)
        return resp, None

    def next_page(self, url: str, params: dict[str, Any] | None, account, label: str,
                  result: FetchResult, parser) -> ParsedPage | None:
        """Fetch, keep and parse one page; None, with `result.stopped_reason` set, on a stop
        (max pages, an error exchange, or a page the parser cannot use)."""
        if len(result.pages) >= self.max_pages:
            result.stopped_reason = "max_pages"
            return None
        resp, stop = self.get(url, params, account, label, result)
        if stop is not None:
            result.stopped_reason = stop
            return None
        result.pages.append(self.raw_page(account, label, resp))
        page = parser(resp.content, account_key=account.key)
        if page.problem:
            result.stopped_reason = f"bad_page: {page.problem}"
            return None
        return page

    def raw_page(self, account, label: str, resp: requests.Response) -> RawPage:
        url = resp.request.url or ""
        params = public_params(parse_qsl(urlsplit(url).query))
        return RawPage(
            platform=self.platform, account_key=account.key, endpoint=label,
            request_url=query_url(url, params), request_params=params,
            fetched_at=datetime.fromtimestamp(self._clock(), tz=UTC),
            status=resp.status_code, headers=dict(resp.headers), body=resp.content,
        )

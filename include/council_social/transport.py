"""The one HTTP layer every connector and poster uses.

- `session()`: a requests session whose calls to the public API host can be
  sent to another base URL (the simulator, a proxy) with the credential added
  outside any library's logging (`BaseUrlAdapter`).
- `RateLimitRetry`: waits out 429s with tenacity, honouring `Retry-After` and
  X's `x-rate-limit-reset`, within a wait budget (`max_rate_limit_wait_seconds`).
- `query_url()`: a URL with its query string built by `urlencode`, secrets left out.
- Secrets are masked in every log line, query strings included: `register_secret`
  remembers a credential and `RedactSecrets` (installed on the loggers that print
  requests: urllib3, requests, tweepy and ours) rewrites any record that holds one.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlencode, urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from tenacity import RetryCallState, Retrying, retry_if_result

log = logging.getLogger(__name__)

MAX_429_RETRIES = 3
# Query parameters that carry a credential on some platform (Flickr api_key, YouTube key,
# Graph access_token): never stored, never logged.
SECRET_PARAMS = frozenset({"access_token", "api_key", "key", "token", "client_secret"})
MASK = "***"
# Loggers that print request lines or parameters (and ours).
_LOGGED_BY = ("urllib3", "urllib3.connectionpool", "urllib3.util.retry", "requests",
              "tweepy", "tweepy.client", "council_social")
_SECRET_IN_QUERY = re.compile(
    r"(?P<name>(?<![\w-])(?:" + "|".join(sorted(SECRET_PARAMS)) + r")=)[^&\s\"'#]+",
    re.IGNORECASE)
_BEARER = re.compile(r"(?P<name>Bearer\s+)[^\s\"',}]+")


def check_base_url(base_url: str) -> str:
    parts = urlsplit(base_url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"base_url must be http(s)://host[:port], got {base_url!r}")
    return base_url.rstrip("/")


# ------------------------------------------------------------------ secrets in logs
_secrets: set[str] = set()
_lock = threading.Lock()


def register_secret(value: str | None) -> None:
    """Mask `value` wherever our loggers and the HTTP libraries' would print it. Short
    values are ignored: masking them would mangle text.

    Not passed to Airflow's `mask_secret`: under a task supervisor that sends the value
    itself to the supervisor, which logs the message at DEBUG; Airflow already masks
    every Connection's password and extra when the task reads the Connection."""
    if not value or len(value) < 6:
        return
    with _lock:
        _secrets.add(value)
    install_redaction()


def redact(text: str) -> str:
    """`text` with secret query parameters, bearer tokens and registered secrets masked."""
    text = _SECRET_IN_QUERY.sub(lambda m: m.group("name") + MASK, text)
    text = _BEARER.sub(lambda m: m.group("name") + MASK, text)
    for secret in sorted(_secrets, key=len, reverse=True):
        if secret in text:
            text = text.replace(secret, MASK)
    return text


class RedactSecrets(logging.Filter):
    """Rewrites a log record whose message holds a secret; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:  # a malformed record is the logging module's to report
            return True
        masked = redact(message)
        if masked != message:
            record.msg, record.args = masked, None
        return True


_FILTER = RedactSecrets()


def install_redaction() -> None:
    """Put the filter on every logger that prints requests. A logger's filters only see
    records made by that logger, so each one, and every existing `council_social.*`
    logger, gets it; idempotent."""
    names = set(_LOGGED_BY) | {
        name for name in logging.root.manager.loggerDict
        if name.startswith(("council_social.", "urllib3.", "tweepy.", "requests."))}
    for name in names:
        logger = logging.getLogger(name)
        if _FILTER not in logger.filters:
            logger.addFilter(_FILTER)


# ------------------------------------------------------------------ sessions
class BaseUrlAdapter(HTTPAdapter):
    """Sends requests to `base_url` (keeping path and query) with the credential added.

    Mounted on a library's fixed host (tweepy's https://api.twitter.com) so the
    simulator can stand in for the platform; the token is added here, after the
    library has logged its request, and a default timeout stops a hung API from
    hanging the worker.
    """

    def __init__(self, base_url: str, bearer_token: str | None,
                 timeout: tuple[float, float] = (10.0, 60.0)):
        super().__init__()
        parts = urlsplit(check_base_url(base_url))
        self.scheme, self.netloc, self.prefix = parts.scheme, parts.netloc, parts.path
        self.authorization = f"Bearer {bearer_token}" if bearer_token else None
        self.timeout = timeout
        register_secret(bearer_token)

    def send(self, request, stream=False, timeout=None, **kwargs):  # type: ignore[override]
        u = urlsplit(request.url)
        request.url = urlunsplit((self.scheme, self.netloc, self.prefix + u.path, u.query, ""))
        if self.authorization:
            request.headers["Authorization"] = self.authorization
        return super().send(request, stream=stream, timeout=timeout or self.timeout, **kwargs)


def session(*, mount: str | None = None, base_url: str | None = None,
            bearer_token: str | None = None, timeout: tuple[float, float] = (10.0, 60.0),
            into: requests.Session | None = None) -> requests.Session:
    """A session (or `into`, e.g. tweepy's) whose requests to `mount` go to `base_url`."""
    s = into if into is not None else requests.Session()
    install_redaction()
    if mount is not None and base_url is not None:
        s.mount(mount, BaseUrlAdapter(base_url, bearer_token, timeout))
    else:
        register_secret(bearer_token)
    return s


def query_url(url: str, params: dict[str, Any] | None = None) -> str:
    """`url` without its query, then `params` (secret ones left out) urlencoded."""
    clean = url.split("?", 1)[0]
    kept = {k: v for k, v in (params or {}).items() if k.lower() not in SECRET_PARAMS}
    return f"{clean}?{urlencode(kept, doseq=True)}" if kept else clean


def public_params(pairs) -> dict[str, str]:
    """Query pairs without the secret ones."""
    return {k: v for k, v in pairs if k.lower() not in SECRET_PARAMS}


# ------------------------------------------------------------------ 429 waits
def rate_limit_wait(resp: requests.Response, clock: Callable[[], float]) -> float | None:
    """Seconds to wait before asking again: `Retry-After` (seconds or an HTTP date), else
    X's `x-rate-limit-reset` (epoch seconds, +1 s because it is whole seconds and our
    clock may lag); None when the response says neither."""
    value = resp.headers.get("Retry-After")
    if value is not None:
        try:
            return max(0.0, float(value))
        except ValueError:
            try:
                return max(0.0, parsedate_to_datetime(value).timestamp() - clock())
            except (TypeError, ValueError, IndexError):
                return None
    reset = resp.headers.get("x-rate-limit-reset")
    if reset is not None:
        try:
            return max(0.0, float(reset) - clock()) + 1.0
        except ValueError:
            return None
    return None


class RateLimitRetry:
    """Asks again after a 429 (or what `rate_limited` says is one) as long as the wait
    is known, at most `MAX_429_RETRIES` times and within the budget left.

    `waited` accumulates over every call, so one budget covers a whole fetch.
    """

    def __init__(self, budget_seconds: float, *, sleep: Callable[[float], None] = time.sleep,
                 clock: Callable[[], float] = time.time,
                 rate_limited: Callable[[Any], bool] | None = None,
                 max_retries: int = MAX_429_RETRIES):
        self.budget_seconds = budget_seconds
        self.waited = 0.0
        self._sleep = sleep
        self._clock = clock
        self._max_retries = max_retries
        self._rate_limited = rate_limited or (lambda r: getattr(r, "status_code", None) == 429)

    def _pending_wait(self, state: RetryCallState) -> float | None:
        return rate_limit_wait(state.outcome.result(), self._clock)

    def _stop(self, state: RetryCallState) -> bool:
        wait = self._pending_wait(state)
        return (wait is None or state.attempt_number > self._max_retries
                or self.waited + wait > self.budget_seconds)

    def _wait(self, state: RetryCallState) -> float:
        return self._pending_wait(state) or 0.0

    def _spend(self, state: RetryCallState) -> None:
        self.waited += state.upcoming_sleep

    def call(self, attempt: Callable[[], Any]) -> tuple[Any, bool]:
        """(last response, still rate limited?). `attempt` makes one exchange."""
        retrying = Retrying(
            retry=retry_if_result(lambda r: r is not None and self._rate_limited(r)),
            stop=self._stop, wait=self._wait, sleep=self._sleep, before_sleep=self._spend,
            retry_error_callback=lambda state: state.outcome.result(), reraise=True)
        resp = retrying(attempt)
        return resp, resp is not None and self._rate_limited(resp)


def exchange_within_budget(exchange: Callable[[], Any], result: Any, budget_seconds: float, *,
                           sleep: Callable[[float], None], clock: Callable[[], float],
                           rate_limited: Callable[[Any], bool] | None = None,
                           ) -> tuple[Any, str | None]:
    """One exchange with 429 waits from what is left of a fetch's budget, each wait added
    to `result.waited_seconds`: (response, None), (the 429, "rate_limited"), or
    (None, "connection_error: <type>")."""
    waits = RateLimitRetry(budget_seconds - result.waited_seconds, sleep=sleep, clock=clock,
                           rate_limited=rate_limited)
    try:
        resp, limited = waits.call(exchange)
    except requests.RequestException as e:
        return None, f"connection_error: {type(e).__name__}"
    finally:
        result.waited_seconds += waits.waited
    return resp, "rate_limited" if limited else None

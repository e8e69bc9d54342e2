"""The X API v2 simulator as a real HTTP server on 127.0.0.1.

`start_simulator(...)` runs it in a daemon thread for tests and local runs;
`serve(...)` blocks (for `council-social simulator --port N`).
"""

from __future__ import annotations

import ipaddress
import logging
import threading
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from council_social.simulator.channels_api import ChannelsApi
from council_social.simulator.channels_common import ChannelSpec
from council_social.simulator.channels_common import owns as channels_owns
from council_social.simulator.traffic import AccountLike, TrafficModel
from council_social.simulator.twitter_api import TwitterApi

log = logging.getLogger(__name__)

DEFAULT_BEARER_TOKEN = "sim-token"
NowArg = Callable[[], datetime] | datetime | None


@dataclass
class ServedResponse:
    """One exchange as the server sent it (for tests comparing bytes)."""

    method: str
    path: str
    query: dict[str, list[str]]
    status: int
    headers: dict[str, str]
    body: bytes


@dataclass
class _RawOnce:
    path_prefix: str
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


def _check_loopback(host: str) -> str:
    if host == "localhost":
        return "127.0.0.1"
    try:
        ok = ipaddress.ip_address(host).is_loopback and ipaddress.ip_address(host).version == 4
    except ValueError:
        ok = False
    if not ok:
        raise ValueError(f"simulator only binds to IPv4 loopback (127.0.0.0/8), not {host!r}")
    return host


def _clock(now: NowArg) -> Callable[[], datetime]:
    if now is None:
        return lambda: datetime.now(UTC)
    if isinstance(now, datetime):
        if now.tzinfo is None:
            raise ValueError("simulator now must be timezone-aware")
        return lambda: now
    return now


class SimulatorServer(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, addr: tuple[str, int], api: TwitterApi, log_size: int = 2000):
        super().__init__(addr, _Handler)
        self.api = api
        self.served: deque[ServedResponse] = deque(maxlen=log_size)
        self.raw_once: list[_RawOnce] = []
        # (method, path prefix): handle the request, then hang up without answering.
        self.drop_next: list[tuple[str, str]] = []
        self.lock = threading.Lock()
        self.channels: ChannelsApi | None = None


class _Handler(BaseHTTPRequestHandler):
    server: SimulatorServer
    protocol_version = "HTTP/1.1"  # keep-alive, as requests expects
    # Headers and body go out in separate writes; with Nagle on, keep-alive
    # requests stall ~40 ms each on the delayed ACK.
    disable_nagle_algorithm = True
    server_version = "tsa_a"  # X's server header value
    sys_version = ""

    def version_string(self) -> str:
        return self.server_version

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        self._dispatch("GET")

    def do_POST(self) -> None:  # noqa: N802
        self._dispatch("POST")

    def _dispatch(self, method: str) -> None:
        parts = urlsplit(self.path)
        query = parse_qs(parts.query, keep_blank_values=True)
        headers = {k: v for k, v in self.headers.items()}
        length = int(self.headers.get("content-length") or 0)
        request_body = self.rfile.read(length) if length > 0 else b""
        status, out_headers, body = self._raw_override(parts.path, headers)
        if status is None and self.server.channels is not None and channels_owns(parts.path):
            # The other platforms' APIs (Graph, YouTube, Flickr, LinkedIn, Eventbrite, feeds).
            status, out_headers, body = self.server.channels.handle(method, parts.path, query,
                                                                    headers, request_body)
        if status is None:
            status, out_headers, body = self.server.api.handle(method, parts.path, query,
                                                               headers, request_body)
        # Logged before sending so a client that has its answer can find it.
        with self.server.lock:
            self.server.served.append(ServedResponse(method, parts.path, query, status,
                                                     dict(out_headers), body))
        if self._drop_response(method, parts.path):
            self.close_connection = True  # the work is done; the answer is lost
            return
        self.send_response(status)
        for k, v in out_headers.items():
            self.send_header(k, v)
        self.send_header("content-length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def _drop_response(self, method: str, path: str) -> bool:
        with self.server.lock:
            for i, (m, prefix) in enumerate(self.server.drop_next):
                if m == method and path.startswith(prefix):
                    del self.server.drop_next[i]
                    return True
        return False

    def _raw_override(self, path: str, headers: dict[str, str]):
        # Hostile bodies are only served to authenticated callers, like real faults.
        auth = next((v for k, v in headers.items() if k.lower() == "authorization"), "")
        if auth != f"Bearer {self.server.api.bearer_token}":
            return None, {}, b""
        with self.server.lock:
            for i, raw in enumerate(self.server.raw_once):
                if path.startswith(raw.path_prefix):
                    del self.server.raw_once[i]
                    return raw.status, {"content-type": "application/json; charset=utf-8",
                                        **raw.headers}, raw.body
        return None, {}, b""

    def log_message(self, fmt: str, *args: Any) -> None:
        log.debug("simulator: " + fmt, *args)


class SimulatorHandle:
    def __init__(self, server: SimulatorServer, thread: threading.Thread):
        self._server = server
        self._thread = thread
        self.host, self.port = server.server_address[:2]
        self.base_url = f"http://{self.host}:{self.port}"

    @property
    def model(self) -> TrafficModel:
        return self._server.api.model

    @property
    def bearer_token(self) -> str:
        return self._server.api.bearer_token

    @property
    def served(self) -> list[ServedResponse]:
        with self._server.lock:
            return list(self._server.served)

    def inject_429(self, count: int = 1, reset_in_seconds: float = 1.0) -> None:
        """The next `count` rate-limited requests get 429, resetting in N seconds."""
        self._server.api.inject_429(count, reset_in_seconds)

    def edit_tweet(self, tweet_id: int, text: str) -> None:
        self._server.api.edit_tweet(tweet_id, text)

    def delete_tweet(self, tweet_id: int) -> None:
        self._server.api.delete_tweet(tweet_id)

    def drop_next_response(self, method: str = "POST", path_prefix: str = "/2/tweets") -> None:
        """The next matching request is carried out but its response is lost (hang-up)."""
        with self._server.lock:
            self._server.drop_next.append((method, path_prefix))

    def user_token(self, user_id: str) -> str:
        """The user-context token that lets POST /2/tweets post as this council account."""
        return self._server.api.user_token(user_id)

    @property
    def posted_tweets(self) -> list:
        """Tweets created through POST /2/tweets, oldest first."""
        return self._server.api.posted

    def serve_raw_once(self, path_prefix: str, status: int, body_bytes: bytes,
                       headers: dict[str, str] | None = None) -> None:
        """Serve these exact bytes to the next authenticated request under prefix."""
        with self._server.lock:
            self._server.raw_once.append(_RawOnce(path_prefix, status, body_bytes,
                                                  dict(headers or {})))

    def set_now(self, now: NowArg) -> None:
        self._server.api.now = _clock(now)
        if self._server.channels is not None:
            self._server.channels.now = self._server.api.now

    @property
    def channels(self) -> ChannelsApi:
        """The non-X platform APIs (fault hooks: inject_once, inject_429, expire_token)."""
        return self._server.channels

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self) -> SimulatorHandle:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()


def _build(accounts: Sequence[AccountLike], *, host: str, port: int, seed: int,
           mentions_per_hour: float, bearer_token: str, now: NowArg,
           rate_limits: dict[str, int] | None,
           local_hashtags: Sequence[str] = ()) -> SimulatorServer:
    host = _check_loopback(host)
    spec = _channel_spec()
    # The residents talk about the configured council's places, not Brent's.
    model = TrafficModel(accounts, seed=seed, mentions_per_hour=mentions_per_hour,
                         locale=spec.locale, local_hashtags=local_hashtags)
    api = TwitterApi(model, bearer_token=bearer_token, now=_clock(now),
                     rate_limits=rate_limits)
    server = SimulatorServer((host, port), api)
    server.channels = ChannelsApi(spec, seed=seed, token=bearer_token, now=api.now)
    return server


def _channel_spec() -> ChannelSpec:
    """The other channels' accounts and feeds and the council's locale, from the council's
    configuration ($COUNCIL_SOCIAL_CONFIG, which `--config` sets)."""
    from council_social.config import ConfigError, load_config

    try:
        return ChannelSpec.from_config(load_config())
    except ConfigError:
        return ChannelSpec()


def start_simulator(accounts: Sequence[AccountLike], *, seed: int,
                    mentions_per_hour: float = 6.0,
                    bearer_token: str = DEFAULT_BEARER_TOKEN, host: str = "127.0.0.1",
                    port: int = 0, now: NowArg = None,
                    rate_limits: dict[str, int] | None = None,
                    local_hashtags: Sequence[str] = ()) -> SimulatorHandle:
    server = _build(accounts, host=host, port=port, seed=seed,
                    mentions_per_hour=mentions_per_hour, bearer_token=bearer_token, now=now,
                    rate_limits=rate_limits, local_hashtags=local_hashtags)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              name="x-simulator", daemon=True)
    thread.start()
    return SimulatorHandle(server, thread)


def serve(accounts: Sequence[AccountLike], *, host: str = "127.0.0.1", port: int = 8089,
          seed: int = 0, mentions_per_hour: float = 6.0,
          bearer_token: str = DEFAULT_BEARER_TOKEN, now: NowArg = None,
          rate_limits: dict[str, int] | None = None) -> None:
    """Run until interrupted (Ctrl-C)."""
    server = _build(accounts, host=host, port=port, seed=seed,
                    mentions_per_hour=mentions_per_hour, bearer_token=bearer_token, now=now,
                    rate_limits=rate_limits)
    log.info("X API simulator on http://%s:%s", *server.server_address[:2])
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()

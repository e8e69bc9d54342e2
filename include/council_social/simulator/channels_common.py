"""What the simulated non-X platforms share: the sources they serve, the spec built
from council.yaml, path ownership, and time and paging helpers."""

from __future__ import annotations

import base64
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

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
class Inject:
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


def graph_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S+0000")


def yt_time(dt: datetime) -> str:
    return dt.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def page_cursor(n: int) -> str:
    return base64.urlsafe_b64encode(f"o:{n}".encode()).decode().rstrip("=")


def page_offset(token: str | None) -> int:
    if not token:
        return 0
    try:
        raw = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4)).decode()
        return max(0, int(raw.split(":", 1)[1]))
    except (ValueError, IndexError, UnicodeDecodeError):
        return -1


def query_value(query: dict[str, list[str]], name: str, default: str | None = None) -> str | None:
    values = query.get(name)
    return values[0] if values else default


def int_param(value: str | None, default: int) -> int:
    try:
        return int(value) if value is not None else default
    except ValueError:
        return default

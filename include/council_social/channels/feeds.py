"""RSS, Atom and JSON Feed: blogs, forum threads (Mumsnet local talk), community sites, Google Alerts.

XML feeds go through feedparser, which reads broken real-world feeds
loosely; we help it with what it chokes on (whitespace or a BOM before the
XML declaration) and never drop an entry: an entry whose date cannot be read
keeps its raw date string and is quarantined by validation, not lost. HTML
in titles is reduced to text. JSON Feed (1.0/1.1) is read directly, since
feedparser does not. Every entry's author is the site (the feed's host), whose
audience is `feeds[].site_audience` in council.yaml; the person who wrote it,
when the feed names one, stays in the raw record.
"""

from __future__ import annotations

import calendar
import hashlib
import html
import re
from datetime import UTC, datetime
from functools import lru_cache
from typing import Any
from urllib.parse import urlsplit

from council_social.channels.common import (
    FetchResult,
    HttpConnector,
    as_dict,
    as_list,
    as_str,
    load_json,
    newest_stamp,
    parse_time,
)
from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage

ENDPOINTS = ("entries",)
_TAG = re.compile(r"<[^>]*>")
_SPACE = re.compile(r"\s+")


def _text(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    return _SPACE.sub(" ", html.unescape(_TAG.sub(" ", value))).strip()


def _entry_id(*candidates: Any) -> str | None:
    for c in candidates:
        if isinstance(c, str) and c.strip():
            c = c.strip()
            if len(c) <= 200 and not any(ch.isspace() for ch in c):
                return c
            return "sha1:" + hashlib.sha1(c.encode("utf-8", "surrogatepass")).hexdigest()
    return None


def _host(url: Any) -> str | None:
    if not isinstance(url, str):
        return None
    host = urlsplit(url.strip()).hostname
    return host.lower() if host else None


@lru_cache(maxsize=1)
def _configured_audiences() -> dict[str, int]:
    """feed key -> site_audience from council.yaml (empty if it cannot be read)."""
    from council_social.config import ConfigError, load_config

    try:
        feeds = load_config().feeds
    except ConfigError:  # the parser must work on a bare file with no config
        return {}
    return {f.key: f.site_audience for f in feeds if f.site_audience is not None}


def _site_author(page: ParsedPage, host: str | None, title: str | None, link: str | None,
                 audience: int | None) -> str | None:
    if host is None:
        return None
    page.authors[host] = AuthorRecord(platform="feed", external_id=host, username=host,
                                      display_name=title, followers_count=audience,
                                      url=link, raw={"host": host, "title": title})
    return host


def _is_alert(feed_id: Any) -> bool:
    return isinstance(feed_id, str) and "google.com" in feed_id and "alerts" in feed_id


def _json_feed(doc: dict[str, Any], page: ParsedPage, audience: int | None, where: str) -> None:
    items = doc.get("items")
    if not isinstance(items, list):
        page.problem = f"JSON Feed items is not a list{where}"
        return
    site = _site_author(page, _host(doc.get("home_page_url")) or _host(doc.get("feed_url")),
                        as_str(doc.get("title")), as_str(doc.get("home_page_url")), audience)
    for e in items:
        index = len(page.items)
        if not isinstance(e, dict):
            page.items.append(ItemRecord(platform="feed", external_id=None, record_index=index,
                                         raw=NotAnObject(value=e)))
            continue
        title = _text(e.get("title"))
        body = as_str(e.get("content_text")) or _text(e.get("content_html")) or _text(
            e.get("summary"))
        text = "\n\n".join(t for t in (title, body) if t) if (title or body) else None
        stamp = e.get("date_published") or e.get("date_modified")
        page.items.append(ItemRecord(
            platform="feed", external_id=_entry_id(e.get("id"), e.get("url")),
            record_index=index, kind="post", author_external_id=site, text=text,
            created_at=parse_time(stamp) if isinstance(stamp, str) else None,
            created_at_raw=stamp if isinstance(stamp, str) else None,
            url=as_str(e.get("url")), lang=as_str(e.get("language")) or as_str(doc.get("language")),
            raw=e))


def _plain(value: Any) -> Any:
    """feedparser's dicts and struct_times as plain JSON values, for the raw record."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple) and not hasattr(value, "tm_year"):
        return [_plain(v) for v in value]
    if hasattr(value, "tm_year"):
        return None  # derived from the date string, which is kept
    if isinstance(value, bytes | bytearray):
        return value.decode("utf-8", "replace")
    return value if isinstance(value, str | int | float | bool) or value is None else str(value)


def _xml_feed(body: bytes, page: ParsedPage, audience: int | None, where: str) -> None:
    import feedparser

    # A BOM or blank lines before <?xml ...?> make the strict parser give up.
    cleaned = body.lstrip(b"\xef\xbb\xbf").lstrip()
    parsed = feedparser.parse(cleaned, sanitize_html=True, resolve_relative_uris=False)
    feed = parsed.get("feed", {})
    if not parsed.get("entries") and not feed.get("title") and parsed.get("bozo"):
        page.problem = (f"not a feed: {type(parsed.get('bozo_exception')).__name__}: "
                        f"{str(parsed.get('bozo_exception'))[:200]}{where}")
        return
    if not parsed.get("version") and not parsed.get("entries") and not feed:
        page.problem = f"not an RSS, Atom or JSON feed{where}"
        return
    link = as_str(feed.get("link"))
    site = _site_author(page, _host(link) or _host(parsed.get("href")) or _host(feed.get("id")),
                        _text(feed.get("title")), link, audience)
    alert = _is_alert(feed.get("id"))
    for e in parsed.get("entries", []):
        index = len(page.items)
        title = _text(e.get("title"))
        content = next((c.get("value") for c in as_list(e.get("content"))
                        if isinstance(c, dict)), None)
        body_text = _text(e.get("summary")) or _text(content)
        text = "\n\n".join(t for t in (title, body_text) if t) if (title or body_text) else None
        # dict.get: the entry's own "updated", not feedparser's deprecated fallback to
        # "published" (which this line already tried).
        stamp_raw = e.get("published") or dict.get(e, "updated") or e.get("created")
        parsed_time = e.get("published_parsed") or dict.get(e, "updated_parsed")
        created = (datetime.fromtimestamp(calendar.timegm(parsed_time), tz=UTC)
                   if parsed_time else parse_time(stamp_raw))
        raw = _plain(dict(e))
        page.items.append(ItemRecord(
            platform="feed", external_id=_entry_id(e.get("id"), e.get("link"),
                                                   f"{title}|{stamp_raw}" if title else None),
            record_index=index, kind="mention" if alert else "post",
            author_external_id=site, text=text, created_at=created,
            created_at_raw=stamp_raw if isinstance(stamp_raw, str) else None,
            url=as_str(e.get("link")),
            lang=(as_str(feed.get("language")) or "").lower() or None,
            raw=raw if raw else {"entry": index}))


def parse_feed_page(body: bytes, *, account_key: str | None = None,
                    site_audience: int | None = None) -> ParsedPage:
    """Read one RSS, Atom or JSON Feed body. No network; audience from config by feed key."""
    where = f" ({account_key})" if account_key else ""
    if site_audience is None and account_key:
        site_audience = _configured_audiences().get(account_key)
    page = ParsedPage()
    head = body.lstrip(b"\xef\xbb\xbf").lstrip()[:1]
    if head in (b"{", b"["):
        doc, problem = load_json(body, where)
        if problem:
            return ParsedPage(problem=problem)
        if not isinstance(doc, dict) or "jsonfeed.org" not in str(doc.get("version", "")):
            return ParsedPage(problem=f"JSON but not a JSON Feed (no jsonfeed.org version){where}")
        _json_feed(doc, page, site_audience, where)
        return page
    if not body.strip():
        return ParsedPage(problem=f"empty body{where}")
    if b"<!ENTITY" in body.upper():
        # No feed needs its own entities; nested ones expand exponentially (billion laughs).
        return ParsedPage(problem=f"the feed declares XML entities (<!ENTITY>); not read{where}")
    _xml_feed(body, page, site_audience, where)
    return page


class FeedConnector(HttpConnector):
    """Fetches each configured feed URL; no credential, conditional GET is not used so a
    rerun asks the same question."""

    platform = "feed"

    def __init__(self, base_url: str | None = None, *, user_agent: str =
                 "council-social/1 (+https://www.brent.gov.uk)", **kw):
        # With a base URL (the simulator, a caching proxy) feed `key` is read from
        # {base_url}/feeds/{key}; without one, from the feed's own URL.
        super().__init__("", base_url or "https://feeds.invalid", **kw)
        self.via_base = base_url is not None
        self.user_agent = user_agent

    def auth(self, params: dict[str, Any], headers: dict[str, str]) -> None:
        headers["User-Agent"] = self.user_agent
        headers["Accept"] = ("application/rss+xml, application/atom+xml, application/feed+json,"
                             " application/xml;q=0.9, */*;q=0.8")

    def auth_failure(self, resp) -> str | None:
        return None  # a feed that refuses us is a stop, not a credential problem

    def fetch(self, account, endpoint: str, *, since_id: str | None = None,
              start_time: datetime | None = None, end_time: datetime | None = None
              ) -> FetchResult:
        if endpoint not in ENDPOINTS:
            raise ValueError(f"endpoint must be one of {ENDPOINTS}, got {endpoint!r}")
        result = FetchResult(pages=[], newest_id=None, complete=False, stopped_reason=None)
        url = f"{self.base_url}/feeds/{account.key}" if self.via_base else account.url
        resp, stop = self.get(url, None, account, "entries", result)
        if stop is not None:
            result.stopped_reason = stop
            return result
        result.pages.append(self.raw_page(account, "entries", resp))
        page = parse_feed_page(resp.content, account_key=account.key)
        if page.problem:
            result.stopped_reason = f"bad_page: {page.problem}"
            return result
        result.complete = True
        result.newest_id = newest_stamp([page])
        return result


__all__ = ["FeedConnector", "parse_feed_page", "as_dict"]

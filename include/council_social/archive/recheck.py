"""Re-check recent posts and mentions: edits become new versions, deletions tombstones.

The platform is asked again for each recent item (X: `GET /2/tweets?ids=`,
100 ids a request). The answers are landed as raw pages like any other
exchange, so they are archived too. A changed text becomes a new row in
`item_versions` (the older texts stay); a "Not Found Error" marks the item
`deleted` with `deleted_at` and a tombstone naming the exchange that proved
it. Nothing is ever deleted from the store.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from sqlalchemy import Engine, select, update
from sqlalchemy.dialects.postgresql import insert

from council_social.archive.tables import item_tombstones
from council_social.items import RawPage
from council_social.store.tables import item_versions, items, raw_pages

log = logging.getLogger(__name__)

LOOKUP_ENDPOINT = "tweets/lookup"
LOOKUP_BATCH = 100


@dataclass
class RecheckSummary:
    checked: int = 0
    pages: int = 0
    edited: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    stopped: str | None = None

    def as_dict(self) -> dict:
        return {"checked": self.checked, "pages": self.pages, "edited": len(self.edited),
                "deleted": len(self.deleted), "stopped": self.stopped}


def items_to_recheck(engine: Engine, platform: str, since: datetime, until: datetime
                     ) -> dict[str, list[str]]:
    """Items created in [since, until), grouped by council account.

    Deleted ones are asked about again too, so a rerun of an interval asks the
    same question (and lands the same exchange) as the first run.
    """
    with engine.connect() as conn:
        rows = conn.execute(
            select(items.c.account_key, items.c.external_id)
            .where(items.c.platform == platform,
                   items.c.account_key.is_not(None),
                   items.c.created_at >= since, items.c.created_at < until)
            .order_by(items.c.account_key, items.c.external_id)
        ).all()
    grouped: dict[str, list[str]] = {}
    for account_key, external_id in rows:
        grouped.setdefault(account_key, []).append(external_id)
    return grouped


def lookup_tweets(connector, account_key: str, ids: list[str]) -> tuple[list[RawPage], str | None]:
    """Ask X for the current state of `ids`; every exchange comes back as a RawPage."""
    import tweepy

    from council_social.channels.twitter import TWEET_FIELDS, USER_FIELDS

    pages: list[RawPage] = []
    for start in range(0, len(ids), LOOKUP_BATCH):
        batch = ids[start:start + LOOKUP_BATCH]
        try:
            resp = connector.client.get_tweets(ids=batch, tweet_fields=TWEET_FIELDS,
                                               expansions=["author_id"], user_fields=USER_FIELDS)
        except tweepy.errors.HTTPException as exc:  # tweepy raises on every non-2xx
            resp = exc.response
        except Exception as exc:  # the network; the rest waits for tomorrow's check
            return pages, f"connection_error: {type(exc).__name__}"
        url = resp.request.url or ""
        pages.append(RawPage(
            platform="twitter", account_key=account_key, endpoint=LOOKUP_ENDPOINT,
            request_url=url, request_params=dict(parse_qsl(urlsplit(url).query)),
            # the connector's own clock, so a test fixes fetch times as it does for ingest
            fetched_at=datetime.fromtimestamp(connector._clock(), tz=UTC),
            status=resp.status_code, headers=dict(resp.headers), body=resp.content,
        ))
        if not 200 <= resp.status_code < 300:
            return pages, f"http_{resp.status_code}"
    return pages, None


def not_found_ids(body: bytes) -> list[tuple[str, str]]:
    """(id, detail) of each tweet the lookup answered 'Not Found Error' for."""
    try:
        doc = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return []
    errors = doc.get("errors") if isinstance(doc, dict) else None
    out = []
    for e in errors if isinstance(errors, list) else []:
        if (isinstance(e, dict) and e.get("title") == "Not Found Error"
                and e.get("resource_type", "tweet") == "tweet"):
            tid = e.get("resource_id") or e.get("value")
            if tid is not None:
                out.append((str(tid), str(e.get("detail") or "Not Found Error")))
    return out


def apply_recheck(engine: Engine, config, pages: list[RawPage], interval_start: datetime,
                  interval_end: datetime, summary: RecheckSummary) -> RecheckSummary:
    """Land the lookup pages, store edits as versions and deletions as tombstones."""
    from council_social.channels.registry import parse_page
    from council_social.pipeline.process import limits_from
    from council_social.store import items_repo
    from council_social.validation.batch import PageRef, evaluate

    with engine.begin() as conn:
        landed: list[tuple[int, RawPage]] = []
        for number, page in enumerate(pages):
            values = dict(platform=page.platform, account_key=page.account_key,
                          endpoint=LOOKUP_ENDPOINT, request_url=page.request_url,
                          request_params=page.request_params, interval_start=interval_start,
                          interval_end=interval_end, page_number=number,
                          fetched_at=page.fetched_at, status=page.status, headers=page.headers,
                          body=page.body, sha256=page.sha256)
            page_id = conn.execute(insert(raw_pages).values(**values).on_conflict_do_nothing(
                constraint="raw_pages_exchange_key").returning(raw_pages.c.id)).scalar()
            if page_id is None:
                # A rerun that got the same bytes: the earlier exchange stands, with its
                # fetch time, so the rerun leaves the store exactly as it was.
                page_id, fetched_at = conn.execute(
                    select(raw_pages.c.id, raw_pages.c.fetched_at).where(
                        *(raw_pages.c[k] == values[k] for k in
                          ("platform", "account_key", "endpoint", "interval_end", "page_number",
                           "sha256")))).one()
                page = dataclasses.replace(page, fetched_at=fetched_at)
            landed.append((page_id, page))
        parsed = [(PageRef(pid, p.platform, p.account_key, p.fetched_at),
                   parse_page(p.platform, p.body, p.account_key))
                  for pid, p in landed if 200 <= p.status < 300]
        outcome = evaluate(parsed, limits_from(config))
        known = {(r.external_id, r.content_sha256) for r in conn.execute(
            select(item_versions.c.external_id, item_versions.c.content_sha256).where(
                item_versions.c.platform == "twitter",
                item_versions.c.external_id.in_([a.item.external_id for a in outcome.accepted])))}
        summary.edited += sorted({a.item.external_id for a in outcome.accepted
                                  if (a.item.external_id, a.content_sha256) not in known})
        items_repo.write_authors(conn, outcome)
        items_repo.write_items(conn, outcome)
        for page_id, page in landed:
            if not 200 <= page.status < 300:
                continue
            for external_id, detail in not_found_ids(page.body):
                marked = conn.execute(
                    update(items).where(items.c.platform == page.platform,
                                        items.c.external_id == external_id, ~items.c.deleted)
                    .values(deleted=True, deleted_at=page.fetched_at)
                ).rowcount
                conn.execute(insert(item_tombstones).values(
                    platform=page.platform, external_id=external_id, observed_at=page.fetched_at,
                    raw_page_id=page_id, detail=detail).on_conflict_do_nothing())
                if marked:
                    summary.deleted.append(external_id)
    summary.pages += len(pages)
    return summary


def recheck_recent(engine: Engine, config, connector, interval_start: datetime,
                   interval_end: datetime) -> RecheckSummary:
    """Re-check the X items created in the `archive.recheck_days` before interval_end."""
    summary = RecheckSummary()
    days = config.archive.recheck_days
    if days == 0:
        return summary
    since = interval_end - timedelta(days=days)
    for account_key, ids in items_to_recheck(engine, "twitter", since, interval_end).items():
        pages, stopped = lookup_tweets(connector, account_key, ids)
        summary.checked += len(ids)
        apply_recheck(engine, config, pages, interval_start, interval_end, summary)
        if stopped:
            summary.stopped = stopped
            log.warning("re-check stopped at %s (%s); the rest waits for the next run",
                        account_key, stopped)
            break
    log.info("re-checked %d items: %d edited, %d deleted", summary.checked,
             len(summary.edited), len(summary.deleted))
    return summary


"""Rows for the views' and reports' tests: items, authors, decisions and one raw page."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import insert

from council_social.store.tables import authors, item_versions, items, raw_pages
from council_social.triage.tables import triage_decisions

SCRIPT_POST = '<script>document.title="pwned"</script><img src=x onerror="document.title=\'pwned\'"> bins!'


def raw_page(conn, account_key: str = "brent-council", body: dict | None = None,
             fetched_at: datetime = datetime(2026, 11, 23, 23, 0, tzinfo=UTC), endpoint: str = "tweets") -> int:
    data = json.dumps(body or {"data": [], "meta": {"result_count": 0}}).encode()
    return conn.execute(insert(raw_pages).values(
        platform="twitter", account_key=account_key, endpoint=endpoint, request_url="http://sim/2/tweets",
        request_params={}, interval_start=fetched_at, interval_end=fetched_at, page_number=1,
        fetched_at=fetched_at, status=200, headers={}, body=data, sha256=hashlib.sha256(data).hexdigest(),
    ).returning(raw_pages.c.id)).scalar()


def add_author(conn, ext_id: str, username: str, display_name: str, followers: int = 10,
               seen: datetime = datetime(2026, 11, 20, tzinfo=UTC)) -> None:
    conn.execute(insert(authors).values(
        platform="twitter", external_id=ext_id, username=username, display_name=display_name,
        followers_count=followers, raw={}, first_seen_at=seen, last_seen_at=seen))


def add_item(conn, page_id: int, ext_id: str, text: str, created_at: datetime, *, author: str,
             account_key: str | None = "brent-council", kind: str = "post", in_reply_to: str | None = None,
             metrics: dict | None = None) -> None:
    digest = hashlib.sha256(text.encode()).hexdigest()
    conn.execute(insert(items).values(
        platform="twitter", external_id=ext_id, account_key=account_key, kind=kind,
        author_external_id=author, text=text, created_at=created_at, lang="en",
        in_reply_to_external_id=in_reply_to, metrics=metrics or {},
        content_sha256=digest, version=1, raw_page_id=page_id,
        first_seen_at=created_at, last_seen_at=created_at))
    # As process_items stores it: the item's text is also its first version's.
    conn.execute(insert(item_versions).values(
        platform="twitter", external_id=ext_id, version=1, content_sha256=digest, text=text,
        observed_at=created_at, raw_page_id=page_id))


def add_decision(conn, config, ext_id: str, created_at: datetime, *, outcome: str = "customer_service",
                 topic: str | None = "bins-recycling", department: str | None = "waste-recycling",
                 flags: list[str] | None = None, critical: bool = False, influence: int = 20) -> None:
    conn.execute(insert(triage_decisions).values(
        platform="twitter", external_id=ext_id, rules_version=config.triage.rules_version, outcome=outcome,
        flags=sorted(flags or []), intent="complaint", topic=topic, department=department,
        criticality=0.8 if critical else 0.2, critical=critical, influence=influence, importance=0.5,
        inputs={}, rule_path=["critical? " + ("yes" if critical else "no"), f"outcome {outcome}"],
        item_created_at=created_at))

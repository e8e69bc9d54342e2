"""Helpers for the response-case tests: rows written straight into the store, and a real
SMTP server on loopback (aiosmtpd) whose received messages the tests read."""

from __future__ import annotations

import hashlib
import socket
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email import message_from_bytes, policy

from sqlalchemy import text

from council_social.cases.watch import current_rules_version

RESIDENT = "9001"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Inbox:
    host: str
    port: int
    messages: list = field(default_factory=list)

    def parsed(self):
        return [message_from_bytes(m["data"], policy=policy.default) for m in self.messages]


class _Collect:
    def __init__(self, inbox: Inbox):
        self.inbox = inbox

    async def handle_DATA(self, server, session, envelope):
        self.inbox.messages.append({
            "from": envelope.mail_from, "to": list(envelope.rcpt_tos), "data": envelope.content,
        })
        return "250 OK"


@contextmanager
def smtp_server():
    from aiosmtpd.controller import Controller

    inbox = Inbox("127.0.0.1", _free_port())
    controller = Controller(_Collect(inbox), hostname=inbox.host, port=inbox.port)
    controller.start()
    try:
        yield inbox
    finally:
        controller.stop()


def _page(conn) -> int:
    row = conn.execute(text("""
        INSERT INTO social.raw_pages (platform, account_key, endpoint, request_url, request_params,
            interval_start, interval_end, page_number, fetched_at, status, headers, body, sha256)
        VALUES ('twitter', 'brent-council', 'mentions', 'http://127.0.0.1/test', '{}',
            '2026-01-01T00:00Z', '2026-01-01T00:15Z', 1, '2026-01-01T00:15Z', 200, '{}', '', 'x')
        ON CONFLICT ON CONSTRAINT raw_pages_exchange_key DO UPDATE SET status = 200
        RETURNING id
    """)).scalar_one()
    return row


def add_item(conn, external_id: str, created_at: datetime, text_: str = "When is my bin collected?",
             *, author: str = RESIDENT, in_reply_to: str | None = None,
             in_reply_to_author: str | None = None, conversation_id: str | None = None,
             username: str = "resident_one", display_name: str = "Rita Resident") -> None:
    page = _page(conn)
    conn.execute(text("""
        INSERT INTO social.items (platform, external_id, account_key, kind, author_external_id,
            text, created_at, conversation_id, in_reply_to_external_id, in_reply_to_author_id, url,
            metrics, content_sha256, version, raw_page_id, first_seen_at, last_seen_at)
        VALUES ('twitter', :id, 'brent-council', :kind, :author, :text, :at, :conv, :reply_to,
            :reply_author, :url, '{}', :sha, 1, :page, :at, :at)
    """), {
        "id": external_id, "kind": "reply" if in_reply_to else "mention", "author": author,
        "text": text_, "at": created_at, "conv": conversation_id or external_id,
        "reply_to": in_reply_to, "reply_author": in_reply_to_author,
        "url": f"https://x.com/i/status/{external_id}",
        "sha": hashlib.sha256(text_.encode()).hexdigest(), "page": page,
    })
    conn.execute(text("""
        INSERT INTO social.authors (platform, external_id, username, display_name, raw,
            first_seen_at, last_seen_at)
        VALUES ('twitter', :id, :username, :name, '{}', :at, :at) ON CONFLICT DO NOTHING
    """), {"id": author, "username": username, "name": display_name, "at": created_at})


def add_reply(conn, external_id: str, to_item: str, created_at: datetime, account_id: str,
              text_: str = "Thanks, we have passed this on.") -> None:
    """A council account's reply to a resident's item."""
    add_item(conn, external_id, created_at, text_, author=account_id, in_reply_to=to_item,
             in_reply_to_author=RESIDENT, conversation_id=to_item, username="council",
             display_name="Council")


def add_decision(conn, config, external_id: str, created_at: datetime, *, outcome: str,
                 flags=(), department: str | None = None, foi_valid: bool | None = None,
                 rules_version: str | None = None) -> None:
    version = rules_version or current_rules_version(config) or "test-1"
    conn.execute(text("""
        INSERT INTO social.triage_decisions (platform, external_id, rules_version, outcome, flags,
            intent, topic, department, criticality, critical, influence, importance, foi_valid,
            draft_reply, inputs, rule_path, item_created_at)
        VALUES ('twitter', :id, :version, :outcome, :flags, 'question', NULL, :department, 0.2,
            false, 10, 0.5, :foi_valid, NULL, '{}', '[]', :at)
    """), {"id": external_id, "version": version, "outcome": outcome, "flags": sorted(flags),
           "department": department, "foi_valid": foi_valid, "at": created_at})


def at(value: str) -> datetime:
    moment = datetime.fromisoformat(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)

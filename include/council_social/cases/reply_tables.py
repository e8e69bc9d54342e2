"""Replies sent from a case (`social.case_replies`), one row per officer submission.

`idempotency_key` is sha256(case id | normalised text): two officers pressing
Send on the same text for the same case, or one officer pressing it twice, make
one row and one reply. A partial unique index keeps at most one reply per case
on its way (awaiting approval, queued or sending), so two officers typing
different answers to the same resident cannot both go out; the second is told
who got there first. `announced_at` is set by the trigger that wakes
send_replies, so each queued reply is announced once.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Index,
    Integer,
    Table,
    Text,
    text,
)

from council_social.store.tables import metadata

# awaiting_approval -> queued -> sending -> sent | failed; answer_there: the platform has
# no reply API here, the officer answers on the platform and records it with `cases respond`.
REPLY_STATUSES = ("awaiting_approval", "queued", "sending", "sent", "failed", "answer_there")
UNFINISHED = ("awaiting_approval", "queued", "sending")


def _ts(name: str, nullable: bool = True) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


case_replies = Table(
    "case_replies",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id"), nullable=False),
    Column("idempotency_key", Text, nullable=False, unique=True),
    Column("platform", Text, nullable=False),
    # the council account the reply goes out from (None: answer there)
    Column("account_key", Text),
    # the resident's post being answered
    Column("in_reply_to", Text, nullable=False),
    Column("text", Text, nullable=False),
    Column("saved_key", Text),
    # the self-service link given (tagged), for channel-shift reporting
    Column("link", Text),
    Column("holding", Boolean, nullable=False),
    Column("officer", Text, nullable=False),
    Column("status", Text, nullable=False),
    Column("external_id", Text),
    Column("approved_by", Text),
    _ts("approved_at"),
    _ts("created_at", nullable=False),
    _ts("announced_at"),
    _ts("sent_at"),
    _ts("updated_at", nullable=False),
    Column("tries", Integer, nullable=False, server_default=text("0")),
    Column("detail", Text),
    Index("case_replies_case", "case_id", "created_at"),
    Index("case_replies_one_unfinished", "case_id", unique=True,
          postgresql_where=text("status IN ('awaiting_approval', 'queued', 'sending')")),
    Index("case_replies_to_send", "status", "announced_at",
          postgresql_where=text("status IN ('queued', 'sending')")),
)

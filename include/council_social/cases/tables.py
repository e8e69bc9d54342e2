"""Response cases, their event log, and the digests sent about them.

A case is one promise of a reply: one row per (platform, external_id, kind),
however often response_watch reruns. Every change to a case is a
`case_events` row saying who or what made it; the events that must happen
only once (opened, overdue, each escalation step, each FoI reminder, the
first response, closing) carry a `once_key` that the database keeps unique.
"""

from __future__ import annotations

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    ForeignKey,
    Identity,
    Integer,
    PrimaryKeyConstraint,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from council_social.store.tables import metadata

STATUSES = ("open", "responded", "closed", "overdue", "escalated", "backlog")


def _ts(name: str, nullable: bool = True) -> Column:
    return Column(name, DateTime(timezone=True), nullable=nullable)


cases = Table(
    "cases",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("platform", Text, nullable=False),
    Column("external_id", Text, nullable=False),
    # customer_service | service_conversation | escalate_comms | foi | emergency
    Column("kind", Text, nullable=False),
    # the owning team's key; `department` is what triage said
    Column("team", Text, nullable=False),
    Column("department", Text),
    Column("assignee", Text, nullable=False),
    Column("assignee_name", Text),
    # the triage decision that opened it
    Column("rules_version", Text, nullable=False),
    Column("outcome", Text, nullable=False),
    Column("flags", ARRAY(Text), nullable=False),
    # receipt: the item's created_at; the clock starts here
    _ts("opened_at", nullable=False),
    _ts("due_at", nullable=False),
    # the second escalation step (head of communications), at a multiple of the target
    _ts("escalate_at", nullable=False),
    # open | responded | closed | overdue | escalated | backlog (received before the watch began)
    Column("status", Text, nullable=False),
    _ts("responded_at"),
    Column("responded_by", Text),
    Column("response_channel", Text),
    _ts("closed_at"),
    # the response_watch interval end (or officer's clock) that wrote the row / last changed it
    _ts("recorded_at", nullable=False),
    _ts("updated_at", nullable=False),
    # foi_valid, topic, author, conversation, url: what officers need to see
    Column("details", JSONB, nullable=False),
    UniqueConstraint("platform", "external_id", "kind", name="cases_item_kind_key"),
)

case_events = Table(
    "case_events",
    metadata,
    Column("id", BigInteger, Identity(), primary_key=True),
    Column("case_id", BigInteger, ForeignKey("cases.id"), nullable=False),
    # opened | backlog | assigned | responded | acknowledged | closed | overdue | escalated |
    # reminder | note
    Column("event", Text, nullable=False),
    # when it happened (a reply's created_at, a deadline) ...
    _ts("at", nullable=False),
    # ... and when it was recorded (the run's interval end, or an officer's clock)
    _ts("recorded_at", nullable=False),
    # response_watch | account:<key> | officer:<name>
    Column("actor", Text, nullable=False),
    Column("from_status", Text),
    Column("to_status", Text),
    Column("once_key", Text),
    Column("detail", JSONB, nullable=False),
    # NULLs are distinct: notes may repeat, once-only events may not.
    UniqueConstraint("case_id", "once_key", name="case_events_once_key"),
)

case_digests = Table(
    "case_digests",
    metadata,
    Column("team", Text, nullable=False),
    _ts("interval_end", nullable=False),
    Column("recipients", JSONB, nullable=False),
    Column("subject", Text, nullable=False),
    Column("message_id", Text, nullable=False),
    Column("cases", Integer, nullable=False),
    Column("events", Integer, nullable=False),
    # smtp | outbox
    Column("transport", Text, nullable=False),
    Column("body_sha256", Text, nullable=False),
    PrimaryKeyConstraint("team", "interval_end"),
)

# When response cases start: items received before `cases_open_from` open `backlog` cases
# (FoI and emergencies open live ones), so a first start or a backfill pages nobody about
# history and leaves no promise without a case. Written once.
case_watch_marks = Table(
    "case_watch_marks",
    metadata,
    Column("name", Text, primary_key=True),
    _ts("at", nullable=False),
    _ts("recorded_at", nullable=False),
)

"""The records that flow between channels, validation and the store.

A channel returns `RawPage`s (an API exchange exactly as it happened) and a
parser turns one page body into `ParsedPage`: normalised `ItemRecord`s and
`AuthorRecord`s. Parsers never drop anything: a field they cannot read is
left as None with the raw value kept, so validation can quarantine the item
with a reason.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any


@dataclass(frozen=True)
class RawPage:
    """One API response, kept byte for byte for the archive."""

    platform: str
    account_key: str
    endpoint: str
    request_url: str
    request_params: dict[str, Any]
    fetched_at: datetime
    status: int
    headers: dict[str, str]
    body: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.body).hexdigest()


class NotAnObject(dict):
    """`ItemRecord.raw` of a record that was not a JSON object: {"value": the record}."""


@dataclass
class AuthorRecord:
    platform: str
    external_id: str
    username: str | None = None
    display_name: str | None = None
    description: str | None = None
    verified: bool | None = None
    followers_count: int | None = None
    following_count: int | None = None
    listed_count: int | None = None
    post_count: int | None = None
    location: str | None = None
    url: str | None = None
    created_at: datetime | None = None
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class ItemRecord:
    """A post, reply, mention, comment or forum message from any channel."""

    platform: str
    external_id: str | None
    record_index: int
    kind: str = "post"
    author_external_id: str | None = None
    text: str | None = None
    created_at: datetime | None = None
    created_at_raw: str | None = None
    lang: str | None = None
    conversation_id: str | None = None
    in_reply_to_external_id: str | None = None
    in_reply_to_author_id: str | None = None
    url: str | None = None
    metrics: dict[str, int] = field(default_factory=dict)
    raw: dict[str, Any] = field(default_factory=dict)


@dataclass
class ParsedPage:
    """What a parser read from one page body.

    `problem` is set when the page as a whole cannot be used (not JSON, no
    `data` where the API promised some, an error envelope): the page then goes
    to quarantine as one row and `items` holds whatever could still be read.
    """

    items: list[ItemRecord] = field(default_factory=list)
    authors: dict[str, AuthorRecord] = field(default_factory=dict)
    problem: str | None = None
    result_count: int | None = None
    next_token: str | None = None
    newest_id: str | None = None

"""Turn the parsed pages of one interval into accepted items and quarantine rows.

Accounting is exact: every record read from a page ends as accepted, as an
identical duplicate of an accepted record, or in quarantine with reasons.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage
from council_social.validation.suite import (
    AUTHOR_OPTIONAL_PLATFORMS,
    ValidationLimits,
    failed_rules,
)


@dataclass(frozen=True)
class PageRef:
    raw_page_id: int
    platform: str
    account_key: str
    fetched_at: datetime


@dataclass
class AcceptedItem:
    page: PageRef
    item: ItemRecord
    content_sha256: str


@dataclass
class QuarantineRow:
    page: PageRef
    record_index: int
    external_id: str | None
    reasons: list[dict]
    record: Any


@dataclass
class BatchOutcome:
    accepted: list[AcceptedItem] = field(default_factory=list)
    authors: dict[tuple[str, str], tuple[PageRef, AuthorRecord]] = field(default_factory=dict)
    quarantined: list[QuarantineRow] = field(default_factory=list)
    duplicates: int = 0
    records: int = 0
    page_problems: int = 0
    by_account: dict[str, dict[str, int]] = field(default_factory=dict)

    def count(self, account_key: str, what: str, n: int = 1) -> None:
        slot = self.by_account.setdefault(
            account_key, {"records": 0, "stored": 0, "duplicates": 0, "quarantined": 0}
        )
        slot[what] += n

    def check_accounting(self) -> None:
        item_rows = sum(1 for q in self.quarantined if q.record_index >= 0)
        total = len(self.accepted) + self.duplicates + item_rows
        if total != self.records:
            raise AccountingError(
                f"{self.records} records read but {len(self.accepted)} stored + "
                f"{self.duplicates} duplicates + {item_rows} quarantined = {total}"
            )


class AccountingError(RuntimeError):
    """Records went missing between the raw pages and the store."""


def content_sha256(item: ItemRecord) -> str:
    # Edits change the text; metrics change all the time and are not versions.
    return hashlib.sha256((item.text or "").encode("utf-8", "surrogatepass")).hexdigest()


def _fingerprint(item: ItemRecord) -> str:
    stamp = item.created_at.isoformat() if item.created_at else item.created_at_raw
    return json.dumps([item.text, stamp, item.author_external_id], ensure_ascii=True)


def evaluate(pages: list[tuple[PageRef, ParsedPage]], limits: ValidationLimits) -> BatchOutcome:
    import pandas as pd

    outcome = BatchOutcome()
    first_seen: dict[tuple[str, str], tuple[str, PageRef]] = {}
    rows: list[dict] = []
    candidates: list[tuple[PageRef, ItemRecord]] = []
    # Later pages win for authors: their audience figures are the newest.
    for page, parsed in sorted(pages, key=lambda p: (p[0].fetched_at, p[0].raw_page_id)):
        if parsed.problem:
            outcome.page_problems += 1
            outcome.quarantined.append(QuarantineRow(
                page, -1, None,
                [{"code": "page_unreadable", "message": parsed.problem, "column": None,
                  "expectation": None}],
                None,
            ))
        for author in parsed.authors.values():
            key = (page.platform, author.external_id)
            earlier = outcome.authors.get(key)
            outcome.authors[key] = (page, _merge_author(earlier[1], author) if earlier else author)
        for item in parsed.items:
            outcome.records += 1
            outcome.count(page.account_key, "records")
            key = (page.platform, item.external_id) if item.external_id else None
            later_conflict = False
            if key is not None and key in first_seen:
                if first_seen[key][0] == _fingerprint(item):
                    outcome.duplicates += 1
                    outcome.count(page.account_key, "duplicates")
                    continue
                later_conflict = True
            elif key is not None:
                first_seen[key] = (_fingerprint(item), page)
            rows.append(_row(page, parsed, item, later_conflict))
            candidates.append((page, item))

    by_platform: dict[str, list[int]] = defaultdict(list)
    for position, row in enumerate(rows):
        by_platform[row["platform"]].append(position)
    failures: dict[int, list[dict]] = {}
    for platform, positions in by_platform.items():
        frame = pd.DataFrame([rows[p] for p in positions])
        for local, reasons in failed_rules(frame, platform, limits).items():
            failures[positions[local]] = reasons

    for position, (page, item) in enumerate(candidates):
        reasons = failures.get(position)
        if reasons:
            outcome.quarantined.append(
                QuarantineRow(page, item.record_index, item.external_id, reasons, item.raw)
            )
            outcome.count(page.account_key, "quarantined")
        else:
            outcome.accepted.append(AcceptedItem(page, item, content_sha256(item)))
            outcome.count(page.account_key, "stored")
    outcome.check_accounting()
    return outcome


def _merge_author(earlier: AuthorRecord, later: AuthorRecord) -> AuthorRecord:
    """The later observation, with what it does not say (None) taken from the earlier one.

    Channels name an author briefly on an item (id, name) and fully on a profile
    lookup (audience); a later brief mention must not erase the audience.
    """
    merged = dataclasses.replace(later, **{
        f.name: getattr(earlier, f.name) for f in dataclasses.fields(AuthorRecord)
        if f.name != "raw" and getattr(later, f.name) is None
    })
    if len(earlier.raw or {}) > len(later.raw or {}):
        merged.raw = earlier.raw
    return merged


def _row(page: PageRef, parsed: ParsedPage, item: ItemRecord, later_conflict: bool) -> dict:
    created = item.created_at
    return {
        "platform": page.platform,
        "record_is_object": (isinstance(item.raw, dict) and not isinstance(item.raw, NotAnObject)
                             and bool(item.raw)),
        "external_id": _frame_str(item.external_id),
        "duplicate_of_earlier": later_conflict,
        "text": _frame_str(item.text),
        "text_bytes": len(item.text.encode("utf-8", "replace")) if item.text is not None else None,
        "text_storable": item.text is None or _storable_text(item.text),
        "created_at_epoch": created.timestamp() if created else None,
        "seconds_before_fetch": (page.fetched_at - created).total_seconds() if created else None,
        "author_resolved": (item.author_external_id in parsed.authors if item.author_external_id
                            else page.platform in AUTHOR_OPTIONAL_PLATFORMS),
        "lang": _frame_str(item.lang),
        "kind": item.kind,
        "author_username": _frame_str(author.username) if (
            author := parsed.authors.get(item.author_external_id or "")) else None,
    }


def _frame_str(value: str | None) -> str | None:
    # pandas (inside GX) hashes string columns as UTF-8 and raises on a lone surrogate,
    # which would fail the whole batch; `text_storable` is computed from the original.
    if value is None:
        return None
    return value.encode("utf-8", "replace").decode("utf-8")


def _storable_text(text: str) -> bool:
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True

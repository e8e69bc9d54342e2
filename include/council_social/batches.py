"""The shapes of a validated batch and its accounting (records read = stored + duplicates +
quarantined), shared by validation, which fills them, and the store, which writes them."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from council_social.items import AuthorRecord, ItemRecord


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
    # Totals of a chunked interval, whose accepted and quarantined rows are not kept.
    stored_count: int = 0
    quarantined_count: int = 0

    @property
    def stored(self) -> int:
        return len(self.accepted) + self.stored_count

    @property
    def quarantined_items(self) -> int:
        """Quarantined item rows (page-level rows, index -1, are not records)."""
        return sum(1 for q in self.quarantined if q.record_index >= 0) + self.quarantined_count

    def count(self, account_key: str, what: str, n: int = 1) -> None:
        slot = self.by_account.setdefault(
            account_key, {"records": 0, "stored": 0, "duplicates": 0, "quarantined": 0}
        )
        slot[what] += n

    def check_accounting(self) -> None:
        item_rows = self.quarantined_items
        total = self.stored + self.duplicates + item_rows
        if total != self.records:
            raise AccountingError(
                f"{self.records} records read but {self.stored} stored + "
                f"{self.duplicates} duplicates + {item_rows} quarantined = {total}"
            )


class AccountingError(RuntimeError):
    """Records went missing between the raw pages and the store."""

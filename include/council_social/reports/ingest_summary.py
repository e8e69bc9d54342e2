"""What ingest and processing did over a window, per account: the demo's summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine

from council_social.reports import repo


@dataclass
class IngestSummary:
    accounts: list[dict] = field(default_factory=list)
    quarantine_reasons: list[tuple[str, int]] = field(default_factory=list)
    items_in_store: int = 0
    authors_in_store: int = 0

    def total(self, column: str) -> int:
        return sum(row[column] for row in self.accounts)


def ingest_summary(engine: Engine, start: datetime, end: datetime) -> IngestSummary:
    with engine.connect() as conn:
        pages = repo.pages_by_account(conn, start, end)
        counts: dict[str, Counter] = {}
        for by_account in repo.batch_counts(conn, start, end):
            for account, figures in by_account.items():
                counts.setdefault(account, Counter()).update(figures)
        reasons = repo.quarantine_reasons(conn, start, end)
        new_items = repo.new_items_by_account(conn, start, end)
        items_in_store, authors_in_store = repo.store_counts(conn)
    summary = IngestSummary(items_in_store=items_in_store, authors_in_store=authors_in_store)
    for account in sorted(set(pages) | set(counts)):
        figures = counts.get(account, Counter())
        summary.accounts.append({
            "account": account,
            "pages": pages.get(account, 0),
            "records": figures["records"],
            "new_items": new_items.get(account, 0),
            "stored": figures["stored"],
            "duplicates": figures["duplicates"],
            "quarantined": figures["quarantined"],
        })
    summary.quarantine_reasons = [(f"{code}: {message}", n) for code, message, n in reasons]
    return summary

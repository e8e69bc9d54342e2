"""What ingest and processing did over a window, per account: the demo's summary."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Engine, text


@dataclass
class IngestSummary:
    accounts: list[dict] = field(default_factory=list)
    quarantine_reasons: list[tuple[str, int]] = field(default_factory=list)
    items_in_store: int = 0
    authors_in_store: int = 0

    def total(self, column: str) -> int:
        return sum(row[column] for row in self.accounts)


def ingest_summary(engine: Engine, start: datetime, end: datetime) -> IngestSummary:
    window = {"start": start, "end": end}
    with engine.connect() as conn:
        pages = dict(conn.execute(text(
            "SELECT account_key, count(*) FROM social.raw_pages"
            " WHERE interval_end > :start AND interval_end <= :end GROUP BY account_key"
        ), window).all())
        counts: dict[str, Counter] = {}
        for (by_account,) in conn.execute(text(
            "SELECT counts_by_account FROM social.process_batches"
            " WHERE interval_end > :start AND interval_end <= :end"
        ), window):
            for account, figures in by_account.items():
                counts.setdefault(account, Counter()).update(figures)
        reasons = conn.execute(text(
            "SELECT r->>'code' AS code, r->>'message' AS message, count(*) AS n"
            " FROM social.quarantine q JOIN social.raw_pages p ON p.id = q.raw_page_id,"
            " jsonb_array_elements(q.reasons) r"
            " WHERE p.interval_end > :start AND p.interval_end <= :end"
            " GROUP BY 1, 2 ORDER BY n DESC, code"
        ), window).all()
        # An item is new in the window when its first version came from a page of the window.
        new_items = dict(conn.execute(text(
            "SELECT p.account_key, count(*) FROM social.item_versions v"
            " JOIN social.raw_pages p ON p.id = v.raw_page_id"
            " WHERE v.version = 1 AND p.interval_end > :start AND p.interval_end <= :end"
            " GROUP BY p.account_key"
        ), window).all())
        items_in_store = conn.execute(text("SELECT count(*) FROM social.items")).scalar()
        authors_in_store = conn.execute(text("SELECT count(*) FROM social.authors")).scalar()
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

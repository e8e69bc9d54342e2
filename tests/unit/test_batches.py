"""A batch's accounting (batches.py): records read = stored + duplicates + quarantined items,
where page-level quarantine rows are not records and chunked totals count too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from council_social.batches import (
    AcceptedItem,
    AccountingError,
    BatchOutcome,
    PageRef,
    QuarantineRow,
)

PAGE = PageRef(raw_page_id=1, platform="twitter", account_key="brent-council",
               fetched_at=datetime(2026, 11, 25, 12, tzinfo=UTC))


def _accepted(n):
    return [AcceptedItem(PAGE, item=None, content_sha256=f"{i:064x}") for i in range(n)]


def _quarantined(*indexes):
    return [QuarantineRow(PAGE, record_index=i, external_id=None, reasons=[], record=None)
            for i in indexes]


def test_an_empty_batch_balances():
    outcome = BatchOutcome()
    assert (outcome.stored, outcome.quarantined_items, outcome.duplicates) == (0, 0, 0)
    outcome.check_accounting()


def test_stored_counts_kept_rows_and_chunked_totals():
    assert BatchOutcome(accepted=_accepted(3)).stored == 3
    assert BatchOutcome(stored_count=4).stored == 4
    assert BatchOutcome(accepted=_accepted(2), stored_count=5).stored == 7


def test_quarantined_items_count_records_from_index_zero_but_not_page_rows():
    assert BatchOutcome(quarantined=_quarantined(0)).quarantined_items == 1
    assert BatchOutcome(quarantined=_quarantined(-1)).quarantined_items == 0
    assert BatchOutcome(quarantined=_quarantined(-1, 0, 1, 7)).quarantined_items == 3
    assert BatchOutcome(quarantined=_quarantined(2), quarantined_count=3).quarantined_items == 4


def test_a_balanced_batch_passes_and_every_term_counts():
    outcome = BatchOutcome(accepted=_accepted(2), stored_count=1, duplicates=3,
                           quarantined=_quarantined(-1, 0), quarantined_count=2, records=9)
    outcome.check_accounting()
    for change in ({"records": 8}, {"records": 10}, {"duplicates": 2}, {"duplicates": 4},
                   {"stored_count": 0}, {"quarantined_count": 1}):
        unbalanced = BatchOutcome(**{**outcome.__dict__, **change})
        with pytest.raises(AccountingError):
            unbalanced.check_accounting()


def test_the_accounting_error_says_what_went_missing():
    outcome = BatchOutcome(accepted=_accepted(2), duplicates=1, quarantined=_quarantined(0, -1),
                           records=7)
    with pytest.raises(AccountingError) as caught:
        outcome.check_accounting()
    assert str(caught.value) == "7 records read but 2 stored + 1 duplicates + 1 quarantined = 4"


def test_count_keeps_per_account_tallies():
    outcome = BatchOutcome()
    outcome.count("brent-council", "records")
    outcome.count("brent-council", "records", 4)
    outcome.count("brent-council", "duplicates", 2)
    outcome.count("brent-alerts", "stored")
    assert outcome.by_account == {
        "brent-council": {"records": 5, "stored": 0, "duplicates": 2, "quarantined": 0},
        "brent-alerts": {"records": 0, "stored": 1, "duplicates": 0, "quarantined": 0},
    }
    outcome.count("brent-alerts", "quarantined", 3)
    assert outcome.by_account["brent-alerts"]["quarantined"] == 3
    assert outcome.by_account["brent-alerts"]["stored"] == 1

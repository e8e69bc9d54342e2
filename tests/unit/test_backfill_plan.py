"""Backfill planning: date ranges cut into UTC day or month spans; bad requests say why."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from council_social.pipeline.backfill import BackfillRequestError, add_totals, plan_spans


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


def test_a_year_by_month_is_twelve_spans_covering_every_day_once():
    spans = plan_spans("2025-01-01", "2025-12-31")
    assert len(spans) == 12
    assert spans[0] == (utc(2025, 1, 1), utc(2025, 2, 1))
    assert spans[1] == (utc(2025, 2, 1), utc(2025, 3, 1))
    assert spans[-1] == (utc(2025, 12, 1), utc(2026, 1, 1))
    assert all(a[1] == b[0] for a, b in zip(spans, spans[1:], strict=False))


def test_a_range_inside_months_is_cut_at_its_own_ends():
    assert plan_spans("2025-01-20", "2025-02-03") == [
        (utc(2025, 1, 20), utc(2025, 2, 1)), (utc(2025, 2, 1), utc(2025, 2, 4))]


def test_per_day_gives_one_span_a_day_with_to_included():
    spans = plan_spans("2025-02-27", "2025-03-01", "day")
    assert spans == [(utc(2025, 2, 27), utc(2025, 2, 28)), (utc(2025, 2, 28), utc(2025, 3, 1)),
                     (utc(2025, 3, 1), utc(2025, 3, 2))]


@pytest.mark.parametrize(("args", "kwargs", "message"), [
    (("2025-02-01", "2025-01-01"), {}, "before from"),
    (("2025-13-01", "2025-12-31"), {}, "is not a date"),
    (("2025-01-01", "2025-01-02", "week"), {}, "per: 'week'"),
    (("2025-01-01", "2025-01-02"), {"configured_rules": "A", "rules_version": "B"},
     "deployed rules are 'A'"),
])
def test_bad_requests_are_refused_with_the_reason(args, kwargs, message):
    with pytest.raises(BackfillRequestError, match=message):
        plan_spans(*args, **kwargs)


def test_the_deployed_rules_version_is_accepted():
    assert plan_spans("2025-01-01", "2025-01-01", configured_rules="A", rules_version="A") == [
        (utc(2025, 1, 1), utc(2025, 1, 2))]


def test_totals_add_up_across_spans():
    parts = [{"days": 31, "raw_pages": 10, "records": 5, "stored": 4, "duplicates": 1,
              "quarantined": 0},
             {"days": 28, "raw_pages": 2, "records": 3, "stored": 1, "duplicates": 0,
              "quarantined": 2}]
    assert add_totals(parts) == {"days": 59, "raw_pages": 12, "records": 8, "stored": 5,
                                 "duplicates": 1, "quarantined": 2}

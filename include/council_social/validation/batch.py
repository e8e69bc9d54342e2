"""Turn the parsed pages of one interval into accepted items and quarantine rows.

Accounting is exact: every record read from a page ends as accepted, as an
identical duplicate of an accepted record, or in quarantine with reasons.
"""

from __future__ import annotations

import dataclasses
import hashlib
from collections import defaultdict

from council_social.batches import (  # noqa: F401 (the batch's shapes, named here too)
    AcceptedItem,
    AccountingError,
    BatchOutcome,
    PageRef,
    QuarantineRow,
)
from council_social.items import AuthorRecord, ItemRecord, NotAnObject, ParsedPage
from council_social.validation.suite import (
    AUTHOR_OPTIONAL_PLATFORMS,
    ValidationLimits,
    failed_rules,
)


def content_sha256(item: ItemRecord) -> str:
    # Edits change the text; metrics change all the time and are not versions.
    return hashlib.sha256((item.text or "").encode("utf-8", "surrogatepass")).hexdigest()


def _fingerprint(item: ItemRecord) -> bytes:
    # A digest, not the text: an interval of a million items keeps one per id. The repr
    # of the tuple is unambiguous (quoted, escaped), and cheaper than JSON.
    stamp = item.created_at.isoformat() if item.created_at else item.created_at_raw
    key = repr((item.text, stamp, item.author_external_id))
    return hashlib.blake2b(key.encode("utf-8", "surrogatepass"), digest_size=16).digest()


def evaluate(pages: list[tuple[PageRef, ParsedPage]], limits: ValidationLimits) -> BatchOutcome:
    """One batch evaluated whole (a chunked interval uses `IntervalEvaluator`)."""
    evaluator = IntervalEvaluator(limits)
    outcome = evaluator.add(sorted(pages, key=lambda p: (p[0].fetched_at, p[0].raw_page_id)))
    outcome.authors = evaluator.authors
    return outcome


class IntervalEvaluator:
    """Evaluates an interval's pages a chunk at a time, in fetch order.

    What must span the whole interval is kept here and kept small: a 16-byte
    digest of each id's first content (for duplicates and same-id conflicts)
    and the merged authors. Each chunk's accepted and quarantined rows are
    returned and can be stored and dropped before the next chunk is read.
    """

    def __init__(self, limits: ValidationLimits):
        self.limits = limits
        self.first_seen: dict[str, bytes] = {}  # 'platform\x1fid' -> content digest
        self.authors: dict[tuple[str, str], tuple[PageRef, AuthorRecord]] = {}
        self.totals = BatchOutcome()

    def add(self, pages: list[tuple[PageRef, ParsedPage]]) -> BatchOutcome:
        """Evaluate the next pages (already in fetch order); later pages win for authors."""
        outcome = BatchOutcome()
        rows: list[tuple] = []
        candidates: list[tuple[PageRef, ItemRecord]] = []
        for page, parsed in pages:
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
                earlier = self.authors.get(key)
                self.authors[key] = (page, _merge_author(earlier[1], author) if earlier else author)
            for item in parsed.items:
                outcome.records += 1
                outcome.count(page.account_key, "records")
                # One string, not a tuple: a million ids cost ~70 MiB less.
                key = f"{page.platform}\x1f{item.external_id}" if item.external_id else None
                later_conflict = False
                if key is not None:
                    digest = _fingerprint(item)
                    seen = self.first_seen.get(key)
                    if seen == digest:
                        outcome.duplicates += 1
                        outcome.count(page.account_key, "duplicates")
                        continue
                    if seen is None:
                        self.first_seen[key] = digest
                    else:
                        later_conflict = True
                rows.append(_row(page, parsed, item, later_conflict))
                candidates.append((page, item))

        failures = _failures(rows, self.limits)
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
        self._add_to_totals(outcome)
        return outcome

    def _add_to_totals(self, outcome: BatchOutcome) -> None:
        t = self.totals
        t.records += outcome.records
        t.duplicates += outcome.duplicates
        t.page_problems += outcome.page_problems
        for account, figures in outcome.by_account.items():
            for what, n in figures.items():
                t.count(account, what, n)
        t.stored_count += len(outcome.accepted)
        t.quarantined_count += sum(1 for q in outcome.quarantined if q.record_index >= 0)


def _failures(rows: list[tuple], limits: ValidationLimits) -> dict[int, list[dict]]:
    """GX on one frame per platform; maps a row's position in `rows` to its reasons."""
    import pandas as pd

    by_platform: dict[str, list[int]] = defaultdict(list)
    for position, row in enumerate(rows):
        by_platform[row[0]].append(position)
    failures: dict[int, list[dict]] = {}
    for platform, positions in by_platform.items():
        frame = pd.DataFrame.from_records([rows[p] for p in positions], columns=FRAME_COLUMNS)
        for local, reasons in failed_rules(frame, platform, limits).items():
            failures[positions[local]] = reasons
    return failures


def _merge_author(earlier: AuthorRecord, later: AuthorRecord) -> AuthorRecord:
    """The later observation, with what it does not say (None) taken from the earlier one.

    Channels name an author briefly on an item (id, name) and fully on a profile
    lookup (audience); a later brief mention must not erase the audience.
    """
    missing = {name: getattr(earlier, name) for name in _AUTHOR_FIELDS
               if getattr(later, name) is None and getattr(earlier, name) is not None}
    keep_raw = len(earlier.raw or {}) > len(later.raw or {})
    if not missing and not keep_raw:
        return later  # the usual case: the same full profile again
    merged = dataclasses.replace(later, **missing)
    if keep_raw:
        merged.raw = earlier.raw
    return merged


_AUTHOR_FIELDS = tuple(f.name for f in dataclasses.fields(AuthorRecord) if f.name != "raw")


FRAME_COLUMNS = ("platform", "record_is_object", "external_id", "duplicate_of_earlier", "text",
                 "text_bytes", "text_storable", "created_at_epoch", "seconds_before_fetch",
                 "author_resolved", "lang", "kind", "author_username")


def _row(page: PageRef, parsed: ParsedPage, item: ItemRecord, later_conflict: bool) -> tuple:
    """One frame row, in FRAME_COLUMNS order."""
    created = item.created_at
    text = item.text
    if text is None:
        text_bytes, storable = None, True
    else:
        try:
            text_bytes, storable = len(text.encode("utf-8")), "\x00" not in text
        except UnicodeEncodeError:  # a lone surrogate
            encoded = text.encode("utf-8", "replace")
            text, text_bytes, storable = encoded.decode("utf-8"), len(encoded), False
    return (
        page.platform,
        isinstance(item.raw, dict) and not isinstance(item.raw, NotAnObject) and bool(item.raw),
        _frame_str(item.external_id),
        later_conflict,
        text,
        text_bytes,
        storable,
        created.timestamp() if created else None,
        (page.fetched_at - created).total_seconds() if created else None,
        (item.author_external_id in parsed.authors if item.author_external_id
         else page.platform in AUTHOR_OPTIONAL_PLATFORMS),
        _frame_str(item.lang),
        item.kind,
        _frame_str(author.username) if (
            author := parsed.authors.get(item.author_external_id or "")) else None,
    )


def _frame_str(value: str | None) -> str | None:
    # pandas (inside GX) hashes string columns as UTF-8 and raises on a lone surrogate,
    # which would fail the whole batch; `text_storable` is computed from the original.
    if value is None:
        return None
    try:
        value.encode("utf-8")
        return value
    except UnicodeEncodeError:
        return value.encode("utf-8", "replace").decode("utf-8")

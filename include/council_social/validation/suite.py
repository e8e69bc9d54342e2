"""The Great Expectations suite every batch of items passes through.

Each expectation carries a reason an officer can read; a row that fails any
of them goes to quarantine with all of its reasons. The suite runs on a
pandas frame built from `ItemRecord`s, with a few derived columns (bytes of
text, age at fetch) because GX compares columns, not rules.
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

# GX phones home unless told not to; there is no network here and nothing to share.
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

# GX's public-API decorator logs "Skipping registering function ..." at INFO for ~200
# functions on import: noise that buried each process_items log.
GX_REGISTRATION_LOGGER = "great_expectations._docs_decorators"


def quiet_gx_registration() -> None:
    """Keep GX's import-time registration chatter out of task logs (its warnings stay)."""
    logger = logging.getLogger(GX_REGISTRATION_LOGGER)
    if logger.getEffectiveLevel() < logging.WARNING:
        logger.setLevel(logging.WARNING)


ITEM_KINDS = ("post", "reply", "quote", "repost", "mention", "comment", "message")

# Platform ids: X uses 64-bit snowflakes; others are checked by their own parsers.
EXTERNAL_ID_PATTERNS = {"twitter": r"^[0-9]{1,20}$"}
EXTERNAL_ID_PATTERNS.update({
    "facebook": r"^[0-9]{1,25}(?:_[0-9]{1,25}){0,2}$",
    "instagram": r"^[0-9]{1,25}$",
    "youtube": r"^[A-Za-z0-9_\-]{6,64}(?:\.[A-Za-z0-9_\-]{6,64})?$",
    "flickr": r"^[0-9]{1,25}(?:-[0-9]{1,25}){0,3}$",
    "linkedin": r"^urn:li:[A-Za-z]+:\S{1,190}$",
    "eventbrite": r"^[0-9]{1,25}$",
})
DEFAULT_EXTERNAL_ID_PATTERN = r"^\S{1,200}$"
# Author handles where the platform fixes their form; a handle is shown and linked, so
# `javascript:alert(1)//` must never pass as one. X caps new handles at 15 characters; 20
# keeps the sample council's longer ones (@BrentEnvironment): the character set is the defence.
AUTHOR_HANDLE_PATTERNS = {
    "twitter": r"^[A-Za-z0-9_]{1,20}$",
    "instagram": r"^[A-Za-z0-9._]{1,30}$",
}
# Where the platform may withhold who wrote an item (Graph hides commenters
# without a page token; feeds name the site), a missing author is not a defect.
AUTHOR_OPTIONAL_PLATFORMS = frozenset({"facebook", "instagram", "feed"})


@dataclass(frozen=True)
class Rule:
    code: str
    column: str
    message: str
    expectation: str
    kwargs: dict[str, Any]


@dataclass(frozen=True)
class ValidationLimits:
    text_max_bytes: int
    future_skew_seconds: float
    earliest_created_at: datetime
    language_pattern: str


def rules_for(platform: str, limits: ValidationLimits) -> list[Rule]:
    id_pattern = EXTERNAL_ID_PATTERNS.get(platform, DEFAULT_EXTERNAL_ID_PATTERN)
    return [
        Rule("record_not_object", "record_is_object", "the record is not a JSON object",
             "ExpectColumnValuesToBeInSet", {"value_set": [True]}),
        Rule("id_missing", "external_id", "the item has no id",
             "ExpectColumnValuesToNotBeNull", {}),
        Rule("id_malformed", "external_id", f"the id does not match {id_pattern}",
             "ExpectColumnValuesToMatchRegex", {"regex": id_pattern}),
        Rule("id_duplicate", "duplicate_of_earlier",
             "the id appeared earlier in this batch with different content",
             "ExpectColumnValuesToBeInSet", {"value_set": [False]}),
        Rule("text_missing", "text", "the item has no text",
             "ExpectColumnValuesToNotBeNull", {}),
        Rule("text_too_long", "text_bytes",
             f"the text is longer than {limits.text_max_bytes} bytes of UTF-8",
             "ExpectColumnValuesToBeBetween", {"min_value": 0, "max_value": limits.text_max_bytes}),
        Rule("text_unstorable", "text_storable",
             "the text holds a NUL character or broken UTF-16 that cannot be stored faithfully",
             "ExpectColumnValuesToBeInSet", {"value_set": [True]}),
        Rule("created_at_unreadable", "created_at_epoch",
             "created_at is missing or not an RFC 3339 timestamp",
             "ExpectColumnValuesToNotBeNull", {}),
        Rule("created_at_too_early", "created_at_epoch",
             f"created_at is before {limits.earliest_created_at:%Y-%m-%d}",
             "ExpectColumnValuesToBeBetween",
             {"min_value": limits.earliest_created_at.timestamp()}),
        Rule("created_at_in_future", "seconds_before_fetch",
             "created_at is later than the time the page was fetched",
             "ExpectColumnValuesToBeBetween", {"min_value": -limits.future_skew_seconds}),
        Rule("author_unresolved", "author_resolved",
             "the author is not among the users the response included",
             "ExpectColumnValuesToBeInSet", {"value_set": [True]}),
        Rule("lang_invalid", "lang", "the language code is not a valid BCP 47 or X code",
             "ExpectColumnValuesToMatchRegex", {"regex": limits.language_pattern}),
        Rule("kind_unknown", "kind", f"the kind is not one of {', '.join(ITEM_KINDS)}",
             "ExpectColumnValuesToBeInSet", {"value_set": list(ITEM_KINDS)}),
    ] + ([Rule("author_handle_malformed", "author_username",
               f"the author's handle does not match {AUTHOR_HANDLE_PATTERNS[platform]}",
               "ExpectColumnValuesToMatchRegex", {"regex": AUTHOR_HANDLE_PATTERNS[platform]})]
         if platform in AUTHOR_HANDLE_PATTERNS else [])


@lru_cache(maxsize=1)
def _context():
    quiet_gx_registration()
    import great_expectations as gx
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas("items")
        .add_dataframe_asset("item_batch")
        .add_batch_definition_whole_dataframe("whole_batch")
    )
    return context, batch_definition


@lru_cache(maxsize=16)
def _suite(platform: str, limits: ValidationLimits):
    quiet_gx_registration()
    import great_expectations as gx
    import great_expectations.expectations as gxe

    context, _ = _context()
    suite = gx.ExpectationSuite(name=f"items_{platform}_{abs(hash(limits))}")
    for rule in rules_for(platform, limits):
        expectation = getattr(gxe, rule.expectation)(column=rule.column, **rule.kwargs)
        expectation.meta = {"code": rule.code, "message": rule.message}
        suite.add_expectation(expectation)
    return context.suites.add_or_update(suite)


def warm_up(limits: ValidationLimits | None = None, platforms: tuple[str, ...] = ()) -> None:
    """Pay GX's fixed cost (import, context, suites) now: once per process, then cached."""
    _context()
    for platform in platforms:
        _suite(platform, limits)


def failed_rules(frame, platform: str, limits: ValidationLimits) -> dict[int, list[dict]]:
    """Validate `frame` (one row an item); map each failing row position to its reasons."""
    if frame.empty:
        return {}
    _, batch_definition = _context()
    suite = _suite(platform, limits)
    batch = batch_definition.get_batch(batch_parameters={"dataframe": frame})
    result = batch.validate(suite, result_format={"result_format": "COMPLETE"})
    failures: dict[int, list[dict]] = {}
    for outcome in result.results:
        meta = outcome.expectation_config.meta or {}
        if outcome.exception_info and outcome.exception_info.get("raised_exception"):
            # A rule that cannot run is a defect in the suite, not in the data.
            raise RuntimeError(
                f"validation rule {meta.get('code')} failed to run: "
                f"{outcome.exception_info.get('exception_message')}"
            )
        if outcome.success:
            continue
        reason = {
            "code": meta.get("code"),
            "message": meta.get("message"),
            "expectation": outcome.expectation_config.type,
            "column": outcome.expectation_config.kwargs.get("column"),
        }
        for index in outcome.result.get("unexpected_index_list") or []:
            failures.setdefault(int(index), []).append(reason)
    return failures

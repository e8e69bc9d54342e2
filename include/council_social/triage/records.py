"""JSON records in and out of triage (the CLI's and the benches' format)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from council_social.triage.engine import TriageInput, TriageResult
from council_social.triage.influence import AuthorActivity


class RecordError(ValueError):
    """A record triage cannot read; the message names the field."""


def _int(value: Any, name: str) -> int:
    if value is None:
        return 0
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value < 0:
        raise RecordError(f"{name} must be a non-negative number")
    return int(value)


def _time(value: Any, name: str) -> datetime | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{name} must be an ISO 8601 string")
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise RecordError(f"{name} is not an ISO 8601 time: {value[:40]!r}") from None
    if moment.tzinfo is None:
        raise RecordError(f"{name} needs a timezone (e.g. Z)")
    return moment


def _str(value: Any, name: str) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise RecordError(f"{name} must be a string")
    return value


def _encodable(value: Any) -> bool:
    """Whether every string in the JSON value can be written out as UTF-8 (walked
    without recursion: a deeply nested value is no risk)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                return False
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return True


def input_from_record(record: Any) -> TriageInput:
    """`text` is required; platform, author_*, created_at and metrics are optional."""
    if not isinstance(record, dict):
        raise RecordError("a record must be a JSON object")
    if not _encodable(record):
        raise RecordError("the record holds a lone surrogate (e.g. \\ud800): not valid Unicode")
    text = record.get("text")
    if not isinstance(text, str) or not text.strip():
        raise RecordError("text is required and must be a non-empty string")
    metrics = record.get("metrics") or {}
    if not isinstance(metrics, dict):
        raise RecordError("metrics must be an object")
    clean_metrics = {k: _int(v, f"metrics.{k}") for k, v in metrics.items()
                     if isinstance(v, (int, float)) and not isinstance(v, bool)}
    verified = record.get("author_verified", False)
    if not isinstance(verified, bool):
        raise RecordError("author_verified must be true or false")
    created_at = _time(record.get("created_at"), "created_at")
    author = AuthorActivity(
        followers=_int(record.get("author_followers"), "author_followers"),
        verified=verified,
        listed=_int(record.get("author_listed"), "author_listed"),
        created_at=_time(record.get("author_created_at"), "author_created_at"),
        posts_in_window=1 if clean_metrics else 0,
        interactions_in_window=sum(clean_metrics.get(k, 0) for k in
                                   ("reply_count", "repost_count", "quote_count", "like_count")),
        reach_in_window=clean_metrics.get("repost_count", 0) + clean_metrics.get("quote_count", 0),
    )
    return TriageInput(
        text=text,
        platform=_str(record.get("platform"), "platform") or "twitter",
        external_id=_str(record.get("id") or record.get("external_id"), "id"),
        created_at=created_at,
        observed_at=_time(record.get("observed_at"), "observed_at"),
        metrics=clean_metrics,
        author_id=_str(record.get("author_id"), "author_id"),
        author_username=_str(record.get("author_username"), "author_username"),
        author_name=_str(record.get("author_name"), "author_name"),
        author_description=_str(record.get("author_description"), "author_description"),
        author=author,
    )


def output_record(record: dict, result: TriageResult, rules_version: str) -> dict:
    d = result.decision
    return {
        **record,
        "criticality": round(result.criticality, 4),
        "critical": result.critical,
        "intent": result.intent,
        "topic": result.topic,
        "department": result.department,
        "influence": result.influence,
        "importance": result.importance,
        "outcome": d.outcome,
        "flags": d.flags,
        "foi_valid": result.foi_valid,
        "draft_reply": d.draft_reply,
        "rule_path": d.rule_path,
        "explanation": d.explanation,
        "rules_version": rules_version,
    }

"""The triage queue: decisions under the current rules, newest first, and officers' corrections.

The filter and the correction are checked here; the queue's SQL is `views.queries`."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from council_social.triage.repo import record_correction as record
from council_social.views import queries

OUTCOMES = ("monitor", "customer_service", "webteam_respond", "service_conversation", "escalate_comms")
FLAGS = ("foi", "emergency", "out_of_hours", "abusive", "impersonation")


class TriageFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str | None = None
    flag: str | None = None
    team: str | None = None
    platform: str | None = None
    account: str | None = None
    critical: bool | None = None
    # Needs an answer and has none: not `monitor`, no case, no reply from a council account.
    unanswered: bool = False
    date_from: date | None = None
    date_to: date | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    page: int = Field(default=1, ge=1, le=100_000)

    @field_validator("outcome", "flag", "team", "platform", "account", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return None if v in ("", None) else v


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str | None = None
    critical: bool | None = None
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, v):
        if v is not None and v not in OUTCOMES:
            raise ValueError(f"unknown outcome {v!r}; outcomes are: {', '.join(OUTCOMES)}")
        return v

    @model_validator(mode="after")
    def _says_something(self):
        if self.outcome is None and self.critical is None:
            raise ValueError("a correction needs an outcome or a criticality")
        return self


def record_correction(conn, config, platform: str, external_id: str, correction: Correction,
                      officer: str, at: datetime) -> dict | None:
    """Store an officer's correction as feedback; None when there is no such decision."""
    rules = config.triage.rules_version
    if not queries.decision_exists(conn, platform, external_id, rules):
        return None
    row = {"platform": platform, "external_id": external_id, "rules_version": rules,
           "outcome": correction.outcome, "critical": correction.critical, "officer": officer,
           "note": correction.note, "corrected_at": at}
    new_id = record(conn, platform, external_id, outcome=correction.outcome, critical=correction.critical,
                    officer=officer, note=correction.note, corrected_at=at, rules_version=rules)
    return {"id": new_id, **row}

"""Response cases and the mail that tells people about them."""

from __future__ import annotations

from pydantic import AwareDatetime, Field, field_validator

from council_social.config.sections.replies import ReplySettings, SavedReply, unique_keys
from council_social.config.types import (
    CASE_KINDS,
    CaseKind,
    ConfigModel,
    Email,
    NonBlank,
    Slug,
)


class CaseSettings(ConfigModel):
    """Response cases (council_social.cases): which kinds open, whose calendar, who owns them."""

    kinds: list[CaseKind] = Field(default_factory=lambda: list(CASE_KINDS))
    # Bank holidays from the `holidays` package; England and Wales share ENG's list.
    holiday_country: NonBlank = "GB"
    holiday_subdivision: NonBlank | None = "ENG"
    # Items older than this are history even after `open_from`: a re-triage backfill of
    # last year pages nobody (its promises open `backlog` cases; FoI and emergencies open
    # live cases, their legal clocks counted from receipt).
    open_lookback_days: float = Field(default=7, gt=0)
    # Items received before this are history, as above (no flood of pages on first start).
    # None -> the start of the first response_watch run, stored then.
    open_from: AwareDatetime | None = None
    # The head of communications hears at this multiple of the target.
    second_escalation_factor: float = Field(default=2, gt=1)
    foi_reminder_working_days: list[int] = Field(default_factory=lambda: [5, 1])
    # Team owning FoI cases when triage names no department (None -> the web team).
    foi_team: Slug | None = None
    # Answering from the case (cases/replies.py): per-service saved replies and the checks.
    saved_replies: list[SavedReply] = Field(default_factory=list)
    replies: ReplySettings = Field(default_factory=ReplySettings)

    @field_validator("saved_replies")
    @classmethod
    def _saved_keys_unique(cls, value: list[SavedReply]) -> list[SavedReply]:
        return unique_keys(value)


class NotificationSettings(ConfigModel):
    # An Airflow SMTP Connection; without one the demo writes .eml files instead.
    smtp_connection_id: NonBlank = "council_social_smtp"
    # None -> the Connection's from_email extra.
    from_email: Email | None = None

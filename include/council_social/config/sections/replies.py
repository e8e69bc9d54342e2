"""Answering from the case: saved replies, house style, second pair of eyes, link tags."""

from __future__ import annotations

from string import Formatter

from pydantic import Field, field_validator, model_validator

from council_social.config.types import ConfigModel, NonBlank, Slug, Url

# What a saved reply's text may say in braces; filled in by cases.saved_replies.
PLACEHOLDERS = ("handle", "name", "link", "officer", "initials")


def placeholders_in(text: str) -> set[str]:
    return {field for _, field, _, _ in Formatter().parse(text) if field is not None}


class SavedReply(ConfigModel):
    """One of a service's saved replies (`cases.saved_replies`)."""

    key: Slug
    service: Slug
    text: NonBlank
    # The self-service page to give ("report a missed bin"); tagged for channel shift.
    link: Url | None = None
    link_label: NonBlank | None = None

    @field_validator("text")
    @classmethod
    def _known_placeholders(cls, value: str) -> str:
        try:
            names = placeholders_in(value)
        except ValueError as exc:
            raise ValueError(f"bad braces in saved reply text: {exc}") from None
        unknown = sorted(n for n in names if n not in PLACEHOLDERS)
        if unknown:
            raise ValueError(f"unknown placeholder(s) {', '.join('{' + n + '}' for n in unknown)};"
                             f" known: {', '.join('{' + n + '}' for n in PLACEHOLDERS)}")
        return value

    @model_validator(mode="after")
    def _link_given(self) -> SavedReply:
        if "link" in placeholders_in(self.text) and not self.link:
            raise ValueError(f"saved reply {self.key!r} says {{link}} but has no link")
        return self


class ReplyStyle(ConfigModel):
    """House style a reply is checked against before it is queued."""

    # Phrases the council does not use in public (case-insensitive).
    banned_phrases: list[NonBlank] = Field(default_factory=list)
    max_exclamation_marks: int = Field(default=1, ge=0)
    # Words of this many letters or more all in capitals read as shouting (0: no check).
    shouting_min_letters: int = Field(default=5, ge=0)


class ReplySettings(ConfigModel):
    """`cases.replies`: how replies from the case are checked, approved and tagged."""

    # A case kind, triage outcome or topic key listed here needs an approver before sending.
    second_pair_of_eyes: list[Slug] = Field(default_factory=lambda: ["escalate_comms"])
    # Who may approve; empty -> grid.approvers. Never the officer who wrote the reply.
    approvers: list[NonBlank] = Field(default_factory=list)
    style: ReplyStyle = Field(default_factory=ReplyStyle)
    # Query parameters added to every council link in a reply ({platform}, {saved_key},
    # {service} filled in), so web analytics can count the channel shift.
    link_tags: dict[NonBlank, NonBlank] = Field(default_factory=lambda: {
        "utm_source": "{platform}", "utm_medium": "social", "utm_campaign": "case-reply",
        "utm_content": "{saved_key}"})
    # How long send_replies' trigger waits between looks at the queue.
    poll_seconds: float = Field(default=5, gt=0, le=60)


def unique_keys(replies: list[SavedReply]) -> list[SavedReply]:
    seen: set[str] = set()
    for r in replies:
        if r.key in seen:
            raise ValueError(f"duplicate saved reply key {r.key!r}")
        seen.add(r.key)
    return replies

"""Follow-back suggestions: people who follow or engage with an account that it does not
follow, ranked by influence, with the reasons shown. Never a follow: an officer decides."""

from __future__ import annotations

from dataclasses import dataclass, field

# Triage flags and intents that rule a person out of a suggestion.
EXCLUDING_FLAGS = frozenset({"abusive", "impersonation", "spam"})


@dataclass(frozen=True)
class Candidate:
    user_external_id: str
    handle: str
    influence: int = 1
    follows_us: bool = False
    engaged: int = 0  # posts to or about the account in the engagement window
    local: bool = False
    flags: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Suggestion:
    user_external_id: str
    handle: str
    influence: int
    reasons: tuple[str, ...]


def reasons_for(c: Candidate, engagement_days: int) -> tuple[str, ...]:
    out = []
    if c.follows_us:
        out.append("follows us")
    if c.local:
        out.append("local")
    if c.engaged:
        out.append(f"engaged {c.engaged} time{'s' if c.engaged != 1 else ''} in "
                   f"{engagement_days} days")
    out.append(f"influence {c.influence}")
    return tuple(out)


def suggest(candidates: list[Candidate], *, following: set[str], dismissed: set[str],
            own_ids: set[str], engagement_days: int = 90, limit: int = 50) -> list[Suggestion]:
    """Rank the candidates an account could follow back.

    Out: anyone it follows already, an officer dismissed or followed, a council account,
    and anyone triage flagged abusive, impersonating or spam. Highest influence first,
    then most engaged, then handle (a stable order for the same data).
    """
    kept = [c for c in candidates
            if (c.follows_us or c.engaged)
            and c.user_external_id not in following
            and c.user_external_id not in dismissed
            and c.user_external_id not in own_ids
            and not (c.flags & EXCLUDING_FLAGS)]
    kept.sort(key=lambda c: (-c.influence, -c.engaged, c.handle.casefold(), c.user_external_id))
    return [Suggestion(c.user_external_id, c.handle, c.influence, reasons_for(c, engagement_days))
            for c in kept[:limit]]


def is_local(location: str | None, description: str | None, places: list[str],
             area: str) -> bool:
    """A profile that names one of the council's places (or the council's area) is local."""
    text = f" {location or ''} {description or ''} ".casefold()
    return any(name and name.casefold() in text for name in (*places, area))

"""Who owes the reply: which case kinds a decision opens, the owning team, and
whose reply closes a case."""

from __future__ import annotations

OUTCOME_KINDS = ("customer_service", "service_conversation", "escalate_comms")
FLAG_KINDS = ("foi", "emergency")


# One item opens at most one case: the most binding promise leads, the others ride along.
PRECEDENCE = ("emergency", "foi", "escalate_comms", "customer_service", "service_conversation")


def kinds_for(outcome: str, flags, enabled) -> list[str]:
    """Every enabled promise a decision makes, most binding first."""
    promised = {outcome} if outcome in OUTCOME_KINDS else set()
    promised |= {f for f in FLAG_KINDS if f in (flags or [])}
    return [k for k in PRECEDENCE if k in promised and k in enabled]


def case_kind_for(outcome: str, flags, enabled) -> tuple[str | None, list[str]]:
    """The one case an item opens, and the other promises it carries (an FoI request inside
    a complaint is one FoI case that also carries the complaint)."""
    kinds = kinds_for(outcome, flags, enabled)
    return (kinds[0], kinds[1:]) if kinds else (None, [])


def owning_team(config, kind: str, department: str | None):
    """The team that owes the reply: triage's department, else a sensible default per kind."""
    known = {t.key: t for t in config.teams}

    def first_of(kind_name: str):
        found = config.teams_of_kind(kind_name)
        return found[0] if found else None

    if kind == "escalate_comms":
        team = first_of("communications")
    elif kind == "foi" and config.cases.foi_team:
        team = known[config.cases.foi_team]
    else:
        team = known.get(department or "")
        if team is None and kind == "customer_service":
            team = first_of("customer_services")
    return team or first_of("web_team") or config.teams[0]


def council_accounts(config) -> dict[tuple[str, str], object]:
    """(platform, external_id) -> Account for every council account with a known id."""
    return {(a.platform, a.external_id): a for a in config.accounts if a.external_id}



def closes_case(config, case_kind: str, case_team: str, account) -> bool:
    """A reply by the owning team closes; for escalations the web team or comms may answer."""
    if account.team == case_team:
        return True
    if case_kind == "escalate_comms":
        return config.team(account.team).kind in ("web_team", "communications")
    return False

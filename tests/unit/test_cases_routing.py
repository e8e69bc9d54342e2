"""Who owes the reply (cases/routing.py): the owning team's fall-backs and whose reply closes
a case, against the shipped council.yaml and small changes to it."""

from __future__ import annotations

import pytest

from council_social.cases.routing import closes_case, council_accounts, owning_team


def _with(config, **changes):
    return config.model_copy(update=changes)


def _foi_team(config, key):
    return _with(config, cases=config.cases.model_copy(update={"foi_team": key}))


def test_a_named_foi_team_owns_foi_cases_only(config):
    named = _foi_team(config, "revenues-benefits")
    assert owning_team(named, "foi", "parking").key == "revenues-benefits"
    # The FoI team is for FoI cases: a complaint still goes to triage's department.
    assert owning_team(named, "customer_service", "parking").key == "parking"
    assert owning_team(named, "customer_service", None).key == "customer-services"
    # Without one, an FoI case follows the department like any other.
    assert owning_team(config, "foi", "housing").key == "housing"


def test_only_complaints_fall_back_to_customer_services(config):
    assert owning_team(config, "service_conversation", None).key == "web-team"
    assert owning_team(config, "emergency", "not-a-team").key == "web-team"
    assert owning_team(config, "service_conversation", "libraries").key == "libraries"


def test_the_first_team_of_a_kind_owns_and_the_first_team_is_the_last_resort(config):
    teams = list(config.teams)
    comms = config.team("communications")
    second_comms = comms.model_copy(update={"key": "press-office"})
    web = config.team("web-team")
    second_web = web.model_copy(update={"key": "web-team-2"})
    reordered = _with(config, teams=[t for t in teams if t.key != "communications"]
                      + [comms, second_comms, second_web])
    assert owning_team(reordered, "escalate_comms", "housing").key == "communications"
    assert owning_team(reordered, "emergency", None).key == "web-team"
    # The web team answers what nobody else owns, wherever it is listed.
    web_last = _with(config, teams=[t for t in teams if t.kind != "web_team"] + [web])
    assert owning_team(web_last, "emergency", None).key == "web-team"
    # No web team at all: the first team listed answers what nobody else owns.
    no_web = _with(config, teams=[t for t in teams if t.kind != "web_team"])
    assert owning_team(no_web, "emergency", None).key == no_web.teams[0].key
    assert no_web.teams[0].key != no_web.teams[1].key
    # No communications team: an escalation falls to the web team, not to the department.
    no_comms = _with(config, teams=[t for t in teams if t.kind != "communications"])
    assert owning_team(no_comms, "escalate_comms", "housing").key == "web-team"
    no_cs = _with(config, teams=[t for t in teams if t.kind != "customer_services"])
    assert owning_team(no_cs, "customer_service", None).key == "web-team"


def test_council_accounts_are_keyed_by_platform_and_id_and_skip_unknown_ids(config):
    accounts = council_accounts(config)
    assert len(accounts) == len(config.accounts)
    first = config.accounts[0]
    assert accounts[(first.platform, first.external_id)] is first
    unknown = first.model_copy(update={"key": "no-id", "external_id": None})
    blank = first.model_copy(update={"key": "blank-id", "external_id": ""})
    assert council_accounts(_with(config, accounts=[unknown, blank])) == {}


@pytest.mark.parametrize(("kind", "replier", "closes"), [
    ("customer_service", "parking", True),          # the owning team answers
    ("customer_service", "web-team", False),        # the web team cannot close a complaint
    ("customer_service", "communications", False),
    ("escalate_comms", "parking", True),
    ("escalate_comms", "web-team", True),           # escalations: web team or comms may answer
    ("escalate_comms", "communications", True),
    ("escalate_comms", "housing", False),           # but not another service
    ("escalate_comms", "customer-services", False),
    ("foi", "web-team", False),
])
def test_whose_reply_closes_a_case(config, kind, replier, closes):
    account = config.accounts[0].model_copy(update={"team": replier})
    assert closes_case(config, kind, "parking", account) is closes

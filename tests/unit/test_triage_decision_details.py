"""The decision's details that no rule's outcome shows: flags, departments, the FoI link."""

from __future__ import annotations

import pytest

from council_social.triage.decision import Signals, Thresholds, decide

T = Thresholds(website="https://www.brent.gov.uk/", comms_department="communications",
               customer_services_department="customer-services",
               foi_invalid_reply="Please send your name and address, or use {link}")


def s(**kw) -> Signals:
    base = dict(intent="general_comment", criticality=0.1, critical=False, influence=10,
                importance=0.2, department="parks")
    return Signals(**{**base, **kw})


def test_abuse_as_the_intent_flags_abusive_without_the_abusive_signal():
    assert decide(s(intent="abuse", abusive=False), T).flags == ["abusive"]


@pytest.mark.parametrize("website, link", [
    ("https://www.brent.gov.uk/", "https://www.brent.gov.uk/foi"),
    ("https://www.brent.gov.uk", "https://www.brent.gov.uk/foi"),
    ("https://example.gov.uk/TAX/", "https://example.gov.uk/TAX/foi"),
])
def test_the_foi_link_has_one_slash_whatever_the_website_ends_with(website, link):
    t = Thresholds(website=website, foi_invalid_reply="use {link}")
    assert decide(s(intent="foi_request", foi_valid=False), t).draft_reply == f"use {link}"


@pytest.mark.parametrize("kw, rule", [
    ({"intent": "abuse"}, "abuse"),
    ({"intent": "question", "topic": "parks", "importance": 0.9}, "ongoing_service_conversation"),
    ({"intent": "praise"}, "praise"),
    ({}, "no_particular_consequence"),
])
def test_monitoring_and_conversations_stay_with_the_items_department(kw, rule):
    d = decide(s(**kw), T)
    assert (d.rule_path, d.department) == ([rule], "parks")

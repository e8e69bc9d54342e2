"""One test per rule of the triage tree (decision.decide is pure)."""

from __future__ import annotations

import pytest

from council_social.triage.decision import Signals, Thresholds, decide

T = Thresholds(escalate_influence=55, escalate_importance=0.8, conversation_importance=0.5,
               conversation_growth_per_hour=3, website="https://www.brent.gov.uk",
               emergency_department="emergency-planning", comms_department="communications",
               customer_services_department="customer-services",
               foi_invalid_reply="Please send your name and address, or use {link}")


def s(**kw) -> Signals:
    base = dict(intent="general_comment", criticality=0.1, critical=False, influence=10,
                importance=0.2)
    return Signals(**{**base, **kw})


def test_own_account_is_monitored_without_flags():
    d = decide(s(own_account=True, out_of_hours=True, critical=True, intent="complaint"), T)
    assert (d.outcome, d.flags, d.rule_path) == ("monitor", [], ["own_account"])


def test_emergency_escalates_to_emergency_planning_day_or_night():
    d = decide(s(intent="emergency", out_of_hours=True), T)
    assert d.outcome == "escalate_comms" and d.department == "emergency-planning"
    assert d.flags == ["emergency", "out_of_hours"] and d.rule_path == ["emergency"]


def test_impersonation_escalates():
    d = decide(s(impersonation=True), T)
    assert (d.outcome, d.flags, d.rule_path) == ("escalate_comms", ["impersonation"], ["impersonation"])


def test_threat_escalates():
    d = decide(s(intent="abuse", abusive=True, threat=True), T)
    assert d.outcome == "escalate_comms" and d.rule_path == ["threat"] and "abusive" in d.flags


def test_valid_foi_goes_to_customer_service_without_draft():
    d = decide(s(intent="foi_request", foi_valid=True, department="housing"), T)
    assert d.outcome == "customer_service" and d.flags == ["foi"]
    assert d.rule_path == ["foi_request", "foi_valid"] and d.draft_reply is None


def test_invalid_foi_carries_the_reply_asking_for_name_and_address():
    d = decide(s(intent="foi_request", foi_valid=False), T)
    assert d.rule_path == ["foi_request", "foi_invalid"]
    assert "name and address" in d.draft_reply and "https://www.brent.gov.uk/foi" in d.draft_reply


def test_influential_commentator_escalates_unless_praising():
    assert decide(s(intent="question", influence=60), T).rule_path == ["influential_commentator"]
    assert decide(s(intent="praise", influence=90), T).outcome == "monitor"


def test_controversial_critical_issue_escalates():
    d = decide(s(intent="complaint", critical=True, criticality=0.9, importance=0.9), T)
    assert d.outcome == "escalate_comms" and d.rule_path == ["controversial_issue"]
    # the same importance without criticism is not controversial
    assert decide(s(intent="question", importance=0.9, topic="planning"), T).outcome != "escalate_comms"


def test_abuse_is_monitored_and_flagged():
    d = decide(s(intent="abuse", abusive=True, critical=True), T)
    assert (d.outcome, d.flags, d.rule_path) == ("monitor", ["abusive"], ["abuse"])


def test_complaint_goes_to_the_owning_service_or_customer_services():
    d = decide(s(intent="complaint", critical=True, criticality=0.7, department="waste-recycling"), T)
    assert (d.outcome, d.department, d.rule_path) == (
        "customer_service", "waste-recycling", ["customer_service_needed"])
    assert decide(s(intent="complaint", critical=True), T).department == "customer-services"


def test_growing_or_important_thread_is_a_service_conversation():
    busy = decide(s(intent="question", topic="parking", growth_per_hour=5), T)
    important = decide(s(intent="general_comment", topic="planning", importance=0.6), T)
    assert busy.outcome == important.outcome == "service_conversation"
    assert busy.rule_path == ["ongoing_service_conversation"]


def test_simple_question_gets_a_signposting_draft_with_the_topic_link():
    d = decide(s(intent="question", topic="parking", topic_name="Parking",
                 topic_link="https://www.brent.gov.uk/parking", department="parking"), T)
    assert d.outcome == "webteam_respond" and d.rule_path == ["signpost"]
    assert "https://www.brent.gov.uk/parking" in d.draft_reply
    untopical = decide(s(intent="question"), T)
    assert "https://www.brent.gov.uk" in untopical.draft_reply


def test_praise_and_chatter_are_monitored():
    assert decide(s(intent="praise"), T).rule_path == ["praise"]
    d = decide(s(out_of_hours=True), T)
    assert (d.outcome, d.flags, d.rule_path) == ("monitor", ["out_of_hours"], ["no_particular_consequence"])
    assert "no particular consequence" in d.explanation


def test_flags_come_sorted_and_once_each():
    d = decide(s(intent="emergency", abusive=True, impersonation=True, out_of_hours=True), T)
    assert d.flags == ["abusive", "emergency", "impersonation", "out_of_hours"]
    d = decide(s(intent="foi_request", abusive=True, out_of_hours=True, foi_valid=True), T)
    assert d.flags == ["abusive", "foi", "out_of_hours"]


# Every rule's whole decision.
@pytest.mark.parametrize("kw,expected", [
    ({"own_account": True, "out_of_hours": True},
     ("monitor", [], None, ["own_account"], "monitor: the council's own post", None, [])),
    ({"intent": "emergency", "department": "highways"},
     ("escalate_comms", ["emergency"], "emergency-planning", ["emergency"],
      "escalate_comms: reports an emergency: acknowledge within the hour, day or night", None, [])),
    ({"impersonation": True, "abusive": True},
     ("escalate_comms", ["abusive", "impersonation"], "communications", ["impersonation"],
      "escalate_comms: the author looks like a council account but is not one", None, [])),
    ({"intent": "abuse", "abusive": True, "threat": True, "department": "parks"},
     ("escalate_comms", ["abusive"], "parks", ["threat"],
      "escalate_comms: threatens violence: communications officer and service lead, now",
      None, [])),
    ({"intent": "foi_request", "foi_valid": True},
     ("customer_service", ["foi"], "customer-services", ["foi_request", "foi_valid"],
      "customer_service: a Freedom of Information request with a real name or address"
      " (20 working days)", None, [])),
    ({"intent": "foi_request", "foi_valid": False, "out_of_hours": True},
     ("customer_service", ["foi", "out_of_hours"], "customer-services",
      ["foi_request", "foi_invalid"],
      "customer_service: an FoI request without a real name or address: ask for them",
      "Please send your name and address, or use https://www.brent.gov.uk/foi", [])),
    ({"intent": "question", "influence": 72},
     ("escalate_comms", [], "communications", ["influential_commentator"],
      "escalate_comms: influence 72 >= 55", None, [])),
    ({"intent": "complaint", "critical": True, "criticality": 0.87654, "importance": 0.90001},
     ("escalate_comms", [], "communications", ["controversial_issue"],
      "escalate_comms: critical (0.88) and importance 0.90 >= 0.8", None, [])),
    ({"intent": "abuse", "abusive": True},
     ("monitor", ["abusive"], None, ["abuse"],
      "monitor: abusive with nothing to answer: keep monitoring, do not engage", None, [])),
    ({"intent": "complaint", "criticality": 0.125, "department": "waste-recycling"},
     ("customer_service", [], "waste-recycling", ["customer_service_needed"],
      "customer_service: a complaint (criticality 0.12): substantive reply within 24 hours",
      None, [])),
    ({"intent": "general_comment", "topic": "parking", "growth_per_hour": 4.25,
      "importance": 0.315},
     ("service_conversation", [], None, ["ongoing_service_conversation"],
      "service_conversation: an ongoing conversation about parking"
      " (importance 0.32, 4.2 interactions/h)", None, [])),
    ({"intent": "question", "topic": "parking", "topic_name": "Parking",
      "topic_link": "https://www.brent.gov.uk/parking"},
     ("webteam_respond", [], "customer-services", ["signpost"],
      "webteam_respond: a simple question: signpost to https://www.brent.gov.uk/parking",
      "Hi, you'll find what you need about Parking here: https://www.brent.gov.uk/parking", [])),
    ({"intent": "question"},
     ("webteam_respond", [], "customer-services", ["signpost"],
      "webteam_respond: a simple question: signpost to https://www.brent.gov.uk",
      "Hi, you'll find what you need about this here: https://www.brent.gov.uk", [])),
    ({"intent": "praise"},
     ("monitor", [], None, ["praise"], "monitor: praise: nothing to do beyond monitoring",
      None, [])),
    ({}, ("monitor", [], None, ["no_particular_consequence"],
          "monitor: of no particular consequence: keep monitoring in case it escalates", None, [])),
])
def test_each_rule_gives_its_whole_decision(kw, expected):
    d = decide(s(**kw), T)
    assert (d.outcome, d.flags, d.department, d.rule_path, d.explanation, d.draft_reply,
            d.reasons) == expected

"""The strategy's "Webteam spots an issue" table as a decision tree.

A pure function from the signals and the thresholds to one outcome, the flags,
the rule path (names of the rules that fired, in order) and a sentence an
officer can read. Rules, in order:

1. own_account: the council's own post -> monitor.
2. emergency -> escalate_comms (acknowledged within the hour, day or night).
3. impersonation -> escalate_comms (a reputational risk to report).
3a. threat: a threat of violence -> escalate_comms.
4. foi_request -> customer_service; if invalid, a draft reply asks for a real
   name and an address for correspondence.
5. influential_commentator: influence >= escalate_influence and not praise
   -> escalate_comms ("someone with a high Klout score").
6. controversial_issue: critical and importance >= escalate_importance -> escalate_comms.
7. abuse: insults are the message -> monitor (no engagement), flag abusive.
8. customer_service_needed: a complaint or critical -> customer_service.
9. ongoing_service_conversation: a question or comment on a service's topic
   whose thread is growing or important -> service_conversation.
10. signpost: a question -> webteam_respond with a draft reply linking the topic's page.
11. praise / no_particular_consequence -> monitor.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache

OUTCOMES = ("monitor", "customer_service", "webteam_respond", "service_conversation",
            "escalate_comms")
FLAGS = ("abusive", "emergency", "foi", "impersonation", "out_of_hours")


@dataclass(frozen=True)
class Signals:
    intent: str
    criticality: float
    critical: bool
    influence: int
    importance: float
    growth_per_hour: float = 0.0
    topic: str | None = None
    topic_name: str | None = None
    topic_link: str | None = None
    department: str | None = None
    own_account: bool = False
    abusive: bool = False
    impersonation: bool = False
    threat: bool = False
    out_of_hours: bool = False
    foi_valid: bool | None = None


@dataclass(frozen=True)
class Thresholds:
    escalate_influence: int = 55
    escalate_importance: float = 0.8
    conversation_importance: float = 0.5
    conversation_growth_per_hour: float = 3.0
    website: str = "https://www.example.gov.uk"
    signpost_reply: str = "Hi, you'll find what you need about {topic} here: {link}"
    foi_invalid_reply: str = "Please send your real name and an address for correspondence."
    emergency_department: str | None = None
    comms_department: str | None = None
    customer_services_department: str | None = None


@dataclass(slots=True)
class Decision:
    outcome: str
    flags: list[str]
    department: str | None
    rule_path: list[str]
    explanation: str
    draft_reply: str | None = None
    reasons: list[str] = field(default_factory=list)


@lru_cache(maxsize=1024)
def _signpost(template: str, topic: str, link: str) -> str:
    # Few topics and links, asked for by every question: each reply formatted once.
    return template.format(topic=topic, link=link)


def decide(s: Signals, t: Thresholds) -> Decision:
    """The outcome, flags and rule path; each explanation is "<outcome>: <why>"."""
    if s.own_account:
        return Decision("monitor", [], None, ["own_account"], "monitor: the council's own post")
    flags = []  # appended in alphabetical order
    if s.abusive or s.intent == "abuse":
        flags.append("abusive")
    if s.intent == "emergency":
        flags.append("emergency")
    if s.intent == "foi_request":
        flags.append("foi")
    if s.impersonation:
        flags.append("impersonation")
    if s.out_of_hours:
        flags.append("out_of_hours")

    if s.intent == "emergency":
        return Decision("escalate_comms", flags, t.emergency_department or s.department,
                        ["emergency"],
                        "escalate_comms: reports an emergency:"
                        " acknowledge within the hour, day or night")
    if s.impersonation:
        return Decision("escalate_comms", flags, t.comms_department, ["impersonation"],
                        "escalate_comms: the author looks like a council account but is not one")
    if s.threat:
        return Decision("escalate_comms", flags, s.department or t.comms_department, ["threat"],
                        "escalate_comms: threatens violence:"
                        " communications officer and service lead, now")
    if s.intent == "foi_request":
        dept = s.department or t.customer_services_department
        if s.foi_valid:
            return Decision("customer_service", flags, dept, ["foi_request", "foi_valid"],
                            "customer_service: a Freedom of Information request with a real name"
                            " or address (20 working days)")
        return Decision("customer_service", flags, dept, ["foi_request", "foi_invalid"],
                        "customer_service: an FoI request without a real name or address:"
                        " ask for them",
                        t.foi_invalid_reply.format(link=t.website.rstrip("/") + "/foi"))
    if s.influence >= t.escalate_influence and s.intent != "praise":
        return Decision("escalate_comms", flags, s.department or t.comms_department,
                        ["influential_commentator"],
                        f"escalate_comms: influence {s.influence} >= {t.escalate_influence}")
    if s.critical and s.importance >= t.escalate_importance:
        return Decision("escalate_comms", flags, s.department or t.comms_department,
                        ["controversial_issue"],
                        f"escalate_comms: critical ({s.criticality:.2f}) and importance"
                        f" {s.importance:.2f} >= {t.escalate_importance}")
    if s.intent == "abuse":
        return Decision("monitor", flags, s.department, ["abuse"],
                        "monitor: abusive with nothing to answer: keep monitoring, do not engage")
    if s.intent == "complaint" or s.critical:
        return Decision("customer_service", flags, s.department or t.customer_services_department,
                        ["customer_service_needed"],
                        f"customer_service: a complaint (criticality {s.criticality:.2f}):"
                        " substantive reply within 24 hours")
    growing = s.growth_per_hour >= t.conversation_growth_per_hour
    if (s.topic and s.intent in ("question", "general_comment")
            and (growing or s.importance >= t.conversation_importance)):
        return Decision("service_conversation", flags, s.department,
                        ["ongoing_service_conversation"],
                        f"service_conversation: an ongoing conversation about {s.topic_name or s.topic}"
                        f" (importance {s.importance:.2f}, {s.growth_per_hour:.1f} interactions/h)")
    if s.intent == "question":
        link = s.topic_link or t.website
        return Decision("webteam_respond", flags, s.department or t.customer_services_department,
                        ["signpost"], f"webteam_respond: a simple question: signpost to {link}",
                        _signpost(t.signpost_reply, s.topic_name or "this", link))
    if s.intent == "praise":
        return Decision("monitor", flags, s.department, ["praise"],
                        "monitor: praise: nothing to do beyond monitoring")
    return Decision("monitor", flags, s.department, ["no_particular_consequence"],
                    "monitor: of no particular consequence: keep monitoring in case it escalates")

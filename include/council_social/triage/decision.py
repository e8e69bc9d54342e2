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

from dataclasses import dataclass, field, fields

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


_SIGNAL_FIELDS = frozenset(f.name for f in fields(Signals))


def signals(**values) -> Signals:
    """`Signals(**values)`; when every field is given (a batch item), built without the
    frozen __init__, which sets each of 16 fields through object.__setattr__ (~1 µs)."""
    if values.keys() != _SIGNAL_FIELDS:
        return Signals(**values)
    s = object.__new__(Signals)
    s.__dict__.update(values)
    return s


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


def _done(flags: list[str], path: list[str], why: list[str], outcome: str,
          department: str | None = None, draft: str | None = None) -> Decision:
    # A module function, not a closure made on every call.
    return Decision(outcome, flags, department, path, f"{outcome}: " + "; ".join(why), draft)


def decide(s: Signals, t: Thresholds) -> Decision:
    path: list[str] = []
    why: list[str] = []
    flags = []  # appended in alphabetical order: the sorted list without sorting
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

    if s.own_account:
        path.append("own_account")
        why.append("the council's own post")
        flags.clear()
        return _done(flags, path, why, "monitor")
    if s.intent == "emergency":
        path.append("emergency")
        why.append("reports an emergency: acknowledge within the hour, day or night")
        return _done(flags, path, why, "escalate_comms", t.emergency_department or s.department)
    if s.impersonation:
        path.append("impersonation")
        why.append("the author looks like a council account but is not one")
        return _done(flags, path, why, "escalate_comms", t.comms_department)
    if s.threat:
        path.append("threat")
        why.append("threatens violence: communications officer and service lead, now")
        return _done(flags, path, why, "escalate_comms", s.department or t.comms_department)
    if s.intent == "foi_request":
        path.append("foi_request")
        dept = s.department or t.customer_services_department
        if s.foi_valid:
            path.append("foi_valid")
            why.append("a Freedom of Information request with a real name or address (20 working days)")
            return _done(flags, path, why, "customer_service", dept)
        path.append("foi_invalid")
        why.append("an FoI request without a real name or address: ask for them")
        return _done(flags, path, why, "customer_service", dept,
                    t.foi_invalid_reply.format(link=t.website.rstrip("/") + "/foi"))
    if s.influence >= t.escalate_influence and s.intent != "praise":
        path.append("influential_commentator")
        why.append(f"influence {s.influence} >= {t.escalate_influence}")
        return _done(flags, path, why, "escalate_comms", s.department or t.comms_department)
    if s.critical and s.importance >= t.escalate_importance:
        path.append("controversial_issue")
        why.append(f"critical ({s.criticality:.2f}) and importance {s.importance:.2f} "
                   f">= {t.escalate_importance}")
        return _done(flags, path, why, "escalate_comms", s.department or t.comms_department)
    if s.intent == "abuse":
        path.append("abuse")
        why.append("abusive with nothing to answer: keep monitoring, do not engage")
        return _done(flags, path, why, "monitor", s.department)
    if s.intent == "complaint" or s.critical:
        path.append("customer_service_needed")
        why.append(f"a complaint (criticality {s.criticality:.2f}): substantive reply within 24 hours")
        return _done(flags, path, why, "customer_service", s.department or t.customer_services_department)
    growing = s.growth_per_hour >= t.conversation_growth_per_hour
    if (s.topic and s.intent in ("question", "general_comment")
            and (growing or s.importance >= t.conversation_importance)):
        path.append("ongoing_service_conversation")
        why.append(f"an ongoing conversation about {s.topic_name or s.topic} "
                   f"(importance {s.importance:.2f}, {s.growth_per_hour:.1f} interactions/h)")
        return _done(flags, path, why, "service_conversation", s.department)
    if s.intent == "question":
        path.append("signpost")
        link = s.topic_link or t.website
        why.append(f"a simple question: signpost to {link}")
        draft = t.signpost_reply.format(topic=s.topic_name or "this", link=link)
        return _done(flags, path, why, "webteam_respond", s.department or t.customer_services_department, draft)
    if s.intent == "praise":
        path.append("praise")
        why.append("praise: nothing to do beyond monitoring")
        return _done(flags, path, why, "monitor", s.department)
    path.append("no_particular_consequence")
    why.append("of no particular consequence: keep monitoring in case it escalates")
    return _done(flags, path, why, "monitor", s.department)

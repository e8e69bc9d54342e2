"""Triage a batch: every signal, then the decision tree.

`TriageRules.from_config` compiles what council.yaml says once; `triage_batch`
is pure given the rules and the model (no clock, no I/O), so a rerun of the
same items gives the same decisions.
"""

from __future__ import annotations

import gc
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from council_social.triage import criticality as crit
from council_social.triage.cues import COMPLAINT, PRAISE
from council_social.triage.decision import Decision, Thresholds, decide_fields
from council_social.triage.foi import foi_valid
from council_social.triage.gate import GateIndex
from council_social.triage.hours import OutOfHours
from council_social.triage.impersonation import ImpersonationCheck
from council_social.triage.importance import importance, reputational_pattern, thread_growth
from council_social.triage.influence import AuthorActivity, InfluenceScorer
from council_social.triage.intent import (
    ABUSE,
    EMERGENCY,
    abuse_score,
    classify_intent,
    emergency_score,
)
from council_social.triage.topics import TopicMatch, TopicMatcher


@dataclass
class TriageInput:
    text: str
    platform: str = "twitter"
    external_id: str | None = None
    created_at: datetime | None = None
    observed_at: datetime | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    author_id: str | None = None
    author_username: str | None = None
    author_name: str | None = None
    author_description: str | None = None
    author: AuthorActivity = field(default_factory=AuthorActivity)
    # (score, points) from social.author_influence (the daily recompute) when stored;
    # None: influence is computed from `author` as the item is triaged.
    stored_influence: tuple[int, dict[str, float]] | None = None


@dataclass(slots=True)
class TriageResult:
    criticality: float
    critical: bool
    intent: str
    topic: str | None
    department: str | None
    influence: int
    importance: float
    foi_valid: bool | None
    decision: Decision
    inputs: dict[str, Any]

    @property
    def outcome(self) -> str:
        return self.decision.outcome

    @property
    def flags(self) -> list[str]:
        return self.decision.flags


# TriageResult.inputs' keys, in order ("influence_source" is added after them when stored).
INPUT_KEYS = (
    "criticality", "p_text", "cue_score", "praise_score", "cues", "vader_compound",
    "critical_threshold", "intent", "topic_terms", "places", "influence", "influence_points",
    "importance", "reputational_hits", "growth_per_hour", "abuse_cues", "emergency_cues",
    "out_of_hours", "out_of_hours_reason", "foi_valid", "foi_reason", "impersonation",
    "resembles", "own_account", "model",
)


class TriageRules:
    def __init__(self, config):
        s = config.triage
        self.config = config
        self.rules_version = s.rules_version
        self.threshold = s.critical_threshold
        self.use_model = s.use_model
        self.settings = s
        self.weights = s.influence_weights.model_dump()
        self.topics = TopicMatcher(config.topics, config.places)
        self.topic_by_key = {t.key: t for t in config.topics}
        self.reputational = reputational_pattern(s.reputational_keywords)
        self.growth_threshold = s.conversation_growth_per_hour
        # A topic's importance when nothing grows and no reputational word is found (most
        # items): importance() of those inputs, once per topic (None: no topic).
        self.resting_importance = {key: importance(t.weight, bool(t.reputational), 0, 0.0,
                                                   self.growth_threshold)
                                   for key, t in self.topic_by_key.items()}
        self.resting_importance[None] = importance(0.0, False, 0, 0.0, self.growth_threshold)
        self.impersonation = ImpersonationCheck(config.accounts, s.impersonation_similarity)
        # Per-batch work done once: every gated regex answers from one window index,
        # an author's influence and impersonation once per author, office hours per minute.
        self.gates = GateIndex([COMPLAINT.gate, PRAISE.gate, EMERGENCY.gate, ABUSE.gate,
                                *self.topics.gates,
                                self.reputational.gate if self.reputational else None])
        # Slots of the gates checked per item: a text whose keys hold none of a gate's
        # candidates cannot match it, so the call is skipped (same empty answer).
        slot_of = self.gates.slot_of
        self.abuse_slot = slot_of.get(ABUSE.gate)
        self.emergency_slot = slot_of.get(EMERGENCY.gate)
        self.reputational_slot = slot_of.get(self.reputational.gate) if self.reputational else None
        self.terms_slot, self.places_slot = (*(slot_of.get(g) for g in self.topics.gates), None, None)[:2]
        self.influence = InfluenceScorer(self.weights)
        self.site_audience = s.site_audience
        self.out_of_hours = OutOfHours(config.office_hours, config.council.timezone)
        self._authors: dict[tuple, tuple[bool, bool, str | None]] = {}
        self.model_name = "text+cues" if self.use_model else "vader+cues"
        # Each item's inputs start as a copy of this (every key in its order, the rules' own
        # values set): a copy and stores cost less than a 25-key dict display, which CPython
        # builds one insertion (and resize) at a time.
        self.inputs_template = dict.fromkeys(INPUT_KEYS)
        self.inputs_template.update(critical_threshold=self.threshold, model=self.model_name)
        kinds = {t.kind: t.key for t in reversed(config.teams)}
        emergency = next((t.service for t in config.topics if t.key == "emergencies"), None)
        self.thresholds = Thresholds(
            escalate_influence=s.escalate_influence,
            escalate_importance=s.escalate_importance,
            conversation_importance=s.conversation_importance,
            conversation_growth_per_hour=s.conversation_growth_per_hour,
            website=config.council.website,
            signpost_reply=s.signpost_reply,
            foi_invalid_reply=s.foi_invalid_reply,
            emergency_department=emergency,
            comms_department=kinds.get("communications"),
            customer_services_department=kinds.get("customer_services"),
        )

    @classmethod
    def from_config(cls, config) -> TriageRules:
        return cls(config)

    def author_checks(self, r: TriageInput) -> tuple[bool, bool, str | None]:
        """(own account?, impersonation?, the council name it resembles), once per author."""
        key = (r.platform, r.author_id, r.author_username, r.author_name, r.author_description)
        found = self._authors.get(key)
        if found is None:
            if len(self._authors) >= 200_000:
                self._authors.clear()
            own = self.impersonation.is_own(r.platform, r.author_id, r.author_username)
            impersonating, resembles = self.impersonation.check(
                r.platform, r.author_id, r.author_username, r.author_name, r.author_description)
            found = self._authors[key] = (own, impersonating, resembles)
        return found

    def author_influence(self, r: TriageInput) -> tuple[int, dict[str, float]]:
        """The stored daily influence when there is one, else worked out from the activity."""
        if r.stored_influence is not None:
            score, points = r.stored_influence
            return score, dict(points)
        site = self.site_audience.get(r.platform, 0)
        return self.influence.score(r.author, r.created_at, site or None)


@contextmanager
def _collector_paused():
    """A batch allocates a few dicts and sets per item and keeps them all (the results);
    each allocation burst makes the cyclic collector re-walk everything alive, which
    cost more than triage itself (~50 µs an item in a 20,000-item batch). Nothing here
    makes reference cycles, so the collector waits until the batch is done."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def triage_batch(records: list[TriageInput], rules: TriageRules,
                 model: crit.CriticalityModel) -> list[TriageResult]:
    with _collector_paused():
        # In a function of its own so its working data (scores, text keys) is freed
        # before the collector resumes and would have to walk it.
        results = _triage_all(records, rules, model)
    return results


def _triage_all(records: list[TriageInput], rules: TriageRules,
                model: crit.CriticalityModel) -> list[TriageResult]:
    texts = [r.text for r in records]
    keys = [rules.gates.keys(t) for t in texts]  # one window scan per text, for every gate
    scores = crit.score_batch(texts, model, rules.use_model, keys)
    del keys
    return [_triage_one(r, c, rules) for r, c in zip(records, scores, strict=True)]


def _round(x: float, ndigits: int) -> float:
    """round(x, ndigits) without its decimal-string round trip (most of its cost).

    y = x * 10**ndigits is within 6e-8 of the exact product (y < 1e9), so when y is within
    0.499999 of an integer n, n is the exact product's nearest integer too: the decimal that
    round() keeps. n / 10**ndigits is the double nearest that decimal, which round() returns.
    Near a tie, at zero or below (-0.0), huge or nan: round() itself. (`// 1.0` is an exact
    floor, and y - n is exact as they are close.)"""
    scale = _SCALE[ndigits]
    y = x * scale
    if 0.0 < y < 1e9:
        n = (y + 0.5) // 1.0
        if -0.499999 < y - n < 0.499999:
            return n / scale
    return round(x, ndigits)


_SCALE = (1.0, 1e1, 1e2, 1e3, 1e4)  # 10.0 ** ndigits, written out exactly

# What TopicMatcher.match gives a text in which no term or place could start.
_NO_TOPIC = TopicMatch(None, None, (), ())


def _triage_one(r: TriageInput, c: crit.Criticality, rules: TriageRules) -> TriageResult:
    text = r.text
    keys = c.keys  # the text's word-start windows, shared by every gated regex below
    critical = c.score >= rules.threshold
    at = keys.at  # None: offsets unknown, ask every gate
    if at is not None and rules.terms_slot not in at and rules.places_slot not in at:
        match = _NO_TOPIC
    else:
        match = rules.topics.match(text, keys)
    topic = rules.topic_by_key.get(match.topic) if match.topic else None
    if at is not None and rules.abuse_slot not in at:
        abusive, abuse_cues = 0.0, []
    else:
        abusive, abuse_cues = abuse_score(text, keys)
    if at is not None and rules.emergency_slot not in at:
        emergency, emergency_cues = 0.0, []
    else:
        emergency, emergency_cues = emergency_score(text, keys)
    intent = classify_intent(
        text, critical=critical, complaint_cues=c.cues, praise=c.praise, abusive=abusive,
        emergency=emergency, has_topic=topic is not None,
    )
    score, points = rules.author_influence(r)
    rep_hits = 0
    if rules.reputational and (at is None or rules.reputational_slot in at):
        rep_hits = len({m.group(0).casefold() for m in rules.reputational.finditer(text, keys)})
    growth = thread_growth(r.metrics, r.created_at, r.observed_at)
    if rep_hits or growth:
        imp = importance(topic.weight if topic else 0.0, bool(topic and topic.reputational),
                         rep_hits, growth, rules.growth_threshold)
    else:
        imp = rules.resting_importance[match.topic if topic else None]
    valid, foi_reason = (None, None)
    if intent == "foi_request":
        valid, foi_reason = foi_valid(r.author_name, text)
    ooh, ooh_reason = (False, "no timestamp")
    if r.created_at is not None:
        ooh, ooh_reason = rules.out_of_hours.answer(r.created_at)
    own, impersonating, resembles = rules.author_checks(r)
    # decide(signals(...)): the Signals fields in their order.
    decision = decide_fields(
        rules.thresholds, intent, c.score, critical, score, imp, growth, match.topic,
        topic.name if topic else None, topic.link if topic else None, match.department,
        own, abusive >= 0.6, impersonating, "threat" in abuse_cues, ooh, valid)
    # Criticality.inputs() and the signals, stored into a copy of the rules' template (its
    # key order). `x and _round(x)`: a zero (often: no praise, no growth) is its own rounding.
    inputs = rules.inputs_template.copy()
    inputs["criticality"] = _round(c.score, 4)
    inputs["p_text"] = _round(c.p_text, 4)
    inputs["cue_score"] = c.cues and _round(c.cues, 4)
    inputs["praise_score"] = c.praise and _round(c.praise, 4)
    inputs["cues"] = list(c.cue_names)
    inputs["vader_compound"] = c.vader["compound"]
    inputs["intent"] = intent
    inputs["topic_terms"] = list(match.terms)
    inputs["places"] = list(match.places)
    inputs["influence"] = score
    inputs["influence_points"] = points
    inputs["importance"] = imp
    inputs["reputational_hits"] = rep_hits
    inputs["growth_per_hour"] = growth and _round(growth, 3)
    inputs["abuse_cues"] = abuse_cues
    inputs["emergency_cues"] = emergency_cues
    inputs["out_of_hours"] = ooh
    inputs["out_of_hours_reason"] = ooh_reason
    inputs["foi_valid"] = valid
    inputs["foi_reason"] = foi_reason
    inputs["impersonation"] = impersonating
    inputs["resembles"] = resembles
    inputs["own_account"] = own
    if r.stored_influence is not None:
        inputs["influence_source"] = "author_influence"
    return TriageResult(c.score, critical, intent, match.topic, decision.department, score, imp,
                        valid, decision, inputs)

"""Triage a batch: every signal, then the decision tree.

`TriageRules.from_config` compiles what council.yaml says once; `triage_batch`
is pure given the rules and the model (no clock, no I/O), so a rerun of the
same items gives the same decisions.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from council_social.triage import criticality as crit
from council_social.triage.decision import Decision, Signals, Thresholds, decide
from council_social.triage.foi import foi_valid
from council_social.triage.hours import OutOfHours
from council_social.triage.impersonation import ImpersonationCheck
from council_social.triage.importance import (
    importance,
    reputational_hits,
    reputational_pattern,
    thread_growth,
)
from council_social.triage.influence import AuthorActivity, InfluenceScorer
from council_social.triage.intent import abuse_score, classify_intent, emergency_score
from council_social.triage.topics import TopicMatcher


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


@dataclass
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
        self.impersonation = ImpersonationCheck(config.accounts, s.impersonation_similarity)
        self.influence = InfluenceScorer(self.weights)
        self.site_audience = s.site_audience
        self.out_of_hours = OutOfHours(config.office_hours, config.council.timezone)
        # An author's checks once per author (a batch often holds several of their posts).
        self._authors: dict[tuple, tuple[bool, bool, str | None]] = {}
        self.model_name = "text+cues" if self.use_model else "cues"
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


# Triage reads at most this much of a text: more than any platform allows in a post
# (Facebook's 63,206 is the most), so only a hostile input is cut, and the time an item
# takes stays bounded (it is linear in the length read).
MAX_TEXT_CHARS = 65_536


# An emergency report or an FoI request criticises no one unless it complains as well
# ("reported the gas smell twice and nobody has come"); insults are criticism whatever
# the text model says. The labelled council posts are marked so (council_train.jsonl).
REQUEST_COMPLAINT_CUES = 0.5


def critical_for_intent(intent: str, critical: bool, complaint_cues: float) -> bool:
    """`critical` as the intent qualifies it (praise, see classify_intent, is not criticism)."""
    if intent == "praise":
        return False
    if intent in ("emergency", "foi_request"):
        return critical and complaint_cues >= REQUEST_COMPLAINT_CUES
    if intent == "abuse":
        return True
    return critical


def triage_batch(records: list[TriageInput], rules: TriageRules,
                 model: crit.CriticalityModel) -> list[TriageResult]:
    """Criticality of the whole batch at once (one sparse matrix product), then each item."""
    texts = [r.text[:MAX_TEXT_CHARS] for r in records]
    scores = crit.score_batch(texts, model, rules.use_model, explain_from=rules.threshold)
    return [_triage_one(r, text, c, rules)
            for r, text, c in zip(records, texts, scores, strict=True)]


def _triage_one(r: TriageInput, text: str, c: crit.Criticality,
                rules: TriageRules) -> TriageResult:
    critical = c.score >= rules.threshold
    match = rules.topics.match(text)
    topic = rules.topic_by_key.get(match.topic) if match.topic else None
    abusive, abuse_cues = abuse_score(text)
    emergency, emergency_cues = emergency_score(text)
    intent = classify_intent(
        text, critical=critical, complaint_cues=c.cues, praise=c.praise_signal, abusive=abusive,
        emergency=emergency, has_topic=topic is not None,
    )
    critical = critical_for_intent(intent, critical, c.cues)
    score, points = rules.author_influence(r)
    rep_hits = reputational_hits(rules.reputational, text)
    growth = thread_growth(r.metrics, r.created_at, r.observed_at)
    imp = importance(topic.weight if topic else 0.0, bool(topic and topic.reputational),
                     rep_hits, growth, rules.growth_threshold)
    valid, foi_reason = (None, None)
    if intent == "foi_request":
        valid, foi_reason = foi_valid(r.author_name, text)
    ooh, ooh_reason = (False, "no timestamp")
    if r.created_at is not None:
        ooh, ooh_reason = rules.out_of_hours.answer(r.created_at)
    own, impersonating, resembles = rules.author_checks(r)
    decision = decide(Signals(
        intent=intent, criticality=c.score, critical=critical, influence=score, importance=imp,
        growth_per_hour=growth, topic=match.topic, topic_name=topic.name if topic else None,
        topic_link=topic.link if topic else None, department=match.department,
        own_account=own, abusive=abusive >= 0.6, impersonation=impersonating,
        threat="threat" in abuse_cues, out_of_hours=ooh, foi_valid=valid,
    ), rules.thresholds)
    if critical and c.pushed_by:
        decision.explanation += "; pushed by " + ", ".join(f'"{w}"' for w, _ in c.pushed_by)
    inputs = {
        **c.inputs(),
        "critical_threshold": rules.threshold,
        "critical": critical,
        "intent": intent,
        "topic_terms": list(match.terms),
        "places": list(match.places),
        "influence": score,
        "influence_points": points,
        "importance": imp,
        "reputational_hits": rep_hits,
        "growth_per_hour": round(growth, 3),
        "abuse_cues": abuse_cues,
        "emergency_cues": emergency_cues,
        "out_of_hours": ooh,
        "out_of_hours_reason": ooh_reason,
        "foi_valid": valid,
        "foi_reason": foi_reason,
        "impersonation": impersonating,
        "resembles": resembles,
        "own_account": own,
        "model": rules.model_name,
        "text_truncated": len(r.text) > MAX_TEXT_CHARS,
    }
    if r.stored_influence is not None:
        inputs["influence_source"] = "author_influence"
    return TriageResult(c.score, critical, intent, match.topic, decision.department, score, imp,
                        valid, decision, inputs)

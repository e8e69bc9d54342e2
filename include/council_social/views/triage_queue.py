"""The triage queue: decisions under the current rules, newest first, and officers' corrections."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator
from sqlalchemy import text

from council_social.triage.tables import triage_corrections

OUTCOMES = ("monitor", "customer_service", "webteam_respond", "service_conversation", "escalate_comms")
FLAGS = ("foi", "emergency", "out_of_hours", "abusive", "impersonation")


class TriageFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str | None = None
    flag: str | None = None
    team: str | None = None
    platform: str | None = None
    account: str | None = None
    critical: bool | None = None
    # Needs an answer and has none: not `monitor`, no case, no reply from a council account.
    unanswered: bool = False
    date_from: date | None = None
    date_to: date | None = None
    limit: int = Field(default=100, ge=1, le=1000)
    page: int = Field(default=1, ge=1, le=100_000)

    @field_validator("outcome", "flag", "team", "platform", "account", mode="before")
    @classmethod
    def _blank_is_none(cls, v):
        return None if v in ("", None) else v


class Correction(BaseModel):
    model_config = ConfigDict(extra="forbid")

    outcome: str | None = None
    critical: bool | None = None
    note: str | None = Field(default=None, max_length=2000)

    @field_validator("outcome")
    @classmethod
    def _known_outcome(cls, v):
        if v is not None and v not in OUTCOMES:
            raise ValueError(f"unknown outcome {v!r}; outcomes are: {', '.join(OUTCOMES)}")
        return v

    @model_validator(mode="after")
    def _says_something(self):
        if self.outcome is None and self.critical is None:
            raise ValueError("a correction needs an outcome or a criticality")
        return self


UNANSWERED = """d.outcome <> 'monitor'
    AND NOT EXISTS (SELECT 1 FROM social.cases c
                    WHERE c.platform = d.platform AND c.external_id = d.external_id)
    AND NOT EXISTS (SELECT 1 FROM social.items r
                    WHERE r.platform = d.platform AND r.in_reply_to_external_id = d.external_id
                      AND r.author_external_id = ANY(:own))"""


def _where(config, f: TriageFilter) -> tuple[list[str], dict]:
    where = ["d.rules_version = :rules"]
    params: dict = {"rules": config.triage.rules_version}
    if f.outcome:
        where.append("d.outcome = :outcome")
        params["outcome"] = f.outcome
    if f.flag:
        where.append(":flag = ANY(d.flags)")
        params["flag"] = f.flag
    if f.team:
        where.append("d.department = :team")
        params["team"] = f.team
    if f.platform:
        where.append("d.platform = :platform")
        params["platform"] = f.platform
    if f.date_from:
        where.append("d.item_created_at >= :start")
        params["start"] = datetime.combine(f.date_from, time(0), config.tz)
    if f.date_to:
        where.append("d.item_created_at < :end")
        params["end"] = datetime.combine(f.date_to + timedelta(days=1), time(0), config.tz)
    if f.account:
        where.append("EXISTS (SELECT 1 FROM social.items a_i WHERE a_i.platform = d.platform"
                     " AND a_i.external_id = d.external_id AND a_i.account_key = :account)")
        params["account"] = f.account
    if f.critical is not None:
        where.append("d.critical = :critical")
        params["critical"] = f.critical
    if f.unanswered:
        where.append(UNANSWERED)
        params["own"] = [str(a.external_id) for a in config.accounts if a.external_id]
    return where, params


def count_decisions(conn, config, f: TriageFilter) -> int:
    where, params = _where(config, f)
    return conn.execute(text(
        f"SELECT count(*) FROM social.triage_decisions d WHERE {' AND '.join(where)}"), params).scalar()


def list_decisions(conn, config, f: TriageFilter) -> list[dict]:
    where, params = _where(config, f)
    params |= {"limit": f.limit, "offset": (f.page - 1) * f.limit}
    rows = conn.execute(text(f"""
        SELECT d.platform, d.external_id, d.rules_version, d.outcome, d.flags, d.intent, d.topic,
               d.department, d.criticality, d.critical, d.influence, d.importance, d.rule_path,
               d.item_created_at, d.draft_reply, d.inputs->'critical_words' AS critical_words,
               i.text, i.url, i.account_key, a.username AS author_username,
               a.display_name AS author_name, a.followers_count AS author_followers,
               c.outcome AS corrected_outcome, c.critical AS corrected_critical,
               c.officer AS corrected_by, c.corrected_at, c.note AS correction_note
        FROM social.triage_decisions d
        LEFT JOIN social.items i ON i.platform = d.platform AND i.external_id = d.external_id
        LEFT JOIN social.authors a ON a.platform = i.platform AND a.external_id = i.author_external_id
        LEFT JOIN LATERAL (
            SELECT * FROM social.triage_corrections tc
            WHERE tc.platform = d.platform AND tc.external_id = d.external_id
              AND (tc.rules_version = d.rules_version OR tc.rules_version IS NULL)
            ORDER BY tc.corrected_at DESC, tc.id DESC LIMIT 1) c ON true
        WHERE {" AND ".join(where)}
        ORDER BY d.item_created_at DESC, d.platform, d.external_id
        LIMIT :limit OFFSET :offset
    """), params).mappings()
    return [dict(r) for r in rows]


def record_correction(conn, config, platform: str, external_id: str, correction: Correction,
                      officer: str, at: datetime) -> dict | None:
    """Store an officer's correction as feedback; None when there is no such decision."""
    exists = conn.execute(text(
        "SELECT 1 FROM social.triage_decisions WHERE platform = :p AND external_id = :e AND rules_version = :r"
    ), {"p": platform, "e": external_id, "r": config.triage.rules_version}).first()
    if exists is None:
        return None
    row = {"platform": platform, "external_id": external_id, "rules_version": config.triage.rules_version,
           "outcome": correction.outcome, "critical": correction.critical, "officer": officer,
           "note": correction.note, "corrected_at": at}
    new_id = conn.execute(triage_corrections.insert().values(row).returning(triage_corrections.c.id)).scalar()
    return {"id": new_id, **row}

"""The SQL the operator views run themselves: reads shaped for one page.

A capability's own reads and writes are in `<capability>/repo.py` (and the
capability's modules) and the panels call them; what is here serves only a page:
the home page's figures, the quarantine list, the triage queue's filters, "help
the model", the grid page's fortnights and the cases page's backlog counts. No
other module under `views/` builds SQL (README, "Where SQL goes").
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import text


def table_exists(conn, table: str) -> bool:
    return conn.execute(text("SELECT to_regclass(:name)"), {"name": f"social.{table}"}).scalar() is not None


# --- home ------------------------------------------------------------------------------------

def cases_due_by_team(conn, now: datetime, day_end: datetime) -> list[dict]:
    """Per team: unanswered live cases overdue at `now` and due before `day_end` (teams with some)."""
    return [dict(r) for r in conn.execute(text("""
        SELECT team,
               count(*) FILTER (WHERE due_at < :now) AS overdue,
               count(*) FILTER (WHERE due_at >= :now AND due_at < :day_end) AS due_today
        FROM social.cases
        WHERE responded_at IS NULL AND status IN ('open', 'overdue', 'escalated')
        GROUP BY team HAVING count(*) FILTER (WHERE due_at < :day_end) > 0 ORDER BY team
    """), {"now": now, "day_end": day_end}).mappings()]


def alerts_since(conn, since: datetime) -> list[dict]:
    return [dict(r) for r in conn.execute(text("""
        SELECT kind, subject, message, window_start, team FROM social.alerts
        WHERE window_start >= :since ORDER BY window_start DESC, kind, subject
    """), {"since": since}).mappings()]


def foi_due_before(conn, end: datetime) -> list[dict]:
    """Unanswered FoI requests due before `end`, soonest first."""
    return [dict(r) for r in conn.execute(text("""
        SELECT id, team, due_at, status FROM social.cases
        WHERE kind = 'foi' AND responded_at IS NULL AND status <> 'closed' AND due_at < :end
        ORDER BY due_at
    """), {"end": end}).mappings()]


def last_complete_fetches(conn) -> dict[tuple[str, str], datetime]:
    """(platform, account key) -> the end of its newest complete fetch."""
    rows = conn.execute(text("""
        SELECT platform, account_key, max(interval_end) AS last_ok
        FROM social.ingest_fetches WHERE complete GROUP BY platform, account_key
    """)).mappings()
    return {(r["platform"], r["account_key"]): r["last_ok"] for r in rows}


def quarantine_reasons_since(conn, since: datetime) -> list[dict]:
    """(reason code, records with it) for records quarantined since `since`, commonest first."""
    return [dict(r) for r in conn.execute(text("""
        SELECT r->>'code' AS reason, count(*) AS n
        FROM social.quarantine q, jsonb_array_elements(q.reasons) r
        WHERE q.quarantined_at >= :since GROUP BY 1 ORDER BY n DESC, 1
    """), {"since": since}).mappings()]


def quarantined_since(conn, since: datetime) -> int:
    return conn.execute(text("SELECT count(*) FROM social.quarantine WHERE quarantined_at >= :since"),
                        {"since": since}).scalar()


def quarantine_rows(conn, since: datetime, reason: str | None, limit: int) -> list[dict]:
    return [dict(r) for r in conn.execute(text("""
        SELECT q.platform, q.account_key, q.external_id, q.reasons, q.quarantined_at, q.raw_page_id,
               q.record_index
        FROM social.quarantine q
        WHERE q.quarantined_at >= :since
          AND (CAST(:reason AS text) IS NULL OR q.reasons @> jsonb_build_array(
               jsonb_build_object('code', CAST(:reason AS text))))
        ORDER BY q.quarantined_at DESC, q.raw_page_id, q.record_index LIMIT :limit
    """), {"since": since, "reason": reason, "limit": limit}).mappings()]


# --- the triage queue --------------------------------------------------------------------------

# Needs an answer and has none: not `monitor`, no case, no reply from a council account.
UNANSWERED = """d.outcome <> 'monitor'
    AND NOT EXISTS (SELECT 1 FROM social.cases c
                    WHERE c.platform = d.platform AND c.external_id = d.external_id)
    AND NOT EXISTS (SELECT 1 FROM social.items r
                    WHERE r.platform = d.platform AND r.in_reply_to_external_id = d.external_id
                      AND r.author_external_id = ANY(:own))"""


def _where(config, f) -> tuple[list[str], dict]:
    """The WHERE clauses and parameters of a `triage_queue.TriageFilter`."""
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


def count_decisions(conn, config, f) -> int:
    where, params = _where(config, f)
    return conn.execute(text(
        f"SELECT count(*) FROM social.triage_decisions d WHERE {' AND '.join(where)}"), params).scalar()


def list_decisions(conn, config, f) -> list[dict]:
    """One page of the decisions matching `f`, newest first, with the post, its author and the
    latest correction."""
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


def decision_exists(conn, platform: str, external_id: str, rules_version: str) -> bool:
    return conn.execute(text(
        "SELECT 1 FROM social.triage_decisions WHERE platform = :p AND external_id = :e AND rules_version = :r"
    ), {"p": platform, "e": external_id, "r": rules_version}).first() is not None


# --- "help the model" ----------------------------------------------------------------------------

# The model and the rules part ways (views/triage_help.py says how).
_DISAGREE = """(
    ((d.criticality >= :cut) <> (COALESCE((d.inputs->>'cue_score')::float, 0) >= :cut))
    OR (d.criticality >= :cut AND d.intent = 'praise'))"""


def uncorrected_nearest_the_cut(conn, *, rules_version: str, cut: float, start: datetime,
                                end: datetime, limit: int, disagreements_only: bool) -> list[dict]:
    """Decisions on posts made in [start, end) with no critical/not-critical correction yet,
    nearest the cut first, each saying whether the model and the rules disagree."""
    query = f"""
        SELECT d.platform, d.external_id, d.outcome, d.intent, d.criticality, d.critical,
               d.inputs->'critical_words' AS critical_words,
               COALESCE((d.inputs->>'cue_score')::float, 0) AS cue_score,
               d.item_created_at, i.text, i.url,
               {_DISAGREE} AS disagreement,
               abs(d.criticality - :cut) AS distance
        FROM social.triage_decisions d
        LEFT JOIN social.items i ON i.platform = d.platform AND i.external_id = d.external_id
        WHERE d.rules_version = :rules
          AND d.item_created_at >= :start AND d.item_created_at < :end
          AND NOT EXISTS (SELECT 1 FROM social.triage_corrections c
                          WHERE c.platform = d.platform AND c.external_id = d.external_id
                            AND c.critical IS NOT NULL)
          {"AND " + _DISAGREE if disagreements_only else ""}
        ORDER BY distance, d.platform, d.external_id
        LIMIT :limit"""
    params = {"rules": rules_version, "cut": cut, "start": start, "end": end, "limit": limit}
    return [dict(r) for r in conn.execute(text(query), params).mappings()]


# --- grid ------------------------------------------------------------------------------------

def latest_publication(conn, grid_start: date) -> dict | None:
    """The newest build of the fortnight starting `grid_start`, if any."""
    row = conn.execute(text(
        "SELECT * FROM social.grid_publications WHERE grid_start = :s ORDER BY built_for DESC LIMIT 1"
    ), {"s": grid_start}).mappings().first()
    return dict(row) if row is not None else None


def slots_with_entries(conn, grid_start: date, built_for: datetime) -> list[dict]:
    """A build's slots in time order, each with its planner entry's title, priority, campaign."""
    return [dict(r) for r in conn.execute(text("""
        SELECT s.*, e.title, e.priority, e.campaign, e.essential
        FROM social.grid_slots s LEFT JOIN social.planner_entries e ON e.key = s.entry_key
        WHERE s.grid_start = :s AND s.built_for = :b
        ORDER BY s.slot_at NULLS LAST, s.account_key, s.entry_key
    """), {"s": grid_start, "b": built_for}).mappings()]


# --- cases -------------------------------------------------------------------------------------

def backlog_by_team(conn) -> list[dict]:
    return [dict(r) for r in conn.execute(text(
        "SELECT team, count(*) AS cases FROM social.cases WHERE status = 'backlog'"
        " GROUP BY team ORDER BY team")).mappings()]


def case_status(conn, case_id: int):
    """(status, opened_at) of a case, None if there is no such case."""
    return conn.execute(text("SELECT status, opened_at FROM social.cases WHERE id = :id"),
                        {"id": case_id}).first()

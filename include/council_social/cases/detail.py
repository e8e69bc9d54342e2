"""One case as an officer works it: the resident's post, who they are, the conversation, the
triage decision that opened it and its history told as sentences.

`case_detail` feeds the case page, its JSON and `council-social cases show`.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text

from council_social.cases.events import case_ref
from council_social.cases.routing import council_accounts
from council_social.cases.tables import case_events, cases

THREAD_LIMIT = 50  # posts of one conversation shown; a long thread keeps its newest
STEP_NAMES = {"lead_officer": "the lead officer", "head_of_communications": "the head of communications"}
CLOSE_REASONS = {
    "no_reply_needed": "no reply needed",
    "duplicate": "a duplicate of another case",
    "answered_elsewhere": "answered elsewhere",
}


def case_detail(conn, config, case_id: int) -> dict | None:
    case = conn.execute(select(cases).where(cases.c.id == case_id)).mappings().first()
    if case is None:
        return None
    case = dict(case)
    case["ref"] = case_ref(case["kind"], case["id"])
    item = conn.execute(text("""
        SELECT platform, external_id, account_key, kind, author_external_id, text, created_at,
               conversation_id, in_reply_to_external_id, url, deleted
        FROM social.items WHERE platform = :p AND external_id = :e
    """), {"p": case["platform"], "e": case["external_id"]}).mappings().first()
    item = dict(item) if item else None
    events = [dict(e) for e in conn.execute(
        select(case_events).where(case_events.c.case_id == case_id)
        .order_by(case_events.c.at, case_events.c.id)).mappings()]
    for e in events:
        e["sentence"] = describe_event(config, case, e)
    return {
        "case": case,
        "text": item["text"] if item else None,
        "item": item,
        "author": _author(conn, config, case, item),
        "thread": _thread(conn, config, case, item),
        "decision": _decision(conn, case),
        "carries": (case["details"] or {}).get("carries") or [],
        "history": events,
    }


def _author(conn, config, case: dict, item: dict | None) -> dict | None:
    author_id = (item or {}).get("author_external_id") or (case["details"] or {}).get(
        "author_external_id")
    if not author_id:
        return None
    row = conn.execute(text("""
        SELECT a.external_id, a.username, a.display_name, a.followers_count, a.verified,
               a.location,
               (SELECT score FROM social.author_influence ai
                 WHERE ai.platform = a.platform AND ai.external_id = a.external_id
                 ORDER BY day DESC LIMIT 1) AS influence
        FROM social.authors a WHERE a.platform = :p AND a.external_id = :a
    """), {"p": case["platform"], "a": author_id}).mappings().first()
    author = dict(row) if row else {"external_id": author_id, "username": None,
                                    "display_name": None, "influence": None}
    others = conn.execute(text("""
        SELECT c.id, c.kind, c.status, c.due_at, c.team FROM social.cases c
        JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        WHERE c.platform = :p AND i.author_external_id = :a AND c.id <> :id
          AND c.status <> 'closed'
        ORDER BY c.due_at, c.id
    """), {"p": case["platform"], "a": author_id, "id": case["id"]}).mappings().all()
    author["other_open_cases"] = [{**dict(o), "ref": case_ref(o["kind"], o["id"])} for o in others]
    return author


def _thread(conn, config, case: dict, item: dict | None) -> list[dict]:
    """The conversation around the case's post, oldest first: earlier posts, the post itself,
    and the replies (the council's marked with the account that made them)."""
    conversation = (item or {}).get("conversation_id") or (case["details"] or {}).get(
        "conversation_id")
    if not conversation:
        return []
    rows = conn.execute(text("""
        SELECT * FROM (
            SELECT i.external_id, i.author_external_id, i.text, i.created_at, i.url, i.deleted,
                   i.in_reply_to_external_id, a.username, a.display_name
            FROM social.items i
            LEFT JOIN social.authors a ON a.platform = i.platform
                 AND a.external_id = i.author_external_id
            WHERE i.platform = :p AND (i.conversation_id = :c OR i.external_id = :c)
            ORDER BY i.created_at DESC, i.external_id DESC LIMIT :limit
        ) newest ORDER BY created_at, external_id
    """), {"p": case["platform"], "c": conversation, "limit": THREAD_LIMIT}).mappings().all()
    accounts = council_accounts(config)
    out = []
    for r in rows:
        account = accounts.get((case["platform"], r["author_external_id"]))
        out.append({
            **dict(r),
            "this_case": r["external_id"] == case["external_id"],
            "council_account": account.key if account else None,
        })
    return out


def _decision(conn, case: dict) -> dict | None:
    row = conn.execute(text("""
        SELECT rules_version, outcome, flags, intent, topic, department, criticality, critical,
               influence, foi_valid, draft_reply, rule_path, inputs->>'explanation' AS explanation
        FROM social.triage_decisions
        WHERE platform = :p AND external_id = :e
        ORDER BY rules_version = :v DESC, rules_version DESC LIMIT 1
    """), {"p": case["platform"], "e": case["external_id"], "v": case["rules_version"]}).mappings().first()
    return dict(row) if row else None


# --- history as sentences ----------------------------------------------------------------


def actor_name(config, actor: str) -> str:
    """'officer:Wendy Sample' -> 'Wendy Sample'; 'account:brent-council' -> '@BrentCouncil'."""
    kind, _, who = (actor or "").partition(":")
    if kind == "officer":
        return who
    if kind == "account":
        try:
            return f"@{config.account(who).handle}"
        except KeyError:
            return who
    return actor


def _team_name(config, key: str | None) -> str:
    try:
        return config.team(key).name if key else "?"
    except KeyError:
        return key


def _when(config, value) -> str:
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return f"{moment.astimezone(config.tz):%a %d %b %H:%M}" if moment else "?"


def describe_event(config, case: dict, event: dict) -> str:
    """One history line an officer reads without knowing the event log's fields."""
    d = event.get("detail") or {}
    by = actor_name(config, event["actor"])
    kind = event["event"]
    note = f": {d['note']}" if d.get("note") else ""
    if kind == "opened":
        return (f"Opened by {by} for {_team_name(config, d.get('team') or case['team'])}, "
                f"due {_when(config, case['due_at'])}")
    if kind == "backlog":
        return (f"Listed as backlog by {by} for {_team_name(config, d.get('team') or case['team'])}: "
                "received before the platform was watching, so on no clock")
    if kind == "assigned":
        to = d.get("to_name") or d.get("to")
        team = _team_name(config, d.get("team"))
        return f"Assigned to {to} ({team}) by {by}{note}"
    if kind == "responded":
        channel = d.get("channel") or "?"
        return f"First response by {by} ({'in the thread' if channel == 'thread' else 'by ' + channel})" + note
    if kind == "acknowledged":
        return f"Acknowledged in the thread by {by}"
    if kind == "closed":
        reason = CLOSE_REASONS.get(d.get("reason"), d.get("reason"))
        return f"Closed by {by}" + (f": {reason}" if reason else "") + (
            f" ({d['note']})" if d.get("note") and reason else note)
    if kind == "overdue":
        return f"Overdue: the reply was due {_when(config, d.get('due_at') or case['due_at'])}"
    if kind == "escalated":
        step = STEP_NAMES.get(d.get("step"), d.get("step") or "?")
        return f"Escalated to {step}, {d.get('name') or d.get('to') or '?'}"
    if kind == "reminder":
        return (f"FoI reminder: {d.get('working_days_left')} working day(s) left, "
                f"due {_when(config, d.get('due_at') or case['due_at'])}")
    if kind == "note":
        return f"Note by {by}{note}"
    # Events other modules add (replies queued, sent, approved) say what they are themselves.
    return d.get("sentence") or f"{kind.replace('_', ' ').capitalize()} by {by}{note}"

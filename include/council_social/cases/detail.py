"""One case as an officer works it: the resident's post, who they are, the conversation, the
triage decision that opened it and its history told as sentences.

`case_detail` feeds the case page, its JSON and `council-social cases show`.
"""

from __future__ import annotations

from datetime import datetime

from council_social.cases.events import case_ref
from council_social.cases.repo import lifecycle, reading
from council_social.cases.routing import council_accounts

THREAD_LIMIT = 50  # posts of one conversation shown; a long thread keeps its newest
STEP_NAMES = {"lead_officer": "the lead officer", "head_of_communications": "the head of communications"}
CLOSE_REASONS = {
    "no_reply_needed": "no reply needed",
    "duplicate": "a duplicate of another case",
    "answered_elsewhere": "answered elsewhere",
}


def case_detail(conn, config, case_id: int) -> dict | None:
    case = lifecycle.get_case(conn, case_id)
    if case is None:
        return None
    case = dict(case)
    case["ref"] = case_ref(case["kind"], case["id"])
    item = reading.case_item(conn, case["platform"], case["external_id"])
    events = reading.events_of(conn, case_id)
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
    row = reading.author(conn, case["platform"], author_id)
    author = dict(row) if row else {"external_id": author_id, "username": None,
                                    "display_name": None, "influence": None}
    others = reading.other_open_cases(conn, case["platform"], author_id, case["id"])
    author["other_open_cases"] = [{**dict(o), "ref": case_ref(o["kind"], o["id"])} for o in others]
    return author


def _thread(conn, config, case: dict, item: dict | None) -> list[dict]:
    """The conversation around the case's post, oldest first: earlier posts, the post itself,
    and the replies (the council's marked with the account that made them)."""
    conversation = (item or {}).get("conversation_id") or (case["details"] or {}).get(
        "conversation_id")
    if not conversation:
        return []
    rows = reading.conversation(conn, case["platform"], conversation, THREAD_LIMIT)
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
    return reading.decision(conn, case["platform"], case["external_id"], case["rules_version"])


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

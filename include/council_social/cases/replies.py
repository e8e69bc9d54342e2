"""Answer from the case: check a reply, queue it once, and let an approver release it.

`queue_reply` is what `council-social cases reply` and the case page's reply
box call. Exactly once starts here: the row's `idempotency_key` is
sha256(case id | the text, NFKC, spaces collapsed, casefolded), so the same
answer pressed twice, by one officer or two, is one row (the second press is
told it is already queued). No per-page submit token goes in the key: two
officers' page views would then make two keys for one answer, the duplicate
this must prevent. A different answer while one is still on its way is
refused by the partial unique index (one unfinished reply per case) and told
who wrote the first. Sending is cases.reply_send, woken by the trigger in
cases.reply_trigger.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.exc import IntegrityError

from council_social.cases.events import case_ref, record_event
from council_social.cases.reply_checks import check_reply, normalise
from council_social.cases.repo import replies as repo
from council_social.cases.saved_replies import fill, saved_reply, tag_links

# Platforms whose reply API send_replies drives; the rest are answered there and recorded
# with `cases respond`.
REPLY_PLATFORMS = ("twitter", "facebook", "instagram", "youtube")


class ReplyRefused(ValueError):
    """Bad input: the message says why in one line (exit 2 / HTTP 400)."""

    def __init__(self, message: str, kind: str = "input"):
        super().__init__(message)
        self.kind = kind  # input | missing | who | state


@dataclass
class Queued:
    reply_id: int
    status: str
    duplicate: bool
    text: str
    case: str
    message: str


def reply_ref(reply_id: int) -> str:
    return f"R-{reply_id:06d}"


def parse_reply_ref(value: str) -> int:
    import re

    match = re.fullmatch(r"\s*(?:[Rr]-)?0*(\d+)\s*", value or "")
    if not match:
        raise ReplyRefused(f"{value!r} is not a reply reference (e.g. R-000012 or 12)")
    return int(match.group(1))


def idempotency_key(case_id: int, reply_text: str) -> str:
    canonical = " ".join(unicodedata.normalize("NFKC", reply_text).split()).casefold()
    return hashlib.sha256(f"{case_id}|{canonical}".encode()).hexdigest()


def officer_name(config, name: str | None) -> str:
    try:
        return config.officer_name(name or "")
    except KeyError as exc:
        raise ReplyRefused(exc.args[0], "who") from None


def approvers(config) -> list[str]:
    return list(config.cases.replies.approvers) or list(config.grid.approvers)


def needs_approval(config, case) -> str | None:
    """Why this case's reply waits for a second pair of eyes (None: it does not)."""
    listed = set(config.cases.replies.second_pair_of_eyes)
    topic = (case["details"] or {}).get("topic")
    for what, value in (("case kind", case["kind"]), ("outcome", case["outcome"]),
                        ("topic", topic)):
        if value and value in listed:
            return f"{what} {value} needs a second pair of eyes"
    return None


def case_for_reply(conn, case_id: int):
    return repo.case_for_reply(conn, case_id)


def replying_account(config, case) -> str | None:
    """The council account the reply goes out from: the one that received the post, else the
    platform's main account."""
    key = case["account_key"]
    accounts = {a.key: a for a in config.accounts}
    if key in accounts and accounts[key].platform == case["platform"]:
        return key
    main = next((a for a in config.accounts if a.platform == case["platform"] and a.main), None)
    if main is None:
        main = next((a for a in config.accounts if a.platform == case["platform"]), None)
    return main.key if main else None


def reply_target(case) -> str | None:
    """The id the reply goes under, or None where the API cannot reply to this item.

    Graph and YouTube threads are two deep: a reply to a reply goes under its parent
    comment. Instagram and YouTube reply only under a comment through the API (not under
    a post, a video or a mention).
    """
    platform, kind = case["platform"], case["item_kind"]
    if platform in ("facebook", "instagram", "youtube") and kind == "reply":
        return case["item_in_reply_to"] or None
    if platform in ("instagram", "youtube") and kind != "comment":
        return None
    return case["external_id"]


def queue_reply(conn, config, case_id: int, *, reply_text: str | None, officer: str,
                saved_key: str | None = None, holding: bool = False,
                at: datetime) -> Queued:
    """Check and queue one reply; the caller's transaction commits it."""
    from council_social.cases.watch import lock

    officer = officer_name(config, officer)
    lock(conn)  # the same lock as response_watch and officers' commands on cases
    case = case_for_reply(conn, case_id)
    if case is None:
        raise ReplyRefused(f"no case {case_id}", "missing")
    ref = case_ref(case["kind"], case_id)
    if case["status"] == "closed":
        raise ReplyRefused(f"case {ref} is closed", "state")
    saved = None
    if saved_key:
        try:
            saved = saved_reply(config, saved_key)
        except ValueError as exc:
            raise ReplyRefused(str(exc)) from None
    if reply_text is None or not reply_text.strip():
        if saved is None:
            raise ReplyRefused("give --text, or --saved KEY for a saved reply")
        reply_text = fill(saved, handle=case["username"], name=case["display_name"],
                          officer=officer)
    body = normalise(reply_text)
    platform = case["platform"]
    body, link = tag_links(config, body, platform=platform,
                           saved_key=saved.key if saved else None,
                           service=saved.service if saved else case["team"])
    problems = check_reply(config, platform, body)
    if problems:
        raise ReplyRefused(f"{ref}: not queued: " + "; ".join(problems))
    key = idempotency_key(case_id, body)
    existing = repo.reply_with_key(conn, key)
    if existing is not None:
        return Queued(existing["id"], existing["status"], True, existing["text"], ref,
                      f"{ref}: the same reply is already {existing['status']} "
                      f"({reply_ref(existing['id'])}, by {existing['officer']})")
    target = reply_target(case)
    if platform not in REPLY_PLATFORMS or target is None:
        status = "answer_there"
    elif needs_approval(config, case):
        status = "awaiting_approval"
    else:
        status = "queued"
    values = dict(case_id=case_id, idempotency_key=key, platform=platform,
                  account_key=replying_account(config, case),
                  in_reply_to=target or case["external_id"],
                  text=body, saved_key=saved.key if saved else None, link=link, holding=holding,
                  officer=officer, status=status, created_at=at, updated_at=at,
                  detail=(needs_approval(config, case) if status == "awaiting_approval"
                          else f"answer on {platform}: {case['url'] or ''}"
                          if status == "answer_there" else None))
    try:
        with conn.begin_nested():
            reply_id = repo.add_reply(conn, values)
    except IntegrityError:
        first = repo.unfinished_reply(conn, case_id)
        who = f"{reply_ref(first['id'])} by {first['officer']}" if first else "another reply"
        raise ReplyRefused(f"{ref}: {who} is already on its way; wait for it to be sent",
                           "state") from None
    record_event(conn, case_id, "note", at=at, recorded_at=at, actor=f"officer:{officer}",
                 detail={"reply": reply_ref(reply_id), "status": status, "holding": holding,
                         "saved": values["saved_key"]})
    messages = {
        "queued": "queued; send_replies sends it within a minute",
        "awaiting_approval": f"waiting for an approver ({values['detail']}): "
                             f"{', '.join(approvers(config)) or '(none configured)'}",
        "answer_there": f"{platform} has no reply API here for this item: answer there ({case['url'] or ''}) "
                        "and record it with `council-social cases respond`",
    }
    return Queued(reply_id, status, False, body, ref,
                  f"{ref}: {reply_ref(reply_id)} {messages[status]}")


def approve_reply(conn, config, reply_id: int, officer: str, at: datetime) -> dict:
    """An approver releases a reply that waits for a second pair of eyes."""
    who = officer_name(config, officer)
    allowed = {a.casefold() for a in approvers(config)}
    if who.casefold() not in allowed:
        raise ReplyRefused(f"{who!r} is not an approver; approvers are: "
                           f"{', '.join(approvers(config)) or '(none configured)'}", "who")
    row = repo.reply_for_update(conn, reply_id)
    if row is None:
        raise ReplyRefused(f"no reply {reply_ref(reply_id)}", "missing")
    if row["status"] != "awaiting_approval":
        raise ReplyRefused(f"{reply_ref(reply_id)} is {row['status']}, not waiting for approval",
                           "state")
    if row["officer"].casefold() == who.casefold():
        raise ReplyRefused(f"{who} wrote {reply_ref(reply_id)}; another approver must approve",
                           "who")
    repo.approve(conn, reply_id, who, at)
    record_event(conn, row["case_id"], "note", at=at, recorded_at=at, actor=f"officer:{who}",
                 detail={"reply": reply_ref(reply_id), "approved": True})
    return {"reply": reply_ref(reply_id), "status": "queued", "approved_by": who}


def replies_for_case(conn, case_id: int) -> list[dict]:
    return repo.replies_of(conn, case_id)

"""Send queued replies exactly once, with the discipline of grid.publish.

Before the platform is called the reply is committed as `sending` (tries + 1).
After, in one transaction, it is `sent` with the platform's id and the case
moves: a substantive reply closes it, a holding reply records the first
response (the 24-hour clock stops) and keeps it open; an FoI case's reply is
its acknowledgement. A run that finds a reply still `sending` does not know
whether the last try reached the platform (a lost response, or a crash between
the platform's answer and our write), so it looks in the thread for the
council's reply with that text first and only sends again if it is not there.
Two runs at once cannot both send: each reply is claimed with a conditional
update, and send_replies runs one at a time.

The reply reaches `social.items` and the archive like every council post: the
next ingest of the account's own posts fetches it (WARC record, item, and
response_watch sees it in the thread).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from council_social.cases.events import record_event
from council_social.cases.replies import reply_ref
from council_social.cases.repo import replies as repo
from council_social.grid.posting import DuplicatePost, PostAuthError, PostRejected

log = logging.getLogger(__name__)
# How far before the reply was queued an earlier try's reply could be in the thread.
LOOKUP_MARGIN = timedelta(minutes=5)


def _now() -> datetime:
    return datetime.now(UTC)


@dataclass
class SendSummary:
    sent: list[dict] = field(default_factory=list)
    found_after_lost_response: int = 0
    failed: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)
    auth_failed: list[str] = field(default_factory=list)
    answer_there: list[str] = field(default_factory=list)

    def as_dict(self) -> dict:
        return dict(self.__dict__)


class TwitterReplier:
    """A reply in the thread on X: tweepy's create_tweet with in_reply_to_tweet_id."""

    def __init__(self, poster):
        self.poster = poster

    def reply(self, account, in_reply_to: str, text: str) -> str:
        return self.poster.create(account, text, in_reply_to=in_reply_to)

    def find(self, account, in_reply_to: str, text: str, since: datetime) -> str | None:
        return self.poster.find(account, text, since, in_reply_to=in_reply_to)


def repliers_from_posters(posters: dict, instagram=None, youtube=None) -> dict:
    """Repliers by platform from grid_posters(): the same clients and credentials. Instagram's
    is a FacebookPoster on the Instagram Connection (its token), when that exists; YouTube's
    a YouTubeReplier, when its Connection has an OAuth token."""
    from council_social.cases.graph_replies import FacebookReplier, InstagramReplier

    out = {}
    if "twitter" in posters:
        out["twitter"] = TwitterReplier(posters["twitter"])
    if "facebook" in posters:
        out["facebook"] = FacebookReplier(posters["facebook"])
    if instagram is not None:
        out["instagram"] = InstagramReplier(instagram)
    if youtube is not None:
        out["youtube"] = youtube
    return out


def _set(engine, reply_id: int, now: datetime, **values) -> None:
    with engine.begin() as conn:
        repo.set_reply(conn, reply_id, now, **values)


def _claim(engine, reply_id: int, from_status: str, now: datetime) -> bool:
    """queued/sending -> sending with tries + 1, committed before the call."""
    with engine.begin() as conn:
        return repo.claim_reply(conn, reply_id, from_status, now)


def mark_sent(engine, reply, external_id: str, now: datetime, *, found: bool = False) -> bool:
    """The reply is on the platform: record it and move the case, in one transaction."""
    from council_social.cases.repo.lifecycle import get_case
    from council_social.cases.watch import close, lock, respond

    with engine.begin() as conn:
        lock(conn)
        if not repo.set_sent(conn, reply.id, external_id, now,
                             "found in the thread after a lost response" if found else None):
            return False
        case = get_case(conn, reply.case_id)
        actor = f"officer:{reply.officer}"
        detail = {"reply": reply_ref(reply.id), "reply_external_id": external_id,
                  "account": reply.account_key, "holding": reply.holding}
        if case["status"] == "closed":
            return True
        if case["kind"] == "foi":
            record_event(conn, case["id"], "acknowledged", at=now, recorded_at=now, actor=actor,
                         once_key="acknowledged", detail=detail)
            return True
        status = case["status"]
        if case["responded_at"] is None:
            respond(conn, case["id"], status=status, at=now, recorded_at=now, actor=actor,
                    channel="thread", detail=detail)
            status = "responded"
        else:
            record_event(conn, case["id"], "note", at=now, recorded_at=now, actor=actor,
                         detail=detail)
        if not reply.holding:
            close(conn, case["id"], status=status, at=now, recorded_at=now, actor=actor,
                  detail={**detail, "substantive": True})
    return True


def send_queued(engine, config, repliers: dict, *, now=_now) -> SendSummary:
    """Send every queued reply (and settle every one left `sending`).

    Raises after trying them all if any outcome is unknown or a token was refused,
    so the task is retried; the retry looks in the thread before sending again.
    """
    summary = SendSummary()
    accounts = {a.key: a for a in config.accounts}
    with engine.connect() as conn:
        rows = repo.replies_to_send(conn)
    for reply in rows:
        label = reply_ref(reply.id)
        replier = repliers.get(reply.platform)
        account = accounts.get(reply.account_key or "")
        if replier is None or account is None:
            why = (f"no reply API configured for {reply.platform} (is its Airflow Connection "
                   "set?): answer on the platform and record it with `cases respond`")
            _set(engine, reply.id, now(), status="answer_there", detail=why)
            summary.answer_there.append(f"{label}: {why}")
            continue
        try:
            if reply.status == "sending":
                # The last try may have reached the platform: look in the thread first.
                found = replier.find(account, reply.in_reply_to, reply.text,
                                     reply.created_at - LOOKUP_MARGIN)
                if found is not None:
                    mark_sent(engine, reply, found, now(), found=True)
                    summary.found_after_lost_response += 1
                    summary.sent.append({"reply": label, "external_id": found})
                    continue
            if not _claim(engine, reply.id, reply.status, now()):
                continue  # another run took it
            try:
                external_id = replier.reply(account, reply.in_reply_to, reply.text)
            except DuplicatePost:
                external_id = replier.find(account, reply.in_reply_to, reply.text,
                                           reply.created_at - LOOKUP_MARGIN)
                if external_id is None:
                    raise
        except PostAuthError as exc:
            # Refused before anything was posted: back in the queue once the token is renewed.
            _set(engine, reply.id, now(), status="queued", detail=str(exc))
            summary.auth_failed.append(f"{label}: {exc}")
            continue
        except PostRejected as exc:
            _set(engine, reply.id, now(), status="failed", detail=str(exc))
            summary.failed.append(f"{label}: {exc}")
            continue
        except Exception as exc:  # network or 5xx: the reply may or may not be there
            log.warning("reply %s: outcome unknown (%s); a retry looks in the thread first",
                        label, type(exc).__name__)
            summary.unknown.append(f"{label}: {type(exc).__name__}")
            continue
        mark_sent(engine, reply, external_id, now())
        summary.sent.append({"reply": label, "external_id": external_id})
    problems = []
    if summary.unknown:
        problems.append(f"{len(summary.unknown)} reply(ies) with unknown outcome: "
                        + "; ".join(summary.unknown))
    if summary.auth_failed:
        problems.append(f"{len(summary.auth_failed)} reply(ies) not sent, token refused: "
                        + "; ".join(summary.auth_failed))
    if problems:
        raise RuntimeError(" | ".join(problems))
    return summary


def announce_queued(engine, now: datetime) -> list[int]:
    """Mark queued replies not yet announced as announced; return their ids.

    Called by send_replies' trigger: each queued reply wakes the DAG once. A reply
    whose DAG run fails is still `queued`/`sending` and every later run sends it.
    """
    with engine.begin() as conn:
        return repo.announce_queued(conn, now)

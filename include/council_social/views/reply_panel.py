"""The case page's reply box: replies queued or sent from a case, and queuing one."""

from __future__ import annotations

from datetime import datetime

from fastapi import HTTPException
from pydantic import BaseModel, ConfigDict, Field

from council_social.views.availability import need

# A refused reply: bad input 400, not an officer 403, no such case 404, not now 409.
REFUSED_STATUS = {"input": 400, "who": 403, "missing": 404, "state": 409}


class ReplyForm(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: str | None = Field(default=None, max_length=10000,
                             description="the reply; empty with `saved` to use the saved text")
    saved: str | None = Field(default=None, max_length=100, description="a saved reply's key")
    holding: bool = Field(default=False, description="a holding reply: the case stays open")
    officer: str | None = Field(default=None, max_length=200, description=(
        "the officer's name as council.yaml has it (default: the signed-in user)"))


def case_replies_view(conn, config, case_id: int) -> dict:
    need(conn, ("council_social.cases.replies",), ("case_replies",))
    from council_social.cases.replies import replies_for_case, reply_ref

    replies = replies_for_case(conn, case_id)
    for r in replies:
        r["ref"] = reply_ref(r["id"])
    return {"replies": replies,
            "saved_replies": [{"key": s.key, "service": s.service, "label": s.link_label or s.key}
                              for s in config.cases.saved_replies]}


def queue_from_page(engine_factory, config, case_id: int, body: ReplyForm, who: str,
                    now: datetime) -> dict:
    from council_social.cases.replies import ReplyRefused, queue_reply, reply_ref

    try:
        with engine_factory().begin() as conn:
            done = queue_reply(conn, config, case_id, reply_text=body.text,
                               officer=body.officer or who, saved_key=body.saved,
                               holding=body.holding, at=now)
    except ReplyRefused as exc:
        raise HTTPException(status_code=REFUSED_STATUS[exc.kind], detail=str(exc)) from None
    return {"case": done.case, "reply": reply_ref(done.reply_id), "status": done.status,
            "duplicate": done.duplicate, "text": done.text, "message": done.message}

"""One case as an officer works it: the page and its JSON, answering in the thread,
recording a reply made elsewhere, and handing the case on or closing it."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from council_social.cases.times import TimeRefused
from council_social.views import cases_panel, reply_panel
from council_social.views.availability import Unavailable
from council_social.views.cases_routes import CaseClosing
from council_social.views.pages import Pages
from council_social.views.security import same_origin


class CaseReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1, max_length=100, description="where the reply was made, e.g. phone")
    at: AwareDatetime | None = Field(default=None, description=(
        "when the reply was made, with its UTC offset (default: now); not in the future, "
        "not before the case opened"))
    note: str | None = Field(default=None, max_length=2000)


class CaseAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1, max_length=200, description="an officer's name or e-mail, or a team key")
    officer: str | None = Field(default=None, max_length=200, description=(
        "who is assigning (an officer in council.yaml); default: the signed-in user"))
    note: str | None = Field(default=None, max_length=2000)


def refused_status(message: str) -> int:
    """An allocation refused: no such case 404, already done 409, else 422."""
    return 404 if message.startswith("no case") else 409 if "already" in message else 422


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    Officer = pages.officer
    config = pages.config

    @routes.get("/api/cases/{case_id}", tags=["cases"],
                summary="A case as an officer works it: post, author, thread, decision, history")
    def api_case(case_id: int):
        with pages.available("cases"), pages.engine().connect() as conn:
            found = cases_panel.case_history(conn, config, case_id)
        if found is None:
            raise HTTPException(status_code=404, detail="no such case")
        return found

    @routes.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def case(request: Request, case_id: int, who: Officer):
        try:
            with pages.engine().connect() as conn:
                found = cases_panel.case_history(conn, config, case_id)
                replies = reply_panel.case_replies_view(conn, config, case_id)
        except Unavailable as exc:
            return pages.unavailable(request, "Cases", str(exc))
        if found is None:
            raise HTTPException(status_code=404, detail="no such case")
        return pages.page(request, "case.html", f"Case {found['case']['ref']}", tz=config.tz,
                          signed_in=who, **cases_panel.allocation_choices(config), **found, **replies)

    def allocate(case_id: int, act) -> dict:
        from council_social.cases.allocate import Refused

        try:
            with pages.available("cases"), pages.engine().begin() as conn:
                return {"case_id": case_id, "done": act(conn, pages.now())}
        except Refused as exc:
            raise HTTPException(status_code=refused_status(str(exc)), detail=str(exc)) from None

    @routes.post("/api/cases/{case_id}/assign", tags=["cases"], dependencies=[Depends(same_origin)],
                 summary="Give a case to an officer (their team owns it) or to a team's lead officer")
    def api_case_assign(case_id: int, body: CaseAssignment, who: Officer):
        from council_social.cases.allocate import assign

        return allocate(case_id, lambda conn, at: assign(
            conn, config, case_id, to=body.to, note=body.note, at=at,
            officer=cases_panel.acting_officer(config, body.officer, who)))

    @routes.post("/api/cases/{case_id}/close", tags=["cases"], dependencies=[Depends(same_origin)],
                 summary="Close a case that needs no reply, with the reason")
    def api_case_close(case_id: int, body: CaseClosing, who: Officer):
        from council_social.cases.allocate import close_with_reason

        return allocate(case_id, lambda conn, at: close_with_reason(
            conn, config, case_id, reason=body.reason, note=body.note, at=at,
            officer=cases_panel.acting_officer(config, body.officer, who)))

    @routes.get("/api/cases/{case_id}/replies", tags=["cases"],
                summary="Replies queued or sent from this case, and the saved replies to choose from")
    def api_case_replies(case_id: int):
        with pages.available("cases"), pages.engine().connect() as conn:
            return reply_panel.case_replies_view(conn, config, case_id)

    @routes.post("/api/cases/{case_id}/replies", status_code=201, tags=["cases"],
                 summary="Answer in the thread: checked, queued, sent by send_replies within a minute",
                 dependencies=[Depends(same_origin)])
    def api_case_queue_reply(case_id: int, body: reply_panel.ReplyForm, who: Officer):
        return reply_panel.queue_from_page(pages.engine, config, case_id, body, who, pages.now())

    @routes.post("/api/cases/{case_id}/reply", status_code=201, tags=["cases"],
                 summary="Record a reply made elsewhere (phone, email, another account)",
                 dependencies=[Depends(same_origin)])
    def api_case_reply(case_id: int, body: CaseReply, who: Officer):
        moment = pages.now()
        try:
            with pages.available("cases"), pages.engine().begin() as conn:
                done = cases_panel.record_reply(conn, case_id, at=body.at or moment, channel=body.channel,
                                                officer=who, note=body.note, now=moment)
        except TimeRefused as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        if done is None:
            raise HTTPException(status_code=404, detail="no such case")
        if not done:
            raise HTTPException(status_code=409, detail="this case already has its response recorded")
        return {"case_id": case_id, "recorded": True, "by": who}

    return routes

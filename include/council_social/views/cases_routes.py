"""Cases: open, overdue and backlog cases by team with the FoI register, and closing a
team's backlog in one go."""

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from council_social.views import cases_panel
from council_social.views.availability import Unavailable
from council_social.views.pages import Pages
from council_social.views.security import same_origin


class CaseClosing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["no_reply_needed", "duplicate", "answered_elsewhere"]
    officer: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class BacklogClosing(CaseClosing):
    team: str | None = Field(default=None, max_length=100, description="a team key; default every team")


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    Officer = pages.officer
    config = pages.config

    @routes.get("/api/cases", tags=["cases"], summary="Open (or overdue) cases by team, and the FoI register")
    def api_cases(team: str | None = None, overdue: bool = False, backlog: bool = False):
        with pages.available("cases"), pages.engine().connect() as conn:
            return cases_panel.cases_view(conn, config, pages.now(), team, overdue, backlog)

    @routes.get("/cases", response_class=HTMLResponse, include_in_schema=False)
    def cases(request: Request, who: Officer, team: str | None = None, overdue: bool = False,
              backlog: bool = False):
        try:
            with pages.engine().connect() as conn:
                data = cases_panel.cases_view(conn, config, pages.now(), team, overdue, backlog)
        except Unavailable as exc:
            return pages.unavailable(request, "Cases", str(exc))
        return pages.page(request, "cases.html", "Cases", team=team or "", overdue=overdue,
                          showing_backlog=backlog, signed_in=who, team_keys=[t.key for t in config.teams],
                          **cases_panel.allocation_choices(config), **data)

    # Before the case routes: "backlog" is not a case id.
    @routes.post("/api/cases/backlog/close", tags=["cases"], dependencies=[Depends(same_origin)],
                 summary="Close a team's (or every) backlog case with one reason")
    def api_backlog_close(body: BacklogClosing, who: Officer):
        from council_social.cases.allocate import Refused

        if body.team:
            try:
                config.team(body.team)
            except KeyError as exc:
                raise HTTPException(status_code=422, detail=exc.args[0]) from None
        try:
            with pages.available("cases"), pages.engine().begin() as conn:
                closed = cases_panel.close_backlog(
                    conn, config, team=body.team, reason=body.reason, note=body.note, at=pages.now(),
                    officer=cases_panel.acting_officer(config, body.officer, who))
        except Refused as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return {"closed": closed, "team": body.team, "reason": body.reason}

    return routes

"""The operator views as one FastAPI app: HTML pages and the same data as JSON.

`create_app(engine_factory, officer=...)`: `officer` is a FastAPI dependency
that returns the signed-in officer's name (the Airflow plugin passes one built
on Airflow's own login); every route depends on it, so nothing is served to
someone who is not signed in. `dev_mode=True` (the `views serve` command)
serves without login and says so on every page.
"""


import tempfile
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Annotated, Any, Literal

from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import (
    FileResponse,
    HTMLResponse,
    JSONResponse,
    RedirectResponse,
    Response,
)
from fastapi.staticfiles import StaticFiles
from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, ValidationError
from starlette.background import BackgroundTask
from starlette.exceptions import HTTPException as StarletteHTTPException

from council_social.cases.times import TimeRefused
from council_social.views import (
    archive_panel,
    cases_panel,
    grid_panel,
    home_panel,
    promotion_panel,
    reply_panel,
    reports_panel,
)
from council_social.views.availability import Unavailable
from council_social.views.security import BodyLimit, SecurityHeaders, same_origin
from council_social.views.triage_queue import (
    FLAGS,
    OUTCOMES,
    Correction,
    TriageFilter,
    count_decisions,
    list_decisions,
    record_correction,
)

HERE = Path(__file__).parent
VIEWS = (("triage", "Triage queue"), ("cases", "Cases"), ("grid", "Grid"), ("archive", "Archive"),
         ("reports", "Reports"), ("accounts", "Accounts"), ("moderation", "Moderation"),
         ("promotion", "Promotion"))


class TriageDecision(BaseModel):
    model_config = ConfigDict(extra="allow")

    platform: str
    external_id: str
    rules_version: str
    outcome: str
    flags: list[str]
    topic: str | None
    department: str | None
    criticality: float
    critical: bool
    influence: int
    rule_path: Any
    item_created_at: datetime
    text: str | None
    author_username: str | None
    author_name: str | None
    corrected_outcome: str | None = None
    corrected_critical: bool | None = None
    corrected_by: str | None = None


class TriageQueue(BaseModel):
    filters: TriageFilter
    total: int = Field(description="decisions matching the filters, on every page")
    decisions: list[TriageDecision]


class CaseReply(BaseModel):
    model_config = ConfigDict(extra="forbid")

    channel: str = Field(min_length=1, max_length=100, description="where the reply was made, e.g. phone")
    at: AwareDatetime | None = Field(default=None, description=(
        "when the reply was made, with its UTC offset (default: now); not in the future, "
        "not before the case opened"))
    note: str | None = Field(default=None, max_length=2000)


# An approval refused: not this officer's to make, no such entry, not waiting for one.
APPROVAL_STATUS = {"who": 403, "missing": 404, "state": 409}


class CaseAssignment(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to: str = Field(min_length=1, max_length=200, description="an officer's name or e-mail, or a team key")
    officer: str | None = Field(default=None, max_length=200, description=(
        "who is assigning (an officer in council.yaml); default: the signed-in user"))
    note: str | None = Field(default=None, max_length=2000)


class CaseClosing(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: Literal["no_reply_needed", "duplicate", "answered_elsewhere"]
    officer: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class BacklogClosing(CaseClosing):
    team: str | None = Field(default=None, max_length=100, description="a team key; default every team")


class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


@lru_cache(maxsize=1)
def _jinja():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader([HERE / "templates", HERE.parent / "reports" / "templates"]),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def _no_officer() -> str:
    raise HTTPException(status_code=401, detail="sign in through Airflow to use these views")


def _dev_officer() -> str:
    return "dev (no login)"


def api_operations(schema: dict) -> list[dict]:
    """(method, path, summary, parameters) of every operation in an OpenAPI schema."""
    operations = []
    for path, methods in sorted(schema.get("paths", {}).items()):
        for method, op in methods.items():
            operations.append({
                "method": method.upper(), "path": path, "summary": op.get("summary", ""),
                "parameters": [{"name": p["name"], "where": p["in"], "required": p.get("required")}
                               for p in op.get("parameters", [])],
                "body": "requestBody" in op})
    return operations


def create_app(engine_factory: Callable, *, config=None, officer: Callable | None = None,
               dev_mode: bool = False, clock: Callable[[], datetime] | None = None,
               export_dir: Path | None = None,
               sign_in: Callable[[str], str] | None = None) -> FastAPI:
    """`sign_in(next_path)`: the sign-in page a browser without a session is sent to."""
    if config is None:
        from council_social.config import load_config

        config = load_config()
    officer_dep = officer or (_dev_officer if dev_mode else _no_officer)
    now = clock or (lambda: datetime.now(UTC))
    Officer = Annotated[str, Depends(officer_dep)]

    app = FastAPI(
        title="Council Social Ops: operator views",
        description=("The council's triage queue, cases, grid, archive and reports. Every page under "
                     "`/` is also JSON under `/api`. Behind Airflow's login when served by the plugin."),
        version="1",
        dependencies=[Depends(officer_dep)],
        # FastAPI's own docs routes skip app dependencies; the login-guarded ones are below.
        docs_url=None, redoc_url=None, openapi_url=None,
    )

    @app.get("/openapi.json", include_in_schema=False)
    def openapi_schema(who: Officer):
        return JSONResponse(app.openapi())

    @app.get("/docs", include_in_schema=False)
    def docs(request: Request, who: Officer):
        # Rendered here from the schema: Swagger UI would load from a CDN (blank offline).
        return page(request, "api_docs.html", "API documentation",
                    operations=api_operations(app.openapi()))

    if sign_in is not None:
        @app.exception_handler(StarletteHTTPException)
        async def to_sign_in(request: Request, exc: StarletteHTTPException):
            # A browser that is not signed in goes to Airflow's sign-in page; the API gets 401.
            if exc.status_code == 401 and "text/html" in request.headers.get("accept", ""):
                path = request.scope.get("root_path", "").rstrip("/") + request.url.path
                query = f"?{request.url.query}" if request.url.query else ""
                return RedirectResponse(sign_in(path + query), status_code=303)
            return await http_exception_handler(request, exc)
    app.add_middleware(SecurityHeaders)
    app.add_middleware(BodyLimit)  # outermost: a huge body is refused before anything reads it
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.state.config = config

    def engine():
        return engine_factory()

    def page(request: Request, template: str, title: str, **context) -> HTMLResponse:
        values = {"council": config.council.name, **context}
        html = _jinja().get_template(template).render(
            values, base=request.scope.get("root_path", "").rstrip("/"), title=title, views=VIEWS,
            dev_mode=dev_mode)
        return HTMLResponse(html)

    def unavailable(request: Request, title: str, reason: str) -> HTMLResponse:
        return page(request, "unavailable.html", title, reason=reason)

    def today() -> date:
        return now().astimezone(config.tz).date()

    # --- index ------------------------------------------------------------------------------

    @app.get("/api/home", tags=["home"], summary="What needs doing now, each figure with its view's link")
    def api_home():
        with engine().connect() as conn:
            return home_panel.home_view(conn, config, now())

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, who: Officer):
        with engine().connect() as conn:
            data = home_panel.home_view(conn, config, now())
        return page(request, "index.html", "What needs doing now", officer=who, home=data)

    @app.get("/api/quarantine", tags=["home"], summary="Records quarantined in the last day")
    def api_quarantine(reason: str | None = None):
        with engine().connect() as conn:
            return {"reason": reason, "records": home_panel.quarantine_rows(conn, now(), reason or None)}

    @app.get("/quarantine", response_class=HTMLResponse, include_in_schema=False)
    def quarantine(request: Request, reason: str | None = None):
        with engine().connect() as conn:
            rows = home_panel.quarantine_rows(conn, now(), reason or None)
        return page(request, "quarantine.html", "Quarantined in the last day", rows=rows, reason=reason or "")

    # --- accounts and moderation -------------------------------------------------------------

    @app.get("/api/accounts", tags=["governance"], summary="The account registry and requests for new accounts")
    def api_accounts(dormant: bool = False):
        from council_social.governance.accounts import list_accounts

        with engine().begin() as conn:
            return list_accounts(conn, config, now(), dormant_only=dormant)

    @app.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
    def accounts(request: Request, dormant: bool = False):
        from council_social.governance.accounts import list_accounts

        with engine().begin() as conn:
            data = list_accounts(conn, config, now(), dormant_only=dormant)
        return page(request, "accounts.html", "Accounts", dormant=dormant, **data)

    # --- promotion -------------------------------------------------------------------------

    @app.get("/api/promotion", tags=["promotion"],
             summary="Follow-back suggestions, local trends, campaign hashtags, competitions")
    def api_promotion():
        try:
            with engine().connect() as conn:
                return promotion_panel.promotion_view(conn, config, today())
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"promotion not yet available: {exc}") from None

    @app.get("/promotion", response_class=HTMLResponse, include_in_schema=False)
    def promotion(request: Request):
        try:
            with engine().connect() as conn:
                data = promotion_panel.promotion_view(conn, config, today())
        except Unavailable as exc:
            return unavailable(request, "Promotion", str(exc))
        return page(request, "promotion.html", "Promotion", **data)

    @app.post("/api/promotion/follow-back/{account}/{user_id}/{action}", status_code=201,
              tags=["promotion"], dependencies=[Depends(same_origin)],
              summary="Record that a suggestion was followed on the platform, or dismiss it")
    def api_promotion_decide(account: str, user_id: str, action: Literal["followed", "dismiss"],
                             who: Officer, body: Decision | None = None):
        reason = body.reason if body else None
        try:
            decision = promotion_panel.decide(engine(), config, account, user_id,
                                              "followed" if action == "followed" else "dismissed",
                                              who, reason, now())
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return {"decision": decision}

    @app.get("/api/moderation", tags=["moderation"], summary="The moderation log, newest first")
    def api_moderation(action: Literal["hide", "report", "delete"] | None = None):
        from council_social.moderation.actions import list_actions

        with engine().connect() as conn:
            return {"house_rules": [r.model_dump() for r in config.house_rules],
                    "actions": list_actions(conn, action=action)}

    @app.get("/moderation", response_class=HTMLResponse, include_in_schema=False)
    def moderation(request: Request, action: Literal["hide", "report", "delete"] | None = None):
        from council_social.moderation.actions import list_actions

        with engine().connect() as conn:
            rows = list_actions(conn, action=action)
        return page(request, "moderation.html", "Moderation", rows=rows, action=action or "",
                    rules=config.house_rules)

    # --- triage ------------------------------------------------------------------------------

    def triage_filter(outcome: Literal[OUTCOMES] | Literal[""] | None = None,
                      flag: Literal[FLAGS] | Literal[""] | None = None, team: str | None = None,
                      platform: str | None = None, account: str | None = None,
                      critical: Literal["true", "false", ""] | None = None, unanswered: bool = False,
                      date_from: date | None = None, date_to: date | None = None,
                      limit: int = Query(100, ge=1, le=1000),
                      page: int = Query(1, ge=1, le=100_000)) -> TriageFilter:
        return TriageFilter(outcome=outcome, flag=flag, team=team, platform=platform, account=account,
                            critical={"true": True, "false": False}.get(critical or ""),
                            unanswered=unanswered, date_from=date_from, date_to=date_to, limit=limit,
                            page=page)

    @app.get("/api/triage", response_model=TriageQueue, tags=["triage"],
             summary="Triage decisions under the current rules, newest first, a page at a time")
    def api_triage(f: Annotated[TriageFilter, Depends(triage_filter)]):
        with engine().connect() as conn:
            return {"filters": f, "total": count_decisions(conn, config, f),
                    "decisions": list_decisions(conn, config, f)}

    @app.get("/triage", response_class=HTMLResponse, include_in_schema=False)
    def triage(request: Request, f: Annotated[TriageFilter, Depends(triage_filter)]):
        with engine().connect() as conn:
            rows = list_decisions(conn, config, f)
            total = count_decisions(conn, config, f)
        pages = max(1, -(-total // f.limit))
        query = {k: v for k, v in request.query_params.items() if k != "page"}
        return page(request, "triage.html", "Triage queue", rows=rows, f=f, total=total, pages=pages,
                    query=query, outcomes=OUTCOMES, flags=FLAGS, teams=[t.key for t in config.teams],
                    accounts=[a.key for a in config.accounts],
                    platforms=sorted({a.platform for a in config.accounts}))

    @app.post("/api/triage/{platform}/{external_id}/correction", status_code=201, tags=["triage"],
              summary="Correct a decision's outcome or criticality (stored as feedback)",
              dependencies=[Depends(same_origin)])
    def api_correct(platform: str, external_id: str, body: Correction, who: Officer):
        with engine().begin() as conn:
            saved = record_correction(conn, config, platform, external_id, body, who, now())
        if saved is None:
            raise HTTPException(status_code=404, detail="no decision for that item under the current rules")
        return saved

    # "Help the model" (issue 28): the day's posts the model is least sure about.
    @app.get("/api/triage/help", tags=["triage"],
             summary="The day's posts the criticality model is least sure about, to confirm or correct")
    def api_triage_help(day: date | None = None):
        from council_social.views.triage_help import least_sure

        with engine().connect() as conn:
            return {"day": day or today(), "posts": least_sure(conn, config, day or today())}

    @app.get("/triage/help", response_class=HTMLResponse, include_in_schema=False)
    def triage_help(request: Request, day: date | None = None):
        from council_social.views.triage_help import least_sure

        with engine().connect() as conn:
            rows = least_sure(conn, config, day or today())
        return page(request, "triage_help.html", "Help the model", rows=rows, day=day or today())

    # --- cases -------------------------------------------------------------------------------

    @app.get("/api/cases", tags=["cases"], summary="Open (or overdue) cases by team, and the FoI register")
    def api_cases(team: str | None = None, overdue: bool = False, backlog: bool = False):
        try:
            with engine().connect() as conn:
                return cases_panel.cases_view(conn, config, now(), team, overdue, backlog)
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"cases not yet available: {exc}") from None

    @app.get("/cases", response_class=HTMLResponse, include_in_schema=False)
    def cases(request: Request, who: Officer, team: str | None = None, overdue: bool = False,
              backlog: bool = False):
        try:
            with engine().connect() as conn:
                data = cases_panel.cases_view(conn, config, now(), team, overdue, backlog)
        except Unavailable as exc:
            return unavailable(request, "Cases", str(exc))
        return page(request, "cases.html", "Cases", team=team or "", overdue=overdue,
                    showing_backlog=backlog, signed_in=who, team_keys=[t.key for t in config.teams],
                    **cases_panel.allocation_choices(config), **data)

    @app.post("/api/cases/backlog/close", tags=["cases"], dependencies=[Depends(same_origin)],
              summary="Close a team's (or every) backlog case with one reason")
    def api_backlog_close(body: BacklogClosing, who: Officer):
        from council_social.cases.allocate import Refused

        if body.team:
            try:
                config.team(body.team)
            except KeyError as exc:
                raise HTTPException(status_code=422, detail=exc.args[0]) from None
        try:
            with engine().begin() as conn:
                closed = cases_panel.close_backlog(
                    conn, config, team=body.team, reason=body.reason, note=body.note, at=now(),
                    officer=cases_panel.acting_officer(config, body.officer, who))
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"cases not yet available: {exc}") from None
        except Refused as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return {"closed": closed, "team": body.team, "reason": body.reason}

    @app.get("/api/cases/{case_id}", tags=["cases"],
             summary="A case as an officer works it: post, author, thread, decision, history")
    def api_case(case_id: int):
        try:
            with engine().connect() as conn:
                found = cases_panel.case_history(conn, config, case_id)
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"cases not yet available: {exc}") from None
        if found is None:
            raise HTTPException(status_code=404, detail="no such case")
        return found

    @app.get("/cases/{case_id}", response_class=HTMLResponse, include_in_schema=False)
    def case(request: Request, case_id: int, who: Officer):
        try:
            with engine().connect() as conn:
                found = cases_panel.case_history(conn, config, case_id)
                replies = reply_panel.case_replies_view(conn, config, case_id)
        except Unavailable as exc:
            return unavailable(request, "Cases", str(exc))
        if found is None:
            raise HTTPException(status_code=404, detail="no such case")
        return page(request, "case.html", f"Case {found['case']['ref']}", tz=config.tz,
                    signed_in=who, **cases_panel.allocation_choices(config), **found, **replies)

    def allocate(case_id: int, who: str, act) -> dict:
        from council_social.cases.allocate import Refused

        try:
            with engine().begin() as conn:
                return {"case_id": case_id, "done": act(conn, now())}
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"cases not yet available: {exc}") from None
        except Refused as exc:
            status = 404 if str(exc).startswith("no case") else (
                409 if "already" in str(exc) else 422)
            raise HTTPException(status_code=status, detail=str(exc)) from None

    @app.post("/api/cases/{case_id}/assign", tags=["cases"], dependencies=[Depends(same_origin)],
              summary="Give a case to an officer (their team owns it) or to a team's lead officer")
    def api_case_assign(case_id: int, body: CaseAssignment, who: Officer):
        from council_social.cases.allocate import assign

        return allocate(case_id, who, lambda conn, at: assign(
            conn, config, case_id, to=body.to, note=body.note, at=at,
            officer=cases_panel.acting_officer(config, body.officer, who)))

    @app.post("/api/cases/{case_id}/close", tags=["cases"], dependencies=[Depends(same_origin)],
              summary="Close a case that needs no reply, with the reason")
    def api_case_close(case_id: int, body: CaseClosing, who: Officer):
        from council_social.cases.allocate import close_with_reason

        return allocate(case_id, who, lambda conn, at: close_with_reason(
            conn, config, case_id, reason=body.reason, note=body.note, at=at,
            officer=cases_panel.acting_officer(config, body.officer, who)))

    @app.get("/api/cases/{case_id}/replies", tags=["cases"],
             summary="Replies queued or sent from this case, and the saved replies to choose from")
    def api_case_replies(case_id: int):
        try:
            with engine().connect() as conn:
                return reply_panel.case_replies_view(conn, config, case_id)
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"cases not yet available: {exc}") from None

    @app.post("/api/cases/{case_id}/replies", status_code=201, tags=["cases"],
              summary="Answer in the thread: checked, queued, sent by send_replies within a minute",
              dependencies=[Depends(same_origin)])
    def api_case_queue_reply(case_id: int, body: reply_panel.ReplyForm, who: Officer):
        return reply_panel.queue_from_page(engine, config, case_id, body, who, now())

    @app.post("/api/cases/{case_id}/reply", status_code=201, tags=["cases"],
              summary="Record a reply made elsewhere (phone, email, another account)",
              dependencies=[Depends(same_origin)])
    def api_case_reply(case_id: int, body: CaseReply, who: Officer):
        moment = now()
        try:
            with engine().begin() as conn:
                done = cases_panel.record_reply(conn, case_id, at=body.at or moment, channel=body.channel,
                                                officer=who, note=body.note, now=moment)
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"cases not yet available: {exc}") from None
        except TimeRefused as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        if done is None:
            raise HTTPException(status_code=404, detail="no such case")
        if not done:
            raise HTTPException(status_code=409, detail="this case already has its response recorded")
        return {"case_id": case_id, "recorded": True, "by": who}

    # --- grid --------------------------------------------------------------------------------

    @app.get("/api/grid", tags=["grid"], summary="The current and next fortnight, unplaced entries, purdah")
    def api_grid():
        try:
            with engine().connect() as conn:
                return grid_panel.grid_view(conn, config, today())
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"grid not yet available: {exc}") from None

    @app.get("/grid", response_class=HTMLResponse, include_in_schema=False)
    def grid(request: Request):
        try:
            with engine().connect() as conn:
                data = grid_panel.grid_view(conn, config, today())
        except Unavailable as exc:
            return unavailable(request, "Grid", str(exc))
        return page(request, "grid.html", "Communications grid", **data)

    @app.post("/api/grid/entries/{key}/approve", tags=["grid"], dependencies=[Depends(same_origin)],
              summary="Approve a submitted planner entry (grid.approvers only, not its submitter)")
    def api_grid_approve(key: str, who: Officer, body: Decision | None = None):
        from council_social.grid.approvals import ApprovalError, approve

        try:
            with engine().begin() as conn:
                return approve(conn, config, key, who, now(), reason=body.reason if body else None)
        except ApprovalError as exc:
            raise HTTPException(status_code=APPROVAL_STATUS[exc.kind], detail=str(exc)) from None

    @app.post("/api/grid/entries/{key}/reject", tags=["grid"], dependencies=[Depends(same_origin)],
              summary="Reject a submitted planner entry, with a reason")
    def api_grid_reject(key: str, body: Decision, who: Officer):
        from council_social.grid.approvals import ApprovalError, reject

        if not body.reason:
            raise HTTPException(status_code=422, detail="a rejection needs a reason")
        try:
            with engine().begin() as conn:
                return reject(conn, config, key, who, body.reason, now())
        except ApprovalError as exc:
            raise HTTPException(status_code=APPROVAL_STATUS[exc.kind], detail=str(exc)) from None

    # --- archive -----------------------------------------------------------------------------

    def archive_query(q: str | None = None, date_from: date | None = None, date_to: date | None = None,
                      account: str | None = None, author: str | None = None, platform: str | None = None):
        return {"q": q or "", "date_from": date_from, "date_to": date_to, "account": account or "",
                "author": author or "", "platform": platform or ""}

    ArchiveQuery = Annotated[dict, Depends(archive_query)]

    def _query(a: dict, limit: int | None = 200):
        return archive_panel.search_query(a["q"], a["date_from"], a["date_to"], a["account"], a["author"],
                                          a["platform"], limit=limit)

    @app.get("/api/archive", tags=["archive"], summary="Search the archive (FoI), with the chain's verify status")
    def api_archive(a: ArchiveQuery, verify: bool = False):
        try:
            with engine().connect() as conn:
                found = archive_panel.archive_search(conn, config, _query(a))
            status = archive_panel.verify_status(engine(), config) if verify else None
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"archive not yet available: {exc}") from None
        return {"query": a, "items": found, "verify": status}

    @app.get("/archive", response_class=HTMLResponse, include_in_schema=False)
    def archive(request: Request, a: ArchiveQuery):
        try:
            searched = any(a[k] for k in ("q", "date_from", "date_to", "account", "author", "platform"))
            with engine().connect() as conn:
                found = archive_panel.archive_search(conn, config, _query(a)) if searched else []
            status = archive_panel.verify_status(engine(), config)
        except Unavailable as exc:
            return unavailable(request, "Archive", str(exc))
        from urllib.parse import urlencode

        export_qs = urlencode({k: v for k, v in a.items() if v})
        return page(request, "archive.html", "Archive", a=a, items=found, searched=searched, verify=status,
                    export_qs=export_qs, accounts=[x.key for x in config.accounts])

    @app.get("/archive/export.zip", tags=["archive"], summary="The FoI export bundle (zip) for a search",
             response_class=FileResponse)
    def archive_export(a: ArchiveQuery):
        folder = Path(tempfile.mkdtemp(prefix="council-social-export-", dir=export_dir))
        out = folder / "export.zip"
        try:
            archive_panel.export_zip(engine(), config, _query(a, limit=None), out)
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"archive not yet available: {exc}") from None
        stamp = now().strftime("%Y%m%dT%H%M%SZ")
        return FileResponse(out, media_type="application/zip", filename=f"foi-export-{stamp}.zip",
                            background=BackgroundTask(_remove, folder))

    # --- reports -----------------------------------------------------------------------------

    @app.get("/api/reports", tags=["reports"], summary="The weekly report's figures (default: last full week)")
    def api_reports(week: date | None = None):
        with engine().connect() as conn:
            data = reports_panel.reports_view(conn, config, today(), week)
        data.pop("rows", None)
        return data

    @app.get("/api/metrics", tags=["reports"], summary="metrics_daily rows for a range of local days")
    def api_metrics(date_from: date, date_to: date):
        with engine().connect() as conn:
            return {"metrics": reports_panel.metrics_json(conn, date_from, date_to)}

    @app.get("/reports", response_class=HTMLResponse, include_in_schema=False)
    def reports(request: Request, week: date | None = None):
        with engine().connect() as conn:
            data = reports_panel.reports_view(conn, config, today(), week)
        base = request.scope.get("root_path", "").rstrip("/")
        week_start = data["week_start"]
        return page(request, "reports.html", "Reports", **data,
                    chart_src=lambda name: f"{base}/reports/charts/{week_start.isoformat()}/{name}.png")

    @app.get("/reports/charts/{week}/{name}.png", tags=["reports"], summary="One of the weekly charts",
             response_class=Response)
    def report_chart(week: date, name: str):
        from council_social.reports.charts import CHARTS, render_chart
        from council_social.reports.weekly import week_rows

        if name == "campaigns":  # the council's own hashtags (promotion)
            from council_social.promotion.report import campaign_chart, campaign_rows

            with engine().connect() as conn:
                return Response(campaign_chart(campaign_rows(conn, week)), media_type="image/png")
        if name not in CHARTS:
            raise HTTPException(status_code=404, detail="no such chart")
        with engine().connect() as conn:
            rows = week_rows(conn, week)
        return Response(render_chart(name, rows), media_type="image/png")

    @app.exception_handler(ValidationError)
    def _bad_filter(request: Request, exc: ValidationError):
        return JSONResponse({"detail": [e["msg"] for e in exc.errors()]}, status_code=422)

    @app.exception_handler(OverflowError)
    def _date_out_of_range(request: Request, exc: OverflowError):
        # e.g. ?week=9999-12-27: a valid date whose next week is past the calendar's end
        return JSONResponse({"detail": f"a date in the request is out of range: {exc}"}, status_code=400)

    return app


def _remove(folder: Path) -> None:
    import shutil

    shutil.rmtree(folder, ignore_errors=True)

"""The triage queue: decisions under the current rules, a page at a time, and corrections."""

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from council_social.views.pages import Pages
from council_social.views.queries import count_decisions, list_decisions
from council_social.views.security import same_origin
from council_social.views.triage_queue import (
    FLAGS,
    OUTCOMES,
    Correction,
    TriageFilter,
    record_correction,
)


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


Filter = Annotated[TriageFilter, Depends(triage_filter)]


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    Officer = pages.officer
    config = pages.config

    @routes.get("/api/triage", response_model=TriageQueue, tags=["triage"],
                summary="Triage decisions under the current rules, newest first, a page at a time")
    def api_triage(f: Filter):
        with pages.engine().connect() as conn:
            return {"filters": f, "total": count_decisions(conn, config, f),
                    "decisions": list_decisions(conn, config, f)}

    @routes.get("/triage", response_class=HTMLResponse, include_in_schema=False)
    def triage(request: Request, f: Filter):
        with pages.engine().connect() as conn:
            rows = list_decisions(conn, config, f)
            total = count_decisions(conn, config, f)
        pages_of_rows = max(1, -(-total // f.limit))
        query = {k: v for k, v in request.query_params.items() if k != "page"}
        return pages.page(request, "triage.html", "Triage queue", rows=rows, f=f, total=total,
                          pages=pages_of_rows, query=query, outcomes=OUTCOMES, flags=FLAGS,
                          teams=[t.key for t in config.teams], accounts=[a.key for a in config.accounts],
                          platforms=sorted({a.platform for a in config.accounts}))

    @routes.post("/api/triage/{platform}/{external_id}/correction", status_code=201, tags=["triage"],
                 summary="Correct a decision's outcome or criticality (stored as feedback)",
                 dependencies=[Depends(same_origin)])
    def api_correct(platform: str, external_id: str, body: Correction, who: Officer):
        with pages.engine().begin() as conn:
            saved = record_correction(conn, config, platform, external_id, body, who, pages.now())
        if saved is None:
            raise HTTPException(status_code=404, detail="no decision for that item under the current rules")
        return saved

    return routes

""""Help the model" (issue 28): the day's posts the criticality model is least sure about."""

from datetime import date

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from council_social.views.pages import Pages
from council_social.views.triage_help import least_sure


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()

    @routes.get("/api/triage/help", tags=["triage"],
                summary="The day's posts the criticality model is least sure about, to confirm or correct")
    def api_triage_help(day: date | None = None):
        day = day or pages.today()
        with pages.engine().connect() as conn:
            return {"day": day, "posts": least_sure(conn, pages.config, day)}

    @routes.get("/triage/help", response_class=HTMLResponse, include_in_schema=False)
    def triage_help(request: Request, day: date | None = None):
        day = day or pages.today()
        with pages.engine().connect() as conn:
            rows = least_sure(conn, pages.config, day)
        return pages.page(request, "triage_help.html", "Help the model", rows=rows, day=day)

    return routes

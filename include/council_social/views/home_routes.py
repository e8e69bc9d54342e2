"""Home (what needs doing now) and the last day's quarantine, as pages and JSON."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from council_social.views import home_panel
from council_social.views.pages import Pages


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    Officer = pages.officer

    @routes.get("/api/home", tags=["home"], summary="What needs doing now, each figure with its view's link")
    def api_home():
        with pages.engine().connect() as conn:
            return home_panel.home_view(conn, pages.config, pages.now())

    @routes.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index(request: Request, who: Officer):
        with pages.engine().connect() as conn:
            data = home_panel.home_view(conn, pages.config, pages.now())
        return pages.page(request, "index.html", "What needs doing now", officer=who, home=data)

    @routes.get("/api/quarantine", tags=["home"], summary="Records quarantined in the last day")
    def api_quarantine(reason: str | None = None):
        with pages.engine().connect() as conn:
            return {"reason": reason,
                    "records": home_panel.quarantine_rows(conn, pages.now(), reason or None)}

    @routes.get("/quarantine", response_class=HTMLResponse, include_in_schema=False)
    def quarantine(request: Request, reason: str | None = None):
        with pages.engine().connect() as conn:
            rows = home_panel.quarantine_rows(conn, pages.now(), reason or None)
        return pages.page(request, "quarantine.html", "Quarantined in the last day", rows=rows,
                          reason=reason or "")

    return routes

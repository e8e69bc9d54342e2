"""The operator views as one FastAPI app: HTML pages and the same data as JSON.

`create_app(engine_factory, officer=...)`: `officer` is a FastAPI dependency
that returns the signed-in officer's name (the Airflow plugin passes one built
on Airflow's own login); every route depends on it, so nothing is served to
someone who is not signed in. `dev_mode=True` (the `views serve` command)
serves without login and says so on every page.

Each page is one router beside its panel module (`home_routes` beside
`home_panel`, ...); this module only assembles them with the shared middleware,
security and error handlers.
"""


from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

from fastapi import Depends, FastAPI, HTTPException, Request
from fastapi.exception_handlers import http_exception_handler
from fastapi.responses import JSONResponse, RedirectResponse
from fastapi.staticfiles import StaticFiles
from pydantic import ValidationError
from starlette.exceptions import HTTPException as StarletteHTTPException

from council_social.views import (
    accounts_routes,
    archive_routes,
    case_routes,
    cases_routes,
    grid_routes,
    home_routes,
    moderation_routes,
    promotion_routes,
    reports_routes,
    triage_help_routes,
    triage_queue_routes,
)
from council_social.views.pages import HERE, VIEWS, Pages
from council_social.views.security import BodyLimit, SecurityHeaders

# In this order: the cases list's /api/cases/backlog/close before the case page's
# /api/cases/{case_id}/... routes.
PAGES = (home_routes, accounts_routes, promotion_routes, moderation_routes, triage_queue_routes,
         triage_help_routes, cases_routes, case_routes, grid_routes, archive_routes, reports_routes)

__all__ = ["VIEWS", "api_operations", "create_app"]


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
    Officer = Annotated[str, Depends(officer_dep)]
    pages = Pages(engine_factory, config, Officer, clock or (lambda: datetime.now(UTC)),
                  dev_mode=dev_mode, export_dir=export_dir)

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
        return pages.page(request, "api_docs.html", "API documentation",
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

    for module in PAGES:
        app.include_router(module.router(pages))

    @app.exception_handler(ValidationError)
    def _bad_filter(request: Request, exc: ValidationError):
        return JSONResponse({"detail": [e["msg"] for e in exc.errors()]}, status_code=422)

    @app.exception_handler(OverflowError)
    def _date_out_of_range(request: Request, exc: OverflowError):
        # e.g. ?week=9999-12-27: a valid date whose next week is past the calendar's end
        return JSONResponse({"detail": f"a date in the request is out of range: {exc}"}, status_code=400)

    return app

"""Moderation: the house rules and the log of hidden, reported and deleted comments."""

from typing import Literal

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from council_social.views.pages import Pages

Action = Literal["hide", "report", "delete"]


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()

    @routes.get("/api/moderation", tags=["moderation"], summary="The moderation log, newest first")
    def api_moderation(action: Action | None = None):
        from council_social.moderation.actions import list_actions

        with pages.engine().connect() as conn:
            return {"house_rules": [r.model_dump() for r in pages.config.house_rules],
                    "actions": list_actions(conn, action=action)}

    @routes.get("/moderation", response_class=HTMLResponse, include_in_schema=False)
    def moderation(request: Request, action: Action | None = None):
        from council_social.moderation.actions import list_actions

        with pages.engine().connect() as conn:
            rows = list_actions(conn, action=action)
        return pages.page(request, "moderation.html", "Moderation", rows=rows, action=action or "",
                          rules=pages.config.house_rules)

    return routes

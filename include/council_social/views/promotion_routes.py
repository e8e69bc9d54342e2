"""Promotion: follow-back suggestions (followed or dismissed here), trends, campaigns,
competitions."""

from typing import Literal

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from council_social.views import promotion_panel
from council_social.views.availability import Unavailable
from council_social.views.pages import Decision, Pages
from council_social.views.security import same_origin


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    Officer = pages.officer

    @routes.get("/api/promotion", tags=["promotion"],
                summary="Follow-back suggestions, local trends, campaign hashtags, competitions")
    def api_promotion():
        with pages.available("promotion"), pages.engine().connect() as conn:
            return promotion_panel.promotion_view(conn, pages.config, pages.today())

    @routes.get("/promotion", response_class=HTMLResponse, include_in_schema=False)
    def promotion(request: Request):
        try:
            with pages.engine().connect() as conn:
                data = promotion_panel.promotion_view(conn, pages.config, pages.today())
        except Unavailable as exc:
            return pages.unavailable(request, "Promotion", str(exc))
        return pages.page(request, "promotion.html", "Promotion", **data)

    @routes.post("/api/promotion/follow-back/{account}/{user_id}/{action}", status_code=201,
                 tags=["promotion"], dependencies=[Depends(same_origin)],
                 summary="Record that a suggestion was followed on the platform, or dismiss it")
    def api_promotion_decide(account: str, user_id: str, action: Literal["followed", "dismiss"],
                             who: Officer, body: Decision | None = None):
        reason = body.reason if body else None
        try:
            decision = promotion_panel.decide(pages.engine(), pages.config, account, user_id,
                                              "followed" if action == "followed" else "dismissed",
                                              who, reason, pages.now())
        except ValueError as exc:
            raise HTTPException(status_code=422, detail=str(exc)) from None
        return {"decision": decision}

    return routes

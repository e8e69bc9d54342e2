"""The communications grid: this fortnight and the next, and approving planner entries."""

from fastapi import APIRouter, Depends, HTTPException, Request
from fastapi.responses import HTMLResponse

from council_social.views import grid_panel
from council_social.views.availability import Unavailable
from council_social.views.pages import Decision, Pages
from council_social.views.security import same_origin

# An approval refused: not this officer's to make, no such entry, not waiting for one.
APPROVAL_STATUS = {"who": 403, "missing": 404, "state": 409}


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    Officer = pages.officer
    config = pages.config

    @routes.get("/api/grid", tags=["grid"], summary="The current and next fortnight, unplaced entries, purdah")
    def api_grid():
        with pages.available("grid"), pages.engine().connect() as conn:
            return grid_panel.grid_view(conn, config, pages.today())

    @routes.get("/grid", response_class=HTMLResponse, include_in_schema=False)
    def grid(request: Request):
        try:
            with pages.engine().connect() as conn:
                data = grid_panel.grid_view(conn, config, pages.today())
        except Unavailable as exc:
            return pages.unavailable(request, "Grid", str(exc))
        return pages.page(request, "grid.html", "Communications grid", **data)

    @routes.post("/api/grid/entries/{key}/approve", tags=["grid"], dependencies=[Depends(same_origin)],
                 summary="Approve a submitted planner entry (grid.approvers only, not its submitter)")
    def api_grid_approve(key: str, who: Officer, body: Decision | None = None):
        from council_social.grid.approvals import ApprovalError, approve

        try:
            with pages.engine().begin() as conn:
                return approve(conn, config, key, who, pages.now(), reason=body.reason if body else None)
        except ApprovalError as exc:
            raise HTTPException(status_code=APPROVAL_STATUS[exc.kind], detail=str(exc)) from None

    @routes.post("/api/grid/entries/{key}/reject", tags=["grid"], dependencies=[Depends(same_origin)],
                 summary="Reject a submitted planner entry, with a reason")
    def api_grid_reject(key: str, body: Decision, who: Officer):
        from council_social.grid.approvals import ApprovalError, reject

        if not body.reason:
            raise HTTPException(status_code=422, detail="a rejection needs a reason")
        try:
            with pages.engine().begin() as conn:
                return reject(conn, config, key, who, body.reason, pages.now())
        except ApprovalError as exc:
            raise HTTPException(status_code=APPROVAL_STATUS[exc.kind], detail=str(exc)) from None

    return routes

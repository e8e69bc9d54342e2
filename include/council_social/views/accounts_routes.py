"""Accounts: the account registry and requests for new accounts (governance)."""

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from council_social.views.pages import Pages


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()

    @routes.get("/api/accounts", tags=["governance"],
                summary="The account registry and requests for new accounts")
    def api_accounts(dormant: bool = False):
        from council_social.governance.accounts import list_accounts

        with pages.engine().begin() as conn:
            return list_accounts(conn, pages.config, pages.now(), dormant_only=dormant)

    @routes.get("/accounts", response_class=HTMLResponse, include_in_schema=False)
    def accounts(request: Request, dormant: bool = False):
        from council_social.governance.accounts import list_accounts

        with pages.engine().begin() as conn:
            data = list_accounts(conn, pages.config, pages.now(), dormant_only=dormant)
        return pages.page(request, "accounts.html", "Accounts", dormant=dormant, **data)

    return routes

"""Headers every response carries, and the same-origin check on every state-changing request.

Post text and names are hostile: templates escape them (autoescape), and the
Content-Security-Policy forbids inline script, so even a template mistake
cannot run a planted <script>. The views may only be framed by the Airflow UI
they are served from (frame-ancestors 'self').
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from fastapi import HTTPException, Request
from fastapi.responses import JSONResponse
from starlette.middleware.base import BaseHTTPMiddleware

CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'self'")
HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Cross-Origin-Opener-Policy": "same-origin",
}


# The dev server (`views serve`) answers only these Host names (any port): a page on another
# site cannot reach it through DNS rebinding.
DEV_HOSTS = ["127.0.0.1", "localhost"]
# No filter needs more; a longer query is refused before any view parses it.
MAX_QUERY_BYTES = 4096
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def query_problem(request: Request) -> str | None:
    """Why the query string cannot be a filter (NUL and other control characters, size)."""
    if len(request.scope.get("query_string", b"")) > MAX_QUERY_BYTES:
        return f"the query string is longer than {MAX_QUERY_BYTES} bytes"
    for key, value in request.query_params.multi_items():
        if _CONTROL.search(key) or _CONTROL.search(value):
            return f"query parameter {key[:40]!r} contains a control character (such as NUL)"
    return None


class SecurityHeaders(BaseHTTPMiddleware):
    async def dispatch(self, request: Request, call_next):
        problem = query_problem(request)
        response = (JSONResponse({"detail": problem}, status_code=400) if problem
                    else await call_next(request))
        response.headers["Content-Security-Policy"] = CSP
        for name, value in HEADERS.items():
            response.headers.setdefault(name, value)
        if "text/html" in response.headers.get("content-type", ""):
            response.headers.setdefault("Cache-Control", "no-store")
        return response


# A correction, a reply note or a decision is a few kilobytes of JSON; a bigger body is
# refused with 413 before any view reads it (and before a 422 could echo it back).
MAX_BODY_BYTES = 64 * 1024


class BodyLimit:
    """Pure ASGI middleware: refuse a request body over `limit` bytes with 413, by its
    Content-Length at once, or as it streams in (a chunked upload has no length). The
    body (small by then) is read here first and handed on whole."""

    def __init__(self, app, limit: int = MAX_BODY_BYTES):
        self.app, self.limit = app, limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length", b"0")
        if not length.isdigit() or int(length) > self.limit:
            return await self._refuse(scope, receive, send)
        chunks, size, more = [], 0, True
        while more:
            message = await receive()
            if message["type"] != "http.request":  # the client went away
                return None
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self.limit:
                return await self._refuse(scope, receive, send)
            more = message.get("more_body", False)
        body, replayed = b"".join(chunks), False

        async def replay():
            nonlocal replayed
            if replayed:
                return await receive()  # after the body: the disconnect, when it comes
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    async def _refuse(self, scope, receive, send):
        response = JSONResponse(
            {"detail": f"the request body is larger than {self.limit // 1024} KiB"},
            status_code=413, headers={"Connection": "close"})
        await response(scope, receive, send)


def same_origin(request: Request) -> None:
    """Refuse a state-changing request another site's page made with the officer's cookie."""
    if request.headers.get("sec-fetch-site") == "cross-site":
        raise HTTPException(status_code=403, detail="cross-site request refused")
    origin = request.headers.get("origin")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host"):
        raise HTTPException(status_code=403, detail="cross-origin request refused")
    if origin == "null":
        raise HTTPException(status_code=403, detail="opaque-origin request refused")

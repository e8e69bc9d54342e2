"""What every page's router shares: the database, council.yaml, the clock, the signed-in
officer, and the templates (autoescaped: post text and names are hostile).

`create_app` builds one `Pages` and hands it to each page's `router(pages)`.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from council_social.views.availability import Unavailable

HERE = Path(__file__).parent
VIEWS = (("triage", "Triage queue"), ("cases", "Cases"), ("grid", "Grid"), ("archive", "Archive"),
         ("reports", "Reports"), ("accounts", "Accounts"), ("moderation", "Moderation"),
         ("promotion", "Promotion"))


@lru_cache(maxsize=1)
def templates():
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader([HERE / "templates", HERE.parent / "reports" / "templates"]),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


# An officer's yes/no on a page (approve, reject, dismiss), with an optional reason.
class Decision(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: str | None = Field(default=None, max_length=2000)


@dataclass(frozen=True)
class Pages:
    engine_factory: Callable
    config: Any
    # Annotated[str, Depends(...)]: a route's `who: pages.officer` is the signed-in officer.
    officer: Any
    clock: Callable[[], datetime]
    dev_mode: bool = False
    export_dir: Path | None = None

    def engine(self):
        return self.engine_factory()

    def now(self) -> datetime:
        return self.clock()

    def today(self) -> date:
        return self.now().astimezone(self.config.tz).date()

    def page(self, request: Request, template: str, title: str, **context) -> HTMLResponse:
        values = {"council": self.config.council.name, **context}
        html = templates().get_template(template).render(
            values, base=request.scope.get("root_path", "").rstrip("/"), title=title, views=VIEWS,
            dev_mode=self.dev_mode)
        return HTMLResponse(html)

    def unavailable(self, request: Request, title: str, reason: str) -> HTMLResponse:
        return self.page(request, "unavailable.html", title, reason=reason)

    @contextmanager
    def available(self, what: str) -> Iterator[None]:
        """For the JSON routes: a capability missing here answers 503 "... not yet available"."""
        try:
            yield
        except Unavailable as exc:
            raise HTTPException(status_code=503, detail=f"{what} not yet available: {exc}") from None

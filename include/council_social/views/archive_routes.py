"""The archive: search for FoI officers, the chain's verify status, the export bundle."""

import shutil
import tempfile
from datetime import date
from pathlib import Path
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import FileResponse, HTMLResponse
from starlette.background import BackgroundTask

from council_social.views import archive_panel
from council_social.views.availability import Unavailable
from council_social.views.pages import Pages


def archive_query(q: str | None = None, date_from: date | None = None, date_to: date | None = None,
                  account: str | None = None, author: str | None = None, platform: str | None = None):
    return {"q": q or "", "date_from": date_from, "date_to": date_to, "account": account or "",
            "author": author or "", "platform": platform or ""}


ArchiveQuery = Annotated[dict, Depends(archive_query)]


def search(a: dict, limit: int | None = 200):
    return archive_panel.search_query(a["q"], a["date_from"], a["date_to"], a["account"], a["author"],
                                      a["platform"], limit=limit)


def remove(folder: Path) -> None:
    shutil.rmtree(folder, ignore_errors=True)


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    config = pages.config

    @routes.get("/api/archive", tags=["archive"], summary="Search the archive (FoI), with the chain's verify status")
    def api_archive(a: ArchiveQuery, verify: bool = False):
        with pages.available("archive"):
            with pages.engine().connect() as conn:
                found = archive_panel.archive_search(conn, config, search(a))
            status = archive_panel.verify_status(pages.engine(), config) if verify else None
        return {"query": a, "items": found, "verify": status}

    @routes.get("/archive", response_class=HTMLResponse, include_in_schema=False)
    def archive(request: Request, a: ArchiveQuery):
        try:
            searched = any(a[k] for k in ("q", "date_from", "date_to", "account", "author", "platform"))
            with pages.engine().connect() as conn:
                found = archive_panel.archive_search(conn, config, search(a)) if searched else []
            status = archive_panel.verify_status(pages.engine(), config)
        except Unavailable as exc:
            return pages.unavailable(request, "Archive", str(exc))
        export_qs = urlencode({k: v for k, v in a.items() if v})
        return pages.page(request, "archive.html", "Archive", a=a, items=found, searched=searched,
                          verify=status, export_qs=export_qs, accounts=[x.key for x in config.accounts])

    @routes.get("/archive/export.zip", tags=["archive"], summary="The FoI export bundle (zip) for a search",
                response_class=FileResponse)
    def archive_export(a: ArchiveQuery):
        folder = Path(tempfile.mkdtemp(prefix="council-social-export-", dir=pages.export_dir))
        out = folder / "export.zip"
        with pages.available("archive"):
            archive_panel.export_zip(pages.engine(), config, search(a, limit=None), out)
        stamp = pages.now().strftime("%Y%m%dT%H%M%SZ")
        return FileResponse(out, media_type="application/zip", filename=f"foi-export-{stamp}.zip",
                            background=BackgroundTask(remove, folder))

    return routes

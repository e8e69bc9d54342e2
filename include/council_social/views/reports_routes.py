"""Reports: the weekly report's page and figures, daily metrics, and the charts."""

from datetime import date

from fastapi import APIRouter, HTTPException, Request
from fastapi.responses import HTMLResponse, Response

from council_social.views import reports_panel
from council_social.views.pages import Pages


def router(pages: Pages) -> APIRouter:
    routes = APIRouter()
    config = pages.config

    @routes.get("/api/reports", tags=["reports"], summary="The weekly report's figures (default: last full week)")
    def api_reports(week: date | None = None):
        with pages.engine().connect() as conn:
            data = reports_panel.reports_view(conn, config, pages.today(), week)
        data.pop("rows", None)
        return data

    @routes.get("/api/metrics", tags=["reports"], summary="metrics_daily rows for a range of local days")
    def api_metrics(date_from: date, date_to: date):
        with pages.engine().connect() as conn:
            return {"metrics": reports_panel.metrics_json(conn, date_from, date_to)}

    @routes.get("/reports", response_class=HTMLResponse, include_in_schema=False)
    def reports(request: Request, week: date | None = None):
        with pages.engine().connect() as conn:
            data = reports_panel.reports_view(conn, config, pages.today(), week)
        base = request.scope.get("root_path", "").rstrip("/")
        week_start = data["week_start"]
        return pages.page(request, "reports.html", "Reports", **data,
                          chart_src=lambda name: f"{base}/reports/charts/{week_start.isoformat()}/{name}.png")

    @routes.get("/reports/charts/{week}/{name}.png", tags=["reports"], summary="One of the weekly charts",
                response_class=Response)
    def report_chart(week: date, name: str):
        from council_social.reports.charts import CHARTS, render_chart
        from council_social.reports.weekly import week_rows

        if name == "campaigns":  # the council's own hashtags (promotion)
            from council_social.promotion.report import campaign_chart, campaign_rows

            with pages.engine().connect() as conn:
                return Response(campaign_chart(campaign_rows(conn, week)), media_type="image/png")
        if name not in CHARTS:
            raise HTTPException(status_code=404, detail="no such chart")
        with pages.engine().connect() as conn:
            rows = week_rows(conn, week)
        return Response(render_chart(name, rows), media_type="image/png")

    return routes

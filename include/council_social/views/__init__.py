"""Operator views: the triage queue, cases, grid, archive and reports, as HTML and JSON.

`app.create_app(engine_factory, officer=...)` builds the FastAPI app that the
Airflow plugin mounts (behind Airflow's login) and that `council-social views
serve` runs standalone for local, dev-only use. Each page is a `<page>_panel`
module that returns plain dicts and a `<page>_routes` router beside it; the
SQL only a page needs is in `queries`. Templates escape everything (post text
and names are hostile).
"""

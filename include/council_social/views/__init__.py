"""Operator views: the triage queue, cases, grid, archive and reports, as HTML and JSON.

`app.create_app(engine_factory, officer=...)` builds the FastAPI app that the
Airflow plugin mounts (behind Airflow's login) and that `council-social views
serve` runs standalone for local, dev-only use. Each panel module returns
plain dicts; templates escape everything (post text and names are hostile).
"""

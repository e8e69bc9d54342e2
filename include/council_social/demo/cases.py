"""The demo's response-cases stage: run response_watch at the demo's end and summarise per team."""

from __future__ import annotations

import os


def _has_connection(conn_id: str) -> bool:
    # The demo's Airflow metadata is fresh: a Connection can only come from the environment.
    return bool(os.environ.get(f"AIRFLOW_CONN_{conn_id.upper()}"))


def summary_lines(conn) -> list[str]:
    from sqlalchemy import text

    rows = conn.execute(text("""
        SELECT team,
               count(*) FILTER (WHERE status <> 'backlog') AS opened,
               count(*) FILTER (WHERE status = 'backlog') AS backlog,
               count(responded_at) AS responded,
               count(*) FILTER (WHERE status IN ('overdue', 'escalated')) AS overdue
        FROM social.cases GROUP BY team ORDER BY team
    """)).all()
    lines = [f"{'cases by team':<22}{'opened':>8}{'backlog':>9}{'responded':>11}{'overdue':>9}"]
    lines += [f"  {r.team:<20}{r.opened:>8}{r.backlog:>9}{r.responded:>11}{r.overdue:>9}"
              for r in rows]
    lines.append(f"  {'total':<20}{sum(r.opened for r in rows):>8}{sum(r.backlog for r in rows):>9}"
                 f"{sum(r.responded for r in rows):>11}{sum(r.overdue for r in rows):>9}")
    foi = conn.execute(text("""
        SELECT count(*) AS cases, count(*) FILTER (WHERE d.foi_requests > 0) AS with_case
        FROM (SELECT DISTINCT platform, external_id FROM social.triage_decisions
              WHERE 'foi' = ANY(flags)) f
        CROSS JOIN LATERAL (SELECT count(*) AS foi_requests FROM social.cases c
                            WHERE c.platform = f.platform AND c.external_id = f.external_id
                              AND c.kind = 'foi') d
    """)).one()
    lines.append(f"  FoI requests triaged {foi.cases}, with an FoI case and its legal deadline "
                 f"{foi.with_case}; one case per item (an FoI inside a complaint carries it)")
    return lines


def run(ctx) -> list[str]:
    from sqlalchemy import text

    from council_social.airflow import OUTBOX_ENV_VAR

    config = ctx.config
    outbox = config.data_dir_path / "demo" / "outbox"
    os.environ[OUTBOX_ENV_VAR] = str(outbox)
    with ctx.engine.connect() as conn:
        decisions = conn.execute(text("SELECT count(*) FROM social.triage_decisions")).scalar()
    lines = []
    if not decisions:
        lines.append("cases          no triage decisions in the store (triage not run yet): "
                     "response_watch has nothing to open")
    # The demo's deployment began at the start of its simulated day: its items open cases
    # (a real first start opens none for what came before it).
    from council_social.cases.watch import mark_open_from

    with ctx.engine.begin() as conn:
        mark_open_from(conn, ctx.start, ctx.end)
    # dag.test() infers the manual data interval ending at the date given: (end - 15 min, end].
    ctx.run_dag("response_watch", ctx.end)
    with ctx.engine.connect() as conn:
        lines += summary_lines(conn)
        digests = conn.execute(text(
            "SELECT count(*) FROM social.case_digests"
            " WHERE interval_end = (SELECT max(interval_end) FROM social.case_digests)"
        )).one()
    conn_id = config.notifications.smtp_connection_id
    if _has_connection(conn_id):
        lines.append(f"digests        {digests[0]} team digest(s) sent through {conn_id}")
    elif digests[0]:
        lines.append(f"digests        {digests[0]} team digest(s); no SMTP Connection {conn_id!r}, "
                     f"so written to {outbox}/*.eml")
    else:  # print no folder that was never written
        lines.append("digests        no team digest to send in this run")
    return lines

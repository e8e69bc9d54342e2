"""Demo stage: import the sample forward planner and publish the communications grid."""

from __future__ import annotations

import dataclasses
from datetime import UTC, date, datetime, time, timedelta

from council_social.grid.placement import monday_of

SAMPLE_PLANNER = "include/config/sample_planner.csv"
# The sample planner is written for the fortnight starting on this Monday.
SAMPLE_ANCHOR = date(2026, 11, 30)
GRID_HOUR_UTC = 6  # communications_grid runs daily at 06:00 UTC


def _shift(entries, days: int):
    from council_social.grid.planner import natural_key

    out = []
    for e in entries:
        earliest, latest = e.earliest + timedelta(days=days), e.latest + timedelta(days=days)
        out.append(dataclasses.replace(e, key=natural_key(e.title, e.owner, earliest),
                                       earliest=earliest, latest=latest))
    return out


def sample_planner(config):
    """The council's sample planner: sample_planner.csv beside its council file, else the
    packaged (Brent) one."""
    if config.source_path is not None:
        beside = config.source_path.parent / "sample_planner.csv"
        if beside.is_file():
            return beside
    return config.project_root / SAMPLE_PLANNER


def run(ctx) -> list[str]:
    from sqlalchemy import func, select

    from council_social.grid.approvals import approve, submit_entries, waiting
    from council_social.grid.planner import read_planner
    from council_social.grid.tables import grid_publications, grid_slots, planner_audit

    config = ctx.config
    entries = read_planner(sample_planner(config), config)
    # Move the sample (by whole weeks, so weekdays stay) to start next Monday.
    local_end = ctx.end.astimezone(config.tz).date()
    shift = (monday_of(local_end) + timedelta(days=7) - SAMPLE_ANCHOR).days
    entries = _shift(entries, shift)
    with ctx.engine.begin() as conn:
        counts = submit_entries(conn, entries, "sample_planner.csv", ctx.end)
        # The services' entries arrive submitted; an approver (not the submitter) approves them.
        approver = config.grid.approvers[0] if config.grid.approvers else None
        pending = waiting(conn) if approver else []
        for e in pending:
            approve(conn, config, e["key"], approver, ctx.end, reason="demo: sample entry")
        audit_rows = conn.execute(select(func.count()).select_from(planner_audit)).scalar()
    built_for = datetime.combine(ctx.end.date(), time(GRID_HOUR_UTC), tzinfo=UTC)
    if built_for > ctx.end:
        built_for -= timedelta(days=1)
    # dag.test infers a manual run's data interval as the one ending at the date given.
    ctx.run_dag("communications_grid", built_for)
    with ctx.engine.connect() as conn:
        pub = conn.execute(select(grid_publications).where(
            grid_publications.c.built_for == built_for)).first()
        missing = conn.execute(select(grid_slots.c.account_key, grid_slots.c.state,
                                      grid_slots.c.why).where(
            grid_slots.c.built_for == built_for,
            grid_slots.c.state.in_(["unplaced", "held"])
        ).order_by(grid_slots.c.account_key, grid_slots.c.why)).all()
    lines = [
        f"planner        {len(entries)} sample entries ({counts['inserted']} new, "
        f"{counts['updated']} updated, {counts['unchanged']} unchanged), dates moved "
        f"{shift:+d} days",
        f"approvals      {counts['submitted']} submitted by services, {len(pending)} approved by "
        f"{approver or '(no grid.approvers)'}; audit log {audit_rows} steps "
        f"(council-social planner approve|reject ENTRY --officer NAME)",
        f"grid           {pub.grid_start} to {pub.grid_end}: {pub.placed} posts placed, "
        f"{pub.unplaced} not placed, {pub.held} held (pre-election)",
    ]
    for row in missing[:8]:
        lines.append(f"  not placed   {row.account_key}: {row.why[:110]}")
    if len(missing) > 8:
        lines.append(f"  ... and {len(missing) - 8} more (see the page)")
    lines.append(f"grid page      {pub.files['html']['latest']}")
    lines.append(f"grid files     {pub.files['csv']['latest']}, {pub.files['ics']['latest']}")
    return lines

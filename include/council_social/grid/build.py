"""Build the fortnightly grid (plan) and publish it as HTML, CSV and iCalendar files.

`plan_grid` and `publish_grid` are the two steps of the communications_grid
DAG; `build_offline` is `council-social grid build`, from a planner file with
no database and default best times.
"""

from __future__ import annotations

import hashlib
import os
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from council_social.grid.best_times import learn
from council_social.grid.ics import render_ics
from council_social.grid.placement import GRID_DAYS, monday_of, place
from council_social.grid.render import GridInput, render_csv, render_html


def grid_start_for(built_for: datetime, timezone: str) -> date:
    """This week and next: the grid starts on the Monday of the week being built in."""
    return monday_of(built_for.astimezone(ZoneInfo(timezone)).date())


def _bounds(grid_start: date, timezone: str) -> tuple[datetime, datetime]:
    tz = ZoneInfo(timezone)
    first = datetime.combine(grid_start, datetime.min.time(), tzinfo=tz)
    return first, first + timedelta(days=GRID_DAYS)


def plan_grid(engine, config, built_for: datetime) -> dict:
    """Learn best times, place the fortnight's entries, store the slots. Idempotent."""
    from council_social.grid import repo as grid_repo

    tz = config.council.timezone
    grid_start = grid_start_for(built_for, tz)
    grid_end = grid_start + timedelta(days=GRID_DAYS - 1)
    first, after = _bounds(grid_start, tz)
    history_start = built_for - timedelta(days=config.grid.history_days)
    with engine.begin() as conn:
        entries = grid_repo.entries_between(conn, grid_start, grid_end)
        posted = grid_repo.posted_between(conn, first, after)
        overrides = grid_repo.overridden_entries(conn)
        best = {a.key: learn(a.key, grid_repo.own_post_history(conn, a, history_start, built_for),
                             config.grid, tz) for a in config.accounts}
        slots = place(entries, config, best, grid_start, cutoff=built_for, posted=posted,
                      overrides=overrides)
        grid_repo.save_grid(conn, grid_start, built_for, grid_end, slots,
                        {k: b.to_json() for k, b in best.items()})
    return {"grid_start": grid_start.isoformat(), "built_for": built_for.isoformat(),
            "placed": sum(s.state in ("placed", "published") for s in slots),
            "unplaced": sum(s.state == "unplaced" for s in slots),
            "held": sum(s.state == "held" for s in slots)}


# How far back the grid lists slots that passed without a post.
MISSED_LOOKBACK = timedelta(days=7)


def publish_grid(engine, config, built_for: datetime, out_dir: Path | None = None) -> dict:
    """Render the stored grid to files under the output folder and record them.

    Approved entries placed in it become `scheduled` (in the same transaction,
    so the page shows it); the slots missed in the week before are listed.
    """
    from council_social.grid import repo as grid_repo

    grid_start = grid_start_for(built_for, config.council.timezone)
    with engine.begin() as conn:
        pub, slots = grid_repo.load_grid(conn, grid_start, built_for)
        scheduled = grid_repo.mark_scheduled(conn, {s.entry_key for s in slots
                                                if s.state == "placed"})
        missed = grid_repo.missed_between(conn, built_for - MISSED_LOOKBACK, built_for)
        keys = {s.entry_key for s in slots} | {m.entry_key for m in missed}
        entries = grid_repo.entries_by_key(conn, keys)
        posted = {(p.entry_key, p.account_key): p.external_id
                  for p in grid_repo.posted_between(conn, *_bounds(grid_start,
                                                               config.council.timezone))}
        g = GridInput(grid_start, built_for, entries, _sorted(slots),
                      {k: v["summary"] for k, v in pub.best_times.items()},
                      config.council.name, config.council.timezone, tuple(missed), posted)
        files = write_grid(g, config, out_dir or config.grid_output_path)
        grid_repo.record_files(conn, grid_start, built_for, files)
    return {"grid_start": grid_start.isoformat(), "files": files, "placed": pub.placed,
            "unplaced": pub.unplaced, "held": pub.held, "scheduled": scheduled,
            "missed": len(missed)}


def _sorted(slots):
    from council_social.grid.placement import slot_order

    return sorted(slots, key=slot_order)


def build_offline(entries, config, grid_start: date, out_dir: Path) -> tuple[dict, list]:
    """The grid from a planner file alone: no history, so default best times."""
    best = {a.key: learn(a.key, [], config.grid, config.council.timezone)
            for a in config.accounts}
    slots = place(entries, config, best, grid_start)
    g = GridInput(grid_start, None, {e.key: e for e in entries}, slots, best,
                  config.council.name, config.council.timezone)
    return write_grid(g, config, out_dir), slots


def write_grid(g: GridInput, config, out_dir: Path) -> dict:
    """grid-<start>.{html,csv,ics} and the stable latest.{html,csv,ics}, written atomically."""
    # A UPath (storage.root as an fsspec URL) is kept as it is.
    out_dir = out_dir if hasattr(out_dir, "joinpath") else Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    bodies = {
        "html": render_html(g, config).encode("utf-8"),
        "csv": render_csv(g, config).encode("utf-8"),
        "ics": render_ics(g, config),
    }
    files = {}
    for kind, body in bodies.items():
        dated = out_dir / f"grid-{g.grid_start.isoformat()}.{kind}"
        for path in (dated, out_dir / f"latest.{kind}"):
            _atomic_write(path, body)
        files[kind] = {"path": _shown(dated), "latest": _shown(out_dir / f"latest.{kind}"),
                       "sha256": hashlib.sha256(body).hexdigest()}
    return files


def _shown(path) -> str:
    return str(path.resolve() if isinstance(path, Path) else path)


def _atomic_write(path: Path, body: bytes) -> None:
    if not isinstance(path, Path):  # object storage writes a whole object at once
        path.write_bytes(body)
        return
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_bytes(body)
    os.replace(tmp, path)

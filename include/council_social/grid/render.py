"""The grid as a printable HTML page (Jinja2, autoescaped) and a CSV file.

Both are pure functions of the placement, the entries and the best times, so
a rerun for the same interval writes the same bytes.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from council_social.grid.placement import Slot, grid_days
from council_social.grid.planner import PlannerEntry
from council_social.safe_text import csv_cell, visible

CSV_COLUMNS = ["date", "day", "time", "account", "platform", "state", "mode", "title", "message",
               "owner", "priority", "campaign", "why", "cover", "flags", "entry_key",
               "entry_status", "posted_id"]


@dataclass(frozen=True)
class GridInput:
    grid_start: date
    built_for: datetime | None
    entries: dict[str, PlannerEntry]
    slots: list[Slot]
    best_times: dict  # account key -> BestTimes or its summary line
    council_name: str
    timezone: str
    # Attempts since the last grid that ended without a post (post_attempts rows).
    missed: tuple = ()
    # (entry key, account key) -> the platform's id of the post, so it can be looked up.
    posted_ids: dict = field(default_factory=dict)


def _jinja():
    from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

    env = Environment(loader=PackageLoader("council_social.grid", "templates"),
                      autoescape=select_autoescape(default=True, default_for_string=True),
                      undefined=StrictUndefined, trim_blocks=True, lstrip_blocks=True)
    env.filters["visible"] = visible
    return env


def _row(g: GridInput, s: Slot, accounts: dict) -> dict:
    e = g.entries.get(s.entry_key)
    local = s.slot_at.astimezone(ZoneInfo(g.timezone)) if s.slot_at else None
    account = accounts.get(s.account_key)
    return {
        "date": local.date().isoformat() if local else "",
        "day": f"{local:%a}" if local else "",
        "time": f"{local:%H:%M}" if local else "",
        "account": s.account_key,
        "platform": account.platform if account else "",
        "state": s.state, "mode": s.mode or "",
        "title": e.title if e else s.entry_key, "message": e.message if e else "",
        "owner": e.owner if e else "", "priority": e.priority if e else "",
        "campaign": e.campaign if e else "", "why": s.why, "cover": s.cover or "",
        "flags": ";".join(s.flags), "entry_key": s.entry_key,
        "entry_status": e.status if e else "",
        "posted_id": g.posted_ids.get((s.entry_key, s.account_key)) or "",
        "press_release": e.press_release_url if e else None,
        "local": local,
    }


def grid_context(g: GridInput, config) -> dict:
    accounts = {a.key: a for a in config.accounts}
    rows = [_row(g, s, accounts) for s in g.slots]
    used = sorted({r["account"] for r in rows},
                  key=lambda k: ([a.key for a in config.accounts] + [k]).index(k))
    days = grid_days(g.grid_start)
    weeks = []
    for w in range(2):
        week_days = days[w * 7:(w + 1) * 7]
        lines = []
        for key in used:
            cells = [[r for r in rows if r["account"] == key and r["local"]
                      and r["local"].date() == d] for d in week_days]
            if any(cells):
                lines.append({"account": key, "platform": accounts[key].platform
                              if key in accounts else "", "cells": cells})
        weeks.append({"start": week_days[0], "end": week_days[-1], "days": week_days,
                      "lines": lines})
    not_placed = [r for r in rows if r["state"] in ("unplaced", "held")]
    tz = ZoneInfo(g.timezone)
    missed = []
    for a in g.missed:
        e = g.entries.get(a.entry_key)
        missed.append({"title": e.title if e else a.entry_key, "account": a.account_key,
                       "owner": e.owner if e else "", "state": MISSED_LABELS.get(a.status,
                                                                                 a.status),
                       "when": f"{a.slot_at.astimezone(tz):%a %d %b %H:%M}",
                       "why": a.detail or "no post was made"})
    return {
        "council": g.council_name, "grid_start": g.grid_start,
        "grid_end": g.grid_start + timedelta(days=13), "built_for": g.built_for,
        "timezone": g.timezone, "weeks": weeks, "not_placed": not_placed, "missed": missed,
        "placed": sum(1 for r in rows if r["state"] in ("placed", "published")),
        "best_times": [(k, _summary(g.best_times[k])) for k in used if k in g.best_times],
    }


MISSED_LABELS = {"missed": "missed", "failed": "refused", "auth_failed": "token refused",
                 "pending": "outcome unknown"}


def _summary(best) -> str:
    return best if isinstance(best, str) else best.summary()


def render_html(g: GridInput, config) -> str:
    return _jinja().get_template("grid.html").render(**grid_context(g, config))


def render_csv(g: GridInput, config) -> str:
    accounts = {a.key: a for a in config.accounts}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for s in g.slots:
        row = _row(g, s, accounts)
        writer.writerow([csv_cell(row[c]) for c in CSV_COLUMNS])
    return out.getvalue()

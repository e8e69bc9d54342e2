"""Influence recomputed daily: one `social.author_influence` row per author per day.

`compute_influence` is pure: authors and their items of the window in, rows out.
The window for `day` is the `window_days` (council.yaml `triage.influence_window_days`,
90) ending at the end of `day` in UTC: (day + 1 - window_days, day + 1].
`recompute_day` reads authors with an item in that window, computes, and replaces
the day's rows in one transaction (a rerun leaves the same rows).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, text

from council_social.store.items_repo import jsonb_text
from council_social.triage.influence import AuthorActivity, influence

_INTERACTIONS = ("reply_count", "repost_count", "quote_count", "like_count")
_REACH = ("repost_count", "quote_count")


def window_for(day: date, window_days: int) -> tuple[datetime, datetime]:
    """(start, end]: the window_days ending at the end of `day` (UTC)."""
    end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=UTC)
    return end - timedelta(days=window_days), end


def _count(metrics: Mapping[str, Any] | None, keys: tuple[str, ...]) -> int:
    if not metrics:
        return 0
    total = 0
    for k in keys:
        v = metrics.get(k)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and v > 0:
            total += int(v)
    return total


def explain(activity: AuthorActivity, weights: Mapping[str, float], at: datetime,
            site_audience: int = 0) -> tuple[int, dict[str, Any]]:
    """(score 1..100, its explanation: points per component, the inputs and the weights)."""
    if site_audience:
        activity = AuthorActivity(**{**activity.__dict__, "site_audience": site_audience})
    score, points = influence(activity, dict(weights), at)
    age_days = (at - activity.created_at).days if activity.created_at is not None else None
    top = sorted(((v, k) for k, v in points.items() if v > 0), reverse=True)[:3]
    return score, {
        "points": points,
        "inputs": {
            "followers": activity.followers, "verified": activity.verified,
            "listed": activity.listed, "account_age_days": age_days,
            "posts": activity.posts_in_window, "interactions": activity.interactions_in_window,
            "reach": activity.reach_in_window, "site_audience": activity.site_audience,
        },
        "weights": dict(weights),
        "summary": f"influence {score}: " + (", ".join(f"{k} {v:g}" for v, k in top) or "no signal"),
    }


def compute_influence(authors: Iterable[Mapping[str, Any]], items: Iterable[Mapping[str, Any]],
                      day: date, *, weights: Mapping[str, float], window_days: int = 90,
                      site_audience: Mapping[str, int] | None = None) -> list[dict[str, Any]]:
    """One row per author (platform, external_id) of `authors`, from their `items`.

    authors: platform, external_id, followers_count, verified, listed_count, created_at.
    items: platform, author_external_id, created_at, metrics; those outside the window
    or of other authors are ignored. Rows are sorted by (platform, external_id)."""
    start, end = window_for(day, window_days)
    activity: dict[tuple[str, str], list[int]] = {}
    for it in items:
        created = it["created_at"]
        if created is None or not start < created <= end:
            continue
        acc = activity.setdefault((it["platform"], it["author_external_id"]), [0, 0, 0])
        acc[0] += 1
        acc[1] += _count(it.get("metrics"), _INTERACTIONS)
        acc[2] += _count(it.get("metrics"), _REACH)
    sites = site_audience or {}
    rows = []
    for a in authors:
        key = (a["platform"], a["external_id"])
        posts, interactions, reach = activity.get(key, (0, 0, 0))
        created_at = a.get("created_at")
        act = AuthorActivity(
            followers=int(a.get("followers_count") or 0), verified=bool(a.get("verified")),
            listed=int(a.get("listed_count") or 0),
            created_at=created_at if created_at is None or created_at <= end else end,
            posts_in_window=posts, interactions_in_window=interactions, reach_in_window=reach,
        )
        score, components = explain(act, weights, end, sites.get(key[0], 0))
        rows.append({"platform": key[0], "external_id": key[1], "day": day, "score": score,
                     "components": components, "window_days": window_days,
                     "window_start": start, "window_end": end})
    rows.sort(key=lambda r: (r["platform"], r["external_id"]))
    return rows


_AUTHORS_SQL = """
SELECT DISTINCT a.platform, a.external_id, a.followers_count, a.verified, a.listed_count,
       a.created_at
FROM social.items i JOIN social.authors a
  ON a.platform = i.platform AND a.external_id = i.author_external_id
WHERE i.created_at > :start AND i.created_at <= :end
"""
_ITEMS_SQL = """
SELECT i.platform, i.author_external_id, i.created_at, i.metrics
FROM social.items i
WHERE i.created_at > :start AND i.created_at <= :end AND i.author_external_id IS NOT NULL
"""
_COLUMNS = ("platform", "external_id", "day", "score", "components", "window_days",
            "window_start", "window_end")


def write_day(conn: Connection, day: date, rows: list[dict[str, Any]]) -> int:
    """Replace the day's rows (delete + insert in the caller's transaction)."""
    conn.execute(text("DELETE FROM social.author_influence WHERE day = :day"), {"day": day})
    if rows:
        conn.execute(text(
            f"INSERT INTO social.author_influence ({', '.join(_COLUMNS)}) VALUES "
            f"(:platform, :external_id, :day, :score, CAST(:components AS jsonb), :window_days,"
            f" :window_start, :window_end)"
        ), [{**r, "components": jsonb_text(r["components"])} for r in rows])
    return len(rows)


def recompute_day(engine: Engine, config, day: date) -> dict[str, Any]:
    """The DAG's task: influence for every author with an item in the day's window."""
    s = config.triage
    start, end = window_for(day, s.influence_window_days)
    with engine.begin() as conn:
        params = {"start": start, "end": end}
        authors = [dict(r) for r in conn.execute(text(_AUTHORS_SQL), params).mappings()]
        # Streamed: 90 days of items need not sit in memory at once.
        items = conn.execute(text(_ITEMS_SQL).execution_options(yield_per=10_000),
                             params).mappings()
        rows = compute_influence(authors, items, day, weights=s.influence_weights.model_dump(),
                                 window_days=s.influence_window_days,
                                 site_audience=s.site_audience)
        written = write_day(conn, day, rows)
    scores = [r["score"] for r in rows]
    return {"day": day.isoformat(), "authors": written,
            "max_score": max(scores, default=None),
            "window_start": start.isoformat(), "window_end": end.isoformat()}

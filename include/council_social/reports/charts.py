"""The weekly report's charts: matplotlib (Agg, no display) to PNG bytes.

Each function takes metrics_daily rows (dicts) and returns a PNG; an empty
week still gives a chart that says so, never an error.
"""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date

CHARTS = ("followers", "growth", "sentiment", "responses", "cases")
TITLES = {
    "followers": "Followers by account",
    "growth": "New followers a day against the strategy's baseline",
    "sentiment": "Mentions by sentiment",
    "responses": "Replies to residents, and how many met the target",
    "cases": "Cases opened, closed and overdue",
}


def _figure():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    return plt, fig, ax


def _png(plt, fig, ax, title: str, empty: bool) -> bytes:
    ax.set_title(title, loc="left", fontsize=11)
    if empty:
        ax.text(0.5, 0.5, "no data for this week", ha="center", va="center", transform=ax.transAxes,
                color="#666")
        ax.set_xticks([])
        ax.set_yticks([])
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    # Fixed metadata: the same data gives the same bytes.
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()


def _days(rows) -> list[date]:
    return sorted({r["day"] for r in rows})


def _by_day(rows, column: str) -> dict[date, float]:
    out: dict[date, float] = defaultdict(float)
    for r in rows:
        out[r["day"]] += r[column] or 0
    return out


def followers_chart(rows) -> bytes:
    plt, fig, ax = _figure()
    series: dict[str, list[tuple[date, int]]] = defaultdict(list)
    for r in rows:
        if r["followers"] is not None:
            series[r["account_key"]].append((r["day"], r["followers"]))
    for key in sorted(series):
        points = sorted(series[key])
        ax.plot([d for d, _ in points], [v for _, v in points], marker="o", label=key)
    if series:
        ax.legend(fontsize=7, ncol=2, frameon=False)
    return _png(plt, fig, ax, TITLES["followers"], not series)


def follower_growth(rows) -> dict[str, list[tuple[date, int, float | None]]]:
    """Per account: (day, new followers since the day before, baseline a day)."""
    by_account: dict[str, list] = defaultdict(list)
    for r in sorted(rows, key=lambda r: (r["account_key"], r["day"])):
        if r["followers"] is not None:
            by_account[r["account_key"]].append(r)
    out = {}
    for key, items in by_account.items():
        out[key] = [(b["day"], b["followers"] - a["followers"], b["baseline_daily_growth"])
                    for a, b in zip(items, items[1:], strict=False) if (b["day"] - a["day"]).days == 1]
    return {k: v for k, v in out.items() if v}


def growth_chart(rows) -> bytes:
    plt, fig, ax = _figure()
    growth = follower_growth(rows)
    for key in sorted(growth):
        points = growth[key]
        line = ax.plot([d for d, _, _ in points], [n for _, n, _ in points], marker="o", label=key)
        baseline = points[-1][2]
        if baseline is not None:
            ax.axhline(baseline, linestyle="--", linewidth=1, color=line[0].get_color(),
                       label=f"{key} baseline {baseline:g}/day")
    if growth:
        ax.legend(fontsize=7, ncol=2, frameon=False)
    return _png(plt, fig, ax, TITLES["growth"], not growth)


def sentiment_chart(rows) -> bytes:
    plt, fig, ax = _figure()
    days = _days(rows)
    bottom = [0.0] * len(days)
    colours = {"positive": "#2e7d32", "neutral": "#9e9e9e", "negative": "#c62828"}
    total = 0.0
    for mood, colour in colours.items():
        values = [_by_day(rows, f"mentions_{mood}").get(d, 0) for d in days]
        total += sum(values)
        ax.bar(days, values, bottom=bottom, color=colour, label=mood)
        bottom = [b + v for b, v in zip(bottom, values, strict=True)]
    if total:
        ax.legend(fontsize=8, frameon=False)
    return _png(plt, fig, ax, TITLES["sentiment"], not total)


def responses_chart(rows) -> bytes:
    plt, fig, ax = _figure()
    days = _days(rows)
    replies = _by_day(rows, "replies")
    within = _by_day(rows, "replies_within_target")
    ax.bar(days, [replies.get(d, 0) for d in days], color="#90caf9", label="replies")
    ax.bar(days, [within.get(d, 0) for d in days], color="#1565c0", width=0.4, label="within target")
    empty = not any(replies.values())
    if not empty:
        ax.legend(fontsize=8, frameon=False)
    return _png(plt, fig, ax, TITLES["responses"], empty)


def cases_chart(rows) -> bytes:
    plt, fig, ax = _figure()
    days = _days(rows)
    empty = True
    for column, colour in (("cases_opened", "#1565c0"), ("cases_closed", "#2e7d32"),
                           ("cases_overdue", "#c62828")):
        series = _by_day(rows, column)
        empty = empty and not any(series.values())
        ax.plot(days, [series.get(d, 0) for d in days], marker="o", color=colour,
                label=column.removeprefix("cases_"))
    if not empty:
        ax.legend(fontsize=8, frameon=False)
    return _png(plt, fig, ax, TITLES["cases"], empty)


RENDERERS = {
    "followers": followers_chart,
    "growth": growth_chart,
    "sentiment": sentiment_chart,
    "responses": responses_chart,
    "cases": cases_chart,
}


def render_chart(name: str, rows) -> bytes:
    if name not in RENDERERS:
        raise KeyError(f"no chart {name!r}; charts are: {', '.join(CHARTS)}")
    return RENDERERS[name](rows)

"""The council's own hashtags in the weekly report: a table and one chart."""

from __future__ import annotations

import io
from collections import defaultdict
from datetime import date, timedelta

from council_social.promotion import repo

WEEKS = 8
CHART_NAME = "campaigns"
CHART_TITLE = "Campaign hashtags: residents using them each week"


def campaign_rows(conn, week_start: date) -> list[dict]:
    """The campaign weeks from WEEKS-1 weeks before `week_start` to its week."""
    rows = repo.campaign_weeks_between(conn, week_start - timedelta(weeks=WEEKS - 1), week_start)
    return [dict(r._mapping) for r in rows]


def campaign_chart(rows: list[dict]) -> bytes:
    """Distinct non-council authors a week per tag (adoption by residents), as PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 3.2), dpi=100)
    ax.spines[["top", "right"]].set_visible(False)
    series: dict[str, list] = defaultdict(list)
    for r in rows:
        series[r["tag"]].append((r["week_start"], r["resident_authors"]))
    for tag in sorted(series):
        points = sorted(series[tag])
        ax.plot([d for d, _ in points], [v for _, v in points], marker="o", label=f"#{tag}")
    if series:
        weeks = sorted({r["week_start"] for r in rows})
        ax.set_xticks(weeks, [f"{w:%d %b}" for w in weeks])
        ax.set_ylim(bottom=0)
        ax.legend(fontsize=7, frameon=False)
        ax.set_ylabel("residents", fontsize=8)
    else:
        ax.text(0.5, 0.5, "no campaign hashtags used", ha="center", va="center",
                transform=ax.transAxes, color="#666")
        ax.set_xticks([])
        ax.set_yticks([])
    ax.set_title(CHART_TITLE, loc="left", fontsize=11)
    fig.autofmt_xdate()
    fig.tight_layout()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", metadata={"Software": None})
    plt.close(fig)
    return buf.getvalue()

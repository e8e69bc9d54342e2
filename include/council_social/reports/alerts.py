"""Emerging issues for a day, raised as alerts to the web team.

Volume and negativity spikes per topic (triage decisions under the current
rules version, against the same hour of past weeks), trending hashtags in what
residents post, and new accounts impersonating the council. Alerts are keyed
(kind, subject, window_start): a rerun rewrites its own alerts and keeps
`notified_at`, so nobody is told twice.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from council_social.reports import repo
from council_social.reports.hashtags import count_hashtags, trending
from council_social.reports.impersonation import new_lookalikes
from council_social.reports.metrics import day_bounds
from council_social.reports.spikes import day_slots, detect_spikes

WEB_TEAM_KIND = "web_team"
# What a day's rerun recomputes: those of its alerts the data no longer supports go.
RECOMPUTED_KINDS = ("spike", "negativity_spike", "trending_hashtag", "impersonation")


def web_team_key(config) -> str:
    teams = config.teams_of_kind(WEB_TEAM_KIND)
    return teams[0].key if teams else config.teams[0].key


def _hourly(conn, config, start: datetime, end: datetime, negative_only: bool) -> dict:
    series: dict[str, dict[datetime, int]] = defaultdict(dict)
    rows = repo.topic_counts_by_hour(conn, config.triage.rules_version, start, end, negative_only)
    for topic, hour, n in rows:
        series[topic][hour] = n
    return series


def _resident_texts(conn, config, start: datetime, end: datetime):
    own = [a.external_id for a in config.accounts if a.external_id]
    return repo.resident_texts(conn, own, start, end)


def emerging_issues(conn, config, day: date) -> list[dict]:
    settings = config.reports
    team = web_team_key(config)
    start, end = day_bounds(day, config.tz)
    slots = day_slots(day, config.tz, settings.baseline_weeks)
    history_start = min(p for s in slots for p in s.past)
    out: list[dict] = []
    # Without watching reaching back to the oldest baseline day every busy hour would look
    # like a spike (a new installation, a store loaded yesterday): no volume alerts until
    # then. Old posts fetched later (a channel's back catalogue) are not history watched.
    watched_since = repo.watched_since(conn)
    enough_history = watched_since is not None and watched_since < history_start + timedelta(days=1)
    for kind, negative in (("spike", False), ("negativity_spike", True)) if enough_history else ():
        series = _hourly(conn, config, history_start, end, negative)
        for s in detect_spikes(series, slots, min_count=settings.spike_min_count,
                               p_value=settings.spike_p_value):
            what = "critical mentions" if negative else "mentions"
            local = s.start.astimezone(config.tz)
            out.append({
                "kind": kind, "subject": f"topic:{s.topic}", "window_start": s.start,
                "window_end": s.end, "team": team, "observed": s.observed, "expected": s.expected,
                "score": s.robust_z,
                "message": (f"{s.observed} {what} about {s.topic} at {local:%a %d %b %H:00}, "
                            f"against a usual {s.expected:g} at this hour"),
                "detail": {"p_value": s.p_value, "history": list(s.history),
                           "baseline_weeks": settings.baseline_weeks},
            })
    today = count_hashtags(_resident_texts(conn, config, start, end))
    past = []
    for back in range(1, settings.hashtag_history_days + 1):
        p_start, p_end = day_bounds(day - timedelta(days=back), config.tz)
        past.append(count_hashtags(_resident_texts(conn, config, p_start, p_end)))
    for t in trending(today, past, min_count=settings.hashtag_min_count, growth=settings.hashtag_growth,
                      places=config.places, local_words=[config.council.short_name]):
        out.append({
            "kind": "trending_hashtag", "subject": f"hashtag:{t.tag}", "window_start": start,
            "window_end": end, "team": team, "observed": t.count, "expected": t.past_daily_mean,
            "score": t.growth,
            "message": f"#{t.tag} used {t.count} times on {day:%a %d %b}, {t.growth:g}x its daily mean",
            "detail": {"places": list(t.places), "local": bool(t.places),
                       "history_days": settings.hashtag_history_days},
        })
    for lk in new_lookalikes(conn, config, start, end):
        who = f"@{lk.username}" if lk.username else lk.external_id
        out.append({
            "kind": "impersonation", "subject": f"author:{lk.platform}:{lk.external_id}",
            "window_start": start, "window_end": end, "team": team, "observed": lk.items,
            "expected": None, "score": None,
            "message": f"{who} ({lk.display_name or 'no name'}) looks like the council's '{lk.resembles}'",
            "detail": {"platform": lk.platform, "username": lk.username,
                       "display_name": lk.display_name, "resembles": lk.resembles,
                       "first_item_at": lk.first_item_at.isoformat()},
        })
    return out


def raise_alerts(engine, config, day: date, raised_for: datetime) -> list[dict]:
    """Recompute a day's alerts and upsert them; alerts the data no longer supports go."""
    start, end = day_bounds(day, config.tz)
    with engine.begin() as conn:
        found = [{**a, "raised_for": raised_for} for a in emerging_issues(conn, config, day)]
        repo.replace_alerts(conn, start, end, found, RECOMPUTED_KINDS)
    return found

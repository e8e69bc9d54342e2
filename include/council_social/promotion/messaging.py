"""The consistency check over the store: group the posts of one planner entry or campaign,
compare what they say, raise one alert per group that disagrees.

Before posting: the planner entries still in the grid that share a campaign. After posting:
what went out through the APIs per entry (post_attempts), plus the council's posts made by
hand, matched to the entry they most resemble (rapidfuzz) on one of its channels.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, datetime, timedelta

from rapidfuzz import fuzz
from sqlalchemy import Engine

from council_social.promotion import repo
from council_social.promotion.consistency import Post, alert_message, disagreements
from council_social.promotion.jobs import ALERT_KIND, day_bounds
from council_social.reports.alerts import web_team_key

HAND_POST_MATCH = 60  # token-set similarity (0..100) for a hand post to count as an entry's
LOOKBACK_DAYS = 7
AHEAD_DAYS = 14


def groups_for(entries, posted, own, platforms: dict[str, str]) -> dict[str, tuple[str, list[Post]]]:
    """{subject: (owning team, posts)} for every group with two or more posts."""
    groups: dict[str, list[Post]] = defaultdict(list)
    owners: dict[str, str] = {}
    by_key = {e.key: e for e in entries}
    sent_ids = set()
    for p in posted:
        groups[f"planner:{p.entry_key}"].append(
            Post(f"{p.account_key} post {p.external_id}", p.account_key, p.platform, p.text))
        sent_ids.add((p.platform, p.external_id))
        if p.entry_key in by_key:
            owners[f"planner:{p.entry_key}"] = by_key[p.entry_key].owner
    for item in own:
        if (item.platform, item.external_id) in sent_ids:
            continue
        best, score = None, 0.0
        for e in entries:
            if item.account_key not in e.channels:
                continue
            s = fuzz.token_set_ratio(e.message, item.text)
            if s > score:
                best, score = e, s
        if best is not None and score >= HAND_POST_MATCH:
            subject = f"planner:{best.key}"
            groups[subject].append(Post(f"{item.account_key} post {item.external_id} (by hand)",
                                        item.account_key, item.platform, item.text))
            owners[subject] = best.owner
    by_campaign: dict[str, list] = defaultdict(list)
    for e in entries:
        if e.status in ("submitted", "approved", "scheduled") and e.campaign:
            by_campaign[e.campaign].append(e)
    for campaign, members in by_campaign.items():
        if len(members) < 2:
            continue
        subject = f"campaign:{campaign}"
        owners[subject] = members[0].owner
        groups[subject] = [Post(f"entry {e.key} on {', '.join(e.channels)}",
                                ",".join(e.channels), "grid", e.message) for e in members]
    return {s: (owners.get(s, ""), posts) for s, posts in groups.items()
            if len({p.ref for p in posts}) >= 2}


def check_day(engine: Engine, config, day: date, at: datetime | None = None) -> list[str]:
    """Raise (or refresh) one `inconsistent_message` alert per disagreeing group; returns
    their messages."""
    start, end = day_bounds(day)
    at = at or end
    teams = {t.key for t in config.teams}
    raised = []
    with engine.begin() as conn:
        entries = repo.planned_entries(conn, day - timedelta(days=LOOKBACK_DAYS),
                                       day + timedelta(days=AHEAD_DAYS))
        posted = repo.posted_for_entries(conn, start - timedelta(days=LOOKBACK_DAYS))
        known = {e.key for e in entries}
        missing = {p.entry_key for p in posted} - known
        entries = list(entries) + list(repo.entries_by_keys(conn, missing))
        own = repo.own_posts(conn, {(a.platform, str(a.external_id)): a.key for a in config.accounts
                                    if a.external_id}, start - timedelta(days=LOOKBACK_DAYS), end)
        platforms = {a.key: a.platform for a in config.accounts}
        for subject, (owner, posts) in sorted(groups_for(entries, posted, own,
                                                          platforms).items()):
            found = disagreements(posts, places=config.places, base=start)
            if not found:
                continue
            message = alert_message(subject, found)
            repo.raise_alert(
                conn, kind=ALERT_KIND, subject=subject, window_start=start, window_end=end,
                team=owner if owner in teams else web_team_key(config), observed=len(found),
                message=message, at=at,
                detail={"disagreements": [
                    {"kind": d.kind, "first": d.first.ref, "first_values": list(d.first_values),
                     "second": d.second.ref, "second_values": list(d.second_values)}
                    for d in found]})
            raised.append(message)
    return raised

"""Demo stage: the strategy's Promotion on the simulator's data.

The simulator's residents use the council's campaign tags and a local tag of the day
(enabled by `simulator_hashtags`). The `promotion` DAG fetches the main X account's
followers, lists whom to follow back, finds the local trends (a draft goes to the planner
as `submitted`) and counts the campaign tags; a two-channel planner entry whose texts
disagree raises one alert; a followers-only competition is opened, drawn from the followers
the simulator serves, archived, and drawn again from the archive to the same winner.
"""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

COMPETITION = """\
key: {key}
account: {account}
hashtag: {tag}
opens: '{opens}'
closes: '{closes}'
prize: Two tickets to the {short} winter fair
rules: |
  Followers of {handle} only; one entry per person; council staff accounts may not enter.
  Drawn after the close from a seed anyone can recompute (see the archive).
exclusions: []
"""


def simulator_hashtags(config) -> tuple[str, ...]:
    """The campaign tags the simulator's residents use in the demo (a council without any
    gets one made of its short name)."""
    tags = tuple(c.tag for c in config.promotion.campaigns)
    short = "".join(ch for ch in config.council.short_name if ch.isalnum())
    return tags or (f"{short}Together",)


def _main_x(config):
    x = config.accounts_for("twitter")
    return next((a for a in x if a.main), x[0] if x else None)


def _planner_pair(ctx, day) -> None:
    """One campaign, two channels, two dates: what the consistency check is for."""
    from council_social.grid.approvals import submit_entries
    from council_social.grid.planner import PlannerEntry

    accounts = {a.platform: a.key for a in ctx.config.accounts if a.main}
    if "twitter" not in accounts or "facebook" not in accounts:
        return
    config = ctx.config
    place = config.places[0] if config.places else config.council.short_name
    text = (f"{config.council.short_name} winter fair in {place} on {{d}} December, 11am to "
            f"4pm. Free entry. {str(config.council.website).rstrip('/')}/winterfair")
    entries = [PlannerEntry(
        key=f"demo-winter-fair-{platform}", title=f"Winter fair ({platform})",
        message=text.format(d=d), channels=(accounts[platform],), earliest=day,
        latest=day + timedelta(days=5), owner="communications", priority="normal",
        status="submitted", campaign="demo-winter-fair", essential=False)
        for platform, d in (("twitter", 13), ("facebook", 12))]
    with ctx.engine.begin() as conn:
        submit_entries(conn, entries, "demo", ctx.end, submitted_by="demo")


def _competition(ctx) -> list[str]:
    from council_social.channels.twitter import TwitterConnector
    from council_social.promotion.competition import CompetitionError
    from council_social.promotion.draws import open_competition, run_draw

    config = ctx.config
    account = _main_x(config)
    if account is None:
        return ["  competition  no X account to run one on"]
    tag = simulator_hashtags(config)[0]
    path = config.data_dir_path / "demo" / "competition.yaml"
    path.write_text(COMPETITION.format(key=f"demo-giveaway-{ctx.end:%Y%m%d%H}",
                                       short=config.council.short_name, account=account.key, tag=tag, handle=f"@{account.handle}",
                                       opens=ctx.start.isoformat(), closes=ctx.end.isoformat()))

    def connector():
        return TwitterConnector(config.simulator.bearer_token, ctx.simulator.base_url,
                                page_size=1000)

    at = datetime.now(UTC)
    try:
        open_competition(ctx.engine, config, path, at)
        first = run_draw(ctx.engine, config, path, connector, at)
        again = run_draw(ctx.engine, config, path, connector, at)
    except CompetitionError as exc:
        return [f"  competition  not drawn: {exc}"]
    same = "same winner" if again["winner"] == first["winner"] else "A DIFFERENT WINNER"
    w = first["winner"]
    return [
        f"  competition  #{tag} on {account.key}: {first['entries']} entries, {first['eligible']} "
        f"from followers; seed {first['seed'][:16]}... (published value {first['published_value']}); "
        f"winner @{w['handle']}{' (drawn before)' if first['rerun'] else ''}; "
        f"re-run from the archive: {same}",
        f"  archive      {first['archive']['warc']} "
        f"(sha256 {first['archive']['sha256'][:16]}...) + manifest.json under the archive root",
    ]


def run(ctx) -> list[str]:
    from sqlalchemy import text

    from council_social.promotion import repo

    config = ctx.config
    tz = config.tz
    day = (ctx.end - timedelta(microseconds=1)).astimezone(tz).date()
    _planner_pair(ctx, day)
    # The DAG's day is its interval's start: run the interval starting on the demo's last day.
    ctx.run_dag("promotion", datetime.combine(day + timedelta(days=1), time(1), UTC))
    lines = []
    with ctx.engine.connect() as conn:
        pages = conn.execute(text(
            "SELECT count(*) FROM social.raw_pages WHERE endpoint IN ('followers', 'following')"
        )).scalar()
        fans = conn.execute(text(
            "SELECT count(*) FROM social.promotion_follows WHERE direction = 'followers'")).scalar()
        suggestions = repo.latest_suggestions(conn)
        trends = repo.latest_trends(conn)
        weeks = [w for w in repo.campaign_weeks_between(conn, day - timedelta(days=6), day)]
        alerts = repo.alerts_of_kind(conn, "inconsistent_message",
                                     datetime.combine(day, time(), UTC))
    top = suggestions[0] if suggestions else None
    lines.append(
        f"promotion      followers: {fans} stored from {pages} raw page(s) of X's followers/following; "
        f"follow-back: {len(suggestions)} suggestion(s)"
        + (f", top @{top.handle} (influence {top.influence}: {'; '.join(top.reasons)})" if top else ""))
    if trends:
        t = trends[0]
        drafted = sum(1 for x in trends if x.planner_entry)
        lines.append(f"  trends       {len(trends)} local trend(s); top #{t.hashtag} in {t.area} "
                     f"(x{t.rise} its 28-day baseline, {t.count} posts today), suggested for "
                     f"{t.suggested_account or '-'}; {drafted} draft(s) in the planner as submitted")
    else:
        lines.append("  trends       no local hashtag rose today")
    for w in weeks[-len(config.promotion.campaigns):] if weeks else []:
        lines.append(f"  campaign     #{w.tag} week of {w.week_start:%d %b}: {w.posts} posts, reach "
                     f"{w.reach}, engagement {w.engagement}, {w.resident_authors} residents using it "
                     "(chart in the weekly report)")
    lines.append(f"  consistency  {len(alerts)} alert(s)" + (f": {alerts[0].message}" if alerts else ""))
    lines += _competition(ctx)
    main = _main_x(config)
    lines.append("  page         Promotion in the operator views (/council-social/promotion); "
                 "CLI: council-social promotion follow-back --account "
                 f"{main.key if main else 'ACCOUNT'} --format json")
    return lines

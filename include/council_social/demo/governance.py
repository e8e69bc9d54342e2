"""Demo stage: the strategy's governance, and the operator's home page as the day ends.

A service's sample request for its own account is stored and approved by the
web team, the registry listed (dormant accounts were alerted by the `reports`
DAG); a resident's comment is hidden under a house rule through the Graph API
(the simulator's), a delete under a rule that does not allow it is refused;
then the home page's figures.
"""

from __future__ import annotations

from sqlalchemy import text

SAMPLE_REQUEST = "include/config/sample_account_request.yaml"


def sample_request(config):
    """The council's sample request: sample_account_request.yaml beside its council file,
    else the packaged one (Brent's)."""
    beside = config.source_path.parent / "sample_account_request.yaml" if config.source_path else None
    return beside if beside is not None and beside.is_file() else config.project_root / SAMPLE_REQUEST


def _accounts(ctx) -> list[str]:
    from council_social.governance.accounts import (
        RequestError,
        list_accounts,
        read_request,
        review,
        store_request,
    )

    config = ctx.config
    fields = read_request(sample_request(config))
    with ctx.engine.begin() as conn:
        try:
            request_id = store_request(conn, config, fields, ctx.end)
            officer = config.web_team_officers()[0]
            review(conn, config, request_id, "approve", officer, "demo: the four questions are answered",
                   ctx.end)
            decided = f"request {request_id} approved by {officer}"
        except RequestError as exc:  # a rerun: the sample was requested before
            decided = str(exc)
        data = list_accounts(conn, config, ctx.end)
        alerted = conn.execute(text("SELECT count(*) FROM social.alerts WHERE kind = 'dormant_account'")).scalar()
    accounts = data["accounts"]
    dormant = [a["key"] for a in accounts if a["status"] == "dormant"]
    posted = sum(1 for a in accounts if a["posts_28d"])
    return [
        f"accounts       {len(accounts)} in the registry, {posted} with own posts in 28 days, "
        f"{len(dormant)} dormant (> {data['dormant_after_days']} days; {alerted} dormant alert(s) raised)",
        f"  requests     sample {fields['platform']} @{fields['handle']} for {fields['service']}: {decided}; "
        f"{len(data['requests'])} request(s) on record (council-social accounts list)",
    ]


def _moderation(ctx) -> list[str]:
    from council_social.moderation.actions import ModerationError, record_action
    from council_social.moderation.graph import GraphModerator

    config = ctx.config
    with ctx.engine.connect() as conn:
        target = conn.execute(text("""
            SELECT i.platform, i.external_id FROM social.items i
            LEFT JOIN social.triage_decisions d ON d.platform = i.platform AND d.external_id = i.external_id
              AND d.rules_version = :rules
            WHERE i.platform IN ('facebook', 'instagram') AND i.kind <> 'post'
            ORDER BY ('abusive' = ANY(coalesce(d.flags, '{}'))) DESC, i.created_at DESC, i.external_id
            LIMIT 1"""), {"rules": config.triage.rules_version}).first()
    if target is None:
        return ["moderation     no Facebook or Instagram comment in the store to moderate"]
    graph = GraphModerator(ctx.simulator.base_url, {}, default_token=config.simulator.bearer_token)
    officer = config.web_team_officers()[0]
    rule = "abuse" if any(r.key == "abuse" for r in config.house_rules) else config.house_rules[0].key
    row = record_action(ctx.engine, config, target.platform, target.external_id, "hide", rule, officer,
                        "demo: hidden under the house rules", ctx.end, {target.platform: graph})
    try:
        record_action(ctx.engine, config, target.platform, target.external_id, "delete", rule, officer,
                      "demo: delete", ctx.end)
        refused = "delete recorded"
    except ModerationError as exc:
        refused = f"delete refused ({exc})"
    with ctx.engine.connect() as conn:
        kept = conn.execute(text("SELECT count(*) FROM social.items WHERE platform = :p AND external_id = :e"),
                            {"p": target.platform, "e": target.external_id}).scalar()
    return [
        f"moderation     hid {target.platform}:{target.external_id} under '{rule}' by {officer}: "
        f"{row['status']} ({row['detail']}; Graph hide calls: {len(ctx.simulator.channels.hide_calls)})",
        f"  {refused[:150]}; the archive keeps the item ({kept} row)",
    ]


def _home(ctx) -> list[str]:
    from council_social.views.home_panel import home_view

    with ctx.engine.connect() as conn:
        home = home_view(conn, ctx.config, ctx.end)

    def figure(section: str, render) -> str:
        data = home[section]
        return f"unavailable ({data['unavailable']})" if "unavailable" in data else render(data)

    teams = lambda d: ", ".join(f"{t['team']} {t['overdue']}/{t['due_today']}" for t in d["teams"])  # noqa: E731
    reasons = lambda d: ", ".join(f"{r['count']} {r['reason']}" for r in d["by_reason"]) or "none"  # noqa: E731
    verify = home["archive_verify"]
    verified = ("never" if not verify.get("last") else
                f"{'ok' if verify['last']['ok'] else 'FAILED'} at {verify['last']['verified_at']:%H:%M} UTC")
    return [
        "home (what needs doing now; also /api/home)",
        "  cases        " + figure("cases", lambda d: f"{d['overdue']} overdue, {d['due_today']} due today"
                                   + (f" (team overdue/due today: {teams(d)})" if d["teams"] else "")),
        "  critical     " + figure("critical_unanswered", lambda d: f"{d['count']} without a case or a reply"),
        "  alerts       " + figure("alerts", lambda d: f"{d['count']} open in the last week"),
        "  FoI          " + figure("foi_this_week", lambda d: f"{d['count']} due this week"),
        "  approvals    " + figure("awaiting_approval", lambda d: f"{d['count']} grid post(s) waiting"),
        "  channels     " + figure("channels", lambda d: f"{d['stale']} of {len(d['channels'])} stale "
                                   "(no successful fetch within two scheduled runs)"),
        "  quarantine   " + figure("quarantined_last_day",
                                   lambda d: f"{d['records']} in the last day: {reasons(d)}"),
        f"  archive      last verify {verified}",
    ]


def run(ctx) -> list[str]:
    return [*_accounts(ctx), *_moderation(ctx), *_home(ctx)]

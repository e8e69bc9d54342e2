"""Demo stage: answer one case from the case, through the simulator, exactly as an officer
would (`cases reply --saved`), send it (send_replies' logic), find it in the thread, and
show the case closed."""

from __future__ import annotations


def _pick_case(conn, config):
    """The oldest open X case whose team has a saved reply (else the oldest open X case)."""
    from sqlalchemy import text

    rows = conn.execute(text("""
        SELECT c.id, c.team, c.kind FROM social.cases c
        JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        WHERE c.platform = 'twitter' AND c.status IN ('open', 'overdue', 'escalated')
          AND c.kind IN ('customer_service', 'service_conversation')
        ORDER BY c.opened_at, c.id
    """)).all()
    services: dict[str, str] = {}
    for s in config.cases.saved_replies:  # a service's first saved reply
        services.setdefault(s.service, s.key)
    for r in rows:
        if r.team in services:
            return r, services[r.team]
    if rows and config.cases.saved_replies:
        return rows[0], config.cases.saved_replies[0].key
    return None, None


def run(ctx) -> list[str]:
    from datetime import timedelta

    from council_social.cases.events import case_ref
    from council_social.cases.replies import ReplyRefused, queue_reply
    from council_social.cases.reply_send import TwitterReplier, send_queued
    from council_social.cases.tables import cases
    from council_social.channels.twitter import TwitterConnector
    from council_social.grid.twitter_poster import TwitterPoster

    config = ctx.config
    with ctx.engine.connect() as conn:
        case, saved = _pick_case(conn, config)
    if case is None:
        return ["reply          no open X case to answer in this run"]
    officer = config.team(case.team).lead_officer.name
    try:
        with ctx.engine.begin() as conn:
            queued = queue_reply(conn, config, case.id, reply_text=None, officer=officer,
                                 saved_key=saved, at=ctx.end)
    except ReplyRefused as exc:
        return [f"reply          {case_ref(case.kind, case.id)} not answered: {exc}"]
    sim = ctx.simulator
    tokens = {a.key: sim.user_token(a.external_id) for a in config.accounts_for("twitter")}
    connector = TwitterConnector(config.simulator.bearer_token, sim.base_url,
                                 clock=lambda: ctx.end.timestamp())
    replier = TwitterReplier(TwitterPoster(connector, tokens))
    before = len(sim.posted_tweets)
    summary = send_queued(ctx.engine, config, {"twitter": replier}, now=lambda: ctx.end)
    sent = len(sim.posted_tweets) - before
    with ctx.engine.connect() as conn:
        from sqlalchemy import select

        from council_social.cases.reply_tables import case_replies

        row = conn.execute(select(case_replies).where(case_replies.c.id == queued.reply_id)).one()
        status = conn.execute(select(cases.c.status).where(cases.c.id == case.id)).scalar()
    account = config.account(row.account_key)
    seen = replier.find(account, row.in_reply_to, row.text, ctx.end - timedelta(minutes=5))
    ref = case_ref(case.kind, case.id)
    return [
        f"reply          {ref} answered by {officer} with saved reply {saved!r}: "
        f"{row.status}, {sent} post(s) on the simulator ({len(summary.sent)} sent)",
        f"               in the thread as {seen or 'NOT FOUND'} replying to {row.in_reply_to}; "
        f"case {status}",
        f"               \"{row.text}\"",
    ]

"""The demo's triage stage: outcomes and flags per account for the demo window."""

from __future__ import annotations

from sqlalchemy import text

from council_social.triage.decision import OUTCOMES

FLAG_ORDER = ("foi", "emergency", "abusive", "impersonation", "out_of_hours")
SHORT = {"monitor": "mon", "customer_service": "cust", "webteam_respond": "web",
         "service_conversation": "svc", "escalate_comms": "esc"}


def run(ctx) -> list[str]:
    version = ctx.config.triage.rules_version
    lines = _influence(ctx)
    with ctx.engine.connect() as conn:
        rows = conn.execute(text(
            "SELECT COALESCE(i.account_key, '-') AS account, d.outcome, d.flags"
            " FROM social.triage_decisions d JOIN social.items i"
            "   ON i.platform = d.platform AND i.external_id = d.external_id"
            " WHERE d.rules_version = :v AND d.item_created_at > :start AND d.item_created_at <= :end"
        ), {"v": version, "start": ctx.start, "end": ctx.end}).all()
    per: dict[str, dict[str, int]] = {}
    for account, outcome, flags in rows:
        slot = per.setdefault(account, {})
        slot[outcome] = slot.get(outcome, 0) + 1
        for f in flags:
            slot[f] = slot.get(f, 0) + 1
    lines += [f"triage (rules {version}): {len(rows)} decisions",
             f"{'account':<22}" + "".join(f"{SHORT[o]:>6}" for o in OUTCOMES)
             + "  flags (foi/emerg/abuse/impers/ooh)"]
    for account in sorted(per):
        slot = per[account]
        lines.append(f"{account:<22}" + "".join(f"{slot.get(o, 0):>6}" for o in OUTCOMES)
                     + "  " + "/".join(str(slot.get(f, 0)) for f in FLAG_ORDER))
    return lines


def _influence(ctx) -> list[str]:
    """Run influence_daily for the last whole day of the demo and name the top authors."""
    from datetime import datetime, time, timedelta

    run_end = datetime.combine(ctx.end.date(), time(0, 30), tzinfo=ctx.end.tzinfo)
    if run_end > ctx.end:
        run_end -= timedelta(days=1)
    ctx.run_dag("influence_daily", run_end)
    day = (run_end - timedelta(days=1)).date()
    with ctx.engine.connect() as conn:
        scored = conn.execute(text(
            "SELECT count(*) FROM social.author_influence WHERE day = :d"), {"d": day}).scalar()
        top = conn.execute(text(
            "SELECT coalesce(a.username, f.external_id), f.score FROM social.author_influence f"
            " LEFT JOIN social.authors a"
            "   ON a.platform = f.platform AND a.external_id = f.external_id"
            " WHERE f.day = :d ORDER BY f.score DESC, 1 LIMIT 3"), {"d": day}).all()
    leaders = ", ".join(f"{name} {score}" for name, score in top) or "none"
    return [f"influence      {scored} authors scored for {day} (90-day window); top: {leaders}"]

"""The reports' queries: their own tables (metrics_daily, alerts) and what they count in the
store (items, authors, raw pages, triage decisions, cases). No other module under
`reports/` builds SQL (README, "Where SQL goes")."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Connection, select, text, update
from sqlalchemy.dialects.postgresql import insert

from council_social.reports.tables import alerts, metrics_daily

ALERT_FIELDS = ("window_end", "team", "observed", "expected", "score", "message", "detail", "raised_for")


def table_exists(conn: Connection, name: str) -> bool:
    """Whether social.<name> is there (another capability's table may not be migrated here)."""
    return conn.execute(text("SELECT to_regclass(:n)"), {"n": f"social.{name}"}).scalar() is not None


# --- metrics_daily ---------------------------------------------------------------------------

def profile_pages(conn: Connection, account_key: str, start: datetime, end: datetime, limit: int = 50):
    """Bodies of the account's successful pages fetched in [start, end), newest first."""
    return conn.execute(text(
        "SELECT body FROM social.raw_pages WHERE account_key = :key AND status = 200"
        " AND fetched_at >= :start AND fetched_at < :end ORDER BY fetched_at DESC, id DESC LIMIT :limit"
    ), {"key": account_key, "start": start, "end": end, "limit": limit}).scalars()


def own_posts(conn: Connection, platform: str, own: str, start: datetime, end: datetime) -> list:
    """(kind, metrics) of what the account itself posted in [start, end)."""
    return conn.execute(text(
        "SELECT kind, metrics FROM social.items WHERE platform = :platform AND author_external_id = :own"
        " AND created_at >= :start AND created_at < :end"
    ), {"platform": platform, "own": own, "start": start, "end": end}).all()


def mention_texts(conn: Connection, account_key: str, own: str, start: datetime, end: datetime) -> list:
    """The text of what others posted to the account in [start, end)."""
    return conn.execute(text(
        "SELECT text FROM social.items WHERE account_key = :key AND author_external_id IS DISTINCT FROM :own"
        " AND created_at >= :start AND created_at < :end"
    ), {"key": account_key, "own": own, "start": start, "end": end}).scalars().all()


def reply_minutes(conn: Connection, platform: str, own: str, rules_version: str, start: datetime,
                  end: datetime) -> list:
    """(minutes to reply, the answered post's triage outcome) of the account's replies to others."""
    return conn.execute(text("""
        SELECT extract(epoch FROM r.created_at - m.created_at) / 60 AS minutes, d.outcome
        FROM social.items r
        JOIN social.items m ON m.platform = r.platform AND m.external_id = r.in_reply_to_external_id
        LEFT JOIN social.triage_decisions d ON d.platform = m.platform
             AND d.external_id = m.external_id AND d.rules_version = :rules
        WHERE r.platform = :platform AND r.author_external_id = :own AND r.kind = 'reply'
          AND m.author_external_id IS DISTINCT FROM :own
          AND r.created_at >= :start AND r.created_at < :end
    """), {"platform": platform, "own": own, "rules": rules_version, "start": start, "end": end}).all()


def case_figures(conn: Connection, account_key: str, start: datetime, end: datetime) -> dict:
    """Cases on the account's posts opened, closed, overdue and FoI due/on time in [start, end)."""
    return dict(conn.execute(text("""
        SELECT count(*) FILTER (WHERE c.opened_at >= :start AND c.opened_at < :end) AS opened,
               count(*) FILTER (WHERE c.closed_at >= :start AND c.closed_at < :end) AS closed,
               count(*) FILTER (WHERE c.due_at >= :start AND c.due_at < :end
                                  AND (c.responded_at IS NULL OR c.responded_at > c.due_at)) AS overdue,
               count(*) FILTER (WHERE c.kind = 'foi' AND c.due_at >= :start AND c.due_at < :end)
                   AS foi_due,
               count(*) FILTER (WHERE c.kind = 'foi' AND c.due_at >= :start AND c.due_at < :end
                                  AND c.responded_at <= c.due_at) AS foi_on_time
        FROM social.cases c
        JOIN social.items i ON i.platform = c.platform AND i.external_id = c.external_id
        WHERE i.account_key = :key
    """), {"key": account_key, "start": start, "end": end}).mappings().one())


def upsert_metrics(conn: Connection, rows: list[dict]) -> None:
    """Write metrics_daily rows; a day's rerun replaces its rows."""
    stmt = insert(metrics_daily).values(rows)
    conn.execute(stmt.on_conflict_do_update(
        index_elements=["day", "account_key"],
        set_={c.name: stmt.excluded[c.name] for c in metrics_daily.columns
              if c.name not in ("day", "account_key")},
    ))


def metrics_between(conn: Connection, first: date, last: date) -> list[dict]:
    rows = conn.execute(metrics_daily.select().where(metrics_daily.c.day.between(first, last))
                        .order_by(metrics_daily.c.day, metrics_daily.c.account_key)).mappings()
    return [dict(r) for r in rows]


def newest_metrics_day(conn: Connection, until: date) -> date | None:
    return conn.execute(text("SELECT max(day) FROM social.metrics_daily WHERE day <= :t"),
                        {"t": until}).scalar()


# --- alerts ----------------------------------------------------------------------------------

def topic_counts_by_hour(conn: Connection, rules_version: str, start: datetime, end: datetime,
                         critical_only: bool):
    """(topic, hour, decisions) under the rules version for items created in [start, end)."""
    return conn.execute(text(f"""
        SELECT topic, date_trunc('hour', item_created_at) AS hour, count(*)
        FROM social.triage_decisions
        WHERE rules_version = :rules AND topic IS NOT NULL
          AND item_created_at >= :start AND item_created_at < :end
          {"AND critical" if critical_only else ""}
        GROUP BY 1, 2
    """), {"rules": rules_version, "start": start, "end": end}).all()


def resident_texts(conn: Connection, own: list[str], start: datetime, end: datetime):
    """The text of every item created in [start, end) not by one of the council's accounts."""
    return conn.execute(text(
        "SELECT text FROM social.items WHERE created_at >= :start AND created_at < :end"
        " AND NOT (author_external_id = ANY(:own))"
    ), {"start": start, "end": end, "own": own}).scalars()


def watched_since(conn: Connection) -> datetime | None:
    """When the first fetch's window began: how far back the store watched."""
    return conn.execute(text(
        "SELECT min(coalesce(start_time, interval_end)) FROM social.ingest_fetches"
    )).scalar()


def first_seen_authors(conn: Connection, start: datetime, end: datetime) -> list:
    """Authors whose first stored item falls in [start, end): (platform, external_id, username,
    display_name, description, first item at, items)."""
    return conn.execute(text("""
        SELECT a.platform, a.external_id, a.username, a.display_name, a.description,
               f.first_at, f.n
        FROM (SELECT platform, author_external_id, min(created_at) AS first_at, count(*) AS n
              FROM social.items WHERE author_external_id IS NOT NULL
              GROUP BY platform, author_external_id) f
        JOIN social.authors a ON a.platform = f.platform AND a.external_id = f.author_external_id
        WHERE f.first_at >= :start AND f.first_at < :end
        ORDER BY a.platform, a.external_id
    """), {"start": start, "end": end}).all()


def replace_alerts(conn: Connection, start: datetime, end: datetime, found: list[dict],
                   recomputed_kinds: tuple[str, ...]) -> None:
    """Upsert `found`; alerts of `recomputed_kinds` in [start, end) not among them go."""
    keys = {(a["kind"], a["subject"], a["window_start"]) for a in found}
    for row in conn.execute(select(alerts.c.kind, alerts.c.subject, alerts.c.window_start)
                            .where(alerts.c.window_start >= start, alerts.c.window_start < end)).all():
        if tuple(row) not in keys and row.kind in recomputed_kinds:
            conn.execute(alerts.delete().where(alerts.c.kind == row.kind, alerts.c.subject == row.subject,
                                               alerts.c.window_start == row.window_start))
    if found:
        stmt = insert(alerts).values(found)
        conn.execute(stmt.on_conflict_do_update(
            index_elements=["kind", "subject", "window_start"],
            set_={c: stmt.excluded[c] for c in ALERT_FIELDS},
        ))


def raise_once(conn: Connection, row: dict) -> bool:
    """Insert the alert unless its (kind, subject, window_start) is there; True if new."""
    return conn.execute(insert(alerts).values(row).on_conflict_do_nothing(
        index_elements=["kind", "subject", "window_start"]).returning(alerts.c.kind)).first() is not None


def mark_notified(conn: Connection, kind: str, subject: str, window_start: datetime, at: datetime) -> None:
    conn.execute(update(alerts).where(alerts.c.kind == kind, alerts.c.subject == subject,
                                      alerts.c.window_start == window_start).values(notified_at=at))


def alerts_between(conn: Connection, start: datetime, end: datetime, kind: str | None = None) -> list[dict]:
    query = alerts.select().where(alerts.c.window_start >= start, alerts.c.window_start < end)
    if kind:
        query = query.where(alerts.c.kind == kind)
    rows = conn.execute(query.order_by(alerts.c.window_start.desc(), alerts.c.kind, alerts.c.subject))
    return [dict(r) for r in rows.mappings()]


# --- the demo's ingest summary -----------------------------------------------------------------

def pages_by_account(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Raw pages per account for the fetch windows ending in (start, end]."""
    return dict(conn.execute(text(
        "SELECT account_key, count(*) FROM social.raw_pages"
        " WHERE interval_end > :start AND interval_end <= :end GROUP BY account_key"
    ), {"start": start, "end": end}).all())


def batch_counts(conn: Connection, start: datetime, end: datetime) -> list[dict]:
    """Each processing batch's counts by account, for batches ending in (start, end]."""
    return list(conn.execute(text(
        "SELECT counts_by_account FROM social.process_batches"
        " WHERE interval_end > :start AND interval_end <= :end"
    ), {"start": start, "end": end}).scalars())


def quarantine_reasons(conn: Connection, start: datetime, end: datetime) -> list:
    """(code, message, records) quarantined from pages of windows ending in (start, end]."""
    return conn.execute(text(
        "SELECT r->>'code' AS code, r->>'message' AS message, count(*) AS n"
        " FROM social.quarantine q JOIN social.raw_pages p ON p.id = q.raw_page_id,"
        " jsonb_array_elements(q.reasons) r"
        " WHERE p.interval_end > :start AND p.interval_end <= :end"
        " GROUP BY 1, 2 ORDER BY n DESC, code"
    ), {"start": start, "end": end}).all()


def new_items_by_account(conn: Connection, start: datetime, end: datetime) -> dict[str, int]:
    """Items whose first version came from a page of a window ending in (start, end]."""
    return dict(conn.execute(text(
        "SELECT p.account_key, count(*) FROM social.item_versions v"
        " JOIN social.raw_pages p ON p.id = v.raw_page_id"
        " WHERE v.version = 1 AND p.interval_end > :start AND p.interval_end <= :end"
        " GROUP BY p.account_key"
    ), {"start": start, "end": end}).all())


def store_counts(conn: Connection) -> tuple[int, int]:
    """(items, authors) in the store."""
    return (conn.execute(text("SELECT count(*) FROM social.items")).scalar(),
            conn.execute(text("SELECT count(*) FROM social.authors")).scalar())

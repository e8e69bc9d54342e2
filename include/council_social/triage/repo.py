"""Triage decisions in the store: read a batch's items with their authors, write
decisions set-based (COPY to staging, one upsert keyed on platform, external_id
and rules_version), and officers' corrections."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from council_social.store.items_repo import copy_rows, jsonb_text, storable
from council_social.triage.engine import TriageInput, TriageResult
from council_social.triage.influence import AuthorActivity
from council_social.triage.tables import triage_corrections

# One row per item, its author and the author's activity over the influence window
# (ending at the author's newest item in the batch, so a rerun sees the same window),
# and the author's stored daily influence from before that day, if any.
_BATCH_SQL = """
WITH keys AS (
  SELECT DISTINCT k.platform, k.external_id
  FROM unnest(CAST(:platforms AS text[]), CAST(:ids AS text[])) AS k(platform, external_id)
), batch AS (
  SELECT i.platform, i.external_id, i.text, i.created_at, i.last_seen_at, i.metrics,
         i.author_external_id
  FROM keys JOIN social.items i USING (platform, external_id)
), window_end AS (
  SELECT platform, author_external_id, max(created_at) AS until
  FROM batch WHERE author_external_id IS NOT NULL GROUP BY 1, 2
), activity AS (
  SELECT w.platform, w.author_external_id, count(*) AS posts,
         sum(COALESCE((i.metrics->>'reply_count')::bigint, 0) + COALESCE((i.metrics->>'repost_count')::bigint, 0)
           + COALESCE((i.metrics->>'quote_count')::bigint, 0) + COALESCE((i.metrics->>'like_count')::bigint, 0)) AS interactions,
         sum(COALESCE((i.metrics->>'repost_count')::bigint, 0) + COALESCE((i.metrics->>'quote_count')::bigint, 0)) AS reach
  FROM window_end w JOIN social.items i
    ON i.platform = w.platform AND i.author_external_id = w.author_external_id
   AND i.created_at > w.until - :window AND i.created_at <= w.until
  GROUP BY 1, 2
), stored AS (
  -- The daily recompute (social.author_influence): the newest day before the window's end.
  SELECT w.platform, w.author_external_id, s.score AS stored_score, s.components AS stored_components
  FROM window_end w CROSS JOIN LATERAL (
    SELECT ai.score, ai.components FROM social.author_influence ai
    WHERE ai.platform = w.platform AND ai.external_id = w.author_external_id
      AND ai.day < CAST(w.until AT TIME ZONE 'UTC' AS date)
    ORDER BY ai.day DESC LIMIT 1
  ) s
)
SELECT b.*, a.username, a.display_name, a.description, a.verified, a.followers_count,
       a.listed_count, a.created_at AS author_created_at,
       act.posts, act.interactions, act.reach, st.stored_score, st.stored_components
FROM batch b
LEFT JOIN social.authors a ON a.platform = b.platform AND a.external_id = b.author_external_id
LEFT JOIN activity act ON act.platform = b.platform AND act.author_external_id = b.author_external_id
LEFT JOIN stored st ON st.platform = b.platform AND st.author_external_id = b.author_external_id
ORDER BY b.platform, b.external_id
"""


def read_batch(conn: Connection, keys: list[tuple[str, str]], window_days: int) -> list[TriageInput]:
    if not keys:
        return []
    rows = conn.execute(text(_BATCH_SQL), {
        "platforms": [k[0] for k in keys], "ids": [k[1] for k in keys],
        "window": timedelta(days=window_days),
    }).mappings()
    out = []
    for r in rows:
        out.append(TriageInput(
            text=r["text"], platform=r["platform"], external_id=r["external_id"],
            created_at=r["created_at"], observed_at=r["last_seen_at"], metrics=r["metrics"] or {},
            author_id=r["author_external_id"], author_username=r["username"],
            author_name=r["display_name"], author_description=r["description"],
            author=AuthorActivity(
                followers=r["followers_count"] or 0, verified=bool(r["verified"]),
                listed=r["listed_count"] or 0, created_at=r["author_created_at"],
                posts_in_window=r["posts"] or 0, interactions_in_window=int(r["interactions"] or 0),
                reach_in_window=int(r["reach"] or 0),
            ),
            stored_influence=(None if r["stored_score"] is None else
                              (r["stored_score"], (r["stored_components"] or {}).get("points", {}))),
        ))
    return out


COLUMNS = ["platform", "external_id", "rules_version", "outcome", "flags", "intent", "topic",
           "department", "criticality", "critical", "influence", "importance", "foi_valid",
           "draft_reply", "inputs", "rule_path", "item_created_at"]


def _pg_array(values: list[str]) -> str:
    return "{" + ",".join('"' + v.replace("\\", "\\\\").replace('"', '\\"') + '"' for v in values) + "}"


def write_decisions(conn: Connection, rules_version: str,
                    pairs: list[tuple[TriageInput, TriageResult]]) -> int:
    """Upsert one decision per item for this rules version; other versions' rows stay."""
    if not pairs:
        return 0
    conn.exec_driver_sql(
        "CREATE TEMP TABLE stage_triage (platform text, external_id text, rules_version text,"
        " outcome text, flags text[], intent text, topic text, department text,"
        " criticality double precision, critical boolean, influence integer,"
        " importance double precision, foi_valid boolean, draft_reply text, inputs jsonb,"
        " rule_path jsonb, item_created_at timestamptz) ON COMMIT DROP"
    )
    copy_rows(conn, "stage_triage", COLUMNS, (
        (i.platform, i.external_id, rules_version, r.outcome, _pg_array(r.flags), r.intent,
         r.topic, r.department, r.criticality, r.critical, r.influence, r.importance,
         r.foi_valid, storable(r.decision.draft_reply),
         jsonb_text({**r.inputs, "explanation": r.decision.explanation}),
         jsonb_text(r.decision.rule_path), i.created_at)
        for i, r in pairs
    ))
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in COLUMNS[3:])
    conn.exec_driver_sql(
        f"INSERT INTO social.triage_decisions ({', '.join(COLUMNS)})"
        # In key order: overlapping runs then wait for each other's rows, never deadlock.
        f" SELECT {', '.join(COLUMNS)} FROM stage_triage ORDER BY platform, external_id"
        f" ON CONFLICT (platform, external_id, rules_version) DO UPDATE SET {updates}"
    )
    conn.exec_driver_sql("DROP TABLE stage_triage")
    return len(pairs)


def record_correction(conn: Connection, platform: str, external_id: str, *, outcome: str | None,
                      critical: bool | None, officer: str, note: str | None,
                      corrected_at: datetime, rules_version: str | None) -> int:
    return conn.execute(triage_corrections.insert().values(
        platform=platform, external_id=external_id, rules_version=rules_version, outcome=outcome,
        critical=critical, officer=officer, note=note, corrected_at=corrected_at,
    ).returning(triage_corrections.c.id)).scalar_one()


def corrections_with_text(conn: Connection) -> list[dict]:
    """The latest critical/not-critical correction per item, with the item's text."""
    return [dict(r) for r in conn.execute(text(
        "SELECT DISTINCT ON (c.platform, c.external_id) c.platform, c.external_id, c.critical,"
        " i.text FROM social.triage_corrections c JOIN social.items i"
        " ON i.platform = c.platform AND i.external_id = c.external_id"
        " WHERE c.critical IS NOT NULL ORDER BY c.platform, c.external_id, c.id DESC"
    )).mappings()]

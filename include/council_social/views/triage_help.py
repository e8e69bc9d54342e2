""""Help the model": the day's posts the criticality model is least sure about.

Each day's decisions under the current rules whose item has no officer's
critical/not-critical correction yet, in two kinds:

- disagreements: the model and the rules part ways: the model's score is on the
  other side of the cut from the complaint cues' (the rules alone,
  `triage.use_model: false`), or the model calls critical a post the rules read
  as praise;
- nearest the cut: |criticality - triage.critical_threshold| smallest.

Up to half the list are disagreements (nearest the cut first), the rest the
nearest to the cut of the others. An officer confirms or corrects each with one
click; the answer is stored as any correction (`triage_corrections`) and
`retrain_criticality` learns from it.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from sqlalchemy import text

HELP_SIZE = 20

_DISAGREE = """(
    ((d.criticality >= :cut) <> (COALESCE((d.inputs->>'cue_score')::float, 0) >= :cut))
    OR (d.criticality >= :cut AND d.intent = 'praise'))"""


def _query(order_disagreements_first: bool) -> str:
    return f"""
        SELECT d.platform, d.external_id, d.outcome, d.intent, d.criticality, d.critical,
               d.inputs->'critical_words' AS critical_words,
               COALESCE((d.inputs->>'cue_score')::float, 0) AS cue_score,
               d.item_created_at, i.text, i.url,
               {_DISAGREE} AS disagreement,
               abs(d.criticality - :cut) AS distance
        FROM social.triage_decisions d
        LEFT JOIN social.items i ON i.platform = d.platform AND i.external_id = d.external_id
        WHERE d.rules_version = :rules
          AND d.item_created_at >= :start AND d.item_created_at < :end
          AND NOT EXISTS (SELECT 1 FROM social.triage_corrections c
                          WHERE c.platform = d.platform AND c.external_id = d.external_id
                            AND c.critical IS NOT NULL)
          {"AND " + _DISAGREE if order_disagreements_first else ""}
        ORDER BY distance, d.platform, d.external_id
        LIMIT :limit"""


def least_sure(conn, config, day: date, size: int = HELP_SIZE) -> list[dict]:
    """The day's (in the council's time zone) posts to confirm or correct, as above."""
    params = {"rules": config.triage.rules_version, "cut": config.triage.critical_threshold,
              "start": datetime.combine(day, time(0), config.tz),
              "end": datetime.combine(day + timedelta(days=1), time(0), config.tz)}
    disagreements = [dict(r) for r in conn.execute(
        text(_query(True)), {**params, "limit": size // 2}).mappings()]
    taken = {(r["platform"], r["external_id"]) for r in disagreements}
    nearest = [dict(r) for r in conn.execute(
        text(_query(False)), {**params, "limit": size + len(taken)}).mappings()]
    rows = disagreements + [r for r in nearest if (r["platform"], r["external_id"]) not in taken]
    rows = rows[:size]
    for r in rows:
        r["model_says"] = "critical" if r["criticality"] >= params["cut"] else "not critical"
        r["rules_say"] = ("praise" if r["intent"] == "praise" else
                          "critical" if r["cue_score"] >= params["cut"] else "not critical")
    return rows

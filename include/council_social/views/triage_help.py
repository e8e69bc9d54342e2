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

from council_social.views.queries import uncorrected_nearest_the_cut

HELP_SIZE = 20


def least_sure(conn, config, day: date, size: int = HELP_SIZE) -> list[dict]:
    """The day's (in the council's time zone) posts to confirm or correct, as above."""
    cut = config.triage.critical_threshold
    window = {"rules_version": config.triage.rules_version, "cut": cut,
              "start": datetime.combine(day, time(0), config.tz),
              "end": datetime.combine(day + timedelta(days=1), time(0), config.tz)}
    disagreements = uncorrected_nearest_the_cut(conn, **window, limit=size // 2, disagreements_only=True)
    taken = {(r["platform"], r["external_id"]) for r in disagreements}
    nearest = uncorrected_nearest_the_cut(conn, **window, limit=size + len(taken), disagreements_only=False)
    rows = disagreements + [r for r in nearest if (r["platform"], r["external_id"]) not in taken]
    rows = rows[:size]
    for r in rows:
        r["model_says"] = "critical" if r["criticality"] >= cut else "not critical"
        r["rules_say"] = ("praise" if r["intent"] == "praise" else
                          "critical" if r["cue_score"] >= cut else "not critical")
    return rows

"""retrain_criticality: fit a candidate on officers' corrections, promote only if better.

Corrections split deterministically (a hash of the item key): about a third
is held back. The candidate keeps the current text model and fits a logistic
combiner on the rest; both are scored (F1 of `critical`) on the held-back
part, and the candidate is promoted (see registry.py) only if it does strictly
better there and no worse on the public sets (`registry.public_sets`, when the
shared data is there). The candidate's card names the corrections used, the
held-back figures and the change. Every run leaves a JSON record beside the models. (`council-social
triage train` retrains the text model itself, from the files and corrections.)
"""

from __future__ import annotations

from datetime import datetime

from council_social.triage import registry
from council_social.triage import repo as triage_repo
from council_social.triage.criticality import load_model
from council_social.triage.datasets import corrections as labelled_corrections
from council_social.triage.training import critical_f1, fit_logistic_combiner, held_back

MIN_TRAIN = 10
MIN_HELD = 5


def retrain_criticality(engine, config, run_at: datetime) -> dict:
    with engine.connect() as conn:
        corrections = triage_repo.corrections_with_text(conn)
    train = [c for c in corrections if not held_back(c["platform"], c["external_id"])]
    held = [c for c in corrections if held_back(c["platform"], c["external_id"])]
    current = load_model(config.storage_base)
    folder = registry.models_dir(config)
    report = {"run_at": run_at.isoformat(), "by": "retrain_criticality",
              "corrections": len(corrections), "train": len(train), "held_back": len(held),
              "current": current.version, "promoted": False}
    if len(train) < MIN_TRAIN or len(held) < MIN_HELD or len({c["critical"] for c in train}) < 2:
        report["reason"] = (f"not enough corrections (need {MIN_TRAIN} to train with both labels "
                            f"and {MIN_HELD} held back)")
        return registry.record(folder, report)
    candidate = fit_logistic_combiner(current, [c["text"] for c in train],
                                      [bool(c["critical"]) for c in train])
    candidate.version = f"criticality-{run_at:%Y%m%d%H%M}"
    candidate.created_at = run_at.isoformat(timespec="seconds")
    candidate.notes = [*current.notes, f"combiner fitted on {len(train)} officer corrections "
                                       f"up to {run_at:%Y-%m-%d} (from {current.version})"]
    held_set = [labelled_corrections(held)]
    threshold = config.triage.critical_threshold
    candidate.metrics["corrections"] = {
        "used": len(train), "held_back": len(held), "from": current.version,
        "f1_before": round(critical_f1(current, held_set, threshold), 4),
        "f1_after": round(critical_f1(candidate, held_set, threshold), 4)}
    outcome = registry.promote_if_better(candidate, current, held_set, folder, threshold,
                                         registry.public_sets())
    report.update(outcome)
    return registry.record(folder, report)

"""retrain_criticality: fit a candidate on officers' corrections, promote only if better.

Corrections split deterministically (a hash of the item key): about a third
is held back. The candidate keeps the current text model and fits a logistic
combiner on the rest; both are scored (F1 of `critical`) on the held-back
part, and the candidate is written to `<data_dir>/models/` only if it does
strictly better. Every run leaves a JSON record beside the models.
"""

from __future__ import annotations

import json
from datetime import datetime

from council_social.triage import repo
from council_social.triage.criticality import PROMOTED_NAME, load_model, score_batch
from council_social.triage.training import fit_logistic_combiner, held_back, prf

MIN_TRAIN = 10
MIN_HELD = 5


def retrain_criticality(engine, config, run_at: datetime) -> dict:
    with engine.connect() as conn:
        corrections = repo.corrections_with_text(conn)
    train = [c for c in corrections if not held_back(c["platform"], c["external_id"])]
    held = [c for c in corrections if held_back(c["platform"], c["external_id"])]
    threshold = config.triage.critical_threshold
    use_model = config.triage.use_model
    current = load_model(config.storage_base)
    report = {"run_at": run_at.isoformat(), "corrections": len(corrections),
              "train": len(train), "held_back": len(held), "current": current.version,
              "promoted": False}
    if len(train) < MIN_TRAIN or len(held) < MIN_HELD or len({c["critical"] for c in train}) < 2:
        report["reason"] = (f"not enough corrections (need {MIN_TRAIN} to train with both labels "
                            f"and {MIN_HELD} held back)")
        return _record(config, report)
    truth = [bool(c["critical"]) for c in held]
    texts = [c["text"] for c in held]

    def f1(model) -> float:
        return prf([s.score >= threshold for s in score_batch(texts, model, use_model)], truth)["f1"]

    candidate = fit_logistic_combiner(current, [c["text"] for c in train],
                                      [bool(c["critical"]) for c in train], use_model)
    candidate.version = f"criticality-{run_at:%Y%m%d%H%M}"
    candidate.trained_on = (f"{current.trained_on}; combiner fitted on {len(train)} officer "
                            f"corrections up to {run_at:%Y-%m-%d}")
    before, after = f1(current), f1(candidate)
    report.update({"f1_before": round(before, 4), "f1_after": round(after, 4),
                   "candidate": candidate.version})
    if after > before:
        candidate.metrics = {"held_back_f1": after, "previous_f1": before}
        models = config.models_path
        candidate.save(models / f"{candidate.version}.json")
        candidate.save(models / PROMOTED_NAME)
        report["promoted"] = True
        report["reason"] = f"F1 on held-back corrections {before:.3f} -> {after:.3f}"
    else:
        report["reason"] = f"candidate not better on held-back corrections ({after:.3f} <= {before:.3f})"
    return _record(config, report)


def _record(config, report: dict) -> dict:
    folder = config.models_path
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "retrain_log.jsonl").open("a", encoding="utf-8") as log:
        log.write(json.dumps(report) + "\n")
    return report

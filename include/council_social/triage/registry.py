"""The council's criticality models: versions under `<data_dir>/models/`, promotion
only when a candidate beats the model in use on held-back data, and the model card.

`council-social triage train` trains a candidate from the labelled files and the
officers' corrections (see datasets.py), keeping about one row in five of the
council's and the complaints' data (and of the corrections) back: the candidate
never sees them, and both it and the current model are scored on them (F1 of
`critical`, each row counted at its set's training weight, so the random tweets weigh
as little in the judging as in the training). The candidate is written as `criticality-<time>.json` either way and
promoted (copied to `criticality-promoted.json`, which triage then loads) only if
it does strictly better. Every run appends a line to `retrain_log.jsonl`.
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

from council_social.triage.criticality import (
    PROMOTED_NAME,
    SHIPPED_MODEL,
    CriticalityModel,
)
from council_social.triage.datasets import LabelledTexts, hash_share
from council_social.triage.training import critical_f1, fit_model

HELD_BACK_SHARE = 5  # one row in five of the council's, complaints' and corrections' data
NOT_HELD = frozenset({"tweeteval"})  # sets only ever trained on (judged elsewhere)


def models_dir(config) -> Path:
    return config.models_path


def split_held_back(sets: list[LabelledTexts]) -> tuple[list[LabelledTexts], list[LabelledTexts]]:
    """(training sets, each set's held-back rows at the set's weight), by a hash of each text."""
    train, held = [], []
    for s in sets:
        if s.groups and set(s.groups) <= NOT_HELD:
            train.append(s)
            continue
        back = [hash_share(t, HELD_BACK_SHARE) for t in s.texts]
        train.append(s.subset([not b for b in back]))
        held.append(s.subset(back))
    return train, held


def describe_held(held: list[LabelledTexts]) -> str:
    return (f"held back (1 in {HELD_BACK_SHARE} of "
            + ", ".join(f"{s.name}: {len(s.texts)} at weight {s.weight}" for s in held) + ")")


def train_candidate(sets: list[LabelledTexts],
                    run_at: datetime) -> tuple[CriticalityModel, list[LabelledTexts]]:
    train, held = split_held_back(sets)
    model = fit_model(train, f"criticality-{run_at:%Y%m%d%H%M%S}", run_at)
    model.metrics["held_back"] = {"name": describe_held(held),
                                  "texts": sum(len(s.texts) for s in held),
                                  "f1_critical": round(critical_f1(model, held), 4),
                                  "scored": "weighted F1 (each row at its set's weight)"}
    return model, held


def promote_if_better(candidate: CriticalityModel, current: CriticalityModel,
                      held: list[LabelledTexts], folder: Path, threshold: float) -> dict:
    """Write the candidate's version; promote it only if its F1 on `held` (rows at their
    sets' weights) beats the current's."""
    before = critical_f1(current, held, threshold)
    after = critical_f1(candidate, held, threshold)
    candidate.metrics["previous_f1_held_back"] = round(before, 4)
    candidate.save(folder / f"{candidate.version}.json")
    report = {"current": current.version, "candidate": candidate.version,
              "held_back": sum(len(s.texts) for s in held), "f1_before": round(before, 4),
              "f1_after": round(after, 4), "promoted": after > before}
    if after > before:
        candidate.save(folder / PROMOTED_NAME)
        report["reason"] = f"F1 on held-back data {before:.3f} -> {after:.3f}"
    else:
        report["reason"] = f"candidate not better on held-back data ({after:.3f} <= {before:.3f})"
    return report


def record(folder: Path, report: dict) -> dict:
    folder.mkdir(parents=True, exist_ok=True)
    with open(folder / "retrain_log.jsonl", "a", encoding="utf-8") as log:
        log.write(json.dumps(report) + "\n")
    return report


def model_card(model: CriticalityModel, path: Path) -> str:
    """What the model is, what it learned from, and how it did on data it did not see."""
    where = "shipped with the package" if path == SHIPPED_MODEL else "promoted"
    lines = [f"criticality model {model.version} ({where}: {path})",
             f"  created      {model.created_at or 'unknown'}",
             "  model        scikit-learn TF-IDF (" + ", ".join(
                 f"{v['settings']['analyzer']} {v['settings']['ngram_range'][0]}-"
                 f"{v['settings']['ngram_range'][1]}-grams, {len(v['vocabulary']):,} terms"
                 for v in model.vectorizers) + f") + {', '.join(model.dense)};"
             f" {model.training}; combiner {model.combiner.get('kind')}",
             "  trained on"]
    for s in model.trained_on:
        lines.append(f"    {s['name']}: {s['texts']:,} texts, {s['critical']:,} critical"
                     f" (row weight {s['weight']})")
    lines.append("  figures")
    for key, value in model.metrics.items():
        lines.append(f"    {key}: {json.dumps(value)}")
    lines += [f"  note: {n}" for n in model.notes]
    return "\n".join(lines)


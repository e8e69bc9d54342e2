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
NOT_HELD = frozenset({"tweeteval", "tweeteval-emotion"})  # sets only ever trained on (judged elsewhere)


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


PUBLIC_TOLERANCE = 0.01  # "no worse on the public sets": F1 may not fall by more than this


def public_sets(tweeteval_dir=None) -> list[LabelledTexts]:
    """Public labelled tweets no model trains on, to check a candidate is no worse on
    them: TweetEval sentiment/val half "test" and emotion/val (anger vs joy/optimism).
    Empty when the shared data is not there."""
    from council_social.triage import datasets

    folder = tweeteval_dir or datasets.TWEETEVAL_DIR
    found = []
    if (folder / "sentiment").is_dir():
        found.append(datasets.tweeteval_sentiment(folder, "test"))
    if (folder / "emotion").is_dir():
        found.append(datasets.tweeteval_emotion(folder, "val"))
    return found


def promote_if_better(candidate: CriticalityModel, current: CriticalityModel,
                      held: list[LabelledTexts], folder: Path, threshold: float,
                      public: list[LabelledTexts] | None = None) -> dict:
    """Write the candidate's version; promote it only if its F1 on `held` (rows at their
    sets' weights) beats the current's and, given `public` sets, its F1 on them is no
    worse (by more than PUBLIC_TOLERANCE)."""
    before = critical_f1(current, held, threshold)
    after = critical_f1(candidate, held, threshold)
    candidate.metrics["previous_f1_held_back"] = round(before, 4)
    report = {"current": current.version, "candidate": candidate.version,
              "held_back": sum(len(s.texts) for s in held), "f1_before": round(before, 4),
              "f1_after": round(after, 4)}
    public_ok = True
    if public:
        p_before = critical_f1(current, public, threshold)
        p_after = critical_f1(candidate, public, threshold)
        public_ok = p_after >= p_before - PUBLIC_TOLERANCE
        report["public"] = {"sets": [s.name for s in public], "f1_before": round(p_before, 4),
                            "f1_after": round(p_after, 4)}
        candidate.metrics["public_sets"] = report["public"]
    candidate.save(folder / f"{candidate.version}.json")
    report["promoted"] = after > before and public_ok
    if after <= before:
        report["reason"] = f"candidate not better on held-back data ({after:.3f} <= {before:.3f})"
    elif not public_ok:
        report["reason"] = (f"better on held-back data ({before:.3f} -> {after:.3f}) but worse on the"
                            f" public sets ({report['public']['f1_before']:.3f} ->"
                            f" {report['public']['f1_after']:.3f})")
    else:
        report["reason"] = f"F1 on held-back data {before:.3f} -> {after:.3f}" + (
            f"; public sets {report['public']['f1_before']:.3f} -> {report['public']['f1_after']:.3f}"
            if public else "")
        candidate.save(folder / PROMOTED_NAME)
    return report


def last_retrain(folder: Path) -> dict | None:
    """The newest line of retrain_log.jsonl, if any."""
    log = folder / "retrain_log.jsonl"
    if not log.is_file():
        return None
    lines = [x for x in log.read_text(encoding="utf-8").splitlines() if x.strip()]
    return json.loads(lines[-1]) if lines else None


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
    for name, head in model.heads.items():
        held = head.get("held_out", {})
        lines.append(f"  {name} head   logistic regression on the same columns, cut {head['cut']};"
                     f" trained on {head.get('rows', '?')} rows, {head.get('praise', '?')} of them"
                     f" {name}; F{held.get('beta', '?')} {held.get('f_beta') or float('nan'):.3f}"
                     f" on {held.get('rows', '?')} rows held out of its training")
    corrections = model.metrics.get("corrections")
    if corrections:
        lines.append(f"  officers' corrections: {corrections['used']} used,"
                     f" {corrections['held_back']} held back; F1 of critical on the held-back"
                     f" {corrections['f1_before']:.3f} ({corrections['from']}) ->"
                     f" {corrections['f1_after']:.3f} ({model.version}),"
                     f" change {corrections['f1_after'] - corrections['f1_before']:+.3f}")
    public = model.metrics.get("public_sets")
    if public:
        lines.append(f"  public sets ({'; '.join(public['sets'])}): F1 {public['f1_before']:.3f}"
                     f" -> {public['f1_after']:.3f}")
    lines.append("  figures")
    for key, value in model.metrics.items():
        if key not in ("corrections", "public_sets"):
            lines.append(f"    {key}: {json.dumps(value)}")
    lines += [f"  note: {n}" for n in model.notes]
    return "\n".join(lines)


"""Train and evaluate the criticality model (offline; scikit-learn).

Training data:
- `triage/data/council_train.jsonl` (written for training; never the evaluation set
  tests/data/council_labelled.jsonl): UK council resident posts labelled critical
  yes/no and intent, following tests/data/LABELLING.md.
- TweetEval (../shared/data/tweeteval, never copied into the repo):
  sentiment/val split in two halves by a hash of the text, the "train" half for
  training (critical = negative) and the "test" half only for evaluation;
  offensive/train for training, offensive/val only for evaluation (critical = offensive).

The council rows carry a weight chosen by 5-fold cross-validation on them (the
TweetEval rows always train); the probability calibration (Platt) and the
threshold come from the same out-of-fold predictions, and the threshold is folded
into the calibration so that 0.5 means critical. Deterministic.

`fit_logistic_combiner` fits a logistic combiner over the shipped model and the
cues on officers' corrections (see retrain.py).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

from council_social.triage.criticality import (
    DENSE,
    CriticalityModel,
    _logit,
    features,
    make_vectorizer,
    score_batch,
)

COUNCIL_TRAIN = Path(__file__).resolve().parent / "data" / "council_train.jsonl"
COUNCIL_WEIGHTS = (3.0, 8.0, 20.0)  # candidates for the weight of one council row


@dataclass
class LabelledTexts:
    texts: list[str]
    labels: list[int]
    name: str


def _half(text: str) -> str:
    return "train" if int(hashlib.sha1(text.encode("utf-8")).hexdigest(), 16) % 2 == 0 else "test"


def _read(folder: Path, split: str) -> tuple[list[str], list[int]]:
    texts = (folder / f"{split}_text.txt").read_text(encoding="utf-8").splitlines()
    labels = [int(x) for x in (folder / f"{split}_labels.txt").read_text().split()]
    if len(texts) != len(labels):
        raise ValueError(f"{folder}/{split}: {len(texts)} texts but {len(labels)} labels")
    return [t.strip() for t in texts], labels


def tweeteval_sets(tweeteval_dir: Path) -> dict[str, LabelledTexts]:
    """The training set and the two evaluation sets, labelled critical (1) or not (0)."""
    s_texts, s_labels = _read(tweeteval_dir / "sentiment", "val")
    o_train, o_train_y = _read(tweeteval_dir / "offensive", "train")
    o_val, o_val_y = _read(tweeteval_dir / "offensive", "val")
    sent = [(t, int(y == 0), _half(t)) for t, y in zip(s_texts, s_labels, strict=True)]
    train = [(t, y) for t, y, h in sent if h == "train"] + list(zip(o_train, o_train_y, strict=True))
    sent_test = [(t, y) for t, y, h in sent if h == "test"]
    return {
        "train": LabelledTexts([t for t, _ in train], [y for _, y in train],
                               "sentiment/val (hash half 'train') + offensive/train"),
        "sentiment_test": LabelledTexts([t for t, _ in sent_test], [y for _, y in sent_test],
                                        "sentiment/val (hash half 'test'), critical = negative"),
        "offensive_test": LabelledTexts(o_val, o_val_y, "offensive/val, critical = offensive"),
    }


def council_train(path: Path = COUNCIL_TRAIN) -> LabelledTexts:
    rows = [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]
    return LabelledTexts([r["text"] for r in rows], [int(bool(r["critical"])) for r in rows],
                         f"{path.name}")


def _best_threshold(p, y) -> tuple[float, float]:
    """(threshold, F1) maximising F1 of p >= threshold; ties go to the middle of the plateau."""
    import numpy as np

    grid = np.round(np.arange(0.05, 0.951, 0.01), 2)
    f1s = np.asarray([prf(list(p >= t), list(y.astype(bool)))["f1"] for t in grid])
    best = np.flatnonzero(f1s >= f1s.max() - 1e-9)
    return float(grid[best[len(best) // 2]]), float(f1s.max())


def _fit_path(x_council, y_council, x_other, y_other, make_lr):
    """Choose the council weight by CV, then fit on everything; returns (lr, platt, report)."""
    import numpy as np
    from scipy.sparse import issparse, vstack
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import StratifiedKFold

    stack = vstack if issparse(x_council) else np.vstack
    folds = list(StratifiedKFold(n_splits=5, shuffle=True, random_state=0).split(x_council, y_council))
    best = None
    for weight in COUNCIL_WEIGHTS:
        oof = np.zeros(len(y_council))
        for train_idx, test_idx in folds:
            x = stack([x_council[train_idx], x_other])
            y = np.concatenate([y_council[train_idx], y_other])
            sw = np.concatenate([np.full(len(train_idx), weight), np.ones(len(y_other))])
            oof[test_idx] = make_lr().fit(x, y, sample_weight=sw).decision_function(x_council[test_idx])
        platt = LogisticRegression(C=1e6, max_iter=1000).fit(oof.reshape(-1, 1), y_council)
        p = platt.predict_proba(oof.reshape(-1, 1))[:, 1]
        threshold, f1 = _best_threshold(p, y_council)
        if best is None or f1 > best[0] + 1e-9:
            best = (f1, weight, platt, threshold)
    f1, weight, platt, threshold = best
    x = stack([x_council, x_other])
    y = np.concatenate([y_council, y_other])
    sw = np.concatenate([np.full(len(y_council), weight), np.ones(len(y_other))])
    lr = make_lr().fit(x, y, sample_weight=sw)
    a, b = float(platt.coef_[0][0]), float(platt.intercept_[0])
    # Fold the chosen threshold into the calibration: p' = 0.5 exactly where p = threshold.
    report = {"council_weight": weight, "cv_threshold": threshold, "cv_f1_council": round(f1, 4)}
    return lr, [a, b - _logit(threshold)], report


def train_model(council: LabelledTexts, other: LabelledTexts | None,
                version: str = "criticality-v2") -> CriticalityModel:
    """Rules path (dense features) and model path (+ word and char TF-IDF), both logistic."""
    import numpy as np
    from scipy.sparse import csr_matrix, hstack
    from sklearn.linear_model import LogisticRegression

    other = other or LabelledTexts([], [], "nothing else")
    texts = council.texts + other.texts
    y_all = np.asarray(council.labels + other.labels)
    n = len(council.texts)
    _, dense = features(texts)

    def rules_lr():
        return LogisticRegression(C=1.0, max_iter=3000)

    r_lr, r_platt, r_report = _fit_path(dense[:n], y_all[:n], dense[n:], y_all[n:], rules_lr)

    words = make_vectorizer("word", max_features=20000)
    chars = make_vectorizer("char", max_features=30000)
    x = hstack([words.fit_transform(texts), chars.fit_transform(texts), csr_matrix(dense)]).tocsr()

    def text_lr():
        return LogisticRegression(C=4.0, max_iter=3000)

    t_lr, t_platt, t_report = _fit_path(x[:n], y_all[:n], x[n:], y_all[n:], text_lr)

    def vocab(vec):
        return {term: int(i) for term, i in vec.vocabulary_.items()}

    return CriticalityModel(
        version=version,
        text={"vocabulary": vocab(words), "idf": [round(float(v), 6) for v in words.idf_],
              "char_vocabulary": vocab(chars), "char_idf": [round(float(v), 6) for v in chars.idf_],
              "coef": [round(float(v), 6) for v in t_lr.coef_[0]],
              "intercept": float(t_lr.intercept_[0]), "platt": t_platt},
        rules={"coef": [round(float(v), 6) for v in r_lr.coef_[0]],
               "intercept": float(r_lr.intercept_[0]), "platt": r_platt},
        dense=list(DENSE),
        trained_on=(f"{council.name} ({len(council.texts)} posts) + TweetEval {other.name} "
                    f"({len(other.texts)} texts)"),
        metrics={"rules": r_report, "model": t_report},
    )


# --- metrics -----------------------------------------------------------------------------


def prf(predicted: list[bool], actual: list[bool]) -> dict[str, float]:
    tp = sum(p and a for p, a in zip(predicted, actual, strict=True))
    fp = sum(p and not a for p, a in zip(predicted, actual, strict=True))
    fn = sum(a and not p for p, a in zip(predicted, actual, strict=True))
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else 0.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "n": len(actual),
            "positives": sum(actual)}


# --- retraining on corrections -------------------------------------------------------------


def held_back(platform: str, external_id: str, share: int = 3) -> bool:
    """Deterministic split: about one correction in `share` is held back for evaluation."""
    digest = hashlib.sha256(f"{platform}:{external_id}".encode()).hexdigest()
    return int(digest, 16) % share == 0


def _combiner_features(model: CriticalityModel, texts: list[str], use_model: bool):
    direct = CriticalityModel(**{**model.to_json(), "combiner": {"kind": "direct"}})
    return [[_logit(c.p_text), c.cues, c.praise, c.vader["compound"]]
            for c in score_batch(texts, direct, use_model)]


def fit_logistic_combiner(model: CriticalityModel, texts: list[str], labels: list[bool],
                          use_model: bool = True) -> CriticalityModel:
    """A candidate: the same text model, with a combiner fitted on these examples."""
    from sklearn.linear_model import LogisticRegression

    x = _combiner_features(model, texts, use_model)
    lr = LogisticRegression(C=1.0, max_iter=1000).fit(x, [int(v) for v in labels])
    weights = [float(lr.intercept_[0]), *(float(w) for w in lr.coef_[0])]
    data = model.to_json()
    data["combiner"] = {"kind": "logistic", "weights": weights}
    return CriticalityModel(**data)

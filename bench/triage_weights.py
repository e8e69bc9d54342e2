"""Choose how TweetEval emotion enters training, on out-of-fold figures only.

    .venv/bin/python bench/triage_weights.py [--folds 5]

Every training row (council_train.jsonl, the complaints data, TweetEval sentiment
half "train", TweetEval emotion/train) goes to one of --folds folds by a hash of its
text; each fold is scored by a regression trained on the others, the cut chosen on
the pooled out-of-fold scores as the shipped model's calibration does. Emotion
rows are scored out of fold under every variant, trained on or not. Never reads the
council evaluation set or any held-out half. Prints figures; never pass/fail.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.triage import datasets, training  # noqa: E402
from council_social.triage.criticality import cue_scores  # noqa: E402

VARIANTS = (  # (name, [(TweetEval emotion label -> critical, weight), ...])
    ("no emotion", []),
    ("joy/optimism 0.3", [({1: 0, 2: 0}, 0.3)]),
    ("joy/optimism + anger 0.3", [({0: 1, 1: 0, 2: 0}, 0.3)]),
    ("joy/optimism + anger 0.6", [({0: 1, 1: 0, 2: 0}, 0.6)]),
    ("joy/optimism 0.3, anger 0.1", [({1: 0, 2: 0}, 0.3), ({0: 1}, 0.1)]),
    ("joy/optimism 0.6, anger 0.3", [({1: 0, 2: 0}, 0.6), ({0: 1}, 0.3)]),  # shipped
    ("joy/optimism 1.0, anger 0.3", [({1: 0, 2: 0}, 1.0), ({0: 1}, 0.3)]),
    ("joy/optimism 0.6, anger 0.15", [({1: 0, 2: 0}, 0.6), ({0: 1}, 0.15)]),
)


def main() -> int:
    import numpy as np

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--folds", type=int, default=5)
    parser.add_argument("--only", nargs="*", help="the variants named (default: all)")
    args = parser.parse_args()
    base = [datasets.council_train(), *datasets.by_source(datasets.complaints()),
            datasets.tweeteval_sentiment(half="train")]
    emotion = datasets.tweeteval_emotion(labels={0: 1, 1: 0, 2: 0})  # every row scored
    raw = [int(x) for x in (datasets.TWEETEVAL_DIR / "emotion/train_labels.txt").read_text().split()]
    joy = np.asarray([y in (1, 2) for y in raw if y in (0, 1, 2)])
    print(f"out-of-fold figures, {args.folds} folds by a hash of the text; emotion = {emotion.name}")
    print(f"  {'variant':<26} {'council F1':>10} {'to companies F1':>15} {'random crit.':>12} "
          f"{'sentiment neg F1':>16} {'joy/opt crit.':>13} {'anger R':>8} {'cut':>5}")
    for name, parts in VARIANTS:
        if args.only and name not in args.only:
            continue
        sets = list(base)
        for labels, weight in parts:
            sets.append(datasets.tweeteval_emotion(labels=labels, weight=weight))
        texts = [t for s in sets for t in s.texts]
        y = np.asarray([v for s in sets for v in s.labels], dtype=bool)
        w = np.asarray([s.weight for s in sets for _ in s.texts])
        folds = np.asarray([datasets.hash_bucket(t, args.folds) for t in texts])
        e_folds = np.asarray([datasets.hash_bucket(t, args.folds) for t in emotion.texts])
        dense = np.asarray([cue_scores(t)[:2] for t in texts])
        e_dense = np.asarray([cue_scores(t)[:2] for t in emotion.texts])
        oof, e_oof = np.zeros(len(texts)), np.zeros(len(emotion.texts))
        for f in range(args.folds):
            tr = np.flatnonzero(folds != f)
            vecs, lr = training._fit([texts[i] for i in tr], dense[tr], y[tr], w[tr])
            te = np.flatnonzero(folds == f)
            oof[te] = training._decision(vecs, lr, [texts[i] for i in te], dense[te])
            ee = np.flatnonzero(e_folds == f)
            e_oof[ee] = training._decision(vecs, lr, [emotion.texts[i] for i in ee], e_dense[ee])
        p = 1 / (1 + np.exp(-oof))
        cut, _ = training.best_threshold(p, y, w)
        crit = p >= cut
        e_crit = 1 / (1 + np.exp(-e_oof)) >= cut
        at, figures = 0, []
        for s in base:
            part = slice(at, at + len(s.texts))
            figures.append((crit[part], y[part]))
            at += len(s.texts)
        (c_p, c_y), (co_p, co_y), (r_p, _), (s_p, s_y) = figures
        e_y = np.asarray(emotion.labels, dtype=bool)
        print(f"  {name:<26} {training.prf(c_p.tolist(), c_y.tolist())['f1']:>10.3f} "
              f"{training.prf(co_p.tolist(), co_y.tolist())['f1']:>15.3f} {r_p.mean():>12.1%} "
              f"{training.prf(s_p.tolist(), s_y.tolist())['f1']:>16.3f} {e_crit[joy].mean():>13.1%} "
              f"{e_crit[e_y].mean():>8.1%} {cut:>5.2f}")
    print("  (random crit.: random tweets taken as critical; joy/opt crit.: joy and optimism"
          " tweets taken as critical; anger R: anger tweets taken as critical)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

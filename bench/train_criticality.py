"""Train the shipped criticality model and write its JSON coefficients.

    .venv/bin/python bench/train_criticality.py [--tweeteval ../shared/data/tweeteval]

Trains on include/council_social/triage/data/council_train.jsonl + TweetEval
sentiment/val's hash half "train" + offensive/train; never on the evaluation sets
(tests/data/council_labelled.jsonl, sentiment/val half "test", offensive/val).
Weight, calibration and threshold come from cross-validation on council_train.
Writes include/council_social/triage/models/criticality-v2.json. Deterministic.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.triage.criticality import SHIPPED_MODEL  # noqa: E402
from council_social.triage.training import council_train, train_model, tweeteval_sets  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tweeteval", type=Path, default=ROOT.parent / "shared" / "data" / "tweeteval")
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL)
    args = parser.parse_args()
    if not args.tweeteval.is_dir():
        print(f"no TweetEval data at {args.tweeteval}", file=sys.stderr)
        return 2
    sets = tweeteval_sets(args.tweeteval)
    model = train_model(council_train(), sets["train"])
    model.save(args.out)
    print(f"trained on {model.trained_on}; wrote {args.out} "
          f"({args.out.stat().st_size // 1024} KiB)")
    print(f"cross-validation on council_train: {model.metrics}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

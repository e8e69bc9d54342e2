"""Rebuild the shipped criticality model (include/council_social/triage/models/).

    .venv/bin/python bench/train_criticality.py [--complaints CSV] [--tweeteval DIR]

The same training as `council-social triage train` without corrections (see
council_social.triage.registry and datasets): council_train.jsonl, the complaints
data and TweetEval sentiment/val half "train", one row in five of the council's
and the complaints' data held back and scored. Never the evaluation set
(tests/data/council_labelled.jsonl). Deterministic but for the date on the card.
"""

from __future__ import annotations

import argparse
import sys
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.triage import datasets, registry  # noqa: E402
from council_social.triage.criticality import SHIPPED_MODEL  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--complaints", type=Path, default=datasets.COMPLAINTS_CSV)
    parser.add_argument("--tweeteval", type=Path, default=datasets.TWEETEVAL_DIR)
    parser.add_argument("--out", type=Path, default=SHIPPED_MODEL)
    args = parser.parse_args()
    sets, missing = datasets.training_sets(args.complaints, args.tweeteval)
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 2
    model, _ = registry.train_candidate(sets, datetime.now(UTC).replace(microsecond=0))
    model.version = SHIPPED_MODEL.stem
    model.notes = ["shipped default; rebuild with bench/train_criticality.py"]
    model.save(args.out)
    print(registry.model_card(model, args.out))
    print(f"wrote {args.out} ({args.out.stat().st_size // 1024} KiB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

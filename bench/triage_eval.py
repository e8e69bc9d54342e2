"""Evaluate triage: `critical` on TweetEval's held-out sets and everything on the council set.

    .venv/bin/python bench/triage_eval.py [--tweeteval ../shared/data/tweeteval]

The shipped model was trained on include/council_social/triage/data/council_train.jsonl,
TweetEval sentiment/val (hash half "train") and offensive/train (see
council_social.triage.training); it is evaluated here only on sentiment/val half
"test" and offensive/val, never on its training data. The council set
(tests/data/council_labelled.jsonl, hand-labelled, see LABELLING.md) is used by no
training or tuning step. "VADER alone" is the real vaderSentiment analyser, for
comparison. Prints figures; never pass/fail.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.config import load_config  # noqa: E402
from council_social.triage.criticality import load_model, score_batch, sentiment, vader_scores  # noqa: E402
from council_social.triage.decision import OUTCOMES  # noqa: E402
from council_social.triage.engine import TriageRules, triage_batch  # noqa: E402
from council_social.triage.records import input_from_record  # noqa: E402
from council_social.triage.training import prf, tweeteval_sets  # noqa: E402

COUNCIL = ROOT / "tests" / "data" / "council_labelled.jsonl"


def line(name: str, m: dict) -> str:
    return (f"  {name:<34} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
            f"   (n={m['n']}, positives={m['positives']})")


def critical_report(texts, labels, model, threshold) -> list[str]:
    actual = [bool(y) for y in labels]
    vader = [vader_scores(t)["compound"] <= -0.05 for t in texts]
    fast = [sentiment(t)["compound"] <= -0.05 for t in texts]
    rules = [c.score >= threshold for c in score_batch(texts, model, use_model=False)]
    full = [c.score >= threshold for c in score_batch(texts, model, use_model=True)]
    return [line("VADER alone (compound <= -0.05)", prf(vader, actual)),
            line("lexicon scorer alone (same rule)", prf(fast, actual)),
            line("rules path (lexicon + cues)", prf(rules, actual)),
            line("model path (text model + cues)", prf(full, actual))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--tweeteval", type=Path, default=ROOT.parent / "shared" / "data" / "tweeteval")
    args = parser.parse_args()
    config = load_config()
    model = load_model(None)
    threshold = config.triage.critical_threshold
    print(f"criticality model {model.version}: trained on {model.trained_on}")
    if args.tweeteval.is_dir():
        sets = tweeteval_sets(args.tweeteval)
        for key in ("sentiment_test", "offensive_test"):
            s = sets[key]
            print(f"critical on TweetEval {s.name}:")
            print("\n".join(critical_report(s.texts, s.labels, model, threshold)))
    else:
        print(f"(no TweetEval at {args.tweeteval}; skipped)")

    records = [json.loads(x) for x in COUNCIL.read_text(encoding="utf-8").splitlines() if x.strip()]
    texts = [r["text"] for r in records]
    print(f"critical on the council set ({COUNCIL.relative_to(ROOT)}, {len(records)} posts):")
    print("\n".join(critical_report(texts, [r["critical"] for r in records], model, threshold)))
    complaints = [r for r in records if r["intent"] in ("complaint", "praise", "question",
                                                         "general_comment")]
    print(f"critical on the council set's complaint data (complaints vs questions, praise, "
          f"comments; {len(complaints)} posts):")
    print("\n".join(critical_report([r["text"] for r in complaints],
                                    [r["critical"] for r in complaints], model, threshold)))

    for use_model in (False, True):
        config.triage.use_model = use_model
        rules = TriageRules.from_config(config)
        results = triage_batch([input_from_record(r) for r in records], rules, model)
        label = "model path" if use_model else "rules path"
        print(f"council set, {label}:")
        for outcome in OUTCOMES:
            m = prf([x.outcome == outcome for x in results], [r["outcome"] == outcome for r in records])
            print(line(f"outcome {outcome}", m))
        acc = sum(x.outcome == r["outcome"] for x, r in zip(results, records, strict=True)) / len(records)
        intent_acc = sum(x.intent == r["intent"] for x, r in zip(results, records, strict=True)) / len(records)
        print(f"  outcome accuracy {acc:.3f}   intent accuracy {intent_acc:.3f}")
        for flag in ("foi", "emergency", "abusive", "impersonation", "out_of_hours"):
            m = prf([flag in x.flags for x in results], [flag in r["flags"] for r in records])
            print(line(f"flag {flag}", m))
        if use_model:
            confusion = Counter((r["outcome"], x.outcome) for x, r in zip(results, records, strict=True)
                                if x.outcome != r["outcome"])
            print("  most common outcome errors (labelled -> decided):")
            for (want, got), n in confusion.most_common(6):
                print(f"    {n:>3}  {want} -> {got}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

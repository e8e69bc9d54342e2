"""Choose the praise head's cut on a validation split; prints figures, never pass/fail.

    .venv/bin/python bench/triage_praise_cut.py [--cuts 0.5 0.4 0.3 0.2]

One row in five of every training set (datasets.training_sets: council_train.jsonl,
the complaints data, TweetEval sentiment/val half "train", TweetEval emotion/train),
by a hash of the text, is held out; a model is trained as the shipped one on the
rest, and the held-out rows go through the whole triage with the praise head cut at
each value, and without the head. Never the evaluation sets (the council set,
sentiment half "test", emotion/val). training.PRAISE_CUT was chosen here.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.config import load_config  # noqa: E402
from council_social.triage import datasets, training  # noqa: E402
from council_social.triage.criticality import PRAISE_HEAD, CriticalityModel  # noqa: E402
from council_social.triage.engine import TriageInput, TriageRules, triage_batch  # noqa: E402
from council_social.triage.training import prf  # noqa: E402


def share(flags) -> float:
    flags = list(flags)
    return sum(flags) / len(flags) if flags else float("nan")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cuts", type=float, nargs="+", default=[0.6, 0.5, 0.4, 0.3, 0.2])
    args = parser.parse_args()
    sets, missing = datasets.training_sets()
    if missing:
        print("\n".join(missing), file=sys.stderr)
        return 2
    train, val = [], []
    for s in sets:
        held = [datasets.hash_bucket(t, 5) == 0 for t in s.texts]
        train.append(s.subset([not h for h in held]))
        val.append(s.subset(held))
    model = training.fit_model(train, "praise-cut-validation")
    rules = TriageRules.from_config(load_config())
    intent_of = {json.loads(x)["text"]: json.loads(x).get("intent")
                 for x in datasets.COUNCIL_TRAIN.read_text(encoding="utf-8").splitlines() if x.strip()}
    council, companies, _random, sentiment, joy, anger = val
    print(f"validation rows: {', '.join(f'{s.name} {len(s.texts)}' for s in val)}")
    head = model.heads.get(PRAISE_HEAD)
    for cut in [None, *args.cuts]:
        heads = {} if cut is None or head is None else {PRAISE_HEAD: {**head, "cut": cut}}
        m = CriticalityModel(**{**model.to_json(), "heads": heads})

        def run(texts, m=m):
            return triage_batch([TriageInput(text=t) for t in texts], rules, m)

        r = run(council.texts)
        intents = [intent_of.get(t) for t in council.texts]
        council_f1 = prf([x.critical for x in r], [bool(y) for y in council.labels])["f1"]
        council_acted = share(x.outcome != "monitor" for x, i in zip(r, intents, strict=True)
                              if i == "complaint")
        r = run(companies.texts)
        companies_acted = share(x.outcome != "monitor"
                                for x, y in zip(r, companies.labels, strict=True) if y)
        r = run(sentiment.texts)
        neg = prf([x.critical for x in r], [bool(y) for y in sentiment.labels])["f1"]
        pos_acted = share(x.outcome != "monitor" for x, y in zip(r, sentiment.labels, strict=True)
                          if not y)
        joy_acted = share(x.outcome != "monitor" for x in run(joy.texts))
        anger_critical = share(x.critical for x in run(anger.texts))
        print(f"  {'no head' if cut is None else f'cut {cut}':<8} council F1 {council_f1:.3f}"
              f"  council complaints acted on {council_acted:.1%}"
              f"  complaints (tweets to companies) acted on {companies_acted:.1%}"
              f"  sentiment negative F1 {neg:.3f}  positive acted on {pos_acted:.1%}"
              f"  joy/optimism acted on {joy_acted:.1%}  anger critical {anger_critical:.1%}")
    return 0


if __name__ == "__main__":
    sys.exit(main())

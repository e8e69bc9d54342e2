"""Evaluate triage on real residents' words and on the council set; prints figures, never pass/fail.

    .venv/bin/python bench/triage_eval.py [--complaints CSV] [--tweeteval DIR] [--skip-domains]

1. Leave-one-domain-out on the complaints data (../shared/data/complaints,
   Preotiuc-Pietro et al. 2019): for each of its nine domains a model is trained
   exactly as the shipped one (council_train.jsonl + TweetEval sentiment half
   "train" + TweetEval emotion/train joy/optimism and anger + the other eight domains) and the held-out domain goes through the
   whole triage (rules, tree). "complaint" is intent == complaint; `critical` is
   criticality >= the configured threshold; "acted on" is an outcome other than
   monitor. The two random-tweet domains hold no complaints: their line shows how
   many of their tweets are wrongly taken as complaints or acted on.
2. Five folds of council_train.jsonl (by a hash of the text): each fold's posts are
   triaged by a model trained as the shipped one without them. Training choices are
   made on these figures and on (1), never on (3).
3. The shipped model on the council set (tests/data/council_labelled.jsonl,
   hand-labelled, read by no training or tuning step), on TweetEval sentiment/val
   half "test" (never trained on: negative F1 beside VADER's on the same tweets,
   positive tweets acted on) and on TweetEval emotion/val (never trained on: joy and
   optimism, the praise that needs nothing, acted on; anger taken as critical).
   The shipped model carries a praise head (see criticality.py): praise it finds is
   monitored and never critical.
4. The abuse cues (the `abusive` flag) on TweetEval offensive/val and hate/train,
   real tweets labelled by annotators, never trained on.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.config import load_config  # noqa: E402
from council_social.triage import datasets  # noqa: E402
from council_social.triage.criticality import load_model  # noqa: E402
from council_social.triage.decision import OUTCOMES  # noqa: E402
from council_social.triage.engine import TriageInput, TriageRules, triage_batch  # noqa: E402
from council_social.triage.records import input_from_record  # noqa: E402
from council_social.triage.training import fit_model, prf  # noqa: E402

COUNCIL_FOLDS = 5


def line(name: str, m: dict) -> str:
    return (f"  {name:<34} P {m['precision']:.3f}  R {m['recall']:.3f}  F1 {m['f1']:.3f}"
            f"   (n={m['n']}, positives={m['positives']})")


def share(flags: list[bool]) -> str:
    return f"{sum(flags) / len(flags):6.1%}" if flags else "   n/a"


def judge(results, labels: list[int]) -> dict:
    actual = [bool(y) for y in labels]
    acted = [r.outcome != "monitor" for r in results]
    return {
        "complaint": prf([r.intent == "complaint" for r in results], actual),
        "critical": prf([r.critical for r in results], actual),
        "complaints_acted": [a for a, y in zip(acted, actual, strict=True) if y],
        "others_acted": [a for a, y in zip(acted, actual, strict=True) if not y],
        "others_complaint": [r.intent == "complaint" for r, y in zip(results, actual, strict=True)
                             if not y],
    }


def fit_like_shipped(council, complaints, tweeteval, emotion, version: str):
    """A model trained as the shipped one (datasets.training_sets) on these rows."""
    return fit_model([council, *datasets.by_source(complaints), tweeteval, *emotion], version)


def domains(data, council, tweeteval, emotion, rules, threshold) -> None:
    print(f"Leave-one-domain-out on {data.name} ({len(data.texts)} tweets, "
          f"{sum(data.labels)} complaints); each fold also trains on {council.name} and "
          f"{tweeteval.name}, " + ", ".join(f"{e.name} (weight {e.weight})" for e in emotion))
    print(f"  {'held-out domain':<14} {'n':>5} {'compl.':>6}  complaint F1  critical F1  "
          "complaints acted on  others acted on  others as complaint")
    pooled_results, pooled_labels = [], []
    for domain in sorted(set(data.groups)):
        inside = [g == domain for g in data.groups]
        train = data.subset([not x for x in inside])
        test = data.subset(inside)
        model = fit_like_shipped(council, train, tweeteval, emotion, f"lodo-{domain}")
        results = triage_batch([TriageInput(text=t) for t in test.texts], rules, model)
        j = judge(results, test.labels)
        pooled_results += results
        pooled_labels += test.labels
        has = sum(test.labels) > 0
        print(f"  {domain:<14} {len(test.texts):>5} {sum(test.labels):>6}  "
              f"{j['complaint']['f1'] if has else float('nan'):>12.3f}  "
              f"{j['critical']['f1'] if has else float('nan'):>11.3f}  "
              f"{share(j['complaints_acted']):>19}  {share(j['others_acted']):>15}  "
              f"{share(j['others_complaint']):>19}")
    j = judge(pooled_results, pooled_labels)
    print(f"  {'all (pooled)':<14} {len(pooled_labels):>5} {sum(pooled_labels):>6}  "
          f"{j['complaint']['f1']:>12.3f}  {j['critical']['f1']:>11.3f}  "
          f"{share(j['complaints_acted']):>19}  {share(j['others_acted']):>15}  "
          f"{share(j['others_complaint']):>19}")
    print(line("pooled complaint (intent)", j["complaint"]))
    print(line("pooled critical", j["critical"]))
    print(f"  (threshold {threshold}; each fold's calibration chose its own cut from its own data)")


def council_out_of_fold(data, council, tweeteval, emotion, rules) -> None:
    folds = [datasets.hash_bucket(t, COUNCIL_FOLDS) for t in council.texts]
    critical = [False] * len(folds)
    for fold in range(COUNCIL_FOLDS):
        train = council.subset([f != fold for f in folds])
        model = fit_like_shipped(train, data, tweeteval, emotion, f"council-fold-{fold}")
        held = [i for i, f in enumerate(folds) if f == fold]
        results = triage_batch([TriageInput(text=council.texts[i]) for i in held], rules, model)
        for i, result in zip(held, results, strict=True):
            critical[i] = result.critical
    print(f"{council.name} in {COUNCIL_FOLDS} folds, each triaged by a model trained without it:")
    print(line("critical (out of fold)", prf(critical, [bool(y) for y in council.labels])))


def abuse_on_tweeteval(args, rules, model) -> None:
    print("The abuse cues (flag abusive) on real tweets, never trained on:")
    for data in datasets.tweeteval_abuse(args.tweeteval):
        results = triage_batch([TriageInput(text=t) for t in data.texts], rules, model)
        print(line(f"abusive = {data.name}", prf(["abusive" in r.flags for r in results],
                                                 [bool(y) for y in data.labels])))
    print("  (TweetEval's offensive counts any profanity, which the cues leave alone)")


def council_set(config, model) -> None:
    records = datasets.council_eval()
    print(f"The shipped model {model.version} on the council set "
          f"({datasets.COUNCIL_EVAL.relative_to(datasets.PROJECT)}, {len(records)} posts):")
    for use_model in (True, False):
        config.triage.use_model = use_model
        rules = TriageRules.from_config(config)
        results = triage_batch([input_from_record(r) for r in records], rules, model)
        print(f" {'model path' if use_model else 'cues only (triage.use_model: false)'}:")
        print(line("critical", prf([x.critical for x in results], [r["critical"] for r in records])))
        print(line("intent complaint", prf([x.intent == "complaint" for x in results],
                                           [r["intent"] == "complaint" for r in records])))
        for outcome in OUTCOMES:
            m = prf([x.outcome == outcome for x in results], [r["outcome"] == outcome for r in records])
            print(line(f"outcome {outcome}", m))
        pairs = list(zip(results, records, strict=True))
        acc = sum(x.outcome == r["outcome"] for x, r in pairs) / len(records)
        intent_acc = sum(x.intent == r["intent"] for x, r in pairs) / len(records)
        print(f"  outcome accuracy {acc:.3f}   intent accuracy {intent_acc:.3f}")
        print(f"  complaints acted on {share([x.outcome != 'monitor' for x, r in pairs if r['intent'] == 'complaint'])}"
              f"   praise acted on {share([x.outcome != 'monitor' for x, r in pairs if r['intent'] == 'praise'])}")
        for flag in ("foi", "emergency", "abusive", "impersonation", "out_of_hours"):
            m = prf([flag in x.flags for x in results], [flag in r["flags"] for r in records])
            print(line(f"flag {flag}", m))
        if use_model:
            confusion = Counter((r["outcome"], x.outcome) for x, r in pairs if x.outcome != r["outcome"])
            print("  most common outcome errors (labelled -> decided):")
            for (want, got), n in confusion.most_common(6):
                print(f"    {n:>3}  {want} -> {got}")
    config.triage.use_model = True


def vader_negative(texts: list[str]) -> list[bool]:
    """VADER's call (compound <= -0.05, its own convention) on each text."""
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    vader = SentimentIntensityAnalyzer()
    return [vader.polarity_scores(t)["compound"] <= -0.05 for t in texts]


def tweeteval_test(args, rules, model) -> None:
    test = datasets.tweeteval_sentiment(args.tweeteval, "test")
    results = triage_batch([TriageInput(text=t) for t in test.texts], rules, model)
    actual = [bool(y) for y in test.labels]
    print(f"The shipped model on {test.name}, never trained on ({len(test.texts)} tweets):")
    print(line("critical = negative", prf([x.critical for x in results], actual)))
    print(line("VADER negative (same tweets)", prf(vader_negative(test.texts), actual)))
    positive = [x for x, y in zip(results, test.labels, strict=True) if not y]
    print(f"  positive tweets acted on {share([x.outcome != 'monitor' for x in positive])}"
          f" (goal at most 10%)   taken as critical {share([x.critical for x in positive])}"
          "   (goal for negative: F1 at least VADER's)")


def emotion_test(args, rules, model) -> None:
    """TweetEval emotion/val: the praise that needs nothing, and anger."""
    raw = datasets.tweeteval_emotion(args.tweeteval, "val", {0: 0, 1: 1, 2: 2, 3: 3})
    results = triage_batch([TriageInput(text=t) for t in raw.texts], rules, model)
    print(f"The shipped model on TweetEval emotion/val, never trained on ({len(raw.texts)} tweets):")
    for label, name in enumerate(("anger", "joy", "optimism", "sadness")):
        picked = [x for x, y in zip(results, raw.labels, strict=True) if y == label]
        print(f"  {name:<9} (n={len(picked):>3})  acted on {share([x.outcome != 'monitor' for x in picked])}"
              f"   taken as critical {share([x.critical for x in picked])}")
    praise = [x for x, y in zip(results, raw.labels, strict=True) if y in (1, 2)]
    print(f"  joy + optimism (praise needing nothing, n={len(praise)}): acted on "
          f"{share([x.outcome != 'monitor' for x in praise])} (goal at most 10%)")
    negative = [y in (0, 3) for y in raw.labels]
    print(line("critical = anger or sadness", prf([x.critical for x in results], negative)))
    print(line("VADER negative (same tweets)", prf(vader_negative(raw.texts), negative)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--complaints", type=Path, default=datasets.COMPLAINTS_CSV)
    parser.add_argument("--tweeteval", type=Path, default=datasets.TWEETEVAL_DIR)
    parser.add_argument("--skip-domains", action="store_true",
                        help="only the shipped model's figures (the folds train 14 models)")
    args = parser.parse_args()
    config = load_config()
    rules = TriageRules.from_config(config)
    model = load_model(None)
    if not args.skip_domains:
        if args.complaints.is_file() and (args.tweeteval / "sentiment").is_dir():
            shipped_data = (datasets.complaints(args.complaints), datasets.council_train(),
                            datasets.tweeteval_sentiment(args.tweeteval, "train"),
                            [datasets.tweeteval_emotion(args.tweeteval, "train", datasets.PRAISE_LABELS,
                                                        datasets.PRAISE_WEIGHT),
                             datasets.tweeteval_emotion(args.tweeteval, "train", datasets.ANGER_LABELS,
                                                        datasets.ANGER_WEIGHT)])
            domains(*shipped_data, rules, config.triage.critical_threshold)
            council_out_of_fold(*shipped_data, rules)
        else:
            print(f"(no complaints data at {args.complaints} or TweetEval at {args.tweeteval}; "
                  "the folds are skipped)")
    council_set(config, model)
    if (args.tweeteval / "sentiment").is_dir():
        tweeteval_test(args, rules, model)
    if (args.tweeteval / "emotion").is_dir():
        emotion_test(args, rules, model)
    if (args.tweeteval / "offensive").is_dir() and (args.tweeteval / "hate").is_dir():
        abuse_on_tweeteval(args, rules, model)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Triage throughput: items per second on one core, model path (production) and cues only.

    .venv/bin/python bench/triage_speed.py [--items 20000]

Texts come from the labelled council set, repeated with a counter so caches
cannot help; authors, metrics and times vary. Prints figures; never pass/fail.
Then one long text (100 KB and 1 MB) through triage. Items/s is given on CPU time (process_time: one core's work) and on wall time.
The batch is timed --repeat times: on a shared machine other work only ever
slows a run down, so the best run is the code's own figure (as timeit reports);
the median shows how noisy the machine was.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.config import load_config  # noqa: E402
from council_social.triage.criticality import load_model  # noqa: E402
from council_social.triage.decision import Signals, decide  # noqa: E402
from council_social.triage.engine import TriageRules, triage_batch  # noqa: E402
from council_social.triage.records import input_from_record  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    rows = [json.loads(x) for x in (ROOT / "tests/data/council_labelled.jsonl").read_text().splitlines()]
    inputs = []
    for n in range(args.items):
        r = dict(rows[n % len(rows)])
        r["text"] = f"{r['text']} #{n}"
        inputs.append(input_from_record(r))
    config = load_config()
    model = load_model(None)
    for use_model in (True, False):
        config.triage.use_model = use_model
        rules = TriageRules.from_config(config)
        triage_batch(inputs[:200], rules, model)  # warm up lazy loads
        cpus, walls = [], []
        for _ in range(max(1, args.repeat)):
            rules = TriageRules.from_config(config)  # fresh memos every run
            t, c = time.perf_counter(), time.process_time()
            results = triage_batch(inputs, rules, model)
            walls.append(time.perf_counter() - t)
            cpus.append(time.process_time() - c)
        name = "model path (text model + cues + tree)" if use_model else "cues only (+ tree)"
        n = len(inputs)
        print(f"{name:<40} {n / min(cpus):>10,.0f} items/s CPU best  "
              f"{n / statistics.median(cpus):>10,.0f} median  "
              f"{n / min(walls):>10,.0f} items/s wall best  ({n} items x {len(cpus)} runs, 1 core)")
    c = time.process_time()
    for r in results:
        decide(Signals(intent=r.intent, criticality=r.criticality, critical=r.critical,
                       influence=r.influence, importance=r.importance, topic=r.topic),
               rules.thresholds)
    cpu = time.process_time() - c
    print(f"{'decision tree alone':<40} {len(results) / cpu:>10,.0f} items/s CPU")
    # One long text (words, then punctuation only: a word start at every character).
    words = " ".join(r["text"] for r in rows)
    for size in (100_000, 1_000_000):
        for kind, text in (("words", (words * (size // len(words) + 1))[:size]),
                           ("punctuation", ("!?@#" * size)[:size])):
            c = time.process_time()
            triage_batch([input_from_record({"text": text})], rules, model)
            print(f"{f'one text of {size:,} characters ({kind})':<40} "
                  f"{time.process_time() - c:>10.3f} s CPU")
    return 0


if __name__ == "__main__":
    sys.exit(main())

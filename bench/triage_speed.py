"""Triage throughput: items per second on one core, rules path and model path.

    .venv/bin/python bench/triage_speed.py [--items 20000]

Texts come from the labelled council set, repeated with a counter so caches
cannot help; authors, metrics and times vary. Prints figures; never pass/fail.
Items/s is given on CPU time (process_time: one core's work, steady on a busy
shared machine) and on wall time.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "include"))

from council_social.config import load_config  # noqa: E402
from council_social.triage.criticality import load_model  # noqa: E402
from council_social.triage.decision import decide  # noqa: E402
from council_social.triage.engine import TriageRules, triage_batch  # noqa: E402
from council_social.triage.records import input_from_record  # noqa: E402


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--items", type=int, default=20000)
    args = parser.parse_args()
    rows = [json.loads(x) for x in (ROOT / "tests/data/council_labelled.jsonl").read_text().splitlines()]
    inputs = []
    for n in range(args.items):
        r = dict(rows[n % len(rows)])
        r["text"] = f"{r['text']} #{n}"
        inputs.append(input_from_record(r))
    config = load_config()
    model = load_model(None)
    for use_model in (False, True):
        config.triage.use_model = use_model
        rules = TriageRules.from_config(config)
        triage_batch(inputs[:200], rules, model)  # warm up lazy loads
        t, c = time.perf_counter(), time.process_time()
        results = triage_batch(inputs, rules, model)
        elapsed, cpu = time.perf_counter() - t, time.process_time() - c
        name = "model path (text model + cues + tree)" if use_model else "rules path (lexicon + cues + tree)"
        print(f"{name:<40} {len(inputs) / cpu:>10,.0f} items/s CPU  "
              f"{len(inputs) / elapsed:>10,.0f} items/s wall  ({len(inputs)} items, 1 core)")
    signals = [None] * len(results)
    c = time.process_time()
    for r in results:
        decide(_signals(r), rules.thresholds)
    cpu = time.process_time() - c
    print(f"{'decision tree alone':<40} {len(signals) / cpu:>10,.0f} items/s CPU")
    return 0


def _signals(r):
    from council_social.triage.decision import Signals

    return Signals(intent=r.intent, criticality=r.criticality, critical=r.critical,
                   influence=r.influence, importance=r.importance, topic=r.topic)


if __name__ == "__main__":
    sys.exit(main())

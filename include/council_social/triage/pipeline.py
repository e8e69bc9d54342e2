"""Triage inside process_items: the accepted items of a batch, in its transaction."""

from __future__ import annotations

from sqlalchemy import Connection

from council_social.triage import repo as triage_repo
from council_social.triage.criticality import load_model
from council_social.triage.engine import TriageRules, triage_batch

_rules_cache: dict[int, TriageRules] = {}


def rules_for(config) -> TriageRules:
    # Compiled once per config object: the tree's regexes and fuzzy names.
    rules = _rules_cache.get(id(config))
    if rules is None or rules.config is not config or rules.rules_version != config.triage.rules_version:
        rules = _rules_cache[id(config)] = TriageRules.from_config(config)
    return rules


def triage_stored(conn: Connection, config, keys: list[tuple[str, str]]) -> dict[str, int]:
    """Triage the stored items named by keys and upsert their decisions; outcome counts."""
    rules = rules_for(config)
    inputs = triage_repo.read_batch(conn, keys, config.triage.influence_window_days)
    results = triage_batch(inputs, rules, load_model(config.storage_base))
    triage_repo.write_decisions(conn, rules.rules_version, list(zip(inputs, results, strict=True)))
    counts: dict[str, int] = {}
    for r in results:
        counts[r.outcome] = counts.get(r.outcome, 0) + 1
    return counts

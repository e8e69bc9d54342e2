"""Competitions over the store and the API: open, draw, archive, re-run.

The draw checks who follows the account at draw time through the platform's API (a whole
walk of the follower list), then archives the rules file, the entry list and the draw
(seed, published value, eligible list, winner) as one WARC plus a manifest of sha256s.
A second `draw` of the same competition re-runs the draw on the archived eligible list and
must give the same winner.
"""

from __future__ import annotations

import hashlib
import json
from datetime import datetime
from pathlib import Path

from sqlalchemy import Engine

from council_social.archive.storage import archive_root, write_once
from council_social.archive.writer import build_resource_file
from council_social.promotion import repo
from council_social.promotion.competition import (
    Competition,
    CompetitionError,
    Entry,
    draw,
    one_per_person,
    read_competition,
    redraw,
)
from council_social.promotion.jobs import own_ids


def load(config, path) -> tuple[Competition, bytes]:
    comp = read_competition(path, {a.key: a for a in config.accounts})
    return comp, Path(path).read_bytes()


def open_competition(engine: Engine, config, path, at: datetime) -> dict:
    comp, _ = load(config, path)
    with engine.begin() as conn:
        stored = repo.competition(conn, comp.key)
        if stored is not None and stored.spec != comp.spec():
            raise CompetitionError(f"competition {comp.key!r} is already open with other rules; "
                                   "a competition's rules do not change once it opens")
        created = repo.open_competition(conn, comp.key, comp.account, comp.spec(), at)
    return {"key": comp.key, "account": comp.account, "opens": comp.opens.isoformat(),
            "closes": comp.closes.isoformat(), "prize": comp.prize,
            "enter_by": f"#{comp.hashtag}" if comp.hashtag else f"reply to post {comp.post}",
            "status": "open", "new": created}


def _entry_dict(e: Entry) -> dict:
    return {"author_id": e.author_id, "handle": e.handle, "post_id": e.post_id,
            "created_at": e.created_at.isoformat()}


def run_draw(engine: Engine, config, path, connector_factory, at: datetime) -> dict:
    comp, rules_bytes = load(config, path)
    if at < comp.closes:
        raise CompetitionError(f"competition {comp.key!r} closes at {comp.closes.isoformat()}; "
                               "draw after the close")
    account = next(a for a in config.accounts if a.key == comp.account)
    with engine.connect() as conn:
        stored = repo.competition(conn, comp.key)
    if stored is not None and stored.status == "drawn":
        return _rerun(stored)
    with engine.connect() as conn:
        rows = repo.entry_posts(conn, account.platform, comp.opens, comp.closes, comp.hashtag,
                                comp.post)
        own = own_ids(config)
        published = comp.published_value or repo.last_own_post_before(conn, account, comp.closes)
    entries = one_per_person(
        [Entry(r.author_external_id, r.username or r.author_external_id, r.external_id,
               r.created_at) for r in rows], own, comp.exclusions)
    if not entries:
        raise CompetitionError(f"competition {comp.key!r}: no entries between "
                               f"{comp.opens.isoformat()} and {comp.closes.isoformat()}")
    connector = connector_factory()
    follows = connector.fetch_follows(account, "followers")
    if not follows.complete:
        raise RuntimeError(f"could not read @{account.handle}'s followers to the end "
                           f"({follows.stopped_reason}); draw again later")
    result = draw(entries, {u.external_id for u in follows.users}, published or "")
    spec = comp.spec() | {"published_value": published}
    winner = _entry_dict(result.winner)
    entries_doc = [_entry_dict(e) for e in result.entries]
    eligible_lines = [e.line() for e in result.eligible]
    draw_doc = {"competition": comp.key, "account": comp.account, "published_value": published,
                "eligible": eligible_lines, "seed": result.seed, "winner": winner,
                "method": "seed = sha256(sorted eligible lines joined by newline + newline + "
                          "published_value); winner = eligible[int(seed, 16) % len(eligible)]",
                "drawn_at": at.isoformat()}
    archive = _archive(config, comp, at, rules_bytes, entries_doc, draw_doc)
    with engine.begin() as conn:
        repo.record_draw(conn, comp.key, comp.account, spec, entries_doc, eligible_lines,
                         published, result.seed, winner, archive, at)
    return {"competition": comp.key, "entries": len(entries_doc), "eligible": len(eligible_lines),
            "seed": result.seed, "published_value": published, "winner": winner,
            "archive": archive, "rerun": False}


def _rerun(stored) -> dict:
    seed, line = redraw(list(stored.eligible), stored.published_value)
    if seed != stored.seed or line != f"{stored.winner['author_id']} {stored.winner['post_id']}":
        raise RuntimeError(f"competition {stored.key!r}: the archived draw does not re-run to "
                           "the same winner; the record has been altered")
    return {"competition": stored.key, "entries": len(stored.entries),
            "eligible": len(stored.eligible), "seed": seed,
            "published_value": stored.published_value, "winner": stored.winner,
            "archive": stored.archive, "rerun": True}


def _archive(config, comp: Competition, at: datetime, rules: bytes, entries: list,
             draw_doc: dict) -> dict:
    base = f"urn:council-social:competition:{comp.key}"
    docs = [(f"{base}:rules", "application/yaml", rules),
            (f"{base}:entries", "application/json",
             json.dumps(entries, indent=1, sort_keys=True).encode()),
            (f"{base}:draw", "application/json",
             json.dumps(draw_doc, indent=1, sort_keys=True).encode())]
    warc = build_resource_file(f"competition {comp.key}: rules, entries and draw", at, docs)
    root = archive_root(config)
    folder = f"promotion/competitions/{comp.key}"
    write_once(root, f"{folder}/draw.warc.gz", warc.data)
    manifest = {"warc": f"{folder}/draw.warc.gz", "sha256": warc.sha256, "bytes": len(warc.data),
                "records": [{"uri": uri, "sha256": hashlib.sha256(body).hexdigest()}
                            for uri, _, body in docs]}
    write_once(root, f"{folder}/manifest.json",
               json.dumps(manifest, indent=1, sort_keys=True).encode())
    return manifest | {"manifest": f"{folder}/manifest.json"}


def draw_due(engine: Engine, config, connector_factory, at: datetime) -> list[dict]:
    """Draw every configured competition (council.yaml `promotion.competitions`) that has
    closed by `at`; a drawn one is re-run from its archive (and must agree). A competition
    that cannot be drawn (no entries, no eligible follower) is reported, not fatal."""
    out = []
    for pattern in config.promotion.competitions:
        base = config.resolve_location(pattern)
        paths = sorted(base.parent.glob(base.name)) if any(c in pattern for c in "*?[") \
            else [base]
        for path in paths:
            try:
                comp, _ = load(config, path)
                if at < comp.closes:
                    out.append({"competition": comp.key, "status": "open until "
                                + comp.closes.isoformat()})
                    continue
                out.append(run_draw(engine, config, path, connector_factory, at))
            except CompetitionError as exc:
                out.append({"competition": str(path), "status": f"not drawn: {exc}"})
    return out

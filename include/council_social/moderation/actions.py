"""Record a moderation action under a house rule; hide Facebook and Instagram comments once.

`delete` is refused unless the rule allows it (the strategy says hide, do not
delete). The store and the archive keep the item whatever is done to it: this
module never deletes or edits an item. Hiding a Facebook or Instagram comment
goes through the Graph API exactly once, as posting does: the action is
committed as `pending` before the call and `done` after it; a retry that finds
it `pending` asks the platform whether the comment is hidden before hiding it
again. Other actions (reports, deletions, hiding elsewhere) are `recorded` for
the officer to carry out on the platform.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select, text, update
from sqlalchemy.dialects.postgresql import insert

from council_social.grid.posting import PostAuthError, PostRejected
from council_social.moderation.tables import moderation_actions
from council_social.text_rules import TextRuleError, required_words

ACTIONS = ("hide", "report", "delete")
GRAPH_PLATFORMS = ("facebook", "instagram")


class ModerationError(ValueError):
    """The action is not allowed or the item is unknown; the message says why."""


def _item(conn, platform: str, external_id: str):
    return conn.execute(text(
        "SELECT platform, external_id, account_key, kind FROM social.items"
        " WHERE platform = :p AND external_id = :e"), {"p": platform, "e": external_id}).first()


def _row(engine, platform: str, external_id: str, action: str, officer: str):
    with engine.connect() as conn:
        return conn.execute(select(moderation_actions).where(
            moderation_actions.c.platform == platform,
            moderation_actions.c.external_id == external_id,
            moderation_actions.c.action == action,
            moderation_actions.c.officer == officer)).first()


def _done_by_another(engine, row):
    """Another officer's hide of the same item that the platform already carried out."""
    with engine.connect() as conn:
        return conn.execute(select(moderation_actions).where(
            moderation_actions.c.platform == row.platform,
            moderation_actions.c.external_id == row.external_id,
            moderation_actions.c.action == row.action,
            moderation_actions.c.id != row.id,
            moderation_actions.c.status == "done")).first()


def _set(engine, row_id: int, **values) -> None:
    with engine.begin() as conn:
        conn.execute(update(moderation_actions).where(moderation_actions.c.id == row_id)
                     .values(**values))


def record_action(engine, config, platform: str, external_id: str, action: str, rule: str,
                  officer: str, note: str, now: datetime, moderators: dict | None = None) -> dict:
    """Log the action (once per item, action and officer) and carry out a Graph hide; returns the row."""
    if action not in ACTIONS:
        raise ModerationError(f"unknown action {action!r}; actions are: {', '.join(ACTIONS)}")
    try:
        house_rule = config.house_rule(rule)
    except KeyError as exc:
        raise ModerationError(exc.args[0]) from None
    if action == "delete" and not house_rule.allow_delete:
        allowed = [r.key for r in config.house_rules if r.allow_delete]
        raise ModerationError(f"house rule {rule!r} does not allow delete: hide or report instead"
                              f" (rules that allow delete: {', '.join(allowed) or 'none'})")
    try:
        officer = config.officer_name(officer)
        note = required_words(note, "the note")
    except KeyError as exc:
        raise ModerationError(exc.args[0]) from None
    except TextRuleError as exc:
        raise ModerationError(str(exc)) from None
    with engine.begin() as conn:
        item = _item(conn, platform, external_id)
        if item is None:
            raise ModerationError(f"no item {platform}:{external_id} in the store")
        graph = action == "hide" and platform in GRAPH_PLATFORMS and item.kind != "post"
        conn.execute(insert(moderation_actions).values(
            platform=platform, external_id=external_id, account_key=item.account_key,
            action=action, rule=rule, officer=officer.strip(), note=note.strip(),
            status="pending" if graph else "recorded",
            detail=None if graph else f"logged: carry out the {action} on {platform} by hand",
            tries=0, recorded_at=now,
        ).on_conflict_do_nothing(constraint="moderation_actions_once"))
    row = _row(engine, platform, external_id, action, officer)
    if row.status == "pending":
        earlier = _done_by_another(engine, row)
        if earlier is not None:  # the platform hid it already: record, do not call again
            _set(engine, row.id, status="done", done_at=now,
                 detail=f"already hidden (action {earlier.id} by {earlier.officer})")
        else:
            _hide_once(engine, config, row, now, (moderators or {}).get(platform))
        row = _row(engine, platform, external_id, action, officer)
    return dict(row._mapping)


def _hide_once(engine, config, row, now: datetime, moderator) -> None:
    if moderator is None:
        _set(engine, row.id, detail=f"no Graph Connection for {row.platform}: the hide is "
                                    "pending; hide it by hand or add the Connection and run again")
        return
    account = config.account(row.account_key) if row.account_key else None
    if row.tries > 0 and moderator.is_hidden(account, row.external_id):
        # An earlier try may have hidden it before its answer was lost: do not call again.
        _set(engine, row.id, status="done", done_at=now, detail="found hidden on a retry")
        return
    _set(engine, row.id, tries=row.tries + 1)  # committed before the call
    try:
        moderator.hide(account, row.external_id)
    except (PostAuthError, PostRejected) as exc:
        _set(engine, row.id, status="failed", detail=str(exc))
        return
    _set(engine, row.id, status="done", done_at=now, detail=f"hidden through the {row.platform} Graph API")


def list_actions(conn, limit: int = 200, action: str | None = None) -> list[dict]:
    q = text(f"""
        SELECT m.*, i.text, i.deleted FROM social.moderation_actions m
        LEFT JOIN social.items i ON i.platform = m.platform AND i.external_id = m.external_id
        {"WHERE m.action = :action" if action else ""}
        ORDER BY m.recorded_at DESC, m.id DESC LIMIT :limit""")
    return [dict(r) for r in conn.execute(q, {"action": action, "limit": limit}).mappings()]

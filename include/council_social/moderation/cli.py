"""`council-social moderation record ITEM --action hide|report|delete --rule RULE --officer NAME
--note TEXT`."""

from __future__ import annotations

import sys
from datetime import UTC, datetime


def graph_moderators(config) -> dict:
    """platform -> GraphModerator from the Facebook / Instagram Airflow Connections, if any."""
    from council_social.airflow import connection
    from council_social.grid.facebook_poster import from_connection
    from council_social.moderation.graph import GraphModerator

    out = {}
    for platform in ("facebook", "instagram"):
        settings = getattr(config.channels, platform, None)
        if settings is None:
            continue
        # None without that Connection (or no Airflow here): the hide stays pending, said so.
        moderator = from_connection(connection(settings.connection_id), settings, GraphModerator)
        if moderator is not None:
            out[platform] = moderator
    return out


def cmd_record(args) -> int:
    from council_social.cli import CliError
    from council_social.config import load_config
    from council_social.moderation.actions import ModerationError, record_action
    from council_social.store.engine import get_engine
    from council_social.triage.cli import parse_item

    config = load_config(args.config)
    platform, external_id = parse_item(args.item)
    try:
        row = record_action(get_engine(None, config), config, platform, external_id, args.action,
                            args.rule, args.officer, args.note, datetime.now(UTC),
                            graph_moderators(config) if args.action == "hide" else {})
    except ModerationError as exc:
        raise CliError(str(exc)) from None
    line = (f"{platform}:{external_id} {row['action']} under '{row['rule']}' by {row['officer']}: "
            f"{row['status']} ({row['detail']}); the archive keeps the item")
    if row["status"] in ("done", "recorded"):
        print(line)
        return 0
    # Pending or failed: the platform did not act (a dependency), said on stderr as one line.
    print(f"council-social: {line}", file=sys.stderr)
    return 1


def register(sub) -> None:
    mod = sub.add_parser("moderation", help="the moderation log (house rules)").add_subparsers(
        dest="moderation_command", required=True)
    rec = mod.add_parser("record", help="record a hide, report or delete under a house rule")
    rec.add_argument("item", help="platform:external_id, or an external_id for twitter")
    rec.add_argument("--action", required=True, choices=["hide", "report", "delete"])
    rec.add_argument("--rule", required=True, help="a house rule's key from council.yaml")
    rec.add_argument("--officer", required=True)
    rec.add_argument("--note", required=True)
    rec.set_defaults(func=cmd_record)

"""`council-social promotion follow-back | followed | dismiss | trends | campaigns | check |
competition open|draw`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime


def _config_engine(args):
    from council_social.config import load_config
    from council_social.store.engine import get_engine

    config = load_config(args.config)
    return config, get_engine(None, config)


def _today(config):
    return datetime.now(UTC).astimezone(config.tz).date()


def _emit(args, data, table) -> int:
    from council_social.cli import json_default

    if args.format == "json":
        json.dump(data, sys.stdout, default=json_default, indent=1)
        sys.stdout.write("\n")
    else:
        table(data)
    return 0


def _account(config, key: str):
    from council_social.cli import CliError

    found = next((a for a in config.accounts if a.key == key), None)
    if found is None:
        raise CliError(f"unknown account {key!r}; accounts are: "
                       f"{', '.join(a.key for a in config.accounts)}")
    if found.platform != "twitter":
        raise CliError(f"account {key!r} is on {found.platform}; follow-back needs a platform "
                       "whose API lists followers (twitter)")
    return found


def cmd_follow_back(args) -> int:
    from council_social.promotion import repo
    from council_social.promotion.jobs import build_suggestions

    config, engine = _config_engine(args)
    account = _account(config, args.account)
    build_suggestions(engine, config, _today(config))
    with engine.connect() as conn:
        rows = repo.latest_suggestions(conn, account.key)
    data = [{"handle": r.handle, "user_id": r.user_external_id, "influence": r.influence,
             "reasons": list(r.reasons), "rank": r.rank} for r in rows]

    def table(d):
        print(f"{'#':>3}  {'handle':<18}{'influence':>9}  reasons")
        for s in d:
            print(f"{s['rank']:>3}  @{s['handle']:<17}{s['influence']:>9}  {'; '.join(s['reasons'])}")
    return _emit(args, data, table)


def _decide(args, action: str) -> int:
    from council_social.cli import CliError
    from council_social.promotion.jobs import decide

    config, engine = _config_engine(args)
    _account(config, args.account)
    try:
        decision = decide(engine, config, args.account, args.handle, action, args.officer,
                          args.reason, datetime.now(UTC))
    except ValueError as exc:
        raise CliError(str(exc)) from None
    print(f"decision {decision}: {args.account} {action} @{args.handle.lstrip('@')} "
          f"by {args.officer}")
    return 0


def cmd_followed(args) -> int:
    return _decide(args, "followed")


def cmd_dismiss(args) -> int:
    return _decide(args, "dismissed")


def cmd_trends(args) -> int:
    from council_social.promotion import repo
    from council_social.promotion.jobs import build_trends

    config, engine = _config_engine(args)
    build_trends(engine, config, _today(config), datetime.now(UTC))
    with engine.connect() as conn:
        rows = repo.latest_trends(conn)
    data = [{"hashtag": r.hashtag, "area": r.area, "rise": r.rise, "count": r.count,
             "baseline_daily_mean": r.baseline_mean, "topic": r.topic,
             "suggested_account": r.suggested_account, "planner_entry": r.planner_entry,
             "posts": r.posts} for r in rows]

    def table(d):
        print(f"{'hashtag':<24}{'area':<20}{'rise':>7}{'today':>7}  suggested account")
        for t in d:
            print(f"#{t['hashtag']:<23}{t['area']:<20}{t['rise']:>7}{t['count']:>7}  "
                  f"{t['suggested_account'] or '-'}")
    return _emit(args, data, table)


def cmd_campaigns(args) -> int:
    from datetime import timedelta

    from council_social.promotion import repo
    from council_social.promotion.campaigns import monday
    from council_social.promotion.jobs import build_campaign_weeks

    config, engine = _config_engine(args)
    today = _today(config)
    build_campaign_weeks(engine, config, today)
    with engine.connect() as conn:
        rows = repo.campaign_weeks_between(conn, monday(today) - timedelta(weeks=7), today)
    data = [{"tag": r.tag, "campaign": r.campaign, "week_start": r.week_start.isoformat(),
             "posts": r.posts, "council_posts": r.council_posts, "reach": r.reach,
             "engagement": r.engagement, "resident_authors": r.resident_authors} for r in rows]

    def table(d):
        print(f"{'tag':<20}{'week':<12}{'posts':>6}{'council':>8}{'reach':>7}{'engaged':>8}"
              f"{'residents':>10}")
        for w in d:
            print(f"#{w['tag']:<19}{w['week_start']:<12}{w['posts']:>6}{w['council_posts']:>8}"
                  f"{w['reach']:>7}{w['engagement']:>8}{w['resident_authors']:>10}")
    return _emit(args, data, table)


def cmd_check(args) -> int:
    from council_social.promotion.messaging import check_day

    config, engine = _config_engine(args)
    raised = check_day(engine, config, _today(config), datetime.now(UTC))
    return _emit(args, raised, lambda d: print("\n".join(d) or "no inconsistent messages"))


def _twitter_connector():
    from council_social.airflow import twitter_connector

    return twitter_connector()


def cmd_competition(args) -> int:
    from council_social.cli import CliError
    from council_social.promotion.competition import CompetitionError
    from council_social.promotion.draws import open_competition, run_draw

    config, engine = _config_engine(args)
    try:
        if args.action == "open":
            data = open_competition(engine, config, args.file, datetime.now(UTC))
        else:
            data = run_draw(engine, config, args.file, _twitter_connector, datetime.now(UTC))
    except CompetitionError as exc:
        raise CliError(str(exc)) from None

    def table(d):
        if args.action == "open":
            print(f"competition {d['key']} open on {d['account']} until {d['closes']}: enter by "
                  f"{d['enter_by']}")
        else:
            w = d["winner"]
            print(f"competition {d['competition']}: {d['entries']} entries, {d['eligible']} "
                  f"eligible, seed {d['seed']}; winner @{w['handle']} (post {w['post_id']})"
                  f"{' (re-run of the archived draw)' if d['rerun'] else ''}")
    return _emit(args, data, table)


def register(sub) -> None:
    promo = sub.add_parser("promotion", help="grow the audience: follow-back, local trends, "
                                             "campaign hashtags, competitions, consistency") \
        .add_subparsers(dest="promotion_command", required=True)
    fb = promo.add_parser("follow-back", help="people to follow back, by influence, with reasons")
    fb.add_argument("--account", required=True)
    fb.add_argument("--format", choices=["table", "json"], default="table")
    fb.set_defaults(func=cmd_follow_back)
    for name, func, needs_reason in (("followed", cmd_followed, False),
                                     ("dismiss", cmd_dismiss, True)):
        p = promo.add_parser(name, help=f"record that an officer {'followed (on the platform)' if name == 'followed' else 'dismissed'} a suggestion")
        p.add_argument("handle")
        p.add_argument("--account", required=True)
        p.add_argument("--officer", required=True)
        p.add_argument("--reason", required=needs_reason)
        p.set_defaults(func=func)
    tr = promo.add_parser("trends", help="local hashtags rising against their 28-day baseline")
    tr.add_argument("--format", choices=["table", "json"], default="table")
    tr.set_defaults(func=cmd_trends)
    ca = promo.add_parser("campaigns", help="the council's own hashtags per week")
    ca.add_argument("--format", choices=["table", "json"], default="table")
    ca.set_defaults(func=cmd_campaigns)
    ch = promo.add_parser("check", help="compare what posts of one entry or campaign say; "
                                        "raise an alert where they differ")
    ch.add_argument("--format", choices=["table", "json"], default="table")
    ch.set_defaults(func=cmd_check)
    comp = promo.add_parser("competition", help="followers-only giveaways: open or draw (YAML)")
    comp.add_argument("action", choices=["open", "draw"])
    comp.add_argument("file")
    comp.add_argument("--format", choices=["table", "json"], default="table")
    comp.set_defaults(func=cmd_competition)

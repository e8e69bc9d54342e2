"""`council-social accounts request FILE | review REQUEST ... | list [--dormant]`."""

from __future__ import annotations

import json
import sys
from datetime import UTC, datetime


def _config_engine(args):
    from council_social.config import load_config
    from council_social.store.engine import get_engine

    config = load_config(args.config)
    return config, get_engine(None, config)


def cmd_request(args) -> int:
    from council_social.cli import CliError
    from council_social.governance.accounts import (
        RequestError,
        check_request,
        read_request,
        store_request,
    )

    config, engine = _config_engine(args)
    try:
        fields = check_request(config, read_request(args.file))  # all before the database
    except RequestError as exc:
        raise CliError(str(exc)) from None
    try:
        with engine.begin() as conn:
            request_id = store_request(conn, config, fields, datetime.now(UTC))
    except RequestError as exc:
        raise CliError(str(exc)) from None
    print(f"request {request_id}: {fields['platform']} @{fields['handle']} for "
          f"{fields['service']} stored as pending; the web team reviews it "
          f"(council-social accounts review {request_id} --decision approve|reject ...)")
    return 0


def cmd_review(args) -> int:
    from council_social.cli import CliError
    from council_social.governance.accounts import RequestError, review

    config, engine = _config_engine(args)
    try:
        with engine.begin() as conn:
            done = review(conn, config, args.request, args.decision, args.officer, args.reason,
                          datetime.now(UTC))
    except RequestError as exc:
        raise CliError(str(exc)) from None
    joined = f"; registry account {done['registry_key']} owned by {done['owner']}" \
        if done["registry_key"] else ""
    print(f"request {args.request} {done['status']} by {args.officer}{joined}")
    return 0


def _when(value) -> str:
    return value.strftime("%Y-%m-%d %H:%M") if value else "-"


def cmd_list(args) -> int:
    from council_social.cli import json_default
    from council_social.governance.accounts import list_accounts

    config, engine = _config_engine(args)
    with engine.begin() as conn:
        data = list_accounts(conn, config, datetime.now(UTC), dormant_only=args.dormant)
    if args.format == "json":
        json.dump(data, sys.stdout, default=json_default, indent=1)
        sys.stdout.write("\n")
        return 0
    print(f"{'account':<24}{'platform':<11}{'status':<10}{'owner':<22}{'last own post':<18}{'posts 28d':>9}")
    for a in data["accounts"]:
        print(f"{a['key']:<24}{a['platform']:<11}{a['status']:<10}{a['owner']:<22}"
              f"{_when(a['last_own_post']):<18}{a['posts_28d']:>9}")
    if not args.dormant:
        print(f"\n{'request':<9}{'platform':<11}{'handle':<20}{'status':<10}{'owner':<22}requested by")
        for r in data["requests"]:
            print(f"{r['id']:<9}{r['platform']:<11}{r['handle']:<20}{r['status']:<10}{r['service']:<22}"
                  f"{r['requested_by']}")
    return 0


def register(sub) -> None:
    accounts = sub.add_parser("accounts", help="the account registry and requests for new accounts") \
        .add_subparsers(dest="accounts_command", required=True)
    req = accounts.add_parser("request", help="store a request for a new account (YAML answering the "
                                              "strategy's four questions)")
    req.add_argument("file")
    req.set_defaults(func=cmd_request)
    rev = accounts.add_parser("review", help="approve or reject a pending request (web team officers)")
    rev.add_argument("request", type=int)
    rev.add_argument("--decision", required=True, choices=["approve", "reject"])
    rev.add_argument("--officer", required=True)
    rev.add_argument("--reason", required=True)
    rev.set_defaults(func=cmd_review)
    lst = accounts.add_parser("list", help="registry accounts and requests: status, owner, last own post")
    lst.add_argument("--dormant", action="store_true", help="only accounts with no recent own post")
    lst.add_argument("--format", choices=["table", "json"], default="table")
    lst.set_defaults(func=cmd_list)

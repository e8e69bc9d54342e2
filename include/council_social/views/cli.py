"""`council-social views serve --port N`: the operator views on 127.0.0.1, without login.

For local use only (dev): operators use the same views inside Airflow, where
the plugin puts them behind Airflow's login.
"""

from __future__ import annotations


def cmd_views_serve(args) -> int:
    import uvicorn

    from council_social.cli import CliError
    from council_social.config import load_config
    from council_social.store.engine import get_engine, resolve_database_url
    from council_social.views.app import create_app

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise CliError("views serve is dev-only and has no login: it binds to loopback only")
    config = load_config(args.config)
    engine = get_engine(resolve_database_url(args.url, config), config)
    app = create_app(lambda: engine, config=config, dev_mode=True)
    print(f"DEV ONLY, no login: operator views on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def register(subparsers) -> None:
    views = subparsers.add_parser("views", help="the operator views (triage, cases, grid, archive, reports)")
    sub = views.add_subparsers(dest="views_command", required=True)
    serve = sub.add_parser("serve", help="serve the views on 127.0.0.1 without login (dev only)")
    serve.add_argument("--port", type=int, default=8090)
    serve.add_argument("--host", default="127.0.0.1", help="loopback only")
    serve.add_argument("--url", help="database URL (default: COUNCIL_SOCIAL_DATABASE_URL, config, or embedded)")
    serve.set_defaults(func=cmd_views_serve)

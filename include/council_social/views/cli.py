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

    if args.host not in ("127.0.0.1", "localhost", "::1"):
        raise CliError("views serve is dev-only and has no login: it binds to loopback only")
    config = load_config(args.config)
    engine = get_engine(resolve_database_url(args.url, config), config)
    app = dev_app(lambda: engine, config)
    print(f"DEV ONLY, no login: operator views on http://{args.host}:{args.port}/ (Ctrl-C stops)", flush=True)
    uvicorn.run(app, host=args.host, port=args.port, log_level="warning")
    return 0


def dev_app(engine_factory, config):
    """The views without login, answering only a loopback Host header (400 otherwise)."""
    from starlette.middleware.trustedhost import TrustedHostMiddleware

    from council_social.views.app import create_app
    from council_social.views.security import DEV_HOSTS

    app = create_app(engine_factory, config=config, dev_mode=True)
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=DEV_HOSTS)
    return app


def register(subparsers) -> None:
    from council_social.cli import port_number

    views = subparsers.add_parser("views", help="the operator views (triage, cases, grid, archive, reports)")
    sub = views.add_subparsers(dest="views_command", required=True)
    serve = sub.add_parser("serve", help="serve the views on 127.0.0.1 without login (dev only)")
    serve.add_argument("--port", type=port_number, default=8090)
    serve.add_argument("--host", default="127.0.0.1", help="loopback only")
    serve.add_argument("--url", help="database URL (default: COUNCIL_SOCIAL_DATABASE_URL, config, or embedded)")
    serve.set_defaults(func=cmd_views_serve)

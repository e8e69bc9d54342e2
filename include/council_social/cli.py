"""`council-social`: the command line other tools call. Subcommands are a contract."""

from __future__ import annotations

import argparse
import contextlib
import math
import os
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path


class CliError(Exception):
    """A problem the user can fix; printed as one line, exit 2."""


def json_default(value):
    if isinstance(value, datetime):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    raise TypeError(f"cannot serialise {type(value).__name__}")


def port_number(value: str) -> int:
    """An argparse type: a TCP port, 1-65535 (a bigger number is not silently another port)."""
    try:
        port = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a port number") from None
    if not 1 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"{port} is not a port number (1-65535)")
    return port


def positive_int(value: str) -> int:
    """An argparse type: a whole number of at least 1."""
    try:
        number = int(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a whole number") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"{number} is not a positive whole number")
    return number


def database_url(value: str) -> str:
    """An argparse type: something SQLAlchemy can read as a database URL."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        make_url(value)
    except (ArgumentError, ValueError):
        raise argparse.ArgumentTypeError(
            "not a database URL (e.g. postgresql+psycopg://user@host:5432/db)") from None
    return value


def cmd_db_upgrade(args) -> int:
    from council_social.config import load_config
    from council_social.store.engine import describe, get_engine
    from council_social.store.migrate import upgrade

    engine = get_engine(args.url, load_config(args.config))
    revision = upgrade(engine)
    print(f"database {describe(engine.url.render_as_string(hide_password=False))} at revision {revision}")
    return 0


# No platform sends a page this big; a bigger "page" is refused unread, not loaded whole.
MAX_BODY_BYTES = 64 * 1024 * 1024


def finite(value):
    """`value` with NaN and infinities as None: JSON has no such numbers."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [finite(v) for v in value]
    return value


def cmd_parse(args) -> int:
    from council_social.bounded_read import InputRefused, read_bytes
    from council_social.channels.registry import parse_page
    from council_social.jsonl import dumps_line

    try:
        body = read_bytes(args.file, MAX_BODY_BYTES)
    except InputRefused as exc:
        raise CliError(str(exc)) from None
    try:
        parsed = parse_page(args.platform, body)
    except ValueError as exc:
        raise CliError(str(exc)) from None
    out = sys.stdout
    for item in parsed.items:
        record = asdict(item)
        author = parsed.authors.get(item.author_external_id or "")
        record["author"] = asdict(author) if author else None
        out.write(dumps_line(finite(record), default=json_default, allow_nan=False) + "\n")
    out.flush()
    if parsed.problem:
        raise CliError(f"{args.file}: {parsed.problem}")
    return 0


def cmd_simulator(args) -> int:
    from council_social.config import load_config
    from council_social.simulator.server import serve

    config = load_config(args.config)
    seed = config.simulator.seed if args.seed is None else args.seed
    print(f"X API v2 simulator on http://{args.host}:{args.port} (seed {seed}); Ctrl-C stops it",
          flush=True)
    try:
        serve(config.accounts_for("twitter"), host=args.host, port=args.port, seed=seed,
              mentions_per_hour=config.simulator.mentions_per_hour,
              bearer_token=config.simulator.bearer_token)
    except KeyboardInterrupt:
        pass
    return 0


def cmd_demo(args) -> int:
    from council_social.demo import run_demo

    return run_demo(hours=args.hours, config_path=args.config)


# Capabilities add their subcommands from their own modules: each exposes
# `register(subparsers)` and sets `func` on its parsers.
COMMAND_MODULES: list[str] = [
    "council_social.cases.cli",
    "council_social.archive.cli",
    "council_social.grid.cli",
    "council_social.triage.cli",
    "council_social.views.cli",
    "council_social.governance.cli",
    "council_social.moderation.cli",
    "council_social.promotion.cli",
    "council_social.deploy.doctor",
]


class Parser(argparse.ArgumentParser):
    """Usage mistakes are one line too (subcommand parsers inherit this class)."""

    def error(self, message: str):
        self.exit(2, f"{self.prog}: {_one_line(message)} (see {self.prog} --help)\n")


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(prog="council-social", description=__doc__)
    parser.add_argument("--config", help="council.yaml to use (default: COUNCIL_SOCIAL_CONFIG or the packaged Brent file)")
    parser.add_argument("--debug", action="store_true",
                        help="show the traceback of a failure instead of one line")
    sub = parser.add_subparsers(dest="command", required=True)

    db = sub.add_parser("db", help="the social schema").add_subparsers(dest="db_command", required=True)
    up = db.add_parser("upgrade", help="apply Alembic migrations")
    up.add_argument("--url", type=database_url, help="database URL (default: COUNCIL_SOCIAL_DATABASE_URL, config, or embedded)")
    up.set_defaults(func=cmd_db_upgrade)

    parse = sub.add_parser("parse", help="normalise a recorded API response body to JSON lines")
    parse.add_argument("--platform", required=True)
    parse.add_argument("file", help="response body file, or - for stdin")
    parse.set_defaults(func=cmd_parse)

    sim = sub.add_parser("simulator", help="serve the local platform simulator (loopback only)")
    sim.add_argument("--port", type=port_number, default=8808)
    sim.add_argument("--host", default="127.0.0.1")
    sim.add_argument("--seed", type=int)
    sim.set_defaults(func=cmd_simulator)

    demo = sub.add_parser("demo", help="run the daily cycle on sample data through Airflow")
    demo.add_argument("--hours", type=int, default=24)
    demo.set_defaults(func=cmd_demo)

    from importlib import import_module

    for module in COMMAND_MODULES:
        import_module(module).register(sub)
    return parser


@contextlib.contextmanager
def _config_for_everything(path: str | None):
    """`--config` reaches every component: DAG tasks, the simulator and Airflow child
    processes read $COUNCIL_SOCIAL_CONFIG, so the flag sets it while the command runs."""
    if not path:
        yield
        return
    from council_social.config import CONFIG_ENV_VAR

    before = os.environ.get(CONFIG_ENV_VAR)
    os.environ[CONFIG_ENV_VAR] = str(Path(path).expanduser().resolve())
    _forget_cached_config()
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(CONFIG_ENV_VAR, None)
        else:
            os.environ[CONFIG_ENV_VAR] = before
        _forget_cached_config()


def _forget_cached_config() -> None:
    # The Airflow adapter caches the loaded file per process; only if it is loaded already.
    adapter = sys.modules.get("council_social.airflow")
    if adapter is not None:
        adapter.config.cache_clear()


# One line never grows past this, whatever the input put in an exception's message.
MESSAGE_LIMIT = 2000


def _one_line(text: str) -> str:
    line = " ".join(str(text).split())
    return line if len(line) <= MESSAGE_LIMIT else line[:MESSAGE_LIMIT - 1] + "\u2026"


def describe_failure(exc: BaseException) -> tuple[int, str]:
    """(exit code, one readable line): 2 for input the user can fix, 1 for a dependency or a bug."""
    from sqlalchemy.exc import DBAPIError, OperationalError

    from council_social.config import ConfigError

    if isinstance(exc, CliError | ConfigError):
        return 2, str(exc)
    if isinstance(exc, OperationalError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return 1, f"database unreachable: {reason}"
    if isinstance(exc, DBAPIError):
        reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
        return 1, f"database refused the request: {reason}"
    if isinstance(exc, RecursionError):
        return 2, "input is nested too deeply to read"
    if isinstance(exc, UnicodeError):
        return 2, f"text that cannot be encoded: {exc}"
    if isinstance(exc, OSError):
        where = f"{exc.filename}: " if exc.filename else ""
        return 2, f"{where}{exc.strerror or exc}"
    if isinstance(exc, ValueError | OverflowError):
        return 2, f"bad input: {exc}"
    return 1, f"{type(exc).__name__}: {exc} (run with --debug for the traceback)"


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    # Hostile text with a lone surrogate is written as a \udxxx escape, never a crash.
    for stream in (sys.stdout, sys.stderr):
        if hasattr(stream, "reconfigure"):
            stream.reconfigure(errors="backslashreplace")
    with _terminal_safe_output():
        try:
            with _config_for_everything(args.config):
                return args.func(args)
        except Exception as exc:
            if args.debug:
                raise
            code, line = describe_failure(exc)
            print(f"council-social: {_one_line(line)}", file=sys.stderr)
            return code


class _TerminalSafe:
    """A text stream that shows terminal controls in what it is given as [U+XXXX] markers:
    post text, handles and file names are hostile and must not drive the terminal."""

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        from council_social.text_rules import terminal_safe

        self._stream.write(terminal_safe(text))
        return len(text)

    def writelines(self, lines) -> None:
        for line in lines:
            self.write(line)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextlib.contextmanager
def _terminal_safe_output():
    before = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = _TerminalSafe(sys.stdout), _TerminalSafe(sys.stderr)
    try:
        yield
    finally:
        sys.stdout, sys.stderr = before


if __name__ == "__main__":
    sys.exit(main())

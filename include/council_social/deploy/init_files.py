"""Files the compose stack's init job (docker/init.sh) and `make up` hand to Airflow.

    python -m council_social.deploy.init_files pools OUT.json
    python -m council_social.deploy.init_files passwords OUT.json

Written by Python, never parsed from a command's output.
"""

from __future__ import annotations

import json
import os
import sys
from pathlib import Path


def pools(config) -> dict[str, dict]:
    """`airflow pools import` input: one pool per configured platform API."""
    return {
        s.pool: {"slots": s.pool_slots, "description": f"{platform} API calls (council social)",
                 "include_deferred": False}
        for platform, s in config.channels.configured().items()
    }


def write_pools(path: Path, config) -> None:
    path.write_text(json.dumps(pools(config), indent=2) + "\n")


def write_passwords(path: Path, username: str, password: str) -> bool:
    """The simple auth manager's passwords file; an existing one is kept. True if written."""
    if path.exists():
        return False
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps({username: password}) + "\n")
    path.chmod(0o600)
    return True


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if len(argv) != 2 or argv[0] not in ("pools", "passwords"):
        print("usage: python -m council_social.deploy.init_files pools|passwords OUT.json")
        return 2
    kind, out = argv[0], Path(argv[1])
    if kind == "pools":
        from council_social.config import load_config

        write_pools(out, load_config())
        return 0
    username = os.environ.get("_AIRFLOW_WWW_USER_USERNAME") or "airflow"
    password = os.environ.get("_AIRFLOW_WWW_USER_PASSWORD")
    if not password:
        print("init_files passwords: set _AIRFLOW_WWW_USER_PASSWORD (see .env.example)")
        return 2
    write_passwords(out, username, password)
    return 0


if __name__ == "__main__":
    sys.exit(main())

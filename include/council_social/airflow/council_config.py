"""council.yaml as the DAG files and their tasks see it: read and validated once per process.

The dag-processor parses each DAG file in a fresh process, so a DAG file that draws its
shape from council.yaml (the channel DAGs, a pool, a timezone) pays for one load per parse,
and a task reuses that same load. `cache_clear()` makes the next call read the file again
(the CLI's `--config`, tests).
"""

from __future__ import annotations

from functools import lru_cache


@lru_cache(maxsize=1)
def config():
    from council_social.config import load_config

    return load_config()

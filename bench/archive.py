"""Figures for the archive: WARC build and verify throughput on synthetic X pages. Prints; never fails.

    .venv/bin/python bench/archive.py [--pages N]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from council_social.archive.verify import verify_manifest
from council_social.archive.writer import Exchange, build_day_file


def page(n: int) -> Exchange:
    body = json.dumps({"data": [{"id": str(10**17 + n * 100 + i), "text": f"missed bin collection {i}",
                                 "author_id": str(i)} for i in range(100)],
                       "meta": {"result_count": 100}}).encode()
    t = datetime(2026, 11, 25, tzinfo=UTC) + timedelta(seconds=n)
    return Exchange(n, "twitter", "brent-council", "users/1/mentions",
                    f"https://api.x.com/2/users/1/mentions?n={n}", {"n": str(n)}, t, t, 0, t, 200,
                    {"content-type": "application/json"}, body, hashlib.sha256(body).hexdigest())


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--pages", type=int, default=2000)
    args = parser.parse_args()
    pages = [page(n) for n in range(args.pages)]
    raw = sum(len(p.body) for p in pages)
    started = time.perf_counter()
    warc = build_day_file("twitter", date(2026, 11, 25), pages)
    built = time.perf_counter() - started
    with tempfile.TemporaryDirectory() as tmp:
        path = "twitter/day.warc.gz"
        (Path(tmp) / "twitter").mkdir()
        (Path(tmp) / path).write_bytes(warc.data)
        files = [{"id": 1, "path": path, "records": len(warc.records), "bytes": len(warc.data),
                  "sha256": warc.sha256, "prev_sha256": None, "chain_position": 1, "expired_at": None}]
        records = [{"file_id": 1, "record_index": r.index, "warc_record_id": r.warc_record_id,
                    "warc_type": r.warc_type, "byte_offset": r.offset, "byte_length": r.length,
                    "sha256": r.sha256} for r in warc.records]
        started = time.perf_counter()
        report = verify_manifest(files, records, Path(tmp))
        verified = time.perf_counter() - started
    print(f"pages {args.pages}, bodies {raw / 1e6:.1f} MB -> WARC {len(warc.data) / 1e6:.1f} MB "
          f"({len(warc.records)} records, gzip per record)")
    print(f"build  {built:.2f} s  ({args.pages / built:,.0f} pages/s)")
    print(f"verify {verified:.2f} s  ({len(warc.data) / 1e6 / verified:,.0f} MB/s), ok={report.ok}")


if __name__ == "__main__":
    main()

"""The anchor log without a database: where it lives, what production refuses, what is read."""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from council_social.archive.anchor import AnchorError, _append, read_anchor, read_source
from council_social.archive.storage import anchor_path, archive_root
from council_social.config import ConfigError, load_config
from council_social.config.loader import ENVIRONMENT_ENV_VAR, STORAGE_ROOT_ENV_VAR


def test_the_default_anchor_is_outside_the_archive_root_and_data_dir():
    config = load_config()
    anchor, root, data = anchor_path(config), archive_root(config), config.data_dir_path
    assert not anchor.is_relative_to(root) and not anchor.is_relative_to(data)
    assert anchor == data.with_name(data.name + "-anchor") / "archive-anchor.log"


def test_on_shared_storage_the_default_anchor_is_beside_the_archive(monkeypatch, tmp_path):
    monkeypatch.setenv(STORAGE_ROOT_ENV_VAR, str(tmp_path / "storage"))
    config = load_config()
    assert anchor_path(config) == tmp_path / "storage" / "anchor" / "archive-anchor.log"
    assert archive_root(config) == tmp_path / "storage" / "archive"


@pytest.mark.parametrize("where", ["inside-root", "data", "default-local"])
def test_production_refuses_an_anchor_beside_the_archive(monkeypatch, tmp_path, where):
    monkeypatch.setenv(ENVIRONMENT_ENV_VAR, "production")
    monkeypatch.setenv(STORAGE_ROOT_ENV_VAR, str(tmp_path / "storage"))
    anchor = {"inside-root": tmp_path / "storage" / "archive" / "anchor.log",
              "data": tmp_path / ".data" / "anchor.log",
              "default-local": None}[where]
    if anchor is not None:
        monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", str(anchor))
        with pytest.raises(ConfigError, match="anchor log .*inside"):
            load_config()
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", str(tmp_path / "worm" / "anchor.log"))
    assert load_config().storage_root == tmp_path / "storage"


def test_lines_are_chained_and_an_edited_line_breaks_the_chain(tmp_path):
    log = tmp_path / "anchor.log"
    _append(log, [{"position": 1, "path": "a", "sha256": "1" * 64},
                  {"position": 2, "path": "b", "sha256": "2" * 64}])
    _append(log, [{"position": 3, "path": "c", "sha256": "3" * 64}])
    read = read_anchor(log)
    assert sorted(read.entries) == [1, 2, 3] and not read.problems
    lines = log.read_bytes().splitlines(keepends=True)
    log.write_bytes(lines[0] + lines[2])  # the middle line removed
    assert read_anchor(log).problems == [
        f"line 2 does not follow the line before it (prev {json.loads(lines[2])['prev']}, but that "
        f"line hashes to {json.loads(lines[1])['prev']}): a line was edited, removed or reordered"]


@pytest.mark.parametrize("kind", ["fifo", "dev-zero", "link-to-dev-zero", "directory"])
def test_anything_but_a_regular_file_is_refused_unread(tmp_path, kind):
    odd = tmp_path / "anchor.log"
    if kind == "fifo":
        os.mkfifo(odd)
    elif kind == "link-to-dev-zero":
        os.symlink("/dev/zero", odd)
    elif kind == "directory":
        odd.mkdir()
    else:
        odd = Path("/dev/zero")
    started = time.monotonic()
    for source in (odd, Path(str(odd) + ".eml") if kind == "fifo" else odd):
        if source.suffix == ".eml":
            os.mkfifo(source)
        read = read_source(source)
        assert read.refused and read.problems == [f"{source} is not a regular file; not read"]
    with pytest.raises(AnchorError, match="not a regular file"):
        _append(odd, [{"position": 1, "path": "a", "sha256": "1" * 64}])
    assert time.monotonic() - started < 5

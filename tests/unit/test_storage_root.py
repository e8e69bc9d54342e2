"""storage.root: one shared place for the archive, model registry, pages and outbox."""

from __future__ import annotations

import copy
import dataclasses
from pathlib import Path

import pytest
import yaml

from council_social.archive.anchor import ANCHOR_ENV_VAR
from council_social.archive.storage import ROOT_ENV_VAR, archive_root
from council_social.config import (
    CONFIG_ENV_VAR,
    ENVIRONMENT_ENV_VAR,
    STORAGE_ROOT_ENV_VAR,
    ConfigError,
    default_config_path,
    load_config,
    project_root,
)
from council_social.config.loader import PRODUCTION_STORAGE_ROOT

SHIPPED = default_config_path()


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch):
    for name in (CONFIG_ENV_VAR, STORAGE_ROOT_ENV_VAR, ENVIRONMENT_ENV_VAR, ROOT_ENV_VAR):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def data() -> dict:
    return copy.deepcopy(yaml.safe_load(SHIPPED.read_text(encoding="utf-8")))


def write(folder: Path, data: dict) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "council.yaml"
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


def test_without_a_root_the_one_machine_layout_is_unchanged():
    config = load_config()
    root = config.project_root
    assert config.storage_root is None
    assert archive_root(config) == root / ".data" / "archive"
    assert config.models_path == root / ".data" / "models"
    assert config.outbox_path == root / ".data" / "outbox"
    assert config.grid_output_path == root / "out" / "grid"
    assert config.reports_output_path == root / "out" / "reports"


def test_everything_shared_lives_under_storage_root(data, tmp_path):
    data["storage"]["root"] = str(tmp_path / "shared")
    config = load_config(write(tmp_path / "conf", data))
    shared = tmp_path / "shared"
    assert archive_root(config) == shared / "archive"
    assert config.models_path == shared / "models"
    assert config.outbox_path == shared / "outbox"
    assert config.grid_output_path == shared / "grid"
    assert config.reports_output_path == shared / "reports"


def test_the_variable_overrides_the_file_and_capability_overrides_still_win(
        data, tmp_path, monkeypatch):
    data["storage"]["root"] = "/srv/from-file"
    data["reports"]["output_dir"] = str(tmp_path / "reports-here")
    monkeypatch.setenv(STORAGE_ROOT_ENV_VAR, str(tmp_path / "from-env"))
    config = load_config(write(tmp_path / "conf", data))
    assert config.storage_root == tmp_path / "from-env"
    assert config.grid_output_path == tmp_path / "from-env" / "grid"
    assert config.reports_output_path == tmp_path / "reports-here"
    assert archive_root(config, "/mnt/cli-root") == Path("/mnt/cli-root")
    monkeypatch.setenv(ROOT_ENV_VAR, str(tmp_path / "archive-env"))
    assert archive_root(config) == tmp_path / "archive-env"


def test_relative_paths_resolve_against_the_files_own_folder(data, tmp_path):
    data["storage"].update(data_dir="data", output_dir="pages", root=None)
    data["archive"]["root"] = "records"
    config = load_config(write(tmp_path / "camden", data))
    assert config.data_dir_path == tmp_path / "camden" / "data"
    assert config.grid_output_path == tmp_path / "camden" / "pages" / "grid"
    assert archive_root(config) == tmp_path / "camden" / "records"
    data["storage"]["root"] = "shared"
    assert load_config(write(tmp_path / "camden", data)).models_path == (
        tmp_path / "camden" / "shared" / "models")


def test_an_fsspec_url_is_opened_with_universal_pathlib(data, tmp_path):
    from upath import UPath

    from council_social.triage.criticality import PROMOTED_NAME, load_model

    data["storage"]["root"] = "memory://council-storage-test/brent"
    config = load_config(write(tmp_path, data))
    assert isinstance(config.storage_root, UPath)
    assert str(archive_root(config)) == "memory://council-storage-test/brent/archive"
    # The model registry is read and written through the same root.
    # A copy: load_model's cached instance is shared by every later caller.
    promoted = dataclasses.replace(load_model(None), version="criticality-shared-test")
    promoted.save(config.models_path / PROMOTED_NAME)
    assert load_model(config.storage_base).version == "criticality-shared-test"


def test_production_refuses_a_root_inside_local_data(data, tmp_path, monkeypatch):
    monkeypatch.setenv(ENVIRONMENT_ENV_VAR, "production")
    monkeypatch.delenv(ANCHOR_ENV_VAR, raising=False)
    monkeypatch.delenv("COUNCIL_SOCIAL_OUTBOX", raising=False)
    with pytest.raises(ConfigError) as info:
        load_config()
    message = str(info.value)
    assert "\n" not in message and ".data" in message and STORAGE_ROOT_ENV_VAR in message
    data["storage"]["root"] = str(tmp_path / ".data" / "storage")
    with pytest.raises(ConfigError, match="inside a local .data folder"):
        load_config(write(tmp_path / "conf", data))
    monkeypatch.setenv(ANCHOR_ENV_VAR, "/opt/council-social/anchor/archive-anchor.log")
    monkeypatch.setenv(STORAGE_ROOT_ENV_VAR, PRODUCTION_STORAGE_ROOT)
    assert load_config().storage_root == Path(PRODUCTION_STORAGE_ROOT)
    monkeypatch.setenv(STORAGE_ROOT_ENV_VAR, "s3://council-bucket/social")
    monkeypatch.delenv(ANCHOR_ENV_VAR)
    # the anchor log is a local append-only file: on object storage it must be named
    with pytest.raises(ConfigError, match="anchor log"):
        load_config()
    monkeypatch.setenv("COUNCIL_SOCIAL_ARCHIVE_ANCHOR", "/mnt/records-worm/anchor.log")
    assert str(load_config().archive_default_path) == "s3://council-bucket/social/archive"


@pytest.mark.parametrize(("variable", "name"), [
    (ANCHOR_ENV_VAR, "anchor log"), (ROOT_ENV_VAR, "archive"),
    ("COUNCIL_SOCIAL_OUTBOX", "outbox")])
def test_production_names_each_path_that_would_not_persist(variable, name, tmp_path,
                                                           monkeypatch):
    monkeypatch.setenv(ENVIRONMENT_ENV_VAR, "production")
    monkeypatch.setenv(STORAGE_ROOT_ENV_VAR, str(tmp_path / "volume"))
    for other in (ANCHOR_ENV_VAR, ROOT_ENV_VAR, "COUNCIL_SOCIAL_OUTBOX"):
        monkeypatch.setenv(other, str(tmp_path / "elsewhere" / other))
    assert load_config().storage_root == tmp_path / "volume"
    # A container's .data, then the image itself (where the code is): both are refused by name.
    for inside, why in ((tmp_path / ".data" / "x", ".data"),
                        (project_root() / "storage" / "x", "inside the image")):
        monkeypatch.setenv(variable, str(inside))
        with pytest.raises(ConfigError) as info:
            load_config()
        message = str(info.value)
        assert f"{name} {inside} (" in message and why in message and "\n" not in message
        others = {"anchor log", "archive", "outbox"} - {name}
        assert not any(f"{o} {tmp_path}" in message for o in others)


def test_production_refuses_pages_and_models_in_the_image(data, tmp_path, monkeypatch):
    monkeypatch.setenv(ENVIRONMENT_ENV_VAR, "production")
    monkeypatch.setenv(ANCHOR_ENV_VAR, str(tmp_path / "anchor" / "a.log"))
    monkeypatch.delenv("COUNCIL_SOCIAL_OUTBOX", raising=False)
    data["storage"]["root"] = str(tmp_path / "volume")
    data["grid"]["output_dir"] = str(project_root() / "out" / "grid")
    with pytest.raises(ConfigError, match=r"grid pages \S+/out/grid \(inside the image"):
        load_config(write(tmp_path / "conf", data))


def test_grid_pages_are_written_to_an_fsspec_root(data, tmp_path):
    from datetime import date

    from council_social.grid.build import build_offline
    from council_social.grid.planner import read_planner

    data["storage"]["root"] = "memory://council-storage-test/grid-pages"
    config = load_config(write(tmp_path, data))
    entries = read_planner(config.project_root / "include/config/sample_planner.csv", config)
    files, _ = build_offline(entries, config, date(2026, 11, 30), config.grid_output_path)
    assert files["html"]["latest"] == "memory://council-storage-test/grid-pages/grid/latest.html"
    page = (config.grid_output_path / "latest.html").read_text(encoding="utf-8")
    assert config.council.name in page

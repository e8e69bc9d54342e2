"""`council-social triage train` and `triage model`: a versioned candidate, promoted only
if better on held-back data, and the model card."""

from __future__ import annotations

import csv
import json

import pytest

from council_social.cli import main
from council_social.config import load_config
from council_social.triage import criticality as crit
from council_social.triage import registry
from council_social.triage.datasets import LabelledTexts


@pytest.fixture
def config_file(tmp_path):
    """council.yaml with its data directory moved under tmp_path."""
    import yaml

    config = load_config()
    data = yaml.safe_load((config.project_root / "include" / "config" / "council.yaml").read_text())
    data.setdefault("storage", {})["data_dir"] = str(tmp_path / "data")
    path = tmp_path / "council.yaml"
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    return path


def test_model_prints_the_card_of_the_model_in_use(config_file, capsys):
    assert main(["--config", str(config_file), "triage", "model"]) == 0
    out = capsys.readouterr().out
    assert "criticality model criticality-v5 (shipped with the package" in out
    assert "complaints (complaints-train.csv)" in out or "council (council_train.jsonl)" in out
    assert "held_back" in out and "created" in out


def test_train_writes_a_version_and_promotes_only_if_better(config_file, tmp_path, capsys):
    complaints = tmp_path / "complaints.csv"
    with open(complaints, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f)
        w.writerow(["id", "text", "label", "domain"])
        for i in range(40):
            w.writerow([i, f"@shop my order {i} never arrived, still waiting", 1, "retail"])
            w.writerow([1000 + i, f"lovely morning walk number {i}", 0, "random_tweet"])
    argv = ["--config", str(config_file), "triage", "train", "--complaints", str(complaints),
            "--tweeteval", str(tmp_path / "none"), "--no-corrections"]
    assert main(argv) == 0
    out, err = capsys.readouterr()
    assert "no TweetEval data" in err
    models = tmp_path / "data" / "models"
    versions = sorted(models.glob("criticality-2*.json"))
    assert len(versions) == 1
    log = [json.loads(x) for x in (models / "retrain_log.jsonl").read_text().splitlines()]
    assert log[-1]["by"] == "triage train" and log[-1]["candidate"] == versions[0].stem
    promoted = (models / crit.PROMOTED_NAME).is_file()
    assert promoted is log[-1]["promoted"] is (log[-1]["f1_after"] > log[-1]["f1_before"])
    assert ("; promoted" in out) is promoted
    card = crit.CriticalityModel.load(versions[0])
    assert card.trained_on[0]["name"].startswith("council")
    assert card.metrics["held_back"]["texts"] > 0
    # `triage model` says what the last run did, with its held-back figures.
    assert main(["--config", str(config_file), "triage", "model"]) == 0
    out = capsys.readouterr().out
    last = log[-1]
    assert f"last retrain (triage train, {last['run_at']}): " in out
    assert f"F1 on them {last['f1_before']:.3f} -> {last['f1_after']:.3f}" in out


def test_promotion_needs_no_worse_on_the_public_sets(tmp_path):
    """A candidate better on the held-back rows but worse on public tweets is kept out."""
    model = crit.load_model(None)
    held = [LabelledTexts("held", ["still waiting for my bin, third week", "lovely park"], [0, 1])]
    public = [LabelledTexts("public", ["still waiting for my bin, third week", "lovely park"], [1, 0])]
    flipped = crit.CriticalityModel(**{**model.to_json(), "version": "flipped",
                                       "platt": [-model.platt[0], -model.platt[1]]})
    report = registry.promote_if_better(flipped, model, held, tmp_path, 0.5, public)
    assert report["f1_after"] > report["f1_before"] and report["promoted"] is False
    assert "worse on the public sets" in report["reason"]
    assert not (tmp_path / crit.PROMOTED_NAME).exists()
    assert registry.promote_if_better(flipped, model, held, tmp_path, 0.5, [])["promoted"] is True


def test_promotion_needs_a_strictly_better_f1(tmp_path):
    model = crit.load_model(None)
    held = LabelledTexts("held", ["still waiting for my bin, third week", "lovely park"], [1, 0])
    report = registry.promote_if_better(model, model, [held], tmp_path, 0.5)
    assert report["promoted"] is False and not (tmp_path / crit.PROMOTED_NAME).exists()
    assert (tmp_path / f"{model.version}.json").is_file()


def test_held_back_rows_never_train():
    s = LabelledTexts("s", [f"text {i}" for i in range(200)], [i % 2 for i in range(200)],
                      ["d"] * 200)
    train, [held] = registry.split_held_back([s])
    assert 20 < len(held.texts) < 70
    assert not set(train[0].texts) & set(held.texts)
    assert len(train[0].texts) + len(held.texts) == 200


def test_held_back_rows_count_at_their_sets_weight():
    """A set trained at a low weight (the random tweets) weighs as little in the judging."""
    from council_social.triage.training import critical_f1

    model = crit.load_model(None)
    text = "Still waiting for my bin, third week running, nobody came. Appalling."
    complaint = LabelledTexts("council", [text], [1])
    mislabelled = LabelledTexts("random tweets", [text], [0], weight=0.25)
    assert critical_f1(model, [complaint]) == 1.0
    # one true positive at weight 1, one false positive at weight 0.25
    assert critical_f1(model, [complaint, mislabelled]) == pytest.approx(2 / (2 + 0.25))


def test_the_held_back_sets_keep_their_weights():
    sets = [LabelledTexts("council", [f"council post {i}" for i in range(100)], [1] * 100, [], 1.0),
            LabelledTexts("random", [f"random tweet {i}" for i in range(100)], [0] * 100, [], 0.15)]
    _, held = registry.split_held_back(sets)
    assert [s.weight for s in held] == [1.0, 0.15]
    assert "random: " in registry.describe_held(held) and "at weight 0.15" in registry.describe_held(held)

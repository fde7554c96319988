"""Notebook 03's tables, metrics and sentences (serlib.experiments.augmentation_report), on fake study outputs."""

import numpy as np
import pandas as pd
import pytest

from serlib.experiments import augmentation_report as report
from serlib.experiments.augmentation_setup import settings_table, study_setup


def _fake_result(gain: float = 0.25, seeds=(0, 1)):
    """Predictions of ``none`` and ``gan`` on 40 test utterances of 8 speakers; ``gan`` is right more often."""
    rng = np.random.default_rng(0)
    emotions = ["angry", "happy", "neutral", "sad"]
    rows = []
    for s in seeds:
        for pos in range(40):
            truth = emotions[pos % 4]
            for cond, p_right in (("none", 0.5), ("gan", 0.5 + gain)):
                right = rng.random() < p_right
                rows.append({"condition": cond, "seed": s, "position": pos, "speaker": f"s{pos % 8}",
                             "y_true": truth, "y_pred": truth if right else emotions[(pos + 1) % 4]})
    runs = pd.DataFrame({"condition": ["none", "gan"] * len(seeds), "seconds": 1.0, "epochs_run": 3, "n_train": 10})
    return {"folds": [None, None], "predictions": pd.DataFrame(rows), "runs": runs, "prepared": []}


def test_metrics_block_has_the_documented_keys_and_paired_gain():
    r = _fake_result()
    per_seed, summary = report.condition_summary(r, n_boot=200)
    assert set(per_seed["condition"]) == {"none", "gan"} and len(per_seed) == 4
    quality = pd.DataFrame({"fold": [1, 2], "edit_ratio": [0.3, 0.5], "c2st_auc": [0.6, 0.7]})
    block, change = report.augmentation_metrics(r, summary, "speaker_independent", quality=quality,
                                                profile_correlation=0.4, settings={"seeds": [0, 1]}, n_boot=200)
    gan = block["speaker_independent"]["gan"]
    assert gan["diff_vs_none"] > 0.1 and gan["diff_vs_none_ci"][0] > 0 and gan["n_seeds"] == 2
    assert "diff_vs_none" not in block["speaker_independent"]["none"]
    assert block["gan_quality"]["edit_ratio"] == 0.4 and block["gan_quality"]["n_folds"] == 2
    assert block["gan_quality"]["profile_correlation_fold1"] == 0.4
    assert set(block["recall_change_gan"]) == {"angry", "happy", "neutral", "sad"} and len(change) == 4
    assert block["valence_gan_vs_none_uar"]["groups"] == ["negative", "neutral", "positive"]
    assert block["gan_train_seconds"] is None and block["settings"] == {"n_folds": 2, "seeds": [0, 1]}

    lines = report.summary_lines("ravdess", r, summary, None, quick=True)
    assert "QUICK" in lines[0] and "folds" in lines[0]
    assert any(line.startswith("  - `gan`") and "it helps (interval above 0)" in line for line in lines)
    assert any("Aim (GAN adds" in line for line in lines)


def test_sentences_read_their_inputs():
    history = pd.DataFrame([{"step": 100, "d_adv": 0.5, "g_adv": 0.7, "cycle": 0.1, "identity": 0.05, "g_cls": 1.2,
                             "d_cls": 0.9}])
    assert report.gan_loss_sentence(history).startswith("last logged step 100: D adversarial 0.500")
    q = pd.DataFrame({"fold": [1], "real_heldout_accuracy": [0.5], "generated_target_accuracy": [0.4],
                      "generated_source_rate": [0.2], "chance": [0.125], "c2st_auc": [0.8], "edit_ratio": [0.3],
                      "edit_cosine": [0.28]})
    text = report.quality_sentence("ravdess", q)
    assert "generated target accuracy 40.0 %" in text and "edit cosine 0.28" in text and "1 folds" in text
    assert report.quality_table({"prepared": []}).empty


def test_recall_change_table_flags_classes_below_median_support():
    r = _fake_result()
    preds = r["predictions"]
    preds = preds[~((preds["y_true"] == "neutral") & (preds["position"] % 8 >= 4))]  # neutral: half the utterances
    table = report.recall_change_table(preds, n_boot=100)
    assert list(table["condition"].unique()) == ["gan"] and len(table) == 4
    rare = table[table["below_median_support"]]
    assert list(rare["emotion"]) == ["neutral"] and rare["n_test"].iloc[0] == 5
    row = table.set_index("emotion").loc["angry"]
    assert row["recall_change"] == row["recall_condition"] - row["recall_none"]
    assert row["ci_low"] <= row["recall_change"] <= row["ci_high"]
    lines = report.rare_class_lines("ravdess", table)
    assert len(lines) == 1 and "neutral (5 test utterances)" in lines[0]
    per_seed, summary = report.condition_summary({"predictions": preds}, n_boot=50)
    block, _ = report.augmentation_metrics({**r, "predictions": preds}, summary, "speaker_independent",
                                           settings={}, n_boot=50, recall_changes=table,
                                           rerun={"predictions_changed": 0})
    gan = block["speaker_independent"]["gan"]["recall_change"]
    assert gan["neutral"]["below_median_support"] and len(gan["neutral"]["ci"]) == 2
    assert "recall_change" not in block["speaker_independent"]["none"] and block["rerun"] == {"predictions_changed": 0}


def test_rerun_check_repeats_a_training_and_sees_a_changed_copy(tmp_path, monkeypatch):
    import dataclasses

    from serlib.augmentation.classic import ClassicAugmentConfig
    from serlib.evaluation.splits import Split
    from serlib.experiments.augmentation import run_comparison
    from serlib.features.extract import extract_features
    from tests.audio_fixtures import write_tone
    from tests.test_models import TINY

    monkeypatch.setenv("SERLIB_CACHE_DIR", str(tmp_path / "cache"))
    rows = [{"path": str(write_tone(tmp_path / f"{spk}_{emo}_{k}.wav", 0.9, freq=140 + 90 * e + 7 * k + 3 * s)),
             "speaker": spk, "emotion": emo, "corpus": "toy"}
            for s, spk in enumerate("abcde") for e, emo in enumerate(("angry", "sad")) for k in range(2)]
    fs = extract_features(pd.DataFrame(rows), n_jobs=1, progress=False)
    spk = fs.manifest["speaker"].to_numpy()
    split = Split("test e", np.flatnonzero(spk != "e"), np.flatnonzero(spk == "e"))
    config, classic = dataclasses.replace(TINY, epochs=2), ClassicAugmentConfig()
    _, runs, prepared = run_comparison(fs, [split], conditions=("none", "classic"), seeds=(0,), model_config=config,
                                       classic_config=classic, n_jobs=1, progress=False)
    preds, _, _ = run_comparison(fs, [split], conditions=("none", "classic"), seeds=(0,), model_config=config,
                                 classic_config=classic, n_jobs=1, progress=False)
    result = {"predictions": preds, "prepared": prepared}
    check = report.rerun_check(fs, result, model_config=config, classic_config=classic)
    assert check["predictions_changed"] == 0 and check["n_test"] == len(split.test)
    assert check["classic_copies_checked"] == len(prepared[0].fit) and check["classic_copies_max_abs_diff"] == 0
    prepared[0].classic.frames[0] = prepared[0].classic.frames[0] + 1.0  # a stale copy is seen
    assert report.rerun_check(fs, result, model_config=config, classic_config=classic)[
        "classic_copies_max_abs_diff"] == pytest.approx(1.0, abs=1e-4)
    assert "0 of 4 test predictions changed" in report.rerun_sentence("toy", check)


def test_study_setup_names_the_classifier_features_and_normalisation():
    import pytest

    paper = study_setup("paper", 20)
    assert paper.model_config.epochs == 20 and paper.feature_config.kind == "mfcc"
    assert not paper.speaker_normalize and paper.spec_augment_with_classic
    strong = study_setup("strong", 5, quick=True)
    assert strong.feature_config.kind == "logmel_lld" and strong.feature_config.deltas == 0
    assert strong.speaker_normalize and not strong.spec_augment_with_classic
    assert strong.model_config.epochs <= 5 and strong.model_config.lstm_units == 16  # CI-sized network
    capped = study_setup("strong", 5).model_config
    assert capped.epochs == 5 and capped.patience <= 5
    assert study_setup("strong").model_config.epochs > 5  # no cap: the model's own epochs
    with pytest.raises(ValueError, match="unknown study_model"):
        study_setup("transformer")


def test_study_setup_keeps_only_the_asked_conditions_and_their_gan_variants():
    import pytest

    demo = study_setup("strong", conditions=["gan_filtered_100pct", "none", "classic"])
    assert demo.conditions == ("none", "classic", "gan_filtered_100pct")  # the study's order, not the caller's
    assert [v.name for v in demo.gan_variants] == ["gan_filtered_100pct"]
    assert study_setup("strong", conditions="none").gan_variants == ()  # no GAN to train
    paper = study_setup("paper", conditions=["none", "classic_gan"])
    assert [v.name for v in paper.gan_variants] == ["gan"]  # classic_gan trains on gan's translations
    with pytest.raises(ValueError, match="subset of the paper study's.*gan_filtered_25pct"):
        study_setup("paper", conditions=["none", "gan_filtered_25pct"])
    with pytest.raises(ValueError, match="non-empty subset"):
        study_setup("strong", conditions=[])


def test_settings_table_says_the_subset_conditions_and_seeds():
    from serlib.augmentation.gan import GanConfig

    setup = study_setup("strong", 7, conditions=["none", "gan"])
    table = settings_table(setup, corpora=["ravdess"], protocol="speaker_independent", n_folds=3, per_group=4,
                           seeds=[0, 1], gan_config=GanConfig(steps=50), n_copies=1, quick=False)
    values = table["value"]
    assert values["conditions"] == "none, gan" and values["classifier max epochs"] == 7
    assert values["utterances per speaker and emotion"] == 4 and values["classifier seeds"] == "[0, 1]"
    assert values["GAN steps"] == 50
    every = settings_table(setup, corpora=[], protocol="speaker_independent", n_folds=None, per_group=None,
                           seeds=[0], gan_config=GanConfig(), n_copies=1, quick=True)["value"]
    assert every["utterances per speaker and emotion"] == "all" and every["corpora in the experiment"] == "(none)"


def test_study_corpora_default_to_ravdess_and_stop_for_another_protocol():
    from serlib.experiments.augmentation_setup import study_corpora

    both = {"ravdess": None, "tess": None}
    assert study_corpora(both, None, "all", "speaker_independent") == (["ravdess"], None)
    assert study_corpora({"tess": None}, None, "all", "speaker_independent") == (["tess"], None)
    assert study_corpora(both, ["tess", "crema_d"], "speaker_independent", "speaker_independent") == (["tess"], None)
    chosen, why = study_corpora(both, None, "random_80_20", "speaker_independent")
    assert chosen == [] and "only runs the speaker-independent protocol" in why

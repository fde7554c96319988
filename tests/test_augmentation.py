"""Classical augmentation, the leakage guards and the statistics of notebook 03 (serlib.experiments.augmentation)."""

import numpy as np
import pandas as pd
import pytest

from serlib.augmentation.classic import (
    AugmentedData,
    ClassicAugmentConfig,
    augment_waveform,
    classic_augmented_features,
)
from serlib.evaluation.splits import Split
from serlib.experiments.augmentation import FoldAugmentation, prepare_fold, training_data
from serlib.experiments.augmentation_statistics import paired_difference_ci, summarise_conditions, uar_per_seed
from serlib.features.extract import FeatureSet
from serlib.features.frames import FeatureConfig
from tests.audio_fixtures import tone, write_tone

SR = 16000
NOISE_ONLY = ClassicAugmentConfig(p_noise=1, p_pitch=0, p_stretch=0, snr_db=(20, 20))
STRETCH_ONLY = ClassicAugmentConfig(p_noise=0, p_pitch=0, p_stretch=1, stretch_rate=(1.25, 1.25))
PITCH_ONLY = ClassicAugmentConfig(p_noise=0, p_pitch=1, p_stretch=0, pitch_semitones=(2, 2))


def test_waveform_augmentation_lengths_and_values():
    y = tone(1.0)
    out, params = augment_waveform(y, SR, NOISE_ONLY, seed=3)
    assert out.shape == y.shape and out.dtype == np.float32 and np.all(np.isfinite(out))
    snr = 10 * np.log10(np.mean(y.astype(np.float64) ** 2) / np.mean((out - y).astype(np.float64) ** 2))
    assert params["snr_db"] == 20 and abs(snr - 20) < 0.5
    out, params = augment_waveform(y, SR, STRETCH_ONLY, seed=3)
    assert abs(len(out) - len(y) / 1.25) < 0.01 * len(y)
    out, params = augment_waveform(y, SR, PITCH_ONLY, seed=3)
    assert out.shape == y.shape and params["pitch_semitones"] == 2 and not np.allclose(out, y, atol=1e-3)


def test_waveform_augmentation_is_deterministic_for_a_seed():
    y = tone(1.0)
    a, pa_ = augment_waveform(y, SR, seed=7)
    b, pb = augment_waveform(y, SR, seed=7)
    np.testing.assert_array_equal(a, b)
    assert pa_ == pb
    outs = [augment_waveform(y, SR, seed=s)[1] for s in range(8)]
    assert len({tuple(sorted(o.items())) for o in outs}) > 1
    assert all(any(o[k] is not None for k in ("snr_db", "pitch_semitones", "stretch_rate")) for o in outs)


def test_bad_config_and_waveforms_are_refused():
    with pytest.raises(ValueError, match="snr_db"):
        ClassicAugmentConfig(snr_db=(30, 10))
    with pytest.raises(ValueError, match="p_pitch"):
        ClassicAugmentConfig(p_pitch=1.5)
    with pytest.raises(ValueError, match="1-D"):
        augment_waveform(np.zeros((2, 10)), SR)
    bad = tone(0.5)
    bad[10] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        augment_waveform(bad, SR)


@pytest.fixture()
def tiny_manifest(tmp_path):
    rows = []
    for spk in ("a", "b", "c"):
        for k, emo in enumerate(("angry", "sad")):
            path = write_tone(tmp_path / "audio" / f"{spk}_{emo}.wav", 0.8, freq=150 + 40 * k + 10 * ord(spk))
            rows.append({"path": str(path), "speaker": spk, "emotion": emo, "corpus": "toy"})
    return pd.DataFrame(rows)


def test_classic_features_only_for_training_rows_and_cached(tiny_manifest, tmp_path):
    m = tiny_manifest
    train = np.flatnonzero(m["speaker"] != "c")
    test = np.flatnonzero(m["speaker"] == "c")
    cfg = FeatureConfig()
    aug = classic_augmented_features(m, train, test, feature_config=cfg, seed=0, n_copies=2,
                                     cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    assert len(aug) == 2 * len(train) and set(aug.source) <= set(train)
    assert list(aug.emotions) == list(m["emotion"].to_numpy()[aug.source])
    assert all(f.shape[1] == cfg.n_features and np.all(np.isfinite(f)) for f in aug.frames)
    assert list((tmp_path / "cache").rglob("*.npy"))
    again = classic_augmented_features(m, train, test, feature_config=cfg, seed=0, n_copies=2,
                                       cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    for a, b in zip(aug.frames, again.frames):
        np.testing.assert_array_equal(a, b)
    pd.testing.assert_frame_equal(aug.params, again.params)


def test_classic_features_refuse_a_test_speaker(tiny_manifest):
    m = tiny_manifest
    train = np.arange(len(m))  # includes speaker c
    test = np.flatnonzero(m["speaker"] == "c")
    with pytest.raises(ValueError, match=r"\['c'\]"):
        classic_augmented_features(m, train, test, cache_dir=False, n_jobs=1, progress=False)


def test_prepare_fold_refuses_a_leaky_split(tiny_manifest):
    fs = FeatureSet(tiny_manifest, [np.zeros((40, 120), np.float32)] * len(tiny_manifest), pd.DataFrame(),
                    FeatureConfig())
    leaky = Split("leaky", np.arange(4), np.arange(2, 6))
    with pytest.raises(ValueError, match="both"):
        prepare_fold(fs, leaky, conditions=("none",), progress=False)
    with pytest.raises(ValueError, match="unknown condition"):
        prepare_fold(fs, Split("ok", np.arange(4), np.arange(4, 6)), conditions=("mixup",), progress=False)


def test_training_data_per_condition(tiny_manifest):
    n = len(tiny_manifest)
    fs = FeatureSet(tiny_manifest, [np.full((40, 120), i, np.float32) for i in range(n)], pd.DataFrame(),
                    FeatureConfig())
    fold = FoldAugmentation(Split("f", np.arange(4), np.arange(4, 6)), np.arange(3), np.array([3]))
    fold.classic = AugmentedData([np.ones((40, 120))] * 3, np.array(["angry"] * 3), np.arange(3))
    fold.gan_data = AugmentedData([np.ones((40, 120))] * 6, np.array(["sad"] * 6), np.r_[np.arange(3), np.arange(3)])
    sizes = {}
    for cond in ("none", "classic", "gan", "classic_gan"):
        frames, labels, spec = training_data(fs, fold, cond)
        sizes[cond] = len(frames)
        assert len(labels) == len(frames)
        assert spec == (cond in ("classic", "classic_gan"))
    assert sizes == {"none": 3, "classic": 6, "gan": 9, "classic_gan": 12}
    with pytest.raises(ValueError, match="unknown condition"):
        training_data(fs, fold, "mixup")
    with pytest.raises(ValueError, match="no GAN data"):
        training_data(fs, FoldAugmentation(fold.split, fold.fit, fold.val), "gan")


def _fake_predictions(seed=0):
    rng = np.random.default_rng(seed)
    labels = np.array(["angry", "sad", "happy"])
    n = 120
    truth = labels[rng.integers(0, 3, n)]
    speakers = np.repeat([f"s{i}" for i in range(12)], n // 12)
    rows = []
    for s in (0, 1, 2):
        good = np.where(rng.random(n) < 0.9, truth, labels[rng.integers(0, 3, n)])
        bad = labels[rng.integers(0, 3, n)]
        for cond, pred in (("none", bad), ("gan", good), ("classic", bad)):
            rows.append(pd.DataFrame({"position": np.arange(n), "speaker": speakers, "y_true": truth,
                                      "y_pred": pred, "condition": cond, "seed": s}))
    return pd.concat(rows, ignore_index=True)


def test_paired_difference_ci_detects_a_real_gain_and_no_gain():
    preds = _fake_predictions()
    d = paired_difference_ci(preds, "gan", n_boot=200, seed=0)
    assert d["diff_mean"] > 0.3 and d["ci_low"] > 0 and d["n_seeds"] == 3 and d["n_speakers"] == 12
    assert d["resampled"] == "speakers"
    two = preds.assign(speaker=np.where(preds["position"] < 60, "s0", "s1"))  # like TESS: 2 test speakers
    assert paired_difference_ci(two, "gan", n_boot=50, seed=0)["resampled"] == "utterances"
    same = preds[preds["condition"] == "none"].assign(condition="copy")
    d0 = paired_difference_ci(pd.concat([preds, same]), "copy", n_boot=50, seed=0)
    assert d0["diff_mean"] == 0 and d0["ci_low"] == 0 and d0["ci_high"] == 0
    with pytest.raises(ValueError, match="no predictions"):
        paired_difference_ci(preds, "classic_gan")


def test_paired_interval_covers_the_spread_over_seeds():
    preds = _fake_predictions()
    # "lucky" equals gan at seed 0 and none at seeds 1 and 2: the per-seed gains are about +0.6, 0, 0
    lucky = pd.concat([preds[(preds["condition"] == "gan") & (preds["seed"] == 0)],
                       preds[(preds["condition"] == "none") & (preds["seed"] != 0)]]).assign(condition="lucky")
    d = paired_difference_ci(pd.concat([preds, lucky]), "lucky", n_boot=400, seed=0)
    per_seed = uar_per_seed(pd.concat([preds, lucky])).pivot(index="seed", columns="condition", values="uar")
    gains = per_seed["lucky"] - per_seed["none"]
    assert gains.max() > 0.4 and abs(gains.min()) < 1e-9
    assert d["ci_low"] <= gains.min() + 0.02 and d["ci_high"] >= gains.max() - 0.02  # seeds are resampled too
    assert "seeds x" in d["ci_method"]


def test_summary_has_mean_std_and_interval_per_condition():
    preds = _fake_predictions()
    per_seed = uar_per_seed(preds)
    assert len(per_seed) == 9 and per_seed["uar"].between(0, 1).all()
    summary = summarise_conditions(preds, n_boot=100, seed=0).set_index("condition")
    assert list(summary.index) == ["none", "classic", "gan"]
    assert np.isnan(summary.loc["none", "diff_vs_none"])
    gan = summary.loc["gan"]
    assert gan["ci_low"] <= gan["diff_vs_none"] <= gan["ci_high"] and gan["uar_std"] >= 0 and gan["n_seeds"] == 3
    assert gan["uar_mean"] == pytest.approx(per_seed[per_seed["condition"] == "gan"]["uar"].mean())


def test_valence_grouping_and_recall_change_by_class():
    import pandas as pd

    from serlib.experiments.augmentation_statistics import recall_change_by_class, valence_predictions

    rows = []
    for seed in (0, 1):
        for cond, preds in (("none", ["sad", "happy", "angry", "sad"]), ("gan", ["angry", "surprised", "angry", "happy"])):
            for pos, (t, p) in enumerate(zip(["angry", "happy", "angry", "neutral"], preds)):
                rows.append({"position": pos, "speaker": f"s{pos % 2}", "y_true": t, "y_pred": p, "condition": cond,
                             "seed": seed})
    pred = pd.DataFrame(rows)
    val = valence_predictions(pred)
    assert set(val["y_true"]) == {"negative", "positive", "neutral"}
    assert (val[val["condition"] == "none"]["y_pred"].iloc[:4] == ["negative", "positive", "negative", "negative"]).all()
    change = recall_change_by_class(pred, "gan")
    assert list(change["emotion"][:2]) == ["happy", "neutral"]  # one test utterance each, rarest first
    angry = change.set_index("emotion").loc["angry"]
    assert angry["n_test"] == 2 and angry["recall_none"] == 0.5 and angry["recall_gan"] == 1.0
    with pytest.raises(ValueError, match="no valence group"):
        valence_predictions(pred.assign(y_true="joy"))


def test_the_study_trains_any_model_and_can_keep_its_own_spec_augment(tmp_path, monkeypatch):
    import dataclasses

    from serlib.augmentation.gan import GanConfig
    from serlib.experiments import protocols
    from serlib.experiments.augmentation import run_comparison
    from serlib.models.conv_recurrent import ConvRecurrentConfig, quick_setting

    rng = np.random.default_rng(0)
    fc = FeatureConfig(kind="logmel", n_mels=8, deltas=0)
    rows, frames = [], []
    for s, spk in enumerate("abcde"):
        for k, emo in enumerate(("angry", "sad") * 2):
            rows.append({"path": f"{spk}_{k}.wav", "speaker": spk, "emotion": emo, "corpus": "toy"})
            frames.append((rng.standard_normal((40, fc.n_features)) + 2.0 * (emo == "sad")).astype(np.float32))
    fs = FeatureSet(pd.DataFrame(rows), frames, pd.DataFrame(), fc)
    spk = fs.manifest["speaker"].to_numpy()
    split = Split("test e", np.flatnonzero(spk != "e"), np.flatnonzero(spk == "e"))
    seen = []
    real = protocols.make_classifier
    monkeypatch.setattr(protocols, "make_classifier", lambda f, c, seed=0: seen.append(c) or real(f, c, seed=seed))
    model = dataclasses.replace(quick_setting(ConvRecurrentConfig()), spec_augment=True)
    gan = GanConfig(g_channels=8, g_blocks=1, d_channels=(8,), steps=3, batch_size=4, window_frames=16, window_hop=8)
    preds, runs, _ = run_comparison(fs, [split], conditions=("none", "gan"), seeds=(0,), model_config=model,
                                    gan_config=gan, n_jobs=1, progress=False, spec_augment_with_classic=False)
    assert set(preds["condition"]) == {"none", "gan"} and len(preds) == 2 * len(split.test)
    assert len(seen) == 2 and all(isinstance(c, ConvRecurrentConfig) and c.spec_augment for c in seen)
    assert runs.set_index("condition").loc["gan", "n_train"] == 2 * runs.set_index("condition").loc["none", "n_train"]
    seen.clear()  # the paper-model study: SpecAugment only with the classical conditions
    run_comparison(fs, [split], conditions=("none",), seeds=(0,), model_config=model, gan_config=gan, n_jobs=1,
                   progress=False)
    assert [c.spec_augment for c in seen] == [False]

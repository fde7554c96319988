"""CNN-LSTM estimator and experiment runner, on tiny synthetic frame sequences (seconds, not minutes)."""

import numpy as np
import pandas as pd
import pytest

from serlib.evaluation.splits import speaker_independent_folds
from serlib.experiments.noise import babble_noise, mix_at_snr, noisy_waveform
from serlib.experiments.protocols import run_protocol, seed_ensemble, summarise_predictions
from serlib.features.extract import FeatureSet
from serlib.features.frames import FeatureConfig
from serlib.models.cnn_lstm import (
    CnnLstmClassifier,
    CnnLstmConfig,
    mixup_dataset,
    normalize_utterance,
    windows_tensor,
)

FC = FeatureConfig(n_mfcc=4, deltas=2, window_frames=8, window_hop=4)  # 12 features per frame
TINY = CnnLstmConfig(n_windows=4, conv_filters=(8,), kernel_sizes=(3,), lstm_units=8, epochs=25, batch_size=16,
                     patience=25, dropout=0.0, l2=0.0, learning_rate=5e-3)


def _data(n_per=24, speakers=("a", "b", "c", "d"), seed=0):
    """Two emotions that differ in the sign of feature 1; lengths vary so crop and repeat are both used."""
    rng = np.random.default_rng(seed)
    frames, rows = [], []
    for s in speakers:
        for k in range(n_per):
            emo = "angry" if k % 2 else "sad"
            f = rng.normal(0, 1, (rng.integers(12, 40), 12)).astype(np.float32)
            f[:, 1] += 2.0 if emo == "angry" else -2.0
            frames.append(f)
            rows.append({"path": f"/x/{s}{k}.wav", "speaker": s, "gender": "female", "emotion": emo, "corpus": "toy"})
    m = pd.DataFrame(rows)
    return FeatureSet(m, frames, pd.DataFrame(columns=["path", "corpus", "reason"]), FC)


def test_windows_tensor_crops_and_repeats():
    frames = [np.arange(40 * 12, dtype=np.float32).reshape(40, 12), np.ones((8, 12), np.float32)]
    x = windows_tensor(frames, FC, 4)
    assert x.shape == (2, 4, 8, 12)
    np.testing.assert_array_equal(x[1, 0], x[1, 3])  # one window, repeated
    assert x[0, 0, 0, 0] == 4 * 12 * 2  # 9 windows -> centre crop starts at window 2 (frame 8)
    with pytest.raises(ValueError, match="no full window"):
        windows_tensor([np.ones((3, 12), np.float32)], FC, 4)


def test_normalize_utterance():
    f = np.array([[1.0, 10.0], [3.0, 30.0]], np.float32)
    np.testing.assert_allclose(normalize_utterance(f, "mean"), [[-1, -10], [1, 10]])
    np.testing.assert_allclose(normalize_utterance(f, "meanvar"), [[-1, -1], [1, 1]])
    assert normalize_utterance(f, "none") is f
    with pytest.raises(ValueError, match="utterance_norm"):
        CnnLstmConfig(utterance_norm="bad")


def test_fit_predict_learns_and_roundtrips(tmp_path):
    fs = _data()
    y = fs.manifest["emotion"].to_numpy()
    clf = CnnLstmClassifier(FC, TINY, seed=1).fit(fs.frames[:72], y[:72])
    proba = clf.predict_proba(fs.frames[72:])
    assert proba.shape == (24, 2) and np.allclose(proba.sum(axis=1), 1, atol=1e-5)
    assert (clf.predict(fs.frames[72:]) == y[72:]).mean() >= 0.9
    assert clf.labels_ == ["angry", "sad"] and clf.n_parameters > 0
    # SpecAugment is active in training only: inference is deterministic
    np.testing.assert_allclose(clf.predict_proba(fs.frames[72:]), proba, atol=1e-6)
    loaded = CnnLstmClassifier.load(clf.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.predict_proba(fs.frames[72:]), proba, atol=1e-5)
    assert loaded.labels_ == clf.labels_ and loaded.feature_config == FC and loaded.config == TINY
    with pytest.raises(FileNotFoundError, match="no serlib model"):
        CnnLstmClassifier.load(tmp_path / "absent")


def test_fit_validates_inputs():
    fs = _data(n_per=4)
    with pytest.raises(ValueError, match="as many labels"):
        CnnLstmClassifier(FC, TINY).fit(fs.frames, ["sad"])
    with pytest.raises(ValueError, match="two emotions"):
        CnnLstmClassifier(FC, TINY).fit(fs.frames[:3], ["sad"] * 3)
    with pytest.raises(RuntimeError, match="not fitted"):
        CnnLstmClassifier(FC, TINY).predict(fs.frames)


def test_early_stopping_uses_validation_and_keeps_best_epoch():
    fs = _data()
    y = fs.manifest["emotion"].to_numpy()
    cfg = CnnLstmConfig(**{**TINY.to_dict(), "conv_filters": (8,), "kernel_sizes": (3,), "epochs": 30, "patience": 2,
                           "monitor": "val_loss"})
    clf = CnnLstmClassifier(FC, cfg, seed=0).fit(fs.frames[:48], y[:48], validation=(fs.frames[48:72], y[48:72]))
    h = clf.history_
    assert len(h["val_loss"]) == h["epochs_run"] <= 30
    assert h["best_epoch"] == int(np.argmin(h["val_loss"]) + 1)


def test_run_protocol_never_tests_a_training_speaker():
    fs = _data()
    folds = speaker_independent_folds(fs.manifest, seed=0)
    res = run_protocol(fs, folds, TINY.__class__(**{**TINY.to_dict(), "conv_filters": (8,), "kernel_sizes": (3,),
                                                    "epochs": 3}), [0], progress=False, keep_models=True)
    assert len(res.predictions) == len(fs.manifest)  # each utterance tested once per seed
    for split in folds:
        trained_on = set(fs.manifest.iloc[split.train]["speaker"])
        tested = set(res.predictions.loc[res.predictions["split"] == split.name, "speaker"].str.split(":").str[-1])
        assert not trained_on & tested
    assert set(res.trainings["n_validation"]) and (res.trainings["n_validation"] > 0).all()
    assert res.labels == ["angry", "sad"]
    assert all(res.labels[int(np.argmax(p))] == yp for p, yp in zip(res.predictions["proba"], res.predictions["y_pred"]))
    summ = summarise_predictions(res.predictions, n_boot=50)
    assert 0 <= summ["accuracy_ci95"][0] <= summ["accuracy"] <= summ["accuracy_ci95"][1] <= 1
    assert summ["n_seeds"] == 1 and summ["n_test_utterances"] == len(fs.manifest)


def test_noisy_waveform_is_the_tests_noise_at_the_asked_snr():
    rng = np.random.default_rng(1)
    speech = np.sin(np.linspace(0, 400, 16000)).astype(np.float32)
    talkers = [rng.standard_normal(4000).astype(np.float32) for _ in range(3)]
    for kind in ("white", "babble"):
        noisy = noisy_waveform(speech, 10.0, kind, babble_pool=talkers, seed=3)
        noise = noisy - speech
        snr = 10 * np.log10(np.mean(speech.astype(np.float64) ** 2) / np.mean(noise.astype(np.float64) ** 2))
        assert noisy.dtype == np.float32 and abs(snr - 10.0) < 0.05, (kind, snr)
        assert np.array_equal(noisy, noisy_waveform(speech, 10.0, kind, babble_pool=talkers, seed=3))
        assert not np.array_equal(noisy, noisy_waveform(speech, 10.0, kind, babble_pool=talkers, seed=4))
    with pytest.raises(ValueError, match="white' or 'babble"):
        noisy_waveform(speech, 10.0, "pink")
    with pytest.raises(ValueError, match="non-empty pool"):
        noisy_waveform(speech, 10.0, "babble")


def test_mix_at_snr_and_babble():
    rng = np.random.default_rng(0)
    speech = np.sin(np.linspace(0, 200, 16000)).astype(np.float32)
    noise = rng.standard_normal(16000).astype(np.float32)
    for snr in (0, 10, 20):
        mixed = mix_at_snr(speech, noise, snr)
        measured = 10 * np.log10(np.mean(speech ** 2) / np.mean((mixed - speech) ** 2))
        assert measured == pytest.approx(snr, abs=0.01)
    b = babble_noise(8000, [speech[:3000], 0.1 * speech[:5000], noise[:4000]], rng, n_talkers=2)
    assert b.shape == (8000,) and np.all(np.isfinite(b)) and np.std(b) > 0
    with pytest.raises(ValueError, match="pool"):
        babble_noise(10, [], rng)


def test_summary_resamples_speakers_only_when_there_are_enough():
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b"], 200)
    pred = pd.DataFrame({"seed": 0, "y_true": y, "y_pred": np.where(rng.random(200) < 0.7, y, "a"),
                         "speaker": np.repeat([f"s{k}" for k in range(8)], 25)})
    assert summarise_predictions(pred, n_boot=50)["ci_method"] == "bootstrap over test speakers (8)"
    two = pred.assign(speaker=np.repeat(["x", "y"], 100))
    s = summarise_predictions(two, n_boot=50)
    assert s["ci_method"].startswith("bootstrap over test utterances (only 2 test speakers")
    assert s["accuracy_ci95"][0] < s["accuracy"] < s["accuracy_ci95"][1]
    assert summarise_predictions(pred, n_boot=50, cluster=False)["ci_method"] == "bootstrap over test utterances"


def test_mixup_alpha_is_validated():
    with pytest.raises(ValueError, match="mixup_alpha"):
        CnnLstmConfig(mixup_alpha=-0.1)


def test_mixup_dataset_mixes_inputs_labels_and_weights_consistently():
    n = 12
    x = np.zeros((n, 1, 1, 1), np.float32)
    x[:, 0, 0, 0] = np.arange(n)  # input value identifies the example
    y = np.eye(2, dtype=np.float32)[np.arange(n) % 2]
    batches = list(mixup_dataset(x, y, {0: 1.0, 1: 3.0}, alpha=0.4, batch_size=4, seed=0).as_numpy_iterator())
    assert sum(len(b[0]) for b in batches) == n
    lam_seen = []
    for xb, yb, wb in batches:
        np.testing.assert_allclose(yb.sum(axis=1), 1, atol=1e-5)
        # label share of class 1 and the sample weight follow the same mixing coefficient
        assert np.all((wb >= 1 - 1e-5) & (wb <= 3 + 1e-5))
        np.testing.assert_allclose(wb, 1 + 2 * yb[:, 1], atol=1e-4)
        lam_seen += list(yb.max(axis=1))
    assert min(lam_seen) < 0.999  # some examples really are mixed
    again = list(mixup_dataset(x, y, None, alpha=0.4, batch_size=4, seed=0).as_numpy_iterator())
    np.testing.assert_allclose(np.concatenate([b[1] for b in again]), np.concatenate([b[1] for b in batches]))


def test_mixup_still_learns():
    fs = _data()
    y = fs.manifest["emotion"].to_numpy()
    cfg = CnnLstmConfig(**{**TINY.to_dict(), "conv_filters": (8,), "kernel_sizes": (3,), "mixup_alpha": 0.2})
    clf = CnnLstmClassifier(FC, cfg, seed=0).fit(fs.frames[:72], y[:72])
    assert (clf.predict(fs.frames[72:]) == y[72:]).mean() >= 0.9


def test_seed_ensemble_averages_probabilities():
    pred = pd.DataFrame({"seed": [0, 0, 1, 1], "split": "f", "position": [5, 6, 5, 6], "speaker": ["a", "b"] * 2,
                         "y_true": ["x", "y", "x", "y"], "y_pred": ["x", "x", "y", "y"],
                         "proba": [np.array([0.9, 0.1]), np.array([0.6, 0.4]), np.array([0.4, 0.6]),
                                   np.array([0.1, 0.9])]})
    ens = seed_ensemble(pred, ["x", "y"])
    assert list(ens["position"]) == [5, 6] and list(ens["y_pred"]) == ["x", "y"]
    np.testing.assert_allclose(ens["proba"].iloc[0], [0.65, 0.35])
    with pytest.raises(ValueError, match="same number of seeds"):
        seed_ensemble(pred.iloc[:3], ["x", "y"])
    with pytest.raises(ValueError, match="proba"):
        seed_ensemble(pred.drop(columns="proba"), ["x", "y"])


def test_noise_robustness_pools_folds_and_keeps_clean_rows(tmp_path):
    from types import SimpleNamespace

    from serlib.evaluation.splits import Split
    from serlib.experiments.noise import noise_metrics, noise_robustness
    from tests.audio_fixtures import write_tone

    paths = [str(write_tone(tmp_path / f"u{i}.wav", duration_s=1.0, freq=200 + 40 * i, seed=i)) for i in range(8)]
    manifest = pd.DataFrame({"path": paths, "speaker": [f"s{i // 2}" for i in range(8)],
                             "emotion": ["happy", "sad"] * 4})
    fs = FeatureSet(manifest, [np.zeros((10, 3), np.float32)] * 8, pd.DataFrame(), FeatureConfig())
    folds = [Split("f1", np.arange(4, 8), np.arange(0, 4)), Split("f2", np.arange(0, 4), np.arange(4, 8))]

    class Always:  # predicts one emotion whatever the audio: accuracy 0.5 at every level
        def __init__(self, label):
            self.label, self.calls = label, 0

        def predict(self, frames):
            self.calls += 1
            return np.array([self.label] * len(frames))

    models = {(0, "f1"): Always("happy"), (0, "f2"): Always("sad")}
    clean = pd.DataFrame({"y_true": manifest["emotion"], "y_pred": ["happy"] * 8})
    result = SimpleNamespace(predictions=clean, models=models)
    table = noise_robustness(fs, result, folds, snr_levels=(10, 0), pool_size=3, seed=0)
    assert list(table["noise"]) == ["babble"] * 3 + ["white"] * 3
    assert list(table["snr_db"]) == [np.inf, 10.0, 0.0, np.inf, 10.0, 0.0]
    assert table.loc[np.isinf(table["snr_db"]), "accuracy"].tolist() == [0.5, 0.5] and (table["n"] == 8).all()
    assert table.loc[np.isfinite(table["snr_db"]), "accuracy"].eq(0.5).all()
    assert all(m.calls == 4 for m in models.values())  # 2 kinds x 2 levels per fold
    m = noise_metrics(table, (10, 0))
    assert set(m) == {"clean", "10", "0"} and m["10"] == {"accuracy": 0.5, "accuracy_white": 0.5,
                                                          "accuracy_babble": 0.5}
    with pytest.raises(ValueError, match="keep_models"):
        noise_robustness(fs, SimpleNamespace(predictions=clean, models={}), folds)

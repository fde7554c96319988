"""EmoBox folds, per-speaker normalisation, the whole-utterance CNN-BiLSTM and the leaderboard's statistics."""

import numpy as np
import pandas as pd
import pytest

from serlib.evaluation.splits import EMOBOX_RAVDESS_FOLDS, speaker_independent_folds
from serlib.experiments.leaderboard.entries import (
    Entry,
    classical_entry,
    deep_entry,
    late_fusion_entry,
    seed_ensemble_entry,
    shares_test_set_across_seeds,
    speaker_normalized,
)
from serlib.experiments.leaderboard.statistics import (
    LEADERBOARD_COLUMNS,
    leaderboard_metrics,
    leaderboard_table,
    paired_ablation,
    per_class_recall,
    seed_speaker_bootstrap,
)
from serlib.experiments.protocols import make_classifier
from serlib.features.extract import FeatureSet
from serlib.features.frames import FeatureConfig
from serlib.features.speaker_norm import speaker_normalize_frames, speaker_normalize_matrix
from serlib.models.classical import BaselineConfig
from serlib.models.cnn_lstm import CnnLstmClassifier, CnnLstmConfig
from serlib.models.conv_recurrent import (
    ConvRecurrentClassifier,
    ConvRecurrentConfig,
    batch_fixed_length,
    fixed_length,
)

FC = FeatureConfig(kind="logmel", n_mels=6, deltas=1)  # 12 features per frame
TINY = ConvRecurrentConfig(max_frames=24, conv_filters=(8,), lstm_units=8, epochs=12, patience=12, batch_size=16,
                           dropout=0.0, l2=0.0, learning_rate=1e-2, time_mask=2, feature_mask=2)


def _ravdess_manifest(per=4, corpus="ravdess"):
    rows = [{"speaker": f"{a:02d}", "gender": "male" if a % 2 else "female", "emotion": ("angry", "sad")[k % 2],
             "path": f"/x/{a}_{k}.wav", "corpus": corpus} for a in range(1, 25) for k in range(per)]
    return pd.DataFrame(rows)


def test_ravdess_uses_the_emobox_folds_and_other_corpora_do_not():
    m = _ravdess_manifest()
    folds = speaker_independent_folds(m)
    assert len(folds) == 6
    for split, fold in zip(folds, EMOBOX_RAVDESS_FOLDS):
        assert sorted(m.iloc[split.test]["speaker"].unique()) == sorted(fold)
        assert not set(m.iloc[split.test]["speaker"]) & set(m.iloc[split.train]["speaker"])
    assert sorted(np.concatenate([f.test for f in folds])) == list(range(len(m)))
    # the same manifest under another corpus name is dealt by gender and seed instead
    other = speaker_independent_folds(_ravdess_manifest(corpus="toy"), seed=3)
    assert [sorted(_ravdess_manifest().iloc[f.test]["speaker"].unique()) for f in other] != \
        [sorted(f) for f in EMOBOX_RAVDESS_FOLDS]
    # a RAVDESS subset missing a whole fold's actors falls back to dealt folds (quick runs)
    sub = m[~m["speaker"].isin(EMOBOX_RAVDESS_FOLDS[0])].reset_index(drop=True)
    assert len(speaker_independent_folds(sub)) == 6


def test_speaker_normalisation_uses_each_speakers_own_statistics():
    rng = np.random.default_rng(0)
    X = np.concatenate([rng.normal(5, 2, (30, 3)), rng.normal(-1, 0.5, (20, 3))])
    spk = np.array(["a"] * 30 + ["b"] * 20)
    Z = speaker_normalize_matrix(X, spk)
    for s in ("a", "b"):
        np.testing.assert_allclose(Z[spk == s].mean(axis=0), 0, atol=1e-5)
        np.testing.assert_allclose(Z[spk == s].std(axis=0), 1, atol=1e-4)
    # one speaker's statistics do not depend on another speaker's rows
    np.testing.assert_allclose(speaker_normalize_matrix(X[:30], spk[:30]), Z[:30], atol=1e-6)
    with pytest.raises(ValueError, match="one speaker per utterance"):
        speaker_normalize_matrix(X, spk[:10])
    frames = [rng.normal(3, 2, (n, 4)) for n in (5, 9, 7)]
    out = speaker_normalize_frames(frames, ["a", "a", "b"])
    both = np.concatenate(out[:2])
    np.testing.assert_allclose(both.mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(out[2].mean(axis=0), 0, atol=1e-5)
    assert [f.shape for f in out] == [f.shape for f in frames]


def test_fixed_length_crops_centre_or_at_random_and_repeats():
    f = np.arange(10, dtype=np.float32)[:, None]
    np.testing.assert_array_equal(fixed_length(f, 4)[:, 0], [3, 4, 5, 6])
    np.testing.assert_array_equal(fixed_length(f, 4, start=9)[:, 0], [6, 7, 8, 9])
    np.testing.assert_array_equal(fixed_length(f[:3], 7)[:, 0], [0, 1, 2, 0, 1, 2, 0])
    starts = {batch_fixed_length([f], 4, np.random.default_rng(s))[0, 0, 0] for s in range(20)}
    assert len(starts) > 2
    with pytest.raises(ValueError, match="no frames"):
        fixed_length(np.zeros((0, 3)), 4)


def _toy(speakers=("a", "b", "c", "d", "e"), n_per=16, seed=0, corpus="toy"):
    rng = np.random.default_rng(seed)
    frames, rows = [], []
    for s in speakers:
        offset = rng.normal(0, 3, 12)  # a speaker's voice shifts every feature
        for k in range(n_per):
            emo = "angry" if k % 2 else "sad"
            f = rng.normal(0, 1, (rng.integers(12, 40), 12)).astype(np.float32) + offset
            f[:, 1] += 2.0 if emo == "angry" else -2.0
            frames.append(f.astype(np.float32))
            rows.append({"path": f"/x/{corpus}/{s}{k}.wav", "speaker": s, "gender": "female", "emotion": emo,
                         "corpus": corpus})
    return FeatureSet(pd.DataFrame(rows), frames, pd.DataFrame(columns=["path", "corpus", "reason"]), FC)


def test_conv_recurrent_learns_checkpoints_on_validation_and_roundtrips(tmp_path):
    fs = speaker_normalized(_toy())
    y = fs.manifest["emotion"].to_numpy()
    clf = ConvRecurrentClassifier(FC, TINY, seed=0)
    clf.fit(fs.frames[:48], y[:48], validation=(fs.frames[48:64], y[48:64]))
    assert (clf.predict(fs.frames[64:]) == y[64:]).mean() >= 0.9
    h = clf.history_
    assert 1 <= h["best_epoch"] <= h["epochs_run"] and h["val_uar"][h["best_epoch"] - 1] == max(h["val_uar"])
    p = clf.predict_proba(fs.frames[64:])
    np.testing.assert_allclose(clf.predict_proba(fs.frames[64:]), p, atol=1e-6)  # no augmentation at test time
    back = ConvRecurrentClassifier.load(clf.save(tmp_path / "m"))
    np.testing.assert_allclose(back.predict_proba(fs.frames[64:]), p, atol=1e-5)
    assert back.config == TINY and back.labels_ == ["angry", "sad"]


def test_cnn_only_and_lstm_only_variants_build_and_bad_configs_fail():
    fs = _toy(n_per=6)
    y = fs.manifest["emotion"].to_numpy()
    for cfg in (ConvRecurrentConfig(**{**TINY.to_dict(), "conv_filters": (8,), "recurrent": "none",
                                       "pooling": "stats", "epochs": 1}),
                ConvRecurrentConfig(**{**TINY.to_dict(), "conv_filters": (), "stack_frames": 3, "epochs": 1})):
        clf = ConvRecurrentClassifier(FC, cfg).fit(fs.frames, y)
        assert clf.predict_proba(fs.frames[:3]).shape == (3, 2)
    with pytest.raises(ValueError, match="CNN front end, a recurrent layer"):
        ConvRecurrentConfig(conv_filters=(), recurrent="none")
    with pytest.raises(ValueError, match="recurrent"):
        ConvRecurrentConfig(recurrent="gru")
    assert isinstance(make_classifier(FC, TINY), ConvRecurrentClassifier)
    assert isinstance(make_classifier(FC, CnnLstmConfig()), CnnLstmClassifier)
    with pytest.raises(TypeError, match="unknown model configuration"):
        make_classifier(FC, {"epochs": 3})


def _entry(correct_by_seed, model="m", speakers=6, per=10, labels=("angry", "sad")):
    """Predictions where seed s gets a fraction correct_by_seed[s] right, spread over speakers."""
    rows = []
    for s, frac in enumerate(correct_by_seed):
        for k in range(speakers * per):
            truth = labels[k % 2]
            right = (k // 2) % per < frac * per
            pred = truth if right else labels[1 - k % 2]
            rows.append({"seed": s, "split": "f", "path": f"/x/{k}.wav", "speaker": f"s{k % speakers}",
                         "y_true": truth, "y_pred": pred,
                         "proba": np.array([0.8, 0.2]) if pred == labels[0] else np.array([0.2, 0.8])})
    return Entry(model, "toy", "speaker_independent", list(labels), pd.DataFrame(rows), 10.0, 1.0)


def test_seed_speaker_interval_is_never_narrower_than_the_seed_spread():
    e = _entry([0.9, 0.5, 0.7])
    lo, hi, method = seed_speaker_bootstrap(e, n_boot=400)
    per_seed = [0.9, 0.5, 0.7]
    assert lo <= min(per_seed) + 0.05 and hi >= max(per_seed) - 0.05 and "seeds" in method
    row = leaderboard_table([e], n_boot=200).iloc[0]
    assert list(leaderboard_table([e], n_boot=50).columns[:len(LEADERBOARD_COLUMNS)]) == list(LEADERBOARD_COLUMNS)
    assert row["uar"] == pytest.approx(0.7, abs=1e-9) and row["n_seeds"] == 3
    assert row["uar_ci_high"] - row["uar_ci_low"] >= 0.15
    nested = leaderboard_metrics(leaderboard_table([e], n_boot=50))
    assert nested["toy"]["speaker_independent"]["m"]["n_seeds"] == 3


def test_ensembles_fusion_and_per_class_recall():
    a, b = _entry([1.0, 1.0], "a"), _entry([0.0, 0.0], "b")
    ens = seed_ensemble_entry(a)
    assert set(ens.predictions["seed"]) == {"ensemble"} and len(ens.predictions) == 60
    assert shares_test_set_across_seeds(a)
    redrawn = a.predictions.copy()  # random_80_20: every seed tests other utterances
    redrawn.loc[redrawn["seed"] == 1, "path"] += "-other-draw"
    split_per_seed = Entry("a", "toy", "random_80_20", a.labels, redrawn, 10.0, 1.0)
    assert not shares_test_set_across_seeds(split_per_seed)
    with pytest.raises(ValueError, match="same seeds"):
        seed_ensemble_entry(split_per_seed)
    fused = late_fusion_entry(a, b, weight=0.75)
    assert (fused.predictions["y_pred"] == fused.predictions["y_true"]).all()  # 0.75 * right + 0.25 * wrong
    np.testing.assert_allclose(np.stack(fused.predictions["proba"])[:, 0].max(), 0.75 * 0.8 + 0.25 * 0.2)
    with pytest.raises(ValueError, match="same label set"):
        late_fusion_entry(a, _entry([1.0], labels=("happy", "sad")))
    rec = per_class_recall(_entry([0.5, 0.5]))
    assert list(rec["class"]) == ["angry", "sad"] and rec["recall"].tolist() == pytest.approx([0.5, 0.5])


def test_paired_ablation_is_zero_for_identical_and_signed_for_better():
    ref = _entry([0.6, 0.6])
    same = paired_ablation(ref, {"same": _entry([0.6, 0.6], "same")}, n_boot=200).iloc[0]
    assert same["uar_diff"] == 0 and same["uar_diff_ci_low"] == 0 and same["uar_diff_ci_high"] == 0
    better = paired_ablation(ref, {"better": _entry([0.9, 0.9], "better")}, n_boot=200).iloc[0]
    assert better["uar_diff"] == pytest.approx(0.3) and better["uar_diff_ci_low"] > 0
    with pytest.raises(ValueError, match="no seed in common"):
        paired_ablation(ref, {"x": Entry("x", "toy", "speaker_independent", ["angry", "sad"],
                                         _entry([0.5]).predictions.assign(seed=7))})


def test_deep_and_classical_entries_on_the_same_folds():
    fs = {"toy": _toy(), "other": _toy(speakers=("p", "q"), corpus="other", seed=1)}
    quick = ConvRecurrentConfig(**{**TINY.to_dict(), "epochs": 2})
    e, models = deep_entry("crnn_spknorm", fs, "toy", "speaker_independent", quick, [0], n_folds=5, keep_models=True)
    assert e.predictions["path"].nunique() == len(fs["toy"]) and len(models) == 5
    assert e.n_parameters > 0 and e.train_seconds_per_fold > 0
    x = e.predictions
    assert all(s.endswith(":" + p.split("/")[3][0]) for p, s in zip(x["path"], x["speaker"]))  # rows keep speakers
    cross, _ = deep_entry("crnn", fs, "toy", "cross_corpus_to_other", quick, [0])
    assert cross.protocol == "cross_corpus_to_other" and set(cross.predictions["speaker"]) == {"other:p", "other:q"}
    stats = {k: (np.stack([f.mean(axis=0) for f in v.frames]), v.manifest) for k, v in fs.items()}
    c = classical_entry("svm_egemaps_spknorm", stats, "toy", "speaker_independent", [0], n_folds=5,
                        config=BaselineConfig.quick().__class__(svm_c=(1.0,), svm_gamma=(1.0,), svm_probability=True))
    assert c.predictions["path"].nunique() == len(fs["toy"])
    assert np.allclose(np.stack(c.predictions["proba"]).sum(axis=1), 1, atol=1e-5)
    fused = late_fusion_entry(e, c)
    assert len(fused.predictions) == len(fs["toy"]) and fused.predictions.attrs["dropped"] == 0
    with pytest.raises(ValueError, match="no probabilities"):
        classical_entry("svm_mfcc", stats, "toy", "speaker_independent", [0], n_folds=5,
                        config=BaselineConfig(svm_c=(1.0,), svm_gamma=(1.0,)))


def test_leaderboard_plots_label_axes_and_keep_reported_apart():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from serlib.experiments.leaderboard.run import PUBLISHED_ANCHORS
    from serlib.plots.leaderboard import plot_leaderboard, plot_paired_ablation, plot_per_class_recall

    table = leaderboard_table([_entry([0.9, 0.7], "cnn_lstm_spknorm"), _entry([0.6, 0.6], "svm_egemaps")], n_boot=50)
    fig, axes = plt.subplots(3, 1)
    ax = plot_leaderboard(table, "toy", ax=axes[0], anchors=PUBLISHED_ANCHORS, chance=0.5)
    ticks = [t.get_text() for t in ax.get_yticklabels()]
    assert sum("reported" in t for t in ticks) == len(PUBLISHED_ANCHORS)
    assert any(t.startswith("cnn_lstm_spknorm (2 seeds)") for t in ticks)
    assert "UAR (%)" in ax.get_xlabel() and "reported (published)" in [t.get_text() for t in ax.get_legend().texts]
    ab = paired_ablation(_entry([0.6, 0.6]), {"better": _entry([0.9, 0.9], "b")}, n_boot=50)
    assert "percentage points" in plot_paired_ablation(ab, ax=axes[1]).get_xlabel()
    ax = plot_per_class_recall(per_class_recall(_entry([0.5])), ax=axes[2], chance=0.5)
    assert "recall" in ax.get_ylabel() and ax.get_xlabel() == "emotion"
    plt.close(fig)


def test_targets_markdown_reads_the_table():
    from serlib.experiments.leaderboard.run import TARGETS, LeaderboardResult, targets_markdown

    rows = [_entry([0.7, 0.7], "cnn_lstm_spknorm"), _entry([0.6, 0.6], "svm_egemaps_spknorm"),
            _entry([0.4, 0.4], "cnn_lstm_paper")]
    for e in rows:
        e.corpus = "ravdess"
    board = LeaderboardResult({}, leaderboard_table(rows, n_boot=50), pd.DataFrame(), pd.DataFrame(), {}, [])
    text = targets_markdown(board, quick=True)
    assert "best row **cnn_lstm_spknorm**: UAR 70.0 %" in text
    assert "+10.0 points" in text and "`cnn_lstm_paper` 40.0 %" in text
    assert f">= {100 * TARGETS['best_uar_ravdess_si']:.1f} %: **reached**" in text
    assert "**quick** run" in text


def test_row_seeds_and_ablation_display():
    from serlib.experiments.leaderboard import ablation_display, row_seeds

    table = pd.DataFrame({"corpus": ["c", "c"], "protocol": ["speaker_independent"] * 2, "model": ["a", "b"],
                          "n_seeds": [3, 1]})
    assert row_seeds(table, "c", "speaker_independent", "b") == 1
    with pytest.raises(ValueError, match="no leaderboard row"):
        row_seeds(table, "c", "speaker_independent", "zzz")
    ablation = pd.DataFrame({"variant": ["v"], "n_seeds": [3], "uar_reference": [0.5], "uar_variant": [0.45],
                             "uar_diff": [-0.05], "uar_diff_ci_low": [-0.1], "uar_diff_ci_high": [0.0],
                             "train_seconds_per_fold": [12.0], "model": ["m"]})
    shown = ablation_display(ablation)
    assert "model" not in shown.columns and list(shown.columns)[:2] == ["variant", "n_seeds"]
    assert shown["uar_diff"].iloc[0] == pytest.approx(-5.0)

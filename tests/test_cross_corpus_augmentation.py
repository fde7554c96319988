"""Notebook 03's cross-corpus study: shared emotions, per-corpus normalisation, a GAN that never reads target labels."""

import numpy as np
import pandas as pd
import pytest

from serlib.augmentation.gan import UNLABELLED, EmotionStarGAN, GanConfig
from serlib.experiments.cross_corpus_augmentation import combine, normalised, run_cross_corpus
from serlib.features.extract import FeatureSet
from serlib.features.frames import FeatureConfig
from serlib.messages import InsufficientDataError

FC = FeatureConfig(kind="logmel", n_mels=8, deltas=0)
TINY_GAN = GanConfig(g_channels=8, g_blocks=1, d_channels=(8,), steps=4, batch_size=4, window_frames=16, window_hop=8)


def corpus(name, speakers, emotions, offset, seed):
    rng = np.random.default_rng(seed)
    rows, frames = [], []
    for spk in speakers:
        for k in range(6):
            emo = emotions[k % len(emotions)]
            rows.append({"path": f"{name}_{spk}_{k}.wav", "speaker": spk, "emotion": emo, "corpus": name})
            frames.append((rng.standard_normal((40, FC.n_features)) + offset + (emo == "sad")).astype(np.float32))
    return FeatureSet(pd.DataFrame(rows), frames, pd.DataFrame(), FC)


def test_combine_keeps_shared_emotions_and_says_which_were_dropped():
    a = corpus("a", ["a1", "a2", "a3"], ["angry", "sad", "calm"], 0.0, 0)
    b = corpus("b", ["b1", "b2"], ["angry", "sad"], 3.0, 1)
    both, split, dropped, target_rows = combine(b, a)  # the target's calm utterances are audio, not test items
    assert dropped == ["calm"] and set(both.manifest["emotion"].iloc[split.test]) == {"angry", "sad"}
    assert len(target_rows) == len(a) > len(split.test) and set(split.test) < set(target_rows)
    both, split, dropped, _ = combine(a, b)
    assert dropped == ["calm"] and set(both.manifest["emotion"]) == {"angry", "sad"}
    assert set(both.manifest["corpus"].iloc[split.train]) == {"a"} and set(both.manifest["corpus"].iloc[split.test]) == {"b"}
    per_corpus = normalised(both, "corpus")
    for name in ("a", "b"):
        rows = np.flatnonzero(both.manifest["corpus"].to_numpy() == name)
        stacked = np.concatenate([per_corpus.frames[i] for i in rows])
        np.testing.assert_allclose(stacked.mean(axis=0), 0, atol=1e-4)
    with pytest.raises(InsufficientDataError, match="share 1"):
        combine(a, corpus("c", ["c1"], ["happy", "angry"], 0.0, 2).subset(np.r_[[False, True] * 3]))
    with pytest.raises(ValueError, match="both corpora"):
        combine(a, corpus("d", ["a1"], ["angry", "sad"], 0.0, 3))


def test_a_gan_needs_corpora_to_learn_from_unlabelled_audio():
    b = corpus("b", ["b1", "b2"], ["angry", "sad"], 3.0, 1)
    emotions = b.manifest["emotion"].to_numpy().copy()
    emotions[:4] = UNLABELLED
    with pytest.raises(ValueError, match="corpus-aware"):
        EmotionStarGAN(FC, TINY_GAN).fit(b.frames, emotions, b.manifest["speaker"], progress=False)


def test_the_study_never_reads_target_labels(monkeypatch):
    import dataclasses

    from serlib.models.conv_recurrent import ConvRecurrentConfig, quick_setting

    monkeypatch.setenv("SERLIB_RESULT_CACHE", "0")
    a = corpus("a", ["a1", "a2", "a3", "a4"], ["angry", "sad", "calm"], 0.0, 0)
    b = corpus("b", ["b1", "b2"], ["angry", "sad"], 3.0, 1)
    model = dataclasses.replace(quick_setting(ConvRecurrentConfig()), epochs=1)
    conditions = ("none", "corpus_norm", "gan")
    out = run_cross_corpus(a, b, seeds=(0,), model_config=model, conditions=conditions, gan_config=TINY_GAN,
                           n_jobs=1, progress=False)
    shuffled = b.manifest.assign(emotion=b.manifest["emotion"].to_numpy()[::-1])  # other labels, same audio
    again = run_cross_corpus(a, dataclasses.replace(b, manifest=shuffled), seeds=(0,), model_config=model,
                             conditions=conditions, gan_config=TINY_GAN, n_jobs=1, progress=False)
    p, q = out["predictions"], again["predictions"]
    assert out["dropped_emotions"] == ["calm"] and list(p["condition"].unique()) == list(conditions)
    assert len(p) == len(conditions) * out["n_target"] and set(p["speaker"]) == {"b1", "b2"}
    assert list(p["y_pred"]) == list(q["y_pred"]) and list(p["y_true"]) != list(q["y_true"])
    assert out["gan"].emotions_ == ["angry", "sad"] and out["gan"].domains_ == ["a", "b"]
    runs = out["runs"].set_index("condition")
    assert runs.loc["gan", "n_train"] == 2 * runs.loc["none", "n_train"]
    with pytest.raises(ValueError, match="unknown condition"):
        run_cross_corpus(a, b, conditions=("mixup",), progress=False)


def test_directions_pair_corpora_that_share_emotions_and_small_ones_are_skipped(monkeypatch):
    from serlib.experiments import cross_corpus_augmentation as xc

    sets = {"a": corpus("a", ["a1"], ["angry", "sad"], 0.0, 0), "b": corpus("b", ["b1"], ["sad", "angry"], 1.0, 1),
            "c": corpus("c", ["c1"], ["happy", "calm"], 0.0, 2)}
    assert xc.directions(sets) == [("a", "b"), ("b", "a")]

    def too_small(source, target, **_):
        raise InsufficientDataError(f"{source.manifest['corpus'][0]} is too small")

    monkeypatch.setattr(xc, "run_cross_corpus", too_small)
    skipped = []
    assert xc.run_directions(sets, on_skip=lambda *a: skipped.append(a)) == {}
    assert skipped == [("cross-corpus augmentation to b", "a", "a is too small"),
                       ("cross-corpus augmentation to a", "b", "b is too small")]
    with pytest.raises(InsufficientDataError):
        xc.run_directions(sets)

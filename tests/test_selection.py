"""GAN variants of notebook 03: the classifier filter, the synthetic-to-real ratio and their quality measures."""

import dataclasses

import numpy as np
import pandas as pd
import pytest

from serlib.augmentation.selection import (
    GAN_UNFILTERED,
    SyntheticVariant,
    candidates_needed,
    filtered_variants,
    select,
    selected_quality,
    selection_quality,
    selection_reference,
    target_confidence,
)
from serlib.evaluation.splits import Split
from serlib.features.extract import FeatureSet
from serlib.features.frames import FeatureConfig
from serlib.messages import InsufficientDataError


def test_variants_are_validated_and_named_by_ratio():
    assert [v.name for v in filtered_variants((0.25, 1))] == ["gan_filtered_25pct", "gan_filtered_100pct"]
    with pytest.raises(ValueError, match="ratio"):
        SyntheticVariant("x", ratio=0)
    with pytest.raises(ValueError, match="threshold"):
        SyntheticVariant("x", threshold=1.5)
    with pytest.raises(ValueError, match="without dots"):
        SyntheticVariant("gan_r0.5")
    assert candidates_needed([GAN_UNFILTERED], 8) == 1
    assert candidates_needed([GAN_UNFILTERED, *filtered_variants((0.5, 1))], 8) == 7
    assert candidates_needed([SyntheticVariant("two", ratio=2.0)], 8) == 2


def test_select_takes_first_choices_first_and_respects_filter_and_ratio():
    n_real = 10
    copy = np.tile(np.arange(3), n_real)  # utterance-major: copies 0, 1, 2 of each utterance
    conf = np.linspace(0, 1, len(copy))
    every_first = select(GAN_UNFILTERED, conf, copy, n_real)
    assert len(every_first) == n_real and set(copy[every_first]) == {0}
    quarter = select(SyntheticVariant("q", None, 0.25), conf, copy, n_real, seed=1)
    assert len(quarter) == 2 and set(copy[quarter]) == {0}  # round(2.5) = 2
    strict = select(SyntheticVariant("f", 0.5, 1.0), conf, copy, n_real)
    assert len(strict) == n_real and np.all(conf[strict] >= 0.5)
    assert np.bincount(copy[strict], minlength=3)[0] == np.sum(conf[copy == 0] >= 0.5)  # all kept first choices
    too_strict = select(SyntheticVariant("ff", 0.99, 1.0), conf, copy, n_real)
    assert len(too_strict) == np.sum(conf >= 0.99) < n_real  # fewer when the filter keeps fewer
    np.testing.assert_array_equal(select(SyntheticVariant("f", 0.5, 1.0), conf, copy, n_real, seed=3),
                                  select(SyntheticVariant("f", 0.5, 1.0), conf, copy, n_real, seed=3))


def _toy(n_per=12, seed=0):
    rng = np.random.default_rng(seed)
    frames, emotions, speakers = [], [], []
    for spk in "abcd":
        for k in range(n_per):
            emo = ("angry", "sad", "happy")[k % 3]
            shift = {"angry": 2.0, "sad": -2.0, "happy": 0.0}[emo]
            frames.append((rng.standard_normal((30, 6)) + shift).astype(np.float32))
            emotions.append(emo)
            speakers.append(spk)
    return frames, np.array(emotions), np.array(speakers)


def test_target_confidence_follows_how_real_emotions_look():
    frames, emotions, _ = _toy()
    looks_angry = [f + 2.0 for f in frames[:6]]  # near the angry mean, whatever the source
    looks_sad = [f - 2.0 for f in frames[:6]]
    conf_angry = target_confidence(frames, emotions, looks_angry, ["angry"] * 6)
    conf_wrong = target_confidence(frames, emotions, looks_sad, ["angry"] * 6)
    assert conf_angry.shape == (6,) and np.all((0 <= conf_angry) & (conf_angry <= 1))
    assert conf_angry.mean() > 0.5 > conf_wrong.mean()
    assert target_confidence(frames, emotions, looks_angry, ["calm"] * 6).max() == 0.0  # unseen target


def test_selection_quality_tells_a_faithful_translation_from_a_copy():
    frames, emotions, speakers = _toy()
    means = {e: np.mean([f.mean() for f, x in zip(frames, emotions) if x == e]) for e in set(emotions)}
    targets = np.array([{"angry": "sad", "sad": "happy", "happy": "angry"}[e] for e in emotions])
    faithful = [f - means[e] + means[t] for f, e, t in zip(frames, emotions, targets)]
    copies = [f.copy() for f in frames]
    src, sel = np.arange(len(frames)), np.arange(len(frames))
    good = selection_quality(frames, emotions, speakers, faithful, targets, src, sel)
    bad = selection_quality(frames, emotions, speakers, copies, targets, src, sel)
    assert good["target_agreement"] > 0.8 > 0.2 > bad["target_agreement"]
    assert good["edit_ratio"] > 0.7 and bad["edit_ratio"] < 0.05 and good["edit_cosine"] > 0.7
    assert good["n_selected"] == len(frames) and 0 < good["n_scored"] < len(frames)
    with pytest.raises(InsufficientDataError, match="10 or more"):
        selection_quality(frames, emotions, speakers, faithful, targets, src, sel[:3])


def test_variants_of_a_fold_share_one_reference_with_the_same_numbers():
    frames, emotions, speakers = _toy()
    targets = np.array([{"angry": "sad", "sad": "happy", "happy": "angry"}[e] for e in emotions])
    candidates = [f + 0.3 for f in frames] + [f - 0.2 for f in frames]  # two translations per utterance
    src = np.concatenate([np.arange(len(frames))] * 2)
    targets = np.concatenate([targets] * 2)
    reference = selection_reference(frames, emotions, speakers, candidates, targets, src, seed=3)
    for sel in (np.arange(len(frames)), np.arange(len(frames), 2 * len(frames)), np.arange(0, 2 * len(frames), 2)):
        alone = selection_quality(frames, emotions, speakers, candidates, targets, src, sel, seed=3)
        assert selected_quality(reference, sel) == alone
    assert selected_quality(reference, np.arange(len(frames))) != selected_quality(
        reference, np.arange(len(frames), 2 * len(frames)))


def test_classic_gan_trains_the_unfiltered_gan_variant():
    from serlib.experiments.augmentation import variants_trained

    names = ["gan", "gan_filtered_100pct"]
    assert variants_trained(["none", "classic"], names) == []
    assert variants_trained(["gan_filtered_100pct", "classic_gan"], names) == ["gan_filtered_100pct", "gan"]
    assert variants_trained(["gan", "classic_gan", "gan"], names) == ["gan"]
    assert variants_trained(["classic_gan"], ["gan_filtered_100pct"]) == []


def test_variant_conditions_train_on_their_selection_and_gan_is_unchanged(monkeypatch):
    from serlib.augmentation.gan import GanConfig
    from serlib.experiments import augmentation_statistics
    from serlib.experiments.augmentation import prepare_fold, training_data

    rng = np.random.default_rng(0)
    fc = FeatureConfig(kind="logmel", n_mels=8, deltas=0)
    rows, frames = [], []
    for spk in "abcdef":
        for k, emo in enumerate(("angry", "sad", "happy") * 4):
            rows.append({"path": f"{spk}_{k}.wav", "speaker": spk, "emotion": emo, "corpus": "toy"})
            frames.append((rng.standard_normal((40, fc.n_features)) + (emo == "sad")).astype(np.float32))
    fs = FeatureSet(pd.DataFrame(rows), frames, pd.DataFrame(), fc)
    spk = fs.manifest["speaker"].to_numpy()
    split = Split("test f", np.flatnonzero(spk != "f"), np.flatnonzero(spk == "f"))
    gan = GanConfig(g_channels=8, g_blocks=1, d_channels=(8,), steps=3, batch_size=4, window_frames=16, window_hop=8)
    variants = (GAN_UNFILTERED, *filtered_variants((0.5, 1.0), threshold=0.0), SyntheticVariant("strict", 0.999))
    plain = prepare_fold(fs, split, conditions=("none", "gan"), gan_config=gan, progress=False, quality=False)
    fold = prepare_fold(fs, split, conditions=("none", "gan", *[v.name for v in variants[1:]]), gan_config=gan,
                        progress=False, gan_variants=variants)
    n_fit = len(fold.fit)
    assert len(fold.candidates) == 2 * n_fit  # every other emotion of three
    a, la, _ = training_data(fs, plain, "gan")
    b, lb, _ = training_data(fs, fold, "gan")  # copy 0 of every utterance: the original study's data
    assert len(a) == len(b) == 2 * n_fit and list(la) == list(lb)
    assert all(np.array_equal(x, y) for x, y in zip(a, b))
    sizes = {v.name: len(training_data(fs, fold, v.name)[0]) - n_fit for v in variants}
    assert sizes["gan_filtered_50pct"] == round(0.5 * n_fit) and sizes["gan_filtered_100pct"] == n_fit
    assert sizes["strict"] < n_fit
    assert set(fold.variant_quality) <= {v.name for v in variants}
    assert all(0 <= q["realised_ratio"] <= 1 for q in fold.variant_quality.values())
    with pytest.raises(ValueError, match="GAN variant"):
        prepare_fold(fs, split, conditions=("gan_filtered_700pct",), gan_config=gan, progress=False)
    assert augmentation_statistics.condition_order(["gan_filtered_100pct", "gan", "none"]) == ["none", "gan", "gan_filtered_100pct"]
    assert dataclasses.asdict(variants[1])["threshold"] == 0.0

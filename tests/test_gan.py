"""The emotion-conditioned CycleGAN-family augmenter (serlib.augmentation), on small toy data."""

import numpy as np
import pandas as pd
import pytest

from serlib.augmentation.gan import (
    EmotionStarGAN,
    GanConfig,
    add_deltas,
    build_discriminator,
    build_generator,
    check_speakers_disjoint,
    fit_fold_gan,
)
from serlib.augmentation.gan_quality import gan_quality, window_statistics
from serlib.features.frames import FeatureConfig, compute_frame_features
from tests.audio_fixtures import tone

FC = FeatureConfig(n_mfcc=8)  # 24 features per frame keeps the toy GAN tiny
SMALL = GanConfig(g_channels=16, g_blocks=1, d_channels=(16,), steps=60, batch_size=16, window_frames=16,
                  window_hop=8, log_every=10, learning_rate=1e-3)
EMOTIONS = ("angry", "neutral", "sad")


def toy_corpus(n_per=6, n_frames=40, seed=0):
    """Frames whose static block is an emotion-specific offset plus noise; 4 speakers."""
    rng = np.random.default_rng(seed)
    frames, emotions, speakers = [], [], []
    for k, e in enumerate(EMOTIONS):
        for i in range(n_per):
            static = 3.0 * k + rng.standard_normal((n_frames + i, FC.n_mfcc)).astype(np.float32)
            frames.append(add_deltas(static, FC.deltas))
            emotions.append(e)
            speakers.append(f"s{i % 4}")
    return frames, np.array(emotions), np.array(speakers)


@pytest.fixture(scope="module")
def fitted():
    frames, emotions, speakers = toy_corpus()
    gan = EmotionStarGAN(FC, SMALL, seed=0).fit(frames, emotions, speakers, progress=False)
    return gan, frames, emotions, speakers


def test_networks_have_the_right_shapes():
    g = build_generator(8, 3, channels=16, blocks=2)
    x = np.random.default_rng(0).standard_normal((2, 16, 8)).astype(np.float32)
    c = np.eye(3, dtype=np.float32)[[0, 2]]
    assert tuple(g([x, c]).shape) == (2, 16, 8)
    long = np.zeros((1, 57, 8), np.float32)  # fully convolutional: any length
    assert tuple(g([long, c[:1]]).shape) == (1, 57, 8)
    d = build_discriminator(16, 8, n_emotions=3, channels=(16, 32))
    adv, emo = d(x)
    assert tuple(adv.shape) == (2, 1) and tuple(emo.shape) == (2, 3)
    d2 = build_discriminator(16, 8, n_emotions=3, n_domains=2, channels=(16,))
    assert [tuple(o.shape) for o in d2(x)] == [(2, 1), (2, 3), (2, 2)]


def test_add_deltas_matches_feature_extraction():
    frames = compute_frame_features(tone(1.0), FeatureConfig())
    rebuilt = add_deltas(frames[:, :40], 2)
    np.testing.assert_allclose(rebuilt, frames, rtol=1e-4, atol=1e-3)
    assert add_deltas(np.ones((2, 4)), 2).shape == (2, 12)  # too short for a delta filter: zeros
    with pytest.raises(ValueError, match="2-D"):
        add_deltas(np.ones(5))


def test_training_runs_and_cycle_loss_decreases(fitted):
    gan, *_ = fitted
    h = gan.history_
    assert list(h["step"]) == [10, 20, 30, 40, 50, 60]
    assert np.all(np.isfinite(h.drop(columns="step").to_numpy()))
    assert h["cycle"].iloc[-1] < h["cycle"].iloc[0]
    assert gan.emotions_ == list(EMOTIONS) and gan.train_seconds_ > 0


def test_translation_keeps_shape_and_depends_on_the_target(fitted):
    gan, frames, emotions, _ = fitted
    f = frames[0]
    out_a, out_s = gan.translate(f, "angry"), gan.translate(f, "sad")
    assert out_a.shape == f.shape and out_a.dtype == np.float32 and np.all(np.isfinite(out_a))
    assert np.abs(out_a - out_s).mean() > 1e-3  # the condition changes the output
    np.testing.assert_allclose(out_a[:, 8:], add_deltas(out_a[:, :8])[:, 8:], atol=1e-5)  # deltas recomputed
    w = np.stack([f[:16, :8], f[8:24, :8]])
    assert gan.translate_windows(w, ["sad", "angry"]).shape == w.shape
    with pytest.raises(ValueError, match="not in the GAN"):
        gan.translate(f, "surprised")
    with pytest.raises(ValueError, match="shape"):
        gan.translate(f[:, :10], "sad")


def test_augment_uses_other_emotions_and_only_training_speakers(fitted):
    gan, frames, emotions, speakers = fitted
    out, targets, source = gan.augment(frames[:5], emotions[:5], speakers[:5], n_copies=2, seed=1)
    assert len(out) == len(targets) == len(source) == 10
    assert all(targets[k] != emotions[source[k]] for k in range(10))
    assert all(o.shape == frames[s].shape for o, s in zip(out, source))
    again = gan.augment(frames[:5], emotions[:5], speakers[:5], n_copies=2, seed=1)
    assert list(again[1]) == list(targets)  # deterministic for a seed
    with pytest.raises(ValueError, match="not in the GAN's training data"):
        gan.augment(frames[:1], emotions[:1], np.array(["test_speaker"]))
    gan.assert_unseen(["test_speaker"])
    with pytest.raises(ValueError, match="both"):
        gan.assert_unseen(["s1", "test_speaker"])


def test_fit_fold_gan_refuses_a_leaky_split():
    frames, emotions, speakers = toy_corpus(n_per=4)
    manifest = pd.DataFrame({"speaker": speakers, "emotion": emotions, "corpus": "toy"})
    leaky_train = np.flatnonzero(speakers != "s3")
    leaky_test = np.flatnonzero(speakers == "s0")  # s0 is also in training
    with pytest.raises(ValueError, match=r"s0"):
        fit_fold_gan(frames, manifest, leaky_train, leaky_test, feature_config=FC, config=SMALL, progress=False)
    with pytest.raises(ValueError):
        check_speakers_disjoint(["a", "b"], ["b"])
    check_speakers_disjoint(["a"], ["b"])


def test_corpus_aware_gan_needs_corpus_labels():
    frames, emotions, speakers = toy_corpus(n_per=4)
    domains = np.where(np.arange(len(frames)) % 2 == 0, "ravdess", "tess")
    cfg = GanConfig(**{**SMALL.to_dict(), "d_channels": (16,), "steps": 5})
    gan = EmotionStarGAN(FC, cfg, seed=0).fit(frames, emotions, speakers, domains, progress=False)
    assert gan.domains_ == ["ravdess", "tess"]
    a = gan.translate(frames[0], "sad", "ravdess")
    b = gan.translate(frames[0], "sad", "tess")
    assert a.shape == frames[0].shape and np.abs(a - b).mean() > 0
    with pytest.raises(ValueError, match="corpus"):
        gan.translate(frames[0], "sad")


def test_quality_scores_are_fractions_and_use_training_speakers_only(fitted):
    gan, frames, emotions, speakers = fitted
    q = gan_quality(gan, frames, emotions, speakers, seed=0)
    for k in ("real_heldout_accuracy", "generated_target_accuracy", "generated_source_rate", "c2st_auc"):
        assert 0.0 <= q[k] <= 1.0
    assert q["chance"] == pytest.approx(1 / 3)
    assert q["real_heldout_accuracy"] > 0.9  # toy emotions are separable by their offsets
    assert q["edit_ratio"] > 0 and -1.0 <= q["edit_cosine"] <= 1.0
    with pytest.raises(ValueError, match="training speakers"):
        gan_quality(gan, frames, emotions, np.array(["x"] * len(frames)))
    assert window_statistics(np.zeros((3, 16, 8))).shape == (3, 16)


def test_edit_size_measures_how_far_and_which_way_translations_move():
    from serlib.augmentation.gan_quality import edit_size
    rng = np.random.default_rng(0)
    a = rng.normal(0.0, 1.0, (200, 4))
    b = rng.normal(0.0, 1.0, (200, 4)) + np.array([4.0, 0, 0, 0])  # emotion b lies +4 on axis 0
    real = np.vstack([a, b])
    src = np.array(["a"] * 200 + ["b"] * 200)
    tgt = np.where(src == "a", "b", "a")
    gap = b.mean(0) - a.mean(0)
    full = real + np.where((src == "a")[:, None], gap, -gap)  # every window moved exactly by the class gap
    ratio, cos = edit_size(real, full, src, tgt)
    assert ratio == pytest.approx(1.0, abs=1e-6) and cos == pytest.approx(1.0, abs=1e-6)
    ratio, cos = edit_size(real, real + 0.1 * (full - real), src, tgt)  # a near-copy, right direction
    assert ratio == pytest.approx(0.1, abs=1e-6) and cos > 0.99
    ratio, cos = edit_size(real, real - (full - real), src, tgt)  # the wrong way
    assert cos == pytest.approx(-1.0, abs=1e-6)


def test_bad_input_is_refused():
    frames, emotions, speakers = toy_corpus(n_per=2)
    with pytest.raises(ValueError, match="two emotions"):
        EmotionStarGAN(FC, SMALL).fit(frames[:2], emotions[:2], speakers[:2], progress=False)
    with pytest.raises(ValueError, match="one emotion and one speaker"):
        EmotionStarGAN(FC, SMALL).fit(frames, emotions[:-1], speakers, progress=False)
    with pytest.raises(RuntimeError, match="not fitted"):
        EmotionStarGAN(FC, SMALL).translate(frames[0], "sad")
    with pytest.raises(ValueError, match="steps"):
        GanConfig(steps=0)


def test_a_saved_gan_translates_exactly_as_the_fitted_one(fitted, tmp_path):
    gan, frames, emotions, speakers = fitted
    back = EmotionStarGAN.load(gan.save(tmp_path / "gan"))
    assert back.emotions_ == gan.emotions_ and back.train_speakers_ == gan.train_speakers_
    assert back.n_train_windows_ == gan.n_train_windows_ and back.train_seconds_ == gan.train_seconds_
    pd.testing.assert_frame_equal(back.history_, gan.history_)
    np.testing.assert_allclose(back.translate(frames[0], "sad"), gan.translate(frames[0], "sad"), rtol=1e-6)
    a = gan.augment(frames, emotions, speakers, seed=3)
    b = back.augment(frames, emotions, speakers, seed=3)
    assert list(a[1]) == list(b[1])
    with pytest.raises(ValueError, match="not in the GAN's training data"):
        back.augment(frames[:1], emotions[:1], np.array(["stranger"]))


def test_fold_gan_is_read_back_from_the_result_cache(tmp_path, monkeypatch):
    from serlib.experiments import result_cache
    from serlib.experiments.augmentation import fold_gan
    from serlib.features.extract import FeatureSet

    monkeypatch.setenv(result_cache.RESULT_CACHE_ENV, "1")
    monkeypatch.setenv("SERLIB_CACHE_DIR", str(tmp_path))
    frames, emotions, speakers = toy_corpus()
    fs = FeatureSet(pd.DataFrame({"emotion": emotions, "speaker": speakers, "path": "x"}), frames, pd.DataFrame(), FC)
    fit, test = np.flatnonzero(speakers != "s3"), np.flatnonzero(speakers == "s3")
    first = fold_gan(fs, fit, test, gan_config=SMALL, seed=0, progress=False)
    assert len(list((tmp_path / "models").rglob(result_cache.MODEL_COMPLETE))) == 1
    again = fold_gan(fs, fit, test, gan_config=SMALL, seed=0, progress=False)
    assert again is not first and again.train_seconds_ == first.train_seconds_
    np.testing.assert_allclose(again.translate(frames[0], "sad"), first.translate(frames[0], "sad"), rtol=1e-6)
    other = fold_gan(fs, fit, test, gan_config=SMALL, seed=1, progress=False)  # another seed trains anew
    assert len(list((tmp_path / "models").rglob(result_cache.MODEL_COMPLETE))) == 2
    assert not np.allclose(other.translate(frames[0], "sad"), first.translate(frames[0], "sad"))


def test_without_deltas_the_gan_generates_every_column():
    fc = FeatureConfig(kind="logmel_lld", n_mels=8, deltas=0)
    rng = np.random.default_rng(1)
    frames = [rng.standard_normal((30 + i, fc.n_features)).astype(np.float32) + (i % 2) for i in range(8)]
    emotions = np.array(["angry", "sad"] * 4)
    speakers = np.array(["a", "a", "b", "b"] * 2)
    cfg = GanConfig(g_channels=8, g_blocks=1, d_channels=(8,), steps=3, batch_size=4, window_frames=16,
                    window_hop=8)
    gan = EmotionStarGAN(fc, cfg).fit(frames, emotions, speakers, progress=False)
    assert gan.n_coeffs == fc.n_features
    out = gan.translate(frames[0], "sad")
    assert out.shape == frames[0].shape and np.all(np.isfinite(out))
    with pytest.raises(ValueError, match="eGeMAPS"):
        EmotionStarGAN(FeatureConfig(kind="logmel_lld", n_mels=8, deltas=1)).n_coeffs


def test_two_sample_auc_separates_shifted_rows_and_not_identical_ones():
    from serlib.augmentation.gan_quality import speaker_halves, two_sample_auc
    from serlib.messages import InsufficientDataError

    rng = np.random.default_rng(0)
    real = rng.normal(size=(200, 4))
    assert two_sample_auc(real, rng.normal(size=(200, 4)) + 3.0) > 0.95  # far apart: trivially separable
    assert abs(two_sample_auc(real, rng.normal(size=(200, 4))) - 0.5) < 0.1  # the same distribution
    with pytest.raises(InsufficientDataError, match="2 or more"):
        two_sample_auc(real, real[:1])
    speakers = np.array(["s1", "s2", "s3", "s4"] * 5)
    half_a = speaker_halves(speakers, np.random.default_rng(1))
    assert len(set(speakers[half_a])) == 2 and not set(speakers[half_a]) & set(speakers[~half_a])
    one = speaker_halves(np.array(["s1"] * 40), np.random.default_rng(1))  # one speaker: its utterances split
    assert 0 < one.sum() < 40

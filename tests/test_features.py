import numpy as np
import pandas as pd
import pytest

from serlib.features import walkthrough
from serlib.features.extract import FeatureCache, extract_features
from serlib.features.frames import (
    FeatureConfig,
    compute_frame_features,
    extract_mfcc_windows,
    overlapping_windows,
    utterance_statistics,
)
from tests.audio_fixtures import tone, write_broken_files, write_tone


def test_config_validation_and_key():
    with pytest.raises(ValueError, match="kind"):
        FeatureConfig(kind="cqt")
    with pytest.raises(ValueError, match="window_hop"):
        FeatureConfig(window_frames=10, window_hop=11)
    with pytest.raises(ValueError, match="Nyquist"):
        FeatureConfig(fmax=9000)
    a, b = FeatureConfig(), FeatureConfig(n_mfcc=20)
    assert a.key() == FeatureConfig().key() and a.key() != b.key()
    assert a.n_features == 120 and b.n_features == 60
    assert FeatureConfig(kind="logmel", deltas=0).n_features == 64


def test_frame_features_shape_and_rate():
    cfg = FeatureConfig(trim_db=None)
    frames = compute_frame_features(tone(2.0), cfg)
    assert frames.shape == (201, 120) and frames.dtype == np.float32
    assert np.all(np.isfinite(frames))
    # deltas of a stationary tone's middle part are small compared to the statics
    assert np.abs(frames[80:120, 40:80]).mean() < 0.2 * np.abs(frames[80:120, :40]).mean()


def test_overlapping_windows_content():
    frames = np.arange(100 * 3, dtype=np.float32).reshape(100, 3)
    w = overlapping_windows(frames, 32, 16)
    assert w.shape == (5, 32, 3)  # starts 0, 16, 32, 48, 64 (80 + 32 > 100)
    np.testing.assert_array_equal(w[1], frames[16:48])
    np.testing.assert_array_equal(w[0, 16:], w[1, :16])  # 50 % overlap
    assert overlapping_windows(frames[:31], 32, 16).shape == (0, 32, 3)
    with pytest.raises(ValueError):
        overlapping_windows(frames[:, 0], 32, 16)


def test_extract_mfcc_windows_matches_two_steps():
    y = tone(1.0)
    cfg = FeatureConfig()
    np.testing.assert_array_equal(extract_mfcc_windows(y, cfg),
                                  overlapping_windows(compute_frame_features(y, cfg), 32, 16))


def test_utterance_statistics():
    frames = np.array([[1.0, 2.0], [3.0, 2.0]])
    np.testing.assert_allclose(utterance_statistics(frames), [2.0, 2.0, 1.0, 0.0])


def _manifest(paths):
    return pd.DataFrame({"path": [str(p) for p in paths], "corpus": "test", "emotion": "neutral"})


def test_extraction_skips_bad_files_and_keeps_the_rest(tmp_path):
    expected = write_broken_files(tmp_path / "a", lambda i: f"bad{i}.wav")
    good = [write_tone(tmp_path / "a" / f"good{i}.wav", 1.0 + 0.1 * i, freq=200 + 30 * i) for i in range(3)]
    paths = sorted((tmp_path / "a").glob("*.wav")) + [tmp_path / "a" / "missing.wav"]
    fs = extract_features(_manifest(paths), cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    assert sorted(fs.manifest["path"]) == sorted(str(p) for p in good)
    assert list(fs.manifest["source_row"]) == [paths.index(p) for p in sorted(good)]
    reasons = dict(zip(fs.skipped["path"].map(lambda p: p.split("/")[-1]), fs.skipped["reason"]))
    assert len(reasons) == len(expected) + 1
    for name, fragment in expected.items():
        assert fragment in reasons[name], (name, reasons[name])
    assert "unreadable" in reasons["missing.wav"]
    assert all(f.shape[1] == 120 and f.shape[0] >= 32 for f in fs.frames)


def test_cache_is_keyed_by_content_and_config(tmp_path):
    p = write_tone(tmp_path / "x.wav", 1.0)
    m = _manifest([p])
    cache = tmp_path / "cache"
    first = extract_features(m, cache_dir=cache, n_jobs=1, progress=False)
    again = extract_features(m, cache_dir=cache, n_jobs=1, progress=False)
    assert first.cache_hits == 0 and again.cache_hits == 1
    np.testing.assert_array_equal(first.frames[0], again.frames[0])
    other = extract_features(m, FeatureConfig(n_mfcc=13), cache_dir=cache, n_jobs=1, progress=False)
    assert other.cache_hits == 0 and other.frames[0].shape[1] == 39
    write_tone(p, 1.2, freq=300)  # same path, new content
    changed = extract_features(m, cache_dir=cache, n_jobs=1, progress=False)
    assert changed.cache_hits == 0 and changed.frames[0].shape[0] != first.frames[0].shape[0]
    # a corrupt cache entry is recomputed, not trusted
    from serlib.storage import file_content_hash
    entry = FeatureCache(cache).path_for(file_content_hash(p), FeatureConfig())
    entry.write_bytes(b"garbage")
    fixed = extract_features(m, cache_dir=cache, n_jobs=1, progress=False)
    assert fixed.cache_hits == 0 and fixed.frames[0].shape == changed.frames[0].shape


def test_featureset_subset_and_statistics(tmp_path):
    paths = [write_tone(tmp_path / f"{i}.wav", 1.0, freq=150 + 50 * i) for i in range(4)]
    fs = extract_features(_manifest(paths), cache_dir=False, n_jobs=1, progress=False)
    assert fs.statistics().shape == (4, 240)
    sub = fs.subset(np.array([True, False, True, False]))
    assert len(sub) == 2 and list(sub.manifest.index) == [0, 1]
    with pytest.raises(ValueError):
        fs.subset([True])
    with pytest.raises(ValueError, match="empty"):
        extract_features(_manifest([]).iloc[:0], progress=False)


def test_opensmile_runs_in_a_process_that_imported_tensorflow_first():
    """openSMILE aborts (heap corruption) when it first runs after TensorFlow's import; serlib routes it to a
    helper process then, so the log-mel + LLD features work in a Keras session."""
    import subprocess
    import sys

    code = ("import numpy as np, tensorflow\n"
            "from serlib.features.frames import FeatureConfig, compute_frame_features\n"
            "y = (0.1 * np.sin(np.arange(16000) * 2 * np.pi * 200 / 16000)).astype('float32')\n"
            "f = compute_frame_features(y, FeatureConfig(kind='logmel_lld', deltas=0))\n"
            "assert f.shape[1] == 64 + 25 and np.isfinite(f).all(), f.shape\n"
            "print('ok', f.shape)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300,
                          cwd=str(__import__("pathlib").Path(__file__).resolve().parents[1]))
    assert proc.returncode == 0 and "ok" in proc.stdout, proc.stderr[-500:]


def _two_emotion_sets(tmp_path):
    paths = [write_tone(tmp_path / "w" / f"u{i}.wav", 0.6 + 0.1 * i, freq=180 + 40 * i) for i in range(4)]
    short = write_tone(tmp_path / "w" / "short.wav", 0.2)
    m = pd.DataFrame({"path": [str(p) for p in paths + [short]], "corpus": "test",
                      "emotion": ["sad", "angry", "sad", "angry", "sad"]})
    cfg = FeatureConfig(n_mfcc=13, deltas=1)
    return walkthrough.extract_corpora({"a": m}, cfg, n_jobs=1, cache_dir=tmp_path / "cache", progress=False), cfg


def test_walkthrough_tables_and_metrics_agree_with_the_feature_sets(tmp_path):
    sets, cfg = _two_emotion_sets(tmp_path)
    fs = sets["a"]
    assert len(fs) == 4 and len(fs.skipped) == 1
    skips = walkthrough.feature_skip_table(sets)
    assert skips["path"].str.endswith("short.wav").all() and set(skips["stage"]) == {"features"}
    n_frames = [f.shape[0] for f in fs.frames]
    n_win = [1 + (n - 32) // 16 for n in n_frames]
    row = walkthrough.sequence_lengths(sets).iloc[0]
    assert row["frames min"] == min(n_frames) and row["windows max"] == max(n_win)
    m = walkthrough.feature_metrics(sets, cfg)["features"]
    assert m["config"]["key"] == cfg.key()
    assert m["a"]["n_features"] == 26 and m["a"]["n_skipped"] == 1
    assert m["a"]["windows_mean"] == pytest.approx(np.mean(n_win))
    with pytest.raises(ValueError, match="non-empty dict"):
        walkthrough.sequence_lengths({})


def test_walkthrough_config_table_and_static_columns():
    cfg = FeatureConfig(n_mfcc=13, window_frames=40, window_hop=10)
    table = walkthrough.config_table(cfg)["value"]
    assert table["window overlap (%)"] == 75 and table["window length (s)"] == 0.4
    assert table["cache key"] == cfg.key() and table["features per frame"] == cfg.n_features
    assert walkthrough.static_columns(cfg) == (1, 13)
    assert walkthrough.static_columns(FeatureConfig(kind="logmel", n_mels=32)) == (0, 32)
    with pytest.raises(TypeError, match="FeatureConfig"):
        walkthrough.config_table({"kind": "mfcc"})


def test_walkthrough_emotion_profile(tmp_path):
    sets, _ = _two_emotion_sets(tmp_path)
    result = walkthrough.emotion_profile(sets["a"], seed=0)
    assert list(result["profile"].index) == ["angry", "sad"] and result["profile"].shape[1] == 13
    assert result["points"].shape == (4, 2) and 0 < result["explained_pct"].sum() <= 100
    with pytest.raises(ValueError, match="at least 2"):
        walkthrough.emotion_profile(sets["a"].subset([True, False, False, False]))

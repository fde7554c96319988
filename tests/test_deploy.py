"""The shipped model (issue 13): numpy front end, training command, light runtime, CLI contract, timeline."""

import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from serlib.data.audio import AudioError
from serlib.deploy import frontend, runtime, timeline
from tests.audio_fixtures import tone, write_broken_files, write_tone

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("high", "low")


# -- front end ---------------------------------------------------------------------------------------------
def _speechlike(seconds=1.5, sr=16000, seed=0):
    rng = np.random.default_rng(seed)
    y = tone(seconds, sr, freq=180 + 40 * seed, seed=seed) + 0.02 * rng.standard_normal(int(seconds * sr))
    return np.concatenate([np.zeros(sr // 4, np.float32), y.astype(np.float32), np.zeros(sr // 4, np.float32)])


@pytest.mark.parametrize("seed,sr", [(0, 16000), (1, 22050), (2, 44100)])
def test_numpy_log_mel_matches_the_librosa_features_of_notebook_02(seed, sr):
    from serlib.features.frames import FeatureConfig, frames_from_waveform

    y = _speechlike(sr=sr, seed=seed)
    ours = frontend.frames_from_waveform(y, sr)
    theirs = frames_from_waveform(y, sr, FeatureConfig(kind="logmel", deltas=0))
    assert ours.shape == theirs.shape
    assert np.max(np.abs(ours - theirs)) <= frontend.MAX_DB_DIFF_FROM_LIBROSA


def test_filterbank_and_trim_match_librosa():
    import librosa

    fb = frontend.mel_filterbank(16000, 512, 64, 20.0, 8000.0)
    np.testing.assert_allclose(fb, librosa.filters.mel(sr=16000, n_fft=512, n_mels=64, fmin=20, fmax=8000), atol=1e-7)
    y = _speechlike(seed=3)
    np.testing.assert_array_equal(frontend.trim_silence(y, 30.0), librosa.effects.trim(y, top_db=30.0)[0])


def test_front_end_rejects_bad_waveforms_with_reasons():
    with pytest.raises(AudioError, match="silent"):
        frontend.frames_from_waveform(np.zeros(16000, np.float32), 16000)
    with pytest.raises(AudioError, match="too short"):
        frontend.frames_from_waveform(tone(0.1), 16000)
    y = tone(1.0)
    y[5] = np.inf
    with pytest.raises(AudioError, match="NaN or infinite"):
        frontend.frames_from_waveform(y, 16000)


def test_fixed_length_and_normalisations():
    f = np.arange(10, dtype=np.float32)[:, None] * np.ones((1, 3), np.float32)
    assert frontend.fixed_length(f, 4)[:, 0].tolist() == [3, 4, 5, 6]
    assert frontend.fixed_length(f[:3], 7)[:, 0].tolist() == [0, 1, 2, 0, 1, 2, 0]
    g = frontend.gain_normalize(f + 40)
    np.testing.assert_allclose(g, frontend.gain_normalize(f), atol=1e-5)  # a gain change does not move the input
    assert abs(float(g.mean())) < 1e-5
    s = frontend.normalize_frames([f, f + 5], "speaker", ["a", "a"])
    allf = np.concatenate(s)
    np.testing.assert_allclose(allf.mean(axis=0), 0, atol=1e-5)
    with pytest.raises(ValueError, match="normalization"):
        frontend.normalize_frames([f], "global")


# -- a tiny shipped model --------------------------------------------------------------------------------
def _feature_set(corpus, n_speakers, per_class, base):
    from serlib.features.extract import FeatureSet
    from serlib.features.frames import FeatureConfig

    rows, frames = [], []
    for s in range(n_speakers):
        for k in range(per_class * 2):
            label = LABELS[k % 2]
            path = write_tone(base / corpus / f"s{s}_{k}.wav", 1.0 + 0.1 * (k % 3),
                              freq=(700.0 if label == "high" else 140.0) + 15 * s + 3 * k, seed=100 * s + k)
            frames.append(frontend.frames_from_file(path))
            rows.append({"path": str(path), "corpus": corpus, "speaker": f"{corpus}{s}", "emotion": label})
    return FeatureSet(pd.DataFrame(rows), frames, pd.DataFrame(columns=["path", "corpus", "reason"]),
                      FeatureConfig(kind="logmel", deltas=0))


@pytest.fixture(scope="module")
def shipped(tmp_path_factory):
    """A shipped-format model folder trained by serlib.deploy.train on generated tones (both normalisations)."""
    from serlib.deploy.train import train_from_feature_sets
    from serlib.models.conv_recurrent import quick_setting
    from serlib.models.presets import STRONG_HYBRID_SETTING

    base = tmp_path_factory.mktemp("deploy")
    sets = {"toneA": _feature_set("toneA", 3, 3, base / "audio"), "toneB": _feature_set("toneB", 3, 3, base / "audio")}
    lines = []
    out = train_from_feature_sets(sets, base / "model", seeds=[0], setting=quick_setting(STRONG_HYBRID_SETTING, epochs=1),
                                  progress=False, log=lines.append)
    files = base / "files"
    good = write_tone(files / "good.wav", 1.5, sr=22050, freq=700.0)
    write_tone(files / "nested" / "low.flac", 1.2, sr=8000, freq=140.0)
    bad = write_broken_files(files / "bad", lambda k: f"bad_{k}.wav")
    return {"dir": out, "log": lines, "files": files, "good": good, "bad": bad, "sets": sets}


def test_training_writes_onnx_metadata_and_card(shipped):
    d = shipped["dir"]
    meta = json.loads((d / runtime.METADATA_FILE).read_text())
    assert meta["format"] == runtime.SHIPPED_FORMAT and meta["labels"] == list(LABELS)
    assert set(meta["normalizations"]) == set(frontend.NORMALIZATIONS)
    for info in meta["normalizations"].values():
        assert (d / info["file"]).stat().st_size < 5_000_000 and info["onnx_vs_keras_max_abs_diff"] <= 1e-4
        assert info["validation_speakers"]  # the checkpoint is chosen on held-out training speakers
    protos = {(r["normalization"], r["corpus"], r["protocol"]) for r in meta["estimates"]}
    assert ("file", "toneA", "speaker_independent") in protos and ("speaker", "toneB", "cross_corpus_to_toneA") in protos
    for r in meta["estimates"]:
        assert r["uar_ci_low"] <= r["uar"] <= r["uar_ci_high"] and r["n_seeds"] == 1
    assert meta["training_data"]["toneA"]["n_speakers"] == 3 and len(meta["training_data"]["toneA"]["content_hash"]) == 20
    card = (d / runtime.CARD_FILE).read_text()
    first = meta["estimates"][0]
    assert f"{100 * first['uar']:.1f} %" in card  # the card's numbers are the metadata's
    assert "non-commercial" in card and "Known failure modes" in card


def test_runtime_matches_keras_and_predicts_files_and_waveforms(shipped):
    model = runtime.ShippedModel(shipped["dir"])
    assert model.normalization == "file" and model.labels == list(LABELS)
    p = model.predict_file(shipped["good"])
    assert p.emotion in LABELS and abs(sum(p.probabilities.values()) - 1) < 1e-4
    y, sr = sf.read(shipped["good"], dtype="float32")
    q = model.predict_waveform(y, sr)
    assert q.probabilities == pytest.approx(p.probabilities, abs=1e-6)
    # louder copy: the gain normalisation makes it (almost) the same input
    r = model.predict_waveform(np.clip(y * 2.0, -1, 1), sr)
    assert max(abs(r.probabilities[k] - p.probabilities[k]) for k in LABELS) < 0.05
    frames = [f for fs in shipped["sets"].values() for f in fs.frames]
    one = np.concatenate([model.predict_proba([f]) for f in frames[:5]])
    np.testing.assert_allclose(model.predict_proba(frames[:5], batch_size=2), one, atol=1e-6)  # batching
    with pytest.raises(AudioError, match="silent"):
        model.predict_waveform(np.zeros(16000, np.float32), 16000)


def test_speaker_normalised_model_needs_the_speakers_statistics(shipped):
    model = runtime.ShippedModel(shipped["dir"], normalization="speaker")
    frames = shipped["sets"]["toneA"].frames[:6]
    with pytest.raises(ValueError, match="speaker_statistics"):
        model.predict_proba(frames)
    with pytest.raises(ValueError, match="at least"):
        model.speaker_statistics(frames[:1])
    model.speaker_statistics(frames)
    assert model.predict_proba(frames).shape == (6, 2)


def test_missing_or_broken_model_folder_gives_one_line(shipped, tmp_path):
    with pytest.raises(runtime.ModelUnavailableError, match="missing"):
        runtime.ShippedModel(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    meta = json.loads((shipped["dir"] / "model.json").read_text())
    (broken / "model.json").write_text(json.dumps(meta))
    with pytest.raises(runtime.ModelUnavailableError, match="model.onnx is missing"):
        runtime.ShippedModel(broken)
    (broken / "model.onnx").write_bytes(b"not onnx")
    with pytest.raises(runtime.ModelUnavailableError, match="cannot load ONNX"):
        runtime.ShippedModel(broken)


# -- command line --------------------------------------------------------------------------------------
def _cli(*args, cwd=ROOT, **env):
    e = dict(os.environ, **env)
    e.pop("PYTHONWARNINGS", None)
    return subprocess.run([sys.executable, "-m", "serlib", *args], capture_output=True, text=True, cwd=cwd, env=e,
                          timeout=300)


def test_cli_folder_bad_inputs_exit_codes_and_formats(shipped):
    model = str(shipped["dir"])
    proc = _cli("predict", "--model", model, str(shipped["files"]))
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    err = [l for l in proc.stderr.splitlines() if l.strip()]
    assert len(err) == len(shipped["bad"])  # every bad file, one line each, with its reason
    for name, fragment in shipped["bad"].items():
        (line,) = [l for l in err if name in l]
        assert fragment in line
    out = proc.stdout.splitlines()
    assert out[0].split()[:3] == ["file", "emotion", "probability"] and len(out) == 3  # good.wav + nested/low.flac
    js = _cli("predict", "--model", model, "--json", str(shipped["good"]), str(shipped["files"] / "nested"))
    assert js.returncode == 0, js.stderr
    objs = [json.loads(l) for l in js.stdout.splitlines()]
    assert [Path(o["file"]).name for o in objs] == ["good.wav", "low.flac"]
    assert all(set(o) == {"file", "emotion", "probabilities"} for o in objs)
    csv = _cli("predict", "--model", model, "--csv", str(shipped["good"]))
    assert csv.stdout.splitlines()[0] == "file,emotion,probability,p_high,p_low"
    empty = shipped["files"] / "empty_dir"
    empty.mkdir(exist_ok=True)
    none = _cli("predict", "--model", model, str(empty))
    assert none.returncode == 2 and "no audio files" in none.stderr


def test_cli_checks_inputs_before_the_model(shipped, tmp_path):
    proc = _cli("predict", "--model", str(tmp_path / "nowhere"), str(shipped["good"]), str(tmp_path / "gone.wav"))
    assert proc.returncode == 1
    lines = proc.stderr.strip().splitlines()
    assert "gone.wav: missing file" in lines[0] and "nowhere" in lines[1] and len(lines) == 2


def test_cli_speaker_norm_and_info(shipped):
    folder = shipped["files"] / "nested"
    write_tone(folder / "low2.wav", 1.3, freq=150.0)
    proc = _cli("predict", "--model", str(shipped["dir"]), "--speaker-norm", "--json", str(folder))
    assert proc.returncode == 0, proc.stderr
    assert len(proc.stdout.splitlines()) == 2
    single = _cli("predict", "--model", str(shipped["dir"]), "--speaker-norm", str(shipped["good"]))
    assert single.returncode == 2 and "at least 2" in single.stderr
    info = _cli("info", "--model", str(shipped["dir"]))
    assert info.returncode == 0 and "# Model card" in info.stdout and "non-commercial" in info.stdout
    meta = json.loads(_cli("info", "--model", str(shipped["dir"]), "--json").stdout)
    assert meta["labels"] == list(LABELS)


def test_default_path_imports_no_tensorflow_librosa_or_pandas(shipped):
    code = ("import sys; from serlib.__main__ import main; rc = main(['predict', sys.argv[1]]); "
            "heavy = [m for m in ('tensorflow', 'librosa', 'pandas', 'scipy', 'numba') if m in sys.modules]; "
            "print('HEAVY', heavy, rc)")
    e = dict(os.environ, SERLIB_MODEL=str(shipped["dir"]))
    proc = subprocess.run([sys.executable, "-c", code, str(shipped["good"])], capture_output=True, text=True, env=e,
                          cwd=ROOT, timeout=120)
    assert proc.stdout.strip().splitlines()[-1] == "HEAVY [] 0", proc.stderr


# -- timeline ------------------------------------------------------------------------------------------
def test_speech_regions_and_windows():
    db = np.full(100, -90.0)
    db[10:30] = -20
    db[33:40] = -20  # a 3-frame pause joins the two
    db[70:72] = -20  # too short
    regions = timeline.speech_regions(db, 0.03, vad_db=-50, max_gap_s=0.1, min_speech_s=0.3)
    assert regions == [pytest.approx((0.3, 1.2))]
    assert timeline.windows(0, 10, 3, 1.5, 0.6)[-1] == (7.5, 10)
    assert timeline.windows(0, 2, 3, 1.5, 0.6) == [(0, 2)] and timeline.windows(0, 0.5, 3, 1.5, 0.6) == []
    p = np.array([[1, 0], [0, 1], [1, 0]], float)
    np.testing.assert_allclose(timeline.smooth_probabilities(p, 3)[1], [2 / 3, 1 / 3])


def _long_file(path, n=6, sr=22050):
    parts = []
    for k in range(n):
        parts += [tone(1.2, sr, freq=700.0 if k % 2 else 140.0, seed=k), np.zeros(int(0.7 * sr), np.float32)]
    sf.write(path, np.concatenate(parts), sr)
    return path


def test_timeline_streams_in_blocks_with_the_same_result(shipped, tmp_path):
    model = runtime.ShippedModel(shipped["dir"])
    f = _long_file(tmp_path / "long.wav")
    big = timeline.predict_timeline(model, f, timeline.TimelineConfig(block_s=60), progress=False)
    small = timeline.predict_timeline(model, f, timeline.TimelineConfig(block_s=0.5), progress=False)
    assert len(big.predictions) == 6  # one segment per tone: the pauses are not speech
    assert [(p.start, p.end) for p in big.predictions] == [(p.start, p.end) for p in small.predictions]
    for a, b in zip(big.predictions, small.predictions):
        assert max(abs(a.probabilities[k] - b.probabilities[k]) for k in LABELS) < 1e-3
    fixed = timeline.predict_timeline(model, f, timeline.TimelineConfig(segmentation="fixed"), progress=False)
    assert fixed.n_segments > 6 and fixed.predictions[0].start == 0.0


def test_cli_timeline_json_csv_and_plot(shipped, tmp_path):
    f = _long_file(tmp_path / "long.flac")
    png = tmp_path / "tl.png"
    proc = _cli("predict", "--model", str(shipped["dir"]), "--timeline", "--smooth", "3", "--json", "--plot", str(png),
                str(f))
    assert proc.returncode == 0, proc.stderr
    rows = [json.loads(l) for l in proc.stdout.splitlines()]
    assert len(rows) == 6 and all({"start", "end", "emotion", "confidence"} <= set(r) for r in rows)
    assert all(a["end"] <= b["end"] for a, b in zip(rows, rows[1:]))
    assert png.stat().st_size > 10_000
    csv = _cli("predict", "--model", str(shipped["dir"]), "--timeline", "--csv", str(f))
    assert csv.stdout.splitlines()[0].startswith("file,start,end,emotion,probability")
    bad = _cli("predict", "--model", str(shipped["dir"]), "--plot", str(png), str(f))
    assert bad.returncode == 2 and "--timeline" in bad.stderr


def test_the_shipped_model_is_in_the_package_and_small():
    meta_path = runtime.PRETRAINED_DIR / runtime.METADATA_FILE
    if not meta_path.is_file():
        pytest.fail(f"the shipped model is missing: {meta_path}")
    meta = json.loads(meta_path.read_text())
    for info in meta["normalizations"].values():
        assert (runtime.PRETRAINED_DIR / info["file"]).stat().st_size <= 5 * 1024 * 1024
    assert {"ravdess", "tess"} <= set(meta["training_data"]) and meta["estimates"]
    model = runtime.ShippedModel()
    assert model.predict_waveform(tone(2.0, freq=200.0), 16000).emotion in model.labels

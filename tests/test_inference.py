"""Inference API, fast runtime and command line (issue 6): a tiny model trained on generated tones."""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile as sf

from serlib.data.audio import AudioError
from serlib.deploy import saved_models as inference
from serlib.features.frames import FeatureConfig
from tests.audio_fixtures import tone, write_broken_files, write_tone

ROOT = Path(__file__).resolve().parents[1]
LABELS = ("high", "low")


@pytest.fixture(scope="module")
def tiny(tmp_path_factory):
    """A trained tiny CNN-LSTM saved to a folder, a warm ONNX cache, one good and several bad files."""
    from serlib.models.cnn_lstm import CnnLstmClassifier, CnnLstmConfig

    base = tmp_path_factory.mktemp("inference")
    cfg = FeatureConfig()
    frames, labels = [], []
    for k in range(12):
        label = LABELS[k % 2]
        y = tone(1.0 + 0.1 * (k % 3), freq=(700.0 if label == "high" else 140.0) + 10 * k, seed=k)
        frames.append(inference.waveform_frames(y, 16000, cfg))
        labels.append(label)
    clf = CnnLstmClassifier(cfg, CnnLstmConfig(conv_filters=(4,), lstm_units=8, epochs=1, n_windows=4,
                                               early_stopping=False), seed=0)
    clf.fit(frames, labels)
    model_dir = clf.save(base / "runs" / "r1" / "models" / "cnn_lstm_tones")
    cache = base / "cache"
    onnx_rec = inference.load_model(model_dir, runtime="onnx", cache_dir=cache)  # exports once, warms the cache
    files = base / "files"
    good = write_tone(files / "good.wav", 1.5, sr=22050, freq=700.0)
    bad = write_broken_files(files / "bad", lambda k: f"bad_{k}.wav")  # empty, not audio, truncated, NaN, silent, short
    bad["missing.wav"] = "missing file"
    return {"dir": model_dir, "cache": cache, "onnx": onnx_rec, "good": good, "files": files, "bad": bad,
            "frames": frames, "clf": clf}


def _env(tiny, **extra):
    env = dict(os.environ, SERLIB_CACHE_DIR=str(tiny["cache"]), **extra)
    env.pop("PYTHONWARNINGS", None)
    return env


def _cli(tiny, *args, **env):
    return subprocess.run([sys.executable, "-m", "serlib", *args], capture_output=True, text=True, cwd=ROOT,
                          env=_env(tiny, **env), timeout=300)


def test_predict_file_and_waveform(tiny):
    rec = inference.load_model(tiny["dir"], runtime="keras")
    assert rec.labels == sorted(LABELS)
    label, probs = rec.predict_file(tiny["good"])
    assert label in LABELS and set(probs) == set(LABELS)
    assert sum(probs.values()) == pytest.approx(1.0, abs=1e-5)
    assert probs[label] == max(probs.values())
    # the same audio handed over as a waveform at its own rate goes through the same steps
    y, sr = sf.read(tiny["good"], dtype="float32")
    label_w, probs_w = rec.predict_waveform(y, sr)
    assert label_w == label
    assert max(abs(probs_w[k] - probs[k]) for k in LABELS) < 1e-5
    # and the model input is what the classifier itself builds from the training feature code
    x = rec.windows_from_file(tiny["good"])
    assert x.shape == (1, 4, 32, 120)
    np.testing.assert_allclose(rec.predict_windows(x), tiny["clf"].predict_proba_windows(x), atol=1e-6)


def test_fast_runtime_matches_keras_on_real_features(tiny):
    rec = tiny["onnx"]
    assert rec.runtime == "onnx" and rec.onnx_path is not None and rec.onnx_path.is_file()
    assert rec.export_max_abs_diff is not None and rec.export_max_abs_diff <= inference.MAX_ABS_DIFF
    x = rec.classifier.windows(tiny["frames"])
    assert np.abs(x).max() > 50  # raw MFCCs: a lost normalisation layer would show as a large difference
    diff = inference.max_abs_diff(rec.predict_windows(x), rec.keras_probabilities(x))
    assert diff <= inference.MAX_ABS_DIFF
    # a second load is served from the cache (same file, no new export)
    again = inference.load_model(tiny["dir"], runtime="onnx", cache_dir=tiny["cache"])
    assert again.onnx_path == rec.onnx_path
    np.testing.assert_allclose(again.predict_windows(x), rec.predict_windows(x), atol=1e-7)


@pytest.mark.parametrize("runtime", ["onnx", "keras"])
def test_bad_files_raise_one_line_audio_errors(tiny, runtime):
    rec = tiny["onnx"] if runtime == "onnx" else inference.load_model(tiny["dir"], runtime="keras")
    for name, fragment in tiny["bad"].items():
        with pytest.raises(AudioError, match=fragment) as err:
            rec.predict_file(tiny["files"] / "bad" / name)
        assert "\n" not in str(err.value)


def test_bad_waveforms(tiny):
    rec = tiny["onnx"]
    with pytest.raises(AudioError, match="empty"):
        rec.predict_waveform(np.zeros(0, np.float32), 16000)
    with pytest.raises(AudioError, match="silent"):
        rec.predict_waveform(np.zeros(16000, np.float32), 16000)
    y = tone(1.0)
    y[10] = np.nan
    with pytest.raises(AudioError, match="NaN"):
        rec.predict_waveform(y, 16000)
    with pytest.raises(AudioError, match="too short"):
        rec.predict_waveform(tone(0.05), 16000)
    with pytest.raises(ValueError, match="sample rate"):
        rec.predict_waveform(tone(1.0), 0)


def test_cli_mixed_good_and_bad_files(tiny):
    bad_paths = [str(tiny["files"] / "bad" / n) for n in tiny["bad"]]
    proc = _cli(tiny, "predict", "--model", str(tiny["dir"]), bad_paths[0], str(tiny["good"]), *bad_paths[1:])
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    err_lines = [line for line in proc.stderr.splitlines() if line.strip()]
    for path, fragment in zip(bad_paths, tiny["bad"].values()):
        mine = [line for line in err_lines if path in line]
        assert len(mine) == 1 and fragment in mine[0], (path, err_lines)
    assert len(err_lines) == len(bad_paths), err_lines
    out = proc.stdout.splitlines()
    assert out[0].split()[:3] == ["file", "emotion", "probability"]
    assert any(str(tiny["good"]) in line for line in out[1:])
    assert all(f"p({label})" in out[0] for label in LABELS)


def test_cli_json_lines_and_keras_runtime(tiny):
    proc = _cli(tiny, "predict", "--model", str(tiny["dir"]), "--json", str(tiny["good"]))
    assert proc.returncode == 0, proc.stderr
    (line,) = proc.stdout.splitlines()  # one JSON object per line
    pred = json.loads(line)
    assert set(pred) == {"file", "emotion", "probabilities"} and pred["file"] == str(tiny["good"])
    assert pred["emotion"] in LABELS and pred["emotion"] == max(pred["probabilities"], key=pred["probabilities"].get)
    top = _cli(tiny, "predict", "--model", str(tiny["dir"]), "--top", "1", str(tiny["good"]))
    assert top.returncode == 0 and "top 1" in top.stdout.splitlines()[0] and pred["emotion"] in top.stdout
    keras = _cli(tiny, "predict", "--model", str(tiny["dir"]), "--json", "--runtime", "keras", str(tiny["good"]))
    assert keras.returncode == 0, keras.stderr
    kp = json.loads(keras.stdout.splitlines()[0])["probabilities"]
    assert max(abs(kp[k] - pred["probabilities"][k]) for k in LABELS) <= inference.MAX_ABS_DIFF


def test_cli_without_model_exits_1_with_one_line(tiny, tmp_path, monkeypatch, capsys):
    from serlib.__main__ import main
    from serlib.deploy import runtime

    monkeypatch.delenv("SERLIB_MODEL", raising=False)
    monkeypatch.setattr(runtime, "PRETRAINED_DIR", tmp_path / "no_pretrained")  # the shipped file is missing
    assert main(["predict", str(tiny["good"])]) == 1
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "shipped model is missing" in err
    assert main(["predict", "--model", str(tmp_path / "nowhere"), str(tiny["good"])]) == 1
    assert len(capsys.readouterr().err.strip().splitlines()) == 1
    # a bad input is still reported (exit 2 wins only when the model is fine: here the model is missing -> 1)
    assert main(["predict", str(tmp_path / "missing.wav")]) == 2  # no usable input: no model is even looked up
    assert "missing file" in capsys.readouterr().err


def test_help_and_usage():
    for args in (["--help"], ["predict", "--help"]):
        proc = subprocess.run([sys.executable, "-m", "serlib", *args], capture_output=True, text=True, cwd=ROOT)
        assert proc.returncode == 0 and "usage: serlib" in proc.stdout
    proc = subprocess.run([sys.executable, "-m", "serlib", "predict", "--help"], capture_output=True, text=True, cwd=ROOT)
    for opt in ("--model", "--json", "--csv", "--runtime", "--top", "--threads", "--timeline", "--speaker-norm",
                "exit codes"):
        assert opt in proc.stdout


def test_latest_model_discovery(tiny, tmp_path, monkeypatch):
    runs = tmp_path / "runs"
    old = runs / "a" / "models" / "cnn_lstm_x"
    new = runs / "b" / "models" / "cnn_lstm_y"
    for d in (old, new):
        d.mkdir(parents=True)
        for f in ("model.keras", "serlib_model.json"):
            (d / f).write_bytes((tiny["dir"] / f).read_bytes())
    t = time.time()
    os.utime(old / "serlib_model.json", (t - 100, t - 100))
    os.utime(new / "serlib_model.json", (t, t))
    (runs / "c" / "models" / "cnn_lstm_broken").mkdir(parents=True)  # incomplete folders are ignored
    assert inference.find_latest_model(runs) == new
    monkeypatch.setenv("SERLIB_RUNS_DIR", str(runs))
    assert inference.resolve_model_path(None) == new
    assert inference.resolve_model_path(runs / "a") == old  # a run folder
    assert inference.resolve_model_path(old / "model.keras") == old  # one of the model's files
    ref = tmp_path / "figures"
    (ref / "models").mkdir(parents=True)
    with pytest.raises(inference.ModelNotFoundError, match="no trained model found"):
        inference.find_latest_model(tmp_path / "empty_runs", reference_dir=ref)
    with pytest.raises(inference.ModelNotFoundError, match="not a serlib model folder"):
        inference.resolve_model_path(runs / "c" / "models" / "cnn_lstm_broken")
    with pytest.raises(ValueError, match="runtime must be one of"):
        inference.load_model(new, runtime="tflite")
    strong = runs / "a" / "models" / "conv_recurrent_cnn_lstm_x"  # the strong hybrid wins, even when older
    strong.mkdir(parents=True)
    for f in ("model.keras", "serlib_model.json"):
        (strong / f).write_bytes((tiny["dir"] / f).read_bytes())
    os.utime(strong / "serlib_model.json", (t - 500, t - 500))
    assert inference.find_latest_model(runs) == strong and inference.resolve_model_path(runs / "a") == strong


def test_whole_utterance_cnn_bilstm_model_predicts_through_both_runtimes(tmp_path):
    """The strong hybrid's format (serlib.conv_recurrent/1, log-mel + eGeMAPS LLD frames) loads, exports to ONNX
    within MAX_ABS_DIFF of Keras, and predicts a file and a waveform with the training feature path."""
    from serlib.models.conv_recurrent import CRNN_FEATURES, ConvRecurrentClassifier, ConvRecurrentConfig

    frames, labels = [], []
    for k in range(8):
        label = LABELS[k % 2]
        y = tone(1.0, freq=(700.0 if label == "high" else 140.0) + 10 * k, seed=k)
        frames.append(inference.waveform_frames(y, 16000, CRNN_FEATURES))
        labels.append(label)
    assert frames[0].shape[1] == CRNN_FEATURES.n_features == 64 + 25
    cfg = ConvRecurrentConfig(max_frames=48, conv_filters=(8,), lstm_units=8, epochs=1, batch_size=8)
    model_dir = ConvRecurrentClassifier(CRNN_FEATURES, cfg).fit(frames, labels).save(tmp_path / "m")
    onnx_rec = inference.load_model(model_dir, runtime="onnx", cache_dir=tmp_path / "cache")
    keras_rec = inference.load_model(model_dir, runtime="keras", cache_dir=tmp_path / "cache")
    assert onnx_rec.input_shape == (48, 89) and onnx_rec.export_max_abs_diff <= inference.MAX_ABS_DIFF
    wav = write_tone(tmp_path / "clip.wav", 1.2, sr=22050, freq=700.0)
    label, probs = onnx_rec.predict_file(wav)
    label_k, probs_k = keras_rec.predict_file(wav)
    assert label in LABELS and label == label_k
    assert max(abs(probs[l] - probs_k[l]) for l in LABELS) <= inference.MAX_ABS_DIFF
    y = tone(1.2, freq=700.0, sr=22050)
    assert onnx_rec.predict_waveform(y, 22050)[0] == label
    meta = json.loads((model_dir / "serlib_model.json").read_text())
    meta["format"] = "serlib.unknown/9"
    (model_dir / "serlib_model.json").write_text(json.dumps(meta))
    with pytest.raises(inference.ModelNotFoundError, match="unknown model format"):
        inference.load_model(model_dir, runtime="keras")

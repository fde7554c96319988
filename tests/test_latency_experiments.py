"""Notebook 06's experiment functions on tiny fakes: which model is timed, the runtime check, the stages, the
metrics it records, Table 1's rows and the closing sentences. No model is trained and no speed is asserted."""

import json
import subprocess
from collections import namedtuple
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from serlib.deploy import bench
from serlib.experiments import latency_models as lm
from serlib.experiments import latency_report as report
from serlib.experiments.latency import TimingPlan, prepare_timing_process
from serlib.reporting.literature import MEASURED, REPORTED
from tests.audio_fixtures import tone

FakeConfig = namedtuple("FakeConfig", "sample_rate trim_db")  # hashable, as FeatureConfig is
TINY = TimingPlan(repeats=3, warmup=1, slow_repeats=2, rounds=1, batch_sizes=(1, 3), throughput_repeats=1,
                  check_utterances=4, cold_repeats=1, timeline_minutes=0.1)
#: The ``latency_ms`` keys notebook 06 wrote before its code moved into the library (reference quick run).
LATENCY_KEYS = {
    "audio_load_p50", "batch_size", "by_corpus", "clip_sample_rate", "clip_seconds", "corpus", "end_to_end_keras_p50",
    "end_to_end_p50", "end_to_end_p95", "end_to_end_waveform_p50", "fast_runtime_agrees", "fast_runtime_max_abs_diff",
    "features_p50", "keras_call_p50", "keras_predict_p50", "keras_tf_function_p50", "model", "model_cost",
    "model_forward_p50", "model_forward_p95", "model_forward_p99", "model_source", "repeats", "runtime",
    "shipped_model", "strong_model", "system", "target_met", "targets", "threads", "throughput_utterances_per_s",
    "warmup",
}


def _probs(x, n_classes=3):
    z = np.asarray(x, np.float64).reshape(len(x), -1)[:, :n_classes]
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return (e / e.sum(axis=1, keepdims=True)).astype(np.float32)


class FakeKeras:
    def __init__(self):
        self.batches = []

    def predict(self, x, verbose=0, batch_size=None):
        self.batches.append(len(x))
        return _probs(x)

    def __call__(self, x, training=False):
        return _probs(x)


class FakeRec:
    """Stands in for an EmotionRecognizer: probabilities are a softmax of the first input values."""

    def __init__(self, keras_offset=0.0, path="fake_model"):
        self.path = Path(path)
        self.labels = ["angry", "happy", "sad"]
        self.feature_config = FakeConfig(16000, 30.0)
        self.keras_model = FakeKeras()
        self.classifier = SimpleNamespace(windows=lambda frames: np.stack([f[:2] for f in frames]),
                                          model_input=lambda frames: np.stack([f[:2] for f in frames]),
                                          n_parameters=123)
        self.input_shape = (2, 3)
        self.keras_offset = keras_offset
        self.batches = []

    def predict_windows(self, x):
        self.batches.append(len(x))
        return _probs(x)

    def keras_probabilities(self, x):
        p = _probs(x)
        p[:, 0] += self.keras_offset
        return p

    def windows_from_waveform(self, y, sr):
        return np.ones((1, 2, 3), np.float32)

    def predict_waveform(self, y, sr):
        return "angry", {}

    def predict_file(self, path):
        assert Path(path).is_file()
        return "angry", {}


class FakeFeatureSet:
    def __init__(self, n=6, seed=0):
        rng = np.random.default_rng(seed)
        self.frames = [rng.standard_normal((5, 3)).astype(np.float32) for _ in range(n)]
        self.manifest = pd.DataFrame({"path": [f"utt{i}.wav" for i in range(n)], "emotion": ["angry"] * n})

    def __len__(self):
        return len(self.frames)


def _features(monkeypatch, corpora=("a", "b")):
    calls = []

    def fake_extract(manifest, config, n_jobs=1):
        calls.append(config)
        return FakeFeatureSet()

    monkeypatch.setattr("serlib.features.extract.extract_features", fake_extract)
    return lm.FeatureSets({c: pd.DataFrame({"path": []}) for c in corpora}), calls


def _model_dir(root, name):
    d = root / "models" / name
    d.mkdir(parents=True)
    (d / "serlib_model.json").write_text("{}")
    (d / "model.keras").write_bytes(b"")
    return d


def test_timing_plan_quick_is_smaller_and_checks_its_fields():
    full, quick = TimingPlan.for_run(False), TimingPlan.for_run(True)
    assert (quick.repeats, quick.warmup, quick.slow_repeats, quick.batch_sizes) == (30, 5, 10, (1, 8, 32))
    assert (full.repeats, full.warmup, full.slow_repeats, full.batch_sizes) == (300, 20, 60, (1, 8, 32, 128))
    assert quick.check_utterances == 64 and full.check_utterances == 256 and quick.timeline_minutes == 1
    with pytest.raises(ValueError, match="repeats"):
        TimingPlan(repeats=0)
    with pytest.raises(ValueError, match="batch_sizes"):
        TimingPlan(batch_sizes=())
    with pytest.raises(ValueError, match="threads"):
        prepare_timing_process(0)


def test_saved_models_needs_both_files_and_keeps_corpus_order(tmp_path):
    _model_dir(tmp_path, "cnn_lstm_b")
    _model_dir(tmp_path, "cnn_lstm_a")
    (tmp_path / "models" / "cnn_lstm_c").mkdir()  # no model inside
    (tmp_path / "models" / "cnn_lstm_c" / "model.keras").write_bytes(b"")
    found = lm.saved_models(tmp_path / "models", ["c", "b", "a", "d"])
    assert list(found) == ["b", "a"] and found["a"] == tmp_path / "models" / "cnn_lstm_a"
    assert lm.saved_models(tmp_path / "models", ["a"], lm.STRONG_MODEL_PREFIX) == {}


def test_feature_sets_extract_once_per_corpus_and_config(monkeypatch):
    features, calls = _features(monkeypatch)
    first = features.get("a", "cfg1")
    assert features.get("a", "cfg1") is first and len(calls) == 1
    features.get("a", "cfg2")
    features.get("b", "cfg1")
    assert len(calls) == 3
    with pytest.raises(ValueError, match="unknown corpus 'z'"):
        features.get("z", "cfg1")
    with pytest.raises(ValueError, match="empty"):
        lm.FeatureSets({})


def test_notebook_04_model_is_timed_when_saved(tmp_path, monkeypatch):
    features, calls = _features(monkeypatch)
    _model_dir(tmp_path, "cnn_lstm_b")
    timed = lm.choose_timed_model(tmp_path, features, workdir=tmp_path / "tmp")
    assert timed.corpus == "b" and timed.source == "notebook 04 (models/cnn_lstm_b)" and not calls
    assert timed.fallback is None and timed.fallback_note() == "" and timed.label(tmp_path) == "models/cnn_lstm_b"
    assert list(timed.available) == ["b"]
    with pytest.raises(ValueError, match="fallback_epochs"):
        lm.choose_timed_model(tmp_path, features, workdir=tmp_path, fallback_epochs=0)
    fallback = lm.TimedModel("a", tmp_path / "x", "trained here", {},
                             {"fold": "fold 1", "n_train": 20, "accuracy": 0.5}, 4)
    assert fallback.label(tmp_path) == "fallback model (temporary, not kept)"
    assert "4 epochs on 20 utterances" in fallback.fallback_note() and "fold 1" in fallback.fallback_note()
    assert "50.0 %" in fallback.fallback_note()


def test_runtime_check_agrees_within_the_threshold_only():
    fs = FakeFeatureSet(n=6)
    ok = lm.compare_runtimes(FakeRec(), fs, n=4, seed=0)
    assert ok.agrees and ok.max_abs_diff == 0 and ok.message("c").startswith("OK: ")
    assert list(ok.table["utterances"]) == [4, 4] and list(ok.table["same predicted emotion (%)"]) == [100.0, 100.0]
    idx = np.random.default_rng(0).choice(6, size=4, replace=False)  # the same draw as the notebook's
    assert ok.paths == [f"utt{i}.wav" for i in idx] and ok.windows.shape == (4, 2, 3)
    bad = lm.compare_runtimes(FakeRec(keras_offset=1e-3), fs, n=100, seed=0)
    assert not bad.agrees and bad.max_abs_diff == pytest.approx(1e-3, rel=1e-3)
    assert bad.message("c").startswith("NOT MET: ") and "(> 1e-04) over 6 real utterances of c" in bad.message("c")
    with pytest.raises(ValueError, match="empty"):
        lm.compare_runtimes(FakeRec(), FakeFeatureSet(n=0))


def _clip(tmp_path):
    path = tmp_path / "clip.wav"
    sf.write(path, tone(1.0), 16000, subtype="PCM_16")
    return path


def test_time_stages_times_every_stage_and_the_other_thread_count(tmp_path, monkeypatch):
    loaded = []
    monkeypatch.setattr("serlib.deploy.saved_models.load_model",
                        lambda path, runtime, threads: loaded.append(threads) or FakeRec())
    monkeypatch.setattr(lm.os, "cpu_count", lambda: 4)
    stages = lm.time_stages(FakeRec(), FakeRec(), _clip(tmp_path), plan=TINY, threads=1)
    names = [r["name"] for r in stages.rows]
    assert names[:9] == [lm.KERAS_PREDICT, lm.KERAS_EAGER, lm.KERAS_TF_FUNCTION, lm.ONNX_FORWARD, lm.AUDIO_LOAD,
                         lm.FEATURES, lm.E2E_WAVEFORM, lm.E2E_FILE, lm.E2E_FILE_KERAS]
    assert names[9:] == [f"{lm.ONNX_FORWARD}, 4 threads"] and loaded == [4]
    assert stages.row(lm.KERAS_PREDICT)["n"] == TINY.slow_repeats and stages.row(lm.E2E_FILE)["n"] == TINY.repeats
    assert stages.row(names[-1])["threads"] == 4 and stages.row(lm.FEATURES)["threads"] == 1
    assert set(stages.times) == set(names) and stages.sample_rate == 16000 and stages.windows.shape == (1, 2, 3)
    assert list(stages.table.columns[-7:]) == ["p50", "p95", "p99", "mean", "min", "max", "n"]
    with pytest.raises(KeyError, match="no timed stage"):
        stages.row("nothing")


def test_batch_throughput_batches_cycle_the_pool():
    rec, rec_keras = FakeRec(), FakeRec()
    tp = lm.batch_throughput(rec, rec_keras, np.zeros((2, 2, 3), np.float32), plan=TINY)
    assert list(tp["runtime"]) == ["onnxruntime", "keras tf.function", "keras predict"] * 2
    assert list(tp["batch_size"]) == [1, 1, 1, 3, 3, 3]
    assert set(rec.batches) == {1, 3} and set(rec_keras.batches) == {1, 3} and set(rec.keras_model.batches) == {1, 3}
    with pytest.raises(ValueError, match="pool is empty"):
        lm.batch_throughput(rec, rec_keras, np.zeros((0, 2, 3)), plan=TINY)


def test_corpus_models_are_checked_and_timed(tmp_path, monkeypatch):
    features, _ = _features(monkeypatch)
    monkeypatch.setattr("serlib.deploy.saved_models.load_model",
                        lambda path, runtime, threads: FakeRec(keras_offset=0.5 if "b" in str(path) else 0.0))
    out = lm.check_corpus_models({"a": tmp_path / "m_a", "b": tmp_path / "m_b"}, features, plan=TINY, n=3)
    assert list(out) == ["a", "b"] and out["a"]["n_classes"] == 3
    assert out["a"]["fast_runtime_max_abs_diff"] == 0 and out["b"]["fast_runtime_max_abs_diff"] == pytest.approx(0.5)
    assert out["a"]["model_forward_p50"] <= out["a"]["model_forward_p95"]
    assert lm.time_strong_model(tmp_path, {"a": None}, None, plan=TINY) is None  # notebook 04 saved none


def _stage_times():
    rows = []
    for i, name in enumerate([lm.KERAS_PREDICT, lm.KERAS_EAGER, lm.KERAS_TF_FUNCTION, lm.ONNX_FORWARD, lm.AUDIO_LOAD,
                              lm.FEATURES, lm.E2E_WAVEFORM, lm.E2E_FILE, lm.E2E_FILE_KERAS]):
        p50 = {lm.KERAS_PREDICT: 50.0, lm.ONNX_FORWARD: 0.5, lm.E2E_FILE: 8.0, lm.FEATURES: 6.0}.get(name, 1.0 + i)
        rows.append({"name": name, "p50": p50, "p95": 2 * p50, "p99": 3 * p50, "min": p50 / 2})
    return lm.StageTimes(rows, {}, "clip.wav", np.zeros(10), 16000, np.zeros((1, 2, 3)))


def _metrics(tmp_path, *, fallback=None, per_corpus=None, strong=None, load=0.1):
    timed = lm.TimedModel("embedded", tmp_path / "models" / "cnn_lstm_embedded", "notebook 04 (x)", {}, fallback, 4)
    check = lm.RuntimeCheck(pd.DataFrame(), 1e-7, True, np.zeros((1, 2, 3)), ["a.wav"])
    tp = pd.DataFrame({"runtime": ["onnxruntime", "onnxruntime"], "batch_size": [1, 8],
                       "utterances_per_s": [100.0, 400.0]})
    system = {"cpu_model": "CPU", "usable_cpus": 2, "load_average_1m": load}
    return report.latency_metrics(_stage_times(), timed=timed, check=check, per_corpus=per_corpus or {}, throughput=tp,
                                  system=system, model_cost={"macs": 1}, strong=strong or {}, shipped={},
                                  plan=TINY, threads=1, clip_seconds=3, clip_sample_rate=22050, run_dir=tmp_path)


def test_latency_metrics_keep_the_keys_notebook_06_recorded(tmp_path):
    m = _metrics(tmp_path)
    assert set(m) == LATENCY_KEYS
    assert json.loads(json.dumps(m)) == m  # plain data
    assert m["model"] == "models/cnn_lstm_embedded" and m["model_forward_p50"] == 0.5 and m["end_to_end_p50"] == 8.0
    assert m["target_met"] == {"model_forward_p50": True, "end_to_end_p50": False}
    assert m["throughput_utterances_per_s"] == {"onnxruntime": {"1": 100.0, "8": 400.0}}
    assert m["clip_seconds"] == 3.0 and m["clip_sample_rate"] == 22050 and m["repeats"] == TINY.repeats
    assert m["fast_runtime_agrees"] and m["fast_runtime_max_abs_diff"] == 1e-7
    one_off = _metrics(tmp_path, per_corpus={"b": {"fast_runtime_max_abs_diff": 2e-4}})
    assert not one_off["fast_runtime_agrees"] and one_off["fast_runtime_max_abs_diff"] == 2e-4
    fb = _metrics(tmp_path, fallback={"fold": "f", "n_train": 3, "n_test": 2, "accuracy": 0.4})
    assert set(fb) == LATENCY_KEYS | {"fallback_model"} and fb["model"] == "fallback model (temporary, not kept)"
    with pytest.raises(ValueError, match="utterances_per_s"):
        report.latency_metrics(_stage_times(), timed=None, check=None, per_corpus={}, throughput=pd.DataFrame(
            {"runtime": [], "batch_size": []}), system={}, model_cost={}, strong={}, shipped={}, plan=TINY, threads=1,
            clip_seconds=3, clip_sample_rate=16000, run_dir=tmp_path)


def test_target_summary_and_verdicts(tmp_path):
    m = _metrics(tmp_path)
    summary = report.target_summary(m)
    assert list(summary.index) == ["model forward, ONNX Runtime", "end to end, 3-s file -> label", "features only",
                                   "Keras model.predict, batch 1"]
    assert list(summary["met"]) == [True, False, "", ""] and summary["target (ms)"].isna().sum() == 2
    lines = report.target_lines(m)
    assert lines[0] == "model_forward_p50: 0.500 ms measured, target 1 ms -> met"
    assert lines[1] == "end_to_end_p50: 8.000 ms measured, target 5 ms -> NOT met"
    assert "sits below our end-to-end p50 and above our model-forward p50" in lines[2]


def test_what_we_learned_says_why_a_target_was_missed(tmp_path):
    busy = report.what_we_learned(_metrics(tmp_path, load=3.0), _stage_times())
    assert any("Reached instead: 8.00 ms" in s and "fastest file -> label call took 4.00 ms" in s
               and "competing for the CPU" in s for s in busy)
    assert "factor of 100" in busy[1] and not any("strong hybrid" in s for s in busy)
    strong = {"n_parameters": 7, "input_shape": [64, 89], "model_forward_p50": 0.2, "end_to_end_p50": 100.0,
              "features_p50": 90.0, "corpus": "embedded"}
    quiet = report.what_we_learned(_metrics(tmp_path, load=0.1, strong=strong), _stage_times())
    assert any("The machine was not busy" in s for s in quiet)
    assert any("(7 parameters, input (64, 89))" in s for s in quiet)
    assert all(s.startswith("- ") for s in quiet)


def test_paper_comparison_rows_from_this_run(tmp_path):
    fb = _metrics(tmp_path, fallback={"fold": "f", "n_train": 3, "n_test": 2, "accuracy": 0.4})
    only_fallback = report.paper_comparison(fb, {}, fallback_epochs=4)
    t = only_fallback.table
    assert not only_fallback.has_notebook_04_accuracy and "fallback model's accuracy" in only_fallback.note
    assert (t["source"] == REPORTED).sum() == 11 and (t["source"] == MEASURED).sum() == 4
    assert t.iloc[-1]["approach"] == "CNN-LSTM fallback (4 epochs, notebook 06)" and t.iloc[-1]["accuracy_pct"] == 40
    other = {"cnn_lstm": {"embedded": {"speaker_independent": {"accuracy": 0.5, "accuracy_std": 0.1, "n_seeds": 3}}},
             "leaderboard": {"embedded": {"speaker_independent": {"cnn_lstm": {"wa": 0.6, "n_seeds": 2}}}}}
    with_04 = report.paper_comparison(_metrics(tmp_path), other)
    rows = with_04.table[with_04.table["source"] == MEASURED]
    assert with_04.has_notebook_04_accuracy and with_04.note == "" and len(rows) == 5
    assert list(rows["accuracy_pct"].dropna()) == [60.0, 50.0]
    assert "3 seeds (std 10.0 points)" in rows.iloc[-1]["note"]
    none = report.paper_comparison(_metrics(tmp_path), {})
    assert none.note.endswith("the reported rows only.")


def test_other_notebook_metrics_leave_out_this_notebook(tmp_path):
    (tmp_path / "04_x.json").write_text(json.dumps({"a": {"b": 1}}))
    (tmp_path / "05_y.json").write_text(json.dumps({"a": {"c": 2}}))
    (tmp_path / "06_latency_comparison.json").write_text(json.dumps({"latency_ms": {}}))
    assert report.other_notebook_metrics(tmp_path, "06_latency_comparison") == {"a": {"b": 1, "c": 2}}


def test_predict_demo_names_the_model_it_runs(tmp_path, monkeypatch):
    clip = _clip(tmp_path)
    runs = []

    def fake_run(cmd, **kw):
        runs.append((cmd, kw["cwd"]))
        return subprocess.CompletedProcess(cmd, 2, "file  emotion\n", "bad file\n")

    monkeypatch.setattr(report.subprocess, "run", fake_run)
    run_dir = tmp_path / "run"
    nb04 = lm.TimedModel("c", run_dir / "models" / "cnn_lstm_c", "nb04")
    demo = report.predict_demo(clip, tmp_path, run_dir=run_dir, timed=nb04, shipped=True)
    assert demo.command == "$ serlib predict --top 3 clip.wav not_audio.wav" and "--model" not in runs[-1][0]
    assert demo.transcript() == ("$ serlib predict --top 3 clip.wav not_audio.wav\nfile  emotion\n\n"
                                 "stderr: bad file\nexit code: 2")
    assert (tmp_path / "not_audio.wav").read_text().startswith("this is text")
    demo = report.predict_demo(clip, tmp_path, run_dir=run_dir, timed=nb04)
    assert demo.command.startswith("$ serlib predict --model models/cnn_lstm_c --top 3")
    fallback = lm.TimedModel("c", tmp_path / "fb", "fallback", {}, {"accuracy": 0.1}, 4)
    assert "--model FALLBACK_MODEL" in report.predict_demo(clip, tmp_path, run_dir=run_dir, timed=fallback).command
    strong = report.predict_demo(clip, tmp_path, run_dir=run_dir, timed=fallback,
                                 strong_path=run_dir / "models" / "strong")
    assert "--model models/strong" in strong.command and str(run_dir / "models" / "strong") in runs[-1][0]
    assert all(cwd == tmp_path for _, cwd in runs)
    with pytest.raises(ValueError, match="must be in the working folder"):
        report.predict_demo(clip, tmp_path / "elsewhere", run_dir=run_dir, timed=nb04)


def test_shipped_benchmark_lines_and_skip(tmp_path, monkeypatch):
    from serlib.deploy.runtime import ModelUnavailableError

    def unavailable(threads=1):
        raise ModelUnavailableError("no shipped model here")

    monkeypatch.setattr("serlib.deploy.runtime.ShippedModel", unavailable)
    skipped = bench.shipped_model_benchmark(_clip(tmp_path), pd.DataFrame({"path": ["a.wav"]}), tmp_path)
    assert skipped.skipped == "no shipped model here" and skipped.metrics == {} and skipped.lines() == []
    with pytest.raises(ValueError, match="manifest is empty"):
        bench.shipped_model_benchmark(_clip(tmp_path), pd.DataFrame({"path": []}), tmp_path)
    m = {"cold_start_s_median": 0.3, "cold_start_ratio": 0.1, "bare_librosa_s_median": 3.0,
         "target_met": {"cold_start_ratio": True}, "warm_end_to_end_p50": 3.2, "folder_n_files": 100,
         "folder_files_per_s": 500.0, "timeline_recording_s": 120.0, "timeline_segments": 40, "timeline_seconds": 2.0,
         "timeline_peak_rss_mb": 300.0}
    lines = bench.ShippedBenchmark(m, {}).lines()
    assert lines[0] == ("cold serlib predict: 0.30 s = 0.10 x the bare librosa call (3.00 s); target <= "
                        f"{bench.COLD_START_RATIO_TARGET:g} x -> met")
    assert ("a folder of 100 files: 500 files/s; a 2-minute recording: 40 segments in 2 s, peak memory 300 MB"
            in lines[1])

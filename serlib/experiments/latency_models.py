"""The models notebook 06 times, and how each is timed: choice and fallback, runtime check, stages, throughput.

Serves notebook 06_latency_comparison. Every function takes the run folder, the corpora's manifests, loaded
recognisers (:class:`serlib.deploy.saved_models.EmotionRecognizer`) and a
:class:`serlib.experiments.latency.TimingPlan`, and returns plain data (dicts, DataFrames, dataclasses); the
notebook displays and plots them. The timing rules themselves (warm-up excluded, interleaved rounds,
percentiles) are those of :mod:`serlib.experiments.latency`.

Stages timed with batch size 1 (names as in the ``06_latency`` table):

- four ways of calling the same network (:data:`KERAS_PREDICT`, :data:`KERAS_EAGER`, :data:`KERAS_TF_FUNCTION`,
  :data:`ONNX_FORWARD`);
- reading the file (:data:`AUDIO_LOAD`) and making the model input (:data:`FEATURES`);
- end to end from a waveform (:data:`E2E_WAVEFORM`) and from a file (:data:`E2E_FILE`, :data:`E2E_FILE_KERAS`).
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from serlib.experiments.latency import TimingPlan, measure_interleaved, results_table, summarize, throughput, time_calls

#: Names of the timed stages of the paper's CNN-LSTM (rows of the ``06_latency`` table).
KERAS_PREDICT = "model forward: Keras model.predict"
KERAS_EAGER = "model forward: Keras direct call (eager)"
KERAS_TF_FUNCTION = "model forward: Keras tf.function"
ONNX_FORWARD = "model forward: ONNX Runtime"
AUDIO_LOAD = "audio load (file -> 16 kHz waveform)"
FEATURES = "features (waveform -> model input)"
E2E_WAVEFORM = "end to end: waveform -> label (ONNX Runtime)"
E2E_FILE = "end to end: file -> label (ONNX Runtime)"
E2E_FILE_KERAS = "end to end: file -> label (Keras tf.function)"
#: Names of the timed stages of the strong CNN-BiLSTM (rows of the ``06_latency_strong_model`` table).
STRONG_FORWARD = "strong: model forward (ONNX Runtime)"
STRONG_FEATURES = "strong: features (waveform -> model input)"
STRONG_E2E_FILE = "strong: end to end, file -> label (ONNX Runtime)"
#: Folder prefixes of the models notebook 04 saves (``models/<prefix>_<corpus>`` in the run folder).
PAPER_MODEL_PREFIX = "cnn_lstm"
STRONG_MODEL_PREFIX = "conv_recurrent_cnn_lstm"


def saved_models(models_dir: str | os.PathLike, corpora, prefix: str = PAPER_MODEL_PREFIX) -> dict[str, Path]:
    """The complete model folders ``<models_dir>/<prefix>_<corpus>`` (Keras model and metadata) per corpus.

    Serves notebook 06_latency_comparison (which models notebook 04 saved in this run), in the order of ``corpora``.
    """
    dirs = {c: Path(models_dir) / f"{prefix}_{c}" for c in corpora}
    return {c: p for c, p in dirs.items() if (p / "serlib_model.json").is_file() and (p / "model.keras").is_file()}


class FeatureSets:
    """Frame features of the run's corpora, extracted once per corpus and feature configuration.

    Serves notebook 06_latency_comparison (the fallback model, the runtime checks and the per-corpus models share them).
    """

    def __init__(self, manifests: dict, n_jobs: int = 1):
        if not manifests:
            raise ValueError("no corpus: manifests is empty")
        self.manifests = dict(manifests)
        self.n_jobs = int(n_jobs)
        self._sets: dict = {}

    def get(self, corpus: str, config):
        """The :class:`serlib.features.extract.FeatureSet` of ``corpus`` under ``config`` (a progress bar on first
        use)."""
        if corpus not in self.manifests:
            raise ValueError(f"unknown corpus {corpus!r}; the run has {', '.join(self.manifests)}")
        if (corpus, config) not in self._sets:
            from serlib.features.extract import extract_features

            self._sets[corpus, config] = extract_features(self.manifests[corpus], config, n_jobs=self.n_jobs)
        return self._sets[corpus, config]


@dataclass
class TimedModel:
    """Which model notebook 06 times, and where it comes from.

    Attributes:
        corpus: the corpus it was trained on.
        path: its model folder.
        source: one line saying where it comes from (notebook 04, or the fallback trained here).
        available: the paper-architecture models notebook 04 saved in this run, per corpus.
        fallback: for a fallback model: its fold, training and test sizes and held-out metrics; else ``None``.
        fallback_epochs: epochs of the fallback model (``None`` when notebook 04's model is timed).
    """

    corpus: str
    path: Path
    source: str
    available: dict[str, Path] = field(default_factory=dict)
    fallback: dict | None = None
    fallback_epochs: int | None = None

    def fallback_note(self) -> str:
        """Markdown sentence announcing a fallback model ('' when notebook 04's model is timed)."""
        if not self.fallback:
            return ""
        return (f"**No model from notebook 04 in this run: timing a fallback model trained here** "
                f"({self.fallback_epochs} epochs on {self.fallback['n_train']} utterances of the training speakers of "
                f"{self.fallback['fold']}; accuracy on its held-out speakers {100 * self.fallback['accuracy']:.1f} %).")

    def label(self, run_dir: str | os.PathLike) -> str:
        """The model as ``metrics.json`` names it: its folder relative to the run, or the temporary fallback."""
        return os.path.relpath(self.path, run_dir) if self.fallback is None else "fallback model (temporary, not kept)"


def choose_timed_model(run_dir: str | os.PathLike, features: FeatureSets, *, workdir: str | os.PathLike,
                       seed: int = 0, fallback_epochs: int = 4) -> TimedModel:
    """The paper-architecture CNN-LSTM to time: notebook 04's, or a small fallback trained here.

    Serves notebook 06_latency_comparison, section 1. The first corpus (in the run's order) with a saved
    ``models/cnn_lstm_<corpus>`` is timed. Without one (notebook 04 not run), a CNN-LSTM is trained for
    ``fallback_epochs`` epochs on the training speakers of the first speaker-independent fold of the first
    corpus, tested on its held-out speakers, and saved in ``workdir`` (a temporary folder, never the run folder).

    Args:
        run_dir: the run's output folder (its ``models`` subfolder is searched).
        features: the run's corpora and their feature cache.
        workdir: where a fallback model is saved.
        seed: fold and training seed of the fallback model.
        fallback_epochs: its epochs (>= 1).
    """
    if int(fallback_epochs) < 1:
        raise ValueError(f"fallback_epochs must be >= 1, got {fallback_epochs}")
    have = saved_models(Path(run_dir) / "models", features.manifests, PAPER_MODEL_PREFIX)
    if have:
        primary = next(iter(have))
        return TimedModel(primary, have[primary], f"notebook 04 (models/{PAPER_MODEL_PREFIX}_{primary})", have)
    from serlib.evaluation.metrics import classification_metrics
    from serlib.evaluation.splits import speaker_independent_folds
    from serlib.features.frames import FeatureConfig
    from serlib.models.cnn_lstm import CnnLstmClassifier, CnnLstmConfig

    primary = next(iter(features.manifests))
    epochs = int(fallback_epochs)
    fs = features.get(primary, FeatureConfig())
    fold = speaker_independent_folds(fs.manifest, seed=seed)[0]
    labels = fs.manifest["emotion"].astype(str).to_numpy()
    clf = CnnLstmClassifier(FeatureConfig(), CnnLstmConfig(epochs=epochs, utterance_norm="mean", early_stopping=False),
                            seed=seed)
    clf.fit([fs.frames[i] for i in fold.train], labels[fold.train])
    pred = clf.predict([fs.frames[i] for i in fold.test])
    info = {"fold": fold.name, "n_train": int(len(fold.train)), "n_test": int(len(fold.test)),
            **classification_metrics(labels[fold.test], pred)}
    path = clf.save(Path(workdir) / f"fallback06_cnn_lstm_{primary}")
    source = f"trained in notebook 06 (fallback, {epochs} epochs, no notebook-04 model in this run)"
    return TimedModel(primary, Path(path), source, {}, info, epochs)


@dataclass
class RuntimeCheck:
    """ONNX Runtime and Keras ``predict`` compared with Keras (``tf.function``) on real utterances.

    Attributes:
        table: one row per comparison (utterances, largest probability difference, same predicted emotion).
        max_abs_diff: largest |p_onnx - p_keras|.
        agrees: whether it is within :data:`serlib.deploy.saved_models.MAX_ABS_DIFF`.
        windows: the model input of the compared utterances (reused for the throughput measurement).
        paths: their audio files, in the same order.
    """

    table: pd.DataFrame
    max_abs_diff: float
    agrees: bool
    windows: np.ndarray
    paths: list[str]

    def message(self, corpus: str) -> str:
        """One line: OK or NOT MET, with the difference and the threshold."""
        from serlib.deploy.saved_models import MAX_ABS_DIFF

        ok = self.agrees
        return (("OK: " if ok else "NOT MET: ") + f"largest probability difference {self.max_abs_diff:.2e} "
                f"({'<=' if ok else '>'} {MAX_ABS_DIFF:.0e}) over {len(self.paths)} real utterances of {corpus}")


def compare_runtimes(rec, feature_set, *, n: int = 256, seed: int = 0) -> RuntimeCheck:
    """Compare ONNX Runtime and Keras ``predict`` with Keras's ``tf.function`` on up to ``n`` real utterances.

    Serves notebook 06_latency_comparison, section 2. Utterances are drawn without replacement with ``seed``.

    Args:
        rec: an ONNX-runtime recogniser (:func:`serlib.deploy.saved_models.load_model`).
        feature_set: the frames of its corpus under its feature configuration.
        n: at most this many utterances (>= 1).
        seed: which utterances.
    """
    from serlib.deploy.saved_models import MAX_ABS_DIFF, max_abs_diff

    if len(feature_set) == 0:
        raise ValueError("no utterance to compare the runtimes on: the feature set is empty")
    if int(n) < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    idx = np.random.default_rng(seed).choice(len(feature_set), size=min(len(feature_set), int(n)), replace=False)
    x = rec.classifier.windows([feature_set.frames[i] for i in idx])
    p_onnx, p_keras = rec.predict_windows(x), rec.keras_probabilities(x)
    p_predict = rec.keras_model.predict(x, verbose=0)
    diff_onnx = max_abs_diff(p_onnx, p_keras)
    table = pd.DataFrame({
        "comparison": ["ONNX Runtime vs Keras (tf.function)", "Keras predict vs Keras (tf.function)"],
        "utterances": [len(idx)] * 2,
        "max |p difference|": [diff_onnx, max_abs_diff(p_predict, p_keras)],
        "same predicted emotion (%)": [100 * float(np.mean(p.argmax(1) == p_keras.argmax(1)))
                                       for p in (p_onnx, p_predict)],
    })
    paths = [str(feature_set.manifest.iloc[int(i)]["path"]) for i in idx]
    return RuntimeCheck(table, diff_onnx, bool(diff_onnx <= MAX_ABS_DIFF), x, paths)


def _stage(name: str, kind: str, runtime: str, fn, repeats: int, threads: int) -> dict:
    return {"name": name, "fn": fn, "repeats": int(repeats),
            "labels": {"stage": kind, "runtime": runtime, "batch_size": 1, "threads": int(threads)}}


@dataclass
class StageTimes:
    """Batch-1 timings of one model's stages on the test clip.

    Attributes:
        rows: one :func:`serlib.experiments.latency.summarize` row per stage (``name``, labels, percentiles).
        times: raw durations in ms per stage name (for the distribution plot).
        clip_path: the timed clip; waveform: the clip at ``sample_rate``; windows: its model input.
    """

    rows: list[dict]
    times: dict[str, np.ndarray]
    clip_path: str
    waveform: np.ndarray
    sample_rate: int
    windows: np.ndarray

    @property
    def table(self) -> pd.DataFrame:
        """The rows as a table, percentiles last, rounded to µs."""
        return results_table(self.rows)

    def row(self, name: str) -> dict:
        """The row of one stage (a ``KeyError`` names the stages there are)."""
        for r in self.rows:
            if r["name"] == name:
                return r
        raise KeyError(f"no timed stage {name!r}; timed: {', '.join(r['name'] for r in self.rows)}")


def time_stages(rec, rec_keras, clip_path: str | os.PathLike, *, plan: TimingPlan, threads: int = 1) -> StageTimes:
    """Time every stage of the paper's CNN-LSTM on one clip with batch size 1, in interleaved rounds.

    Serves notebook 06_latency_comparison, section 3. Stages: the network called four ways (Keras ``predict``,
    eager call, ``tf.function``, ONNX Runtime), reading the file, making the model input, and end to end
    (waveform -> label, file -> label with ONNX Runtime and with Keras). ONNX Runtime's forward pass is also
    timed with the other thread count (1 or all cores) for comparison.

    Args:
        rec: ONNX-runtime recogniser.
        rec_keras: the same model with the Keras runtime.
        clip_path: the test clip (e.g. from :func:`serlib.experiments.latency.make_test_clip`).
        plan: repeats, warm-up and rounds.
        threads: the intra-op threads ``rec`` was loaded with (recorded in each row).
    """
    from serlib.data.audio import load_audio
    from serlib.deploy.saved_models import load_model

    clip_path = os.fspath(clip_path)
    sr = rec.feature_config.sample_rate
    y16 = load_audio(clip_path, sr)
    x1 = rec.windows_from_waveform(y16, sr)
    model, keras_fn, t = rec.keras_model, rec_keras.predict_windows, int(threads)
    fast, slow = plan.repeats, plan.slow_repeats
    specs = [
        _stage(KERAS_PREDICT, "model forward", "keras predict", lambda: model.predict(x1, verbose=0), slow, t),
        _stage(KERAS_EAGER, "model forward", "keras eager", lambda: model(x1, training=False), slow, t),
        _stage(KERAS_TF_FUNCTION, "model forward", "keras tf.function", lambda: keras_fn(x1), fast, t),
        _stage(ONNX_FORWARD, "model forward", "onnxruntime", lambda: rec.predict_windows(x1), fast, t),
        _stage(AUDIO_LOAD, "audio load", "-", lambda: load_audio(clip_path, sr), fast, t),
        _stage(FEATURES, "features", "-", lambda: rec.windows_from_waveform(y16, sr), fast, t),
        _stage(E2E_WAVEFORM, "end to end (waveform)", "onnxruntime", lambda: rec.predict_waveform(y16, sr), fast, t),
        _stage(E2E_FILE, "end to end (file)", "onnxruntime", lambda: rec.predict_file(clip_path), fast, t),
        _stage(E2E_FILE_KERAS, "end to end (file)", "keras tf.function", lambda: rec_keras.predict_file(clip_path),
               fast, t),
    ]
    for other in sorted({1, os.cpu_count() or 1} - {t}):  # the other thread count, for comparison
        rec_t = load_model(rec.path, runtime="onnx", threads=other)
        specs.append(_stage(f"{ONNX_FORWARD}, {other} threads", "model forward", "onnxruntime",
                            lambda r=rec_t: r.predict_windows(x1), fast, other))
    rows, times = measure_interleaved(specs, rounds=plan.rounds, warmup=plan.warmup, progress=True)
    return StageTimes(rows, times, clip_path, y16, int(sr), x1)


def batch_throughput(rec, rec_keras, pool: np.ndarray, *, plan: TimingPlan) -> pd.DataFrame:
    """Utterances per second of the network for each batch size of ``plan``, for three ways of calling it.

    Serves notebook 06_latency_comparison, section 4. Batches are made of the model inputs in ``pool`` (cycled
    when the batch is larger than the pool); runtimes: ONNX Runtime, Keras ``tf.function``, Keras ``predict``.

    Args:
        rec: ONNX-runtime recogniser.
        rec_keras: the same model with the Keras runtime.
        pool: model inputs of real utterances (e.g. :attr:`RuntimeCheck.windows`), not empty.
        plan: batch sizes and timed calls per batch size.

    Returns:
        one :func:`serlib.experiments.latency.throughput` row per batch size and runtime, with ``runtime``.
    """
    from serlib.reporting.progress import tqdm

    if len(pool) == 0:
        raise ValueError("no model input to make batches of: pool is empty")
    model, keras_fn, rows = rec.keras_model, rec_keras.predict_windows, []
    for b in tqdm(plan.batch_sizes, desc="throughput"):
        xb = pool[np.arange(b) % len(pool)]
        for runtime, fn in (("onnxruntime", lambda: rec.predict_windows(xb)),
                            ("keras tf.function", lambda: keras_fn(xb)),
                            ("keras predict", lambda: model.predict(xb, verbose=0, batch_size=b))):
            rows.append({"runtime": runtime, **throughput(fn, b, repeats=plan.throughput_repeats, warmup=2)})
    return pd.DataFrame(rows)


def check_corpus_models(models: dict, features: FeatureSets, *, plan: TimingPlan, threads: int = 1, seed: int = 0,
                        n: int = 64) -> dict[str, dict]:
    """Each corpus's model: ONNX export checked on ``n`` real utterances, batch-1 forward pass timed.

    Serves notebook 06_latency_comparison, section 5.

    Args:
        models: corpus -> model folder (:func:`saved_models`, :attr:`TimedModel.available`).
        features: the run's feature sets.
        plan: timed calls and warm-up of the forward pass.
        threads: ONNX Runtime intra-op threads.
        seed: which utterances are checked.
        n: at most this many utterances per corpus.

    Returns:
        ``{corpus: {fast_runtime_max_abs_diff, model_forward_p50, model_forward_p95, n_classes}}``.
    """
    from serlib.deploy.saved_models import load_model, max_abs_diff
    from serlib.reporting.progress import tqdm

    out = {}
    for c, p in tqdm(list(models.items()), desc="per-corpus models"):
        r = load_model(p, runtime="onnx", threads=threads)
        fsc = features.get(c, r.feature_config)
        ic = np.random.default_rng(seed).choice(len(fsc), size=min(len(fsc), int(n)), replace=False)
        xc = r.classifier.windows([fsc.frames[i] for i in ic])
        d = max_abs_diff(r.predict_windows(xc), r.keras_probabilities(xc))
        s = summarize(time_calls(lambda: r.predict_windows(xc[:1]), repeats=plan.repeats, warmup=plan.warmup))
        out[c] = {"fast_runtime_max_abs_diff": d, "model_forward_p50": s["p50"], "model_forward_p95": s["p95"],
                  "n_classes": len(r.labels)}
    return out


@dataclass
class StrongModelTimes:
    """The strong CNN-BiLSTM of notebook 04, timed: its model folder, stage table and ``metrics.json`` entry."""

    corpus: str
    path: Path
    table: pd.DataFrame
    metrics: dict

    def summary(self) -> str:
        """One line: model, input shape, parameters, ONNX-vs-Keras difference."""
        m = self.metrics
        return (f"strong model {m['model']}: input {tuple(m['input_shape'])}, {m['n_parameters']} parameters, "
                f"ONNX vs Keras max |p difference| {m['fast_runtime_max_abs_diff']:.1e}")


def time_strong_model(run_dir: str | os.PathLike, manifests: dict, stages: StageTimes, *, prefer: str | None = None,
                      plan: TimingPlan, threads: int = 1, seed: int = 0, n_jobs: int = 1) -> StrongModelTimes | None:
    """Time the strong CNN-BiLSTM notebook 04 saved (``models/conv_recurrent_cnn_lstm_<corpus>``), if any.

    Serves notebook 06_latency_comparison, section 5b. Its ONNX export is checked on 64 real utterances of its
    corpus, then its forward pass, its feature extraction and file -> label are timed on the clip of ``stages``
    (batch 1, interleaved rounds), as the paper's model was.

    Args:
        run_dir: the run folder; manifests: the run's corpora.
        stages: the paper model's :func:`time_stages` result (its clip and waveform are reused).
        prefer: the corpus whose model to take when several were saved (else the first).

    Returns:
        ``None`` when notebook 04 saved no strong model in this run.
    """
    from serlib.deploy.saved_models import load_model, max_abs_diff
    from serlib.features.extract import extract_features

    have = saved_models(Path(run_dir) / "models", manifests, STRONG_MODEL_PREFIX)
    if not have:
        return None
    sc = prefer if prefer in have else next(iter(have))
    srec = load_model(have[sc], runtime="onnx", threads=threads)
    fss = extract_features(manifests[sc], srec.feature_config, n_jobs=n_jobs, progress=False)
    ics = np.random.default_rng(seed).choice(len(fss), size=min(len(fss), 64), replace=False)
    xs = srec.classifier.model_input([fss.frames[i] for i in ics])
    diff = max_abs_diff(srec.predict_windows(xs), srec.keras_probabilities(xs))
    y, sr, clip = stages.waveform, stages.sample_rate, stages.clip_path
    x1s = srec.windows_from_waveform(y, sr)
    specs = [
        _stage(STRONG_FORWARD, "model forward", "onnxruntime", lambda: srec.predict_windows(x1s), plan.repeats,
               threads),
        _stage(STRONG_FEATURES, "features", "-", lambda: srec.windows_from_waveform(y, sr), plan.repeats, threads),
        _stage(STRONG_E2E_FILE, "end to end (file)", "onnxruntime", lambda: srec.predict_file(clip), plan.repeats,
               threads),
    ]
    rows, _ = measure_interleaved(specs, rounds=plan.rounds, warmup=plan.warmup, progress=True)
    by = {r["name"]: r for r in rows}
    metrics = {
        "model": os.path.relpath(have[sc], run_dir), "corpus": sc, "input_shape": list(srec.input_shape),
        "n_parameters": int(srec.classifier.n_parameters), "fast_runtime_max_abs_diff": diff,
        "model_forward_p50": by[STRONG_FORWARD]["p50"], "model_forward_p95": by[STRONG_FORWARD]["p95"],
        "features_p50": by[STRONG_FEATURES]["p50"],
        "end_to_end_p50": by[STRONG_E2E_FILE]["p50"], "end_to_end_p95": by[STRONG_E2E_FILE]["p95"],
    }
    return StrongModelTimes(sc, have[sc], results_table(rows), metrics)

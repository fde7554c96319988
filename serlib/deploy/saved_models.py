"""Use a trained model on your own audio: load it, predict a waveform or a file, run it fast.

Serves notebook 06_latency_comparison and the command line (``python -m serlib predict FILE ...``).

A model folder is what :meth:`serlib.models.cnn_lstm.CnnLstmClassifier.save` (the paper's OSW CNN-LSTM) or
:meth:`serlib.models.conv_recurrent.ConvRecurrentClassifier.save` (the whole-utterance CNN-BiLSTM) writes (``model.keras`` and
``serlib_model.json`` with its format, the label set, the feature configuration and the training-set
normalisation, which is also a layer inside the Keras model; :data:`MODEL_FORMATS`). Prediction uses the very
code used for training:

- a file goes through the feature extraction worker of :func:`serlib.features.extract.extract_features` (same audio
  checks, silence trimming and :func:`serlib.features.frames.compute_frame_features`);
- a waveform goes through the same steps as :func:`serlib.data.audio.load_audio` (mono, silence check,
  resampling with soxr, trimming), then the same feature function;
- frames become the model input with the estimator's own ``model_input`` (OSW windows, or the centre crop /
  repetition to ``max_frames``).

Two runtimes run the same weights:

- ``"keras"``: the Keras model called through a ``tf.function`` (``training=False``: SpecAugment and dropout
  are off);
- ``"onnx"`` (default, the fast runtime): the model exported with tf2onnx and run by ONNX Runtime with an
  explicit number of intra-op threads. The export is checked against Keras (largest absolute probability
  difference at most :data:`MAX_ABS_DIFF`) and cached under ``<cache>/onnx/`` keyed by the model file's
  hash, so later loads do not even import TensorFlow.

Export notes (TensorFlow 2.21 / Keras 3): tf2onnx turns the normalisation constants that Keras 3 captures
into extra graph *inputs*; :func:`export_onnx` turns them back into initialisers with the captured values.
LiteRT (``ai-edge-litert``) was tried too: the LSTM's tensor lists only convert with a fixed batch size and
a frozen graph, and the resulting ``WHILE`` loop was much slower than ONNX Runtime here, so ONNX Runtime is
the fast runtime.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import os
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from serlib.deploy.runtime import onnx_session
from serlib.features.frames import FeatureConfig
from serlib.storage import atomic_write_bytes, default_cache_dir, file_content_hash

#: Runtimes understood by :func:`load_model` (the first is the default).
RUNTIMES = ("onnx", "keras")
#: Largest accepted absolute difference between fast-runtime and Keras probabilities.
MAX_ABS_DIFF = 1e-4
#: ONNX opset used for the export.
ONNX_OPSET = 17
#: One-line message when no model can be found.
NO_MODEL_MESSAGE = "no trained model found; run `python run_all.py` first or pass --model"
#: Globs (inside a run folder) of the models notebook 04 saves, in order of preference: the strong
#: whole-utterance CNN-BiLSTM (one file at a time), then the paper-architecture OSW CNN-LSTM.
MODEL_GLOBS = ("models/conv_recurrent_cnn_lstm_*", "models/cnn_lstm_*")
MODEL_GLOB = MODEL_GLOBS[-1]
_EXPORT_VERSION = "serlib-onnx/1"


class ModelNotFoundError(FileNotFoundError):
    """No usable model folder; ``str(err)`` is a one-line reason."""


class ExportError(RuntimeError):
    """The fast-runtime export failed or disagrees with Keras; ``str(err)`` is a one-line reason."""


# -- finding a model ------------------------------------------------------------------------------------
def repo_root() -> Path:
    """The project folder holding ``serlib/`` (where ``runs/`` and ``figures/`` live)."""
    return Path(__file__).resolve().parents[1]


def _is_model_dir(p: Path) -> bool:
    return (p / "serlib_model.json").is_file() and (p / "model.keras").is_file()


def _newest(folders) -> Path | None:
    found = [p for p in folders if _is_model_dir(p)]
    if not found:
        return None
    return max(found, key=lambda p: ((p / "serlib_model.json").stat().st_mtime, str(p)))


def find_latest_model(runs_dir: str | os.PathLike | None = None,
                      reference_dir: str | os.PathLike | None = None) -> Path:
    """The newest model saved by a run, else the committed reference run's model.

    Serves the command line and notebook 06. Looks for ``<runs>/*/models/conv_recurrent_cnn_lstm_*`` (the
    strong hybrid), then ``<runs>/*/models/cnn_lstm_*`` (newest ``serlib_model.json`` wins), where ``<runs>`` is
    ``runs_dir``, else ``$SERLIB_RUNS_DIR``, else ``<repo>/runs``; then for the same folders under
    ``<reference>/`` with ``<reference>`` = ``reference_dir`` or ``<repo>/figures``.

    Raises:
        ModelNotFoundError: with :data:`NO_MODEL_MESSAGE`.
    """
    runs = Path(runs_dir) if runs_dir is not None else Path(os.environ.get("SERLIB_RUNS_DIR") or repo_root() / "runs")
    ref = Path(reference_dir) if reference_dir is not None else repo_root() / "figures"
    newest = None
    for folder, pattern in [(runs, f"*/{g}") for g in MODEL_GLOBS] + [(ref, g) for g in MODEL_GLOBS]:
        if newest is None and folder.is_dir():
            newest = _newest(folder.glob(pattern))
    if newest is None:
        raise ModelNotFoundError(NO_MODEL_MESSAGE)
    return newest


def resolve_model_path(path: str | os.PathLike | None = None) -> Path:
    """A model folder from a user's ``--model``: a model folder, one of its two files, or a run folder.

    ``None`` means :func:`find_latest_model`.

    Raises:
        ModelNotFoundError: one-line reason.
    """
    if path is None:
        return find_latest_model()
    p = Path(path).expanduser()
    if p.is_file() and p.name in ("model.keras", "serlib_model.json"):
        p = p.parent
    if _is_model_dir(p):
        return p
    if p.is_dir():
        for pattern in MODEL_GLOBS:
            newest = _newest(p.glob(pattern))
            if newest is not None:
                return newest
    if not p.exists():
        raise ModelNotFoundError(f"model {path}: no such file or folder")
    raise ModelNotFoundError(f"model {path}: not a serlib model folder (expected serlib_model.json and model.keras)")


@dataclasses.dataclass(frozen=True)
class ModelFormat:
    """How one saved-model format becomes model input: its estimator, its configuration class and the name
    of the network's input (also the ONNX graph's input)."""

    name: str
    estimator: str
    config: str
    input_name: str

    def classes(self):
        """``(estimator class, config class)``, imported on demand (no TensorFlow import)."""
        import importlib

        (em, ec), (cm, cc) = (self.estimator.rsplit(".", 1), self.config.rsplit(".", 1))
        return getattr(importlib.import_module(em), ec), getattr(importlib.import_module(cm), cc)


#: Saved-model formats (``serlib_model.json: format``): the paper's OSW CNN-LSTM and the whole-utterance CNN-BiLSTM.
MODEL_FORMATS = {
    "serlib.cnn_lstm/1": ModelFormat("serlib.cnn_lstm/1", "serlib.models.cnn_lstm.CnnLstmClassifier",
                                     "serlib.models.cnn_lstm.CnnLstmConfig", "osw_windows"),
    "serlib.conv_recurrent/1": ModelFormat("serlib.conv_recurrent/1", "serlib.models.conv_recurrent.ConvRecurrentClassifier",
                                           "serlib.models.conv_recurrent.ConvRecurrentConfig", "frames"),
}


def model_input_shape(meta: dict) -> tuple[int, ...]:
    """Shape of one model input for a model's metadata (:func:`read_model_metadata`)."""
    fc, mc = meta["feature_config"], meta["model_config"]
    if meta["format"] == "serlib.conv_recurrent/1":
        return (mc.max_frames, fc.n_features)
    return (mc.n_windows, fc.window_frames, fc.n_features)


def read_model_metadata(folder: str | os.PathLike) -> dict:
    """``serlib_model.json`` of a model folder, with ``feature_config`` / ``model_config`` as objects.

    Reading the metadata does not import TensorFlow.
    """
    folder = Path(folder)
    try:
        meta = json.loads((folder / "serlib_model.json").read_text())
        meta.setdefault("format", "serlib.cnn_lstm/1")
        if meta["format"] not in MODEL_FORMATS:
            raise ValueError(f"unknown model format {meta['format']!r} (known: {', '.join(MODEL_FORMATS)})")
        _, config_cls = MODEL_FORMATS[meta["format"]].classes()
        known = {f.name for f in dataclasses.fields(config_cls)}
        mc = {k: tuple(v) if isinstance(v, list) else v for k, v in meta["model_config"].items() if k in known}
        meta["feature_config"] = FeatureConfig(**meta["feature_config"])
        meta["model_config"] = config_cls(**mc)
        meta["labels"] = [str(label) for label in meta["labels"]]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise ModelNotFoundError(f"model {folder}: unreadable serlib_model.json ({type(err).__name__}: {err})") from None
    return meta


def model_hash(folder: str | os.PathLike) -> str:
    """Short SHA-256 of a model folder's ``model.keras`` (the ONNX cache key)."""
    return file_content_hash(Path(folder) / "model.keras")[:20]


# -- audio -> model input ----------------------------------------------------------------------------
def waveform_frames(y, sr: int, config: FeatureConfig) -> np.ndarray:
    """Frame features of a waveform: the same preparation and features as a training file."""
    from serlib.features.frames import frames_from_waveform

    return frames_from_waveform(y, sr, config)


def file_frames(path: str | os.PathLike, config: FeatureConfig) -> np.ndarray:
    """Frame features of a file through the training feature path (no cache).

    Raises:
        AudioError: one-line reason (missing, empty, unreadable, not audio, NaN/inf, silent, too short).
    """
    from serlib.features.frames import frames_from_file

    return frames_from_file(os.fspath(path), config)


# -- runtimes --------------------------------------------------------------------------------------
@contextmanager
def _quiet_tensorflow():
    """Silence TensorFlow / tf2onnx Python logging (deprecation notes) during export."""
    names = ("tensorflow", "tf2onnx", "absl")
    old = {n: logging.getLogger(n).level for n in names}
    for n in names:
        logging.getLogger(n).setLevel(logging.ERROR)
    try:
        yield
    finally:
        for n, level in old.items():
            logging.getLogger(n).setLevel(level)


def keras_forward(model):
    """``model(x, training=False)`` as a ``tf.function`` over any batch size, returning numpy.

    A direct (eager) Keras call runs the LSTM step by step in Python and is slow for single inputs; the
    ``tf.function`` is traced once per input shape.
    """
    import tensorflow as tf

    spec = tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32)
    fn = tf.function(lambda x: model(x, training=False), input_signature=[spec])
    return lambda x: fn(np.asarray(x, dtype=np.float32)).numpy()


def _subgraph_inputs(graph) -> set[str]:
    used = set()
    for node in graph.node:
        used.update(node.input)
        for attr in node.attribute:
            if attr.g is not None and len(attr.g.node):
                used |= _subgraph_inputs(attr.g)
            for g in attr.graphs:
                used |= _subgraph_inputs(g)
    return used


def export_onnx(model, *, opset: int = ONNX_OPSET, input_name: str = "osw_windows"):
    """Export a Keras model to an ONNX ``ModelProto`` (``training=False``, dynamic batch size).

    Keras 3 keeps the normalisation mean/variance as captured constants that tf2onnx exposes as graph
    inputs; they are put back as initialisers with their captured values (unused ones are dropped).

    Raises:
        ExportError: one-line reason if the converted graph still needs inputs other than the windows.
    """
    import tensorflow as tf
    import tf2onnx
    from onnx import numpy_helper

    spec = tf.TensorSpec((None,) + tuple(model.input_shape[1:]), tf.float32, name=input_name)
    fn = tf.function(lambda x: model(x, training=False), input_signature=[spec])
    concrete = fn.get_concrete_function()
    captured = {internal.name: external for external, internal in concrete.graph.captures
                if external.dtype != tf.resource}
    with _quiet_tensorflow():
        proto, _ = tf2onnx.convert.from_function(fn, input_signature=[spec], opset=opset)
    graph = proto.graph
    used = _subgraph_inputs(graph)
    for inp in list(graph.input):
        if inp.name in captured:
            graph.input.remove(inp)
            if inp.name in used:
                graph.initializer.append(numpy_helper.from_array(np.asarray(captured[inp.name]), inp.name))
    extra = [i.name for i in graph.input if i.name != input_name]
    if extra:
        raise ExportError(f"ONNX export left unexpected inputs: {', '.join(extra)}")
    return proto


def check_inputs(meta: dict, n: int = 16, seed: int = 0) -> np.ndarray:
    """Synthetic model inputs at the scale of the training features (normaliser mean/std), for export checks."""
    fc = meta["feature_config"]
    shape = (n,) + model_input_shape(meta)
    rng = np.random.default_rng(seed)
    norm = meta.get("normalizer") or {}
    mean = np.asarray(norm["mean"], np.float32) if norm.get("mean") is not None else np.zeros(fc.n_features, np.float32)
    std = np.asarray(norm["std"], np.float32) if norm.get("std") is not None else np.full(fc.n_features, 10, np.float32)
    return (rng.standard_normal(shape) * std + mean).astype(np.float32)


def max_abs_diff(a, b) -> float:
    """Largest absolute element-wise difference of two probability arrays of the same shape."""
    a, b = np.asarray(a, np.float64), np.asarray(b, np.float64)
    if a.shape != b.shape:
        raise ValueError(f"shapes differ: {a.shape} vs {b.shape}")
    return float(np.max(np.abs(a - b))) if a.size else 0.0


# -- the recogniser --------------------------------------------------------------------------------
class EmotionRecognizer:
    """A trained model (either format of :data:`MODEL_FORMATS`) ready for prediction on waveforms and files.

    Serves notebook 06 and the command line. Build it with :func:`load_model`.

    Attributes:
        path: the model folder.
        labels: emotion labels, in the order of the probability columns.
        feature_config: the feature configuration the model was trained with.
        runtime: ``"onnx"`` or ``"keras"``.
        threads: ONNX Runtime intra-op threads.
        export_max_abs_diff: for ``"onnx"``, the largest |p_onnx - p_keras| found when the export was checked.
    """

    def __init__(self, path: str | os.PathLike, runtime: str = RUNTIMES[0], threads: int = 1,
                 cache_dir: str | os.PathLike | None = None):
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {', '.join(RUNTIMES)}, got {runtime!r}")
        if int(threads) < 1:
            raise ValueError(f"threads must be >= 1, got {threads}")
        self.path = Path(path)
        if not _is_model_dir(self.path):
            raise ModelNotFoundError(f"model {path}: not a serlib model folder (expected serlib_model.json and model.keras)")
        self.meta = read_model_metadata(self.path)
        self.labels: list[str] = self.meta["labels"]
        self.feature_config: FeatureConfig = self.meta["feature_config"]
        self.runtime = runtime
        self.threads = int(threads)
        self.cache_dir = Path(cache_dir) if cache_dir is not None else default_cache_dir()
        self.format = MODEL_FORMATS[self.meta["format"]]
        self._estimator_cls, _ = self.format.classes()
        # The estimator object builds the model input (same code as training); its Keras model loads lazily.
        self._windower = self._estimator_cls(self.feature_config, self.meta["model_config"], self.meta.get("seed", 0))
        self._windower.labels_ = list(self.labels)
        self._classifier = None
        self._keras_fn = None
        self._session = None
        self.export_max_abs_diff: float | None = None
        self.onnx_path: Path | None = None
        if runtime == "onnx":
            self._session = self._onnx_session()
        else:
            self._keras_fn = keras_forward(self.classifier.model)

    # model access -----------------------------------------------------------------------------------
    @property
    def classifier(self):
        """The estimator with its Keras model (loads TensorFlow on first use)."""
        if self._classifier is None:
            self._classifier = self._estimator_cls.load(self.path)
        return self._classifier

    @property
    def keras_model(self):
        return self.classifier.model

    def keras_probabilities(self, x: np.ndarray) -> np.ndarray:
        """Probabilities from the Keras model (``tf.function``, ``training=False``) whatever the runtime."""
        if self._keras_fn is None:
            self._keras_fn = keras_forward(self.keras_model)
        return self._keras_fn(x)

    def _onnx_session(self):
        from importlib.metadata import PackageNotFoundError, version

        try:
            converter = version("tf2onnx")
        except PackageNotFoundError:  # pragma: no cover - tf2onnx is needed for the export anyway
            converter = "unknown"
        key = hashlib.sha256(f"{_EXPORT_VERSION}|{self.format.name}|{model_hash(self.path)}|{ONNX_OPSET}|{converter}"
                             .encode()).hexdigest()[:24]
        onnx_path = self.cache_dir / "onnx" / f"{key}.onnx"
        info_path = onnx_path.with_suffix(".json")
        if onnx_path.is_file() and info_path.is_file():
            try:
                session = onnx_session(onnx_path, self.threads)
                self.export_max_abs_diff = float(json.loads(info_path.read_text())["max_abs_diff"])
                self.onnx_path = onnx_path
                return session
            except Exception:  # a corrupt cache entry is rebuilt below
                pass
        try:
            with _quiet_tensorflow():
                proto = export_onnx(self.keras_model, input_name=self.format.input_name)
            data = proto.SerializeToString()
            session = onnx_session(data, self.threads)
        except ExportError:
            raise
        except Exception as err:
            first = str(err).splitlines()[0] if str(err) else ""
            raise ExportError(f"ONNX export failed: {type(err).__name__}: {first}") from None
        x = check_inputs(self.meta)
        diff = max_abs_diff(session.run(None, {self.format.input_name: x})[0], self.keras_probabilities(x))
        if diff > MAX_ABS_DIFF:
            raise ExportError(f"ONNX Runtime disagrees with Keras: max |p_onnx - p_keras| = {diff:.2e} "
                              f"> {MAX_ABS_DIFF:.0e}")
        self.export_max_abs_diff = diff
        try:
            atomic_write_bytes(onnx_path, data)
            atomic_write_bytes(info_path, json.dumps({"model": str(self.path), "max_abs_diff": diff, "opset": ONNX_OPSET,
                                                 "n_check_inputs": len(x)}).encode())
            self.onnx_path = onnx_path
        except OSError:  # a read-only cache only costs a re-export next time
            pass
        return session

    # prediction -------------------------------------------------------------------------------------
    @property
    def input_shape(self) -> tuple[int, ...]:
        """Shape of one model input: ``(n_windows, window_frames, n_features)`` (OSW CNN-LSTM) or
        ``(max_frames, n_features)`` (whole-utterance CNN-BiLSTM)."""
        return model_input_shape(self.meta)

    def windows_from_frames(self, frames: np.ndarray) -> np.ndarray:
        """Model input (batch of 1) from one utterance's frames, built by the estimator's own training code."""
        return self._windower.model_input([frames])

    def windows_from_waveform(self, y, sr: int) -> np.ndarray:
        return self.windows_from_frames(waveform_frames(y, sr, self.feature_config))

    def windows_from_file(self, path: str | os.PathLike) -> np.ndarray:
        return self.windows_from_frames(file_frames(path, self.feature_config))

    def predict_windows(self, x: np.ndarray) -> np.ndarray:
        """Class probabilities ``(n, n_classes)`` (columns = :attr:`labels`) with the selected runtime."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        if self._session is not None:
            return self._session.run(None, {self.format.input_name: x})[0]
        return self._keras_fn(x)

    def _result(self, probs: np.ndarray) -> tuple[str, dict[str, float]]:
        p = probs[0]
        return self.labels[int(np.argmax(p))], {label: float(v) for label, v in zip(self.labels, p)}

    def predict_waveform(self, y, sr: int) -> tuple[str, dict[str, float]]:
        """Emotion and class probabilities of a waveform sampled at ``sr`` Hz.

        Raises:
            AudioError: one-line reason (empty, NaN/inf, silent, too short).
        """
        return self._result(self.predict_windows(self.windows_from_waveform(y, sr)))

    def predict_file(self, path: str | os.PathLike) -> tuple[str, dict[str, float]]:
        """Emotion and class probabilities of an audio file (any format libsndfile reads).

        Raises:
            AudioError: one-line reason (missing, empty, unreadable, not audio, NaN/inf, silent, too short).
        """
        return self._result(self.predict_windows(self.windows_from_file(path)))

    def describe(self) -> dict:
        """What was loaded: folder, runtime, threads, labels, export check."""
        return {"model": str(self.path), "runtime": self.runtime, "threads": self.threads, "labels": self.labels,
                "export_max_abs_diff": self.export_max_abs_diff}


#: Alias matching the wording of issue 6.
Predictor = EmotionRecognizer


def load_model(path: str | os.PathLike | None = None, *, runtime: str = RUNTIMES[0], threads: int = 1,
               cache_dir: str | os.PathLike | None = None) -> EmotionRecognizer:
    """Load a trained model for prediction.

    Serves notebook 06 and the command line.

    Args:
        path: a model folder (``model.keras`` + ``serlib_model.json``), one of those files, or a run folder
            (its newest ``models/cnn_lstm_*``); ``None`` picks the latest run's model (:func:`find_latest_model`).
        runtime: ``"onnx"`` (fast, default) or ``"keras"``.
        threads: ONNX Runtime intra-op threads.
        cache_dir: where the checked ONNX export is cached (default ``$SERLIB_CACHE_DIR`` or ``~/.cache/serlib``).

    Raises:
        ModelNotFoundError: no model (one-line message).
        ExportError: the ONNX export failed or disagrees with Keras by more than :data:`MAX_ABS_DIFF`.
    """
    return EmotionRecognizer(resolve_model_path(path), runtime=runtime, threads=threads, cache_dir=cache_dir)

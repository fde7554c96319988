"""The shipped model at run time: files, folders and waveforms to emotions with ONNX Runtime, nothing heavier.

Serves ``serlib predict`` / ``serlib info`` and notebook 06_latency_comparison (cold start, throughput).

A shipped-model folder (what :func:`serlib.deploy.train.train_shipped_model` writes, and what
``serlib/pretrained/`` holds) has ``model.json`` (labels, front end, normalisations, estimates), one ONNX file
per normalisation and ``MODEL_CARD.md``. This module imports numpy, soundfile, soxr and onnxruntime only: no
TensorFlow, librosa, scipy or pandas, so a cold ``serlib predict`` is mostly Python's own start-up.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from serlib.deploy.frontend import (
    NORMALIZATIONS,
    FrontEndConfig,
    fixed_length,
    frames_from_file,
    frames_from_waveform,
    normalize_frames,
)

#: Folder of the model shipped inside the package.
PRETRAINED_DIR = Path(__file__).resolve().parents[1] / "pretrained"
#: Environment variable naming another model folder.
MODEL_ENV = "SERLIB_MODEL"
#: Format tag of ``model.json``.
SHIPPED_FORMAT = "serlib.shipped/1"
#: Metadata and card files of a shipped-model folder.
METADATA_FILE, CARD_FILE = "model.json", "MODEL_CARD.md"
#: Inputs per ONNX Runtime call when many files are predicted.
BATCH_SIZE = 32
#: Fewest recordings accepted for per-speaker normalisation (their statistics are the speaker's).
MIN_SPEAKER_FILES = 2


class ModelUnavailableError(FileNotFoundError):
    """No usable shipped model; ``str(err)`` is a one-line reason."""


def onnx_session(model, threads: int = 1):
    """An ONNX Runtime CPU session with ``threads`` intra-op threads and one inter-op thread.

    Args:
        model: a ``ModelProto``, serialised bytes, or a path.
        threads: intra-op threads (recorded by notebook 06).
    """
    import onnxruntime as ort

    if int(threads) < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    so = ort.SessionOptions()
    so.intra_op_num_threads = int(threads)
    so.inter_op_num_threads = 1
    so.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    so.graph_optimization_level = ort.GraphOptimizationLevel.ORT_ENABLE_ALL
    so.log_severity_level = 3
    if hasattr(model, "SerializeToString"):
        model = model.SerializeToString()
    elif isinstance(model, (str, os.PathLike)):
        model = os.fspath(model)
    return ort.InferenceSession(model, so, providers=["CPUExecutionProvider"])


def is_shipped_model_dir(path: str | os.PathLike) -> bool:
    """True if ``path`` is a folder with a shipped-format ``model.json``."""
    p = Path(path) / METADATA_FILE
    if not p.is_file():
        return False
    try:
        return json.loads(p.read_text()).get("format") == SHIPPED_FORMAT
    except (OSError, ValueError):
        return False


def default_model_path() -> Path:
    """``$SERLIB_MODEL`` if set, else the package's ``pretrained/`` folder."""
    env = os.environ.get(MODEL_ENV)
    return Path(env).expanduser() if env else PRETRAINED_DIR


@dataclass
class Prediction:
    """One prediction: ``emotion`` is the most probable label; ``start``/``end`` (s) for timeline segments."""

    file: str
    emotion: str
    probabilities: dict
    start: float | None = None
    end: float | None = None

    @property
    def confidence(self) -> float:
        return float(self.probabilities[self.emotion])

    def to_dict(self) -> dict:
        d = {"file": self.file, "emotion": self.emotion, "probabilities": self.probabilities}
        if self.start is not None:
            d.update(start=round(self.start, 3), end=round(self.end, 3), confidence=self.confidence)
        return d


class ShippedModel:
    """A shipped-format model folder ready to predict.

    Serves the command line and notebook 06. ``normalization`` chooses the ONNX file: ``"file"`` (default;
    one file is enough) or ``"speaker"`` (pass the speaker's frames to :meth:`speaker_statistics` first, or
    use :meth:`predict_speaker_files`).

    Raises:
        ModelUnavailableError: the folder, its metadata or the requested ONNX file is missing or unreadable.
    """

    def __init__(self, path: str | os.PathLike | None = None, *, normalization: str | None = None,
                 threads: int = 1):
        self.path = Path(path) if path is not None else default_model_path()
        meta_path = self.path / METADATA_FILE
        if not meta_path.is_file():
            where = "the package's shipped model" if self.path == PRETRAINED_DIR else f"model {self.path}"
            raise ModelUnavailableError(f"{where}: {meta_path} is missing; pass --model DIR (a folder written by "
                                        "`serlib train`) or reinstall serlib")
        try:
            self.meta = json.loads(meta_path.read_text())
            if self.meta.get("format") != SHIPPED_FORMAT:
                raise ValueError(f"format {self.meta.get('format')!r} is not {SHIPPED_FORMAT!r}")
            self.labels = [str(x) for x in self.meta["labels"]]
            self.frontend = FrontEndConfig.from_dict(self.meta["frontend"])
            self.max_frames = int(self.meta["input"]["max_frames"])
            self.input_name = str(self.meta["input"]["name"])
        except (OSError, ValueError, KeyError, TypeError) as err:
            raise ModelUnavailableError(f"model {self.path}: unreadable {METADATA_FILE} ({err})") from None
        self.normalization = normalization or self.meta.get("default_normalization", NORMALIZATIONS[0])
        available = self.meta.get("normalizations", {})
        if self.normalization not in available:
            raise ModelUnavailableError(f"model {self.path}: no {self.normalization!r} model "
                                        f"(has: {', '.join(available) or 'none'})")
        onnx_file = self.path / available[self.normalization]["file"]
        if not onnx_file.is_file():
            raise ModelUnavailableError(f"model {self.path}: {onnx_file.name} is missing")
        try:
            self.session = onnx_session(onnx_file, threads)
        except Exception as err:
            first = str(err).splitlines()[0] if str(err) else type(err).__name__
            raise ModelUnavailableError(f"model {onnx_file}: cannot load ONNX ({first})") from None
        self.onnx_file = onnx_file
        self.threads = int(threads)
        self._speaker_stats: tuple[np.ndarray, np.ndarray] | None = None

    # -- input ------------------------------------------------------------------------------------------
    def frames_from_file(self, path: str | os.PathLike) -> np.ndarray:
        """Log-mel frames of a file (raises :class:`serlib.data.audio.AudioError` with a one-line reason)."""
        return frames_from_file(path, self.frontend)

    def frames_from_waveform(self, y, sr: int) -> np.ndarray:
        return frames_from_waveform(y, sr, self.frontend)

    def speaker_statistics(self, frames_list) -> tuple[np.ndarray, np.ndarray]:
        """Set (and return) the per-band mean/std of one speaker's frames for ``normalization="speaker"``."""
        if len(frames_list) < MIN_SPEAKER_FILES:
            raise ValueError(f"speaker normalisation needs at least {MIN_SPEAKER_FILES} recordings of the speaker, "
                             f"got {len(frames_list)}")
        allf = np.concatenate([np.asarray(f, np.float64) for f in frames_list])
        self._speaker_stats = (allf.mean(axis=0), allf.std(axis=0))
        return self._speaker_stats

    def model_input(self, frames_list) -> np.ndarray:
        """``(n, max_frames, n_mels)`` float32 input after the model's normalisation and length fixing."""
        if self.normalization == "speaker":
            if self._speaker_stats is None:
                raise ValueError("normalization 'speaker' needs speaker_statistics() of the speaker's recordings first")
            mean, std = self._speaker_stats
            frames_list = [((np.asarray(f, np.float64) - mean) / np.where(std > 0, std, 1.0)).astype(np.float32)
                           for f in frames_list]
        else:
            frames_list = normalize_frames(frames_list, self.normalization)
        return np.stack([fixed_length(f, self.max_frames) for f in frames_list]).astype(np.float32)

    # -- prediction --------------------------------------------------------------------------------------
    def predict_proba(self, frames_list, batch_size: int = BATCH_SIZE) -> np.ndarray:
        """Class probabilities ``(n, n_classes)`` (columns = :attr:`labels`), ``batch_size`` inputs per call."""
        out = []
        for i in range(0, len(frames_list), batch_size):
            x = self.model_input(frames_list[i:i + batch_size])
            out.append(self.session.run(None, {self.input_name: x})[0])
        return np.concatenate(out) if out else np.zeros((0, len(self.labels)), np.float32)

    def _prediction(self, name: str, p: np.ndarray, **kw) -> Prediction:
        return Prediction(name, self.labels[int(np.argmax(p))], {l: float(v) for l, v in zip(self.labels, p)}, **kw)

    def predict_frames(self, frames_list, names) -> list[Prediction]:
        probs = self.predict_proba(list(frames_list))
        return [self._prediction(str(n), p) for n, p in zip(names, probs)]

    def predict_file(self, path: str | os.PathLike) -> Prediction:
        """Prediction for one audio file (raises :class:`serlib.data.audio.AudioError` for a bad file)."""
        return self.predict_frames([self.frames_from_file(path)], [os.fspath(path)])[0]

    def predict_waveform(self, y, sr: int, name: str = "<waveform>") -> Prediction:
        return self.predict_frames([self.frames_from_waveform(y, sr)], [name])[0]

    # -- description -------------------------------------------------------------------------------------
    @property
    def card(self) -> str:
        """The model card (markdown), or a one-line note if the folder has none."""
        p = self.path / CARD_FILE
        return p.read_text() if p.is_file() else f"(no {CARD_FILE} in {self.path})\n"

    def describe(self) -> dict:
        return {"model": str(self.path), "onnx": self.onnx_file.name, "normalization": self.normalization,
                "labels": self.labels, "threads": self.threads, "runtime": "onnx"}

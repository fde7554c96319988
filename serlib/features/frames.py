"""Frame features (MFCC + deltas, log-mel), overlapping sliding windows and a content-keyed cache.

Serves notebook 02_feature_extraction, and every later notebook through :func:`extract_features`.

The paper feeds MFCCs cut into overlapping sliding windows (OSW) to its CNN-LSTM: a window is a fixed
number of consecutive frames, consecutive windows overlap, and the model sees the sequence of windows.
Here frame features are computed once per file and cached on disk under a key made of the file's content
hash and the feature configuration; windows are cut on demand (cheap) from the cached frames.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import os
from dataclasses import dataclass

import numpy as np

from serlib.data.audio import AudioError, load_audio, prepare_waveform
from serlib.features import analysis
from serlib.features.egemaps import N_LLD, egemaps_lld

#: Bump when the meaning of cached features changes (invalidates every cache entry).
FEATURE_VERSION = 1
#: Frame feature kinds (see :class:`FeatureConfig`).
FEATURE_KINDS = ("mfcc", "logmel", "logmel_lld")


@dataclass(frozen=True)
class FeatureConfig:
    """How frames and windows are made. Every field is part of the cache key.

    Attributes:
        kind: ``"mfcc"`` (cepstra), ``"logmel"`` (log mel band energies) or ``"logmel_lld"`` (log mel band
            energies followed by the 25 eGeMAPSv02 low-level descriptors of openSMILE at the same 10 ms hop:
            pitch, jitter, shimmer, loudness, harmonics-to-noise ratio, formants, spectral slope and more;
            deltas apply to the mel bands only).
        sample_rate: Hz, audio is resampled to it.
        n_mfcc: cepstral coefficients (``kind="mfcc"``).
        n_mels: mel bands (both kinds; MFCCs are computed from them).
        n_fft: FFT size in samples (512 = 32 ms at 16 kHz).
        win_length: analysis window in samples (400 = 25 ms).
        hop_length: frame step in samples (160 = 10 ms, so 100 frames per second).
        fmin, fmax: mel filterbank range in Hz.
        deltas: 0 (static only), 1 (+ delta) or 2 (+ delta and delta-delta), stacked along features.
        trim_db: trim leading/trailing silence quieter than this many dB below the peak; ``None`` keeps all.
        window_frames: frames per overlapping sliding window (OSW); 32 frames = 0.32 s.
        window_hop: frames between window starts; ``window_hop < window_frames`` makes them overlap.
    """

    kind: str = "mfcc"
    sample_rate: int = analysis.SAMPLE_RATE
    n_mfcc: int = 40
    n_mels: int = analysis.N_MELS
    n_fft: int = analysis.N_FFT
    win_length: int = analysis.WIN_LENGTH
    hop_length: int = analysis.HOP_LENGTH
    fmin: float = analysis.FMIN
    fmax: float = analysis.FMAX
    deltas: int = 2
    trim_db: float | None = analysis.TRIM_DB
    window_frames: int = analysis.WINDOW_FRAMES
    window_hop: int = analysis.WINDOW_HOP

    def __post_init__(self):
        if self.kind not in FEATURE_KINDS:
            raise ValueError(f"kind must be one of {', '.join(map(repr, FEATURE_KINDS))}, got {self.kind!r}")
        if self.kind == "logmel_lld" and (self.sample_rate, self.hop_length) != (16000, 160):
            raise ValueError("kind 'logmel_lld' needs sample_rate 16000 and hop_length 160 (openSMILE's 10 ms hop)")
        if self.deltas not in (0, 1, 2):
            raise ValueError(f"deltas must be 0, 1 or 2, got {self.deltas}")
        if not 0 < self.window_hop <= self.window_frames:
            raise ValueError(
                f"need 0 < window_hop <= window_frames, got window_hop={self.window_hop}, "
                f"window_frames={self.window_frames}"
            )
        if self.fmax > self.sample_rate / 2:
            raise ValueError(f"fmax {self.fmax} Hz is above Nyquist ({self.sample_rate / 2} Hz)")
        if self.win_length > self.n_fft:
            raise ValueError(f"win_length {self.win_length} must not exceed n_fft {self.n_fft}")

    @property
    def n_features(self) -> int:
        """Features per frame (static coefficients times 1 + deltas)."""
        base = self.n_mfcc if self.kind == "mfcc" else self.n_mels
        return base * (1 + self.deltas) + (N_LLD if self.kind == "logmel_lld" else 0)

    @property
    def frame_rate(self) -> float:
        """Frames per second."""
        return self.sample_rate / self.hop_length

    @property
    def min_duration_s(self) -> float:
        """Shortest audio (after trimming) that yields one full window."""
        return ((self.window_frames - 1) * self.hop_length) / self.sample_rate

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)

    def key(self) -> str:
        """Stable short hash of the configuration (and the feature code version)."""
        payload = json.dumps({"v": FEATURE_VERSION, **self.to_dict()}, sort_keys=True)
        return hashlib.sha256(payload.encode()).hexdigest()[:16]


def compute_frame_features(y: np.ndarray, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """Frame-level features of a waveform.

    Serves notebook 02. MFCCs come from the log-mel spectrogram (``librosa.feature.mfcc``); deltas use
    ``librosa.feature.delta`` with a 9-frame window (or fewer frames for very short inputs).

    Args:
        y: mono waveform at ``config.sample_rate``.
        config: feature configuration.

    Returns:
        float32 array of shape ``(n_frames, config.n_features)``.
    """
    import librosa

    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"expected a non-empty 1-D waveform, got shape {y.shape}")
    mel = librosa.feature.melspectrogram(
        y=y,
        sr=config.sample_rate,
        n_fft=config.n_fft,
        win_length=config.win_length,
        hop_length=config.hop_length,
        n_mels=config.n_mels,
        fmin=config.fmin,
        fmax=config.fmax,
        power=2.0,
    )
    logmel = librosa.power_to_db(mel, ref=1.0, amin=1e-10)
    static = librosa.feature.mfcc(S=logmel, n_mfcc=config.n_mfcc) if config.kind == "mfcc" else logmel
    frames = add_deltas(static.T, config.deltas)
    if config.kind == "logmel_lld":
        lld = egemaps_lld(y, config.sample_rate)
        n = min(len(frames), len(lld))
        frames = np.concatenate([frames[:n], lld[:n]], axis=1)
    return frames


def add_deltas(static: np.ndarray, deltas: int = 2) -> np.ndarray:
    """Append delta (and delta-delta) blocks to static frames ``(n_frames, n_coeffs)``.

    Serves notebook 02 (through :func:`compute_frame_features`) and notebook 03 (the GAN generates static
    coefficients and recomputes their deltas with this same filter). ``librosa.feature.delta`` with a 9-frame
    window, or the largest odd window the sequence allows; zeros below 3 frames.
    """
    import librosa

    static = np.asarray(static, np.float32)
    if static.ndim != 2:
        raise ValueError(f"static frames must be 2-D (n_frames, n_coeffs), got shape {static.shape}")
    blocks = [static.T]
    n = static.shape[0]
    width = min(9, n if n % 2 else n - 1)
    for order in range(1, deltas + 1):
        blocks.append(librosa.feature.delta(static.T, width=width, order=order) if width >= 3
                      else np.zeros_like(static.T))
    return np.ascontiguousarray(np.concatenate(blocks, axis=0).T, dtype=np.float32)


def overlapping_windows(frames: np.ndarray, window_frames: int, window_hop: int) -> np.ndarray:
    """Cut a frame sequence into overlapping sliding windows (OSW).

    Serves notebook 02. Windows start at ``0, hop, 2*hop, ...`` and only full windows are kept; a sequence
    shorter than one window gives zero windows (callers treat that as "too short").

    Args:
        frames: ``(n_frames, n_features)``.
        window_frames: frames per window.
        window_hop: frames between consecutive window starts.

    Returns:
        ``(n_windows, window_frames, n_features)`` array (a copy).
    """
    frames = np.asarray(frames)
    if frames.ndim != 2:
        raise ValueError(f"frames must be 2-D (n_frames, n_features), got shape {frames.shape}")
    if window_frames < 1 or window_hop < 1:
        raise ValueError("window_frames and window_hop must be >= 1")
    n = frames.shape[0]
    if n < window_frames:
        return np.zeros((0, window_frames, frames.shape[1]), dtype=frames.dtype)
    starts = np.arange(0, n - window_frames + 1, window_hop)
    view = np.lib.stride_tricks.sliding_window_view(frames, window_frames, axis=0)  # (n-w+1, feat, w)
    return np.ascontiguousarray(view[starts].transpose(0, 2, 1))


def extract_mfcc_windows(y: np.ndarray, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """Waveform -> OSW windows of frame features, ``(n_windows, window_frames, n_features)``.

    Serves notebook 02 and the inference code (same function at training and prediction time).
    """
    frames = compute_frame_features(y, config)
    return overlapping_windows(frames, config.window_frames, config.window_hop)


def utterance_statistics(frames: np.ndarray) -> np.ndarray:
    """Mean and standard deviation of every frame feature: the classical utterance-level vector.

    Serves notebooks 02 and 05 (decision tree / random forest / SVM baselines).
    """
    frames = np.asarray(frames, dtype=np.float64)
    return np.concatenate([frames.mean(axis=0), frames.std(axis=0)]).astype(np.float32)


def _checked(frames: np.ndarray, config: FeatureConfig) -> np.ndarray:
    if frames.shape[0] < config.window_frames:
        raise AudioError(f"too short ({frames.shape[0]} frames < {config.window_frames} for one window)")
    if not np.all(np.isfinite(frames)):
        raise AudioError("features contain NaN or infinite values")
    return frames


def frames_from_waveform(y: np.ndarray, sr: int, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """Frame features of a waveform, prepared exactly like a training file (see :func:`frames_from_file`).

    Serves the inference code. Raises :class:`serlib.data.audio.AudioError` with a one-line reason.
    """
    y = prepare_waveform(y, sr, config.sample_rate, trim_db=config.trim_db, min_duration_s=config.min_duration_s)
    return _checked(compute_frame_features(y, config), config)


def frames_from_file(path: str | os.PathLike, config: FeatureConfig = FeatureConfig()) -> np.ndarray:
    """Frame features of one file, uncached: the single path used by training (:func:`extract_features`)
    and inference.

    Raises:
        AudioError: one-line reason (missing, empty, unreadable, NaN/inf, silent, too short).
    """
    y = load_audio(path, config.sample_rate, trim_db=config.trim_db, min_duration_s=config.min_duration_s)
    return _checked(compute_frame_features(y, config), config)

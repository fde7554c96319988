"""Log-mel features in plain numpy: the front end of the shipped model, for training and inference alike.

Serves :mod:`serlib.deploy.runtime`, :mod:`serlib.deploy.train` and notebook 06_latency_comparison.

The steps are the ones notebook 02_feature_extraction teaches with librosa, written with numpy so that the
shipped model starts without librosa, numba or scipy (their imports cost seconds, the model milliseconds):

1. audio checks, mono mix and resampling to 16 kHz (:func:`serlib.data.audio.prepare_waveform`, soxr);
2. leading and trailing silence trimmed like ``librosa.effects.trim`` (:func:`trim_silence`);
3. a centred short-time Fourier transform with a periodic Hann window (:func:`power_spectrogram`);
4. a Slaney-style mel filterbank (:func:`mel_filterbank`, the default of ``librosa.filters.mel``);
5. decibels, ``10 log10(max(S, 1e-10))``, floored at ``top_db`` below the utterance's maximum (:func:`log_mel`,
   as ``librosa.power_to_db``).

A test checks that :func:`log_mel` stays within :data:`MAX_DB_DIFF_FROM_LIBROSA` of
``serlib.features.frames.compute_frame_features(kind="logmel")``.
"""

from __future__ import annotations

import os
from dataclasses import asdict, dataclass

import numpy as np

from serlib.features import analysis

#: Input normalisations of the shipped model: ``"file"`` subtracts each utterance's mean level (one file is
#: enough), ``"speaker"`` z-normalises every band with one speaker's statistics (their unlabelled recordings).
NORMALIZATIONS = ("file", "speaker")
#: Largest accepted |numpy - librosa| difference of a log-mel value, in dB (checked by the tests).
MAX_DB_DIFF_FROM_LIBROSA = 0.01


@dataclass(frozen=True)
class FrontEndConfig:
    """Settings of the numpy front end (stored in the shipped model's metadata).

    The defaults match :class:`serlib.features.frames.FeatureConfig` ``(kind="logmel", deltas=0)``: 64 mel bands,
    25 ms Hann windows every 10 ms at 16 kHz, 20-8000 Hz, trimming at 30 dB below the peak, an 80 dB floor.
    """

    sample_rate: int = analysis.SAMPLE_RATE
    n_fft: int = analysis.N_FFT
    win_length: int = analysis.WIN_LENGTH
    hop_length: int = analysis.HOP_LENGTH
    n_mels: int = analysis.N_MELS
    fmin: float = analysis.FMIN
    fmax: float = analysis.FMAX
    trim_db: float | None = analysis.TRIM_DB
    top_db: float | None = 80.0
    min_frames: int = analysis.WINDOW_FRAMES

    def __post_init__(self):
        if self.win_length > self.n_fft or self.hop_length < 1 or self.n_mels < 1:
            raise ValueError("need win_length <= n_fft, hop_length >= 1 and n_mels >= 1")
        if not 0 <= self.fmin < self.fmax <= self.sample_rate / 2:
            raise ValueError(f"need 0 <= fmin < fmax <= sample_rate/2, got {self.fmin}, {self.fmax}")

    @property
    def min_duration_s(self) -> float:
        """Shortest audio (after trimming) that gives :attr:`min_frames` frames."""
        return (self.min_frames - 1) * self.hop_length / self.sample_rate

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict) -> "FrontEndConfig":
        return cls(**{k: d[k] for k in cls.__dataclass_fields__ if k in d})


def hz_to_mel(f):
    """Slaney's mel scale: linear below 1 kHz, logarithmic above (``librosa.hz_to_mel(htk=False)``)."""
    f = np.asarray(f, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(f >= min_log_hz, min_log_mel + np.log(np.maximum(f, 1e-10) / min_log_hz) / logstep, f / f_sp)


def mel_to_hz(m):
    """Inverse of :func:`hz_to_mel`."""
    m = np.asarray(m, dtype=np.float64)
    f_sp, min_log_hz = 200.0 / 3, 1000.0
    min_log_mel, logstep = min_log_hz / f_sp, np.log(6.4) / 27.0
    return np.where(m >= min_log_mel, min_log_hz * np.exp(logstep * (m - min_log_mel)), f_sp * m)


def mel_filterbank(sample_rate: int, n_fft: int, n_mels: int, fmin: float, fmax: float) -> np.ndarray:
    """Triangular mel filters with Slaney area normalisation, shape ``(n_mels, 1 + n_fft // 2)``."""
    fft_freqs = np.linspace(0, sample_rate / 2, 1 + n_fft // 2)
    mel_f = mel_to_hz(np.linspace(hz_to_mel(fmin), hz_to_mel(fmax), n_mels + 2))
    fdiff = np.diff(mel_f)
    ramps = mel_f[:, None] - fft_freqs[None, :]
    lower = -ramps[:-2] / fdiff[:-1, None]
    upper = ramps[2:] / fdiff[1:, None]
    weights = np.maximum(0, np.minimum(lower, upper))
    weights *= (2.0 / (mel_f[2:n_mels + 2] - mel_f[:n_mels]))[:, None]
    return weights.astype(np.float32)


def hann_window(win_length: int, n_fft: int) -> np.ndarray:
    """Periodic Hann window of ``win_length`` samples, zero-padded to ``n_fft`` around the centre."""
    n = np.arange(win_length)
    w = 0.5 - 0.5 * np.cos(2 * np.pi * n / win_length)
    left = (n_fft - win_length) // 2
    return np.pad(w, (left, n_fft - win_length - left)).astype(np.float32)


def power_spectrogram(y: np.ndarray, config: FrontEndConfig = FrontEndConfig()) -> np.ndarray:
    """``|STFT|^2`` of a centred (zero-padded by ``n_fft // 2``) waveform, shape ``(frames, 1 + n_fft // 2)``."""
    y = np.asarray(y, dtype=np.float32)
    pad = config.n_fft // 2
    y = np.pad(y, (pad, pad))
    n_frames = 1 + (len(y) - config.n_fft) // config.hop_length
    frames = np.lib.stride_tricks.as_strided(
        y, shape=(n_frames, config.n_fft), strides=(y.strides[0] * config.hop_length, y.strides[0]), writeable=False)
    spec = np.fft.rfft(frames * hann_window(config.win_length, config.n_fft), axis=1)
    return (spec.real ** 2 + spec.imag ** 2).astype(np.float32)


_FILTERBANKS: dict = {}


def log_mel(y: np.ndarray, config: FrontEndConfig = FrontEndConfig()) -> np.ndarray:
    """Log-mel band energies in dB of a 16 kHz waveform, shape ``(frames, n_mels)``, float32."""
    key = (config.sample_rate, config.n_fft, config.n_mels, config.fmin, config.fmax)
    if key not in _FILTERBANKS:
        _FILTERBANKS[key] = mel_filterbank(*key)
    mel = power_spectrogram(y, config) @ _FILTERBANKS[key].T
    db = 10.0 * np.log10(np.maximum(mel, 1e-10))
    if config.top_db is not None and db.size:
        db = np.maximum(db, db.max() - config.top_db)
    return db.astype(np.float32)


def trim_silence(y: np.ndarray, top_db: float, frame_length: int = 2048, hop_length: int = 512) -> np.ndarray:
    """Cut leading and trailing parts quieter than ``top_db`` below the loudest frame (as ``librosa.effects.trim``).

    Frame energies are mean squares of centred, zero-padded frames (from a running sum, so the cost is one
    pass over the samples); the kept span runs from the first loud frame's start to the end of the last one.
    """
    y = np.asarray(y, dtype=np.float32)
    pad = frame_length // 2
    n_frames = 1 + (len(y) + 2 * pad - frame_length) // hop_length
    energy = np.concatenate([np.zeros(pad + 1), np.cumsum(np.square(y, dtype=np.float64)), np.zeros(pad)])
    energy[len(y) + pad + 1:] = energy[len(y) + pad]
    starts = np.arange(n_frames) * hop_length
    mse = (energy[starts + frame_length] - energy[starts]) / frame_length  # frame mean squares, O(n)
    mse = np.maximum(mse, 0.0)
    db = 10.0 * np.log10(np.maximum(mse, 1e-10)) - 10.0 * np.log10(max(float(mse.max()), 1e-10))
    loud = np.flatnonzero(db > -top_db)
    if loud.size == 0:
        return y[:0]
    start, end = int(loud[0] * hop_length), min(len(y), int((loud[-1] + 1) * hop_length))
    return y[start:end]


def prepare(y: np.ndarray, sr: int, config: FrontEndConfig = FrontEndConfig()) -> np.ndarray:
    """A waveform ready for :func:`log_mel`: checked, mono, resampled, trimmed, long enough.

    Raises:
        serlib.data.audio.AudioError: one-line reason (no samples, NaN/inf, silent, too short).
    """
    from serlib.data.audio import AudioError, prepare_waveform

    y = prepare_waveform(y, sr, config.sample_rate)
    if config.trim_db is not None:
        y = trim_silence(y, config.trim_db)
    duration = len(y) / config.sample_rate
    if duration < config.min_duration_s:
        raise AudioError(f"too short ({duration:.3f} s of speech < {config.min_duration_s:.3f} s needed)")
    return y


def frames_from_waveform(y: np.ndarray, sr: int, config: FrontEndConfig = FrontEndConfig()) -> np.ndarray:
    """Log-mel frames of a waveform (checked, prepared; see :func:`prepare`)."""
    from serlib.data.audio import AudioError

    frames = log_mel(prepare(y, sr, config), config)
    if len(frames) < config.min_frames:
        raise AudioError(f"too short ({len(frames)} frames < {config.min_frames})")
    return frames


def read_audio(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Samples ``(n, channels)`` float32 and rate of a file, or :class:`serlib.data.audio.AudioError` with the reason.

    An unknown container names the formats this libsndfile reads.
    """
    from serlib.data.audio import read_samples

    return read_samples(path)


def frames_from_file(path: str | os.PathLike, config: FrontEndConfig = FrontEndConfig()) -> np.ndarray:
    """Log-mel frames of an audio file (any format libsndfile reads)."""
    y, sr = read_audio(path)
    return frames_from_waveform(y, sr, config)


def fixed_length(frames: np.ndarray, n: int, start: int | None = None) -> np.ndarray:
    """``n`` frames of an utterance: a crop at ``start`` (default centre) if longer, cyclic repetition if shorter.

    Repetition instead of zero padding keeps every input frame real speech, so no mask is needed. The one
    definition, used by the strong hybrid (:mod:`serlib.models.conv_recurrent`) in training and by the shipped model.
    """
    frames = np.asarray(frames, np.float32)
    t = frames.shape[0]
    if t == 0:
        raise ValueError("an utterance has no frames")
    if t >= n:
        s = (t - n) // 2 if start is None else int(np.clip(start, 0, t - n))
        return frames[s:s + n]
    return frames[np.arange(n) % t]


def gain_normalize(frames: np.ndarray) -> np.ndarray:
    """Subtract the utterance's mean log-mel level (dB) from every value: a gain change does not move the input."""
    frames = np.asarray(frames, np.float32)
    return frames - np.float32(frames.mean())


def normalize_frames(frames_list, mode: str, speakers=None) -> list[np.ndarray]:
    """Frames after a normalisation of :data:`NORMALIZATIONS` (``speakers`` needed for ``"speaker"``)."""
    if mode == "file":
        return [gain_normalize(f) for f in frames_list]
    if mode == "speaker":
        from serlib.features.speaker_norm import speaker_normalize_frames

        if speakers is None:
            raise ValueError("normalization 'speaker' needs one speaker id per utterance")
        return speaker_normalize_frames(frames_list, speakers)
    raise ValueError(f"normalization must be one of {', '.join(NORMALIZATIONS)}, got {mode!r}")

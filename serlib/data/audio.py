"""Audio loading and validation with one-line skip reasons.

Serves notebooks 01_data_exploration (the audio audit and skip table) and 02_feature_extraction (every
feature starts from :func:`load_audio`).

A bad file never stops a run: :func:`load_audio` raises :class:`AudioError` whose message is a single
human-readable reason, and the batch functions (:func:`audit_audio`, :func:`serlib.features.extract.extract_features`)
turn that into a row of a skip table and carry on.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import soundfile as sf

from serlib.messages import one_line

if TYPE_CHECKING:
    import pandas as pd

#: Peak level (dBFS) under which a recording counts as silent.
SILENCE_PEAK_DBFS = -60.0


class AudioError(ValueError):
    """A file cannot be used; ``str(err)`` is a one-line reason suitable for a skip table."""


@dataclass(frozen=True)
class AudioInfo:
    """What :func:`inspect_audio` learns about a file without judging it."""

    native_sample_rate: int
    channels: int
    n_samples: int
    duration_s: float
    peak_dbfs: float
    rms_dbfs: float


def supported_formats() -> list[str]:
    """Container formats the installed libsndfile reads (``WAV``, ``FLAC``, ``OGG``, ``MP3`` if built with it, ...)."""
    return sorted(sf.available_formats())


def _check_path(path: str) -> None:
    if not os.path.exists(path):
        raise AudioError("missing file")
    if os.path.isdir(path):
        raise AudioError("is a folder, not an audio file")
    if os.path.getsize(path) == 0:
        raise AudioError("empty file (0 bytes)")


def _sndfile_error(err: BaseException) -> AudioError:
    reason = one_line(err, 160)
    if "format not recognised" in reason.lower() or "unknown format" in reason.lower():
        return AudioError("unreadable or not audio: not a format libsndfile reads (it reads "
                          + ", ".join(supported_formats()) + ")")
    return AudioError(f"unreadable or not audio: {reason}")


def _read(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Read a file as float32 (frames, channels); raise AudioError with a one-line reason."""
    path = os.fspath(path)
    _check_path(path)
    try:
        data, sr = sf.read(path, dtype="float32", always_2d=True)
    except Exception as err:  # libsndfile gives many error types; all mean "not usable audio"
        raise _sndfile_error(err) from None
    return data, int(sr)


def read_samples_info(path: str | os.PathLike) -> tuple[int, int]:
    """``(sample_rate, n_samples)`` of a file from its header, with the reasons of :func:`read_samples`.

    Serves the timeline of long recordings (:mod:`serlib.deploy.timeline`), which then streams the file.
    """
    path = os.fspath(path)
    _check_path(path)
    try:
        info = sf.info(path)
    except Exception as err:
        raise _sndfile_error(err) from None
    if info.frames <= 0:
        raise AudioError("no audio samples (empty or truncated file)")
    return int(info.samplerate), int(info.frames)


def read_samples(path: str | os.PathLike) -> tuple[np.ndarray, int]:
    """Samples ``(n, channels)`` float32 and the sample rate of a file, checked for samples and finiteness.

    Serves the shipped model's front end (:mod:`serlib.deploy.frontend`).

    Raises:
        AudioError: missing, a folder, empty, not a supported format, unreadable, no samples, NaN/inf.
    """
    data, sr = _read(path)
    if data.shape[0] == 0:
        raise AudioError("no audio samples (empty or truncated file)")
    if not np.all(np.isfinite(data)):
        raise AudioError("contains NaN or infinite samples")
    return data, sr


def _level_dbfs(x: np.ndarray) -> tuple[float, float]:
    if x.size == 0:
        return float("-inf"), float("-inf")
    peak = float(np.max(np.abs(x)))
    rms = float(np.sqrt(np.mean(np.square(x, dtype=np.float64))))
    to_db = lambda v: 20.0 * np.log10(v) if v > 0 else float("-inf")  # noqa: E731
    return to_db(peak), to_db(rms)


def inspect_audio(path: str | os.PathLike) -> AudioInfo:
    """Read a file and describe it (rate, channels, duration, levels).

    Args:
        path: audio file (any format libsndfile reads: WAV, FLAC, AIFF, OGG, ...).

    Returns:
        AudioInfo of the file as stored (before resampling).

    Raises:
        AudioError: missing, empty, unreadable, no samples, or NaN/inf samples.
    """
    data, sr = _read(path)
    if data.shape[0] == 0:
        raise AudioError("no audio samples (empty or truncated file)")
    if not np.all(np.isfinite(data)):
        raise AudioError("contains NaN or infinite samples")
    peak, rms = _level_dbfs(data)
    return AudioInfo(sr, data.shape[1], data.shape[0], data.shape[0] / sr, peak, rms)


def prepare_waveform(
    y: np.ndarray,
    sr: int,
    sample_rate: int = 16000,
    *,
    trim_db: float | None = None,
    min_duration_s: float = 0.0,
    silence_peak_dbfs: float = SILENCE_PEAK_DBFS,
) -> np.ndarray:
    """Make a waveform ready for features: mono, finite, not silent, resampled, trimmed, long enough.

    Serves notebooks 01, 02 and the inference code: :func:`load_audio` reads a file and calls this, and
    :mod:`serlib.deploy.saved_models` calls it on a user's waveform, so a file and a waveform take the same path.

    Args:
        y: ``(samples,)`` or ``(samples, channels)`` (as soundfile returns it); channels are averaged.
        sr: its sample rate in Hz.
        sample_rate: target rate in Hz (soxr, high quality).
        trim_db: if given, leading/trailing parts quieter than ``trim_db`` below the peak are cut.
        min_duration_s: shorter results (after trimming) raise ``AudioError("too short ...")``.
        silence_peak_dbfs: a peak below this level raises ``AudioError("silent ...")``.

    Raises:
        AudioError: one-line reason (no samples, NaN/inf, silent, too short).
        ValueError: a non-positive rate or a waveform with more than two dimensions.
    """
    if int(sr) <= 0 or sample_rate <= 0:
        raise ValueError(f"sample rates must be positive, got {sr} and {sample_rate}")
    y = np.asarray(y, dtype=np.float32)
    if y.ndim == 2:
        y = y.mean(axis=1)
    elif y.ndim != 1:
        raise ValueError(f"waveform must be 1-D (samples) or 2-D (samples, channels), got shape {y.shape}")
    if y.size == 0:
        raise AudioError("no audio samples (empty or truncated file)")
    if not np.all(np.isfinite(y)):
        raise AudioError("contains NaN or infinite samples")
    peak, _ = _level_dbfs(y)
    if peak < silence_peak_dbfs:
        raise AudioError(f"silent (peak {peak:.1f} dBFS < {silence_peak_dbfs:.0f} dBFS)")
    if int(sr) != sample_rate:
        import soxr

        y = soxr.resample(y, int(sr), sample_rate, quality="HQ")
    if trim_db is not None:
        import librosa

        y, _ = librosa.effects.trim(y, top_db=trim_db)
    duration = len(y) / sample_rate
    if duration < min_duration_s:
        raise AudioError(f"too short ({duration:.3f} s < {min_duration_s:.3f} s needed for one window)")
    return np.ascontiguousarray(y, dtype=np.float32)


def load_audio(
    path: str | os.PathLike,
    sample_rate: int = 16000,
    *,
    trim_db: float | None = None,
    min_duration_s: float = 0.0,
    silence_peak_dbfs: float = SILENCE_PEAK_DBFS,
) -> np.ndarray:
    """Load a file as mono float32 at one sample rate, checking it is usable.

    Serves notebooks 01 and 02. Reads with libsndfile, then :func:`prepare_waveform` (see there for the
    arguments).

    Returns:
        1-D float32 array.

    Raises:
        AudioError: with a one-line reason (missing, empty, unreadable, NaN/inf, silent, too short).
    """
    data, sr = _read(path)
    return prepare_waveform(data, sr, sample_rate, trim_db=trim_db, min_duration_s=min_duration_s,
                            silence_peak_dbfs=silence_peak_dbfs)


def first_usable(manifest, sample_rate: int = 16000, *, prefer: dict | None = None, trim_db: float | None = None,
                 min_duration_s: float = 0.0):
    """The first manifest row whose audio loads, and its waveform: the worked example of a notebook.

    Serves notebooks 02 and 03, whose examples must never be a file the skip table rejects. Rows matching
    ``prefer`` (column -> value, e.g. ``{"emotion": "angry"}``) are tried first, then the others in order.

    Returns:
        ``(row, waveform)``.

    Raises:
        AudioError: no row of the manifest is usable (the message says how many were tried).
    """
    if manifest is None or len(manifest) == 0:
        raise AudioError("no usable example: the manifest is empty")
    order = list(range(len(manifest)))
    if prefer:
        match = np.ones(len(manifest), bool)
        for col, value in prefer.items():
            if col in manifest.columns:
                match &= (manifest[col] == value).to_numpy()
        order = [i for i in order if match[i]] + [i for i in order if not match[i]]
    for i in order:
        row = manifest.iloc[i]
        try:
            return row, load_audio(row["path"], sample_rate, trim_db=trim_db, min_duration_s=min_duration_s)
        except AudioError:
            continue
    raise AudioError(f"no usable example: none of the {len(manifest)} files loads")


def _audit_one(path: str, silence_peak_dbfs: float, min_duration_s: float) -> dict:
    row: dict = {"path": path}
    try:
        info = inspect_audio(path)
    except AudioError as err:
        row.update(ok=False, reason=str(err))
        return row
    row.update(
        native_sample_rate=info.native_sample_rate,
        channels=info.channels,
        duration_s=info.duration_s,
        peak_dbfs=info.peak_dbfs,
        rms_dbfs=info.rms_dbfs,
        ok=True,
        reason="",
    )
    if info.peak_dbfs < silence_peak_dbfs:
        row.update(ok=False, reason=f"silent (peak {info.peak_dbfs:.1f} dBFS < {silence_peak_dbfs:.0f} dBFS)")
    elif info.duration_s < min_duration_s:
        row.update(
            ok=False, reason=f"too short ({info.duration_s:.3f} s < {min_duration_s:.3f} s needed for one window)"
        )
    return row


def audit_audio(
    manifest: pd.DataFrame,
    *,
    min_duration_s: float = 0.0,
    silence_peak_dbfs: float = SILENCE_PEAK_DBFS,
    n_jobs: int = 2,
    progress: bool = True,
) -> pd.DataFrame:
    """Check every file of a manifest and describe it; never raises for a bad file.

    Serves notebook 01_data_exploration (durations, levels and the skip table).

    Args:
        manifest: DataFrame with a ``path`` column.
        min_duration_s: files shorter than this are flagged ``too short``.
        silence_peak_dbfs: files with a lower peak are flagged ``silent``.
        n_jobs: parallel workers (joblib).
        progress: show a tqdm bar.

    Returns:
        DataFrame aligned with ``manifest`` (same index) with columns ``path, native_sample_rate, channels,
        duration_s, peak_dbfs, rms_dbfs, ok, reason``.
    """
    if "path" not in manifest.columns:
        raise ValueError("manifest needs a 'path' column (see serlib.data.corpora.manifest.load)")
    import pandas as pd
    from joblib import Parallel, delayed

    from serlib.reporting.progress import tqdm

    paths = manifest["path"].astype(str).tolist()
    jobs = (delayed(_audit_one)(p, silence_peak_dbfs, min_duration_s) for p in paths)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    rows = list(tqdm(results, total=len(paths), desc="audit audio", disable=not progress))
    cols = ["path", "native_sample_rate", "channels", "duration_s", "peak_dbfs", "rms_dbfs", "ok", "reason"]
    out = pd.DataFrame(rows, columns=cols)
    out.index = manifest.index
    return out

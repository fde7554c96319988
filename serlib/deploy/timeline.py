"""An emotion timeline for long recordings: stream the file, cut it into segments, predict each, smooth.

Serves ``serlib predict --timeline`` and notebook 06_latency_comparison.

The file is read twice in blocks of :attr:`TimelineConfig.block_s` seconds, so memory stays bounded whatever
its length (a one-hour file needs a few megabytes of audio at a time):

1. **Segmentation** (pass 1, at the file's own rate). ``"vad"`` (default): energy-based voice activity -
   30 ms frames whose RMS level is within :attr:`TimelineConfig.vad_range_db` dB of the file's loud level (its
   99th-percentile frame) and above :attr:`TimelineConfig.vad_floor_dbfs` are speech (relative, so a quiet
   recording works as well as a loud one); speech separated by
   pauses up to :attr:`TimelineConfig.max_gap_s` is one region; regions shorter than
   :attr:`TimelineConfig.min_speech_s` are dropped and longer ones cut into windows of
   :attr:`TimelineConfig.window_s` every :attr:`TimelineConfig.hop_s`. ``"fixed"``: windows of ``window_s``
   every ``hop_s`` over the whole file, pauses included.
2. **Prediction** (pass 2): the stream is resampled to 16 kHz (soxr, streaming), each segment's samples go
   through the model's own front end (trimming, checks) and are predicted in batches. A segment with no usable
   speech (silent, too short after trimming) is counted, not predicted.
3. **Smoothing** (optional): probabilities are averaged over ``smooth`` consecutive segments (centred).
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

from serlib.features import analysis

#: Segmentation methods of :class:`TimelineConfig`.
SEGMENTATIONS = ("vad", "fixed")


@dataclass(frozen=True)
class TimelineConfig:
    """How a long recording becomes segments (see the module docstring)."""

    segmentation: str = "vad"
    window_s: float = 3.0
    hop_s: float = 1.5
    vad_range_db: float = 30.0
    vad_floor_dbfs: float = -70.0
    vad_frame_s: float = 0.03
    max_gap_s: float = 0.3
    min_speech_s: float = 0.6
    smooth: int = 1
    block_s: float = 30.0

    def __post_init__(self):
        if self.segmentation not in SEGMENTATIONS:
            raise ValueError(f"segmentation must be one of {', '.join(SEGMENTATIONS)}, got {self.segmentation!r}")
        if not 0 < self.hop_s <= self.window_s:
            raise ValueError(f"need 0 < hop <= window, got hop {self.hop_s} s, window {self.window_s} s")
        if self.smooth < 1 or self.block_s <= 0 or self.min_speech_s <= 0 or self.vad_range_db <= 0:
            raise ValueError("smooth must be >= 1; block, min_speech and vad_range must be > 0")


def speech_regions(frame_db: np.ndarray, frame_s: float, *, vad_db: float, max_gap_s: float,
                   min_speech_s: float) -> list[tuple[float, float]]:
    """``(start, end)`` seconds of speech from per-frame RMS levels (dBFS): frames at or above ``vad_db``,
    joined over pauses up to ``max_gap_s``, regions shorter than ``min_speech_s`` dropped."""
    active = np.flatnonzero(np.asarray(frame_db) >= vad_db)
    if active.size == 0:
        return []
    max_gap = int(round(max_gap_s / frame_s))
    breaks = np.flatnonzero(np.diff(active) > max_gap + 1)
    starts = np.r_[active[0], active[breaks + 1]]
    ends = np.r_[active[breaks], active[-1]] + 1
    return [(s * frame_s, e * frame_s) for s, e in zip(starts, ends) if (e - s) * frame_s >= min_speech_s]


def windows(start: float, end: float, window_s: float, hop_s: float, min_s: float) -> list[tuple[float, float]]:
    """Windows of ``window_s`` every ``hop_s`` covering ``[start, end)``; the last one ends at ``end``
    (kept if at least ``min_s`` long). A span shorter than a window is one segment."""
    if end - start <= window_s:
        return [(start, end)] if end - start >= min_s else []
    out, t = [], start
    while t + window_s < end:
        out.append((t, t + window_s))
        t += hop_s
    if end - t >= min_s:
        out.append((t, end))
    return out


def _blocks(path: str, block_s: float):
    import soundfile as sf

    with sf.SoundFile(path) as f:
        sr, total = f.samplerate, f.frames
        n = max(1, int(block_s * sr))
        for block in f.blocks(blocksize=n, dtype="float32", always_2d=True):
            yield sr, total, block.mean(axis=1)


def _progress(total: float, desc: str):
    from serlib.reporting.progress import tqdm

    return tqdm(total=round(total, 1), desc=desc, unit="s", disable=None, leave=False)


def segment_file(path: str | os.PathLike, config: TimelineConfig = TimelineConfig(), *,
                 progress: bool = True) -> tuple[list[tuple[float, float]], float]:
    """Pass 1: the segments ``[(start, end), ...]`` in seconds and the file's duration.

    Raises:
        serlib.data.audio.AudioError: unreadable file, NaN/inf samples.
    """
    from serlib.data.audio import AudioError, read_samples_info

    sr, n_total = read_samples_info(path)
    duration = n_total / sr
    if config.segmentation == "fixed":
        return windows(0.0, duration, config.window_s, config.hop_s, config.min_speech_s), duration
    frame = max(1, int(round(config.vad_frame_s * sr)))
    levels, carry = [], np.zeros(0, np.float32)
    bar = _progress(duration, "voice activity") if progress else None
    for _, _, mono in _blocks(os.fspath(path), config.block_s):
        if not np.all(np.isfinite(mono)):
            raise AudioError("contains NaN or infinite samples")
        x = np.concatenate([carry, mono])
        k = len(x) // frame
        fr = x[:k * frame].reshape(k, frame).astype(np.float64)
        levels.append(10 * np.log10(np.maximum(np.mean(fr ** 2, axis=1), 1e-20)))
        carry = x[k * frame:]
        if bar is not None:
            bar.update(round(len(mono) / sr, 1))
    if bar is not None:
        bar.close()
    db = np.concatenate(levels) if levels else np.zeros(0)
    frame_s = frame / sr
    if db.size == 0:
        return [], duration
    threshold = max(float(np.percentile(db, 99)) - config.vad_range_db, config.vad_floor_dbfs)
    segs = []
    for s, e in speech_regions(db, frame_s, vad_db=threshold, max_gap_s=config.max_gap_s,
                               min_speech_s=config.min_speech_s):
        segs += windows(s, min(e, duration), config.window_s, config.hop_s, config.min_speech_s)
    return segs, duration


def stream_segments(path: str | os.PathLike, segments, sample_rate: int = analysis.SAMPLE_RATE,
                    block_s: float = 30.0, progress: bool = True):
    """Pass 2: yield ``(start, end, samples)`` of each segment (16 kHz mono), reading the file in blocks.

    Only the audio from the earliest pending segment onwards is held in memory.
    """
    import soxr

    segments = sorted(segments)
    if not segments:
        return
    buf = np.zeros(0, np.float32)
    buf_start = 0  # index (at sample_rate) of buf[0]
    nxt = 0
    resampler, bar, done = None, None, 0
    for sr, total, mono in _blocks(os.fspath(path), block_s):
        if resampler is None:
            resampler = soxr.ResampleStream(sr, sample_rate, 1, dtype="float32", quality="HQ") if sr != sample_rate \
                else None
            bar = _progress(total / sr, "timeline") if progress else None
        done += len(mono)
        last = done >= total
        out = resampler.resample_chunk(mono, last=last) if resampler is not None else mono
        buf = np.concatenate([buf, np.asarray(out, np.float32)])
        if bar is not None:
            bar.update(round(len(mono) / sr, 1))
        end_avail = buf_start + len(buf)
        while nxt < len(segments):
            s, e = segments[nxt]
            i0, i1 = int(round(s * sample_rate)), int(round(e * sample_rate))
            if i1 > end_avail and not last:
                break
            yield s, e, buf[max(0, i0 - buf_start):max(0, i1 - buf_start)].copy()
            nxt += 1
        keep_from = int(round(segments[nxt][0] * sample_rate)) if nxt < len(segments) else end_avail
        drop = max(0, min(keep_from, end_avail) - buf_start)
        buf, buf_start = buf[drop:], buf_start + drop
        if nxt >= len(segments):
            break
    if bar is not None:
        bar.close()


def smooth_probabilities(probs: np.ndarray, k: int) -> np.ndarray:
    """Centred moving average of ``(n_segments, n_classes)`` probabilities over ``k`` segments (edges: shorter)."""
    probs = np.asarray(probs, np.float64)
    if k <= 1 or len(probs) < 2:
        return probs
    c = np.cumsum(np.vstack([np.zeros((1, probs.shape[1])), probs]), axis=0)
    half = k // 2
    lo = np.clip(np.arange(len(probs)) - half, 0, len(probs))
    hi = np.clip(np.arange(len(probs)) + (k - half), 0, len(probs))
    return (c[hi] - c[lo]) / (hi - lo)[:, None]


@dataclass
class Timeline:
    """A file's timeline: predictions per segment, and how many segments had no usable speech."""

    file: str
    duration_s: float
    predictions: list
    n_segments: int
    n_unusable: int
    config: TimelineConfig


def predict_timeline(model, path: str | os.PathLike, config: TimelineConfig = TimelineConfig(), *,
                     progress: bool = True, batch_size: int = 32) -> Timeline:
    """Emotion per segment of a long recording with a :class:`serlib.deploy.runtime.ShippedModel`.

    Raises:
        serlib.data.audio.AudioError: the file cannot be read (one-line reason).
    """
    from serlib.data.audio import AudioError

    segs, duration = segment_file(path, config, progress=progress)
    kept, frames, unusable = [], [], 0
    for s, e, y in stream_segments(path, segs, model.frontend.sample_rate, config.block_s, progress=progress):
        try:
            frames.append(model.frames_from_waveform(y, model.frontend.sample_rate))
            kept.append((s, e))
        except AudioError:
            unusable += 1
    probs = model.predict_proba(frames, batch_size=batch_size)
    probs = smooth_probabilities(probs, config.smooth)
    preds = [model._prediction(os.fspath(path), p, start=s, end=e) for (s, e), p in zip(kept, probs)]
    return Timeline(os.fspath(path), duration, preds, len(segs), unusable, config)


def plot_timeline(timeline: Timeline, labels, out_path: str | os.PathLike, *, title: str | None = None):
    """Draw the timeline: a coloured bar per segment (emotion) and its confidence; saves ``out_path``."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    colors = dict(zip(labels, plt.get_cmap("tab10").colors))
    fig, (ax, ax2) = plt.subplots(2, 1, figsize=(10, 3.6), sharex=True, gridspec_kw={"height_ratios": [1, 2]})
    for p in timeline.predictions:
        ax.axvspan(p.start, p.end, color=colors[p.emotion], alpha=0.85, lw=0)
    ax.set_yticks([])
    ax.set_ylabel("emotion")
    handles = [plt.Rectangle((0, 0), 1, 1, color=colors[l]) for l in labels]
    ax.legend(handles, labels, ncol=min(len(labels), 8), fontsize=7, loc="lower center", bbox_to_anchor=(0.5, 1.0),
              frameon=False)
    mids = [(p.start + p.end) / 2 for p in timeline.predictions]
    for lab in labels:
        ax2.plot(mids, [p.probabilities[lab] for p in timeline.predictions], color=colors[lab], lw=1)
    ax2.set_ylim(0, 1)
    ax2.set_ylabel("probability")
    ax2.set_xlabel("time (s)")
    ax2.set_xlim(0, max(timeline.duration_s, 1e-3))
    cfg = timeline.config
    fig.suptitle(title or f"{os.path.basename(timeline.file)}: {len(timeline.predictions)} segments "
                 f"({cfg.segmentation}, {cfg.window_s:g} s windows, hop {cfg.hop_s:g} s, smooth {cfg.smooth})",
                 fontsize=9, y=1.02)
    fig.savefig(out_path, dpi=120, bbox_inches="tight")
    plt.close(fig)
    return out_path

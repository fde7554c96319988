"""Figures of notebook 01_data_exploration: counts per emotion and speaker, durations, waveforms, log-mel."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.features import analysis
from serlib.plots.style import axes_or_new


def plot_emotion_counts(manifest: pd.DataFrame, ax=None, title: str | None = None):
    """Bar chart of utterances per emotion, split by gender."""
    import seaborn as sns

    ax = axes_or_new(ax)
    order = sorted(manifest["emotion"].unique())
    sns.countplot(data=manifest, x="emotion", hue="gender", order=order, ax=ax, palette="Set2")
    ax.set_xlabel("emotion")
    ax.set_ylabel("utterances (count)")
    ax.tick_params(axis="x", rotation=30)
    ax.legend(title="gender", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(title or "Utterances per emotion and gender")
    return ax


def plot_speaker_counts(manifest: pd.DataFrame, ax=None, title: str | None = None):
    """Bar chart of utterances per speaker, coloured by gender."""
    import seaborn as sns

    ax = axes_or_new(ax)
    order = sorted(manifest["speaker"].astype(str).unique())
    sns.countplot(data=manifest.assign(speaker=manifest["speaker"].astype(str)), x="speaker", hue="gender",
                  order=order, ax=ax, palette="Set2", dodge=False)
    ax.set_xlabel("speaker")
    ax.set_ylabel("utterances (count)")
    if len(order) > 12:
        ax.tick_params(axis="x", rotation=90, labelsize=7)
    ax.legend(title="gender", loc="upper left", bbox_to_anchor=(1.0, 1.0), fontsize=8)
    ax.set_title(title or "Utterances per speaker")
    return ax


def plot_durations(table: pd.DataFrame, ax=None, title: str | None = None):
    """Box plot of durations (s) per emotion; ``table`` needs ``emotion`` and ``duration_s``."""
    import seaborn as sns

    ax = axes_or_new(ax)
    order = sorted(table["emotion"].unique())
    sns.boxplot(data=table, x="emotion", y="duration_s", order=order, ax=ax, color="lightsteelblue", fliersize=2)
    ax.set_xlabel("emotion")
    ax.set_ylabel("duration (s)")
    ax.tick_params(axis="x", rotation=30)
    ax.set_title(title or "Utterance duration per emotion")
    return ax


def plot_waveform(y: np.ndarray, sample_rate: int, ax=None, title: str | None = None):
    """Waveform against time in seconds; amplitude relative to full scale."""
    ax = axes_or_new(ax, (7, 2))
    t = np.arange(len(y)) / sample_rate
    ax.plot(t, y, lw=0.5, color="tab:blue")
    ax.set_xlim(0, t[-1] if len(t) else 1)
    ax.set_xlabel("time (s)")
    ax.set_ylabel("amplitude (FS)")
    if title:
        ax.set_title(title)
    return ax


def plot_logmel(y: np.ndarray, sample_rate: int, ax=None, title: str | None = None, n_mels: int = analysis.N_MELS,
                hop_length: int = analysis.HOP_LENGTH, n_fft: int = analysis.N_FFT, colorbar: bool = True):
    """Log-mel spectrogram: time (s) against frequency (Hz, mel-spaced), colour in dB."""
    import librosa
    import librosa.display

    ax = axes_or_new(ax, (7, 3))
    mel = librosa.feature.melspectrogram(y=y, sr=sample_rate, n_fft=n_fft, hop_length=hop_length, n_mels=n_mels,
                                         fmax=sample_rate / 2)
    db = librosa.power_to_db(mel, ref=np.max)
    img = librosa.display.specshow(db, sr=sample_rate, hop_length=hop_length, x_axis="time", y_axis="mel",
                                   ax=ax, fmax=sample_rate / 2, cmap="magma")
    ax.set_xlabel("time (s)")
    ax.set_ylabel("frequency (Hz, mel scale)")
    if colorbar:
        ax.figure.colorbar(img, ax=ax, format="%+2.0f dB", label="level (dB re max)")
    if title:
        ax.set_title(title)
    return ax


def plot_levels(table: pd.DataFrame, ax=None, title: str | None = None):
    """Box plot of RMS level (dBFS) per emotion; ``table`` needs ``emotion`` and ``rms_dbfs``."""
    import seaborn as sns

    ax = axes_or_new(ax)
    sns.boxplot(data=table, x="emotion", y="rms_dbfs", order=sorted(table["emotion"].unique()), ax=ax,
                color="wheat", fliersize=2)
    ax.set_xlabel("emotion")
    ax.set_ylabel("RMS level (dBFS)")
    ax.tick_params(axis="x", rotation=30)
    ax.set_title(title or "Loudness per emotion (as recorded)")
    return ax


def _two_panels(axes, width_ratios=None):
    import matplotlib.pyplot as plt

    if axes is not None:
        return axes, False
    kw = {"gridspec_kw": {"width_ratios": width_ratios}} if width_ratios else {}
    _, axes = plt.subplots(1, 2, figsize=(13, 4), **kw)
    return axes, True


def plot_corpus_counts(manifest: pd.DataFrame, corpus: str, axes=None):
    """Utterances per emotion and gender (left) and per speaker (right) of one corpus.

    Serves notebook 01_data_exploration (section 2). Returns the two axes.
    """
    from serlib.reporting.run_context import corpus_title

    if manifest.empty:
        raise ValueError(f"manifest of corpus {corpus!r} is empty")
    axes, new = _two_panels(axes, [1, 1.3])
    plot_emotion_counts(manifest, ax=axes[0], title=f"{corpus_title(corpus)}: utterances per emotion")
    plot_speaker_counts(manifest, ax=axes[1], title=f"{corpus_title(corpus)}: utterances per speaker")
    if new:
        axes[0].figure.tight_layout()
    return axes


def plot_durations_levels(table: pd.DataFrame, corpus: str, axes=None):
    """Duration (left) and RMS level (right) per emotion of the usable files of one corpus.

    Serves notebook 01_data_exploration (section 3); ``table`` is :func:`serlib.data.exploration.usable_levels`.
    Returns the two axes.
    """
    from serlib.reporting.run_context import corpus_title

    missing = {"emotion", "duration_s", "rms_dbfs"} - set(table.columns)
    if missing:
        raise ValueError(f"table lacks column(s) {', '.join(sorted(missing))}; use exploration.usable_levels")
    axes, new = _two_panels(axes)
    plot_durations(table, ax=axes[0], title=f"{corpus_title(corpus)}: duration per emotion")
    plot_levels(table, ax=axes[1], title=f"{corpus_title(corpus)}: loudness per emotion (as recorded)")
    if new:
        axes[0].figure.tight_layout()
    return axes


def plot_emotion_examples(examples: dict, sample_rate: int, corpus: str, axes=None):
    """Waveform (top row) and log-mel spectrogram (bottom row) of one utterance per emotion of one speaker.

    Serves notebook 01_data_exploration (section 4); ``examples`` is
    :func:`serlib.data.exploration.emotion_examples`. Returns the (2, n emotions) axes.
    """
    import matplotlib.pyplot as plt

    from serlib.reporting.run_context import corpus_title

    rows, waveforms = examples["rows"], examples["waveforms"]
    n = len(rows)
    if n == 0 or n != len(waveforms):
        raise ValueError(f"need one waveform per example row, got {n} rows and {len(waveforms)} waveforms")
    new = axes is None
    if new:
        _, axes = plt.subplots(2, n, figsize=(2.6 * n, 5), squeeze=False)
    for k, (emotion, y) in enumerate(zip(rows["emotion"], waveforms)):
        plot_waveform(y, sample_rate, ax=axes[0, k], title=emotion)
        plot_logmel(y, sample_rate, ax=axes[1, k], colorbar=False)
        if k:
            axes[0, k].set_ylabel("")
            axes[1, k].set_ylabel("")
    fig = axes[0, 0].figure
    fig.suptitle(f"{corpus_title(corpus)}: speaker {examples['speaker']}, one utterance per emotion")
    if new:
        fig.tight_layout()
    return axes

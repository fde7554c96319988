"""Figures of notebook 01_data_exploration: counts per emotion and speaker, durations, waveforms, log-mel."""

from __future__ import annotations

import numpy as np
import pandas as pd

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


def plot_logmel(y: np.ndarray, sample_rate: int, ax=None, title: str | None = None, n_mels: int = 64,
                hop_length: int = 160, n_fft: int = 512, colorbar: bool = True):
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

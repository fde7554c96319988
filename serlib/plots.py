"""Figure helpers for the data and feature notebooks: every axis labelled, with units.

Serves notebooks 01_data_exploration and 02_feature_extraction. Functions draw on a given matplotlib
``Axes`` (or make one) and return it; they never save: saving, and stamping the corpus and protocol on the
figure, is :meth:`serlib.report.RunContext.save_figure`'s job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def _ax(ax, figsize=(7, 4)):
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax


def plot_emotion_counts(manifest: pd.DataFrame, ax=None, title: str | None = None):
    """Bar chart of utterances per emotion, split by gender."""
    import seaborn as sns

    ax = _ax(ax)
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

    ax = _ax(ax)
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

    ax = _ax(ax)
    order = sorted(table["emotion"].unique())
    sns.boxplot(data=table, x="emotion", y="duration_s", order=order, ax=ax, color="lightsteelblue", fliersize=2)
    ax.set_xlabel("emotion")
    ax.set_ylabel("duration (s)")
    ax.tick_params(axis="x", rotation=30)
    ax.set_title(title or "Utterance duration per emotion")
    return ax


def plot_waveform(y: np.ndarray, sample_rate: int, ax=None, title: str | None = None):
    """Waveform against time in seconds; amplitude relative to full scale."""
    ax = _ax(ax, (7, 2))
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

    ax = _ax(ax, (7, 3))
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


#: Colour range of standardised feature images, in robust z-units (median / scaled IQR); beyond it colours clip.
FEATURE_Z_LIMIT = 3.0


def plot_feature_matrix(frames: np.ndarray, frame_rate: float, ax=None, title: str | None = None,
                        ylabel: str = "coefficient", colorbar: bool = True, cmap: str = "coolwarm",
                        standardize: bool = True, first_index: int = 0):
    """Frame features (n_frames, n_features) as an image: time (s) against feature index.

    Serves notebook 02. With ``standardize`` every coefficient is scaled over time by its median and
    interquartile range (robust to a few extreme frames) and the colours span +/- :data:`FEATURE_Z_LIMIT`, so
    that no coefficient (coefficient 0, the level, has by far the widest range) washes out the others.
    ``first_index``: the index of the first column, for a matrix that leaves coefficient 0 out.
    """
    ax = _ax(ax, (7, 3))
    shown = np.asarray(frames, dtype=float)
    if standardize:
        med = np.median(shown, axis=0)
        q75, q25 = np.percentile(shown, [75, 25], axis=0)
        scale = np.maximum((q75 - q25) / 1.349, 1e-9)  # the IQR of a normal distribution is 1.349 sigma
        shown = (shown - med) / scale
    lim = FEATURE_Z_LIMIT if standardize else (np.percentile(np.abs(shown), 99) or 1.0)
    extent = [0, frames.shape[0] / frame_rate, first_index - 0.5, first_index + frames.shape[1] - 0.5]
    img = ax.imshow(shown.T, origin="lower", aspect="auto", extent=extent, cmap=cmap, vmin=-lim, vmax=lim)
    ax.set_xlabel("time (s)")
    ax.set_ylabel(ylabel)
    if colorbar:
        ax.figure.colorbar(img, ax=ax, label="robust z-score over time" if standardize else "value (a.u.)")
    if title:
        ax.set_title(title)
    return ax


def plot_windows(frames: np.ndarray, frame_rate: float, window_frames: int, window_hop: int, ax=None,
                 title: str | None = None, max_windows: int = 12, first_index: int = 0):
    """The overlapping sliding windows drawn as brackets over a feature matrix (notebook 02), with a legend."""
    from matplotlib.lines import Line2D
    from matplotlib.patches import Rectangle

    ax = plot_feature_matrix(frames, frame_rate, ax=ax, title=title, colorbar=False, first_index=first_index)
    n = frames.shape[0]
    starts = list(range(0, max(n - window_frames + 1, 0), window_hop))[:max_windows]
    height = frames.shape[1]
    colors = ["black", "gold"]
    for k, s in enumerate(starts):
        lane = k % 2
        ax.add_patch(Rectangle((s / frame_rate, first_index - 0.5 + lane * 0.02 * height), window_frames / frame_rate,
                               height * 0.98, fill=False, lw=1.2, ec=colors[lane], ls="-" if lane == 0 else "--"))
    overlap = 100 * (1 - window_hop / window_frames)
    ax.legend(handles=[Line2D([], [], color="black", lw=1.2, label="windows 1, 3, 5, ... (edges)"),
                       Line2D([], [], color="gold", lw=1.2, ls="--",
                              label=f"windows 2, 4, 6, ... (each overlaps its neighbours by {overlap:.0f} %)")],
              loc="upper left", bbox_to_anchor=(0, -0.18), ncol=2, fontsize=8, frameon=False)
    ax.set_title((title or "Overlapping sliding windows") +
                 f" ({window_frames} frames = {window_frames / frame_rate:.2f} s, hop {window_hop} frames)")
    return ax


def plot_emotion_feature_profile(stats: pd.DataFrame, ax=None, title: str | None = None):
    """Heatmap of per-emotion means of feature columns, z-scored per column (rows: emotions)."""
    import seaborn as sns

    ax = _ax(ax, (9, 3.5))
    z = (stats - stats.mean()) / stats.std(ddof=0).replace(0, 1)
    sns.heatmap(z, cmap="vlag", center=0, ax=ax, cbar_kws={"label": "z-score across emotions"})
    ax.set_xlabel("feature")
    ax.set_ylabel("emotion")
    ax.tick_params(axis="y", rotation=0)
    ax.set_title(title or "Mean feature value per emotion (z-scored per feature)")
    return ax


def plot_embedding(points: np.ndarray, labels, ax=None, title: str | None = None, xlabel: str = "component 1",
                   ylabel: str = "component 2"):
    """2-D scatter of an embedding (e.g. PCA of utterance statistics) coloured by label."""
    import seaborn as sns

    ax = _ax(ax, (6, 5))
    sns.scatterplot(x=points[:, 0], y=points[:, 1], hue=np.asarray(labels), s=10, alpha=0.7, ax=ax,
                    palette="tab10", linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7, markerscale=1.5, loc="best")
    if title:
        ax.set_title(title)
    return ax


# ------------------------------------------------------------------------------ notebook 04 (CNN-LSTM)
def plot_confusion(y_true, y_pred, labels=None, ax=None, title: str | None = None, normalize: bool = True):
    """Confusion matrix heatmap; rows are true labels. ``normalize`` shows row percentages (recall)."""
    import seaborn as sns
    from sklearn.metrics import confusion_matrix

    ax = _ax(ax, (6, 5))
    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    cm = confusion_matrix(y_true, y_pred, labels=labels).astype(float)
    if normalize:
        cm = 100 * cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    sns.heatmap(cm, annot=True, fmt=".0f", cmap="Blues", xticklabels=labels, yticklabels=labels, ax=ax,
                cbar_kws={"label": "% of true class" if normalize else "utterances (count)"},
                vmin=0, vmax=100 if normalize else None, annot_kws={"fontsize": 7})
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.tick_params(axis="x", rotation=45)
    ax.tick_params(axis="y", rotation=0)
    if title:
        ax.set_title(title)
    return ax


def plot_protocol_bars(summary: pd.DataFrame, ax=None, metric: str = "accuracy", reported: dict | None = None,
                       title: str | None = None):
    """Grouped bars of a metric (in %) per corpus and protocol with std error bars.

    ``summary`` needs columns ``corpus, protocol, <metric>, <metric>_std``; ``reported`` maps a label to a
    value in % drawn as dashed reference lines marked "reported (paper)".
    """
    ax = _ax(ax, (9, 4))
    protocols = list(dict.fromkeys(summary["protocol"]))
    corpora = list(dict.fromkeys(summary["corpus"]))
    width = 0.8 / max(len(protocols), 1)
    colors = dict(zip(protocols, ["tab:gray", "tab:blue", "tab:orange", "tab:green", "tab:purple", "tab:red"]))
    for k, proto in enumerate(protocols):
        sub = summary[summary["protocol"] == proto].set_index("corpus").reindex(corpora)
        x = np.arange(len(corpora)) + (k - (len(protocols) - 1) / 2) * width
        vals = 100 * sub[metric].to_numpy(dtype=float)
        errs = 100 * sub.get(metric + "_std", pd.Series(0.0, index=sub.index)).to_numpy(dtype=float)
        ax.bar(x, vals, width, yerr=errs, capsize=3, label=f"{proto} (measured here)", color=colors[proto])
        for xi, v in zip(x, vals):
            if np.isfinite(v):
                ax.text(xi, v + 1, f"{v:.1f}", ha="center", va="bottom", fontsize=7)
    for k, (label, value) in enumerate((reported or {}).items()):
        ax.axhline(value, ls="--", lw=1, color="firebrick")
        left = k % 2 == 1
        ax.text(-0.45 if left else len(corpora) - 0.55, value + (0.4 if left else -0.4),
                f"{label}: {value:g} % (reported)", ha="left" if left else "right",
                va="bottom" if left else "top", fontsize=7, color="firebrick")
    ax.set_xticks(np.arange(len(corpora)))
    ax.set_xticklabels(corpora)
    ax.set_xlabel("corpus")
    ax.set_ylabel(f"{metric.replace('_', ' ')} (%)")
    ax.set_ylim(0, 105)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.01, 1.0), title="protocol", title_fontsize=7)
    # (outside the axes: inside, the legend covered the low bars of the honest protocols)
    if title:
        ax.set_title(title)
    return ax


def plot_snr_curves(table: pd.DataFrame, ax=None, title: str | None = None, chance: float | None = None):
    """Accuracy (%) against SNR (dB) per noise kind; ``table`` has ``noise, snr_db, accuracy`` (clean = inf)."""
    ax = _ax(ax, (6, 4))
    for kind, g in table.groupby("noise"):
        g = g.sort_values("snr_db", ascending=False)
        xs = ["clean" if not np.isfinite(s) else f"{s:g}" for s in g["snr_db"]]
        ax.plot(xs, 100 * g["accuracy"], marker="o", label=f"{kind} noise")
    if chance:
        ax.axhline(100 * chance, ls=":", color="0.5", label="chance")
    ax.set_xlabel("signal-to-noise ratio (dB)")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=8)
    if title:
        ax.set_title(title)
    return ax


def plot_learning_curves(history: dict, ax=None, title: str | None = None):
    """Training and validation accuracy (%) against epoch; the early-stopping epoch is marked."""
    ax = _ax(ax, (6, 3.5))
    ep = np.arange(1, len(history.get("accuracy", [])) + 1)
    ax.plot(ep, 100 * np.asarray(history.get("accuracy", [])), label="training utterances")
    if history.get("val_accuracy"):
        ax.plot(ep, 100 * np.asarray(history["val_accuracy"]), label="validation speakers (from training side)")
    if history.get("best_epoch"):
        ax.axvline(history["best_epoch"], ls="--", color="0.4", lw=1, label="kept epoch")
    ax.set_xlabel("epoch")
    ax.set_ylabel("accuracy (%)")
    ax.set_ylim(0, 100)
    ax.legend(fontsize=7)
    if title:
        ax.set_title(title)
    return ax

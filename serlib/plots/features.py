"""Figures of notebook 02_feature_extraction: feature matrices, OSW windows, per-emotion profiles, embeddings."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.plots.style import axes_or_new

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
    ax = axes_or_new(ax, (7, 3))
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

    ax = axes_or_new(ax, (9, 3.5))
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

    ax = axes_or_new(ax, (6, 5))
    sns.scatterplot(x=points[:, 0], y=points[:, 1], hue=np.asarray(labels), s=10, alpha=0.7, ax=ax,
                    palette="tab10", linewidth=0)
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    ax.legend(fontsize=7, markerscale=1.5, loc="best")
    if title:
        ax.set_title(title)
    return ax


def _static_columns(config) -> tuple[int, int]:
    from serlib.features.walkthrough import static_columns  # the one definition of the rule

    return static_columns(config)


def plot_feature_pipeline(y: np.ndarray, frames: np.ndarray, config, row, axes=None):
    """Waveform, log-mel spectrogram, static coefficients and deltas of one utterance, stacked over time.

    Serves notebook 02_feature_extraction (section 1). ``frames`` is
    :func:`serlib.features.frames.compute_frame_features` of ``y`` with ``config`` (a
    :class:`~serlib.features.frames.FeatureConfig`); ``row`` is the utterance's manifest row (emotion, speaker).
    MFCC 0 (the level, shown by the waveform) is left out so the spectral shape shows. Returns the 4 axes.
    """
    import matplotlib.pyplot as plt

    from serlib.plots.data import plot_logmel, plot_waveform

    first, n_static = _static_columns(config)
    if frames.ndim != 2 or frames.shape[1] != config.n_features:
        raise ValueError(f"frames must be (n_frames, {config.n_features}) for this config, got {frames.shape}")
    new = axes is None
    if new:
        _, axes = plt.subplots(4, 1, figsize=(10, 10), sharex=True)
    sr = config.sample_rate
    plot_waveform(y, sr, ax=axes[0], title=f"{row['emotion']} utterance, speaker {row['speaker']} (trimmed)")
    plot_logmel(y, sr, ax=axes[1], title="log-mel spectrogram", n_mels=config.n_mels)
    plot_feature_matrix(frames[:, first:n_static], config.frame_rate, ax=axes[2], first_index=first,
                        title=f"{config.kind.upper()} (static coefficients"
                              + (", 0 = level left out)" if first else ")"), ylabel="coefficient index")
    if config.deltas:
        plot_feature_matrix(frames[:, n_static + first:2 * n_static], config.frame_rate, ax=axes[3],
                            first_index=first, title="delta coefficients", ylabel="coefficient index")
    if new:
        axes[0].figure.tight_layout()
    return axes


def plot_osw(frames: np.ndarray, config, ax=None):
    """The overlapping sliding windows of ``config`` over the static coefficients of one utterance.

    Serves notebook 02_feature_extraction (section 2); MFCC 0 is left out as in :func:`plot_feature_pipeline`.
    """
    import matplotlib.pyplot as plt

    first, n_static = _static_columns(config)
    if frames.ndim != 2 or frames.shape[1] < n_static:
        raise ValueError(f"frames must be (n_frames, >= {n_static}) for this config, got {frames.shape}")
    new = ax is None
    if new:
        _, ax = plt.subplots(figsize=(10, 3.5))
    plot_windows(frames[:, first:n_static], config.frame_rate, config.window_frames, config.window_hop, ax=ax,
                 title="OSW over the MFCC matrix" + (" (coefficients 1+)" if first else ""), first_index=first)
    ax.set_ylabel("coefficient index")
    if new:
        ax.figure.tight_layout()
    return ax


def plot_feature_profile(result: dict, corpus: str, kind: str = "mfcc", axes=None):
    """Mean static coefficient per emotion (left) and the PCA of utterance statistics (right) of one corpus.

    Serves notebook 02_feature_extraction (section 4); ``result`` is
    :func:`serlib.features.walkthrough.emotion_profile`. Returns the two axes.
    """
    import matplotlib.pyplot as plt

    from serlib.reporting.run_context import corpus_title

    missing = {"profile", "points", "explained_pct", "labels"} - set(result)
    if missing:
        raise ValueError(f"result lacks {', '.join(sorted(missing))}; use walkthrough.emotion_profile")
    new = axes is None
    if new:
        _, axes = plt.subplots(1, 2, figsize=(15, 4.5), gridspec_kw={"width_ratios": [1.6, 1]})
    plot_emotion_feature_profile(result["profile"], ax=axes[0],
                                 title=f"{corpus_title(corpus)}: mean {kind.upper()} per emotion")
    axes[0].set_xlabel("coefficient")
    ev = result["explained_pct"]
    plot_embedding(result["points"], result["labels"], ax=axes[1],
                   title=f"{corpus_title(corpus)}: PCA of utterance statistics",
                   xlabel=f"PC1 ({ev[0]:.0f} % of variance)", ylabel=f"PC2 ({ev[1]:.0f} % of variance)")
    if new:
        axes[0].figure.tight_layout()
    return axes

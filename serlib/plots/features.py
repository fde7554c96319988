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

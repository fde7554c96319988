"""Figure helpers for the augmentation notebook: every axis labelled, with units.

Serves notebook 03_gan_augmentation. Functions draw on given matplotlib axes (or make them) and return them;
saving and stamping corpus/protocol is :meth:`serlib.reporting.run_context.RunContext.save_figure`'s job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd


def plot_gan_losses(history: pd.DataFrame, axes=None, title: str = "GAN training losses"):
    """Two panels over training steps: adversarial losses, and classification / cycle / identity losses."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    if history is None or len(history) == 0:
        for ax in axes:
            ax.text(0.5, 0.5, "no loss history", ha="center", va="center", transform=ax.transAxes)
        return axes
    step = history["step"]
    for col, label in (("d_adv", "D adversarial (least squares)"), ("g_adv", "G adversarial (least squares)")):
        axes[0].plot(step, history[col], label=label)
    axes[0].set_title(f"{title}: adversarial")
    for col, label in (("d_cls", "D emotion classification (real windows)"),
                       ("g_cls", "G emotion classification (generated, target label)"),
                       ("cycle", "cycle consistency (L1, z-scored MFCC)"),
                       ("identity", "identity (L1, z-scored MFCC)")):
        axes[1].plot(step, history[col], label=label)
    axes[1].set_yscale("log")
    axes[1].set_title(f"{title}: classification, cycle and identity")
    for ax in axes:
        ax.set_xlabel("training step (batches of windows)")
        ax.set_ylabel("loss (mean over logged steps, unitless)")
        ax.legend(fontsize=7)
        ax.grid(alpha=0.3)
    return axes


def plot_real_vs_generated(panels: list[tuple[str, np.ndarray]], frame_rate: float, axes=None,
                           n_show: int | None = None, title: str | None = None, vmax: float | None = None,
                           colorbar: bool = True, feature_name: str = "MFCC coefficient"):
    """A row of static MFCC images ``(n_frames, n_coeffs)``, one per ``(label, matrix)``, on one colour scale.

    Coefficient 0 (overall level) is left out so that the colour scale shows the spectral shape.
    """
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(panels), figsize=(3.2 * len(panels), 3.2), sharey=True)
    axes = np.atleast_1d(axes)
    mats = [np.asarray(m)[:, 1:n_show] if n_show else np.asarray(m)[:, 1:] for _, m in panels]
    if vmax is None:
        vmax = max(float(np.percentile(np.abs(m), 99)) for m in mats)
    im = None
    for ax, (label, _), m in zip(axes, panels, mats):
        extent = (0, m.shape[0] / frame_rate, 1, m.shape[1] + 1)
        im = ax.imshow(m.T, origin="lower", aspect="auto", cmap="coolwarm", vmin=-vmax, vmax=vmax, extent=extent)
        ax.set_title(label, fontsize=9)
        ax.set_xlabel("time (s)")
    axes[0].set_ylabel(f"{feature_name} index (1..)")
    if im is not None and colorbar:
        cb = axes[-1].figure.colorbar(im, ax=list(axes), fraction=0.02, pad=0.01)
        cb.set_label(f"{feature_name} value" if feature_name != "MFCC coefficient"
                     else "MFCC value (dB-scaled cepstrum)")
    if title:
        axes[0].figure.suptitle(title, fontsize=10)
    return axes


def plot_real_vs_generated_grid(top: list, bottom: list, frame_rate: float, title: str | None = None,
                                feature_name: str = "MFCC coefficient"):
    """Two rows of :func:`plot_real_vs_generated` on one colour scale: translations (top) and the real
    utterances they should resemble (bottom); empty bottom cells are hidden. Returns the axes grid."""
    import matplotlib.pyplot as plt

    vmax = max(float(np.percentile(np.abs(np.asarray(m)[:, 1:]), 99)) for _, m in top + bottom)
    fig, axes = plt.subplots(2, len(top), figsize=(3.6 * len(top), 7.0), squeeze=False)
    fig.subplots_adjust(hspace=0.45)
    plot_real_vs_generated(top, frame_rate, axes=axes[0], vmax=vmax, feature_name=feature_name)
    plot_real_vs_generated(bottom, frame_rate, axes=axes[1][:len(bottom)], vmax=vmax, feature_name=feature_name)
    for ax in axes[1][len(bottom):]:
        ax.axis("off")
    if title:
        fig.suptitle(title, fontsize=10)
    return axes


def plot_emotion_profiles(profiles: pd.DataFrame, axes=None,
                          title: str = "Per-emotion MFCC profile: real vs generated",
                          feature_name: str = "MFCC coefficient"):
    """Small multiples per emotion: each coefficient's mean deviation from the all-emotion real mean (z units).

    ``profiles`` is :func:`serlib.augmentation.gan_quality.emotion_profiles`' long table (column ``z_mean``). A generator that
    ignored its emotion condition would draw a flat generated line in every panel.
    """
    import matplotlib.pyplot as plt

    emotions = sorted(profiles["emotion"].unique())
    if axes is None:
        ncol = min(4, len(emotions))
        nrow = int(np.ceil(len(emotions) / ncol))
        _, axes = plt.subplots(nrow, ncol, figsize=(3.6 * ncol, 2.8 * nrow), sharex=True, sharey=True, squeeze=False)
    flat = np.asarray(axes).ravel()
    for ax, e in zip(flat, emotions):
        for kind, color in (("real", "tab:blue"), ("generated", "tab:orange")):
            g = profiles[(profiles["emotion"] == e) & (profiles["kind"] == kind)].sort_values("coefficient")
            if not g.empty:
                ax.plot(g["coefficient"], g["z_mean"], color=color, label=f"{kind} windows", marker=".", ms=3)
        ax.axhline(0, color="0.5", lw=0.8)
        ax.set_title(e, fontsize=9)
        ax.set_xlabel(f"{feature_name} index")
        ax.set_ylabel("mean - all-emotion mean (std units)")
        ax.grid(alpha=0.3)
    for ax in flat[len(emotions):]:
        ax.axis("off")
    flat[0].legend(fontsize=7)
    flat[0].figure.suptitle(title, fontsize=10)
    return axes


def plot_condition_comparison(per_seed: pd.DataFrame, summary: pd.DataFrame, axes=None,
                              title: str = "CNN-LSTM with and without augmentation"):
    """Left: UAR per condition (dots = seeds, bar = mean ± std). Right: difference to ``none`` with its CI."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, 2, figsize=(12, 3.8))
    order = list(summary["condition"])
    x = np.arange(len(order))
    axes[0].bar(x, 100 * summary["uar_mean"], yerr=100 * summary["uar_std"], color="lightsteelblue",
                capsize=4, label="mean ± std over seeds")
    for i, c in enumerate(order):
        vals = 100 * per_seed.loc[per_seed["condition"] == c, "uar"].to_numpy()
        axes[0].scatter(np.full(len(vals), i), vals, color="k", s=12, zorder=3, label="one seed" if i == 0 else None)
    axes[0].set_xticks(x, order)
    axes[0].set_xlabel("training condition")
    axes[0].set_ylabel("UAR on test speakers (%)")
    axes[0].set_title(title)
    axes[0].legend(fontsize=7)
    diff = summary.dropna(subset=["diff_vs_none"]) if "diff_vs_none" in summary else summary.iloc[0:0]
    if len(diff):
        xd = np.arange(len(diff))
        mid = 100 * diff["diff_vs_none"].to_numpy()
        err = np.vstack([mid - 100 * diff["ci_low"].to_numpy(), 100 * diff["ci_high"].to_numpy() - mid])
        axes[1].errorbar(xd, mid, yerr=err, fmt="o", capsize=5, color="tab:red", label="mean difference, 95 % CI")
        axes[1].axhline(0, color="0.4", lw=1)
        axes[1].axhline(2, color="tab:green", lw=1, ls="--", label="aim: +2 UAR points")
        axes[1].set_xticks(xd, list(diff["condition"]))
        axes[1].legend(fontsize=7)
    axes[1].set_xlabel("training condition")
    axes[1].set_ylabel("UAR difference to 'none' (percentage points)")
    axes[1].set_title("Paired difference to no augmentation")
    for ax in axes:
        ax.grid(alpha=0.3, axis="y")
    return axes


def plot_recall_change(table: pd.DataFrame, ax=None, title: str | None = None):
    """Per-emotion recall change against no augmentation (points, with 95 % intervals), one marker per condition.

    ``table`` is :func:`serlib.experiments.augmentation_report.recall_change_table`'s; emotions with fewer test
    utterances than the median are labelled "(below median)", rarest at the top.
    """
    from serlib.plots.style import axes_or_new

    emotions = (table.drop_duplicates("emotion").sort_values(["n_test", "emotion"], ascending=[False, True]))
    ax = axes_or_new(ax, (8, 0.45 * len(emotions) + 1.8))
    y = {e: k for k, e in enumerate(emotions["emotion"])}
    conditions = list(dict.fromkeys(table["condition"]))
    offsets = np.linspace(-0.25, 0.25, len(conditions)) if len(conditions) > 1 else [0.0]
    for off, (cond, marker) in zip(offsets, zip(conditions, "osD^v<>ph*")):
        g = table[table["condition"] == cond]
        yy = np.array([y[e] for e in g["emotion"]]) + off
        x = 100 * g["recall_change"].to_numpy()
        err = [x - 100 * g["ci_low"].to_numpy(), 100 * g["ci_high"].to_numpy() - x]
        ax.errorbar(x, yy, xerr=err, fmt=marker, capsize=2, label=cond)
    ax.axvline(0, color="0.4", lw=0.8)
    ax.set_yticks(range(len(y)))
    ax.set_yticklabels([f"{r.emotion} (n={r.n_test}{', below median' if r.below_median_support else ''})"
                        for r in emotions.itertuples()])
    ax.set_xlabel("recall change against no augmentation (percentage points, 95 % CI)")
    ax.set_ylabel("emotion (test utterances)")
    ax.legend(fontsize=8, title="condition")
    ax.grid(axis="x", alpha=0.3)
    if title:
        ax.set_title(title, fontsize=10)
    return ax

"""Figure helpers for the data and feature notebooks: every axis labelled, with units.

Serves notebooks 01_data_exploration and 02_feature_extraction. Functions draw on a given matplotlib
``Axes`` (or make one) and return it; they never save: saving, and stamping the corpus and protocol on the
figure, is :meth:`serlib.reporting.run_context.RunContext.save_figure`'s job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.plots.style import axes_or_new


# ------------------------------------------------------------------------------ notebook 04 (CNN-LSTM)
def plot_confusion(y_true, y_pred, labels=None, ax=None, title: str | None = None, normalize: bool = True,
                   cbar: bool = True):
    """Confusion matrix heatmap, rows are true labels; the title gets the accuracy and the number of utterances.

    The one confusion-matrix function of the project (notebooks 04 and 05).

    Args:
        labels: class order (default: sorted union of ``y_true`` and ``y_pred``).
        normalize: show row percentages (recall per true class); ``False`` shows counts.
        cbar: draw the colour bar.
    """
    import seaborn as sns
    from sklearn.metrics import confusion_matrix

    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    small = len(labels) <= 10
    ax = axes_or_new(ax, (6, 5) if small else (8, 7))
    counts = confusion_matrix(np.asarray(y_true), np.asarray(y_pred), labels=labels)
    shown = 100 * counts / np.maximum(counts.sum(axis=1, keepdims=True), 1) if normalize else counts
    sns.heatmap(shown, annot=True, fmt=".0f" if normalize else "d", cmap="Blues", cbar=cbar,
                xticklabels=labels, yticklabels=labels, ax=ax, square=not small,
                vmin=0, vmax=100 if normalize else None, annot_kws={"fontsize": 7 if small else 6},
                cbar_kws={"label": "% of true class" if normalize else "utterances (count)"} if cbar else None)
    ax.set_xlabel("predicted label")
    ax.set_ylabel("true label")
    ax.tick_params(axis="x", rotation=45 if small else 90, labelsize=7 if small else 6)
    ax.tick_params(axis="y", rotation=0, labelsize=7 if small else 6)
    accuracy = np.trace(counts) / max(counts.sum(), 1)
    ax.set_title((title + "\n" if title else "") + f"accuracy {accuracy:.1%} on {counts.sum()} utterances",
                 fontsize=9)
    return ax


def plot_protocol_bars(summary: pd.DataFrame, ax=None, metric: str = "accuracy", reported: dict | None = None,
                       title: str | None = None):
    """Grouped bars of a metric (in %) per corpus and protocol with std error bars.

    ``summary`` needs columns ``corpus, protocol, <metric>, <metric>_std``; ``reported`` maps a label to a
    value in % drawn as dashed reference lines marked "reported (paper)".
    """
    ax = axes_or_new(ax, (9, 4))
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
    ax = axes_or_new(ax, (6, 4))
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
    ax = axes_or_new(ax, (6, 3.5))
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


def plot_ablation_steps(table: pd.DataFrame, ax=None, title: str | None = None, chance: float | None = None):
    """UAR (%) of each cumulative ablation step, first step at the top, value printed at each bar end.

    ``table`` has ``step`` and ``uar`` (:func:`serlib.experiments.paper_model.cumulative_ablation`); one seed,
    so there is no interval to draw: the title should say so.
    """
    ax = axes_or_new(ax, (9, 4))
    uar = 100 * table["uar"].to_numpy()[::-1]
    ax.barh(table["step"].to_numpy()[::-1], uar, color="tab:blue")
    for i, v in enumerate(uar):
        ax.text(v + 0.5, i, f"{v:.1f}", va="center", fontsize=8)
    if chance:
        ax.axvline(100 * chance, ls=":", color="0.5", label="chance")
        ax.legend(fontsize=8, loc="lower right")
    ax.set_xlabel("UAR (%), speaker-independent, pooled over folds")
    ax.set_ylabel("cumulative step")
    ax.set_xlim(0, 100)
    if title:
        ax.set_title(title)
    return ax


def plot_protocol_confusions(reports: dict, corpus_label: str, seed: int, axes=None):
    """One confusion matrix per protocol side by side (``reports``: ``{protocol: (predictions, report)}`` from
    :func:`serlib.experiments.paper_model.seed_reports`); returns the axes."""
    import matplotlib.pyplot as plt

    if axes is None:
        _, axes = plt.subplots(1, len(reports), figsize=(6.5 * len(reports), 5.5), squeeze=False)
        axes = axes[0]
    for ax, (proto, (pred, _)) in zip(axes, reports.items()):
        plot_confusion(pred["y_true"], pred["y_pred"], ax=ax, title=f"{corpus_label}: {proto} (seed {seed})")
    return axes

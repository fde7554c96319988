"""Figures of the leaderboard: measured rows with their seed x speaker intervals, published anchors apart.

Serves notebook 04_cnn_lstm (section "Leaderboard"). Functions draw on a given ``Axes`` and never save.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.plots.style import axes_or_new


def plot_leaderboard(table: pd.DataFrame, corpus: str, ax=None, *, protocol: str = "speaker_independent",
                     anchors=(), chance: float | None = None, title: str | None = None):
    """Horizontal bars of UAR (%) with 95 % intervals for every measured row of ``corpus`` / ``protocol``; below a
    gap, the published anchors as hatched grey bars labelled **reported** (WA or UAR as published).

    Args:
        table: :func:`serlib.experiments.leaderboard.statistics.leaderboard_table`.
        anchors: dicts with ``model, metric, value`` (percent), e.g. :data:`serlib.experiments.leaderboard.run.PUBLISHED_ANCHORS`.
        chance: chance level (fraction) drawn as a dotted line.
    """

    t = table[(table["corpus"] == corpus) & (table["protocol"] == protocol)].sort_values("uar")
    ax = axes_or_new(ax, (9, 0.32 * (len(t) + len(anchors)) + 1.5))
    anchors = sorted(anchors, key=lambda a: a["value"])
    y_rep = np.arange(len(anchors))
    y_meas = np.arange(len(t)) + len(anchors) + (1 if anchors else 0)
    err = np.vstack([100 * (t["uar"] - t["uar_ci_low"]), 100 * (t["uar_ci_high"] - t["uar"])])
    colours = ["tab:orange" if m.endswith("_spknorm") or "_spknorm" in m else "tab:blue" for m in t["model"]]
    ax.barh(y_meas, 100 * t["uar"], xerr=err, color=colours, alpha=0.85, capsize=2,
            error_kw={"elinewidth": 0.8})
    labels = [f"{m} ({int(n)} seeds)" if str(n) not in ("1",) else f"{m} (1 seed)"
              for m, n in zip(t["model"], t["n_seeds"])]
    if anchors:
        ax.barh(y_rep, [a["value"] for a in anchors], color="lightgrey", hatch="//", edgecolor="grey")
        labels_rep = [f"{a['model']} [{a['metric'].upper()}, reported]" for a in anchors]
    else:
        labels_rep = []
    ax.set_yticks(list(y_rep) + list(y_meas), labels_rep + labels, fontsize=7)
    if chance is not None:
        ax.axvline(100 * chance, color="k", ls=":", lw=1, label=f"chance ({100 * chance:.1f} %)")
    from matplotlib.patches import Patch

    handles = [Patch(color="tab:blue", label="measured here, one file at a time"),
               Patch(color="tab:orange", label="measured here, per-speaker normalised (_spknorm)")]
    if anchors:
        handles.append(Patch(facecolor="lightgrey", hatch="//", edgecolor="grey", label="reported (published)"))
    if chance is not None:
        handles.append(ax.get_lines()[-1])
    ax.legend(handles=handles, loc="lower right", fontsize=7)
    ax.set_xlabel("UAR (%), bars: 95 % interval over seeds x test speakers")
    ax.set_xlim(0, 100)
    ax.set_title(title or f"{corpus}: {protocol} leaderboard")
    return ax


def plot_paired_ablation(ablation: pd.DataFrame, ax=None, title: str | None = None):
    """Paired UAR differences (points, percentage points) with their 95 % intervals, and a zero line."""

    ax = axes_or_new(ax, (8, 0.4 * len(ablation) + 1.5))
    a = ablation.reset_index(drop=True)
    y = np.arange(len(a))
    err = np.vstack([100 * (a["uar_diff"] - a["uar_diff_ci_low"]), 100 * (a["uar_diff_ci_high"] - a["uar_diff"])])
    ax.errorbar(100 * a["uar_diff"], y, xerr=err, fmt="o", color="tab:blue", capsize=3)
    ax.axvline(0, color="k", lw=1)
    ax.set_yticks(y, [f"{d} ({n} seed{'s' if n > 1 else ''})" for d, n in zip(a["variant"], a["n_seeds"])], fontsize=8)
    ax.set_xlabel("UAR difference vs the reference (percentage points), 95 % paired interval")
    ax.set_title(title or "Paired ablation")
    return ax


def plot_per_class_recall(per_class: pd.DataFrame, ax=None, chance: float | None = None, title: str | None = None):
    """Bars of recall (%) per class with the std over seeds."""

    ax = axes_or_new(ax, (7, 3.5))
    ax.bar(per_class["class"], 100 * per_class["recall"], yerr=100 * per_class["recall_std"], color="tab:blue",
           capsize=3)
    if chance is not None:
        ax.axhline(100 * chance, color="k", ls=":", lw=1, label=f"chance ({100 * chance:.1f} %)")
        ax.legend(fontsize=8)
    ax.set_ylabel("recall (%), mean ± std over seeds")
    ax.set_xlabel("emotion")
    ax.set_ylim(0, 100)
    ax.tick_params(axis="x", rotation=30)
    ax.set_title(title or "Per-class recall")
    return ax

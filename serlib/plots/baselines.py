"""Figure helpers for the baselines and the claims audit: every axis labelled, with units.

Serves notebooks 05_baselines and 07_claims_audit. Functions draw on a given matplotlib ``Axes`` (or make
one) and return it (two-panel figures: the two axes); they never save: saving and stamping corpus/protocol is
:meth:`serlib.reporting.run_context.RunContext.save_figure`'s job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.plots.style import axes_or_new

#: Colours of protocols, in the order they appear (random split first, as in the notebooks).
PROTOCOL_COLORS = ["tab:orange", "tab:blue", "tab:green", "tab:purple", "tab:gray", "tab:red"]


def plot_metric_bars(table: pd.DataFrame, metric: str = "uar", ax=None, title: str | None = None,
                     chance: float | None = None):
    """Grouped bars of a metric per model (x) and protocol (hue), with 95 % CI whiskers.

    ``table`` needs columns ``model, protocol, <metric>`` and optionally ``<metric>_ci_lo, <metric>_ci_hi``.
    """
    ax = axes_or_new(ax, (9, 4))
    models = list(dict.fromkeys(table["model"]))
    protocols = list(dict.fromkeys(table["protocol"]))
    width = 0.8 / max(len(protocols), 1)
    x = np.arange(len(models))
    colors = PROTOCOL_COLORS
    for j, proto in enumerate(protocols):
        sub = table[table["protocol"] == proto].set_index("model").reindex(models)
        vals = sub[metric].to_numpy(float)
        pos = x - 0.4 + width * (j + 0.5)
        ax.bar(pos, vals, width, label=proto, color=colors[j % len(colors)], alpha=0.85)
        lo, hi = f"{metric}_ci_lo", f"{metric}_ci_hi"
        if lo in sub.columns and hi in sub.columns:
            err = np.vstack([vals - sub[lo].to_numpy(float), sub[hi].to_numpy(float) - vals])
            ok = np.isfinite(err).all(axis=0)
            ax.errorbar(pos[ok], vals[ok], yerr=err[:, ok], fmt="none", ecolor="black", capsize=3, lw=1)
    if chance is not None:
        ax.axhline(chance, color="0.4", ls="--", lw=1, label=f"chance ({chance:.0%})")
    ax.set_xticks(x, models, rotation=15, ha="right", fontsize=8)
    ax.set_xlabel("model (features)")
    ax.set_ylabel(f"{metric.upper() if metric != 'macro_f1' else 'macro-F1'} (fraction, 95 % CI)")
    ax.set_ylim(0, 1.05)
    ax.legend(title="protocol", fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title or f"{metric} per model and protocol")
    return ax


def plot_train_test_gap(table: pd.DataFrame, ax=None, title: str | None = None):
    """Training-set accuracy (what the paper reported) against test accuracy, per model and protocol.

    ``table`` needs ``model, protocol, train_accuracy, accuracy``.
    """
    ax = axes_or_new(ax, (8, 4))
    models = list(dict.fromkeys(table["model"]))
    protocols = list(dict.fromkeys(table["protocol"]))
    markers = ["o", "s", "^", "D", "v"]
    y = np.arange(len(models))
    for j, proto in enumerate(protocols):
        sub = table[table["protocol"] == proto].set_index("model").reindex(models)
        off = (j - (len(protocols) - 1) / 2) * 0.18
        for i, (tr, te) in enumerate(zip(sub["train_accuracy"], sub["accuracy"])):
            if np.isfinite(tr) and np.isfinite(te):
                ax.plot([te, tr], [y[i] + off] * 2, color="0.6", lw=1)
        ax.scatter(sub["train_accuracy"], y + off, marker=markers[j % 5], facecolors="none", edgecolors="black",
                   label=f"training set ({proto})")
        ax.scatter(sub["accuracy"], y + off, marker=markers[j % 5], color=PROTOCOL_COLORS[j % len(PROTOCOL_COLORS)],
                   label=f"test set ({proto})")
    ax.set_yticks(y, models, fontsize=8)
    ax.set_xlabel("accuracy (fraction)")
    ax.set_ylabel("model (features)")
    ax.set_xlim(0, 1.05)
    ax.legend(fontsize=7, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title or "Training-set vs test-set accuracy")
    return ax


def plot_train_test_confusions(run, labels=None, axes=None, classes: str = "emotion x gender classes"):
    """Confusion matrices (counts) of one baseline run: training set (what the paper's Figures 3-4 show) beside the
    held-out test set, folds pooled.

    Serves notebook 05_baselines. ``run`` is a :class:`serlib.experiments.baselines.BaselineRun`; ``labels`` the
    class order (default ``run.labels``); ``classes`` names the classes in the figure title. Returns the two axes.
    """
    import matplotlib.pyplot as plt

    from serlib.models.classical import MODEL_TITLES
    from serlib.plots.models import plot_confusion
    from serlib.reporting.run_context import corpus_title

    labels = list(run.labels if labels is None else labels)
    new = axes is None
    if new:
        _, axes = plt.subplots(1, 2, figsize=(17, 7.8))
    for ax, part in zip(axes, ("train", "test")):
        p = run.part(part)
        plot_confusion(p["y_true"], p["y_pred"], labels, ax=ax, normalize=False, cbar=part == "test",
                       title=f"{MODEL_TITLES.get(run.model, run.model)}: "
                             f"{'training' if part == 'train' else 'test'} set")
    fig = axes[0].figure
    fig.suptitle(f"{corpus_title(run.corpus)}, {len(labels)} {classes}, protocol {run.protocol}", fontsize=11)
    if new:
        fig.tight_layout()
    return axes


def plot_baseline_overview(table: pd.DataFrame, corpus: str, *, chance: float | None = None, n_seeds: int = 1,
                           gap_protocols=None, axes=None):
    """One corpus's baselines: UAR per model and protocol (left) and training vs test accuracy (right).

    Serves notebook 05_baselines. ``table`` is :attr:`serlib.experiments.baseline_tables.BaselineResults.table`
    (rows of other corpora are left out); ``chance`` draws the chance level (1 / number of emotions);
    ``n_seeds`` is said in the title; ``gap_protocols`` limits the right panel (default: every protocol).
    Returns the two axes.
    """
    import matplotlib.pyplot as plt

    from serlib.reporting.run_context import corpus_title

    sub = table[table["corpus"] == corpus]
    if sub.empty:
        raise ValueError(f"no result rows for corpus {corpus!r}")
    new = axes is None
    if new:
        _, axes = plt.subplots(1, 2, figsize=(16, 4.5), gridspec_kw={"width_ratios": [1.3, 1]})
    plot_metric_bars(sub, "uar", ax=axes[0], chance=chance,
                     title=f"{corpus_title(corpus)}: UAR of the classical baselines (mean over {n_seeds} seed(s))")
    gap = sub if gap_protocols is None else sub[sub["protocol"].isin(list(gap_protocols))]
    plot_train_test_gap(gap, ax=axes[1], title=f"{corpus_title(corpus)}: training vs test accuracy")
    if new:
        axes[0].figure.tight_layout()
    return axes


def plot_claims(table: pd.DataFrame, ax=None, title: str | None = None):
    """Reported value vs measured (paper's protocol) vs measured (honest protocol), one row per claim.

    ``table`` needs ``label, reported, paper_protocol, honest`` (fractions; NaN where not available).
    """
    ax = axes_or_new(ax, (9, max(2.5, 0.5 * len(table) + 1)))
    y = np.arange(len(table))[::-1]
    for col, kw in (("reported", dict(marker="*", s=120, color="firebrick", label="reported (paper)")),
                    ("paper_protocol", dict(marker="o", s=50, color="tab:orange",
                                            label="measured here, paper's protocol")),
                    ("honest", dict(marker="s", s=50, color="tab:blue", label="measured here, honest protocol"))):
        ax.scatter(table[col].to_numpy(float), y, zorder=3, **kw)
    ax.set_yticks(y, table["label"], fontsize=8)
    ax.set_xlabel("accuracy or score (fraction)")
    ax.set_ylabel("claim (corpus)")
    ax.set_xlim(0, 1.05)
    ax.grid(axis="x", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.0, 1.0))
    ax.set_title(title or "The paper's numbers beside ours")
    return ax

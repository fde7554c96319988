"""Figures of notebook 06_latency_comparison: latency distributions, throughput, cold start."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.plots.style import axes_or_new


def plot_latency_distributions(times: dict[str, np.ndarray], ax=None, title: str | None = None):
    """Horizontal box plots of per-call durations (ms, log scale), one row per timed stage.

    Serves notebook 06. ``times`` maps a label to its raw durations from :func:`measure`.
    """

    ax = axes_or_new(ax, (9, 0.55 * len(times) + 1.5))
    labels = list(times)[::-1]  # first entry on top
    ax.boxplot([np.asarray(times[k]) for k in labels], vert=False, whis=(1, 99), showfliers=True,
               flierprops={"markersize": 2, "alpha": 0.4})
    ax.set_yticks(range(1, len(labels) + 1), labels)
    ax.set_xscale("log")
    ax.set_xlabel("time per call (ms, log scale); box = p25-p75, line = p50, whiskers = p1-p99")
    ax.set_ylabel("timed stage (batch size 1)")
    ax.grid(axis="x", which="both", alpha=0.3)
    ax.set_title(title or "Latency distribution per call")
    return ax


def plot_throughput(table: pd.DataFrame, ax=None, title: str | None = None):
    """Utterances per second against batch size, one line per runtime.

    Serves notebook 06. ``table`` needs ``runtime``, ``batch_size`` and ``utterances_per_s``.
    """
    from matplotlib.ticker import NullLocator

    ax = axes_or_new(ax, (7, 4))
    for runtime, g in table.groupby("runtime", sort=False):
        g = g.sort_values("batch_size")
        ax.plot(g["batch_size"], g["utterances_per_s"], marker="o", label=runtime)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    sizes = sorted(table["batch_size"].unique())
    ax.set_xticks(sizes, [str(int(b)) for b in sizes])
    ax.xaxis.set_minor_locator(NullLocator())
    ax.set_xlabel("batch size (utterances per call, log scale)")
    ax.set_ylabel("throughput (utterances / s, log scale)")
    ax.grid(which="both", alpha=0.3)
    ax.legend(title="runtime (model forward only)", fontsize=8)
    ax.set_title(title or "Batched throughput of the model forward pass")
    return ax


def plot_cold_start(cold: dict, ax=None, title: str | None = None):
    """Cold-start seconds of ``serlib predict FILE`` and of a bare librosa call (one dot per fresh process,
    bar = median), from :func:`serlib.deploy.bench.cold_start`. Serves notebook 06."""

    ax = axes_or_new(ax, (7, 2.6))
    names = {"serlib_predict_s": "serlib predict FILE\n(shipped ONNX model)",
             "bare_librosa_s": "python -c: import librosa,\nload, one MFCC"}
    for i, (key, label) in enumerate(names.items()):
        t = np.asarray(cold[key])
        ax.barh(i, np.median(t), color=("tab:blue", "tab:gray")[i], alpha=0.7)
        ax.plot(t, np.full(len(t), i), "k.", ms=4)
        ax.text(np.median(t), i, f"  {np.median(t):.2f} s", va="center")
    ax.set_yticks(range(len(names)), list(names.values()))
    ax.set_xlabel("wall time of a fresh process (s); bar = median, dots = runs")
    ax.set_xlim(0, 1.25 * max(max(cold[k]) for k in names))
    if title:
        ax.set_title(title, fontsize=10)
    return ax

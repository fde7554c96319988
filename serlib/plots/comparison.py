"""Figure of notebook 06: the paper's Table 1 beside our rows, "reported" and "measured here" drawn apart."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.plots.style import axes_or_new
from serlib.reporting.literature import MEASURED, REPORTED


def plot_comparison(table: pd.DataFrame, metric: str, ax=None, title: str | None = None, log: bool | None = None):
    """Horizontal bar chart of one column of :func:`comparison_table`, reported vs measured here.

    Serves notebook 06 (the paper's Figure 1 with ``metric="response_time_ms"``, Figure 7 with
    ``metric="accuracy_pct"``). Reported bars are plain grey-blue (the paper's own row darker); measured
    bars are orange and hatched; each bar carries its value. On a log axis (where a bar's length would depend on
    the axis origin) the values are drawn as dots instead (measured: diamonds). Rows without a value for ``metric``
    are left out.

    Args:
        table: from :func:`comparison_table`; measured rows should name corpus and protocol in ``approach``.
        metric: ``"response_time_ms"`` or ``"accuracy_pct"``.
        log: log-scale value axis; ``None`` chooses it when values span more than 20x (response time only).
    """
    from matplotlib.patches import Patch

    if metric not in ("response_time_ms", "accuracy_pct"):
        raise ValueError(f"metric must be 'response_time_ms' or 'accuracy_pct', got {metric!r}")
    df = table[table[metric].notna()].reset_index(drop=True)
    if df.empty:
        raise ValueError(f"no row has a value for {metric}")
    ax = axes_or_new(ax, (10, 0.42 * len(df) + 1.8))
    y = np.arange(len(df))[::-1]
    colors, hatches = [], []
    for _, r in df.iterrows():
        if r["source"] == MEASURED:
            colors.append("#e08214"), hatches.append("//")
        elif r["approach"] == "Proposed Method":
            colors.append("#3b5b92"), hatches.append("")
        else:
            colors.append("#9fb3d1"), hatches.append("")
    vals = df[metric].astype(float).to_numpy()
    if log is None:
        log = metric == "response_time_ms" and vals.min() > 0 and vals.max() / vals.min() > 20
    if log:
        # On a log axis a bar's length depends on where the axis starts, so values are dots on row guides.
        ax.set_xscale("log")
        for yi in y:
            ax.axhline(yi, color="0.9", lw=0.8, zorder=0)
        for yi, v, c, h in zip(y, vals, colors, hatches):
            ax.scatter([v], [yi], s=60, color=c, edgecolor="0.25", marker="D" if h else "o", zorder=3)
    else:
        bars = ax.barh(y, df[metric], color=colors, edgecolor="0.25", linewidth=0.6)
        for bar, h in zip(bars, hatches):
            bar.set_hatch(h)
    labels = []
    for _, r in df.iterrows():
        if r["source"] == REPORTED:
            labels.append(f"{r['approach']} {r['citation']}")
        else:
            labels.append(f"{r['approach']}\n({r['corpus']}, {r['protocol']})")
    ax.set_yticks(y, labels, fontsize=8)
    unit = "ms" if metric == "response_time_ms" else "%"
    for yi, v in zip(y, vals):
        ax.text(v * (1.15 if log else 1.0) + (0 if log else 0.005 * max(vals.max(), 1)), yi,
                f" {v:.3g} {unit}" if metric == "response_time_ms" else f" {v:.1f} %", va="center", fontsize=7)
    if metric == "accuracy_pct":
        ax.set_xlim(0, 110)
        ax.set_xlabel("accuracy (%)")
    else:
        if log:
            ax.set_xlim(vals.min() / 2, vals.max() * 4)
        else:
            ax.set_xlim(right=vals.max() * 1.25)
        ax.set_xlabel("response time (ms" + (", log scale)" if log else ")"))
    ax.set_ylabel("approach")
    ax.grid(axis="x", alpha=0.3, which="both")
    ax.legend(handles=[Patch(facecolor="#9fb3d1", edgecolor="0.25", label="literature, reported in the paper (Table 1)"),
                       Patch(facecolor="#3b5b92", edgecolor="0.25", label="the paper's proposed method, reported"),
                       Patch(facecolor="#e08214", edgecolor="0.25", hatch="//", label="this companion, measured here")],
              loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize=7, framealpha=0.9)
    ax.set_title(title or ("Response time" if metric == "response_time_ms" else "Accuracy"))
    return ax

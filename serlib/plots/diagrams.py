"""Teaching diagrams drawn from the objects themselves: the three evaluation protocols, the model's layers.

Serves notebook 04_cnn_lstm. Both take plain data (a table from
:func:`serlib.evaluation.assignment.protocol_assignment`, a Keras model) and draw; nothing here computes a result."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.evaluation.assignment import PROTOCOL_LABELS
from serlib.plots.style import axes_or_new

TRAIN_COLOUR, TEST_COLOUR = "tab:blue", "tab:orange"


def plot_protocols(assignment: pd.DataFrame, axes=None, title: str | None = None):
    """One panel per protocol: a bar per speaker, split into its training and test utterances.

    A speaker whose bar has both colours is *heard in training* and tested; the random 80/20 split does this to
    every speaker, the speaker-independent and cross-corpus protocols to none.

    Args:
        assignment: :func:`serlib.evaluation.assignment.protocol_assignment` output.
        axes: one matplotlib axis per protocol in the table (default: a new figure).
        title: figure title.

    Returns:
        the axes.
    """
    import matplotlib.pyplot as plt

    protocols = [p for p in PROTOCOL_LABELS if p in set(assignment["protocol"])]
    if not protocols:
        raise ValueError("assignment has no known protocol; build it with protocol_assignment()")
    if axes is None:
        n_rows = max(len(assignment[assignment["protocol"] == p]) for p in protocols)
        fig, axes = plt.subplots(1, len(protocols), figsize=(4.8 * len(protocols), 0.2 * n_rows + 1.8),
                                 squeeze=False)
        axes = axes[0]
        if title:
            fig.suptitle(title, y=1.03)
    for ax, protocol in zip(axes, protocols):
        sub = assignment[assignment["protocol"] == protocol].reset_index(drop=True)
        y = np.arange(len(sub))[::-1]
        ax.barh(y, sub["n_train"], color=TRAIN_COLOUR, label="training utterances")
        ax.barh(y, sub["n_test"], left=sub["n_train"], color=TEST_COLOUR, label="test utterances")
        labels = [f"{c}: {s}" if sub["corpus"].nunique() > 1 else str(s) for c, s in zip(sub["corpus"], sub["speaker"])]
        ax.set_yticks(y, labels, fontsize=6 if len(sub) > 20 else 8)
        heard = int(sub["heard_in_training"].sum())
        which = " (first fold)" if protocol == "speaker_independent" else ""
        ax.set_title(f"{PROTOCOL_LABELS[protocol]}{which}\n{heard} of {len(sub)} speakers heard in training and "
                     "tested", fontsize=9)
        ax.set_xlabel("utterances (count)")
    axes[0].set_ylabel("speaker")
    axes[0].legend(fontsize=8, loc="upper left", bbox_to_anchor=(0, -0.08 - 1.5 / max(len(assignment), 10)), ncol=2)
    return axes


def plot_model_diagram(model, ax=None, title: str | None = None):
    """The model's layers from input to output, one box per layer with its type and output shape.

    Args:
        model: a built Keras model (``model.layers`` with ``output.shape``).
        ax: matplotlib axis (default: a new figure).
        title: axis title (default: the model's name and parameter count).
    """
    from matplotlib.patches import FancyBboxPatch

    layers = list(model.layers)
    ax = axes_or_new(ax, (8, 0.55 * len(layers) + 1))
    for k, layer in enumerate(layers):
        y = len(layers) - 1 - k
        try:
            shape = tuple(layer.output.shape)
        except (AttributeError, ValueError):
            shape = ()
        inner = getattr(layer, "layer", None) or getattr(layer, "forward_layer", None)  # wrapper layers
        kind = type(layer).__name__ + (f"({type(inner).__name__})" if inner is not None else "")
        ax.add_patch(FancyBboxPatch(
            (0.05, y + 0.15), 0.9, 0.7, boxstyle="round,pad=0.02", fc="#eef3fb", ec="tab:blue"))
        shape_text = "x".join("batch" if d is None else str(d) for d in shape)
        ax.text(0.5, y + 0.5, f"{kind} -> {shape_text} ({layer.count_params():,} parameters)",
                ha="center", va="center", fontsize=7.5)
        if k:
            ax.annotate("", xy=(0.5, y + 0.85), xytext=(0.5, y + 1.15), arrowprops={"arrowstyle": "->"})
    ax.set_xlim(0, 1)
    ax.set_ylim(-0.2, len(layers))
    ax.axis("off")
    ax.set_title(title or f"{model.name}: {model.count_params():,} parameters, input at the top, emotion at the "
                          "bottom", fontsize=9)
    return ax

"""The one axis helper every plot function uses: draw on the given Axes, or on a new figure of a given size."""

from __future__ import annotations


def axes_or_new(ax=None, figsize=(7, 4)):
    """``ax`` itself, or the Axes of a new figure of ``figsize`` (inches) when ``ax`` is None."""
    if ax is None:
        import matplotlib.pyplot as plt

        _, ax = plt.subplots(figsize=figsize)
    return ax

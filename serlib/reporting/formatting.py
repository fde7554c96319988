"""Number formatting shared by tables, Markdown and the README: one definition of a percentage.

Serves notebooks 04-07, the claims audit, the model card and the README results block."""

from __future__ import annotations


def pct(x) -> str:
    """A fraction as a percentage with one decimal (``0.397`` -> ``"39.7 %"``); ``None`` -> ``"n/a"``."""
    return "n/a" if x is None else f"{100 * float(x):.1f} %"


def percent_columns(table, columns, digits: int = 1):
    """A copy of the DataFrame ``table`` with the fractions in ``columns`` (those present) shown as rounded percentages."""
    out = table.copy()
    for c in columns:
        if c in out:
            out[c] = (100 * out[c]).round(digits)
    return out

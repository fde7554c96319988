"""The project's one interval: a percentile bootstrap that resamples seeds *and* test speakers together.

Serves notebooks 03-05 (the leaderboard, the paper-architecture CNN-LSTM's protocol table) and the README's
results. Each replicate draws the seeds with replacement and the test speakers with replacement, pools the drawn
speakers' predictions of the drawn seeds and recomputes the metric, so the interval holds both the seed spread
and the speaker spread: it is never narrower than the spread over seeds. With fewer than ``MIN_CLUSTERS`` test
speakers (TESS has two), utterances are resampled instead and the method says so.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.evaluation.metrics import confusion_codes, metrics_from_codes
from serlib.evaluation.splits import MIN_CLUSTERS

_METRIC_INDEX = {"accuracy": 0, "wa": 0, "uar": 1, "macro_f1": 2}


def resample_groups(predictions: pd.DataFrame) -> tuple[np.ndarray, str]:
    """What one bootstrap draw resamples: test speakers when there are enough, else utterances.

    Returns ``(group of every row, method text)``. Utterances are the ``path`` column, else ``position``."""
    n_spk = predictions["speaker"].nunique()
    if n_spk >= MIN_CLUSTERS:
        return predictions["speaker"].astype(str).to_numpy(), f"seeds x test speakers ({n_spk})"
    col = "path" if "path" in predictions.columns else "position"
    return predictions[col].astype(str).to_numpy(), (f"seeds x test utterances (only {n_spk} test speakers: too "
                                                     "few to resample speakers)")


def seed_group_draws(seed_arr: np.ndarray, groups: np.ndarray, seeds, n_boot: int, seed: int):
    """Row indices of ``n_boot`` bootstrap replicates that draw seeds and groups (speakers or utterances) with
    replacement, and take every row of each drawn (seed, group) pair."""
    uniq = np.unique(groups)
    members = {(s, g): np.flatnonzero((seed_arr == s) & (groups == g)) for s in seeds for g in uniq}
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        ss = rng.choice(len(seeds), len(seeds))
        gg = rng.integers(0, len(uniq), len(uniq))
        yield np.concatenate([members[(seeds[i], uniq[j])] for i in ss for j in gg])


def seed_speaker_intervals(predictions: pd.DataFrame, labels=None, *, metrics=("accuracy", "uar", "macro_f1"),
                           n_boot: int = 1000, seed: int = 0, level: float = 0.95, seeds=None) -> dict:
    """Percentile intervals of ``metrics`` from one set of draws over seeds and test speakers (or utterances).

    Args:
        predictions: one row per (seed, test utterance) with ``seed, speaker, y_true, y_pred`` (and ``path`` or
            ``position`` naming the utterance).
        labels: the class list (default: the sorted true labels).
        metrics: any of ``accuracy`` (= ``wa``), ``uar``, ``macro_f1``.
        n_boot: replicates.
        seed: seed of the resampling.
        level: coverage.
        seeds: the seeds to draw from, in this order (default: the sorted seeds of ``predictions``).

    Returns:
        ``{"<metric>_ci95": [low, high], ..., "ci_method": text}``.
    """
    missing = [c for c in ("seed", "speaker", "y_true", "y_pred") if c not in predictions.columns]
    if missing:
        raise ValueError(f"predictions lack column(s) {missing}")
    unknown = [m for m in metrics if m not in _METRIC_INDEX]
    if unknown:
        raise ValueError(f"unknown metric(s) {unknown}; choose from {sorted(_METRIC_INDEX)}")
    if labels is None:
        labels = sorted(predictions["y_true"].astype(str).unique())
    groups, method = resample_groups(predictions)
    seed_arr = predictions["seed"].astype(str).to_numpy()
    seeds = [str(s) for s in seeds] if seeds is not None else sorted(set(seed_arr))
    t, p, k = confusion_codes(predictions["y_true"], predictions["y_pred"], labels)
    stats = np.array([metrics_from_codes(t[rows], p[rows], k)[:3]
                      for rows in seed_group_draws(seed_arr, groups, seeds, n_boot, seed)])
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    out = {f"{m}_ci95": [float(v) for v in np.percentile(stats[:, _METRIC_INDEX[m]], q)] for m in metrics}
    out["ci_method"] = method
    return out

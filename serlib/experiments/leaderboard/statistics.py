"""Leaderboard statistics: seed x speaker bootstrap intervals, the table, per-class recall, paired ablations.

Serves notebook 04_cnn_lstm. An interval resamples seeds *and* test speakers together, so it is never narrower
than the spread over seeds."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.evaluation.intervals import resample_groups, seed_group_draws, seed_speaker_intervals
from serlib.evaluation.metrics import confusion_codes, metrics_from_codes
from serlib.experiments.leaderboard.entries import Entry

#: Columns of ``leaderboard.csv``, in order.
LEADERBOARD_COLUMNS = ("corpus", "protocol", "model", "n_seeds", "wa", "uar", "macro_f1", "uar_ci_low",
                       "uar_ci_high", "min_recall", "n_parameters", "train_seconds_per_fold")


# ------------------------------------------------------------------------------------------ metrics
def _confusion_codes(pred: pd.DataFrame, labels) -> tuple[np.ndarray, np.ndarray, int]:
    return confusion_codes(pred["y_true"], pred["y_pred"], labels)


def per_class_recall(entry: Entry) -> pd.DataFrame:
    """Recall of every class, mean and std over seeds (``class, recall, recall_std, support``)."""
    rows = {}
    for s, g in entry.predictions.groupby("seed"):
        t, p, k = _confusion_codes(g, entry.labels)
        rows[s] = metrics_from_codes(t, p, k)[3]
    r = np.array(list(rows.values()))
    support = entry.predictions.groupby("y_true")["seed"].size() / max(len(rows), 1)
    return pd.DataFrame({"class": entry.labels, "recall": np.nanmean(r, axis=0),
                         "recall_std": np.nanstd(r, axis=0, ddof=1) if len(r) > 1 else np.zeros(len(entry.labels)),
                         "support": [int(support.get(l, 0)) for l in entry.labels]})


def seed_speaker_bootstrap(entry: Entry, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
                           metric: str = "uar") -> tuple[float, float, str]:
    """Percentile CI of one metric of an entry, resampling seeds and test speakers (or utterances) together
    (:func:`serlib.evaluation.intervals.seed_speaker_intervals`). Returns ``(low, high, method)``."""
    ci = seed_speaker_intervals(entry.predictions, entry.labels, metrics=(metric,), n_boot=n_boot, seed=seed,
                                level=level, seeds=entry.seeds)
    lo, hi = ci[f"{metric}_ci95"]
    return lo, hi, ci["ci_method"]


def entry_metrics(entry: Entry, *, n_boot: int = 1000, seed: int = 0) -> dict:
    """Mean over seeds of WA / UAR / macro-F1 / worst-class recall, their std, and the seed x speaker CI."""
    per = []
    for _, g in entry.predictions.groupby("seed"):
        t, p, k = _confusion_codes(g, entry.labels)
        wa, uar, f1, rec = metrics_from_codes(t, p, k)
        per.append((wa, uar, f1, float(np.nanmin(rec))))
    per = np.array(per)
    lo, hi, method = seed_speaker_bootstrap(entry, n_boot=n_boot, seed=seed)
    std = per.std(axis=0, ddof=1) if len(per) > 1 else np.zeros(4)
    return {"n_seeds": len(per), "wa": per[:, 0].mean(), "uar": per[:, 1].mean(), "macro_f1": per[:, 2].mean(),
            "min_recall": per[:, 3].mean(), "wa_std": std[0], "uar_std": std[1], "uar_ci_low": lo,
            "uar_ci_high": hi, "ci_method": method, "n_parameters": entry.n_parameters,
            "train_seconds_per_fold": entry.train_seconds_per_fold,
            "n_test_utterances": int(entry.predictions["path"].nunique())}


def leaderboard_table(entries, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per entry, columns :data:`LEADERBOARD_COLUMNS` plus ``uar_std, wa_std, ci_method``; sorted by
    corpus, protocol and UAR (best first)."""
    rows = [{"corpus": e.corpus, "protocol": e.protocol, "model": e.model, **entry_metrics(e, n_boot=n_boot, seed=seed)}
            for e in entries]
    table = pd.DataFrame(rows)
    extra = [c for c in table.columns if c not in LEADERBOARD_COLUMNS]
    table = table[list(LEADERBOARD_COLUMNS) + extra]
    return table.sort_values(["corpus", "protocol", "uar"], ascending=[True, True, False]).reset_index(drop=True)


def leaderboard_metrics(table: pd.DataFrame) -> dict:
    """``{corpus: {protocol: {model: {...}}}}`` for ``metrics.json`` (key ``leaderboard``)."""
    out: dict = {}
    for r in table.to_dict("records"):
        out.setdefault(r["corpus"], {}).setdefault(r["protocol"], {})[r["model"]] = {
            k: v for k, v in r.items() if k not in ("corpus", "protocol", "model")}
    return out


def paired_ablation(reference: Entry, variants: dict, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """UAR of each variant minus the reference's, on the same test utterances and seeds, with a paired CI.

    Only seeds both entries ran are compared. The CI resamples (shared) seeds and test speakers together and
    recomputes both UARs on the same draw, so it is a paired interval.

    Args:
        reference: the entry the others differ from by one technique.
        variants: ``{description: Entry}``.
    """
    rows = []
    for desc, var in variants.items():
        common = sorted(set(map(str, reference.seeds)) & set(map(str, var.seeds)))
        if not common:
            raise ValueError(f"{desc}: no seed in common with the reference")
        a = reference.predictions[reference.predictions["seed"].astype(str).isin(common)]
        b = var.predictions[var.predictions["seed"].astype(str).isin(common)]
        key_a = a["seed"].astype(str) + "|" + a["path"]
        key_b = b["seed"].astype(str) + "|" + b["path"]
        shared = sorted(set(key_a) & set(key_b))
        a = a[key_a.isin(shared).to_numpy()].assign(key=lambda d: d["seed"].astype(str) + "|" + d["path"]).sort_values("key")
        b = b[key_b.isin(shared).to_numpy()].assign(key=lambda d: d["seed"].astype(str) + "|" + d["path"]).sort_values("key")
        ta, pa, k = _confusion_codes(a, reference.labels)
        tb, pb, _ = _confusion_codes(b, reference.labels)
        seeds_arr = a["seed"].astype(str).to_numpy()
        groups, method = resample_groups(a)
        per_seed = []
        for s in common:
            m = seeds_arr == s
            per_seed.append(metrics_from_codes(tb[m], pb[m], k)[1] - metrics_from_codes(ta[m], pa[m], k)[1])
        diffs = np.array([metrics_from_codes(tb[rows], pb[rows], k)[1] - metrics_from_codes(ta[rows], pa[rows], k)[1]
                          for rows in seed_group_draws(seeds_arr, groups, common, n_boot, seed)])
        lo, hi = np.percentile(diffs, [2.5, 97.5])
        rows.append({"variant": desc, "model": var.model, "reference": reference.model, "n_seeds": len(common),
                     "uar_reference": float(np.mean([metrics_from_codes(ta[seeds_arr == s], pa[seeds_arr == s], k)[1]
                                                     for s in common])),
                     "uar_variant": float(np.mean([metrics_from_codes(tb[seeds_arr == s], pb[seeds_arr == s], k)[1]
                                                   for s in common])),
                     "uar_diff": float(np.mean(per_seed)), "uar_diff_ci_low": float(lo), "uar_diff_ci_high": float(hi),
                     "train_seconds_per_fold": var.train_seconds_per_fold, "n_parameters": var.n_parameters,
                     "ci_method": "paired, " + method})
    return pd.DataFrame(rows)

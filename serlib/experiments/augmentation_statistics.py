"""Statistics of notebook 03's augmentation studies: UAR per seed, paired intervals, valence, recall per class.

Serves notebook 03_gan_augmentation. Kept apart from the experiment (:mod:`serlib.experiments.augmentation`) so a
change to how results are summarised does not invalidate the result cache of the trainings.

Intervals are the project's (:mod:`serlib.evaluation.intervals`): a bootstrap replicate draws seeds *and* test
speakers (utterances when there are fewer than ``MIN_CLUSTERS`` speakers, e.g. TESS) with replacement, so an
interval is never narrower than the spread over seeds.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.evaluation.intervals import resample_groups

#: The four training conditions of notebook 03, in display order (GAN variants follow them).
CONDITIONS = ("none", "classic", "gan", "classic_gan")


def condition_order(conditions) -> list[str]:
    """``conditions`` in display order: those of :data:`CONDITIONS` first, then the others as given."""
    conditions = list(dict.fromkeys(conditions))
    return [c for c in CONDITIONS if c in conditions] + [c for c in conditions if c not in CONDITIONS]


def _uar(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> float:
    recalls = []
    for c in range(n_classes):
        sel = y_true == c
        if sel.any():
            recalls.append(np.mean(y_pred[sel] == c))
    return float(np.mean(recalls))


def _prediction_matrix(predictions: pd.DataFrame, condition: str):
    """Rows = test positions (sorted), columns = seeds; plus truth, speaker and label coding."""
    sub = predictions[predictions["condition"] == condition]
    if sub.empty:
        raise ValueError(f"no predictions for condition {condition!r}")
    wide = sub.pivot_table(index="position", columns="seed", values="y_pred", aggfunc="first")
    meta = sub.drop_duplicates("position").set_index("position").loc[wide.index]
    return wide, meta


def uar_per_seed(predictions: pd.DataFrame) -> pd.DataFrame:
    """UAR and accuracy of the pooled test predictions (all folds) per condition and seed."""
    from serlib.evaluation.metrics import classification_metrics

    rows = []
    for (cond, s), g in predictions.groupby(["condition", "seed"], sort=False):
        rows.append({"condition": cond, "seed": s, **classification_metrics(g["y_true"], g["y_pred"])})
    return pd.DataFrame(rows)


def paired_difference_ci(predictions: pd.DataFrame, condition: str, baseline: str = "none", *, n_boot: int = 1000,
                         seed: int = 0, level: float = 0.95) -> dict:
    """Mean over seeds of UAR(condition) - UAR(baseline), with a paired bootstrap interval over seeds and speakers.

    Both conditions must have predictions for the same test utterances and seeds. A replicate draws seeds and test
    speakers with replacement (a speaker's utterances are correlated, and so are a seed's predictions) and
    recomputes the seed-averaged difference on that draw with the same seeds' predictions of both conditions
    (paired). With fewer than ``MIN_CLUSTERS`` test speakers (e.g. TESS) utterances are drawn instead of
    speakers (``resampled`` says which; such an interval ignores speaker correlation and is too narrow).
    """
    a, meta = _prediction_matrix(predictions, condition)
    b, _ = _prediction_matrix(predictions, baseline)
    if not a.index.equals(b.index) or list(a.columns) != list(b.columns):
        raise ValueError(f"{condition!r} and {baseline!r} need predictions for the same utterances and seeds")
    labels = sorted(set(meta["y_true"]) | set(a.to_numpy().astype(str).ravel()) | set(b.to_numpy().astype(str).ravel()))
    code = {l: i for i, l in enumerate(labels)}
    y = meta["y_true"].map(code).to_numpy()
    pa = np.vectorize(code.get)(a.to_numpy().astype(str))
    pb = np.vectorize(code.get)(b.to_numpy().astype(str))
    n_cls, n_seeds = len(labels), pa.shape[1]

    def diff(idx, cols):
        return float(np.mean([_uar(y[idx], pa[idx, j], n_cls) - _uar(y[idx], pb[idx, j], n_cls) for j in cols]))

    point = diff(np.arange(len(y)), range(n_seeds))
    groups, method = resample_groups(meta.reset_index())
    by_speaker = np.array_equal(groups, meta["speaker"].astype(str).to_numpy())
    members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
    rng = np.random.default_rng(seed)
    stats = [diff(np.concatenate([members[i] for i in rng.integers(0, len(members), len(members))]),
                  rng.choice(n_seeds, n_seeds)) for _ in range(n_boot)]
    lo, hi = np.percentile(stats, [(1 - level) / 2 * 100, (1 + level) / 2 * 100])
    return {"diff_mean": point, "ci_low": float(lo), "ci_high": float(hi), "n_speakers": int(meta["speaker"].nunique()),
            "n_seeds": int(n_seeds), "resampled": "speakers" if by_speaker else "utterances",
            "ci_method": "paired, " + method}


#: Valence group of each canonical emotion (the paper claims better recognition of emotional valence): calm is
#: grouped with neutral, surprise with the positive emotions (TESS's is "pleasant surprise").
VALENCE = {"happy": "positive", "surprised": "positive", "excited": "positive", "neutral": "neutral",
           "calm": "neutral", "boredom": "neutral", "angry": "negative", "sad": "negative", "fearful": "negative",
           "disgust": "negative", "frustrated": "negative"}


def valence_predictions(predictions: pd.DataFrame) -> pd.DataFrame:
    """The same predictions with ``y_true`` and ``y_pred`` mapped to valence groups (:data:`VALENCE`).

    Serves notebook 03 (does augmentation improve valence recognition?). Emotions without a group raise.
    """
    unknown = (set(predictions["y_true"].astype(str)) | set(predictions["y_pred"].astype(str))) - set(VALENCE)
    if unknown:
        raise ValueError(f"no valence group for emotion(s) {sorted(unknown)}; extend augmentation.VALENCE")
    out = predictions.copy()
    out["y_true"] = out["y_true"].astype(str).map(VALENCE)
    out["y_pred"] = out["y_pred"].astype(str).map(VALENCE)
    return out


def recall_change_by_class(predictions: pd.DataFrame, condition: str, baseline: str = "none") -> pd.DataFrame:
    """Per emotion: its number of test utterances, recall without and with ``condition`` (mean over seeds) and
    the change, rarest emotions first. Serves notebook 03 ("especially for the rarer emotions")."""
    rows = []
    for emo, g in predictions.groupby("y_true"):
        rec = {}
        for cond in (baseline, condition):
            sub = g[g["condition"] == cond]
            if sub.empty:
                raise ValueError(f"no predictions for condition {cond!r}")
            rec[cond] = float(sub.assign(ok=sub["y_pred"] == sub["y_true"]).groupby("seed")["ok"].mean().mean())
        n = int(g[g["condition"] == baseline]["position"].nunique())
        rows.append({"emotion": emo, "n_test": n, f"recall_{baseline}": rec[baseline],
                     f"recall_{condition}": rec[condition], "recall_change": rec[condition] - rec[baseline]})
    return pd.DataFrame(rows).sort_values(["n_test", "emotion"]).reset_index(drop=True)


def summarise_conditions(predictions: pd.DataFrame, baseline: str = "none", *, n_boot: int = 1000,
                         seed: int = 0) -> pd.DataFrame:
    """Per condition: UAR mean / std over seeds, accuracy mean, and the paired difference to ``baseline``."""
    per_seed = uar_per_seed(predictions)
    rows = []
    order = condition_order(per_seed["condition"])
    for cond in order:
        g = per_seed[per_seed["condition"] == cond]
        row = {"condition": cond, "n_seeds": len(g), "uar_mean": g["uar"].mean(),
               "uar_std": g["uar"].std(ddof=1) if len(g) > 1 else 0.0, "accuracy_mean": g["accuracy"].mean()}
        if cond != baseline and baseline in set(per_seed["condition"]):
            d = paired_difference_ci(predictions, cond, baseline, n_boot=n_boot, seed=seed)
            row.update({"diff_vs_none": d["diff_mean"], "ci_low": d["ci_low"], "ci_high": d["ci_high"],
                        "ci_resampled": d["resampled"]})
        rows.append(row)
    return pd.DataFrame(rows)

"""Evaluation protocols (splits) and metrics shared by the model notebooks.

Serves notebooks 03 (GAN augmentation), 04 (CNN-LSTM) and 05 (baselines and claims audit).

Three protocols, always named the same way in metrics and figures:

- ``random_80_20``: the paper's protocol, a stratified random split over *utterances*; every speaker is on
  both sides, so it measures speaker-dependent recognition.
- ``speaker_independent``: k folds over *speakers*; no speaker is on both sides of any fold.
- ``cross_corpus``: train on one corpus, test on another, on the emotions they share.

Splits return integer positions into the manifest (``numpy`` arrays), never copies of data.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

PROTOCOLS = ("random_80_20", "speaker_independent", "cross_corpus")
#: Within-corpus protocols (a corpus split into training and test sides).
WITHIN_CORPUS_PROTOCOLS = PROTOCOLS[:2]
#: Fewest test speakers for a cluster (speaker) bootstrap; with fewer, utterances are resampled and the method
#: says so (resampling 2 speakers gives a degenerate interval).
MIN_CLUSTERS = 5

#: RAVDESS speaker-independent folds of EmoBox (Ma et al. 2024): six folds of four test actors, so our rows sit
#: beside EmoBox's published ones. Used whenever a RAVDESS manifest is split into its default 6 folds.
EMOBOX_RAVDESS_FOLDS: tuple[tuple[str, ...], ...] = (
    ("01", "11", "20", "21"), ("04", "10", "12", "14"), ("08", "09", "19", "23"),
    ("03", "05", "07", "24"), ("02", "15", "16", "18"), ("06", "13", "17", "22"),
)


def _actor_number(speaker: str) -> int | None:
    s = str(speaker).strip()
    return int(s) if s.isdigit() else None


def emobox_folds(manifest: pd.DataFrame) -> list[Split] | None:
    """The EmoBox folds for a RAVDESS manifest, or ``None`` when the manifest is not RAVDESS (all rows of corpus
    ``ravdess`` with actor numbers 1-24) or too few of its actors are present to fill every fold."""
    if "corpus" not in manifest.columns or not (manifest["corpus"].astype(str) == "ravdess").all():
        return None
    actors = manifest["speaker"].map(_actor_number)
    if actors.isna().any() or not actors.between(1, 24).all():
        return None
    folds = []
    for k, fold in enumerate(EMOBOX_RAVDESS_FOLDS):
        is_test = actors.isin([int(a) for a in fold]).to_numpy()
        if not is_test.any() or is_test.all():
            return None
        names = ",".join(sorted(manifest["speaker"].astype(str)[is_test].unique()))
        folds.append(Split(f"EmoBox fold {k + 1}/6: test speakers {names}", np.flatnonzero(~is_test),
                           np.flatnonzero(is_test)))
    return folds


@dataclass(frozen=True)
class Split:
    """One train/test split: positions into a manifest, and a human name (e.g. ``fold 2: test 05,06``)."""

    name: str
    train: np.ndarray
    test: np.ndarray


def _check_manifest(manifest: pd.DataFrame, cols=("speaker", "emotion")) -> None:
    missing = [c for c in cols if c not in manifest.columns]
    if missing:
        raise ValueError(f"manifest lacks column(s) {missing} (see serlib.datasets.load)")
    if len(manifest) == 0:
        raise ValueError("manifest is empty")


def random_80_20_split(manifest: pd.DataFrame, *, seed: int = 0, test_size: float = 0.2) -> Split:
    """The paper's split: stratified by emotion, random over utterances (speakers leak across sides)."""
    from sklearn.model_selection import train_test_split

    _check_manifest(manifest, ("emotion",))
    pos = np.arange(len(manifest))
    train, test = train_test_split(pos, test_size=test_size, random_state=seed,
                                   stratify=manifest["emotion"].to_numpy())
    return Split("random 80/20", np.sort(train), np.sort(test))


def speaker_independent_folds(manifest: pd.DataFrame, n_folds: int | None = None, *, seed: int = 0) -> list[Split]:
    """K folds over speakers, balanced by gender where possible; no speaker on both sides.

    Default ``n_folds``: 6 when there are at least 12 speakers, otherwise one fold per speaker (TESS: train on
    one speaker, test on the other, both ways). A RAVDESS manifest split into 6 folds gets the fixed EmoBox
    folds (:data:`EMOBOX_RAVDESS_FOLDS`; ``seed`` is then unused), other corpora folds dealt by gender.

    Args:
        manifest: needs ``speaker`` (and uses ``gender`` if present).
        n_folds: number of folds (2 <= n_folds <= number of speakers).
        seed: shuffles speakers within each gender before dealing them to folds.
    """
    _check_manifest(manifest)
    speakers = manifest["speaker"].astype(str)
    unique = sorted(speakers.unique())
    if len(unique) < 2:
        raise ValueError(f"speaker-independent evaluation needs at least 2 speakers, found {len(unique)}")
    if n_folds is None:
        n_folds = 6 if len(unique) >= 12 else len(unique)
    if not 2 <= n_folds <= len(unique):
        raise ValueError(f"n_folds must be between 2 and {len(unique)} speakers, got {n_folds}")
    if n_folds == len(EMOBOX_RAVDESS_FOLDS):
        fixed = emobox_folds(manifest)
        if fixed is not None:
            return fixed
    gender = (manifest.assign(speaker=speakers).groupby("speaker")["gender"].first()
              if "gender" in manifest.columns else pd.Series("unknown", index=unique))
    rng = np.random.default_rng(seed)
    fold_of: dict[str, int] = {}
    k = 0
    for g in sorted(gender.unique()):
        group = sorted(gender.index[gender == g])
        rng.shuffle(group)
        for s in group:  # deal like cards, continuing across genders so fold sizes stay equal
            fold_of[s] = k % n_folds
            k += 1
    folds = []
    spk = speakers.to_numpy()
    fold_ids = np.array([fold_of[s] for s in spk])
    for f in range(n_folds):
        test = np.flatnonzero(fold_ids == f)
        train = np.flatnonzero(fold_ids != f)
        names = ",".join(sorted(set(spk[test])))
        folds.append(Split(f"fold {f + 1}/{n_folds}: test speakers {names}", train, test))
    return folds


def validation_speakers_split(manifest: pd.DataFrame, train: np.ndarray, *, fraction: float = 0.2,
                              seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Split training positions into fit / validation by *training* speakers (for early stopping).

    The test speakers never take part: validation speakers are drawn from ``train`` only. With a single
    training speaker the split falls back to a stratified random 80/20 over that speaker's utterances.

    Returns:
        ``(fit, validation)`` positions (subsets of ``train``).
    """
    train = np.asarray(train)
    sub = manifest.iloc[train]
    speakers = sorted(sub["speaker"].astype(str).unique())
    rng = np.random.default_rng(seed)
    if len(speakers) >= 3:
        n_val = max(1, int(round(fraction * len(speakers))))
        val_spk = set(rng.choice(speakers, size=n_val, replace=False))
        is_val = sub["speaker"].astype(str).isin(val_spk).to_numpy()
    else:
        from sklearn.model_selection import train_test_split

        pos = np.arange(len(train))
        labels = sub["emotion"].to_numpy()
        n_val = int(np.ceil(fraction * len(train)))
        stratify = labels if n_val >= len(set(labels)) and len(train) - n_val >= len(set(labels)) else None
        _, val_pos = train_test_split(pos, test_size=n_val, random_state=seed, stratify=stratify)
        is_val = np.zeros(len(train), bool)
        is_val[val_pos] = True
    return train[~is_val], train[is_val]


def shared_emotions(*manifests: pd.DataFrame) -> list[str]:
    """Emotions present in every given manifest (sorted)."""
    sets = [set(m["emotion"].unique()) for m in manifests]
    return sorted(set.intersection(*sets)) if sets else []


def cross_corpus_positions(train_manifest: pd.DataFrame, test_manifest: pd.DataFrame,
                           emotions: list[str] | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows of each corpus whose emotion is shared (or in ``emotions``): (train positions, test positions, labels)."""
    emotions = sorted(emotions) if emotions else shared_emotions(train_manifest, test_manifest)
    if len(emotions) < 2:
        raise ValueError(f"cross-corpus evaluation needs at least 2 shared emotions, found {emotions}")
    tr = np.flatnonzero(train_manifest["emotion"].isin(emotions).to_numpy())
    te = np.flatnonzero(test_manifest["emotion"].isin(emotions).to_numpy())
    return tr, te, emotions


# ---------------------------------------------------------------------------------------------- metrics
def classification_metrics(y_true, y_pred, labels=None) -> dict[str, float]:
    """Weighted accuracy (WA), unweighted average recall (UAR) and macro-F1, as fractions in [0, 1]."""
    from sklearn.metrics import accuracy_score, f1_score, recall_score

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and aligned, got {y_true.shape} and {y_pred.shape}")
    labels = sorted(set(y_true)) if labels is None else list(labels)
    present = [l for l in labels if l in set(y_true)]
    return {
        "accuracy": float(accuracy_score(y_true, y_pred)),
        "uar": float(recall_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
        "macro_f1": float(f1_score(y_true, y_pred, labels=present, average="macro", zero_division=0)),
    }


def confusion_codes(y_true, y_pred, labels) -> tuple[np.ndarray, np.ndarray, int]:
    """Integer codes of true and predicted labels for :func:`metrics_from_codes`, and the code count ``k``
    (the last code, ``k - 1``, stands for any label outside ``labels``)."""
    code = {str(l): i for i, l in enumerate(labels)}
    k = len(labels) + 1
    t = np.array([code.get(v, k - 1) for v in np.asarray(y_true).astype(str)])
    p = np.array([code.get(v, k - 1) for v in np.asarray(y_pred).astype(str)])
    return t, p, k


def metrics_from_codes(t: np.ndarray, p: np.ndarray, k: int) -> tuple[float, float, float, np.ndarray]:
    """WA, UAR, macro-F1 and per-class recall (NaN for an absent class) from one confusion matrix of codes;
    the same definitions as :func:`classification_metrics`, about 100x faster (bootstraps)."""
    cm = np.bincount(t * k + p, minlength=k * k).reshape(k, k)
    tp, row, col = np.diag(cm)[:-1], cm.sum(1)[:-1], cm.sum(0)[:-1]
    present = row > 0
    recall = np.where(present, tp / np.maximum(row, 1), np.nan)
    den = (row + col)[present]
    f1 = np.where(den > 0, 2 * tp[present] / np.maximum(den, 1), 0.0)
    return float(np.trace(cm) / max(len(t), 1)), float(np.nanmean(recall)), float(np.mean(f1)), recall


def bootstrap_cis(y_true, y_pred, labels=None, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
                  groups=None) -> dict[str, tuple[float, float]]:
    """Percentile bootstrap CIs of accuracy, UAR and macro-F1 at once, from resampled confusion counts.

    Resamples test utterances, or whole ``groups`` (e.g. speakers: cluster bootstrap, the honest choice when
    a speaker's utterances are correlated), and computes the three metrics from one confusion matrix per
    resample (about 100x faster than scikit-learn calls; same definitions as :func:`classification_metrics`).
    """
    y_true, y_pred = np.asarray(y_true).astype(str), np.asarray(y_pred).astype(str)
    if y_true.shape != y_pred.shape or y_true.size == 0:
        raise ValueError(f"y_true and y_pred must be non-empty and aligned, got {y_true.shape} and {y_pred.shape}")
    labels = sorted(set(y_true)) if labels is None else [str(l) for l in labels]
    t, p, k = confusion_codes(y_true, y_pred, labels)
    rng = np.random.default_rng(seed)
    if groups is None:
        n = len(t)
        draws = (rng.integers(0, n, n) for _ in range(n_boot))
    else:
        groups = np.asarray(groups)
        members = [np.flatnonzero(groups == g) for g in np.unique(groups)]
        draws = (np.concatenate([members[i] for i in rng.integers(0, len(members), len(members))])
                 for _ in range(n_boot))
    stats = np.empty((n_boot, 3))
    for b, idx in enumerate(draws):
        stats[b] = metrics_from_codes(t[idx], p[idx], k)[:3]
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    return {m: tuple(float(v) for v in np.percentile(stats[:, j], q)) for j, m in enumerate(("accuracy", "uar", "macro_f1"))}


def bootstrap_ci(y_true, y_pred, metric: str = "accuracy", *, n_boot: int = 1000, seed: int = 0,
                 level: float = 0.95, groups=None) -> tuple[float, float]:
    """Percentile bootstrap confidence interval of one metric (see :func:`bootstrap_cis`)."""
    if metric not in ("accuracy", "uar", "macro_f1"):
        raise ValueError(f"metric must be accuracy, uar or macro_f1, got {metric!r}")
    return bootstrap_cis(y_true, y_pred, n_boot=n_boot, seed=seed, level=level, groups=groups)[metric]


def classification_report_table(y_true, y_pred, labels=None) -> pd.DataFrame:
    """Per-class precision / recall / F1 / support plus accuracy, macro and weighted averages (like the paper)."""
    from sklearn.metrics import classification_report

    labels = sorted(set(y_true) | set(y_pred)) if labels is None else list(labels)
    rep = classification_report(y_true, y_pred, labels=labels, output_dict=True, zero_division=0)
    table = pd.DataFrame(rep).T
    if "accuracy" in table.index:
        acc = float(rep["accuracy"])
        table.loc["accuracy"] = [np.nan, np.nan, acc, table.loc["macro avg", "support"]]
    table["support"] = table["support"].astype(int)
    return table[["precision", "recall", "f1-score", "support"]]


def summarise_runs(runs: list[dict[str, float]]) -> dict[str, float]:
    """Mean and (sample) standard deviation over seeds: ``{m: mean, m + '_std': std}``."""
    if not runs:
        raise ValueError("no runs to summarise")
    out = {}
    for key in runs[0]:
        vals = np.array([r[key] for r in runs], float)
        out[key] = float(vals.mean())
        out[key + "_std"] = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
    return out

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

from serlib.messages import InsufficientDataError

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
        raise ValueError(f"manifest lacks column(s) {missing} (see serlib.data.corpora.manifest.load)")
    if len(manifest) == 0:
        raise ValueError("manifest is empty")


def random_80_20_split(manifest: pd.DataFrame, *, seed: int = 0, test_size: float = 0.2) -> Split:
    """The paper's split: stratified by emotion, random over utterances (speakers leak across sides)."""
    from sklearn.model_selection import train_test_split

    _check_manifest(manifest, ("emotion",))
    pos = np.arange(len(manifest))
    counts = manifest["emotion"].value_counts()
    n_test = int(np.ceil(test_size * len(manifest)))
    if counts.min() < 2 or n_test < len(counts):
        raise InsufficientDataError(
            f"a stratified {1 - test_size:.0%}/{test_size:.0%} split needs 2+ utterances per emotion and a test side "
            f"of at least one per emotion; {len(manifest)} utterances, {len(counts)} emotions, the rarest has "
            f"{int(counts.min())}")
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
        raise InsufficientDataError(f"speaker-independent evaluation needs at least 2 speakers, found {len(unique)}")
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
        raise InsufficientDataError(f"cross-corpus evaluation needs at least 2 shared emotions, found {emotions}")
    tr = np.flatnonzero(train_manifest["emotion"].isin(emotions).to_numpy())
    te = np.flatnonzero(test_manifest["emotion"].isin(emotions).to_numpy())
    return tr, te, emotions

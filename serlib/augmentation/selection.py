"""Which GAN translations train the classifier, and how many: a classifier filter and the synthetic-to-real ratio.

Serves notebook 03_gan_augmentation (section "Variants of the augmenter").

A :class:`SyntheticVariant` names one way to turn a fold's GAN *candidates* (every fit utterance translated to a
few other emotions) into training data:

- ``threshold``: keep a translation only if an emotion classifier trained on the fit speakers' *real* utterances
  gives its target emotion a probability of at least this much (``None``: keep every candidate);
- ``ratio``: synthetic utterances per real fit utterance (0.25, 0.5, 1, ...); fewer are used when the filter
  keeps fewer (the realised ratio is recorded).

Selection takes first-choice translations (copy 0 of every utterance) before second choices, so the unfiltered
variant at ratio 1 is exactly one translation per fit utterance, the augmentation of the original study.

:func:`selection_quality` measures what a variant selects: an *independent* classifier (trained on half of the
fit speakers) scores the kept translations of the other half against their target emotion, a two-sample test
compares them with real utterances of that half, and the edit ratio and cosine say how far and in which direction
a translation moved its source (the same measures as :mod:`serlib.augmentation.gan_quality`, on utterance
statistics instead of windows).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from functools import cached_property

import numpy as np

from serlib.messages import InsufficientDataError

#: Default probability a filter asks of a translation's target emotion. Chosen on fit speakers only (RAVDESS,
#: strong study, fold 1): with translations to every other emotion it keeps enough candidates to fill ratio 1
#: (at 0.5 it kept under 10 % of them); no test result was looked at.
FILTER_THRESHOLD = 0.3


@dataclass(frozen=True)
class SyntheticVariant:
    """One way of choosing GAN translations for training (a training condition of notebook 03).

    Attributes:
        name: the condition's name in tables and metrics.
        threshold: minimum classifier probability of the target emotion (``None``: no filter).
        ratio: synthetic utterances per real fit utterance.
    """

    name: str
    threshold: float | None = None
    ratio: float = 1.0

    def __post_init__(self):
        if self.ratio <= 0:
            raise ValueError(f"ratio must be > 0, got {self.ratio}")
        if self.threshold is not None and not 0.0 <= self.threshold < 1.0:
            raise ValueError(f"threshold must be in [0, 1) or None, got {self.threshold}")
        if not self.name or "." in self.name:
            raise ValueError(f"a variant needs a name without dots (it is part of metrics keys), got {self.name!r}")

    def to_dict(self) -> dict:
        return asdict(self)


#: The original study's augmentation: one unfiltered translation per fit utterance.
GAN_UNFILTERED = SyntheticVariant("gan")


def filtered_variants(ratios=(0.25, 0.5, 1.0), threshold: float = FILTER_THRESHOLD) -> tuple[SyntheticVariant, ...]:
    """The filter at each synthetic-to-real ratio, named ``gan_filtered_<ratio in %>pct`` (no dot: condition names
    are parts of dotted metrics keys)."""
    return tuple(SyntheticVariant(f"gan_filtered_{round(100 * r)}pct", threshold, float(r)) for r in ratios)


def candidates_needed(variants, n_emotions: int) -> int:
    """Translations to make per fit utterance: the largest ratio (rounded up), or one to every other emotion when
    a filter applies (it keeps only some)."""
    variants = list(variants)
    if not variants:
        return 0
    most = max(int(np.ceil(v.ratio)) for v in variants)
    return max(most, n_emotions - 1) if any(v.threshold is not None for v in variants) else most


def utterance_statistics(frames_list) -> np.ndarray:
    """Per utterance: the mean and standard deviation over frames of every feature column, ``(n, 2 * d)``."""
    return np.stack([np.concatenate([np.asarray(f, np.float64).mean(axis=0), np.asarray(f, np.float64).std(axis=0)])
                     for f in frames_list]).astype(np.float32)


def _emotion_classifier(stats: np.ndarray, emotions: np.ndarray, seed: int):
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    if len(set(emotions)) < 2:
        raise InsufficientDataError(f"an emotion classifier needs 2 or more emotions, got {len(set(emotions))}")
    return make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=0.1, random_state=seed)).fit(
        stats, emotions)


def target_confidence(real_frames, real_emotions, synthetic_frames, targets, *, seed: int = 0) -> np.ndarray:
    """Probability of each translation's target emotion under a classifier of the fit speakers' real utterances.

    The classifier is a logistic regression on :func:`utterance_statistics`; it never sees a test speaker (the
    caller passes fit utterances only). A target the classifier never saw gets probability 0.
    """
    real_emotions, targets = np.asarray(real_emotions).astype(str), np.asarray(targets).astype(str)
    if len(synthetic_frames) == 0:
        return np.zeros(0)
    clf = _emotion_classifier(utterance_statistics(real_frames), real_emotions, seed)
    proba = clf.predict_proba(utterance_statistics(synthetic_frames))
    col = {str(c): i for i, c in enumerate(clf.classes_)}
    return np.array([proba[k, col[t]] if t in col else 0.0 for k, t in enumerate(targets)])


def select(variant: SyntheticVariant, confidence: np.ndarray, copy_index: np.ndarray, n_real: int, *,
           seed: int = 0) -> np.ndarray:
    """Positions of the candidates ``variant`` trains on.

    Candidates that pass the filter are taken in order of their copy index (every utterance's first translation
    before any second one), in a seeded random order within a copy index, until ``round(ratio * n_real)``.
    """
    confidence, copy_index = np.asarray(confidence, float), np.asarray(copy_index, int)
    if confidence.shape != copy_index.shape:
        raise ValueError("need one confidence and one copy index per candidate")
    keep = np.flatnonzero(confidence >= variant.threshold) if variant.threshold is not None else np.arange(len(copy_index))
    order = np.random.default_rng(seed).permutation(len(keep))
    keep = keep[order][np.argsort(copy_index[keep][order], kind="stable")]
    wanted = int(round(variant.ratio * n_real))
    return np.sort(keep[:wanted])


@dataclass
class SelectionReference:
    """What :func:`selected_quality` shares between the variants of one fold, computed once: the fit speakers'
    halves A and B, their utterance statistics, the statistics of every candidate and (on first use) the
    classifier of half A. Build it with :func:`selection_reference`."""

    emotions: np.ndarray
    in_a: np.ndarray
    real_stats: np.ndarray
    candidate_stats: np.ndarray
    targets: np.ndarray
    source: np.ndarray
    seed: int

    @cached_property
    def classifier(self):
        return _emotion_classifier(self.real_stats[self.in_a], self.emotions[self.in_a], self.seed)


def selection_reference(real_frames, real_emotions, real_speakers, candidate_frames, candidate_targets,
                        candidate_source, *, seed: int = 0) -> SelectionReference:
    """The part of :func:`selection_quality` that does not depend on the selection (arguments as there)."""
    from serlib.augmentation.gan_quality import speaker_halves

    speakers = np.asarray(real_speakers).astype(str)
    return SelectionReference(
        emotions=np.asarray(real_emotions).astype(str), in_a=speaker_halves(speakers, np.random.default_rng(seed)),
        real_stats=utterance_statistics(real_frames),
        candidate_stats=(utterance_statistics(candidate_frames) if len(candidate_frames)
                         else np.zeros((0, 0), np.float32)),
        targets=np.asarray(candidate_targets).astype(str), source=np.asarray(candidate_source, int), seed=seed)


def selection_quality(real_frames, real_emotions, real_speakers, candidate_frames, candidate_targets,
                      candidate_source, selected, *, seed: int = 0) -> dict[str, float]:
    """What a variant's selected translations look like, measured on fit speakers only.

    The fit speakers are split in halves A and B (utterances, with a single speaker). A classifier trained on
    real utterances of A scores the selected translations made from B's utterances against their *target*
    (``target_agreement``; ``real_heldout_accuracy`` is its accuracy on B's real utterances, ``chance`` one over
    the emotions). ``c2st_auc``: cross-validated ROC AUC of a logistic regression separating B's real utterances
    from those translations (0.5: indistinguishable). ``edit_ratio`` / ``edit_cosine``: how far a translation
    moved its source's statistics relative to the distance between the real source and target emotion means, and
    the cosine with that direction. ``n_selected`` and ``n_scored`` count the translations.

    Args:
        real_frames, real_emotions, real_speakers: the fit utterances (aligned).
        candidate_frames, candidate_targets: every GAN translation and its target emotion.
        candidate_source: index into ``real_frames`` of each translation's source utterance.
        selected: positions into the candidates that the variant keeps.

    Several variants of one fold share the work: build :func:`selection_reference` once and call
    :func:`selected_quality` per variant (same numbers).
    """
    reference = selection_reference(real_frames, real_emotions, real_speakers, candidate_frames, candidate_targets,
                                    candidate_source, seed=seed)
    return selected_quality(reference, selected)


def selected_quality(reference: SelectionReference, selected) -> dict[str, float]:
    """:func:`selection_quality` of the candidates at positions ``selected``, from a shared reference."""
    from serlib.augmentation.gan_quality import edit_size, two_sample_auc

    r, selected = reference, np.asarray(selected, int)
    b = np.flatnonzero(~r.in_a)
    scored = selected[~r.in_a[r.source[selected]]]
    if len(scored) < 10 or len(set(r.emotions[b])) < 2:
        raise InsufficientDataError(f"selection quality needs 10 or more selected translations of half B's "
                                    f"utterances and 2 emotions there; got {len(scored)}")
    clf = r.classifier
    gen_stats = r.candidate_stats[scored]
    c2st_auc = two_sample_auc(r.real_stats[b], gen_stats, seed=r.seed)
    b_stats, b_emotions = r.real_stats[b], r.emotions[b]
    edit_ratio, edit_cosine = edit_size(r.real_stats[r.source[scored]], gen_stats, r.emotions[r.source[scored]],
                                        r.targets[scored], reference_stats=b_stats, reference_emotions=b_emotions)
    return {"n_selected": int(len(selected)), "n_scored": int(len(scored)),
            "real_heldout_accuracy": float((clf.predict(b_stats) == b_emotions).mean()),
            "target_agreement": float((clf.predict(gen_stats) == r.targets[scored]).mean()),
            "chance": 1.0 / len(set(r.emotions)), "c2st_auc": c2st_auc,
            "edit_ratio": edit_ratio, "edit_cosine": edit_cosine}

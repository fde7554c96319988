"""Classical data augmentation and the "does augmentation help?" experiment.

Serves notebook 03_gan_augmentation.

Classical augmentation works on the *waveform* of a training utterance (after the same silence trimming as
feature extraction): Gaussian noise at a random signal-to-noise ratio, a pitch shift (semitones) and a time
stretch (``librosa.effects``), each applied with a probability and at least one always applied. Frame
features of the augmented waveform are then computed exactly as for real audio and cached on disk under a key
made of the file's content hash, the augmentation settings, the seed and the copy number. The other half of
"classical" augmentation, SpecAugment (random time and coefficient masks), is a switchable layer of the
CNN-LSTM (``CnnLstmConfig(spec_augment=True)``).

The experiment compares four training conditions of the CNN-LSTM under the speaker-independent protocol:

- ``none``: real training utterances only, SpecAugment off;
- ``classic``: plus one waveform-augmented copy per training utterance, SpecAugment on;
- ``gan``: plus GAN-translated utterances (:mod:`serlib.augmentation`), SpecAugment off;
- ``classic_gan``: both;
- GAN variants (:class:`serlib.augmentation.selection.SyntheticVariant`): other choices of translations (a
  classifier filter, a synthetic-to-real ratio), each its own condition; ``gan`` is the unfiltered one.

Every augmenter is built from the *fit* part of a fold's training speakers (validation speakers for early
stopping and test speakers never reach it): the functions here take the test positions too and refuse a
split where a test speaker is among the training speakers.
"""

from __future__ import annotations

import dataclasses
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serlib.augmentation.classic import AugmentedData, ClassicAugmentConfig, classic_augmented_features
from serlib.augmentation.gan import EmotionStarGAN, GanConfig, check_speakers_disjoint, fit_fold_gan
from serlib.augmentation.gan_quality import gan_quality
from serlib.augmentation.selection import (
    GAN_UNFILTERED,
    SyntheticVariant,
    candidates_needed,
    select,
    selected_quality,
    selection_reference,
    target_confidence,
)
from serlib.evaluation.splits import Split, validation_speakers_split
from serlib.experiments.augmentation_statistics import CONDITIONS
from serlib.features.extract import FeatureSet
from serlib.features.speaker_norm import normalize_with_stats
from serlib.messages import InsufficientDataError


# ---------------------------------------------------------------------------------------------- experiment
@dataclass
class FoldAugmentation:
    """Everything one speaker-independent fold needs for the four conditions.

    Attributes:
        split: the fold (test positions are only predicted, never augmented).
        fit, val: training positions for fitting / early stopping (validation speakers from training speakers).
        classic: waveform-augmented copies of ``fit`` rows (or ``None`` if not needed).
        gan_data: the GAN translations of the ``gan`` condition (or ``None``).
        gan: the fold's fitted GAN (trained on ``fit`` rows only).
        gan_quality: :func:`serlib.augmentation.gan_quality.gan_quality` on the fit speakers (or empty).
        candidates: every GAN translation made (``fit`` rows to a few other emotions; ``params`` holds each one's
            ``copy`` index and the filter classifier's ``confidence`` in its target).
        variants: ``{condition: (variant, positions into candidates)}`` for every GAN variant.
        variant_quality: ``{condition: selection_quality}`` (:func:`serlib.augmentation.selection.selection_quality`).
        skipped: ``(part, reason)`` for each part of the fold its data was too small for (e.g. the quality
            measures).
    """

    split: Split
    fit: np.ndarray
    val: np.ndarray
    classic: AugmentedData | None = None
    gan_data: AugmentedData | None = None
    gan: EmotionStarGAN | None = None
    gan_quality: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    candidates: AugmentedData | None = None
    variants: dict = field(default_factory=dict)
    variant_quality: dict = field(default_factory=dict)

    def variant_data(self, condition: str) -> AugmentedData:
        """The GAN translations ``condition`` trains on."""
        if condition not in self.variants:
            raise ValueError(f"fold has no GAN variant {condition!r}; prepare it with that variant")
        _, pos = self.variants[condition]
        c = self.candidates
        return AugmentedData([c.frames[i] for i in pos], c.emotions[pos], c.source[pos],
                             c.params.iloc[pos].reset_index(drop=True), seconds=c.seconds)


def variants_trained(conditions, variant_names) -> list[str]:
    """The GAN variants that ``conditions`` train on, in the conditions' order: each condition that names a variant,
    and ``gan`` for ``classic_gan`` (which adds the unfiltered translations to the classical copies)."""
    names = set(variant_names)
    needed = [c for c in dict.fromkeys(conditions) if c in names]
    if "classic_gan" in conditions and "gan" in names and "gan" not in needed:
        needed.append("gan")
    return needed


def prepare_fold(features: FeatureSet, split: Split, *, conditions=CONDITIONS, gan_config: GanConfig = GanConfig(),
                 classic_config: ClassicAugmentConfig = ClassicAugmentConfig(), n_copies: int = 1, seed: int = 0,
                 classic_seed: int | None = None, cache_dir=None, n_jobs: int = 2, quality: bool = True,
                 progress: bool = True, copy_stats: dict | None = None,
                 gan_variants: tuple[SyntheticVariant, ...] | None = None) -> FoldAugmentation:
    """Split a fold's training speakers into fit / validation speakers and build the augmenters on ``fit``.

    Serves notebook 03. The validation split and the GAN use ``seed`` (not the model seed), so one GAN per
    fold is reused by every model seed. Classical copies use ``classic_seed`` (default ``seed``); keeping it
    the same for every fold gives a file the same copy in every fold, so the cache serves all folds.
    ``copy_stats``: when ``features`` are normalised per speaker, the statistics of each speaker's real frames
    (:func:`serlib.features.speaker_norm.speaker_frame_stats`); classical copies, made from audio, are normalised
    with their source speaker's. ``gan_variants``: the GAN conditions (default: ``gan`` with ``n_copies``
    unfiltered translations per fit utterance); a condition that is a variant's name trains on its selection.
    """
    m = features.manifest
    spk = m["speaker"].astype(str).to_numpy()
    check_speakers_disjoint(spk[split.train], spk[split.test])
    variants = {v.name: v for v in (gan_variants or (dataclasses.replace(GAN_UNFILTERED, ratio=float(n_copies)),))}
    unknown = sorted(set(conditions) - set(CONDITIONS) - set(variants))
    if unknown:
        raise ValueError(f"unknown condition(s) {unknown}; choose from {CONDITIONS} or a GAN variant {sorted(variants)}")
    wanted = [variants[name] for name in variants_trained(conditions, variants)]
    fit, val = validation_speakers_split(m, split.train, seed=seed)
    fold = FoldAugmentation(split, fit, val)
    emotions = m["emotion"].astype(str).to_numpy()
    if {"classic", "classic_gan"} & set(conditions):
        fold.classic = classic_augmented_features(m, fit, split.test, feature_config=features.config,
                                                  config=classic_config,
                                                  seed=seed if classic_seed is None else classic_seed,
                                                  n_copies=n_copies,
                                                  cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)
        if copy_stats is not None:
            fold.classic.frames = normalize_with_stats(fold.classic.frames, spk[fold.classic.source], copy_stats)
    if wanted:
        gan = fold_gan(features, fit, split.test, gan_config=gan_config, seed=seed, progress=progress)
        gan.assert_unseen(spk[split.test])
        t0 = time.perf_counter()
        fit_frames = [features.frames[i] for i in fit]
        # the k-th translation of an utterance does not depend on how many are made, so copy 0 is the same data
        # whether one or several candidates are drawn
        frames, targets, src = gan.augment(fit_frames, emotions[fit], spk[fit], n_copies=candidates_needed(wanted, len(gan.emotions_)),
                                           seed=seed)
        copy = np.concatenate([np.arange(c) for c in np.bincount(src, minlength=len(fit))]) if len(src) else src
        confidence = (target_confidence(fit_frames, emotions[fit], frames, targets, seed=seed)
                      if any(v.threshold is not None for v in wanted) else np.ones(len(frames)))
        fold.gan = gan
        fold.candidates = AugmentedData(frames, targets, fit[src],
                                        pd.DataFrame({"source": fit[src], "source_emotion": emotions[fit][src],
                                                      "target_emotion": targets, "copy": copy,
                                                      "confidence": confidence}),
                                        seconds=gan.train_seconds_ + time.perf_counter() - t0)
        reference = (selection_reference(fit_frames, emotions[fit], spk[fit], frames, targets, src, seed=seed)
                     if quality else None)
        for v in wanted:
            chosen = fold.variants[v.name] = (v, select(v, confidence, copy, len(fit), seed=seed))
            fold.variant_quality[v.name] = {"realised_ratio": len(chosen[1]) / max(len(fit), 1)}
            if quality:
                try:
                    fold.variant_quality[v.name] |= selected_quality(reference, chosen[1])
                except InsufficientDataError as err:
                    fold.skipped.append((f"selection quality of {v.name}", str(err)))
        if "gan" in fold.variants:
            fold.gan_data = fold.variant_data("gan")
        if quality:
            try:
                fold.gan_quality = gan_quality(gan, [features.frames[i] for i in fit], emotions[fit], spk[fit],
                                               seed=seed)
            except InsufficientDataError as err:
                fold.skipped.append(("GAN quality measures", str(err)))
    return fold


def fold_gan(features: FeatureSet, fit, test, *, gan_config: GanConfig = GanConfig(), seed: int = 0,
             progress: bool = True) -> EmotionStarGAN:
    """:func:`serlib.augmentation.gan.fit_fold_gan` on the ``fit`` rows, through the result cache: a GAN trained
    before on the same frames, labels and speakers with the same settings, seed and code is read back (its
    ``train_seconds_`` are those of the original training)."""
    from serlib.experiments.result_cache import cached, frames_digest

    m = features.manifest
    fit, test = np.asarray(fit, int), np.asarray(test, int)

    def train():
        gan = fit_fold_gan(features.frames, m, fit, test, feature_config=features.config, config=gan_config,
                           seed=seed, progress=progress)
        return {}, {"seconds": gan.train_seconds_}, gan

    emotions, speakers = m["emotion"].astype(str).to_numpy(), m["speaker"].astype(str).to_numpy()
    *_, gan = cached(train, lambda: dict(
        kind="gan", training_data=frames_digest([features.frames[i] for i in fit], emotions[fit], speakers[fit]),
        test_speakers=sorted(set(speakers[test])), config=gan_config,
        feature_config=features.config, seed=seed), load_model=EmotionStarGAN.load)
    return gan


def training_data(features: FeatureSet, fold: FoldAugmentation, condition: str) -> tuple[list, np.ndarray, bool]:
    """``(frames_list, labels, spec_augment)`` the CNN-LSTM trains on under ``condition`` in ``fold``."""
    if condition not in CONDITIONS and condition not in fold.variants:
        raise ValueError(f"unknown condition {condition!r}; choose from {CONDITIONS} or the fold's GAN variants "
                         f"{sorted(fold.variants)}")
    emotions = features.manifest["emotion"].astype(str).to_numpy()
    frames = [features.frames[i] for i in fold.fit]
    labels = [emotions[fold.fit]]
    if condition in ("classic", "classic_gan"):
        if fold.classic is None:
            raise ValueError(f"fold has no classical augmentation; prepare it with condition {condition!r}")
        frames += fold.classic.frames
        labels.append(fold.classic.emotions)
    if condition in ("gan", "classic_gan"):
        if fold.gan_data is None:
            raise ValueError(f"fold has no GAN data; prepare it with condition {condition!r}")
        frames += fold.gan_data.frames
        labels.append(fold.gan_data.emotions)
    elif condition not in CONDITIONS:
        data = fold.variant_data(condition)
        frames += data.frames
        labels.append(data.emotions)
    return frames, np.concatenate(labels), condition in ("classic", "classic_gan")


def fit_predict_condition(features: FeatureSet, fold: FoldAugmentation, condition: str, *, model_config=None,
                          seed: int = 0, spec_augment_with_classic: bool = True) -> tuple[pd.DataFrame, dict]:
    """Train the classifier of one condition on one fold and predict the fold's test utterances.

    ``model_config`` is any configuration :func:`serlib.experiments.protocols.make_classifier` knows (default: the
    paper-architecture CNN-LSTM's defaults). ``spec_augment_with_classic``: SpecAugment belongs to the classical
    conditions (on in ``classic`` and ``classic_gan``, off otherwise; the paper-model study); ``False`` keeps the
    model's own SpecAugment setting in every condition (a model whose recipe includes it).

    Returns:
        ``(predictions, info)``: predictions has ``position, speaker, y_true, y_pred, condition, seed``; info
        has ``seconds``, ``epochs_run``, ``n_train``, ``from_cache`` (served by :mod:`serlib.experiments.result_cache`).
    """
    from serlib.experiments.protocols import make_classifier
    from serlib.experiments.result_cache import cached, feature_set_digest, frames_digest
    from serlib.models.cnn_lstm import CnnLstmConfig

    base = model_config if model_config is not None else CnnLstmConfig()
    frames, labels, spec = training_data(features, fold, condition)
    m = features.manifest
    emotions = m["emotion"].astype(str).to_numpy()
    config = dataclasses.replace(base, spec_augment=spec) if spec_augment_with_classic else base
    test = fold.split.test

    def train():
        clf = make_classifier(features.config, config, seed=seed)
        t0 = time.perf_counter()
        clf.fit(frames, labels, validation=([features.frames[i] for i in fold.val], emotions[fold.val]))
        pred = np.asarray(clf.predict([features.frames[i] for i in test])).astype(str)
        return {"y_pred": pred}, {"seconds": time.perf_counter() - t0,
                                  "epochs_run": clf.history_.get("epochs_run", 0), "n_train": len(frames)}

    # keyed by the training data itself (generated windows included), not by their recipe
    arrays, info, from_cache = cached(train, lambda: dict(
        kind="augmentation", training_data=frames_digest(frames, labels), data=feature_set_digest(features),
        validation=np.asarray(fold.val), test=np.asarray(test), config=config, feature_config=features.config,
        seed=seed))
    pred, info = arrays["y_pred"].astype(str), {**info, "from_cache": from_cache}
    out = pd.DataFrame({"position": test, "speaker": m["speaker"].astype(str).to_numpy()[test],
                        "y_true": emotions[test], "y_pred": pred, "condition": condition, "seed": seed})
    return out, info


def run_comparison(features: FeatureSet, folds: list[Split], *, conditions=CONDITIONS, seeds=(0, 1, 2),
                   model_config=None, gan_config: GanConfig = GanConfig(),
                   classic_config: ClassicAugmentConfig = ClassicAugmentConfig(), n_copies: int = 1, seed: int = 0,
                   cache_dir=None, n_jobs: int = 2, progress: bool = True, spec_augment_with_classic: bool = True,
                   copy_stats: dict | None = None, gan_variants: tuple[SyntheticVariant, ...] | None = None):
    """The whole experiment: per fold, build augmenters on its fit speakers, then train every condition x seed.

    Serves notebook 03. ``model_config`` and ``spec_augment_with_classic``: see :func:`fit_predict_condition`;
    ``copy_stats`` and ``gan_variants``: see :func:`prepare_fold`.

    Returns:
        ``(predictions, runs, prepared)``: pooled test predictions of every (condition, seed, fold); one row
        per training run (fold, condition, seed, seconds, epochs, training-set size); the prepared folds
        (with their GANs, for figures).
    """
    from serlib.reporting.progress import tqdm

    preds, runs, prepared = [], [], []
    bar = tqdm(total=len(folds) * len(seeds) * len(conditions), desc="condition trainings", disable=not progress)
    for k, split in enumerate(folds):
        fold = prepare_fold(features, split, conditions=conditions, gan_config=gan_config,
                            classic_config=classic_config, n_copies=n_copies, seed=seed + k, classic_seed=seed,
                            cache_dir=cache_dir, n_jobs=n_jobs, progress=progress, copy_stats=copy_stats,
                            gan_variants=gan_variants)
        prepared.append(fold)
        for s in seeds:
            for cond in conditions:
                p, info = fit_predict_condition(features, fold, cond, model_config=model_config, seed=s,
                                                spec_augment_with_classic=spec_augment_with_classic)
                preds.append(p.assign(fold=k))
                runs.append({"fold": k, "condition": cond, "seed": s, **info})
                bar.update(1)
    bar.close()
    return pd.concat(preds, ignore_index=True), pd.DataFrame(runs), prepared

"""What notebook 03's augmentation study trains: the classifier, its features, the conditions and the GAN steps.

Serves notebook 03_gan_augmentation (its parameters ``study_model``, ``max_epochs`` and ``conditions``). The study
itself is :mod:`serlib.experiments.augmentation`; what the notebook shows of it, :mod:`augmentation_report`.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from serlib.augmentation.selection import GAN_UNFILTERED, filtered_variants
from serlib.experiments.augmentation import variants_trained
from serlib.experiments.augmentation_statistics import CONDITIONS

#: The classifiers notebook 03 can study (parameter ``study_model``).
STUDY_MODELS = ("paper", "strong")


@dataclass(frozen=True)
class StudySetup:
    """What the augmentation study trains and on which features (notebook 03, parameter ``study_model``).

    ``paper``: the paper-architecture CNN-LSTM in our setting (``OUR_SETTING``) on MFCC + delta windows, SpecAugment
    only in the classical conditions, the four conditions of :data:`CONDITIONS`, a 2000-step GAN. ``strong``:
    notebook 04's strong hybrid (``STRONG_HYBRID_SETTING``) on log-mel + eGeMAPS descriptors normalised per
    speaker (its ``_spknorm`` leaderboard row), its own SpecAugment in every condition; the GAN (3000 steps)
    translates every feature column, and besides ``gan`` three filtered variants (ratios 0.25, 0.5, 1) are
    trained; ``classic_gan`` is left out to keep the study within its time budget.
    """

    name: str
    label: str
    feature_config: object
    model_config: object
    speaker_normalize: bool
    spec_augment_with_classic: bool
    feature_label: str
    feature_name: str
    conditions: tuple = CONDITIONS
    gan_variants: tuple = (GAN_UNFILTERED,)
    gan_steps: int = 2000


def study_setup(study_model: str, max_epochs: int | None = None, *, quick: bool = False,
                conditions=None) -> StudySetup:
    """The :class:`StudySetup` of ``study_model`` with epochs capped at ``max_epochs`` (CI-sized networks when
    ``quick``); ``conditions``: a subset of the study's own conditions, in the study's order (the demo budget
    trains fewer), or ``None`` for all of them.

    Raises:
        ValueError: an unknown study model, or a condition the study does not have.
    """
    from serlib.features.frames import FeatureConfig
    from serlib.models.conv_recurrent import CRNN_FEATURES, quick_setting
    from serlib.models.presets import OUR_SETTING, STRONG_HYBRID_SETTING, cap_epochs

    if study_model not in STUDY_MODELS:
        raise ValueError(f"unknown study_model {study_model!r}; choose from {STUDY_MODELS}")
    if study_model == "paper":
        setup = StudySetup("paper", "CNN-LSTM", FeatureConfig(), OUR_SETTING, False, True, "static MFCC",
                           "MFCC coefficient")
    else:
        model = quick_setting(STRONG_HYBRID_SETTING) if quick else STRONG_HYBRID_SETTING
        variants = (GAN_UNFILTERED, *filtered_variants())
        setup = StudySetup("strong", "strong CNN-BiLSTM (cnn_lstm_spknorm)", CRNN_FEATURES, model, True, False,
                           "log-mel + eGeMAPS descriptors, per speaker", "feature column",
                           conditions=("none", "classic", *[v.name for v in variants]), gan_variants=variants,
                           gan_steps=3000)
    setup = dataclasses.replace(setup, model_config=cap_epochs(setup.model_config, max_epochs))
    return setup if conditions is None else only_conditions(setup, conditions)


def only_conditions(setup: StudySetup, conditions) -> StudySetup:
    """``setup`` restricted to ``conditions`` (kept in the study's order, with the GAN variants they train on)."""
    wanted = [conditions] if isinstance(conditions, str) else list(conditions)
    unknown = [c for c in wanted if c not in setup.conditions]
    if unknown or not wanted:
        raise ValueError(f"conditions must be a non-empty subset of the {setup.name} study's "
                         f"{', '.join(setup.conditions)}; got {', '.join(unknown) or 'none'}")
    kept = tuple(c for c in setup.conditions if c in wanted)
    needs = set(variants_trained(kept, [v.name for v in setup.gan_variants]))
    return dataclasses.replace(setup, conditions=kept,
                               gan_variants=tuple(v for v in setup.gan_variants if v.name in needs))


def study_corpora(manifests: dict, wanted, protocol: str, study_protocol: str) -> tuple[list[str], str | None]:
    """The corpora notebook 03's study runs on, and a line saying why it runs on none when the run asked for
    another protocol. ``wanted``: the ``experiment_corpora`` parameter (``None``: RAVDESS if the run has it, else
    every corpus of the run); corpora the run did not load are dropped."""
    if wanted is None:
        wanted = ["ravdess"] if "ravdess" in manifests else list(manifests)
    chosen = [c for c in wanted if c in manifests]
    if protocol not in ("all", study_protocol):
        return [], (f"protocol={protocol!r}: this notebook only runs the {study_protocol.replace('_', '-')} "
                    "protocol; nothing to do.")
    return chosen, None


def settings_table(setup: StudySetup, *, corpora, protocol: str, n_folds, per_group, seeds, gan_config,
                   n_copies: int, quick: bool) -> pd.DataFrame:
    """The run's settings as one ``value`` column (notebook 03, table ``03_settings``)."""
    return pd.Series({"corpora in the experiment": ", ".join(corpora) or "(none)",
                      "protocol": protocol, "folds": n_folds or "protocol default",
                      "utterances per speaker and emotion": per_group or "all",
                      "classifier": setup.label, "features": setup.feature_label,
                      "conditions": ", ".join(setup.conditions),
                      "classifier seeds": str(list(seeds)), "classifier max epochs": setup.model_config.epochs,
                      "early stopping patience": setup.model_config.patience, "GAN steps": gan_config.steps,
                      "GAN batch (windows)": gan_config.batch_size, "synthetic copies per utterance": n_copies,
                      "quick run": quick}, name="value").to_frame()

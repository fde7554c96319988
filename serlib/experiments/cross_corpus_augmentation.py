"""Augmentation across corpora, the setting CAEmoCyGAN was made for: train on one corpus, test on another.

Serves notebook 03_gan_augmentation (section 7). One direction (source -> target) on the emotions both corpora
share; the classifier trains on the source corpus only (fit speakers, early stopping on held-out source
speakers) and predicts every target utterance. Conditions:

- ``none``: source utterances as they are;
- ``corpus_norm``: every corpus z-normalised with its own frame statistics (the simple adaptation baseline: the
  target's statistics come from its audio, never from its labels);
- ``speaker_norm``: every speaker z-normalised with their own frame statistics (the ``_spknorm`` recipe of
  notebook 04, unlabelled audio of each target speaker);
- ``classic``: plus one waveform-augmented copy of each fit utterance;
- ``gan``: plus each fit utterance translated *to the target corpus with its own emotion* by a corpus-aware GAN
  trained on the labelled fit utterances and the target corpus's audio *without labels*
  (:data:`serlib.augmentation.gan.UNLABELLED`).

The target corpus's audio reaches the GAN and the normalisation statistics by design (unsupervised domain
adaptation); its labels reach nothing but the scoring.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from serlib.augmentation.classic import AugmentedData, ClassicAugmentConfig, classic_augmented_features
from serlib.augmentation.gan import UNLABELLED, EmotionStarGAN, GanConfig
from serlib.evaluation.splits import Split, validation_speakers_split
from serlib.experiments.augmentation import FoldAugmentation, fit_predict_condition
from serlib.features.extract import FeatureSet
from serlib.features.speaker_norm import normalize_with_stats, speaker_frame_stats
from serlib.messages import InsufficientDataError

#: The training conditions of the cross-corpus study, in display order.
CROSS_CONDITIONS = ("none", "corpus_norm", "speaker_norm", "classic", "gan")


def combine(source: FeatureSet, target: FeatureSet) -> tuple[FeatureSet, Split, list[str], np.ndarray]:
    """One feature set of both corpora: the split (train = source utterances of shared emotions, test = target
    utterances of shared emotions), the emotions left out of training and scoring (e.g. RAVDESS ``calm``, which
    TESS lacks), and the positions of *every* target utterance: the unlabelled audio the adaptation may use, chosen
    without looking at a label."""
    if source.config != target.config:
        raise ValueError("source and target need features of the same configuration")
    shared = sorted(set(source.manifest["emotion"]) & set(target.manifest["emotion"]))
    if len(shared) < 2:
        raise InsufficientDataError(f"the corpora share {len(shared)} emotion(s); cross-corpus needs 2 or more")
    dropped = sorted((set(source.manifest["emotion"]) | set(target.manifest["emotion"])) - set(shared))
    parts = [source.subset(source.manifest["emotion"].isin(shared).to_numpy()), target]
    clash = set(parts[0].manifest["speaker"].astype(str)) & set(parts[1].manifest["speaker"].astype(str))
    if clash:
        raise ValueError(f"speaker id(s) {sorted(clash)[:5]} occur in both corpora; make them unique per corpus")
    manifest = pd.concat([p.manifest for p in parts], ignore_index=True)
    both = FeatureSet(manifest, parts[0].frames + parts[1].frames, pd.DataFrame(), source.config)
    n = len(parts[0])
    target_rows = np.arange(n, len(manifest))
    scored = target_rows[target.manifest["emotion"].isin(shared).to_numpy()]
    return both, Split("train source, test target", np.arange(n), scored), dropped, target_rows


def normalised(features: FeatureSet, by: str) -> FeatureSet:
    """The set z-normalised per ``corpus`` or per ``speaker`` with each group's own frame statistics (every row of
    the set counts, whatever its label)."""
    groups = features.manifest[by].astype(str).to_numpy()
    return dataclasses.replace(features, frames=normalize_with_stats(features.frames, groups,
                                                                     speaker_frame_stats(features.frames, groups)),
                               extra={})


def corpus_gan(features: FeatureSet, fit, target, *, gan_config: GanConfig = GanConfig(), seed: int = 0,
               progress: bool = True) -> EmotionStarGAN:
    """A corpus-aware GAN on the labelled ``fit`` rows and the ``target`` rows *without their labels*, through the
    result cache."""
    from serlib.experiments.result_cache import cached, frames_digest

    m = features.manifest
    rows = np.r_[np.asarray(fit, int), np.asarray(target, int)]
    emotions = m["emotion"].astype(str).to_numpy()[rows].copy()
    emotions[len(fit):] = UNLABELLED
    speakers, corpora = m["speaker"].astype(str).to_numpy()[rows], m["corpus"].astype(str).to_numpy()[rows]
    frames = [features.frames[i] for i in rows]

    def train():
        gan = EmotionStarGAN(features.config, gan_config, seed).fit(frames, emotions, speakers, corpora,
                                                                   progress=progress)
        return {}, {"seconds": gan.train_seconds_}, gan

    *_, gan = cached(train, lambda: dict(kind="gan", training_data=frames_digest(frames, emotions, speakers, corpora),
                                         config=gan_config, feature_config=features.config, seed=seed),
                     load_model=EmotionStarGAN.load)
    return gan


def run_cross_corpus(source: FeatureSet, target: FeatureSet, *, seeds=(0, 1, 2), model_config=None,
                     conditions=CROSS_CONDITIONS, gan_config: GanConfig = GanConfig(),
                     classic_config: ClassicAugmentConfig = ClassicAugmentConfig(), seed: int = 0, n_jobs: int = 2,
                     progress: bool = True, spec_augment_with_classic: bool = False) -> dict:
    """The cross-corpus study of one direction (module docstring); conditions x seeds trainings.

    ``model_config``, ``spec_augment_with_classic``: see :func:`serlib.experiments.augmentation.fit_predict_condition`
    (default here: the model keeps its own SpecAugment in every condition, as the strong study does).

    Returns:
        ``{"predictions", "runs", "gan", "dropped_emotions", "n_source", "n_target", "seconds"}``; predictions
        have ``position, speaker, y_true, y_pred, condition, seed`` like notebook 03's study, so
        :func:`serlib.experiments.augmentation_statistics.summarise_conditions` and its paired intervals apply.
    """
    from serlib.reporting.progress import tqdm

    unknown = sorted(set(conditions) - set(CROSS_CONDITIONS))
    if unknown:
        raise ValueError(f"unknown condition(s) {unknown}; choose from {CROSS_CONDITIONS}")
    t0 = time.perf_counter()
    both, split, dropped, target_rows = combine(source, target)
    m = both.manifest
    fit, val = validation_speakers_split(m, split.train, seed=seed)
    fold = FoldAugmentation(split, fit, val)
    emotions = m["emotion"].astype(str).to_numpy()
    gan = None
    if "classic" in conditions:
        fold.classic = classic_augmented_features(m, fit, split.test, feature_config=both.config, config=classic_config,
                                                  seed=seed, cache_dir=None, n_jobs=n_jobs, progress=progress)
    if "gan" in conditions:
        gan = corpus_gan(both, fit, target_rows, gan_config=gan_config, seed=seed, progress=progress)
        target_corpus = str(m["corpus"].iloc[split.test[0]])
        frames = [gan.translate(both.frames[i], emotions[i], target_corpus) for i in fit]
        fold.gan_data = AugmentedData(frames, emotions[fit], fit, seconds=gan.train_seconds_)
    sets = {"none": both, "classic": both, "gan": both}
    preds, runs = [], []
    bar = tqdm(total=len(conditions) * len(seeds), desc="cross-corpus trainings", disable=not progress)
    for cond in conditions:
        if cond in ("corpus_norm", "speaker_norm"):
            sets[cond] = normalised(both, "corpus" if cond == "corpus_norm" else "speaker")
        for s in seeds:
            p, info = fit_predict_condition(sets[cond], fold, cond if cond in ("classic", "gan") else "none",
                                            model_config=model_config, seed=s,
                                            spec_augment_with_classic=spec_augment_with_classic)
            preds.append(p.assign(condition=cond))
            runs.append({"condition": cond, "seed": s, **info})
            bar.update(1)
    bar.close()
    return {"predictions": pd.concat(preds, ignore_index=True), "runs": pd.DataFrame(runs), "gan": gan,
            "dropped_emotions": dropped, "n_source": len(fit), "n_target": len(split.test),
            "seconds": time.perf_counter() - t0}


# ---------------------------------------------------------------------------------------------- reporting
def directions(feature_sets: dict) -> list[tuple[str, str]]:
    """Every ordered pair of corpora in ``feature_sets`` that share two or more emotions (both ways)."""
    names = sorted(feature_sets)
    shared = {(a, b): set(feature_sets[a].manifest["emotion"]) & set(feature_sets[b].manifest["emotion"])
              for a in names for b in names if a != b}
    return [pair for pair, emotions in shared.items() if len(emotions) >= 2]


def summary(result: dict, *, n_boot: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """UAR per seed and condition on the target corpus, and per condition the mean, spread and paired difference to
    ``none`` (seeds and target speakers resampled together; utterances instead of speakers when the target has fewer
    than 5 speakers, as TESS)."""
    from serlib.experiments.augmentation_statistics import summarise_conditions, uar_per_seed

    return uar_per_seed(result["predictions"]), summarise_conditions(result["predictions"], n_boot=n_boot, seed=seed)


def metrics_block(result: dict, summary_table: pd.DataFrame) -> dict:
    """``augmentation.<source>.cross_corpus_to_<target>``: one entry per condition (as the speaker-independent
    study's) plus the direction's ``design`` (emotions left out, utterances, GAN seconds)."""
    from serlib.experiments.augmentation_report import condition_entries

    gan = result.get("gan")
    return {**condition_entries(summary_table),
            "design": {"dropped_emotions": result["dropped_emotions"], "n_source_fit": result["n_source"],
                       "n_target_scored": result["n_target"],
                       "gan_train_seconds": None if gan is None else float(gan.train_seconds_),
                       "minutes": result["seconds"] / 60}}


def summary_lines(source: str, target: str, result: dict, summary_table: pd.DataFrame, *,
                  quick: bool = False) -> list[str]:
    """Markdown bullets of one direction: UAR without adaptation, each condition's paired difference, the GAN aim."""
    from serlib.reporting.run_context import corpus_title
    from serlib.targets import GAN_AIM_MIN_GAIN, gan_aim_reached

    s = summary_table.set_index("condition")
    lines = [f"- **{corpus_title(source)} -> {corpus_title(target)}** (train on {corpus_title(source)}, test on every "
             f"{corpus_title(target)} utterance of the shared emotions; left out: "
             f"{', '.join(result['dropped_emotions']) or 'nothing'}), {int(s['n_seeds'].max())} seed(s)"
             f"{' (QUICK run: tiny subset, few epochs; not meaningful)' if quick else ''}: without "
             f"adaptation UAR {100 * s.loc['none', 'uar_mean']:.1f} % (measured here)."]
    for cond in s.index:
        if cond == "none" or pd.isna(s.loc[cond].get("diff_vs_none", np.nan)):
            continue
        d, lo, hi = (100 * s.loc[cond, k] for k in ("diff_vs_none", "ci_low", "ci_high"))
        verdict = "helps" if lo > 0 else "hurts" if hi < 0 else "no difference we can tell from 0"
        lines.append(f"  - `{cond}`: UAR {100 * s.loc[cond, 'uar_mean']:.1f} %, {d:+.1f} points against none, 95 % CI "
                     f"[{lo:+.1f}, {hi:+.1f}] ({s.loc[cond, 'ci_resampled']} resampled): {verdict}.")
    if "gan" in s.index:
        reached = gan_aim_reached(s.loc["gan", "diff_vs_none"], s.loc["gan", "ci_low"])
        lines.append(f"  - GAN aim (>= {100 * GAN_AIM_MIN_GAIN:.0f} points, interval above 0): "
                     f"{'**reached**' if reached else '**not reached**'} in this direction.")
    return lines


def run_directions(feature_sets: dict, *, on_skip=None, n_boot: int = 1000, **study) -> dict:
    """:func:`run_cross_corpus` for every direction of :func:`directions` (notebook 03, section 7).

    ``study``: the keyword arguments of :func:`run_cross_corpus` (``seeds``, ``model_config``, ...). A direction
    the data are too small for is skipped with ``on_skip(what, corpus, reason)`` (e.g.
    :meth:`serlib.reporting.run_context.RunContext.record_skip`); any other error stops the run.

    Returns:
        ``{(source, target): (result, per_seed, summary)}``.
    """
    out = {}
    for source, target in directions(feature_sets):
        try:
            result = run_cross_corpus(feature_sets[source], feature_sets[target], **study)
        except InsufficientDataError as err:
            if on_skip is None:
                raise
            on_skip(f"cross-corpus augmentation to {target}", source, str(err))
            continue
        out[(source, target)] = (result, *summary(result, n_boot=n_boot, seed=study.get("seed", 0)))
    return out

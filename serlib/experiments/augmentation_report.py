"""What notebook 03 shows of the augmentation study: examples, cost, GAN quality, metrics and sentences.

Serves notebook 03_gan_augmentation. The study itself (folds, synthetic data, trainings, paired intervals) is
:mod:`serlib.experiments.augmentation`; this module turns its outputs into tables, plot inputs, the
``augmentation.<corpus>`` metrics block and the closing sentences. The only training here is
:func:`rerun_check`'s, which repeats one of the study's trainings to show that it repeats.
"""

from __future__ import annotations

import dataclasses
import time

import numpy as np
import pandas as pd

from serlib.augmentation.classic import augment_waveform, classic_augmented_features
from serlib.augmentation.gan_quality import emotion_profiles
from serlib.data import audio
from serlib.evaluation.splits import speaker_independent_folds
from serlib.experiments import result_cache
from serlib.experiments.augmentation import fit_predict_condition, run_comparison
from serlib.experiments.augmentation_statistics import (
    CONDITIONS,
    VALENCE,
    condition_order,
    paired_difference_ci,
    recall_change_by_class,
    summarise_conditions,
    uar_per_seed,
    valence_predictions,
)
from serlib.features.frames import compute_frame_features
from serlib.features.speaker_norm import normalize_with_stats, speaker_frame_stats
from serlib.reporting.run_context import corpus_title
from serlib.targets import GAN_AIM_MIN_GAIN, gan_aim_reached

#: The emotions a source utterance is translated to in the real-vs-generated figure (those the GAN knows).
SHOWN_TARGETS = ("angry", "sad", "happy", "fearful")


def classic_examples(manifest: pd.DataFrame, feature_config, classic_config, *, n_copies: int = 3, seed: int = 0):
    """The first usable utterance and ``n_copies`` waveform-augmented copies of it (section 2).

    Returns:
        ``(row, panels, table, sounds)``: the manifest row; ``(label, static MFCC frames)`` per version for
        :func:`serlib.plots.augmentation.plot_real_vs_generated`; one row per version with the drawn parameters
        and duration; ``(label, waveform)`` per version to listen to.
    """
    sr, nc = feature_config.sample_rate, feature_config.n_mfcc
    row, y = audio.first_usable(manifest, sr, trim_db=feature_config.trim_db)
    panels = [("original", compute_frame_features(y, feature_config)[:, :nc])]
    rows, sounds = [{"copy": "original", "duration_s": len(y) / sr}], [("original", y)]
    for k in range(n_copies):
        y_aug, params = augment_waveform(y, sr, classic_config, seed=seed * 100 + k)
        drawn = {p: v for p, v in params.items() if p != "noise_seed"}
        desc = ", ".join(f"{p} {v:.2f}" for p, v in drawn.items() if v is not None)
        rows.append({"copy": k, **drawn, "duration_s": len(y_aug) / sr})
        panels.append((f"copy {k}: {desc}", compute_frame_features(y_aug, feature_config)[:, :nc]))
        sounds.append((f"copy {k}", y_aug))
    first = rows.pop(0)
    return row, panels, pd.DataFrame([first] + rows), sounds


def run_study(feature_sets: dict, corpora, seeds, *, model_config, gan_config, classic_config, n_copies: int = 1,
              n_folds: int | None = None, seed: int = 0, n_jobs: int = 1, speaker_normalize: bool = False,
              spec_augment_with_classic: bool = True, conditions=CONDITIONS,
              gan_variants=None) -> tuple[dict, list[str], list[tuple]]:
    """:func:`serlib.experiments.augmentation.run_comparison` on each corpus's speaker folds (section 3).

    ``speaker_normalize``: the study runs on features z-normalised per speaker with that speaker's own unlabelled
    frames (the ``_spknorm`` models of notebook 04); classical copies get their source speaker's statistics.
    ``spec_augment_with_classic``: see :func:`serlib.experiments.augmentation.fit_predict_condition`;
    ``conditions``, ``gan_variants``: see :func:`serlib.experiments.augmentation.prepare_fold`.

    Returns:
        ``{corpus: {"folds", "predictions", "runs", "prepared", "seconds", "copy_stats", "features"}}``
        (``features``: the set the study trained on, normalised when ``speaker_normalize``), one line per corpus,
        and ``(what, corpus, reason)`` for every part a fold had to skip.
    """
    results, lines, skipped = {}, [], []
    for name in corpora:
        fs, copy_stats = feature_sets[name], None
        if speaker_normalize:
            speakers = fs.manifest["speaker"].astype(str).to_numpy()
            copy_stats = speaker_frame_stats(fs.frames, speakers)
            fs = dataclasses.replace(fs, frames=normalize_with_stats(fs.frames, speakers, copy_stats))
        folds = speaker_independent_folds(fs.manifest, n_folds, seed=seed)
        t0 = time.perf_counter()
        preds, runs, prepared = run_comparison(fs, folds, seeds=seeds, model_config=model_config,
                                               gan_config=gan_config, classic_config=classic_config,
                                               n_copies=n_copies, seed=seed, n_jobs=n_jobs, copy_stats=copy_stats,
                                               spec_augment_with_classic=spec_augment_with_classic,
                                               conditions=conditions, gan_variants=gan_variants)
        results[name] = {"folds": folds, "predictions": preds, "runs": runs, "prepared": prepared,
                         "seconds": time.perf_counter() - t0, "copy_stats": copy_stats, "features": fs}
        lines.append(f"{name}: {len(folds)} folds x {len(seeds)} seed(s) x {len(conditions)} conditions = {len(runs)} "
                     f"classifier trainings in {results[name]['seconds'] / 60:.1f} min")
        skipped += [(f"{what}, fold {k + 1}", name, reason)
                    for k, fold in enumerate(prepared) for what, reason in fold.skipped]
    return results, lines, skipped


def cost_tables(result: dict, manifest: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per fold: speakers, GAN windows and seconds, synthetic copies; per condition: trainings, seconds, epochs."""
    speakers = manifest["speaker"]
    cost = pd.DataFrame([{
        "fold": k + 1,
        "fit speakers": speakers.iloc[f.fit].nunique(),
        "validation speakers": speakers.iloc[f.val].nunique(),
        "test speakers": speakers.iloc[f.split.test].nunique(),
        "GAN training windows": getattr(f.gan, "n_train_windows_", 0),
        "GAN training (s)": f.gan.train_seconds_ if f.gan is not None else np.nan,
        "classical copies": len(f.classic) if f.classic is not None else 0,
        "classical copies made in (s)": f.classic.seconds if f.classic is not None else np.nan,
        "GAN copies": len(f.gan_data) if f.gan_data is not None else 0} for k, f in enumerate(result["prepared"])])
    per_condition = (result["runs"].groupby("condition", sort=False)
                     .agg(trainings=("seconds", "size"), mean_seconds=("seconds", "mean"),
                          mean_epochs=("epochs_run", "mean"), mean_training_utterances=("n_train", "mean")).round(1))
    return cost, per_condition


def first_gan_fold(result: dict):
    """The first fold that trained a GAN, or None."""
    return next((f for f in result["prepared"] if f.gan is not None), None)


def first_gan_folds(results: dict):
    """``(corpus, result, fold)`` for each corpus whose study trained a GAN, with its first GAN fold (the figures of
    notebook 03's sections on the GAN itself)."""
    for name, result in results.items():
        fold = first_gan_fold(result)
        if fold is not None:
            yield name, result, fold


def gan_loss_sentence(history: pd.DataFrame) -> str:
    """The GAN's losses at its last logged step."""
    last = history.iloc[-1]
    return (f"last logged step {int(last['step'])}: D adversarial {last['d_adv']:.3f}, G adversarial "
            f"{last['g_adv']:.3f}, cycle {last['cycle']:.3f}, identity {last['identity']:.3f}, "
            f"G emotion loss {last['g_cls']:.3f}, D emotion loss (real) {last['d_cls']:.3f}")


def real_vs_generated_panels(fs, fold, n_static: int):
    """Panels of the real-vs-generated figure (section 4): a real fit-speaker utterance and its translations to
    up to three other emotions (top), and real utterances of those emotions by the same speaker (bottom).

    Returns ``(top, bottom, speaker)``; panels are ``(label, static frames)``.
    """
    m, gan = fs.manifest, fold.gan
    fit_m = m.iloc[fold.fit]
    source = "neutral" if "neutral" in set(fit_m["emotion"]) else gan.emotions_[0]
    pos = int(fold.fit[np.flatnonzero(fit_m["emotion"].to_numpy() == source)[0]])
    speaker = str(m["speaker"].iloc[pos])
    targets = [e for e in SHOWN_TARGETS if e in gan.emotions_ and e != source][:3]
    targets = targets or [e for e in gan.emotions_ if e != source][:3]
    top = [(f"real {source} (source)", fs.frames[pos][:, :n_static])]
    top += [(f"generated: {source} -> {t}", gan.translate(fs.frames[pos], t)[:, :n_static]) for t in targets]
    bottom = [(f"real {source} (source)", fs.frames[pos][:, :n_static])]
    for t in targets:
        same = np.flatnonzero((m["speaker"].astype(str) == speaker).to_numpy() & (m["emotion"] == t).to_numpy())
        if len(same):
            bottom.append((f"real {t}, same speaker", fs.frames[int(same[0])][:, :n_static]))
    return top, bottom, speaker


def profile_study(fs, fold, *, seed: int = 0) -> tuple[pd.DataFrame, dict[str, float], str]:
    """Per-emotion MFCC profiles of real and generated fit-speaker windows, their correlation per emotion, and a
    sentence (mean correlation in metrics ``gan_quality.profile_correlation_fold1``)."""
    prof = emotion_profiles(fold.gan, [fs.frames[i] for i in fold.fit], fs.manifest["emotion"].to_numpy()[fold.fit],
                            seed=seed)
    wide = prof.pivot_table(index=["emotion", "coefficient"], columns="kind", values="z_mean")
    corr = {e: float(np.corrcoef(g["real"], g["generated"])[0, 1]) for e, g in wide.groupby("emotion")}
    sentence = ("correlation of real and generated per-emotion profiles: "
                + ", ".join(f"{e} {v:+.2f}" for e, v in corr.items()) + f" (mean {np.mean(list(corr.values())):+.2f})")
    return prof, corr, sentence


def quality_table(result: dict) -> pd.DataFrame:
    """The GAN quality scores of every fold (empty when no GAN was trained)."""
    return pd.DataFrame([{"fold": k + 1, **f.gan_quality} for k, f in enumerate(result["prepared"]) if f.gan_quality])


def quality_sentence(corpus: str, q: pd.DataFrame) -> str:
    """Mean GAN quality over folds in one sentence."""
    m = q.drop(columns="fold").mean()
    return (f"{corpus_title(corpus)} (mean over {len(q)} folds): real held-out accuracy "
            f"{100 * m['real_heldout_accuracy']:.1f} %, generated target accuracy "
            f"{100 * m['generated_target_accuracy']:.1f} %, generated source rate {100 * m['generated_source_rate']:.1f} "
            f"%, chance {100 * m['chance']:.1f} %, two-sample AUC {m['c2st_auc']:.2f}, edit ratio {m['edit_ratio']:.2f}, "
            f"edit cosine {m['edit_cosine']:.2f}.")


#: What :func:`variant_table` reports of each variant's selection (means over folds).
VARIANT_MEASURES = ("realised_ratio", "target_agreement", "real_heldout_accuracy", "chance", "c2st_auc", "edit_ratio",
                    "edit_cosine")


def variant_table(result: dict, summary: pd.DataFrame) -> pd.DataFrame:
    """Per GAN variant: its filter and ratio, what it selected (means over folds of
    :func:`serlib.augmentation.selection.selection_quality`) and its UAR effect against ``none`` (section 4b).

    Empty when the study had no GAN condition."""
    rows = {}
    for fold in result["prepared"]:
        for name, (variant, _) in fold.variants.items():
            rows.setdefault(name, {"variant": variant, "quality": []})
            if name in fold.variant_quality:
                rows[name]["quality"].append(fold.variant_quality[name])
    s = summary.set_index("condition")
    out = []
    for name, r in rows.items():
        q = pd.DataFrame(r["quality"]).mean(numeric_only=True).to_dict() if r["quality"] else {}
        effect = s.loc[name] if name in s.index else pd.Series(dtype=float)
        measured = sum("target_agreement" in x for x in r["quality"])
        out.append({"condition": name, "threshold": r["variant"].threshold, "ratio": r["variant"].ratio,
                    **{k: q.get(k, np.nan) for k in VARIANT_MEASURES}, "folds_measured": measured,
                    **{k: effect.get(k, np.nan) for k in ("uar_mean", "diff_vs_none", "ci_low", "ci_high")}})
    return pd.DataFrame(out)


def condition_summary(result: dict, *, n_boot: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """UAR per seed and condition, and per condition the mean, spread and paired difference to ``none``."""
    return uar_per_seed(result["predictions"]), summarise_conditions(result["predictions"], n_boot=n_boot, seed=seed)


def recall_change_table(predictions: pd.DataFrame, *, baseline: str = "none", n_boot: int = 1000,
                        seed: int = 0) -> pd.DataFrame:
    """The rare-class claim (section 6b): per condition and emotion, the recall change against ``baseline``.

    Columns: ``condition, emotion, n_test, recall_none, recall_condition, recall_change, ci_low, ci_high,
    below_median_support``. Recalls are means over seeds; the interval is the paired seed x speaker bootstrap of
    :func:`serlib.experiments.augmentation_statistics.paired_difference_ci` on that emotion's test utterances (with one class
    present, the UAR it computes is that class's recall). ``below_median_support``: fewer test utterances than
    the median emotion (RAVDESS ``neutral`` has half as many as the others).
    """
    conditions = [c for c in condition_order(predictions["condition"]) if c != baseline]
    rows = []
    for cond in conditions:
        change = recall_change_by_class(predictions, cond, baseline)
        median = float(change["n_test"].median())
        for r in change.to_dict("records"):  # condition names need not be identifiers
            ci = paired_difference_ci(predictions[predictions["y_true"] == r["emotion"]], cond, baseline,
                                      n_boot=n_boot, seed=seed)
            rows.append({"condition": cond, "emotion": r["emotion"], "n_test": int(r["n_test"]),
                         "recall_none": r[f"recall_{baseline}"], "recall_condition": r[f"recall_{cond}"],
                         "recall_change": r["recall_change"], "ci_low": ci["ci_low"], "ci_high": ci["ci_high"],
                         "below_median_support": bool(r["n_test"] < median)})
    return pd.DataFrame(rows)


def rare_class_lines(corpus: str, table: pd.DataFrame) -> list[str]:
    """One Markdown bullet per condition: the change of the classes below median support against the others."""
    lines = []
    for cond, g in table.groupby("condition", sort=False):
        rare, other = g[g["below_median_support"]], g[~g["below_median_support"]]
        if rare.empty:
            lines.append(f"- `{cond}` ({corpus_title(corpus)}): no emotion has fewer test utterances than the median "
                         f"({int(g['n_test'].median())}); mean recall change {100 * g['recall_change'].mean():+.1f} points.")
            continue
        each = "; ".join(f"{r.emotion} ({r.n_test} test utterances) {100 * r.recall_change:+.1f} points "
                         f"[{100 * r.ci_low:+.1f}, {100 * r.ci_high:+.1f}]" for r in rare.itertuples())
        lines.append(f"- `{cond}` ({corpus_title(corpus)}): below-median classes: {each}; the other classes "
                     f"{100 * other['recall_change'].mean():+.1f} points on average.")
    return lines


def rerun_check(features, result: dict, *, model_config, classic_config, condition: str = "classic",
                n_copies_checked: int = 100, seed: int = 0, n_jobs: int = 1,
                spec_augment_with_classic: bool = True) -> dict:
    """Does a training repeat? Fold 1's ``condition`` at the first seed is trained again with the result cache off,
    and up to ``n_copies_checked`` of its classical copies are made again without the copies cache.

    Returns the ``rerun`` metrics: test utterances whose prediction changed, and the largest absolute difference
    between the remade and the used copies (both 0 when the study repeats exactly).
    """
    if result.get("features") is not None:  # the features the study trained on (normalised per speaker, if so)
        features = result["features"]
    preds, fold = result["predictions"], result["prepared"][0]
    first_seed = sorted(preds["seed"].unique())[0]
    used = preds[(preds["condition"] == condition) & (preds["fold"] == 0) & (preds["seed"] == first_seed)]
    if used.empty:
        raise ValueError(f"no predictions of condition {condition!r} in fold 1 to check")
    with result_cache.disabled():
        again, _ = fit_predict_condition(features, fold, condition, model_config=model_config, seed=first_seed,
                                         spec_augment_with_classic=spec_augment_with_classic)
    merged = used.merge(again, on="position", suffixes=("", "_again"))
    out = {"condition": condition, "fold": 1, "seed": int(first_seed), "n_test": len(merged),
           "predictions_changed": int((merged["y_pred"] != merged["y_pred_again"]).sum())}
    if fold.classic is not None and len(fold.classic):
        first_copy = {}
        for frames, src in zip(fold.classic.frames, fold.classic.source):
            first_copy.setdefault(int(src), frames)
        rows = np.asarray(sorted(first_copy))[:n_copies_checked]
        fresh = classic_augmented_features(features.manifest, rows, fold.split.test, feature_config=features.config,
                                           config=classic_config, seed=seed, n_copies=1, cache_dir=False,
                                           n_jobs=n_jobs, progress=False)
        if result.get("copy_stats") is not None:
            speakers = features.manifest["speaker"].astype(str).to_numpy()[fresh.source]
            fresh.frames = normalize_with_stats(fresh.frames, speakers, result["copy_stats"])
        diffs = [float(np.max(np.abs(f - first_copy[int(s)]))) if f.shape == first_copy[int(s)].shape else np.inf
                 for f, s in zip(fresh.frames, fresh.source)]
        out.update({"classic_copies_checked": len(diffs), "classic_copies_max_abs_diff": max(diffs, default=0.0)})
    return out


def rerun_sentence(corpus: str, rerun: dict) -> str:
    """The rerun check in one sentence."""
    text = (f"{corpus_title(corpus)}: `{rerun['condition']}`, fold {rerun['fold']}, seed {rerun['seed']} trained "
            f"again without the result cache: {rerun['predictions_changed']} of {rerun['n_test']} test predictions "
            "changed")
    if "classic_copies_checked" in rerun:
        text += (f"; {rerun['classic_copies_checked']} classical copies made again without their cache differ from "
                 f"the ones used by at most {rerun['classic_copies_max_abs_diff']:.3g}")
    return text + "."


def condition_entries(summary: pd.DataFrame, recall_changes: pd.DataFrame | None = None) -> dict:
    """``{condition: entry}`` of one protocol's metrics: ``uar_mean``, ``uar_std``, ``accuracy_mean``, ``n_seeds``,
    and against ``none`` ``diff_vs_none``, ``diff_vs_none_ci``, ``ci_resampled`` and (from ``recall_changes``)
    ``recall_change`` per emotion."""
    entries = {}
    for _, row in summary.iterrows():
        entry = {"uar_mean": row["uar_mean"], "uar_std": row["uar_std"], "accuracy_mean": row["accuracy_mean"],
                 "n_seeds": int(row["n_seeds"])}
        if pd.notna(row.get("diff_vs_none", np.nan)):
            entry.update({"diff_vs_none": row["diff_vs_none"], "diff_vs_none_ci": [row["ci_low"], row["ci_high"]],
                          "ci_resampled": row["ci_resampled"]})
        if recall_changes is not None and len(recall_changes):
            mine = recall_changes[recall_changes["condition"] == row["condition"]]
            if len(mine):
                entry["recall_change"] = {r.emotion: {"n_test": int(r.n_test), "change": float(r.recall_change),
                                                      "ci": [float(r.ci_low), float(r.ci_high)],
                                                      "below_median_support": bool(r.below_median_support)}
                                          for r in mine.itertuples()}
        entries[row["condition"]] = entry
    return entries


def augmentation_metrics(result: dict, summary: pd.DataFrame, protocol: str, *, quality: pd.DataFrame | None = None,
                         profile_correlation: float | None = None, settings: dict, n_boot: int = 1000,
                         seed: int = 0, recall_changes: pd.DataFrame | None = None,
                         rerun: dict | None = None,
                         variants: pd.DataFrame | None = None) -> tuple[dict, pd.DataFrame | None]:
    """The ``augmentation.<corpus>`` metrics block of one corpus, and the GAN's per-class recall change.

    Keys: ``<protocol>.<condition>`` (``uar_mean``, ``uar_std``, ``accuracy_mean``, ``n_seeds``, and against
    ``none`` ``diff_vs_none``, ``diff_vs_none_ci``, ``ci_resampled``, ``recall_change`` per emotion from
    ``recall_changes``); ``rerun`` (:func:`rerun_check`); ``gan_vs_none_uar_ci``;
    ``valence_gan_vs_none_uar``; ``recall_change_gan``; ``gan_quality``; ``gan_variants`` (:func:`variant_table`,
    per condition); GAN and CNN-LSTM seconds; ``settings``.
    """
    block = {protocol: condition_entries(summary, recall_changes)}
    if rerun is not None:
        block["rerun"] = rerun
    if variants is not None and len(variants):
        block["gan_variants"] = {r["condition"]: {k: (None if pd.isna(v) else v) for k, v in r.items()
                                                  if k not in ("condition", "uar_mean", "diff_vs_none", "ci_low",
                                                               "ci_high")}
                                 for r in variants.to_dict("records")}
    change = None
    gan_row = summary[summary["condition"] == "gan"]
    if len(gan_row):
        block["gan_vs_none_uar_ci"] = [float(gan_row["ci_low"].iloc[0]), float(gan_row["ci_high"].iloc[0])]
        # the paper's valence and rare-emotion claims: the same predictions grouped by valence, recall per class
        val = paired_difference_ci(valence_predictions(result["predictions"]), "gan", n_boot=n_boot, seed=seed)
        block["valence_gan_vs_none_uar"] = {"diff": val["diff_mean"], "ci": [val["ci_low"], val["ci_high"]],
                                            "groups": sorted(set(VALENCE.values()))}
        change = recall_change_by_class(result["predictions"], "gan")
        block["recall_change_gan"] = {r.emotion: {"n_test": int(r.n_test), "change": float(r.recall_change)}
                                      for r in change.itertuples()}
    if quality is not None and len(quality):
        block["gan_quality"] = ({k: float(v) for k, v in quality.drop(columns="fold").mean().items()}
                                | {"n_folds": len(quality)})
        if profile_correlation is not None:
            block["gan_quality"]["profile_correlation_fold1"] = profile_correlation
    gan_secs = [f.gan.train_seconds_ for f in result["prepared"] if f.gan is not None]
    block["gan_train_seconds"] = float(np.sum(gan_secs)) if gan_secs else None
    block["gan_train_seconds_per_fold"] = float(np.mean(gan_secs)) if gan_secs else None
    block["cnn_lstm_train_seconds_per_condition"] = result["runs"].groupby("condition")["seconds"].mean().to_dict()
    block["settings"] = {"n_folds": len(result["folds"]), **settings}
    return block, change


def study_metrics(results: dict, summaries: dict, protocol: str, *, settings: dict, quality_tables: dict,
                  profile_correlations: dict, recall_tables: dict, reruns: dict, variant_tables: dict,
                  n_boot: int = 1000, seed: int = 0) -> dict:
    """``{corpus: block}``: :func:`augmentation_metrics` of each corpus of the study (notebook 03's metrics cell);
    the dicts are keyed by corpus, as the notebook's sections build them (a corpus may be absent from each)."""
    return {name: augmentation_metrics(
        result, summaries[name][1], protocol, quality=quality_tables.get(name),
        profile_correlation=profile_correlations.get(name), settings=settings, n_boot=n_boot, seed=seed,
        recall_changes=recall_tables.get(name), rerun=reruns.get(name), variants=variant_tables.get(name))[0]
        for name, result in results.items()}


def _quality_reading(q: pd.Series) -> str:
    if q["edit_ratio"] < 0.5:
        return ("So translations are near-copies of their source that a classifier nudged in the right direction: "
                "the high target score comes from small consistent shifts, not from a new emotion, and training on "
                "them mostly adds source utterances under another label.")
    if q["generated_target_accuracy"] > q["real_heldout_accuracy"]:
        return ("Generated windows are *more* clearly labelled than real ones, i.e. exaggerated, prototypical "
                "emotions rather than new natural variation.")
    return "Generated windows carry the target emotion less clearly than real windows carry theirs."


def summary_lines(corpus: str, result: dict, summary: pd.DataFrame, quality: pd.DataFrame | None, *,
                  quick: bool = False, model_label: str = "CNN-LSTM") -> list[str]:
    """The closing Markdown bullets of one corpus: UAR without augmentation, each condition's paired difference
    and verdict, the GAN aim of :mod:`serlib.targets`, the GAN's quality and its training time."""
    s = summary.set_index("condition")
    base = s.loc["none", "uar_mean"] if "none" in s.index else np.nan
    lines = [f"- **{corpus_title(corpus)}**, speaker-independent, {len(result['folds'])} folds, "
             f"{int(s['n_seeds'].iloc[0])} seed(s){' (QUICK run: tiny subset, few epochs; not meaningful)' if quick else ''}"
             f": without augmentation the {model_label} reached a UAR of {100 * base:.1f} % (measured here)."]
    for cond in s.index:
        if cond == "none" or pd.isna(s.loc[cond].get("diff_vs_none", np.nan)):
            continue
        d, lo, hi = 100 * s.loc[cond, "diff_vs_none"], 100 * s.loc[cond, "ci_low"], 100 * s.loc[cond, "ci_high"]
        verdict = ("helps (interval above 0)" if lo > 0 else "hurts (interval below 0)" if hi < 0
                   else "makes no difference we can distinguish from 0")
        lines.append(f"  - `{cond}`: UAR {100 * s.loc[cond, 'uar_mean']:.1f} ± {100 * s.loc[cond, 'uar_std']:.1f} %, "
                     f"difference to none {d:+.1f} points, 95 % CI [{lo:+.1f}, {hi:+.1f}]: it {verdict}.")
    gan_conditions = [c for c in s.index if c.startswith("gan") and pd.notna(s.loc[c].get("diff_vs_none", np.nan))]
    if gan_conditions:
        reached = [c for c in gan_conditions if gan_aim_reached(s.loc[c, "diff_vs_none"], s.loc[c, "ci_low"])]
        best = max(gan_conditions, key=lambda c: s.loc[c, "diff_vs_none"])
        d, lo = 100 * s.loc[best, "diff_vs_none"], 100 * s.loc[best, "ci_low"]
        lines.append(f"  - Aim (GAN adds >= {100 * GAN_AIM_MIN_GAIN:.0f} UAR points with the interval above 0; "
                     f"serlib.targets): {'**reached** by ' + ', '.join(f'`{c}`' for c in reached) if reached else '**not reached**'}"
                     f" (largest gain: `{best}`, {d:+.1f} points, CI lower bound {lo:+.1f}"
                     + (f"; the best of {len(gan_conditions)} GAN conditions, picked on the test folds, is an "
                        "optimistic estimate" if len(gan_conditions) > 1 else "") + ").")
    if quality is not None and len(quality):
        q = quality.drop(columns="fold").mean()
        lines.append(f"  - GAN quality (mean over folds): an emotion classifier trained on real windows finds the "
                     f"target emotion in {100 * q['generated_target_accuracy']:.1f} % of generated windows vs "
                     f"{100 * q['real_heldout_accuracy']:.1f} % on real held-out windows (chance "
                     f"{100 * q['chance']:.1f} %); a linear real-vs-generated test gives AUC {q['c2st_auc']:.2f}. "
                     f"A translation moves a window {q['edit_ratio']:.2f} times as far as the real source and target "
                     f"emotions lie apart (edit cosine with the real direction {q['edit_cosine']:.2f}). "
                     + _quality_reading(q))
    gan_secs = [f.gan.train_seconds_ for f in result["prepared"] if f.gan is not None]
    if gan_secs:
        lines.append(f"  - One GAN trained in {np.mean(gan_secs):.0f} s on average ({np.sum(gan_secs) / 60:.1f} min "
                     f"for all folds).")
    return lines

"""The paper-architecture CNN-LSTM under three protocols: runs, reports, training cost, ablation, summary.

Serves notebook 04_cnn_lstm (sections 3-3c, 6, 6b and the summary). Each function takes feature sets,
configurations and seeds and returns plain data (dicts of :class:`serlib.experiments.protocols.ProtocolResult`,
tables, Markdown lines); the notebook calls one function per section and plots the result.
"""

from __future__ import annotations

import contextlib
import dataclasses

import numpy as np
import pandas as pd

from serlib import targets
from serlib.evaluation.metrics import classification_report_table
from serlib.evaluation.splits import Split, cross_corpus_positions, random_80_20_split, speaker_independent_folds
from serlib.experiments.protocols import run_protocol, summarise_predictions
from serlib.features.frames import FeatureConfig
from serlib.models.cnn_lstm import CnnLstmConfig
from serlib.models.presets import OUR_SETTING, PAPER_SETTING
from serlib.reporting.run_context import corpus_title


def _no_skip(experiment: str, corpus: str):
    return contextlib.nullcontext()


def study_configs(max_epochs: int) -> tuple[CnnLstmConfig, CnnLstmConfig]:
    """(our setting, paper setting) capped at ``max_epochs`` (the paper setting at half of it, at least 3)."""
    return (dataclasses.replace(OUR_SETTING, epochs=max_epochs),
            dataclasses.replace(PAPER_SETTING, epochs=max(3, max_epochs // 2)))


def demo_model(feature_config, model_config, n_classes: int = 6):
    """The paper-architecture CNN-LSTM of our setting, untrained and with identity input scaling, for notebook 04's
    summary and diagram (``n_classes`` emotions)."""
    from serlib.models.cnn_lstm import build_cnn_lstm

    return build_cnn_lstm(model_config.n_windows, feature_config.window_frames, feature_config.n_mfcc,
                          1 + feature_config.deltas, n_classes, model_config, mean=np.zeros(feature_config.n_features),
                          std=np.ones(feature_config.n_features))


def settings_table(paper_config, model_config) -> pd.DataFrame:
    """The two settings side by side, one row per configuration field (table ``04_model_settings``)."""
    return pd.DataFrame({"paper setting": paper_config.to_dict(), "our setting": model_config.to_dict()})


def speaker_folds(fs, *, n_folds: int | None = None, seed: int = 0) -> list[Split]:
    """The run's speaker-independent folds: the protocol default, or ``n_folds`` capped at the speaker count."""
    k = None if n_folds is None else min(int(n_folds), fs.manifest["speaker"].nunique())
    return speaker_independent_folds(fs.manifest, n_folds=k, seed=seed)


def run_protocols(feature_sets: dict, model_config, paper_config, seeds, *, protocol: str = "all",
                  n_folds: int | None = None, seed: int = 0, skip=_no_skip) -> tuple[dict, list[str]]:
    """Train the CNN-LSTM under every requested protocol on every corpus.

    Args:
        feature_sets: ``{corpus: FeatureSet}``.
        model_config: our setting (every seed); ``paper_config``: the paper's setting (first seed, random split).
        seeds: training seeds. ``seed`` (the run's base seed) keeps its fold models (learning curves, noise test).
        protocol: ``all``, ``random_80_20``, ``speaker_independent`` or ``cross_corpus``.
        skip: ``skip(experiment, corpus)`` context manager for corpora too small for a protocol
            (:meth:`serlib.reporting.run_context.RunContext.skip_if_too_small`).

    Returns:
        ``{(corpus, protocol_name): [ProtocolResult per seed]}`` and lines to print (trainings per protocol,
        shared emotions of each cross-corpus pair).
    """
    want = (lambda p: protocol in ("all", p))
    seeds = list(seeds)
    results, lines = {}, []
    for name, fs in feature_sets.items():
        if want("random_80_20"):
            for cfg_name, cfg in (("random_80_20", model_config), ("random_80_20_paper_setting", paper_config)):
                with skip(f"CNN-LSTM, {cfg_name}", name):
                    results[(name, cfg_name)] = [
                        run_protocol(fs, [random_80_20_split(fs.manifest, seed=s)], cfg, [s],
                                     keep_models=(s == seed and cfg is model_config), desc=f"{name} {cfg_name} seed {s}")
                        for s in (seeds if cfg is model_config else seeds[:1])]
        if want("speaker_independent"):
            with skip("CNN-LSTM, speaker_independent", name):
                folds = speaker_folds(fs, n_folds=n_folds, seed=seed)
                results[(name, "speaker_independent")] = [
                    run_protocol(fs, folds, model_config, [s], keep_models=(s == seed), desc=f"{name} SI seed {s}")
                    for s in seeds]
    names = list(feature_sets)
    if want("cross_corpus") and len(names) < 2:
        lines.append("Cross-corpus needs two corpora in the run; this run has one.")
    for a in names if want("cross_corpus") and len(names) >= 2 else []:
        for b in (b for b in names if b != a):
            tr, te, emos = cross_corpus_positions(feature_sets[a].manifest, feature_sets[b].manifest)
            if len(emos) < 2:
                continue
            split = Split(f"train {a} -> test {b}", tr, te)
            results[(a, f"cross_corpus_to_{b}")] = [
                run_protocol(feature_sets[a], [split], model_config, [s], test_fs=feature_sets[b],
                             desc=f"{a} -> {b} seed {s}") for s in seeds]
            lines.append(f"{a} -> {b}: shared emotions {emos}")
    lines += [f"{name:10s} {proto:28s} trainings: {sum(len(r.trainings) for r in res)}"
              for (name, proto), res in results.items()]
    return results, lines


def noise_study(feature_sets: dict, results: dict, snr_levels, *, n_folds: int | None = None,
                seed: int = 0) -> dict[str, pd.DataFrame]:
    """Noise robustness (section 7) of every corpus's speaker-independent models (the first seed's, kept by
    :func:`run_protocols`): :func:`serlib.experiments.noise.noise_robustness` on the same folds, per corpus."""
    from serlib.experiments.noise import noise_robustness

    return {name: noise_robustness(fs, results[(name, "speaker_independent")][0],
                                   speaker_folds(fs, n_folds=n_folds, seed=seed), snr_levels=snr_levels, seed=seed)
            for name, fs in feature_sets.items() if (name, "speaker_independent") in results}


def noise_examples(feature_sets: dict, results: dict, snr_levels, *, n_folds: int | None = None, seed: int = 0,
                   shown_levels=(10, 0)) -> list[tuple[str, np.ndarray, int]]:
    """``(label, waveform, sample rate)`` to listen to (section 7): the first test utterance of the first
    speaker-independent fold, clean and with white and babble noise at the ``shown_levels`` that the run tested.

    The noisy audio is what :func:`noise_study` fed that fold's model: the same babble pool of the fold's training
    utterances (:func:`serlib.experiments.noise.babble_pool`) and the same noise seed for that utterance
    (:func:`serlib.experiments.noise.utterance_noise_seed`). Empty when no corpus ran that protocol.
    """
    from serlib.data.audio import load_audio
    from serlib.experiments.noise import babble_pool, noisy_waveform, utterance_noise_seed

    name = next((n for n in feature_sets if (n, "speaker_independent") in results), None)
    if name is None:
        return []
    fs = feature_sets[name]
    split, sr = speaker_folds(fs, n_folds=n_folds, seed=seed)[0], fs.config.sample_rate
    position = int(split.test[0])
    row = fs.manifest.iloc[position]
    speech = load_audio(row["path"], sr, trim_db=fs.config.trim_db)
    talkers = babble_pool(fs, split.train, np.random.default_rng(seed))  # fold 1's pool, as noise_study draws it
    out = [(f"*{corpus_title(name)}*, test speaker {row['speaker']}, **{row['emotion']}**, clean", speech, sr)]
    for kind in ("white", "babble"):
        for snr in [level for level in snr_levels if level in shown_levels]:
            out.append((f"{kind} noise at {snr} dB SNR", noisy_waveform(
                speech, snr, kind, babble_pool=talkers, seed=utterance_noise_seed(seed, position)), sr))
    return out


def save_models(results: dict, board, folder) -> list[str]:
    """Save one model per corpus for notebook 06 (section 9): the paper-architecture CNN-LSTM of the random split
    (``cnn_lstm_<corpus>``) and every model the leaderboard kept (``conv_recurrent_<row>_<corpus>``, its first fold
    and seed). Returns one line per saved model."""
    from pathlib import Path

    folder, lines = Path(folder), []
    for (name, proto), runs in results.items():
        if proto == "random_80_20":
            lines.append(f"saved {next(iter(runs[0].models.values())).save(folder / f'cnn_lstm_{name}')}")
    for (model, name, _), fold_models in (board.models.items() if board is not None else ()):
        (s0, split0), strong = next(iter(fold_models.items()))
        lines.append(f"saved {strong.save(folder / f'conv_recurrent_{model}_{name}')} ({split0}, seed {s0})")
    return lines


def seed_reports(results: dict, corpus: str, seed: int) -> dict[str, tuple[pd.DataFrame, pd.DataFrame]]:
    """``{protocol: (test predictions of seed ``seed``, classification report)}`` for the random and the
    speaker-independent protocol of ``corpus`` (those that ran)."""
    out = {}
    for proto in ("random_80_20", "speaker_independent"):
        if (corpus, proto) in results:
            p = next(r.predictions for r in results[(corpus, proto)] if (r.predictions["seed"] == seed).any())
            out[proto] = (p, classification_report_table(p["y_true"], p["y_pred"]).round(3))
    return out


def training_cost(results: dict, corpus: str) -> tuple[dict, str]:
    """Parameters, seconds per epoch and per training of ``corpus``'s speaker-independent trainings, as metrics
    (``cnn_lstm.<corpus>``) and one sentence."""
    tr = pd.concat([r.trainings for r in results[(corpus, "speaker_independent")]])
    cost = {"n_parameters": int(tr["n_parameters"].iloc[0]), "epoch_seconds": float(tr["epoch_seconds"].mean()),
            "train_seconds_mean": float(tr["seconds"].mean())}
    return cost, (f"{corpus}: {cost['n_parameters']:,} parameters; {cost['epoch_seconds']:.2f} s per epoch on this "
                  f"machine ({tr['n_train'].mean():.0f} training utterances); {cost['train_seconds_mean']:.0f} s "
                  f"per training (mean of {len(tr)})")


def ablation_steps(paper_config, model_config, max_epochs: int, *, quick: bool = False) -> list[tuple]:
    """The cumulative steps from the paper's setting to ours (section 6); quick runs keep the first and last."""
    steps = [
        ("paper setting", paper_config),
        ("+ feature normalisation, dropout and L2", CnnLstmConfig(epochs=paper_config.epochs, spec_augment=False,
                                                                  class_weight=False, early_stopping=False)),
        ("+ early stopping on training speakers", CnnLstmConfig(epochs=max_epochs, spec_augment=False,
                                                                class_weight=False, monitor="val_accuracy")),
        ("+ SpecAugment and class weights", CnnLstmConfig(epochs=max_epochs, monitor="val_accuracy")),
        ("+ utterance mean normalisation (= our setting)", model_config),
    ]
    return steps[:1] + steps[-1:] if quick else steps


def cumulative_ablation(fs, folds, steps, model_config, reference_predictions, *, seed: int = 0,
                        n_boot: int = 1000) -> tuple[pd.DataFrame, dict]:
    """Train each ablation step on the same speaker folds (seed ``seed``); the step whose configuration is
    ``model_config`` reuses ``reference_predictions`` (section 3's run). Returns the table and
    ``{step: {accuracy, uar, macro_f1}}`` (metrics ``cnn_lstm.<corpus>.ablation``)."""
    rows, metrics = [], {}
    for step, cfg in steps:
        pred = (reference_predictions if cfg is model_config
                else run_protocol(fs, folds, cfg, [seed], desc=step).predictions)
        s = summarise_predictions(pred, n_boot=n_boot, seed=seed)
        rows.append({"step": step, "accuracy": s["accuracy"], "uar": s["uar"], "macro_f1": s["macro_f1"],
                     "accuracy 95% CI": "[{:.1f}, {:.1f}] %".format(*(100 * np.array(s["accuracy_ci95"])))})
        metrics[step] = {k: s[k] for k in ("accuracy", "uar", "macro_f1")}
    return pd.DataFrame(rows), metrics


def alternative_steps(feature_config, model_config, max_epochs: int, *, quick: bool = False) -> list[tuple]:
    """Alternatives tried on the paper model (section 6b): (name, FeatureConfig, CnnLstmConfig)."""
    steps = [
        ("log-mel input (64 bands, no deltas)", FeatureConfig(kind="logmel", deltas=0), model_config),
        ("mixup (alpha 0.4), up to 1.5x epochs, patience 15", feature_config,
         dataclasses.replace(model_config, mixup_alpha=0.4, epochs=int(1.5 * max_epochs), patience=15)),
    ]
    return steps[1:2] if quick else steps


def try_alternatives(feature_sets: dict, corpus: str, steps, reference_predictions, *, extract, n_folds=None,
                     seed: int = 0, n_boot: int = 1000) -> tuple[pd.DataFrame, dict, list[str]]:
    """Each alternative on ``corpus``'s speaker folds (seed ``seed``) against our setting's ``reference_predictions``.

    ``extract(FeatureConfig)`` returns the corpus's FeatureSet for an alternative input. Returns the table,
    ``{alternative: {accuracy, uar, macro_f1}}`` (metrics ``cnn_lstm.<corpus>.alternatives``) and lines naming
    files an alternative could not read.
    """
    base = summarise_predictions(reference_predictions, n_boot=n_boot, seed=seed)
    rows = [{"alternative": "our setting (section 3, seed %d)" % seed, "accuracy": base["accuracy"],
             "uar": base["uar"], "macro_f1": base["macro_f1"], "difference in UAR (points)": 0.0}]
    metrics, lines = {}, []
    for step, fc, cfg in steps:
        fs_alt = feature_sets[corpus] if fc == feature_sets[corpus].config else extract(fc)
        res = run_protocol(fs_alt, speaker_folds(fs_alt, n_folds=n_folds, seed=seed), cfg, [seed], desc=step)
        s = summarise_predictions(res.predictions, n_boot=n_boot, seed=seed)
        rows.append({"alternative": step, "accuracy": s["accuracy"], "uar": s["uar"], "macro_f1": s["macro_f1"],
                     "difference in UAR (points)": 100 * (s["uar"] - base["uar"]),
                     "parameters": int(res.trainings["n_parameters"].iloc[0]),
                     "s per training": float(res.trainings["seconds"].mean())})
        if len(fs_alt.skipped):
            lines.append(f"{step}: {len(fs_alt.skipped)} file(s) without features (listed in its FeatureSet.skipped)")
        metrics[step] = {k: s[k] for k in ("accuracy", "uar", "macro_f1")}
    return pd.DataFrame(rows), metrics, lines


def summary_markdown(cnn_lstm_metrics: dict, *, quick: bool = False) -> str:
    """Notebook 04's closing bullets, read from its ``cnn_lstm`` metrics, against the targets of
    :mod:`serlib.targets`."""
    lines = []
    for name, per in cnn_lstm_metrics.items():
        for proto in ("random_80_20", "speaker_independent"):
            if proto in per:
                m = per[proto]
                lines.append(f"- **{corpus_title(name)}, {proto}**: accuracy {100 * m['accuracy']:.1f} % "
                             f"(± {100 * m['accuracy_std']:.1f}, 95 % CI {100 * m['accuracy_ci95'][0]:.1f}–"
                             f"{100 * m['accuracy_ci95'][1]:.1f}), UAR {100 * m['uar']:.1f} %, macro-F1 "
                             f"{100 * m['macro_f1']:.1f} % (measured here, {m['n_seeds']} seed(s)).")
    for name, per in cnn_lstm_metrics.items():
        if "speaker_independent_seed_ensemble" in per:
            m = per["speaker_independent_seed_ensemble"]
            lines.append(f"- **{corpus_title(name)}, speaker-independent, ensemble of {m['ensemble_of_seeds']} "
                         f"seeds**: accuracy {100 * m['accuracy']:.1f} % (95 % CI {100 * m['accuracy_ci95'][0]:.1f}–"
                         f"{100 * m['accuracy_ci95'][1]:.1f}), UAR {100 * m['uar']:.1f} %.")
    per = cnn_lstm_metrics.get("ravdess", {})
    if "speaker_independent" in per:
        wa = per["speaker_independent"]["accuracy"]
        best = max([("our setting", wa)] + [(k, v["accuracy"]) for k, v in per.get("alternatives", {}).items()]
                   + [("seed ensemble", per.get("speaker_independent_seed_ensemble", {}).get("accuracy", 0.0))],
                   key=lambda kv: kv[1])
        lines.append(f"- Target RAVDESS 8-class speaker-independent WA >= {100 * targets.CNN_LSTM_RAVDESS_SI_WA:.0f} %: "
                     f"**{'reached' if wa >= targets.CNN_LSTM_RAVDESS_SI_WA else 'not reached'}** "
                     f"({100 * wa:.1f} %; the best variant measured in this notebook, {best[0]}, reached "
                     f"{100 * best[1]:.1f} %; the classical baselines of notebook 05 are the comparison to make).")
    per = cnn_lstm_metrics.get("tess", {})
    if "random_80_20" in per:
        wa = per["random_80_20"]["accuracy"]
        lines.append(f"- Target TESS under the paper's protocol >= {100 * targets.CNN_LSTM_TESS_RANDOM_WA:.1f} %: "
                     f"**{'reached' if wa >= targets.CNN_LSTM_TESS_RANDOM_WA else 'not reached'}** "
                     f"({100 * wa:.1f} %).")
    if quick:
        lines.append("- This is a **quick** run (subsets, few epochs, one seed): its numbers are not meaningful.")
    return "\n".join(lines)

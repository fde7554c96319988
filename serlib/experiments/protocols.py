"""Train-and-evaluate loops for the CNN-LSTM under the three protocols, and test-time noise robustness.

Serves notebook 04_cnn_lstm (and notebook 03 for its augmentation comparison).

Every function keeps the rule "no test data in training" by construction: a model is fitted on the
``train`` positions of a :class:`serlib.evaluation.splits.Split` only; early stopping uses validation *speakers*
drawn from those training positions (:func:`serlib.evaluation.splits.validation_speakers_split`); normalisation
statistics are computed inside :meth:`CnnLstmClassifier.fit` from the frames it is given.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serlib.evaluation.metrics import bootstrap_cis, classification_metrics
from serlib.evaluation.splits import MIN_CLUSTERS, Split, validation_speakers_split
from serlib.experiments.executor import ExecutorConfig, map_tasks
from serlib.experiments.result_cache import cached_map, feature_set_digest
from serlib.features.extract import FeatureSet
from serlib.models.cnn_lstm import CnnLstmClassifier, CnnLstmConfig


@dataclass
class ProtocolResult:
    """Predictions of every (seed, split) of one protocol, plus per-training facts.

    Attributes:
        predictions: one row per test utterance per seed: ``seed, split, position, speaker, y_true, y_pred``
            and ``proba``, the model's class probabilities (columns in the order of ``labels``).
        trainings: one row per trained model: ``seed, split, epochs_run, best_epoch, seconds, epoch_seconds,
            n_parameters, n_train, n_validation, n_test, from_cache`` (``seconds`` of a cached training are those
            of the run that trained it).
        models: ``{(seed, split_name): CnnLstmClassifier}`` (kept only when asked).
        labels: the label set of the evaluation.
    """

    predictions: pd.DataFrame
    trainings: pd.DataFrame
    models: dict = field(default_factory=dict)
    labels: list = field(default_factory=list)


def classifier_class(config):
    """The estimator class a model configuration describes: the paper-architecture OSW CNN-LSTM
    (:class:`serlib.models.cnn_lstm.CnnLstmConfig`) or the whole-utterance CNN-BiLSTM family
    (:class:`serlib.models.conv_recurrent.ConvRecurrentConfig`)."""
    from serlib.models.conv_recurrent import ConvRecurrentClassifier, ConvRecurrentConfig

    if isinstance(config, CnnLstmConfig):
        return CnnLstmClassifier
    if isinstance(config, ConvRecurrentConfig):
        return ConvRecurrentClassifier
    raise TypeError(f"unknown model configuration {type(config).__name__}; use CnnLstmConfig or ConvRecurrentConfig")


def make_classifier(feature_config, config, seed: int = 0):
    """An unfitted estimator of :func:`classifier_class` for ``config``."""
    return classifier_class(config)(feature_config, config, seed=seed)


def fit_on_split(fs: FeatureSet, split: Split, config, seed: int):
    """Fit a model on ``split.train``; validation speakers drawn from it choose the checkpoint (early stopping)."""
    y = fs.manifest["emotion"].astype(str).to_numpy()
    fit, val = validation_speakers_split(fs.manifest, split.train, seed=seed)
    clf = make_classifier(fs.config, config, seed=seed)
    t0 = time.perf_counter()
    clf.fit([fs.frames[i] for i in fit], y[fit],
            validation=([fs.frames[i] for i in val], y[val]) if getattr(config, "early_stopping", True) else None)
    info = {"epochs_run": clf.history_["epochs_run"], "best_epoch": clf.history_.get("best_epoch", np.nan),
            "seconds": time.perf_counter() - t0, "epoch_seconds": clf.epoch_seconds_,
            "n_parameters": clf.n_parameters, "n_train": len(fit), "n_validation": len(val)}
    return clf, info


def train_split(seed: int, split: Split, *, fs: FeatureSet, config, labels: list, test_fs: FeatureSet | None = None,
                keep_model: bool = False):
    """One training of :func:`run_protocol`: fit on ``split.train`` and predict ``split.test``.

    A top-level function, so that :mod:`serlib.experiments.executor` workers can run it.

    Args:
        seed: the training's seed.
        split: train and test positions.
        fs: features of the training corpus.
        config: model settings.
        labels: the class order of the returned probabilities.
        test_fs: features ``split.test`` indexes (``None``: ``fs``).
        keep_model: also return the fitted model.

    Returns:
        ``({"proba": (n_test, n_labels) array}, info, model or None)``.
    """
    test_fs = fs if test_fs is None else test_fs
    clf, info = fit_on_split(fs, split, config, seed)
    proba = np.zeros((len(split.test), len(labels)), np.float32)  # in the order of ``labels``
    proba[:, [labels.index(l) for l in clf.labels_]] = clf.predict_proba([test_fs.frames[i] for i in split.test])
    return {"proba": proba}, info, clf if keep_model else None


def run_protocol(fs: FeatureSet, splits: list[Split], config: CnnLstmConfig, seeds, *,
                 test_fs: FeatureSet | None = None, keep_models: bool = False, progress: bool = True,
                 desc: str = "train", executor: ExecutorConfig | None = None) -> ProtocolResult:
    """Train one model per (seed, split) and predict its test positions.

    Trainings found in the result cache (:mod:`serlib.result_cache`, when it is on) are read back here; the
    others run as tasks of :func:`train_split` on the executor (:mod:`serlib.experiments.executor`) and are stored as each
    finishes. The result is in (seed, split) order whichever executor ran them.

    Args:
        fs: features of the training corpus (``split.train`` indexes it).
        splits: the protocol's splits.
        config: CNN-LSTM settings.
        seeds: iterable of seeds.
        test_fs: features indexed by ``split.test`` when the test data is another corpus (cross-corpus);
            default ``fs``.
        keep_models: keep fitted models in the result (for noise robustness or saving); their trainings run
            in this process, and the result cache (:mod:`serlib.experiments.result_cache`, when it is on) stores
            and reads back the models too.
        progress: tqdm bar over trainings.
        desc: bar label.
        executor: where the trainings run; default :meth:`serlib.experiments.executor.ExecutorConfig.from_env`
            (``"local"``: in this process, one after the other).
    """
    from serlib.reporting.progress import tqdm

    test_fs = fs if test_fs is None else test_fs
    y_test_all = test_fs.manifest["emotion"].astype(str).to_numpy()
    spk_test_all = test_fs.manifest["speaker"].astype(str).to_numpy()
    if "corpus" in test_fs.manifest.columns:
        spk_test_all = (test_fs.manifest["corpus"].astype(str) + ":" + spk_test_all).to_numpy()
    labels = sorted(set(fs.manifest["emotion"].astype(str)))
    jobs = [(s, sp) for s in seeds for sp in splits]
    models = {}
    if keep_models:
        executor = ExecutorConfig()  # the models are needed in this process
    shared = dict(fs=fs, test_fs=None if test_fs is fs else test_fs, config=config, labels=labels,
                  keep_model=keep_models)

    def key_parts(seed, split):
        return lambda: dict(
            kind="run_protocol", train_data=feature_set_digest(fs),
            test_data="same" if test_fs is fs else feature_set_digest(test_fs),
            split=[split.name, np.asarray(split.train), np.asarray(split.test)], config=config,
            feature_config=fs.config, seed=seed, labels=labels)

    with tqdm(total=len(jobs), desc=desc, disable=not progress) as bar:
        def train(missing, store):
            bar.update(len(jobs) - len(missing))  # read from the cache

            def finished(k, result):  # the k-th missing training, as it finishes
                arrays, info, clf = result
                store(missing[k], arrays, info, *([clf] if keep_models else []))
                bar.update(1)

            map_tasks(train_split, [jobs[i] for i in missing], shared=shared, config=executor, on_result=finished)

        outcomes = cached_map(train, [key_parts(*job) for job in jobs],
                              load_model=classifier_class(config).load if keep_models else None)
    preds, trains = [], []
    for (seed, split), (arrays, info, from_cache, *model) in zip(jobs, outcomes):
        if keep_models:
            models[(seed, split.name)] = model[0]
        proba, info = arrays["proba"], {**info, "from_cache": from_cache}
        preds.append(pd.DataFrame({"seed": seed, "split": split.name, "position": split.test,
                                   "speaker": spk_test_all[split.test], "y_true": y_test_all[split.test],
                                   "y_pred": np.asarray(labels)[proba.argmax(axis=1)], "proba": list(proba)}))
        trains.append({"seed": seed, "split": split.name, **info, "n_test": len(split.test)})
    return ProtocolResult(pd.concat(preds, ignore_index=True), pd.DataFrame(trains), models, labels)


def seed_ensemble(predictions: pd.DataFrame, labels) -> pd.DataFrame:
    """Predictions of the ensemble of every seed's model: class probabilities averaged per test utterance.

    Serves notebook 04 (the "3-seed ensemble" row). Each utterance must have been tested by the same
    seeds; the result has one row per utterance and ``seed = "ensemble"``.

    Args:
        predictions: :attr:`ProtocolResult.predictions` of several seeds (with a ``proba`` column).
        labels: the class order of ``proba`` (:attr:`ProtocolResult.labels`).
    """
    if "proba" not in predictions.columns:
        raise ValueError("predictions have no 'proba' column; they must come from run_protocol")
    counts = predictions.groupby("position")["seed"].nunique()
    if counts.nunique() != 1:
        raise ValueError("every test utterance must be predicted by the same number of seeds to ensemble them")
    rows = []
    for pos, g in predictions.groupby("position", sort=True):
        mean = np.mean(np.stack(g["proba"].to_list()), axis=0)
        first = g.iloc[0]
        rows.append({"seed": "ensemble", "split": first["split"], "position": pos, "speaker": first["speaker"],
                     "y_true": first["y_true"], "y_pred": str(np.asarray(labels)[int(mean.argmax())]),
                     "proba": mean})
    return pd.DataFrame(rows)


def summarise_predictions(predictions: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0,
                          cluster: bool = True) -> dict:
    """Metrics of a protocol: mean and std over seeds, and 95 % bootstrap CIs.

    Per seed, the predictions of all splits are pooled (every utterance is tested once per seed) and WA, UAR
    and macro-F1 computed. CIs resample test *speakers* (``cluster=True``, honest for speaker-independent
    tests where a speaker's utterances are correlated; needs at least ``MIN_CLUSTERS`` test speakers) or
    utterances, over all seeds' predictions; ``ci_method`` records which.
    """
    per_seed = []
    for _, p in predictions.groupby("seed"):
        per_seed.append(classification_metrics(p["y_true"], p["y_pred"]))
    out = {}
    for key in per_seed[0]:
        vals = np.array([m[key] for m in per_seed])
        out[key] = float(vals.mean())
        out[key + "_std"] = float(vals.std(ddof=1)) if len(vals) > 1 else 0.0
    n_speakers = predictions["speaker"].nunique()
    use_clusters = cluster and n_speakers >= MIN_CLUSTERS
    groups = predictions["speaker"].to_numpy() if use_clusters else None
    cis = bootstrap_cis(predictions["y_true"].to_numpy(), predictions["y_pred"].to_numpy(), n_boot=n_boot,
                        seed=seed, groups=groups)
    for key in ("accuracy", "uar", "macro_f1"):
        out[key + "_ci95"] = list(cis[key])
    out["ci_method"] = (f"bootstrap over test speakers ({n_speakers})" if use_clusters else
                        "bootstrap over test utterances" + (f" (only {n_speakers} test speakers: too few to resample)"
                                                            if cluster else ""))
    out["n_seeds"] = int(predictions["seed"].nunique())
    out["n_test_utterances"] = int(len(predictions) / max(out["n_seeds"], 1))
    return out

"""Leaderboard entries: the test predictions of one model under one protocol, for every seed.

Serves notebook 04_cnn_lstm. Entries keep class probabilities, so they can be ensembled over seeds
(:func:`seed_ensemble_entry`) or fused across models (:func:`late_fusion_entry`)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serlib.evaluation.splits import Split, cross_corpus_positions
from serlib.experiments.baselines import protocol_splits
from serlib.experiments.protocols import run_protocol
from serlib.features.extract import FeatureSet
from serlib.features.speaker_norm import SPKNORM_SUFFIX, speaker_normalize_frames, speaker_normalize_matrix
from serlib.messages import InsufficientDataError


@dataclass
class Entry:
    """Test predictions of one model under one protocol, every seed.

    Attributes:
        model: leaderboard name (``_spknorm`` suffix when features were normalised per speaker).
        corpus: training corpus.
        protocol: ``speaker_independent``, ``random_80_20`` or ``cross_corpus_to_<corpus>``.
        labels: class order of ``proba``.
        predictions: one row per (seed, test utterance): ``seed, split, path, speaker, y_true, y_pred, proba``.
        n_parameters: trainable size (``nan`` for models without parameters in this sense).
        train_seconds_per_fold: mean wall time of one training (one fold x one seed).
        trainings: per-training facts, when the model is trained here.
    """

    model: str
    corpus: str
    protocol: str
    labels: list
    predictions: pd.DataFrame
    n_parameters: float = float("nan")
    train_seconds_per_fold: float = float("nan")
    trainings: pd.DataFrame = field(default_factory=pd.DataFrame)

    @property
    def seeds(self) -> list:
        return sorted(self.predictions["seed"].unique(), key=str)


# ----------------------------------------------------------------------------------------- protocols
def speaker_normalized(fs: FeatureSet) -> FeatureSet:
    """The same feature set with every speaker's frames z-normalised by that speaker's own statistics.

    Uses speaker ids (``corpus:speaker`` when a corpus column exists) and no emotion label.
    """
    spk = fs.manifest["speaker"].astype(str)
    if "corpus" in fs.manifest.columns:
        spk = fs.manifest["corpus"].astype(str) + ":" + spk
    out = dataclasses.replace(fs, frames=speaker_normalize_frames(fs.frames, spk.to_numpy()))
    out.extra = {**fs.extra, "speaker_normalized": True}
    return out


def _with_paths(pred: pd.DataFrame, manifest: pd.DataFrame, position_col: str) -> pd.DataFrame:
    out = pred.copy()
    out["path"] = manifest["path"].astype(str).to_numpy()[out[position_col].to_numpy()]
    return out


def deep_entry(model: str, feature_sets: dict[str, FeatureSet], corpus: str, protocol: str, config, seeds, *,
               n_folds: int | None = None, progress: bool = True, keep_models: bool = False) -> tuple[Entry, dict]:
    """Train and test a deep model (any config :func:`serlib.experiments.protocols.make_classifier` knows).

    Args:
        model: leaderboard name; a name ending in ``_spknorm`` normalises every corpus per speaker first.
        feature_sets: ``{corpus: FeatureSet}`` (the features the config expects).
        corpus: training corpus.
        protocol: ``speaker_independent``, ``random_80_20`` (re-drawn per seed) or ``cross_corpus_to_<b>``.
        config: a :class:`serlib.models.cnn_lstm.CnnLstmConfig` or :class:`serlib.models.conv_recurrent.ConvRecurrentConfig`.
        seeds: seeds to run.
        n_folds: speaker-independent folds (``None``: the protocol default; RAVDESS = EmoBox folds).
        keep_models: return the fitted models as the second value (``{(seed, split): model}``).

    Returns:
        ``(entry, models)``.
    """
    spknorm = model.endswith(SPKNORM_SUFFIX)
    fs = feature_sets[corpus]
    fs = speaker_normalized(fs) if spknorm else fs
    results = []
    if protocol.startswith("cross_corpus_to_"):
        other = protocol.removeprefix("cross_corpus_to_")
        if other not in feature_sets:
            raise ValueError(f"{protocol}: corpus {other!r} has no features in this run")
        test_fs = speaker_normalized(feature_sets[other]) if spknorm else feature_sets[other]
        tr, te, emos = cross_corpus_positions(fs.manifest, test_fs.manifest)
        if len(emos) < 2:
            raise InsufficientDataError(f"{corpus} and {other} share fewer than 2 emotions")
        split = Split(f"train {corpus} -> test {other}", tr, te)
        results.append(run_protocol(fs, [split], config, list(seeds), test_fs=test_fs, keep_models=keep_models,
                                    progress=progress, desc=f"{model} {corpus}->{other}"))  # all seeds in one call: run side by side
        manifest = test_fs.manifest
    else:
        for s in seeds:
            splits = protocol_splits(fs.manifest, protocol, seed=s, n_folds=n_folds)
            results.append(run_protocol(fs, splits, config, [s], keep_models=keep_models, progress=progress,
                                        desc=f"{model} {corpus} {protocol} seed {s}"))
        manifest = fs.manifest
    pred = _with_paths(pd.concat([r.predictions for r in results], ignore_index=True), manifest, "position")
    trainings = pd.concat([r.trainings for r in results], ignore_index=True)
    models = {k: v for r in results for k, v in r.models.items()}
    entry = Entry(model, corpus, protocol, list(results[0].labels), pred.drop(columns="position"),
                  float(trainings["n_parameters"].iloc[0]), float(trainings["seconds"].mean()), trainings)
    return entry, models


def entry_from_results(model: str, corpus: str, protocol: str, results, manifest: pd.DataFrame) -> Entry:
    """An entry from :class:`serlib.experiments.protocols.ProtocolResult` objects trained elsewhere (notebook 04's
    paper-architecture protocol runs), ``manifest`` being the test-side manifest."""
    pred = _with_paths(pd.concat([r.predictions for r in results], ignore_index=True), manifest, "position")
    trainings = pd.concat([r.trainings for r in results], ignore_index=True)
    return Entry(model, corpus, protocol, list(results[0].labels), pred.drop(columns="position"),
                 float(trainings["n_parameters"].iloc[0]), float(trainings["seconds"].mean()), trainings)


def classical_entry(model: str, functional_sets: dict, corpus: str, protocol: str, seeds, *, config=None,
                    n_folds: int | None = None, progress: bool = True) -> Entry:
    """A classical baseline of :mod:`serlib.experiments.baselines` on the leaderboard's folds, with class probabilities.

    Args:
        model: ``svm_egemaps``, ``svm_mfcc``, ``random_forest`` or ``decision_tree``, optionally with the
            ``_spknorm`` suffix (features z-normalised per speaker before the usual training-set scaler).
        functional_sets: ``{corpus: (X, manifest)}``: utterance features and their manifest rows.
        config: :class:`serlib.models.classical.BaselineConfig` (``None``: defaults).
    """
    import time

    from serlib.models.classical import make_baseline
    from serlib.reporting.progress import tqdm

    spknorm = model.endswith(SPKNORM_SUFFIX)
    base = model.removesuffix(SPKNORM_SUFFIX)

    def prepared(name):
        X, man = functional_sets[name]
        X = np.asarray(X, np.float64)
        if spknorm:
            X = speaker_normalize_matrix(X, man["speaker"].astype(str).to_numpy())
        return X, man

    X, man = prepared(corpus)
    y = man["emotion"].astype(str).to_numpy()
    spk = man["speaker"].astype(str).to_numpy()
    if protocol.startswith("cross_corpus_to_"):
        other = protocol.removeprefix("cross_corpus_to_")
        X_te_all, man_te = prepared(other)
        tr, te, _ = cross_corpus_positions(man, man_te)
        jobs = [(s, Split(f"train {corpus} -> test {other}", tr, te)) for s in seeds]
    else:
        X_te_all, man_te = X, man
        jobs = [(s, sp) for s in seeds for sp in protocol_splits(man, protocol, seed=s, n_folds=n_folds)]
    y_te_all = man_te["emotion"].astype(str).to_numpy()
    spk_te_all = man_te["speaker"].astype(str).to_numpy()
    labels = sorted(set(y))
    preds, seconds = [], []
    for s, sp in tqdm(jobs, desc=f"{model} {corpus} {protocol}", disable=not progress, mininterval=2.0):
        t0 = time.perf_counter()
        clf = make_baseline(base, config, s).fit(X[sp.train], y[sp.train],
                                                  groups=spk[sp.train] if protocol != "random_80_20" else None)
        seconds.append(time.perf_counter() - t0)
        proba = np.zeros((len(sp.test), len(labels)), np.float32)
        proba[:, [labels.index(c) for c in clf.classes_]] = clf.predict_proba(X_te_all[sp.test])
        y_pred = clf.predict(X_te_all[sp.test])
        preds.append(pd.DataFrame({"seed": s, "split": sp.name, "position": sp.test,
                                   "speaker": spk_te_all[sp.test], "y_true": y_te_all[sp.test],
                                   "y_pred": y_pred, "proba": list(proba)}))
    pred = _with_paths(pd.concat(preds, ignore_index=True), man_te, "position").drop(columns="position")
    return Entry(model, corpus, protocol, labels, pred, float("nan"), float(np.mean(seconds)))


# --------------------------------------------------------------------------------------- ensembles
def _proba_matrix(pred: pd.DataFrame) -> np.ndarray:
    return np.stack(pred["proba"].to_list()).astype(np.float64)


def shares_test_set_across_seeds(entry: Entry) -> bool:
    """True when every seed predicted the same test utterances (speaker-independent folds, cross-corpus); false
    for ``random_80_20``, whose split is re-drawn per seed, so there is no common test set to ensemble on."""
    counts = entry.predictions.groupby("path")["seed"].nunique()
    return bool(len(counts)) and counts.nunique() == 1 and int(counts.iloc[0]) == len(entry.seeds)


def seed_ensemble_entry(entry: Entry, name: str | None = None) -> Entry:
    """Average the class probabilities of every seed's model per test utterance (``seed = "ensemble"``)."""
    p = entry.predictions
    counts = p.groupby("path")["seed"].nunique()
    if not shares_test_set_across_seeds(entry):
        raise ValueError(f"{entry.model}: every test utterance must be predicted by the same seeds to ensemble")
    rows = []
    for path, g in p.groupby("path", sort=True):
        mean = _proba_matrix(g).mean(axis=0)
        first = g.iloc[0]
        rows.append({"seed": "ensemble", "split": first["split"], "path": path, "speaker": first["speaker"],
                     "y_true": first["y_true"], "y_pred": str(np.asarray(entry.labels)[int(mean.argmax())]),
                     "proba": mean})
    return Entry(name or f"{entry.model}_seed_ensemble", entry.corpus, entry.protocol, entry.labels,
                 pd.DataFrame(rows), entry.n_parameters * int(counts.iloc[0]),
                 entry.train_seconds_per_fold * int(counts.iloc[0]))


def late_fusion_entry(a: Entry, b: Entry, *, weight: float = 0.5, name: str | None = None) -> Entry:
    """Late fusion: ``weight * p_a + (1 - weight) * p_b`` per (seed, test utterance), same protocol.

    The weight is fixed in advance (default: equal), so no test data chooses it. Utterances only one side
    could predict (a file skipped by one feature extractor) are left out, and their number is recorded in
    ``predictions.attrs["dropped"]``.
    """
    if (a.corpus, a.protocol) != (b.corpus, b.protocol):
        raise ValueError(f"fusion needs the same corpus and protocol, got {a.corpus}/{a.protocol} and "
                         f"{b.corpus}/{b.protocol}")
    if list(a.labels) != list(b.labels):
        raise ValueError(f"fusion needs the same label set, got {a.labels} and {b.labels}")
    if not 0 <= weight <= 1:
        raise ValueError(f"weight must be in [0, 1], got {weight}")
    pa, pb = a.predictions.copy(), b.predictions.copy()
    pa["key"] = pa["seed"].astype(str) + "|" + pa["path"]
    pb["key"] = pb["seed"].astype(str) + "|" + pb["path"]
    merged = pa.merge(pb[["key", "proba"]], on="key", suffixes=("", "_b"))
    proba = weight * _proba_matrix(merged) + (1 - weight) * np.stack(merged["proba_b"].to_list())
    merged["proba"] = list(proba)
    merged["y_pred"] = np.asarray(a.labels)[proba.argmax(axis=1)]
    out = merged.drop(columns=["key", "proba_b"])
    out.attrs["dropped"] = int(len(pa) + len(pb) - 2 * len(merged))
    return Entry(name or f"fusion({a.model}+{b.model})", a.corpus, a.protocol, list(a.labels), out,
                 a.n_parameters, a.train_seconds_per_fold + b.train_seconds_per_fold)

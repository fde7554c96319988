"""Classical baselines: decision tree, random forest and RBF-SVMs on utterance-level features.

Serves notebook 05_baselines (and, through ``metrics.json``, notebook 07_claims_audit).

The paper's only result tables are training-set reports of a decision tree and a random forest on a 16-class
emotion x gender task (its Figures 3-6). This module rebuilds those baselines and adds the classical baseline
practitioners actually use, an RBF-SVM on eGeMAPS functionals (Eyben et al. 2016, openSMILE) and on MFCC
statistics, under the same protocols and metrics as the CNN-LSTM.

Design (every choice is a parameter of :class:`BaselineConfig`):

- Features: ``mfcc_stats`` = mean and standard deviation of every MFCC / delta / delta-delta frame feature
  (:meth:`serlib.features.extract.FeatureSet.statistics`, 240 values); ``egemaps`` = the 88 eGeMAPSv02 functionals,
  computed by openSMILE on the same 16 kHz audio with the same leading/trailing silence trim as the MFCCs
  (30 dB below the peak), so both feature sets describe the same stretch of speech.
- Every model is a scikit-learn ``Pipeline(StandardScaler, estimator)`` fitted on training rows only, so
  normalisation statistics never see test data.
- Hyper-parameters (decision-tree depth; SVM ``C`` and ``gamma``) are chosen by an inner cross-validation on
  the *training* rows only, scored by balanced accuracy (UAR). Under the speaker-independent protocol the
  inner folds are grouped by training speaker (``GroupKFold``); with fewer than two training speakers, and
  under the random split, they are ordinary stratified folds. The random forest is not tuned (300 fully grown
  trees, the usual default), which is what makes its training accuracy about 1 by construction.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serlib.evaluation.metrics import bootstrap_cis, classification_metrics, summarise_runs
from serlib.evaluation.splits import (
    MIN_CLUSTERS,
    WITHIN_CORPUS_PROTOCOLS,
    Split,
    random_80_20_split,
    speaker_independent_folds,
)
from serlib.models.classical import BaselineConfig, make_baseline


def emotion_gender_labels(manifest: pd.DataFrame) -> pd.Series:
    """The paper's 16-class labels (Figures 3-6): ``<emotion>_<gender>``, e.g. ``angry_female``."""
    missing = [c for c in ("emotion", "gender") if c not in manifest.columns]
    if missing:
        raise ValueError(f"manifest lacks column(s) {missing} needed for emotion x gender labels")
    return manifest["emotion"].astype(str) + "_" + manifest["gender"].astype(str)


# ------------------------------------------------------------------------------------------ protocols
def protocol_splits(manifest: pd.DataFrame, protocol: str, seed: int = 0, n_folds: int | None = None) -> list[Split]:
    """Splits of one within-corpus protocol: one random 80/20 split (drawn with ``seed``), or the
    speaker-independent folds (``n_folds``: protocol default; RAVDESS gets the EmoBox folds)."""
    if protocol == "random_80_20":
        return [random_80_20_split(manifest, seed=seed)]
    if protocol == "speaker_independent":
        return speaker_independent_folds(manifest, n_folds=n_folds, seed=seed)
    raise ValueError(f"unknown within-corpus protocol {protocol!r}; use one of {WITHIN_CORPUS_PROTOCOLS}")


@dataclass
class BaselineRun:
    """Predictions of one baseline under one protocol, for every seed and split.

    Attributes:
        model, corpus, protocol: what was run (``protocol`` may be ``cross_corpus_to_<corpus>``).
        labels: the class labels (sorted).
        predictions: one row per (seed, split, part, utterance) with columns ``seed, split, part`` (``train`` or
            ``test``), ``row`` (position in the test-side manifest for ``test``, training-side for ``train``),
            ``speaker, y_true, y_pred``.
        fits: one row per fitted model: ``seed, split, best_params, inner_cv, inner_cv_uar, fit_seconds``.
    """

    model: str
    corpus: str
    protocol: str
    labels: list
    predictions: pd.DataFrame
    fits: pd.DataFrame = field(default_factory=pd.DataFrame)

    def part(self, part: str = "test", seed: int | None = None) -> pd.DataFrame:
        p = self.predictions[self.predictions["part"] == part]
        return p if seed is None else p[p["seed"] == seed]

    def metrics(self, *, n_boot: int = 1000, seed: int = 0, ci_level: float = 0.95) -> dict:
        """Test metrics (mean and std over seeds, folds pooled within a seed), bootstrap CIs, training accuracy.

        Returns ``{accuracy, uar, macro_f1, *_std, *_ci95: [lo, hi], train_accuracy, train_accuracy_std,
        n_seeds, n_test, ci_method}`` (key names as in notebook 04's CNN-LSTM metrics). The CI is a percentile bootstrap over the test predictions of all seeds
        pooled: whole speakers are resampled when the test side has at least :data:`MIN_CLUSTERS` speakers
        (speaker-independent, cross-corpus), otherwise utterances (with repeated draws of one utterance across
        seeds kept together).
        """
        test, train = self.part("test"), self.part("train")
        if test.empty:
            raise ValueError(f"{self.model}/{self.protocol}: no test predictions")
        seeds = sorted(test["seed"].unique())
        per_seed = [classification_metrics(g["y_true"], g["y_pred"], self.labels) for _, g in test.groupby("seed")]
        out = summarise_runs(per_seed)
        if not train.empty:
            tr = [float(np.mean(g["y_true"].to_numpy() == g["y_pred"].to_numpy())) for _, g in train.groupby("seed")]
            out["train_accuracy"] = float(np.mean(tr))
            out["train_accuracy_std"] = float(np.std(tr, ddof=1)) if len(tr) > 1 else 0.0
        n_spk = test["speaker"].nunique()
        if self.protocol != "random_80_20" and n_spk >= MIN_CLUSTERS:
            groups, method = test["speaker"].astype(str).to_numpy(), f"cluster bootstrap over {n_spk} speakers"
        elif len(seeds) > 1:
            groups, method = test["row"].to_numpy(), "bootstrap over utterances"
        else:
            groups, method = None, "bootstrap over utterances"
        if self.protocol != "random_80_20" and n_spk < MIN_CLUSTERS:
            method += f" (only {n_spk} test speakers: too few to resample speakers, CI too narrow)"
        cis = bootstrap_cis(test["y_true"].to_numpy(), test["y_pred"].to_numpy(), self.labels, n_boot=n_boot,
                            seed=seed, level=ci_level, groups=groups)
        out.update({m + "_ci95": list(ci) for m, ci in cis.items()})
        out.update(n_seeds=len(seeds), n_test=int(len(test) // max(len(seeds), 1)), ci_method=method)
        return out


def _fit_predict(model, config, seed, X_tr, y_tr, X_te, groups):
    t0 = time.perf_counter()
    clf = make_baseline(model, config, seed).fit(X_tr, y_tr, groups=groups)
    fit_s = time.perf_counter() - t0
    return clf, clf.predict(X_te), clf.predict(X_tr), fit_s


def evaluate_baseline(model: str, X, manifest: pd.DataFrame, protocol: str, *, seeds=(0,),
                      config: BaselineConfig | None = None, label_col: str = "emotion", corpus: str = "",
                      progress: bool = True) -> BaselineRun:
    """Train and test a baseline under a within-corpus protocol, for every seed and split.

    Serves notebook 05_baselines. The random 80/20 split is re-drawn per seed; the speaker-independent folds
    are re-dealt per seed. Hyper-parameters are chosen on each split's training rows only (grouped by training
    speaker under the speaker-independent protocol).

    Args:
        model: one of :data:`MODELS`.
        X: ``(n, d)`` utterance features aligned with ``manifest``.
        manifest: rows with ``speaker`` and ``label_col`` (and ``gender`` for the fold balance).
        protocol: ``random_80_20`` or ``speaker_independent``.
        seeds: seeds to run.
        label_col: the target column (``emotion``, or a 16-class ``emotion_gender`` column).
    """
    from serlib.reporting.progress import tqdm

    X = np.asarray(X)
    if X.ndim != 2 or X.shape[0] != len(manifest):
        raise ValueError(f"X must have one row per manifest row: X {X.shape}, manifest {len(manifest)} rows")
    if label_col not in manifest.columns:
        raise ValueError(f"manifest has no label column {label_col!r}")
    target = manifest.assign(emotion=manifest[label_col].astype(str))  # splits stratify on "emotion"
    y = target["emotion"].to_numpy()
    speakers = target["speaker"].astype(str).to_numpy()
    jobs = [(s, sp) for s in seeds for sp in protocol_splits(target, protocol, seed=s)]
    preds, fits = [], []
    for s, sp in tqdm(jobs, desc=f"{model} {corpus} {protocol}".replace("  ", " "), disable=not progress,
                      mininterval=2.0):
        groups = speakers[sp.train] if protocol == "speaker_independent" else None
        clf, p_te, p_tr, fit_s = _fit_predict(model, config, s, X[sp.train], y[sp.train], X[sp.test], groups)
        for part, pos, pred in (("test", sp.test, p_te), ("train", sp.train, p_tr)):
            preds.append(pd.DataFrame({"seed": s, "split": sp.name, "part": part, "row": pos,
                                       "speaker": speakers[pos], "y_true": y[pos], "y_pred": pred}))
        fits.append({"seed": s, "split": sp.name, "best_params": json.dumps(clf.best_params_, default=str),
                     "inner_cv": clf.inner_cv_, "inner_cv_uar": clf.inner_cv_score_, "fit_seconds": fit_s})
    return BaselineRun(model, corpus, protocol, sorted(set(y)), pd.concat(preds, ignore_index=True),
                       pd.DataFrame(fits))


def evaluate_cross_corpus(model: str, X_train, train_manifest: pd.DataFrame, X_test, test_manifest: pd.DataFrame,
                          *, seeds=(0,), config: BaselineConfig | None = None, train_corpus: str = "",
                          test_corpus: str = "", progress: bool = True) -> BaselineRun:
    """Train on all of one corpus, test on all of another, on the emotions both have.

    Serves notebook 05_baselines. Scaler and hyper-parameters come from the training corpus only (inner CV
    grouped by its speakers). The run's ``protocol`` is ``cross_corpus_to_<test_corpus>``.
    """
    from serlib.evaluation.splits import cross_corpus_positions
    from serlib.reporting.progress import tqdm

    tr, te, labels = cross_corpus_positions(train_manifest, test_manifest)
    X_tr, X_te = np.asarray(X_train)[tr], np.asarray(X_test)[te]
    y_tr = train_manifest["emotion"].astype(str).to_numpy()[tr]
    y_te = test_manifest["emotion"].astype(str).to_numpy()[te]
    spk_tr = train_manifest["speaker"].astype(str).to_numpy()[tr]
    spk_te = test_manifest["speaker"].astype(str).to_numpy()[te]
    protocol = f"cross_corpus_to_{test_corpus}"
    preds, fits = [], []
    for s in tqdm(list(seeds), desc=f"{model} {train_corpus}->{test_corpus}", disable=not progress,
                  mininterval=2.0):
        clf, p_te, p_tr, fit_s = _fit_predict(model, config, s, X_tr, y_tr, X_te, spk_tr)
        preds.append(pd.DataFrame({"seed": s, "split": f"{train_corpus} -> {test_corpus}", "part": "test", "row": te,
                                   "speaker": spk_te, "y_true": y_te, "y_pred": p_te}))
        preds.append(pd.DataFrame({"seed": s, "split": f"{train_corpus} -> {test_corpus}", "part": "train",
                                   "row": tr, "speaker": spk_tr, "y_true": y_tr, "y_pred": p_tr}))
        fits.append({"seed": s, "split": f"{train_corpus} -> {test_corpus}",
                     "best_params": json.dumps(clf.best_params_, default=str), "inner_cv": clf.inner_cv_,
                     "inner_cv_uar": clf.inner_cv_score_, "fit_seconds": fit_s})
    return BaselineRun(model, train_corpus, protocol, list(labels), pd.concat(preds, ignore_index=True),
                       pd.DataFrame(fits))


def report_scores(y_true, y_pred, labels=None) -> dict:
    """Accuracy and macro precision / recall / F1 (the paper's 'Precision 0.99, Recall 0.99, F1 1.0' kind)."""
    from sklearn.metrics import precision_recall_fscore_support

    y_true, y_pred = np.asarray(y_true), np.asarray(y_pred)
    labels = sorted(set(y_true)) if labels is None else [l for l in labels if l in set(y_true)]
    p, r, f, _ = precision_recall_fscore_support(y_true, y_pred, labels=labels, average="macro", zero_division=0)
    return {"accuracy": float(np.mean(y_true == y_pred)), "macro_precision": float(p), "macro_recall": float(r),
            "macro_f1": float(f)}

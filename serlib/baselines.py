"""Classical baselines: decision tree, random forest and RBF-SVMs on utterance-level features.

Serves notebook 05_baselines (and, through ``metrics.json``, notebook 07_claims_audit).

The paper's only result tables are training-set reports of a decision tree and a random forest on a 16-class
emotion x gender task (its Figures 3-6). This module rebuilds those baselines and adds the classical baseline
practitioners actually use, an RBF-SVM on eGeMAPS functionals (Eyben et al. 2016, openSMILE) and on MFCC
statistics, under the same protocols and metrics as the CNN-LSTM.

Design (every choice is a parameter of :class:`BaselineConfig`):

- Features: ``mfcc_stats`` = mean and standard deviation of every MFCC / delta / delta-delta frame feature
  (:meth:`serlib.features.FeatureSet.statistics`, 240 values); ``egemaps`` = the 88 eGeMAPSv02 functionals,
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

import dataclasses
import hashlib
import json
import os
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from .audio import AudioError, load_audio
from .evaluation import (MIN_CLUSTERS, WITHIN_CORPUS_PROTOCOLS, Split, bootstrap_cis, classification_metrics,
                         random_80_20_split, speaker_independent_folds, summarise_runs)
from .features import atomic_save_array, default_cache_dir, file_content_hash

#: Baseline names as used in ``metrics.json`` (``baselines.<model>.<corpus>.<protocol>``).
MODELS = ("decision_tree", "random_forest", "svm_mfcc", "svm_egemaps")
#: Which utterance-level features each baseline uses.
MODEL_FEATURES = {"decision_tree": "mfcc_stats", "random_forest": "mfcc_stats", "svm_mfcc": "mfcc_stats",
                  "svm_egemaps": "egemaps"}
#: Human names for tables and figures.
MODEL_TITLES = {"decision_tree": "decision tree (MFCC stats)", "random_forest": "random forest (MFCC stats)",
                "svm_mfcc": "RBF-SVM (MFCC stats)", "svm_egemaps": "RBF-SVM (eGeMAPS)"}

#: Bump when the meaning of cached eGeMAPS vectors changes.
EGEMAPS_VERSION = 1
EGEMAPS_SET = "eGeMAPSv02"


# ------------------------------------------------------------------------------------------ configuration
@dataclass(frozen=True)
class BaselineConfig:
    """Model sizes and hyper-parameter grids.

    Attributes:
        n_estimators: trees of the random forest.
        dt_max_depth: decision-tree depths tried by the inner cross-validation (``None`` = fully grown).
        svm_c: SVM ``C`` values tried.
        svm_gamma: SVM ``gamma`` values tried, as multiples of ``1 / n_features`` (on standardised features
            that is scikit-learn's ``gamma="scale"``).
        inner_folds: folds of the inner (model-selection) cross-validation.
        n_jobs: workers for the grid search and the forest.
        class_weight: ``"balanced"`` or ``None`` for the SVMs (trees use scikit-learn's defaults).
        svm_probability: SVMs also give class probabilities (``predict_proba``, needed for the leaderboard's
            late fusion): the chosen SVM is Platt-calibrated (sigmoid) by a 3-fold cross-validation on the
            training rows, ``CalibratedClassifierCV(ensemble=False)``; its ``predict`` is unchanged.
    """

    n_estimators: int = 300
    dt_max_depth: tuple = (5, 10, 20, None)
    svm_c: tuple = (1.0, 10.0, 100.0)
    svm_gamma: tuple = (0.3, 1.0, 3.0)
    inner_folds: int = 3
    n_jobs: int = 1
    class_weight: str | None = "balanced"
    svm_probability: bool = False

    def __post_init__(self):
        if self.n_estimators < 1:
            raise ValueError(f"n_estimators must be >= 1, got {self.n_estimators}")
        if self.inner_folds < 2:
            raise ValueError(f"inner_folds must be >= 2, got {self.inner_folds}")
        if not self.dt_max_depth or not self.svm_c or not self.svm_gamma:
            raise ValueError("dt_max_depth, svm_c and svm_gamma need at least one value each")

    @classmethod
    def quick(cls, n_jobs: int = 1) -> "BaselineConfig":
        """CI-sized: a small forest and tiny grids."""
        return cls(n_estimators=50, dt_max_depth=(8, None), svm_c=(1.0, 10.0), svm_gamma=(1.0,), inner_folds=2,
                   n_jobs=n_jobs)

    def to_dict(self) -> dict:
        return dataclasses.asdict(self)


def emotion_gender_labels(manifest: pd.DataFrame) -> pd.Series:
    """The paper's 16-class labels (Figures 3-6): ``<emotion>_<gender>``, e.g. ``angry_female``."""
    missing = [c for c in ("emotion", "gender") if c not in manifest.columns]
    if missing:
        raise ValueError(f"manifest lacks column(s) {missing} needed for emotion x gender labels")
    return manifest["emotion"].astype(str) + "_" + manifest["gender"].astype(str)


# ------------------------------------------------------------------------------------------ the estimator
def inner_cv(y, groups=None, *, n_splits: int = 3, seed: int = 0):
    """Cross-validation splitter for model selection on training rows, and a one-line description.

    Grouped by ``groups`` (training speakers) when at least two groups exist, so that hyper-parameters are
    chosen for *unseen* speakers; otherwise stratified by class.
    """
    from sklearn.model_selection import GroupKFold, StratifiedKFold

    y = np.asarray(y)
    if groups is not None:
        n_groups = len(np.unique(np.asarray(groups)))
        if n_groups >= 2:
            k = min(n_splits, n_groups)
            return GroupKFold(n_splits=k), f"GroupKFold({k}) over {n_groups} training speakers"
    counts = pd.Series(y).value_counts()
    k = int(min(n_splits, counts.min()))
    if k < 2:
        raise ValueError(f"inner cross-validation needs >= 2 training examples per class, class "
                         f"{counts.idxmin()!r} has {counts.min()}")
    reason = " (one training speaker)" if groups is not None else ""
    return StratifiedKFold(n_splits=k, shuffle=True, random_state=seed), f"StratifiedKFold({k}){reason}"


class BaselineClassifier(ClassifierMixin, BaseEstimator):
    """A classical baseline as one estimator: scaler + model, hyper-parameters tuned on training rows only.

    Serves notebook 05_baselines.

    Args:
        model: ``"decision_tree"``, ``"random_forest"`` or ``"svm"`` (the feature set is the caller's choice).
        config: grids and sizes.
        seed: random state of the trees and of the inner folds.

    Attributes (after ``fit``):
        pipeline_: the fitted ``Pipeline(StandardScaler, estimator)`` (refitted on all training rows).
        best_params_: chosen hyper-parameters (empty for the untuned forest).
        inner_cv_: description of the inner cross-validation.
        classes_: class labels.
    """

    def __init__(self, model: str = "random_forest", config: BaselineConfig | None = None, seed: int = 0):
        self.model = model
        self.config = config
        self.seed = seed

    def _pipeline_and_grid(self, n_features: int):
        from sklearn.ensemble import RandomForestClassifier
        from sklearn.pipeline import Pipeline
        from sklearn.preprocessing import StandardScaler
        from sklearn.svm import SVC
        from sklearn.tree import DecisionTreeClassifier

        cfg = self.config or BaselineConfig()
        if self.model == "decision_tree":
            est, grid = DecisionTreeClassifier(random_state=self.seed), {"model__max_depth": list(cfg.dt_max_depth)}
        elif self.model == "random_forest":
            est = RandomForestClassifier(n_estimators=cfg.n_estimators, random_state=self.seed, n_jobs=cfg.n_jobs)
            grid = {}
        elif self.model in ("svm", "svm_mfcc", "svm_egemaps"):
            est = SVC(kernel="rbf", class_weight=cfg.class_weight, random_state=self.seed)
            grid = {"model__C": list(cfg.svm_c), "model__gamma": [g / n_features for g in cfg.svm_gamma]}
        else:
            raise ValueError(f"unknown baseline model {self.model!r}; use decision_tree, random_forest or svm")
        return Pipeline([("scale", StandardScaler()), ("model", est)]), grid

    def fit(self, X, y, groups=None):
        """Fit on training rows; ``groups`` (training speakers) make the inner CV speaker-grouped."""
        from sklearn.model_selection import GridSearchCV

        X = np.asarray(X, dtype=np.float64)
        y = np.asarray(y)
        if X.ndim != 2 or X.shape[0] != y.shape[0] or X.shape[0] == 0:
            raise ValueError(f"X must be 2-D with one row per label, got X {X.shape} and y {y.shape}")
        if not np.all(np.isfinite(X)):
            raise ValueError("X contains NaN or infinite values")
        if len(np.unique(y)) < 2:
            raise ValueError("need at least 2 classes to fit a classifier")
        cfg = self.config or BaselineConfig()
        pipe, grid = self._pipeline_and_grid(X.shape[1])
        self.classes_ = np.unique(y)
        n_candidates = int(np.prod([len(v) for v in grid.values()])) if grid else 0
        if n_candidates > 1:
            cv, self.inner_cv_ = inner_cv(y, groups, n_splits=cfg.inner_folds, seed=self.seed)
            search = GridSearchCV(pipe, grid, cv=cv, scoring="balanced_accuracy", n_jobs=cfg.n_jobs,
                                  refit=True, error_score="raise")
            with warnings.catch_warnings():  # a speaker-grouped validation fold may lack a class: expected
                warnings.filterwarnings("ignore", message="y_pred contains classes not in y_true")
                search.fit(X, y, groups=groups if self.inner_cv_.startswith("GroupKFold") else None)
            self.pipeline_ = search.best_estimator_
            self.best_params_ = {k.removeprefix("model__"): v for k, v in search.best_params_.items()}
            self.inner_cv_score_ = float(search.best_score_)
        else:
            if grid:
                pipe.set_params(**{k: v[0] for k, v in grid.items()})
            self.pipeline_ = pipe.fit(X, y)
            self.best_params_ = {k.removeprefix("model__"): v[0] for k, v in grid.items()}
            self.inner_cv_ = "none (no hyper-parameter to choose)"
            self.inner_cv_score_ = float("nan")
        self.calibrated_ = None
        if cfg.svm_probability and self.model in ("svm", "svm_mfcc", "svm_egemaps"):
            from sklearn.base import clone
            from sklearn.calibration import CalibratedClassifierCV

            counts = np.unique(y, return_counts=True)[1]
            self.calibrated_ = CalibratedClassifierCV(clone(self.pipeline_), method="sigmoid",
                                                      cv=int(max(2, min(3, counts.min()))), ensemble=False).fit(X, y)
        return self

    def predict(self, X):
        if not hasattr(self, "pipeline_"):
            raise ValueError("BaselineClassifier is not fitted yet: call fit first")
        return self.pipeline_.predict(np.asarray(X, dtype=np.float64))

    def predict_proba(self, X):
        """Class probabilities (columns in the order of ``classes_``); SVMs need ``svm_probability=True``."""
        if not hasattr(self, "pipeline_"):
            raise ValueError("BaselineClassifier is not fitted yet: call fit first")
        X = np.asarray(X, dtype=np.float64)
        if getattr(self, "calibrated_", None) is not None:
            return self.calibrated_.predict_proba(X)
        if not hasattr(self.pipeline_.named_steps["model"], "predict_proba"):
            raise ValueError("this SVM gives no probabilities: fit it with BaselineConfig(svm_probability=True)")
        return self.pipeline_.predict_proba(X)


def make_baseline(name: str, config: BaselineConfig | None = None, seed: int = 0) -> BaselineClassifier:
    """Estimator for a baseline name of :data:`MODELS` (``svm_mfcc`` / ``svm_egemaps`` are both SVMs)."""
    if name not in MODELS:
        raise ValueError(f"unknown baseline {name!r}; known: {', '.join(MODELS)}")
    return BaselineClassifier("svm" if name.startswith("svm") else name, config, seed)


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
    from .progress import tqdm

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
    from .progress import tqdm

    from .evaluation import cross_corpus_positions

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


# ------------------------------------------------------------------------------------------ eGeMAPS
def egemaps_cache_key(sample_rate: int = 16000, trim_db: float | None = 30.0) -> str:
    """Short hash naming the eGeMAPS cache folder: feature set, level, audio settings, code version."""
    import opensmile

    payload = {"set": EGEMAPS_SET, "level": "Functionals", "sample_rate": sample_rate, "trim_db": trim_db,
               "v": EGEMAPS_VERSION, "opensmile": getattr(opensmile, "__version__", "?")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


_SMILE = None


def _smile():
    global _SMILE
    if _SMILE is None:
        import opensmile

        _SMILE = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                                 feature_level=opensmile.FeatureLevel.Functionals)
    return _SMILE


def egemaps_names() -> list[str]:
    """The 88 eGeMAPSv02 functional names, in column order."""
    return list(_smile().feature_names)


def egemaps_functionals(y: np.ndarray, sample_rate: int = 16000) -> np.ndarray:
    """The 88 eGeMAPSv02 functionals of one waveform (float32)."""
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"expected a non-empty 1-D waveform, got shape {y.shape}")
    from .features import opensmile_egemaps

    return opensmile_egemaps(y, sample_rate, "Functionals").reshape(-1)


def _egemaps_for_file(path: str, cache_dir: str | None, key: str, sample_rate: int, trim_db, min_duration_s):
    """Worker: (vector or None, reason, cache_hit)."""
    entry = None
    if cache_dir is not None:
        try:
            content = file_content_hash(path)
        except OSError as err:
            return None, f"unreadable: {err.strerror or err}", False
        entry = Path(cache_dir) / "egemaps" / key / content[:2] / f"{content}.npy"
        if entry.exists():
            try:
                return np.load(entry, allow_pickle=False), "", True
            except Exception:  # corrupt entry: recompute
                pass
    try:
        y = load_audio(path, sample_rate, trim_db=trim_db, min_duration_s=min_duration_s)
        vec = egemaps_functionals(y, sample_rate)
    except AudioError as err:
        return None, str(err), False
    except Exception as err:  # openSMILE failures are per file, never fatal for the run
        return None, f"openSMILE failed: {str(err).splitlines()[0][:120] if str(err) else type(err).__name__}", False
    if not np.all(np.isfinite(vec)):
        return None, "eGeMAPS functionals contain NaN or infinite values", False
    if entry is not None:
        atomic_save_array(entry, vec)
    return vec, "", False


@dataclass
class FunctionalSet:
    """Utterance-level functionals (one vector per usable manifest row).

    Attributes:
        manifest: usable rows, in the input order (index reset; position in the input manifest in
            ``source_row``, replacing any ``source_row`` column the input had).
        features: ``(n_rows, n_features)`` float32.
        names: feature names.
        skipped: ``path, corpus, reason`` of rows that could not be used.
        cache_hits: files served from the cache.
    """

    manifest: pd.DataFrame
    features: np.ndarray
    names: list
    skipped: pd.DataFrame
    cache_hits: int = 0

    def __len__(self) -> int:
        return len(self.features)


def extract_egemaps(manifest: pd.DataFrame, *, sample_rate: int = 16000, trim_db: float | None = 30.0,
                    min_duration_s: float = 0.31, cache_dir: str | os.PathLike | None | bool = None,
                    n_jobs: int = 2, progress: bool = True) -> FunctionalSet:
    """eGeMAPSv02 functionals for every file of a manifest: parallel, cached, skipping bad files.

    Serves notebook 05_baselines. Audio is read with :func:`serlib.audio.load_audio` at ``sample_rate`` and
    trimmed like the MFCC features (``trim_db``), so both feature sets see the same speech. The cache entry is
    keyed by the file's content hash and :func:`egemaps_cache_key` (feature set, level, audio settings).

    Args:
        manifest: needs a ``path`` column.
        trim_db: leading/trailing silence trim (dB below peak); ``None`` keeps the whole file.
        min_duration_s: shorter audio (after trimming) is skipped (default: one MFCC window, so both feature
            sets keep the same rows).
        cache_dir: cache root; ``None`` uses :func:`serlib.features.default_cache_dir`, ``False`` disables it.
        n_jobs: joblib workers.
        progress: show a tqdm bar.
    """
    if "path" not in manifest.columns:
        raise ValueError("manifest needs a 'path' column (see serlib.datasets.load)")
    if len(manifest) == 0:
        raise ValueError("manifest is empty: nothing to extract")
    from joblib import Parallel, delayed
    from .progress import tqdm

    cache_root = None if cache_dir is False else str(Path(cache_dir) if cache_dir is not None else default_cache_dir())
    key = egemaps_cache_key(sample_rate, trim_db)
    paths = manifest["path"].astype(str).tolist()
    jobs = (delayed(_egemaps_for_file)(p, cache_root, key, sample_rate, trim_db, min_duration_s) for p in paths)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    out = list(tqdm(results, total=len(paths), desc="eGeMAPS functionals", disable=not progress,
                    mininterval=2.0))
    keep = [i for i, (vec, _, _) in enumerate(out) if vec is not None]
    skipped = pd.DataFrame([{"path": paths[i], "corpus": manifest.iloc[i].get("corpus", ""), "reason": r}
                            for i, (vec, r, _) in enumerate(out) if vec is None], columns=["path", "corpus", "reason"])
    kept = manifest.iloc[keep].drop(columns="source_row", errors="ignore")
    kept.insert(len(kept.columns), "source_row", np.asarray(keep, dtype=int))
    names = egemaps_names()
    feats = np.stack([out[i][0] for i in keep]).astype(np.float32) if keep else np.zeros((0, len(names)), np.float32)
    return FunctionalSet(kept.reset_index(drop=True), feats, names, skipped, sum(1 for _, _, h in out if h))


def align_features(paths_a, paths_b) -> tuple[np.ndarray, np.ndarray]:
    """Positions into two row lists that keep the paths both have, in the order of ``paths_a``.

    Used to give the MFCC-statistics and eGeMAPS baselines exactly the same utterances.
    """
    a = pd.Index([str(p) for p in paths_a])
    b = pd.Index([str(p) for p in paths_b])
    if a.has_duplicates or b.has_duplicates:
        raise ValueError("paths must be unique to align two feature sets")
    ia = np.flatnonzero(a.isin(b))
    ib = b.get_indexer(a[ia])
    return ia, ib

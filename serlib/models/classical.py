"""Classical classifiers on utterance-level features: decision tree, random forest, RBF-SVM.

Serves notebook 05_baselines through :mod:`serlib.experiments.baselines`. Hyperparameters are chosen by an
inner cross-validation over *training* speakers only (:func:`inner_cv`)."""

from __future__ import annotations

import dataclasses
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator, ClassifierMixin

from serlib.messages import InsufficientDataError

#: Baseline names as used in ``metrics.json`` (``baselines.<model>.<corpus>.<protocol>``).
MODELS = ("decision_tree", "random_forest", "svm_mfcc", "svm_egemaps")
#: Which utterance-level features each baseline uses.
MODEL_FEATURES = {"decision_tree": "mfcc_stats", "random_forest": "mfcc_stats", "svm_mfcc": "mfcc_stats",
                  "svm_egemaps": "egemaps"}
#: Human names for tables and figures.
MODEL_TITLES = {"decision_tree": "decision tree (MFCC stats)", "random_forest": "random forest (MFCC stats)",
                "svm_mfcc": "RBF-SVM (MFCC stats)", "svm_egemaps": "RBF-SVM (eGeMAPS)"}


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
        raise InsufficientDataError(f"inner cross-validation needs >= 2 training examples per class, class "
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
            raise InsufficientDataError("need at least 2 classes to fit a classifier")
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

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

Notebook 05's experiments, one call per section: :func:`plan_baselines` (settings), :func:`utterance_features`
(section 1), :func:`run_emotion_gender` (section 2), :func:`run_baselines` and :func:`run_cross_corpus` (section 3).
A run a corpus is too small for is listed in :attr:`BaselineRuns.skipped`, never raised. Their tables, metrics and
conclusions are in :mod:`serlib.experiments.baseline_tables`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serlib.evaluation.intervals import seed_speaker_intervals
from serlib.evaluation.metrics import classification_metrics, summarise_runs
from serlib.evaluation.splits import (
    WITHIN_CORPUS_PROTOCOLS,
    Split,
    random_80_20_split,
    speaker_independent_folds,
)
from serlib.messages import InsufficientDataError
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
        n_seeds, n_test, ci_method}`` (key names as in notebook 04's CNN-LSTM metrics). The CI is the project's one interval
        (:func:`serlib.evaluation.intervals.seed_speaker_intervals`): seeds and test speakers resampled together
        (test utterances when there are fewer than ``MIN_CLUSTERS`` speakers), so it holds the seed spread.
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
        # the project's interval: seeds and test speakers (or utterances, with few speakers) resampled together
        out.update(seed_speaker_intervals(test.rename(columns={"row": "position"}), self.labels, n_boot=n_boot,
                                          seed=seed, level=ci_level))
        out.update(n_seeds=len(seeds), n_test=int(len(test) // max(len(seeds), 1)))
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


# ------------------------------------------------------------------------------------------ notebook 05's experiments
#: Values of notebook 05's ``protocol`` parameter (as ``run_all.py --protocol``).
PROTOCOL_CHOICES = ("all", *WITHIN_CORPUS_PROTOCOLS, "cross_corpus")
#: The two models of the paper's 16-class emotion x gender tables (its Figures 3-6).
EMOTION_GENDER_MODELS = ("decision_tree", "random_forest")


@dataclass(frozen=True)
class BaselinePlan:
    """What notebook 05 runs: model sizes, seeds, bootstrap resamples and protocols.

    Attributes:
        config: model sizes and hyper-parameter grids.
        seeds: seeds of every within-corpus and cross-corpus run (the 16-class task uses ``seed`` alone).
        n_boot: bootstrap resamples for the confidence intervals.
        protocols: within-corpus protocols to run (``random_80_20``, ``speaker_independent``).
        cross_corpus: whether cross-corpus pairs run.
        seed: the run's base seed.
        quick: a ``--quick`` run (subsets, small forests and grids).
    """

    config: BaselineConfig
    seeds: list
    n_boot: int
    protocols: list
    cross_corpus: bool
    seed: int = 0
    quick: bool = False

    @property
    def settings(self) -> pd.DataFrame:
        """One-column table (``value``) of every setting, as notebook 05 saves it (``05_settings``)."""
        extra = {"seeds": self.seeds, "protocols": self.protocols + (["cross_corpus"] if self.cross_corpus else []),
                 "bootstrap resamples": self.n_boot}
        return pd.Series(self.config.to_dict() | extra, name="value").to_frame()


def plan_baselines(protocol: str = "all", *, quick: bool = False, seed: int = 0, n_seeds: int = 3,
                   n_boot: int = 1000, n_jobs: int = 1) -> BaselinePlan:
    """Notebook 05's settings from its papermill parameters.

    Serves notebook 05_baselines. A quick run uses :meth:`BaselineConfig.quick`, the base seed alone and at most
    200 bootstrap resamples.

    Args:
        protocol: one of :data:`PROTOCOL_CHOICES` (``all`` runs both within-corpus protocols and cross-corpus).
        quick: CI-sized models and one seed.
        seed: base seed; a full run uses ``seed, seed + 1, ...``.
        n_seeds: seeds of a full run.
        n_boot: bootstrap resamples (capped at 200 in a quick run).
        n_jobs: workers for the grid search and the forest.
    """
    if protocol not in PROTOCOL_CHOICES:
        raise ValueError(f"unknown protocol {protocol!r}; use one of {PROTOCOL_CHOICES}")
    if n_seeds < 1 or n_boot < 1:
        raise ValueError(f"n_seeds and n_boot must be >= 1, got {n_seeds} and {n_boot}")
    config = BaselineConfig.quick(n_jobs=n_jobs) if quick else BaselineConfig(n_jobs=n_jobs)
    return BaselinePlan(config=config, seeds=[seed] if quick else [seed + k for k in range(n_seeds)],
                        n_boot=min(n_boot, 200) if quick else n_boot,
                        protocols=[p for p in WITHIN_CORPUS_PROTOCOLS if protocol in ("all", p)],
                        cross_corpus=protocol in ("all", "cross_corpus"), seed=seed, quick=quick)


@dataclass
class UtteranceFeatures:
    """Notebook 05's utterance-level features of every corpus, on the same rows.

    Attributes:
        data: ``{corpus: {"manifest", "mfcc_stats", "egemaps"}}``: the utterances that have both feature sets
            (manifest with an ``emotion_gender`` column), their 240 MFCC statistics and 88 eGeMAPS functionals.
        skipped: files skipped by a feature stage: ``path, corpus, reason, stage``.
        summary: one row per corpus: utterances, speakers, emotions, features per utterance, eGeMAPS cache hits.
    """

    data: dict
    skipped: pd.DataFrame
    summary: pd.DataFrame


def align_utterance_features(name: str, frames, functionals) -> tuple[dict, dict]:
    """Keep the utterances that have both MFCC frames and eGeMAPS functionals, in the same order.

    Serves notebook 05_baselines through :func:`utterance_features`. ``frames`` is a
    :class:`serlib.features.extract.FeatureSet`, ``functionals`` a :class:`serlib.features.egemaps.FunctionalSet`
    of the same corpus (rows matched by ``path``). Returns the corpus's ``data`` entry and its summary row.
    """
    from serlib.features.egemaps import align_features

    ia, ib = align_features(frames.manifest["path"], functionals.manifest["path"])
    manifest = frames.manifest.iloc[ia].reset_index(drop=True)
    manifest["emotion_gender"] = emotion_gender_labels(manifest)
    entry = {"manifest": manifest, "mfcc_stats": frames.statistics()[ia], "egemaps": functionals.features[ib]}
    row = {"corpus": name, "utterances used": len(manifest), "speakers": manifest["speaker"].nunique(),
           "emotions": manifest["emotion"].nunique(), "MFCC statistics per utterance": entry["mfcc_stats"].shape[1],
           "eGeMAPS functionals per utterance": entry["egemaps"].shape[1], "eGeMAPS from cache": functionals.cache_hits}
    return entry, row


def utterance_features(manifests: dict, *, n_jobs: int = 1) -> UtteranceFeatures:
    """MFCC statistics and eGeMAPS functionals of every corpus, computed on the same trimmed 16 kHz audio.

    Serves notebook 05_baselines (section 1). Frame features come from the feature cache of notebook 02
    (:func:`serlib.features.extract.extract_features`); eGeMAPS from openSMILE with the same silence trim and
    minimum duration (:func:`serlib.features.egemaps.extract_egemaps`, cached). Bad files are skipped with their
    reason, never a traceback.

    Args:
        manifests: ``{corpus: manifest}`` as from :func:`serlib.data.corpus_config.load_corpora`.
        n_jobs: worker processes for the extraction.
    """
    from serlib.features.egemaps import extract_egemaps
    from serlib.features.extract import extract_features
    from serlib.features.frames import FeatureConfig

    if not isinstance(manifests, dict):
        raise ValueError(f"manifests must be a dict {{corpus: manifest}}, got {type(manifests).__name__}")
    data, skips, rows = {}, [], []
    for name, m in manifests.items():
        fs = extract_features(m, FeatureConfig(), n_jobs=n_jobs)
        eg = extract_egemaps(fs.manifest, trim_db=fs.config.trim_db, min_duration_s=fs.config.min_duration_s,
                             n_jobs=n_jobs)
        data[name], row = align_utterance_features(name, fs, eg)
        rows.append(row)
        skips += [fs.skipped.assign(stage="MFCC features"), eg.skipped.assign(stage="eGeMAPS")]
    skipped = pd.concat(skips, ignore_index=True) if skips else pd.DataFrame(
        columns=["path", "corpus", "reason", "stage"])
    return UtteranceFeatures(data, skipped, pd.DataFrame(rows))


@dataclass
class BaselineRuns:
    """Runs of one experiment of notebook 05, and what a corpus was too small for.

    Attributes:
        runs: ``{key: BaselineRun}``; the key is ``(model, corpus, protocol)``, or ``(model, protocol)`` for the
            16-class task (one corpus).
        skipped: ``(experiment, corpus, reason)`` per skipped run, for
            :meth:`serlib.reporting.run_context.RunContext.record_skip`.
        corpus: the 16-class task's corpus (``None``: no corpus with both genders); empty for the others.
        labels: the 16-class task's class labels (sorted).
        protocols: the within-corpus protocols asked for.
        pairs: the cross-corpus ``(train corpus, test corpus)`` pairs.
        message: a line to print about the cross-corpus pairs ("" if none).
    """

    runs: dict = field(default_factory=dict)
    skipped: list = field(default_factory=list)
    corpus: str | None = ""
    labels: list = field(default_factory=list)
    protocols: list = field(default_factory=list)
    pairs: list = field(default_factory=list)
    message: str = ""

    def add(self, key, experiment: str, corpus: str, fn) -> None:
        """Run ``fn()`` into ``runs[key]``; a corpus too small for it (:class:`InsufficientDataError`) is skipped."""
        try:
            self.runs[key] = fn()
        except InsufficientDataError as err:
            self.skipped.append((experiment, corpus, str(err)))


def _check_data(data: dict) -> None:
    for name, d in data.items():
        missing = [k for k in ("manifest", "mfcc_stats", "egemaps") if k not in d]
        if missing:
            raise ValueError(f"data[{name!r}] lacks {missing}; build it with utterance_features()")


def run_baselines(data: dict, plan: BaselinePlan, *, progress: bool = True) -> BaselineRuns:
    """Every baseline of :data:`MODELS` on every corpus under each within-corpus protocol of the plan.

    Serves notebook 05_baselines (section 3). ``data`` is :attr:`UtteranceFeatures.data` (``{corpus: {"manifest",
    "mfcc_stats", "egemaps"}}``); each model reads its features (:data:`MODEL_FEATURES`). Runs are keyed
    ``(model, corpus, protocol)``; a protocol a corpus is too small for is listed in ``skipped``.
    """
    from serlib.models.classical import MODEL_FEATURES, MODELS

    _check_data(data)
    out = BaselineRuns(protocols=list(plan.protocols))
    for name, d in data.items():
        for proto in plan.protocols:
            for model in MODELS:
                out.add((model, name, proto), f"{model}, {proto}", name, lambda: evaluate_baseline(
                    model, d[MODEL_FEATURES[model]], d["manifest"], proto, seeds=plan.seeds, config=plan.config,
                    corpus=name, progress=progress))
    return out


def run_cross_corpus(data: dict, plan: BaselinePlan, *, progress: bool = True) -> BaselineRuns:
    """Every baseline trained on all of one corpus and tested on all of another, for every ordered pair of corpora
    sharing at least two emotions (none unless ``plan.cross_corpus``).

    Serves notebook 05_baselines (section "Cross-corpus"). Runs are keyed ``(model, train corpus,
    "cross_corpus_to_<test corpus>")``; ``message`` names the pairs and their shared emotions, or says why there
    is none.
    """
    from serlib.evaluation.splits import shared_emotions
    from serlib.models.classical import MODEL_FEATURES, MODELS

    _check_data(data)
    out = BaselineRuns(protocols=list(plan.protocols))
    if not plan.cross_corpus:
        return out
    shared = {(a, b): shared_emotions(data[a]["manifest"], data[b]["manifest"]) for a in data for b in data if a != b}
    out.pairs = [pair for pair, emotions in shared.items() if len(emotions) >= 2]
    for a, b in out.pairs:
        for model in MODELS:
            f = MODEL_FEATURES[model]
            out.add((model, a, f"cross_corpus_to_{b}"), f"{model}, cross-corpus to {b}", a, lambda: evaluate_cross_corpus(
                model, data[a][f], data[a]["manifest"], data[b][f], data[b]["manifest"], seeds=plan.seeds,
                config=plan.config, train_corpus=a, test_corpus=b, progress=progress))
    out.message = ("cross-corpus pairs: " + "; ".join(f"{a} -> {b} on {', '.join(shared[a, b])}" for a, b in out.pairs)
                   if out.pairs else "cross-corpus: needs two corpora with at least two shared emotions; this run has "
                   + ", ".join(data))
    return out


def emotion_gender_corpus(data: dict) -> str | None:
    """The corpus of the 16-class emotion x gender task: RAVDESS if present (the paper's data look like RAVDESS),
    else the first corpus with both genders, else ``None``. Serves notebook 05_baselines (section 2)."""
    if "ravdess" in data:
        return "ravdess"
    return next((n for n, d in data.items() if d["manifest"]["gender"].nunique() >= 2), None)


def run_emotion_gender(data: dict, plan: BaselinePlan, *, progress: bool = True) -> BaselineRuns:
    """The paper's Figures 3-6 task: decision tree and random forest on emotion x gender classes (16 on RAVDESS).

    Serves notebook 05_baselines (section 2). Runs on :func:`emotion_gender_corpus` under each within-corpus
    protocol of the plan, with the plan's base seed alone, on MFCC statistics; keyed ``(model, protocol)``.
    With no corpus of both genders, ``corpus`` is ``None`` and nothing runs.
    """
    _check_data(data)
    name = emotion_gender_corpus(data)
    out = BaselineRuns(corpus=name, protocols=list(plan.protocols))
    if name is None:
        return out
    manifest = data[name]["manifest"]
    out.labels = sorted(manifest["emotion_gender"].unique())
    for model in EMOTION_GENDER_MODELS:
        for proto in plan.protocols:
            out.add((model, proto), f"{model}, 16-class emotion x gender, {proto}", name, lambda: evaluate_baseline(
                model, data[name]["mfcc_stats"], manifest, proto, seeds=[plan.seed], config=plan.config,
                label_col="emotion_gender", corpus=name, progress=progress))
    return out

"""Tables, ``metrics.json`` entries and conclusions of the classical baselines, from their runs.

Serves notebook 05_baselines (and, through ``metrics.json``, notebook 07_claims_audit). The runs come from
:mod:`serlib.experiments.baselines` (:func:`~serlib.experiments.baselines.run_baselines`,
:func:`~serlib.experiments.baselines.run_cross_corpus`, :func:`~serlib.experiments.baselines.run_emotion_gender`);
everything here is pure: runs in, DataFrames, dicts and sentences out. Nothing is saved or drawn.

- the 16-class emotion x gender task (the paper's Figures 3-6): :func:`emotion_gender_intro`,
  :func:`paper_support_check`, :func:`emotion_gender_tables`, :func:`paper_training_reports`;
- the emotion task: :func:`baseline_results` (the results table and the ``baselines`` metrics),
  :func:`hyperparameter_table`, :func:`hyperparameter_summary`;
- :func:`what_we_learned`: the closing sentences.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pandas as pd

from serlib.evaluation.splits import WITHIN_CORPUS_PROTOCOLS
from serlib.experiments.baselines import EMOTION_GENDER_MODELS, BaselineRuns, emotion_gender_corpus, report_scores
from serlib.models.classical import MODEL_TITLES
from serlib.reporting.run_context import corpus_title, is_synthetic

#: Rows of a classification report that are not classes.
_REPORT_TOTALS = ("accuracy", "macro avg", "weighted avg")
#: Metrics of every baseline run kept in ``metrics.json`` (``baselines.<model>.<corpus>.<protocol>.<key>``).
BASELINE_METRIC_KEYS = ("accuracy", "accuracy_std", "uar", "uar_std", "macro_f1", "macro_f1_std", "accuracy_ci95",
                        "uar_ci95", "macro_f1_ci95", "train_accuracy", "train_accuracy_std", "n_seeds", "n_test",
                        "ci_method")
#: Columns of the results table (``tables/05_baseline_results.csv``).
RESULT_COLUMNS = ["corpus", "model", "protocol", "accuracy", "accuracy_std", "uar", "uar_std", "macro_f1",
                  "macro_f1_std", "train_accuracy", "uar_ci_lo", "uar_ci_hi", "n_test", "ci"]


# ------------------------------------------------------------------------------ 16 emotion x gender classes
def emotion_gender_intro(data: dict) -> str:
    """One Markdown sentence: which corpus the emotion x gender task runs on, and whether it is the paper's data.

    Serves notebook 05_baselines (section 2). ``data`` as :attr:`serlib.experiments.baselines.UtteranceFeatures.data`.
    """
    name = emotion_gender_corpus(data)
    if name is None:
        return "**No corpus with both genders in this run: the 16-class task is skipped.**"
    n = data[name]["manifest"]["emotion_gender"].nunique()
    return (f"{n}-class emotion x gender task on **{corpus_title(name)}**"
            + (" (the paper's data look like RAVDESS speech + song)." if name == "ravdess" else
               " (RAVDESS is not in this run: this is a stand-in, not the paper's data)."))


def paper_support_check(manifest: pd.DataFrame, *, quick: bool = False,
                        reported: pd.DataFrame | None = None) -> tuple[pd.DataFrame, str]:
    """Compare the paper's per-class training support (Figure 5) with 80 % of the RAVDESS speech files here.

    Serves notebook 05_baselines (section 2). The paper's supports match 80 % of RAVDESS speech + song; the song
    part lacks ``disgust`` and ``surprised``, so for those two classes the ratio should be near 1, for the others
    near 2.

    Args:
        manifest: RAVDESS rows with an ``emotion_gender`` column.
        quick: say in the sentence that the counts come from a subset.
        reported: the paper's report (default: :func:`serlib.reporting.claims.reported_training_report` of the
            decision tree).

    Returns:
        the table (one row per reported class) and a one-line summary of the ratios.
    """
    if "emotion_gender" not in manifest.columns:
        raise ValueError("manifest has no emotion_gender column; build it with utterance_features()")
    if reported is None:
        from serlib.reporting import claims

        reported = claims.reported_training_report("decision_tree")
    ours = manifest["emotion_gender"].value_counts()
    cls = [c for c in reported.index if c not in _REPORT_TOTALS]
    support = pd.DataFrame({"reported training support (paper, Fig. 5)": reported.loc[cls, "support"],
                            "RAVDESS speech files here": ours.reindex(cls)})
    support["80 % of the files here"] = (0.8 * support.iloc[:, 1]).round(1)
    support["reported / (80 % of ours)"] = (support.iloc[:, 0] / support["80 % of the files here"]).round(2)
    ratio = support["reported / (80 % of ours)"]
    no_song = ratio[[c for c in ratio.index if c.split("_")[0] in ("disgust", "surprised")]]
    rest = ratio.drop(no_song.index)
    sentence = (f"reported total support {int(reported.loc['accuracy', 'support'])} vs {len(manifest)} RAVDESS "
                f"speech files here; ratio reported / (80 % of our files): {no_song.mean():.2f} for disgust/surprised "
                f"(no song recordings), {rest.mean():.2f} for the other classes"
                + (" (QUICK subset: our counts are not the full corpus)" if quick else ""))
    return support, sentence


@dataclass
class EmotionGenderTables:
    """The emotion x gender task's tables and metrics (the paper's Figures 5-6 layout, measured here).

    Attributes:
        corpus: the task's corpus (``None``: the task did not run).
        n_classes: number of emotion x gender classes.
        protocol: the protocols asked for, joined with ``+`` (the provenance label of the tables).
        reports: ``{model: table}``: per-class precision, recall, F1 and support on the training and test set of
            each protocol (column groups ``"<train|test> set, <protocol>"``), rounded to 2 decimals.
        summary: one row per run: training- and test-set accuracy and macro-F1, chosen hyper-parameters.
        scores: ``{model: {protocol: {metric: value}}}`` (training-set and test-set scores).
    """

    corpus: str | None
    n_classes: int
    protocol: str
    reports: dict = field(default_factory=dict)
    summary: pd.DataFrame = field(default_factory=pd.DataFrame)
    scores: dict = field(default_factory=dict)

    @property
    def metrics(self) -> dict:
        """The ``baselines_emotion_gender.<model>.<corpus>.<protocol>`` section of ``metrics.json``."""
        return {"baselines_emotion_gender": {m: {self.corpus: v} for m, v in self.scores.items()}}


def _best_params(run) -> str:
    params = json.loads(run.fits["best_params"].iloc[0])
    return ", ".join(f"{k}={v}" for k, v in params.items()) or "none (not tuned)"


def emotion_gender_tables(task: BaselineRuns, *, n_boot: int = 1000, seed: int = 0) -> EmotionGenderTables:
    """Classification reports, summary and metrics of :func:`serlib.experiments.baselines.run_emotion_gender`.

    Serves notebook 05_baselines (section 2). Training-set scores are what the paper reports; test-set scores
    (with a bootstrap interval of ``n_boot`` resamples drawn with ``seed``) are what measures recognition.
    """
    if not isinstance(task, BaselineRuns):
        raise ValueError(f"task must be the BaselineRuns of run_emotion_gender(), got {type(task).__name__}")
    from serlib.evaluation.metrics import classification_report_table

    labels = list(task.labels)
    out = EmotionGenderTables(task.corpus, len(labels), "+".join(task.protocols))
    summary = []
    for model in EMOTION_GENDER_MODELS:
        parts = {}
        for proto in [p for p in task.protocols if (model, p) in task.runs]:
            run = task.runs[model, proto]
            tr, te = run.part("train"), run.part("test")
            for part, p in (("train", tr), ("test", te)):
                parts[f"{part} set, {proto}"] = classification_report_table(p["y_true"], p["y_pred"], labels)
            s_tr = report_scores(tr["y_true"], tr["y_pred"], labels)
            s_te = report_scores(te["y_true"], te["y_pred"], labels)
            full = run.metrics(n_boot=n_boot, seed=seed)
            out.scores.setdefault(model, {})[proto] = {
                **{f"train_{k}": s_tr[k] for k in ("accuracy", "macro_precision", "macro_recall", "macro_f1")},
                "accuracy": s_te["accuracy"], "macro_precision": s_te["macro_precision"],
                "macro_recall": s_te["macro_recall"], "uar": full["uar"], "macro_f1": s_te["macro_f1"],
                "accuracy_ci95": full["accuracy_ci95"], "n_classes": len(labels), "best_params": _best_params(run)}
            summary.append({"model": MODEL_TITLES[model], "protocol": proto,
                            "training-set accuracy": s_tr["accuracy"], "test-set accuracy": s_te["accuracy"],
                            "training macro F1": s_tr["macro_f1"], "test macro F1": s_te["macro_f1"],
                            "hyper-parameters": out.scores[model][proto]["best_params"]})
        if parts:
            out.reports[model] = pd.concat(parts, axis=1).round(2)
    out.summary = pd.DataFrame(summary)
    return out


def paper_training_reports() -> pd.DataFrame:
    """The paper's training-set reports of the decision tree (Figure 5) and random forest (Figure 6), side by side.

    Serves notebook 05_baselines. *Reported* values typed from the paper
    (:func:`serlib.reporting.claims.reported_training_report`), not measured here.
    """
    from serlib.reporting import claims

    reports = {m: claims.reported_training_report(m) for m in EMOTION_GENDER_MODELS}
    return pd.concat({f"{MODEL_TITLES[m]}: reported ({r.attrs['source'].split(' (')[0]})": r
                      for m, r in reports.items()}, axis=1)


# ------------------------------------------------------------------------------ the emotion task
@dataclass
class BaselineResults:
    """Scores of every baseline run on the emotion task.

    Attributes:
        table: one row per run (:data:`RESULT_COLUMNS`): mean and std over seeds, UAR interval, test size.
        metrics: ``{"baselines": {model: {corpus: {protocol: {...}, "train_accuracy": ...}}}}`` for ``metrics.json``.
        corpora: every corpus of the run, in order (also those where no baseline ran).
    """

    table: pd.DataFrame
    metrics: dict
    corpora: list

    @property
    def protocol(self) -> str:
        """Protocols in the table, sorted and comma-joined (the provenance label of the table)."""
        return ",".join(sorted(self.table["protocol"].unique()))

    def protocols_of(self, corpus: str) -> list:
        """Protocols with a row for ``corpus``, in table order."""
        return list(self.table.loc[self.table["corpus"] == corpus, "protocol"].unique())

    def corpus_metrics(self) -> dict:
        """``{corpus: (metrics fragment, protocol label)}``: what notebook 05 records per corpus."""
        base = self.metrics["baselines"]
        return {name: ({"baselines": {m: {name: v[name]} for m, v in base.items() if name in v}},
                       ",".join(sorted(self.protocols_of(name)))) for name in self.corpora}

    @property
    def view(self) -> pd.DataFrame:
        """The table as read: ``mean ± std`` strings, the UAR interval, training-set accuracy."""
        cols = ["corpus", "protocol", "model", "WA (accuracy)", "UAR", "UAR 95 % CI", "macro-F1",
                "training-set accuracy", "n_test"]
        t = self.table
        if t.empty:
            return pd.DataFrame(columns=cols)
        view = t.assign(**{"WA (accuracy)": _mean_std(t, "accuracy"), "UAR": _mean_std(t, "uar"),
                           "UAR 95 % CI": [f"{lo:.3f}–{hi:.3f}" for lo, hi in zip(t["uar_ci_lo"], t["uar_ci_hi"])],
                           "macro-F1": _mean_std(t, "macro_f1"), "training-set accuracy": t["train_accuracy"].round(3)})
        return view[cols]


def _mean_std(table: pd.DataFrame, metric: str) -> list:
    return [f"{m:.3f} ± {s:.3f}" for m, s in zip(table[metric], table[metric + "_std"])]


def baseline_results(runs: dict, corpora, *, n_boot: int = 1000, seed: int = 0) -> BaselineResults:
    """Score every run of :func:`~serlib.experiments.baselines.run_baselines` and
    :func:`~serlib.experiments.baselines.run_cross_corpus`.

    Serves notebook 05_baselines (section 3). Each corpus's entry also gets ``train_accuracy``: the paper-style
    training-set accuracy of the random split (else of the speaker-independent folds).

    Args:
        runs: ``{(model, corpus, protocol): BaselineRun}``.
        corpora: names of every corpus of the run.
        n_boot, seed: bootstrap resamples and their seed for the confidence intervals.
    """
    if any(not isinstance(k, tuple) or len(k) != 3 for k in runs):
        raise ValueError("runs must be keyed (model, corpus, protocol), as run_baselines() returns them")
    rows, base = [], {}
    for (model, name, proto), run in runs.items():
        met = run.metrics(n_boot=n_boot, seed=seed)
        base.setdefault(model, {}).setdefault(name, {})[proto] = {k: met[k] for k in BASELINE_METRIC_KEYS}
        rows.append({"corpus": name, "model": MODEL_TITLES[model], "protocol": proto,
                     **{k: met[k] for k in ("accuracy", "accuracy_std", "uar", "uar_std", "macro_f1", "macro_f1_std",
                                            "train_accuracy")},
                     "uar_ci_lo": met["uar_ci95"][0], "uar_ci_hi": met["uar_ci95"][1], "n_test": met["n_test"],
                     "ci": met["ci_method"]})
    for per_corpus in base.values():
        for node in per_corpus.values():
            ref = node.get("random_80_20") or node.get("speaker_independent")
            if ref:
                node["train_accuracy"] = ref["train_accuracy"]  # the paper-style training-set accuracy
    return BaselineResults(pd.DataFrame(rows, columns=RESULT_COLUMNS), {"baselines": base}, list(corpora))


def hyperparameter_table(runs: dict) -> pd.DataFrame:
    """Every fit of every run: ``seed, split, best_params, inner_cv, inner_cv_uar, fit_seconds, model, corpus,
    protocol``. Serves notebook 05_baselines ("Chosen hyper-parameters")."""
    fits = [run.fits.assign(model=m, corpus=c, protocol=p) for (m, c, p), run in runs.items()]
    empty = pd.DataFrame(columns=["seed", "split", "best_params", "inner_cv", "fit_seconds", "model", "corpus",
                                  "protocol"])
    return pd.concat(fits or [empty], ignore_index=True)


def hyperparameter_summary(fits: pd.DataFrame) -> pd.DataFrame:
    """Per corpus, protocol and model: number of fits, the most chosen hyper-parameters, the inner CV and the mean
    fit time (s). Serves notebook 05_baselines."""
    return fits.groupby(["corpus", "protocol", "model"]).agg(
        fits=("seed", "size"), most_chosen=("best_params", lambda s: s.value_counts().index[0]),
        inner_cv=("inner_cv", "first"), fit_seconds_mean=("fit_seconds", "mean")).round(2)


# ------------------------------------------------------------------------------ conclusions
def what_we_learned(emotion_gender: EmotionGenderTables, results: pd.DataFrame, *, corpora, protocols,
                    pairs=(), quick: bool = False) -> list[str]:
    """The measured conclusions of notebook 05, one Markdown bullet each.

    Serves notebook 05_baselines ("What we learned"): training- vs test-set accuracy of the 16-class task, the best
    baseline per corpus and protocol, the random-split vs speaker-independent gap, the cross-corpus range, and
    warnings for synthetic data and quick runs.

    Args:
        emotion_gender: from :func:`emotion_gender_tables`.
        results: :attr:`BaselineResults.table`.
        corpora: every corpus of the run.
        protocols: the within-corpus protocols that were asked for.
        pairs: the cross-corpus ``(train, test)`` pairs.
        quick: a quick run.
    """
    missing = [c for c in ("corpus", "protocol", "model", "uar", "accuracy") if c not in results.columns]
    if missing:
        raise ValueError(f"results lacks column(s) {missing}; pass BaselineResults.table")
    lines = []
    for model, per_proto in emotion_gender.scores.items():
        for proto, e in per_proto.items():
            lines.append(f"- {emotion_gender.n_classes}-class emotion x gender task, {MODEL_TITLES[model]}, {proto}: "
                         f"training-set accuracy {e['train_accuracy']:.1%} vs test-set accuracy {e['accuracy']:.1%} "
                         f"(measured here on {corpus_title(emotion_gender.corpus)}).")
    for name in corpora:
        sub = results[results["corpus"] == name].set_index(["protocol", "model"])
        for proto in protocols:
            if proto in sub.index.get_level_values(0):
                best = sub.loc[proto]["uar"].idxmax()
                lines.append(f"- {corpus_title(name)}, {proto}: best baseline by UAR is {best} "
                             f"({sub.loc[(proto, best), 'uar']:.1%}).")
        if set(WITHIN_CORPUS_PROTOCOLS) <= set(sub.index.get_level_values(0)):
            gaps = sub.loc["random_80_20"]["accuracy"] - sub.loc["speaker_independent"]["accuracy"]
            lines.append(f"- {corpus_title(name)}: moving from the random split to speaker-independent folds changes "
                         f"accuracy by {-100 * gaps.max():+.1f} to {-100 * gaps.min():+.1f} percentage points across "
                         f"the four baselines.")
    for a, b in pairs:
        sub = results[(results["corpus"] == a) & (results["protocol"] == f"cross_corpus_to_{b}")]
        lines.append(f"- trained on {corpus_title(a)}, tested on {corpus_title(b)}: UAR {sub['uar'].min():.1%} to "
                     f"{sub['uar'].max():.1%} across the baselines.")
    if any(is_synthetic(n) for n in corpora):
        lines.append("- The embedded corpus is SYNTHETIC speech: its numbers test the pipeline, not emotion recognition.")
    if quick:
        lines.append("- This was a QUICK run (subsets, small forests and grids): the numbers are not meaningful.")
    return lines

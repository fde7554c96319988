"""The speaker-independent leaderboard: every model on the same folds and seeds, ensembles, paired ablations.

Serves notebook 04_cnn_lstm (section "Leaderboard"), and through ``metrics.json`` (``leaderboard.*``) the
model card and notebook 06.

An :class:`Entry` holds the test predictions of one model under one protocol, for every seed, with class
probabilities, so entries can be ensembled (:func:`seed_ensemble_entry`), fused (:func:`late_fusion_entry`)
and compared pairwise (:func:`paired_ablation`). :func:`leaderboard_table` turns entries into the published
table: ``corpus`` is the training corpus; ``protocol`` is ``speaker_independent``, ``random_80_20`` or
``cross_corpus_to_<corpus>``.

Intervals: :func:`seed_speaker_bootstrap` resamples seeds *and* test speakers (or utterances, with fewer than
:data:`serlib.evaluation.MIN_CLUSTERS` test speakers) together, so an interval includes seed variation and is
never narrower than the spread over seeds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .baselines import protocol_splits
from .evaluation import MIN_CLUSTERS, Split, confusion_codes, cross_corpus_positions, metrics_from_codes
from .experiments import run_protocol
from .features import FeatureSet
from . import targets as _targets
from .speaker_norm import SPKNORM_SUFFIX, speaker_normalize_frames, speaker_normalize_matrix

#: Columns of ``leaderboard.csv``, in order.
LEADERBOARD_COLUMNS = ("corpus", "protocol", "model", "n_seeds", "wa", "uar", "macro_f1", "uar_ci_low",
                       "uar_ci_high", "min_recall", "n_parameters", "train_seconds_per_fold")

#: Published anchors for RAVDESS speech, speaker-independent (actor-disjoint folds). **Reported** by their
#: authors, never measured here; ``metric`` says whether the number is WA or UAR.
PUBLISHED_ANCHORS: tuple[dict, ...] = (
    dict(model="ResLSTM + soft attention (from scratch)", metric="uar", value=62.3,
         protocol="5 folds by actor", source="Mak-Sim/ResLSTM-SER (reported)"),
    dict(model="EmoBox wav2vec2-base (frozen)", metric="wa", value=55.4, protocol="EmoBox 6 folds",
         source="EmoBox (Ma et al. 2024, reported)"),
    dict(model="EmoBox HuBERT-base (frozen)", metric="wa", value=66.2, protocol="EmoBox 6 folds",
         source="EmoBox (Ma et al. 2024, reported)"),
    dict(model="EmoBox HuBERT-large (frozen)", metric="wa", value=70.3, protocol="EmoBox 6 folds",
         source="EmoBox (Ma et al. 2024, reported)"),
    dict(model="EmoBox WavLM-large (frozen)", metric="wa", value=72.2, protocol="EmoBox 6 folds",
         source="EmoBox (Ma et al. 2024, reported)"),
    dict(model="EmoBox Whisper-large-v3 (frozen)", metric="wa", value=75.9, protocol="EmoBox 6 folds",
         source="EmoBox (Ma et al. 2024, reported)"),
)


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
    """Train and test a deep model (any config :func:`serlib.experiments.make_classifier` knows).

    Args:
        model: leaderboard name; a name ending in ``_spknorm`` normalises every corpus per speaker first.
        feature_sets: ``{corpus: FeatureSet}`` (the features the config expects).
        corpus: training corpus.
        protocol: ``speaker_independent``, ``random_80_20`` (re-drawn per seed) or ``cross_corpus_to_<b>``.
        config: a :class:`serlib.models.CnnLstmConfig` or :class:`serlib.crnn.ConvRecurrentConfig`.
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
            raise ValueError(f"{corpus} and {other} share fewer than 2 emotions")
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
    """An entry from :class:`serlib.experiments.ProtocolResult` objects trained elsewhere (notebook 04's
    paper-architecture protocol runs), ``manifest`` being the test-side manifest."""
    pred = _with_paths(pd.concat([r.predictions for r in results], ignore_index=True), manifest, "position")
    trainings = pd.concat([r.trainings for r in results], ignore_index=True)
    return Entry(model, corpus, protocol, list(results[0].labels), pred.drop(columns="position"),
                 float(trainings["n_parameters"].iloc[0]), float(trainings["seconds"].mean()), trainings)


def classical_entry(model: str, functional_sets: dict, corpus: str, protocol: str, seeds, *, config=None,
                    n_folds: int | None = None, progress: bool = True) -> Entry:
    """A classical baseline of :mod:`serlib.baselines` on the leaderboard's folds, with class probabilities.

    Args:
        model: ``svm_egemaps``, ``svm_mfcc``, ``random_forest`` or ``decision_tree``, optionally with the
            ``_spknorm`` suffix (features z-normalised per speaker before the usual training-set scaler).
        functional_sets: ``{corpus: (X, manifest)}``: utterance features and their manifest rows.
        config: :class:`serlib.baselines.BaselineConfig` (``None``: defaults).
    """
    import time

    from .progress import tqdm

    from .baselines import make_baseline

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


def seed_ensemble_entry(entry: Entry, name: str | None = None) -> Entry:
    """Average the class probabilities of every seed's model per test utterance (``seed = "ensemble"``)."""
    p = entry.predictions
    counts = p.groupby("path")["seed"].nunique()
    if counts.nunique() != 1:
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


# ------------------------------------------------------------------------------------------ metrics
def _confusion_codes(pred: pd.DataFrame, labels) -> tuple[np.ndarray, np.ndarray, int]:
    return confusion_codes(pred["y_true"], pred["y_pred"], labels)


def per_class_recall(entry: Entry) -> pd.DataFrame:
    """Recall of every class, mean and std over seeds (``class, recall, recall_std, support``)."""
    rows = {}
    for s, g in entry.predictions.groupby("seed"):
        t, p, k = _confusion_codes(g, entry.labels)
        rows[s] = metrics_from_codes(t, p, k)[3]
    r = np.array(list(rows.values()))
    support = entry.predictions.groupby("y_true")["seed"].size() / max(len(rows), 1)
    return pd.DataFrame({"class": entry.labels, "recall": np.nanmean(r, axis=0),
                         "recall_std": np.nanstd(r, axis=0, ddof=1) if len(r) > 1 else np.zeros(len(entry.labels)),
                         "support": [int(support.get(l, 0)) for l in entry.labels]})


def _resample_groups(pred: pd.DataFrame) -> tuple[np.ndarray, str]:
    n_spk = pred["speaker"].nunique()
    if n_spk >= MIN_CLUSTERS:
        return pred["speaker"].astype(str).to_numpy(), f"seeds x test speakers ({n_spk})"
    return pred["path"].astype(str).to_numpy(), (f"seeds x test utterances (only {n_spk} test speakers: too few "
                                                 "to resample speakers)")


def _seed_group_draws(seed_arr: np.ndarray, groups: np.ndarray, seeds, n_boot: int, seed: int):
    """Row indices of ``n_boot`` bootstrap replicates that draw seeds and groups (speakers or utterances) with
    replacement, and take every row of each drawn (seed, group) pair."""
    uniq = np.unique(groups)
    members = {(s, g): np.flatnonzero((seed_arr == s) & (groups == g)) for s in seeds for g in uniq}
    rng = np.random.default_rng(seed)
    for _ in range(n_boot):
        ss = rng.choice(len(seeds), len(seeds))
        gg = rng.integers(0, len(uniq), len(uniq))
        yield np.concatenate([members[(seeds[i], uniq[j])] for i in ss for j in gg])


def seed_speaker_bootstrap(entry: Entry, *, n_boot: int = 1000, seed: int = 0, level: float = 0.95,
                           metric: str = "uar") -> tuple[float, float, str]:
    """Percentile CI of a metric, resampling seeds and test speakers (or utterances) together.

    Each replicate draws seeds with replacement and speakers with replacement, pools the chosen speakers'
    predictions of the chosen seeds and computes the metric. Returns ``(low, high, method)``.
    """
    idx = {"accuracy": 0, "wa": 0, "uar": 1, "macro_f1": 2}[metric]
    p = entry.predictions
    seeds = entry.seeds
    groups, method = _resample_groups(p)
    t, pr, k = _confusion_codes(p, entry.labels)
    draws = _seed_group_draws(p["seed"].astype(str).to_numpy(), groups, [str(s) for s in seeds], n_boot, seed)
    stats = np.array([metrics_from_codes(t[rows], pr[rows], k)[idx] for rows in draws])
    q = [(1 - level) / 2 * 100, (1 + level) / 2 * 100]
    lo, hi = np.percentile(stats, q)
    return float(lo), float(hi), method


def entry_metrics(entry: Entry, *, n_boot: int = 1000, seed: int = 0) -> dict:
    """Mean over seeds of WA / UAR / macro-F1 / worst-class recall, their std, and the seed x speaker CI."""
    per = []
    for _, g in entry.predictions.groupby("seed"):
        t, p, k = _confusion_codes(g, entry.labels)
        wa, uar, f1, rec = metrics_from_codes(t, p, k)
        per.append((wa, uar, f1, float(np.nanmin(rec))))
    per = np.array(per)
    lo, hi, method = seed_speaker_bootstrap(entry, n_boot=n_boot, seed=seed)
    std = per.std(axis=0, ddof=1) if len(per) > 1 else np.zeros(4)
    return {"n_seeds": len(per), "wa": per[:, 0].mean(), "uar": per[:, 1].mean(), "macro_f1": per[:, 2].mean(),
            "min_recall": per[:, 3].mean(), "wa_std": std[0], "uar_std": std[1], "uar_ci_low": lo,
            "uar_ci_high": hi, "ci_method": method, "n_parameters": entry.n_parameters,
            "train_seconds_per_fold": entry.train_seconds_per_fold,
            "n_test_utterances": int(entry.predictions["path"].nunique())}


def leaderboard_table(entries, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """One row per entry, columns :data:`LEADERBOARD_COLUMNS` plus ``uar_std, wa_std, ci_method``; sorted by
    corpus, protocol and UAR (best first)."""
    rows = [{"corpus": e.corpus, "protocol": e.protocol, "model": e.model, **entry_metrics(e, n_boot=n_boot, seed=seed)}
            for e in entries]
    table = pd.DataFrame(rows)
    extra = [c for c in table.columns if c not in LEADERBOARD_COLUMNS]
    table = table[list(LEADERBOARD_COLUMNS) + extra]
    return table.sort_values(["corpus", "protocol", "uar"], ascending=[True, True, False]).reset_index(drop=True)


def leaderboard_metrics(table: pd.DataFrame) -> dict:
    """``{corpus: {protocol: {model: {...}}}}`` for ``metrics.json`` (key ``leaderboard``)."""
    out: dict = {}
    for r in table.to_dict("records"):
        out.setdefault(r["corpus"], {}).setdefault(r["protocol"], {})[r["model"]] = {
            k: v for k, v in r.items() if k not in ("corpus", "protocol", "model")}
    return out


def paired_ablation(reference: Entry, variants: dict, *, n_boot: int = 1000, seed: int = 0) -> pd.DataFrame:
    """UAR of each variant minus the reference's, on the same test utterances and seeds, with a paired CI.

    Only seeds both entries ran are compared. The CI resamples (shared) seeds and test speakers together and
    recomputes both UARs on the same draw, so it is a paired interval.

    Args:
        reference: the entry the others differ from by one technique.
        variants: ``{description: Entry}``.
    """
    rows = []
    for desc, var in variants.items():
        common = sorted(set(map(str, reference.seeds)) & set(map(str, var.seeds)))
        if not common:
            raise ValueError(f"{desc}: no seed in common with the reference")
        a = reference.predictions[reference.predictions["seed"].astype(str).isin(common)]
        b = var.predictions[var.predictions["seed"].astype(str).isin(common)]
        key_a = a["seed"].astype(str) + "|" + a["path"]
        key_b = b["seed"].astype(str) + "|" + b["path"]
        shared = sorted(set(key_a) & set(key_b))
        a = a[key_a.isin(shared).to_numpy()].assign(key=lambda d: d["seed"].astype(str) + "|" + d["path"]).sort_values("key")
        b = b[key_b.isin(shared).to_numpy()].assign(key=lambda d: d["seed"].astype(str) + "|" + d["path"]).sort_values("key")
        ta, pa, k = _confusion_codes(a, reference.labels)
        tb, pb, _ = _confusion_codes(b, reference.labels)
        seeds_arr = a["seed"].astype(str).to_numpy()
        groups, method = _resample_groups(a)
        per_seed = []
        for s in common:
            m = seeds_arr == s
            per_seed.append(metrics_from_codes(tb[m], pb[m], k)[1] - metrics_from_codes(ta[m], pa[m], k)[1])
        diffs = np.array([metrics_from_codes(tb[rows], pb[rows], k)[1] - metrics_from_codes(ta[rows], pa[rows], k)[1]
                          for rows in _seed_group_draws(seeds_arr, groups, common, n_boot, seed)])
        lo, hi = np.percentile(diffs, [2.5, 97.5])
        rows.append({"variant": desc, "model": var.model, "reference": reference.model, "n_seeds": len(common),
                     "uar_reference": float(np.mean([metrics_from_codes(ta[seeds_arr == s], pa[seeds_arr == s], k)[1]
                                                     for s in common])),
                     "uar_variant": float(np.mean([metrics_from_codes(tb[seeds_arr == s], pb[seeds_arr == s], k)[1]
                                                   for s in common])),
                     "uar_diff": float(np.mean(per_seed)), "uar_diff_ci_low": float(lo), "uar_diff_ci_high": float(hi),
                     "train_seconds_per_fold": var.train_seconds_per_fold, "n_parameters": var.n_parameters,
                     "ci_method": "paired, " + method})
    return pd.DataFrame(rows)


# ------------------------------------------------------------------------------------------- the plan
#: In :attr:`DeepRow.corpora`: the run's ablation corpus (RAVDESS when present).
ABLATION_CORPUS = "@ablation"


@dataclass(frozen=True)
class DeepRow:
    """One deep-model row of the leaderboard.

    Attributes:
        model: leaderboard name (``_spknorm`` suffix: per-speaker normalised features).
        config: :class:`serlib.crnn.ConvRecurrentConfig` (or :class:`serlib.models.CnnLstmConfig`).
        protocols: protocols to run (``cross_corpus`` expands to every other corpus of the run).
        corpora: training corpora (``None``: every corpus of the run; :data:`ABLATION_CORPUS` stands for the
            plan's ablation corpus).
    """

    model: str
    config: object
    protocols: tuple = ("speaker_independent",)
    corpora: tuple | None = None


@dataclass(frozen=True)
class AblationRow:
    """A variant of the reference row that changes one technique, trained on the reference's folds with the
    first seed only (or read from another row's first seed when ``from_row`` names it)."""

    description: str
    model: str
    config: object = None
    from_row: str | None = None


@dataclass(frozen=True)
class LeaderboardPlan:
    """Every row, ensemble, fusion and ablation of the leaderboard (one place for all of its settings).

    Attributes:
        deep: deep-model rows.
        classical: classical baseline names (each also run with ``_spknorm``), speaker-independent.
        classical_cross_corpus: classical rows also run cross-corpus (for the fusion there).
        seed_ensembles: deep rows that get a seed-ensemble row.
        fusions: ``(deep row, classical row)`` pairs fused with equal weights.
        reference: the row the ablation differs from.
        ablations: the paired ablation variants.
        ablation_corpus: corpus of the ablation and of the per-class recall (``None``: the first corpus with at
            least 4 speakers, RAVDESS when present).
    """

    deep: tuple
    classical: tuple = ("svm_egemaps", "svm_mfcc", "random_forest", "decision_tree")
    classical_cross_corpus: tuple = ("svm_egemaps", "svm_egemaps_spknorm")
    seed_ensembles: tuple = ()
    fusions: tuple = ()
    reference: str = ""
    ablations: tuple = ()
    ablation_corpus: str | None = None


@dataclass
class LeaderboardResult:
    """What :func:`run_leaderboard` returns: entries, the table, the paired ablation and per-class recall."""

    entries: dict
    table: pd.DataFrame
    ablation: pd.DataFrame
    per_class: pd.DataFrame
    models: dict
    skipped: list
    ablation_corpus: str = ""
    best_model: str | None = None


def _expand(protocols, corpus, corpora):
    out = []
    for p in protocols:
        if p == "cross_corpus":
            out += [f"cross_corpus_to_{b}" for b in corpora if b != corpus]
        else:
            out.append(p)
    return out


def run_leaderboard(plan: LeaderboardPlan, deep_features: dict, functionals: dict, seeds, *,
                    extra_entries=(), n_folds: int | None = None, n_boot: int = 1000, keep_models_of=(),
                    progress: bool = True) -> LeaderboardResult:
    """Run a :class:`LeaderboardPlan`: every row on the same folds and seeds, then ensembles, fusions and the
    paired ablation.

    Serves notebook 04_cnn_lstm, section "Leaderboard".

    Args:
        plan: rows and variants.
        deep_features: ``{corpus: FeatureSet}`` for the deep rows.
        functionals: ``{"egemaps" | "mfcc_stats": {corpus: (X, manifest)}}`` for the classical rows.
        seeds: seeds of every row.
        extra_entries: entries trained elsewhere on the same folds (notebook 04's paper-architecture runs).
        n_folds: speaker-independent folds (``None``: protocol default, RAVDESS = EmoBox folds).
        keep_models_of: ``(model, corpus, protocol)`` whose fitted models are returned in ``models``.

    A protocol a corpus cannot run (too few speakers, no shared emotions) is skipped with a one-line reason in
    ``skipped``, never a traceback.
    """
    from .baselines import MODEL_FEATURES, BaselineConfig

    seeds = list(seeds)
    corpora = list(deep_features)
    ab_corpus = plan.ablation_corpus or next(
        (c for c in (["ravdess"] if "ravdess" in corpora else []) + corpora
         if deep_features[c].manifest["speaker"].nunique() >= 4), corpora[0])
    entries: dict = {(e.model, e.corpus, e.protocol): e for e in extra_entries}
    models, skipped = {}, []

    def add(key, fn):
        try:
            out = fn()
        except ValueError as err:
            skipped.append(f"{key[0]} {key[1]} {key[2]}: {str(err).splitlines()[0]}")
            return None
        entries[key] = out
        return out

    for row in plan.deep:
        for corpus in [ab_corpus if c == ABLATION_CORPUS else c for c in (row.corpora or corpora)]:
            if corpus not in deep_features:
                continue
            for proto in _expand(row.protocols, corpus, corpora):
                key = (row.model, corpus, proto)
                keep = key in set(keep_models_of)

                def train(row=row, corpus=corpus, proto=proto, key=key, keep=keep):
                    e, m = deep_entry(row.model, deep_features, corpus, proto, row.config, seeds, n_folds=n_folds,
                                      progress=progress, keep_models=keep)
                    if keep:
                        models[key] = m
                    return e
                add(key, train)
    config = BaselineConfig(svm_probability=True)
    for base in plan.classical:
        feats = functionals.get(MODEL_FEATURES[base], {})
        for name in (base, base + SPKNORM_SUFFIX):
            for corpus in feats:
                protos = ["speaker_independent"] + ([f"cross_corpus_to_{b}" for b in feats if b != corpus]
                                                    if name in plan.classical_cross_corpus else [])
                for proto in protos:
                    add((name, corpus, proto), lambda name=name, corpus=corpus, proto=proto, feats=feats: classical_entry(
                        name, feats, corpus, proto, seeds, config=config, n_folds=n_folds, progress=progress))
    for model in plan.seed_ensembles:
        for (m, c, p), e in list(entries.items()):
            if m == model and len(e.seeds) > 1:
                add((f"{m}_seed_ensemble", c, p), lambda e=e: seed_ensemble_entry(e))
    for deep, classical in plan.fusions:
        for (m, c, p), e in list(entries.items()):
            if m == deep and (classical, c, p) in entries:
                name = f"fusion_{deep}+{classical}"
                add((name, c, p), lambda e=e, o=entries[(classical, c, p)], name=name: late_fusion_entry(e, o, name=name))
    table = leaderboard_table(entries.values(), n_boot=n_boot)

    ablation = pd.DataFrame()
    ref_key = (plan.reference, ab_corpus, "speaker_independent")
    if plan.ablations and ref_key in entries:
        ref = entries[ref_key]
        first = [sorted(ref.seeds, key=str)[0]]
        variants = {}
        for ab in plan.ablations:
            if ab.from_row is not None:
                src = entries.get((ab.from_row, ab_corpus, "speaker_independent"))
                if src is None:
                    skipped.append(f"ablation '{ab.description}': row {ab.from_row} was not run")
                    continue
                variants[ab.description] = src
            else:
                e = add((ab.model, ab_corpus, "speaker_independent"),
                        lambda ab=ab: deep_entry(ab.model, deep_features, ab_corpus, "speaker_independent",
                                                 ab.config, first, n_folds=n_folds, progress=progress)[0])
                if e is not None:
                    variants[ab.description] = e
        ablation = paired_ablation(ref, variants, n_boot=n_boot)
    best = best_row(table, ab_corpus, exclude_prefix="ablation_")
    per_class = pd.DataFrame()
    if best is not None:
        per_class = per_class_recall(entries[(best, ab_corpus, "speaker_independent")]).assign(
            model=best, corpus=ab_corpus, protocol="speaker_independent")
    return LeaderboardResult(entries, table, ablation, per_class, models, skipped, ab_corpus, best)


def best_row(table: pd.DataFrame, corpus: str, *, prefix: str | None = None, exclude_prefix: str | None = None,
             protocol: str = "speaker_independent") -> str | None:
    """Name of the row with the highest UAR for ``corpus`` / ``protocol`` (optionally among names starting with
    ``prefix`` and not with ``exclude_prefix``), or ``None``."""
    t = table[(table["corpus"] == corpus) & (table["protocol"] == protocol)]
    if prefix is not None:
        t = t[t["model"].str.startswith(prefix)]
    if exclude_prefix is not None:
        t = t[~t["model"].str.startswith(exclude_prefix)]
    return None if t.empty else str(t.sort_values("uar", ascending=False)["model"].iloc[0])


#: Names of the two ablation rows that remove one half of the hybrid (read by the claims audit).
ABLATION_LSTM_ONLY = "LSTM only (no CNN front end)"
ABLATION_CNN_ONLY = "CNN only (no LSTM, statistics pooling)"


def default_plan(*, quick: bool = False, max_epochs: int | None = None) -> LeaderboardPlan:
    """The leaderboard of the reference run (notebook 04). ``quick``: CI-sized settings (numbers mean nothing);
    ``max_epochs`` caps every deep row's epochs (the demo budget)."""
    from .crnn import CNN_LSTM_SETTING, CNN_ONLY_SETTING, LSTM_ATTENTION_SETTING, quick_setting

    def sized(cfg):
        cfg = quick_setting(cfg) if quick else cfg
        if max_epochs is not None and cfg.epochs > max_epochs:
            cfg = dataclasses.replace(cfg, epochs=max_epochs, patience=min(cfg.patience, max_epochs))
        return cfg

    best, lstm, cnn = sized(CNN_LSTM_SETTING), sized(LSTM_ATTENTION_SETTING), sized(CNN_ONLY_SETTING)
    return LeaderboardPlan(
        deep=(DeepRow("cnn_lstm_spknorm", best, ("speaker_independent", "cross_corpus")),
              DeepRow("cnn_lstm_spknorm", best, ("random_80_20",), corpora=("tess",)),
              DeepRow("cnn_lstm", best, ("speaker_independent",)),
              DeepRow("lstm_attention_spknorm", lstm, ("speaker_independent",), corpora=(ABLATION_CORPUS,))),
        seed_ensembles=("cnn_lstm_spknorm", "cnn_lstm"),
        fusions=(("cnn_lstm_spknorm", "svm_egemaps_spknorm"), ("cnn_lstm", "svm_egemaps")),
        reference="cnn_lstm_spknorm",
        ablations=(AblationRow("without per-speaker normalisation", "cnn_lstm", from_row="cnn_lstm"),
                   AblationRow(ABLATION_LSTM_ONLY, "lstm_attention_spknorm",
                               from_row="lstm_attention_spknorm"),
                   AblationRow(ABLATION_CNN_ONLY, "ablation_cnn_only_spknorm", cnn),
                   AblationRow("without SpecAugment", "ablation_no_specaugment_spknorm",
                               dataclasses.replace(best, spec_augment=False))),
    )


#: Targets of the leaderboard, read by notebook 04's summary (defined in :mod:`serlib.targets`).
TARGETS = _targets.LEADERBOARD


def _pct(x) -> str:
    return f"{100 * float(x):.1f} %"


def targets_markdown(board: LeaderboardResult, *, quick: bool = False) -> str:
    """The leaderboard's results against :data:`TARGETS`, as Markdown bullet lines read from the table.

    Serves notebook 04 (the summary under the leaderboard); every number comes from ``board.table``.
    """
    t = board.table
    lines = []

    def row(corpus, protocol, model):
        r = t[(t["corpus"] == corpus) & (t["protocol"] == protocol) & (t["model"] == model)]
        return None if r.empty else r.iloc[0]

    def verdict(ok):
        return "**reached**" if ok else "**not reached**"

    for corpus in sorted(t["corpus"].unique()):
        best = best_row(t, corpus, exclude_prefix="ablation_")
        if best is None:
            continue
        b = row(corpus, "speaker_independent", best)
        lines.append(f"- {corpus}, speaker-independent, best row **{best}**: UAR {_pct(b['uar'])} "
                     f"(95 % interval {_pct(b['uar_ci_low'])} to {_pct(b['uar_ci_high'])}, {int(b['n_seeds'])} "
                     f"seed(s)), WA {_pct(b['wa'])}, worst-class recall {_pct(b['min_recall'])}.")
        deep = best_row(t, corpus, prefix="cnn_lstm", exclude_prefix="cnn_lstm_paper")
        svm = best_row(t, corpus, prefix="svm_egemaps")
        paper = row(corpus, "speaker_independent", "cnn_lstm_paper")
        if deep is not None and svm is not None:
            d, s = row(corpus, "speaker_independent", deep), row(corpus, "speaker_independent", svm)
            gap = d["uar"] - s["uar"]
            lines.append(f"  - best hybrid `{deep}` {_pct(d['uar'])} vs best eGeMAPS SVM `{svm}` {_pct(s['uar'])}: "
                         f"{100 * gap:+.1f} points" + (f"; the paper-architecture `cnn_lstm_paper` "
                                                      f"{_pct(paper['uar'])}." if paper is not None else "."))
        if corpus == "ravdess":
            lines.append(f"  - target best UAR >= {_pct(TARGETS['best_uar_ravdess_si'])}: "
                         f"{verdict(b['uar'] >= TARGETS['best_uar_ravdess_si'])}; worst-class recall >= "
                         f"{_pct(TARGETS['best_min_recall_ravdess_si'])}: "
                         f"{verdict(b['min_recall'] >= TARGETS['best_min_recall_ravdess_si'])}.")
            if deep is not None and svm is not None:
                need = s["uar"] + TARGETS["cnn_lstm_margin_over_svm_egemaps"]
                lines.append(f"  - target best `cnn_lstm*` >= best `svm_egemaps*` + "
                             f"{100 * TARGETS['cnn_lstm_margin_over_svm_egemaps']:.0f} points ({_pct(need)}) and "
                             f"above nkululeko's {_pct(TARGETS['nkululeko_uar_ravdess_si_reported'])} (reported in "
                             f"the issue, same folds): {verdict(d['uar'] >= need)} / "
                             f"{verdict(d['uar'] > TARGETS['nkululeko_uar_ravdess_si_reported'])}.")
        if corpus == "tess":
            lines.append(f"  - target best UAR >= {_pct(TARGETS['best_uar_tess_si'])}: "
                         f"{verdict(b['uar'] >= TARGETS['best_uar_tess_si'])}.")
            r = row("tess", "random_80_20", "cnn_lstm_spknorm")
            if r is not None:
                lines.append(f"  - TESS random 80/20, `cnn_lstm_spknorm`: WA {_pct(r['wa'])}; target >= "
                             f"{_pct(TARGETS['tess_random_wa'])}: {verdict(r['wa'] >= TARGETS['tess_random_wa'])}.")
    deep_rows = t[t["model"].isin(["cnn_lstm", "cnn_lstm_spknorm"]) & (t["protocol"] == "speaker_independent")]
    if not deep_rows.empty:
        sec = deep_rows["train_seconds_per_fold"].max()
        lines.append(f"- Cost: one fold x one seed of `cnn_lstm` trains in {sec:.0f} s at most on this machine "
                     f"(target <= {TARGETS['train_seconds_per_fold']:.0f} s: "
                     f"{verdict(sec <= TARGETS['train_seconds_per_fold'])}).")
    if quick:
        lines.append("- This is a **quick** run (subsets, 2 epochs, small networks): its numbers are not meaningful.")
    return "\n".join(lines)

"""The speaker-independent leaderboard: every model on the same folds and seeds, ensembles, paired ablations.

Serves notebook 04_cnn_lstm (section "Leaderboard"), and through ``metrics.json`` (``leaderboard.*``) the
model card and notebook 06.

An :class:`Entry` holds the test predictions of one model under one protocol, for every seed, with class
probabilities, so entries can be ensembled (:func:`seed_ensemble_entry`), fused (:func:`late_fusion_entry`)
and compared pairwise (:func:`paired_ablation`). :func:`leaderboard_table` turns entries into the published
table: ``corpus`` is the training corpus; ``protocol`` is ``speaker_independent``, ``random_80_20`` or
``cross_corpus_to_<corpus>``.

Intervals: :func:`seed_speaker_bootstrap` resamples seeds *and* test speakers (or utterances, with fewer than
:data:`serlib.evaluation.splits.MIN_CLUSTERS` test speakers) together, so an interval includes seed variation and is
never narrower than the spread over seeds.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import pandas as pd

from serlib import targets as _targets
from serlib.experiments.leaderboard.entries import (
    classical_entry,
    deep_entry,
    late_fusion_entry,
    seed_ensemble_entry,
    shares_test_set_across_seeds,
)
from serlib.experiments.leaderboard.statistics import leaderboard_table, paired_ablation, per_class_recall
from serlib.features.speaker_norm import SPKNORM_SUFFIX
from serlib.messages import InsufficientDataError
from serlib.reporting.formatting import pct as _pct
from serlib.reporting.formatting import percent_columns

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


# ------------------------------------------------------------------------------------------- the plan
#: In :attr:`DeepRow.corpora`: the run's ablation corpus (RAVDESS when present).
ABLATION_CORPUS = "@ablation"


@dataclass(frozen=True)
class DeepRow:
    """One deep-model row of the leaderboard.

    Attributes:
        model: leaderboard name (``_spknorm`` suffix: per-speaker normalised features).
        config: :class:`serlib.models.conv_recurrent.ConvRecurrentConfig` (or :class:`serlib.models.cnn_lstm.CnnLstmConfig`).
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
    ``skipped`` as ``(what, corpus, reason)``, never a traceback.
    """
    from serlib.models.classical import MODEL_FEATURES, BaselineConfig

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
        except InsufficientDataError as err:  # the corpus is too small for this row; any other error stops
            skipped.append((f"{key[0]} {key[2]}", key[1], str(err).splitlines()[0]))
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
            if m == model and len(e.seeds) > 1 and shares_test_set_across_seeds(e):  # not random_80_20
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
                    skipped.append((f"ablation '{ab.description}'", ab_corpus, f"row {ab.from_row} was not run"))
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


def row_seeds(table: pd.DataFrame, corpus: str, protocol: str, model: str) -> int:
    """Seeds behind one row of the leaderboard table (for figure footers)."""
    row = table[(table["corpus"] == corpus) & (table["protocol"] == protocol) & (table["model"] == model)]
    if row.empty:
        raise ValueError(f"no leaderboard row {model!r} for {corpus} / {protocol}")
    return int(row["n_seeds"].iloc[0])


def ablation_display(ablation: pd.DataFrame) -> pd.DataFrame:
    """The paired-ablation table as notebook 04 shows it: percentages, the columns a reader compares."""
    shown = percent_columns(ablation, ("uar_reference", "uar_variant", "uar_diff", "uar_diff_ci_low",
                                       "uar_diff_ci_high"))
    return shown[["variant", "n_seeds", "uar_reference", "uar_variant", "uar_diff", "uar_diff_ci_low",
                  "uar_diff_ci_high", "train_seconds_per_fold"]]


#: Names of the two ablation rows that remove one half of the hybrid (read by the claims audit).
ABLATION_LSTM_ONLY = "LSTM only (no CNN front end)"
ABLATION_CNN_ONLY = "CNN only (no LSTM, statistics pooling)"


def default_plan(*, quick: bool = False, max_epochs: int | None = None) -> LeaderboardPlan:
    """The leaderboard of the reference run (notebook 04). ``quick``: CI-sized settings (numbers mean nothing);
    ``max_epochs`` caps every deep row's epochs (the demo budget)."""
    from serlib.models.conv_recurrent import quick_setting
    from serlib.models.presets import CNN_ONLY_SETTING, LSTM_ATTENTION_SETTING, STRONG_HYBRID_SETTING, cap_epochs

    def sized(cfg):
        return cap_epochs(quick_setting(cfg) if quick else cfg, max_epochs)

    best, lstm, cnn = sized(STRONG_HYBRID_SETTING), sized(LSTM_ATTENTION_SETTING), sized(CNN_ONLY_SETTING)
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

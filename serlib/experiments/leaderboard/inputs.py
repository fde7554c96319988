"""What the leaderboard is fed, and what it writes to ``metrics.json``.

Serves notebook 04_cnn_lstm (section 4): the features of each row family and the paper model's runs as entries
go in; the ablation and per-class recall come out as ``leaderboard_ablation`` and
``leaderboard_per_class_recall`` metrics.
"""

from __future__ import annotations

from serlib.experiments.leaderboard.entries import entry_from_results
from serlib.features.egemaps import extract_egemaps
from serlib.features.extract import extract_features
from serlib.models.conv_recurrent import CRNN_FEATURES

#: Paper-model protocols that join the leaderboard as ``cnn_lstm_paper`` rows.
PAPER_ROW_PROTOCOLS = ("speaker_independent", "random_80_20")


def leaderboard_inputs(manifests: dict, feature_sets: dict, results: dict, *, n_jobs: int = 1):
    """The leaderboard's inputs for the run's corpora.

    Args:
        manifests: ``{corpus: manifest}``.
        feature_sets: ``{corpus: FeatureSet}`` of the paper model (their utterance statistics feed the MFCC SVM).
        results: the paper model's runs, ``{(corpus, protocol): [ProtocolResult]}``
            (:func:`serlib.experiments.paper_model.run_protocols`).

    Returns:
        ``(deep_features, functionals, paper_entries)``: log-mel features of the deep rows per corpus;
        ``{"egemaps" | "mfcc_stats": {corpus: (X, manifest)}}``; the paper model's runs as entries.
    """
    deep_features = {name: extract_features(m, CRNN_FEATURES, n_jobs=n_jobs, progress=False)
                     for name, m in manifests.items()}
    functionals = {"egemaps": {}, "mfcc_stats": {}}
    for name, m in manifests.items():
        eg = extract_egemaps(m, n_jobs=n_jobs, progress=False)
        functionals["egemaps"][name] = (eg.features, eg.manifest)
        functionals["mfcc_stats"][name] = (feature_sets[name].statistics(), feature_sets[name].manifest)
    paper_entries = [
        entry_from_results("cnn_lstm_paper", name, proto, res,
                           feature_sets[proto.removeprefix("cross_corpus_to_")].manifest
                           if proto.startswith("cross_corpus_to_") else feature_sets[name].manifest)
        for (name, proto), res in results.items()
        if proto in PAPER_ROW_PROTOCOLS or proto.startswith("cross_corpus_to_")]
    return deep_features, functionals, paper_entries


def ablation_metrics(board) -> dict:
    """``{corpus: {variant: {uar_reference, uar_variant, uar_diff, uar_diff_ci_low, uar_diff_ci_high, n_seeds}}}``
    (metrics ``leaderboard_ablation``); empty when the board has no ablation."""
    if board.ablation.empty:
        return {}
    keys = ("uar_reference", "uar_variant", "uar_diff", "uar_diff_ci_low", "uar_diff_ci_high", "n_seeds")
    return {board.ablation_corpus: {r["variant"]: {k: r[k] for k in keys} for r in board.ablation.to_dict("records")}}


def per_class_metrics(board) -> dict:
    """``{corpus: {best model: {class: recall}}}`` (metrics ``leaderboard_per_class_recall``); empty when none."""
    if board.per_class.empty:
        return {}
    return {board.ablation_corpus: {board.best_model: {r["class"]: r["recall"]
                                                       for r in board.per_class.to_dict("records")}}}

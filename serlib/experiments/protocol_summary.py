"""The paper-architecture CNN-LSTM under each protocol, side by side: one table row and one metrics entry each.

Serves notebook 04_cnn_lstm (section "Results side by side"). Kept apart from
:mod:`serlib.experiments.protocols` (whose code the result cache hashes): this module only summarises
predictions, it never trains."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.evaluation.intervals import seed_speaker_intervals
from serlib.experiments.protocols import seed_ensemble, summarise_predictions

SUMMARY_COLUMNS = ("corpus", "protocol", "accuracy", "accuracy_std", "uar", "uar_std", "macro_f1", "macro_f1_std",
                   "accuracy 95% CI", "CI method", "seeds", "test utterances", "epochs (mean)", "s/epoch")


def summarise_run(predictions: pd.DataFrame, *, n_boot: int = 1000, seed: int = 0, cluster: bool = True) -> dict:
    """:func:`serlib.experiments.protocols.summarise_predictions` (means and stds over seeds) with the project's
    interval (:func:`serlib.evaluation.intervals.seed_speaker_intervals`: seeds x test speakers)."""
    summary = summarise_predictions(predictions, n_boot=n_boot, seed=seed, cluster=cluster)
    summary.update(seed_speaker_intervals(predictions, n_boot=n_boot, seed=seed))
    return summary


def protocol_summary(results: dict, *, n_boot: int = 1000, seed: int = 0) -> tuple[pd.DataFrame, dict]:
    """Summarise every ``(corpus, protocol) -> [ProtocolResult per seed]`` of notebook 04.

    A speaker-independent protocol run with several seeds also gets a ``<protocol>_seed_ensemble`` row: for every
    test utterance the seeds' class probabilities are averaged (not a new training).

    Returns:
        ``(table, metrics)``: one row per (corpus, protocol) with :data:`SUMMARY_COLUMNS`, and
        ``{"cnn_lstm": {corpus: {protocol: summary}}}`` for ``metrics.json``.
    """
    rows, metrics = [], {"cnn_lstm": {}}

    def add(name, proto, pred, res, ensemble_of=None):
        summ = summarise_run(pred, n_boot=n_boot, seed=seed, cluster=not proto.startswith("random_80_20"))
        if ensemble_of:
            summ["ensemble_of_seeds"] = ensemble_of
        train = pd.concat([r.trainings for r in res])
        rows.append({"corpus": name, "protocol": proto, **{k: summ[k] for k in SUMMARY_COLUMNS[2:8]},
                     "accuracy 95% CI": "[{:.1f}, {:.1f}] %".format(*(100 * np.array(summ["accuracy_ci95"]))),
                     "CI method": summ["ci_method"], "seeds": ensemble_of or summ["n_seeds"],
                     "test utterances": summ["n_test_utterances"], "epochs (mean)": train["epochs_run"].mean(),
                     "s/epoch": train["epoch_seconds"].mean()})
        metrics["cnn_lstm"].setdefault(name, {})[proto] = summ

    for (name, proto), res in results.items():
        pooled = pd.concat([r.predictions for r in res], ignore_index=True)
        add(name, proto, pooled, res)
        if proto == "speaker_independent" and len(res) > 1:
            add(name, f"{proto}_seed_ensemble", seed_ensemble(pooled, res[0].labels), res, len(res))
    return pd.DataFrame(rows, columns=list(SUMMARY_COLUMNS)), metrics


def summary_view(summary: pd.DataFrame) -> pd.DataFrame:
    """:func:`protocol_summary`'s table for reading (notebook 04): accuracy, UAR and macro F1 as
    ``"mean ± std"`` in percent over seeds, the separate ``*_std`` columns dropped."""
    shown = summary.copy()
    for c in ("accuracy", "uar", "macro_f1"):
        shown[c] = [f"{100 * m:.1f} ± {100 * s:.1f}" for m, s in zip(summary[c], summary[c + "_std"])]
    return shown.drop(columns=[c for c in shown if c.endswith("_std")])

"""Who each evaluation protocol puts on the training side and on the test side, speaker by speaker.

Serves notebook 04_cnn_lstm (the protocol diagram, :func:`serlib.plots.diagrams.plot_protocols`). Kept apart from
:mod:`serlib.evaluation.splits` (which the result cache hashes as training code): this module only describes
splits, it never changes one."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.evaluation.splits import (
    _check_manifest,
    cross_corpus_positions,
    random_80_20_split,
    speaker_independent_folds,
)

PROTOCOL_LABELS = {"random_80_20": "random 80/20 (the paper's)", "speaker_independent": "speaker-independent",
                   "cross_corpus": "cross-corpus"}


def protocol_assignment(manifest: pd.DataFrame, other: pd.DataFrame | None = None, *, corpus: str = "corpus",
                        other_corpus: str = "other corpus", seed: int = 0) -> pd.DataFrame:
    """How many utterances of each speaker each protocol puts on the training and on the test side.

    Serves notebook 04 (the protocol diagram, :func:`serlib.plots.diagrams.plot_protocols`). The splits are the
    ones the experiments use: :func:`random_80_20_split`, the first fold of :func:`speaker_independent_folds`,
    and :func:`cross_corpus_positions` (train on ``manifest``, test on ``other``, shared emotions only).

    Returns:
        one row per (protocol, corpus, speaker) with ``n_train``, ``n_test`` and ``heard_in_training`` (the
        speaker has training utterances *and* test utterances); no cross-corpus rows without ``other``.
    """
    _check_manifest(manifest)
    spk = manifest["speaker"].astype(str).to_numpy()
    rows = []

    def add(protocol, corpus_name, speakers, train, test):
        for s in sorted(set(speakers)):
            n_tr, n_te = int(np.sum(speakers[train] == s)), int(np.sum(speakers[test] == s))
            rows.append({"protocol": protocol, "corpus": corpus_name, "speaker": s, "n_train": n_tr,
                         "n_test": n_te, "heard_in_training": n_tr > 0 and n_te > 0})

    split = random_80_20_split(manifest, seed=seed)
    add("random_80_20", corpus, spk, split.train, split.test)
    fold = speaker_independent_folds(manifest, seed=seed)[0]
    add("speaker_independent", corpus, spk, fold.train, fold.test)
    if other is not None:
        _check_manifest(other)
        tr, te, _ = cross_corpus_positions(manifest, other)
        other_spk = other["speaker"].astype(str).to_numpy()
        add("cross_corpus", corpus, spk, tr, np.array([], int))
        add("cross_corpus", other_corpus, other_spk, np.array([], int), te)
    return pd.DataFrame(rows, columns=["protocol", "corpus", "speaker", "n_train", "n_test", "heard_in_training"])

"""Named model settings, one definition each: the paper's, ours, and the strong hybrid family.

Serves notebooks 03 and 04, the leaderboard (:mod:`serlib.experiments.leaderboard`) and ``serlib train``. A
notebook takes a preset and changes only its run size (``dataclasses.replace(OUR_SETTING, epochs=...)``), so
two notebooks cannot drift apart on what "our setting" means.
"""

from __future__ import annotations

import dataclasses

from serlib.models.cnn_lstm import CnnLstmConfig
from serlib.models.conv_recurrent import ConvRecurrentConfig

#: The paper's CNN-LSTM as far as the paper describes its training: no feature normalisation, SpecAugment,
#: class weights, early stopping, dropout or L2 (notebook 04 gives it half the epochs of ours, at least 3).
PAPER_SETTING = CnnLstmConfig(normalize=False, spec_augment=False, class_weight=False, early_stopping=False,
                              dropout=0.0, l2=0.0)
#: Our setting of the paper architecture (notebooks 03 and 04): the defaults (normalisation, SpecAugment, class
#: weights, dropout, L2), per-utterance mean normalisation and early stopping on validation-speaker accuracy.
OUR_SETTING = CnnLstmConfig(utterance_norm="mean", monitor="val_accuracy", patience=8)
#: The strong whole-utterance hybrid of notebook 04's leaderboard and the shipped model: CNN front end, BiLSTM,
#: attention + statistics pooling (the defaults of :class:`ConvRecurrentConfig`).
STRONG_HYBRID_SETTING = ConvRecurrentConfig()
#: The from-scratch alternative: no CNN, a BiLSTM with soft attention over frames stacked 4 at a time (the
#: LSTM + soft-attention family of Mirsamadi et al. 2017 and Mak-Sim/ResLSTM-SER); also the "LSTM only" ablation.
LSTM_ATTENTION_SETTING = ConvRecurrentConfig(conv_filters=(), stack_frames=4)
#: The "CNN only" ablation: the same CNN front end, statistics pooling instead of the LSTM.
CNN_ONLY_SETTING = ConvRecurrentConfig(recurrent="none", pooling="stats")


def cap_epochs(config, max_epochs: int | None):
    """``config`` with at most ``max_epochs`` epochs and no more patience than epochs (``None``: unchanged).

    One rule for every run size that shortens a preset (the leaderboard's demo budget, notebook 03's study)."""
    if max_epochs is None or config.epochs <= int(max_epochs):
        return config
    return dataclasses.replace(config, epochs=int(max_epochs), patience=min(config.patience, int(max_epochs)))

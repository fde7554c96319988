"""Every target and verdict threshold of the project, in one place.

Read by the notebooks (their "targets" lines), the claims audit (:mod:`serlib.reporting.claims`), the leaderboard summary
(:mod:`serlib.experiments.leaderboard`), the shipped-model benchmarks (:mod:`serlib.deploy.bench`) and the README. Two
kinds live here and are named apart:

- **targets**: what this project set out to reach (issues); a miss is reported, never hidden;
- **verdict thresholds**: the rules that turn a measurement into a verdict on one of the paper's claims.

Accuracy-like values are fractions, times are milliseconds unless the name says otherwise.
"""

from __future__ import annotations

# -- targets of the paper-architecture CNN-LSTM (notebook 04) -------------------------------------------------
#: RAVDESS 8-class speaker-independent accuracy (WA) the CNN-LSTM issue aimed at.
CNN_LSTM_RAVDESS_SI_WA = 0.72
#: TESS accuracy under the paper's random 80/20 protocol.
CNN_LSTM_TESS_RANDOM_WA = 0.995

# -- targets of the leaderboard (notebook 04, issue "strong speaker-independent models") --------------------
LEADERBOARD = {
    "best_uar_ravdess_si": 0.64,
    "cnn_lstm_margin_over_svm_egemaps": 0.05,
    "nkululeko_uar_ravdess_si_reported": 0.607,  # a reported value (Burkhardt et al., nkululeko), not a target
    "best_min_recall_ravdess_si": 0.25,
    "best_uar_tess_si": 0.65,
    "tess_random_wa": CNN_LSTM_TESS_RANDOM_WA,
    "train_seconds_per_fold": 90.0,
}

# -- targets of the augmentation study (notebook 03) ------------------------------------------------------------
#: The GAN should add at least this much UAR (speaker-independent) with the 95 % interval of the gain above 0.
GAN_AIM_MIN_GAIN = 0.02

# -- latency targets (notebook 06) ------------------------------------------------------------------------------
#: Median model forward time, batch 1, ONNX Runtime, one thread.
MODEL_FORWARD_P50_MS = 1.0
#: Median end-to-end time, audio file to emotion, 3-s clip.
END_TO_END_P50_MS = 5.0
#: A cold ``serlib predict FILE`` takes at most this fraction of a bare librosa MFCC call's time.
COLD_START_RATIO = 0.5
#: Warm end-to-end batch-1 latency p50 of the shipped model for a 3-s clip.
SHIPPED_WARM_P50_MS = 5.0

# -- verdict thresholds of the claims audit (notebook 07) ----------------------------------------------------
#: Absolute tolerance for accuracy-like values: 3 percentage points.
CLAIM_TOLERANCE = 0.03
#: Relative tolerance for response times: the measured time may exceed the reported one by 25 %.
CLAIM_LATENCY_TOLERANCE = 0.25
#: Noise-robustness criterion (ours): accuracy at 10 dB SNR at most this far below clean accuracy.
CLAIM_NOISE_MAX_DROP = 0.10
#: Generalisation criterion (ours): cross-corpus UAR at most this far below the target corpus's
#: speaker-independent UAR.
CLAIM_CROSS_CORPUS_MAX_DROP = 0.10
#: GAN criterion (ours) when no interval is available: a gain of at least 1 point and at least the seed std.
#: With an interval, the claim holds when the 95 % interval of the gain lies above 0 (:func:`gain_is_positive`).
CLAIM_GAN_MIN_GAIN = 0.01
#: Unseen-data criterion (ours): accuracy on unseen speakers at most this far below the training accuracy.
CLAIM_UNSEEN_SPEAKER_MAX_DROP = 0.10
#: Speaker-variability criterion (ours): speaker-independent accuracy at most this far below the accuracy of the
#: random 80/20 split (whose test speakers were heard in training).
CLAIM_SPEAKER_GAP_MAX = 0.10
#: Real-time criterion (ours): the median audio-to-emotion time divided by the clip's duration is below this.
CLAIM_REAL_TIME_FACTOR_MAX = 1.0
#: A training accuracy at or above this means the tree fits its training set perfectly (grown to purity).
FULLY_GROWN_TRAIN_ACCURACY = 0.999


def gain_is_positive(ci_low: float) -> bool:
    """The one rule for "augmentation helps": the 95 % interval of the paired gain lies above 0.

    Used by the claims audit (the paper's "noticeable improvement") and by notebook 03's aim, which also asks
    for at least :data:`GAN_AIM_MIN_GAIN`.
    """
    return float(ci_low) > 0.0


def gan_aim_reached(gain: float, ci_low: float) -> bool:
    """Notebook 03's aim: a gain of at least :data:`GAN_AIM_MIN_GAIN` whose interval lies above 0."""
    return float(gain) >= GAN_AIM_MIN_GAIN and gain_is_positive(ci_low)

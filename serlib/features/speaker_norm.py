"""Per-speaker feature normalisation from each speaker's own, unlabelled audio.

Serves notebook 04_cnn_lstm (the ``_spknorm`` rows of the leaderboard) and notebook 05_baselines.

Speaker-independent emotion recognition suffers from the fact that a voice's pitch, timbre and loudness vary
more between speakers than between emotions. A standard, unsupervised remedy (nkululeko's ``scale = speaker``;
Busso et al. 2011) is to z-normalise every feature with the mean and standard deviation of *that speaker's*
utterances. It needs several recordings of the speaker but **no labels**, so applying it to a test speaker is
allowed: the statistics come from the test speaker's audio only, never from an emotion label. Every result that
uses it carries the suffix ``_spknorm`` (:data:`SPKNORM_SUFFIX`) in its model name so it is never compared with
a model that sees one file at a time.
"""

from __future__ import annotations

import numpy as np

#: Suffix of every model name whose features were normalised per speaker.
SPKNORM_SUFFIX = "_spknorm"


def _speaker_array(speakers, n: int) -> np.ndarray:
    speakers = np.asarray(speakers).astype(str)
    if speakers.shape != (n,):
        raise ValueError(f"need one speaker per utterance: got {speakers.shape[0] if speakers.ndim else 0} "
                         f"speakers for {n} utterances")
    return speakers


def speaker_normalize_matrix(X, speakers) -> np.ndarray:
    """Z-normalise the rows of a feature matrix with the mean/std of their own speaker's rows.

    Args:
        X: ``(n_utterances, n_features)`` utterance-level features (eGeMAPS functionals, MFCC statistics).
        speakers: one speaker id per row (no emotion label is read).

    Returns:
        float32 array of the same shape. A feature constant within a speaker becomes 0 for that speaker.
    """
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2:
        raise ValueError(f"X must be 2-D (utterances x features), got shape {X.shape}")
    spk = _speaker_array(speakers, X.shape[0])
    out = np.empty_like(X)
    for s in np.unique(spk):
        rows = spk == s
        mu, sd = X[rows].mean(axis=0), X[rows].std(axis=0)
        out[rows] = (X[rows] - mu) / np.where(sd > 1e-8, sd, 1.0)
    return out.astype(np.float32)


def speaker_frame_stats(frames_list, speakers) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per speaker, the mean and standard deviation of every feature over all frames of their utterances.

    Args:
        frames_list: one ``(n_frames, n_features)`` array per utterance (``FeatureSet.frames``).
        speakers: one speaker id per utterance (no emotion label is read).

    Returns:
        ``{speaker: (mean, std)}`` (float64; a std below 1e-8 is replaced by 1, so a constant feature becomes 0).
    """
    spk = _speaker_array(speakers, len(frames_list))
    stats = {}
    for s in np.unique(spk):
        stacked = np.concatenate([np.asarray(frames_list[i], np.float64) for i in np.flatnonzero(spk == s)], axis=0)
        sd = stacked.std(axis=0)
        stats[str(s)] = (stacked.mean(axis=0), np.where(sd > 1e-8, sd, 1.0))
    return stats


def normalize_with_stats(frames_list, speakers, stats: dict) -> list[np.ndarray]:
    """Z-normalise each utterance's frames with its speaker's statistics from :func:`speaker_frame_stats`.

    Serves notebook 03 too: waveform-augmented copies are normalised with the statistics of their source
    speaker's *real* utterances, so the shift an augmentation makes (a pitch shift, added noise) survives.
    """
    spk = _speaker_array(speakers, len(frames_list))
    missing = sorted(set(spk) - set(stats))
    if missing:
        raise ValueError(f"no statistics for speaker(s) {missing[:5]}")
    return [((np.asarray(f, np.float64) - stats[s][0]) / stats[s][1]).astype(np.float32)
            for f, s in zip(frames_list, spk)]


def speaker_normalize_frames(frames_list, speakers) -> list[np.ndarray]:
    """Z-normalise frame features with the mean/std over all frames of each speaker's utterances.

    Args:
        frames_list: one ``(n_frames, n_features)`` array per utterance (``FeatureSet.frames``).
        speakers: one speaker id per utterance (no emotion label is read).

    Returns:
        New float32 arrays, in the same order.
    """
    return normalize_with_stats(frames_list, speakers, speaker_frame_stats(frames_list, speakers))

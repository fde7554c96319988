"""RAVDESS file names -> manifest fields (``Actor_NN/03-01-EE-II-SS-RR-AA.wav``; Livingstone & Russo 2018).

Serves notebook 01_data_exploration through :func:`serlib.data.corpora.load`."""

from __future__ import annotations

import re
from pathlib import Path

# ---------------------------------------------------------------------------
# Name parsers: pure functions, one per corpus. Each returns the manifest
# fields of one file (plus "_key", the utterance identity used to drop
# duplicate copies) or raises ValueError with a one-line reason.
# ---------------------------------------------------------------------------

_RAVDESS_RE = re.compile(r"(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})-(\d{2})")
_RAVDESS_EMOTIONS = {
    "01": "neutral",
    "02": "calm",
    "03": "happy",
    "04": "sad",
    "05": "angry",
    "06": "fearful",
    "07": "disgust",
    "08": "surprised",
}
_RAVDESS_CHANNELS = {"01": "speech", "02": "song"}
_RAVDESS_INTENSITIES = {"01": "normal", "02": "strong"}
_RAVDESS_STATEMENTS = {"01": "Kids are talking by the door", "02": "Dogs are sitting by the door"}


def _parse_ravdess(path: str) -> dict:
    """Parse a RAVDESS file name ``MM-VV-EE-II-SS-RR-AA``.

    Fields: modality (01 full-AV, 02 video-only, 03 audio-only), vocal channel
    (01 speech, 02 song), emotion, intensity (01 normal, 02 strong), statement
    (01 "Kids are talking by the door", 02 "Dogs are sitting by the door"),
    repetition (01, 02), actor (01-24; odd male, even female).

    Emotion codes -> canonical: 01 neutral, 02 calm, 03 happy, 04 sad,
    05 angry, 06 fearful, 07 disgust, 08 surprised. Example:
    ``Actor_12/03-01-06-01-02-01-12.wav`` is audio-only speech, fearful,
    normal intensity, "Dogs are sitting by the door", 1st repetition, actor 12
    (female).
    """
    stem = Path(path).stem
    match = _RAVDESS_RE.fullmatch(stem)
    if not match:
        raise ValueError("file name does not match RAVDESS pattern MM-VV-EE-II-SS-RR-AA")
    modality, channel, emotion, intensity, statement, repetition, actor = match.groups()
    if modality not in ("01", "02", "03"):
        raise ValueError(f"unknown modality code '{modality}' in file name")
    if channel not in _RAVDESS_CHANNELS:
        raise ValueError(f"unknown vocal channel code '{channel}' in file name")
    if emotion not in _RAVDESS_EMOTIONS:
        raise ValueError(f"unknown emotion code '{emotion}' in file name")
    if intensity not in _RAVDESS_INTENSITIES:
        raise ValueError(f"unknown intensity code '{intensity}' in file name")
    if statement not in _RAVDESS_STATEMENTS:
        raise ValueError(f"unknown statement code '{statement}' in file name")
    if repetition not in ("01", "02"):
        raise ValueError(f"unknown repetition code '{repetition}' in file name")
    if actor == "00":
        raise ValueError("invalid actor '00' in file name")
    return {
        "_key": stem,
        "speaker": actor,
        "gender": "male" if int(actor) % 2 else "female",
        "emotion": _RAVDESS_EMOTIONS[emotion],
        "emotion_code": emotion,
        "vocal_channel": _RAVDESS_CHANNELS[channel],
        "intensity": _RAVDESS_INTENSITIES[intensity],
        "statement": _RAVDESS_STATEMENTS[statement],
        "repetition": int(repetition),
    }

"""EmoDB (Berlin) file names -> manifest fields (``wav/03a01Fa.wav``; German emotion letters).

Serves notebook 01_data_exploration through :func:`serlib.data.corpora.load`."""

from __future__ import annotations

import re
from pathlib import Path

_EMODB_RE = re.compile(r"(\d{2})([a-z]\d{2})([A-Za-z])([a-z])")
_EMODB_EMOTIONS = {
    "W": "angry",  # Ärger
    "L": "boredom",  # Langeweile
    "E": "disgust",  # Ekel
    "A": "fearful",  # Angst
    "F": "happy",  # Freude
    "T": "sad",  # Trauer
    "N": "neutral",
}
_EMODB_GENDERS = {
    "03": "male",
    "08": "female",
    "09": "female",
    "10": "male",
    "11": "male",
    "12": "male",
    "13": "female",
    "14": "female",
    "15": "male",
    "16": "female",
}


def _parse_emodb(path: str) -> dict:
    """Parse an EmoDB file name ``SSTTTEV`` (speaker, text, emotion, version).

    Emotion letters (German) -> canonical: W (Ärger) angry, L (Langeweile)
    boredom, E (Ekel) disgust, A (Angst) fearful, F (Freude) happy,
    T (Trauer) sad, N neutral. Speakers: 03 m, 08 f, 09 f, 10 m, 11 m, 12 m,
    13 f, 14 f, 15 m, 16 f. Example: ``wav/03a01Fa.wav`` is speaker 03
    (male), text a01, happy, version a.
    """
    stem = Path(path).stem
    match = _EMODB_RE.fullmatch(stem)
    if not match:
        raise ValueError("file name does not match EmoDB pattern SSTTTEV (e.g. 03a01Fa)")
    speaker, sentence, code, version = match.groups()
    if code not in _EMODB_EMOTIONS:
        raise ValueError(f"unknown emotion code '{code}' in file name")
    return {
        "_key": stem,
        "speaker": speaker,
        "gender": _EMODB_GENDERS.get(speaker, "unknown"),
        "emotion": _EMODB_EMOTIONS[code],
        "emotion_code": code,
        "sentence": sentence,
        "version": version,
    }

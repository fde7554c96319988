"""SAVEE file names -> manifest fields (``ALL/DC_a01.wav`` or ``AudioData/DC/a01.wav``).

Serves notebook 01_data_exploration through :func:`serlib.data.corpora.load`."""

from __future__ import annotations

import re
from pathlib import Path

_SAVEE_SPEAKERS = ("DC", "JE", "JK", "KL")
_SAVEE_EMOTIONS = {
    "a": "angry",
    "d": "disgust",
    "f": "fearful",
    "h": "happy",
    "n": "neutral",
    "sa": "sad",
    "su": "surprised",
}
_SAVEE_FLAT_RE = re.compile(r"([A-Za-z]{2})_([A-Za-z]{1,2})(\d{2})")
_SAVEE_NESTED_RE = re.compile(r"([A-Za-z]{1,2})(\d{2})")


def _parse_savee(path: str) -> dict:
    """Parse a SAVEE file name: ``DC_a01`` (Kaggle ``ALL/``) or ``AudioData/DC/a01``.

    Emotion codes -> canonical: a angry, d disgust, f fearful, h happy,
    n neutral, sa sad, su surprised (two-letter ``sa``/``su`` are read
    before one-letter codes; a bare ``s`` is unknown). Speakers DC, JE, JK,
    KL, all male. ``sentence`` is the emotion-specific sentence id (``a01``):
    SAVEE numbers sentences within each emotion. Example: ``ALL/JK_sa13.wav``
    is speaker JK, sad, sentence sa13.
    """
    p = Path(path)
    flat = _SAVEE_FLAT_RE.fullmatch(p.stem)
    nested = _SAVEE_NESTED_RE.fullmatch(p.stem)
    if flat:
        speaker, code, number = flat.groups()
    elif nested and p.parent.name.upper() in _SAVEE_SPEAKERS:
        speaker, (code, number) = p.parent.name, nested.groups()
    else:
        raise ValueError("file name does not match SAVEE pattern SS_Ennn (e.g. DC_a01) or SS/Ennn (e.g. DC/a01)")
    if speaker.upper() not in _SAVEE_SPEAKERS:
        raise ValueError(f"unknown speaker '{speaker}' (SAVEE has DC, JE, JK, KL)")
    if code.lower() not in _SAVEE_EMOTIONS:
        raise ValueError(f"unknown emotion code '{code}' in file name")
    speaker, sentence = speaker.upper(), f"{code.lower()}{number}"
    return {
        "_key": (speaker, sentence),
        "speaker": speaker,
        "gender": "male",
        "emotion": _SAVEE_EMOTIONS[code.lower()],
        "emotion_code": code,
        "sentence": sentence,
    }

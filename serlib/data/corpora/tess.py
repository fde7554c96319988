"""TESS file names -> manifest fields (``OAF_angry/OAF_back_angry.wav``; two speakers, OAF and YAF).

Serves notebook 01_data_exploration through :func:`serlib.data.corpora.load`."""

from __future__ import annotations

from pathlib import Path

_TESS_EMOTIONS = {
    "angry": "angry",
    "disgust": "disgust",
    "fear": "fearful",
    "happy": "happy",
    "neutral": "neutral",
    "ps": "surprised",
    "sad": "sad",
}
_TESS_SPEAKERS = ("OAF", "YAF")
_TESS_ABBREVIATED = {"OA": "OAF", "YA": "YAF"}


def _parse_tess(path: str) -> dict:
    """Parse a TESS file name ``<OAF|YAF>_<word>_<emotion>``.

    The emotion is the last ``_`` token of the file name (case-insensitive),
    the speaker the first; folder names are not used for labels because their
    case and spelling vary between releases (``OAF_Fear``,
    ``OAF_Pleasant_surprise``, ``YAF_pleasant_surprised``). Codes ->
    canonical: angry angry, disgust disgust, fear fearful, happy happy,
    neutral neutral, ps (pleasant surprise) surprised, sad sad. Both speakers
    are female (OAF older, YAF younger). Example:
    ``YAF_pleasant_surprised/YAF_back_ps.wav`` is YAF, word "back", surprised.

    Release quirk: ``OAF_neutral/OA_bite_neutral.wav`` lacks the ``F``; an
    unknown speaker token falls back to the parent folder's ``OAF``/``YAF``
    prefix, then to ``OA``/``YA`` -> ``OAF``/``YAF``.
    """
    p = Path(path)
    parts = p.stem.split("_")
    if len(parts) < 3 or not all(parts):
        raise ValueError("file name does not match TESS pattern <OAF|YAF>_<word>_<emotion>")
    token, word, code = parts[0], "_".join(parts[1:-1]), parts[-1]
    emotion = _TESS_EMOTIONS.get(code.lower())
    if emotion is None:
        raise ValueError(f"unknown emotion code '{code}' in file name")
    speaker = token.upper() if token.upper() in _TESS_SPEAKERS else None
    folder = p.parent.name.split("_")[0].upper()
    if speaker is None and folder in _TESS_SPEAKERS:
        speaker = folder
    if speaker is None:
        speaker = _TESS_ABBREVIATED.get(token.upper())
    if speaker is None:
        raise ValueError(f"unknown speaker '{token}' in file name (expected OAF or YAF)")
    return {
        "_key": (speaker, word.lower(), code.lower()),
        "speaker": speaker,
        "gender": "female",
        "emotion": emotion,
        "emotion_code": code,
        "word": word,
    }

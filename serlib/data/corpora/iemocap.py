"""IEMOCAP label files and sentence wavs -> manifest (``SessionN/dialog/EmoEvaluation/*.txt``).

Serves notebook 01_data_exploration through :func:`serlib.data.corpora.load`. Labels come from the
EmoEvaluation files, not from file names; ``four_class=True`` gives the usual 4-class setup (happy + excited)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

import numpy as np
import pandas as pd

from serlib.data.corpora.common import _collect, _is_hidden, _iter_audio, _not_found, _require_rows

_IEMOCAP_EMOTIONS = {
    "neu": "neutral",
    "hap": "happy",
    "sad": "sad",
    "ang": "angry",
    "exc": "excited",
    "fru": "frustrated",
    "sur": "surprised",
    "fea": "fearful",
    "dis": "disgust",
    "oth": "other",
}
_IEMOCAP_FOUR_CLASS = {"neu": "neutral", "hap": "happy", "exc": "happy", "sad": "sad", "ang": "angry"}
_IEMOCAP_LABEL_RE = re.compile(
    r"\[\s*([-\d.]+)\s*-\s*([-\d.]+)\s*\]\s+(\S+)\s+(\S+)(?:\s+\[([^\]]*)\])?"
)
_IEMOCAP_UTT_RE = re.compile(r"Ses(\d{2})[FM]_.+_([FM])\d+")
_SESSION_RE = re.compile(r"Session\d+")


def _parse_iemocap_labels(text: str, source: str) -> dict[str, dict]:
    """Parse one ``EmoEvaluation/<dialog>.txt`` into ``{utterance_id: label}``.

    Only the summary lines count, e.g.
    ``[6.2901 - 8.2357]\\tSes01F_impro01_F000\\tneu\\t[2.5000, 2.5000, 2.5000]``
    (start, end, utterance, majority label, [valence, activation, dominance]);
    the per-evaluator lines below them (``C-E1:``, ``A-E3:``) are ignored.
    """
    labels: dict[str, dict] = {}
    for line in text.splitlines():
        match = _IEMOCAP_LABEL_RE.match(line.strip())
        if not match:
            continue
        start, end, utt, code, vad = match.groups()
        values = [np.nan, np.nan, np.nan]
        if vad:
            try:
                parsed = [float(v) for v in vad.split(",")]
                if len(parsed) == 3:
                    values = parsed
            except ValueError:
                pass
        labels[utt] = {
            "start_s": float(start),
            "end_s": float(end),
            "code": code,
            "valence": values[0],
            "activation": values[1],
            "dominance": values[2],
            "source": source,
        }
    return labels


def _parse_iemocap(path: str, labels: Mapping[str, dict], four_class: bool) -> dict:
    """Label one IEMOCAP utterance wav from the EmoEvaluation summary lines.

    Codes -> canonical: neu neutral, hap happy, sad sad, ang angry,
    exc excited, fru frustrated, sur surprised, fea fearful, dis disgust,
    oth other; ``xxx`` (no majority among evaluators) is skipped. With
    ``four_class=True`` only neu, hap, exc (merged into happy), sad and ang
    are kept (the usual 4-class protocol). The speaker is the session plus
    the gender letter of the last ``_`` token, so in a dialog led by the
    female actor an ``_M`` utterance belongs to the male one. Example:
    ``Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_M013.wav`` with
    label ``neu`` is speaker Ses01M (male), improvised, neutral; scripted
    names carry a take, e.g. ``Ses01F_script01_1_F000``.
    """
    p = Path(path)
    utt, dialog = p.stem, p.parent.name
    match = _IEMOCAP_UTT_RE.fullmatch(utt)
    if not match:
        raise ValueError("file name does not match IEMOCAP pattern SesNN[FM]_<dialog>_[FM]NNN")
    session, letter = match.groups()
    if "_impro" in utt:
        method = "improvised"
    elif "_script" in utt:
        method = "scripted"
    else:
        raise ValueError("file name is neither improvised (_impro) nor scripted (_script)")
    label = labels.get(utt)
    if label is None:
        raise ValueError(f"no label line for {utt} in dialog/EmoEvaluation/{dialog}.txt")
    code = label["code"]
    if code.lower() == "xxx":
        raise ValueError("no majority label (xxx)")
    if code.lower() not in _IEMOCAP_EMOTIONS:
        raise ValueError(f"unknown emotion code '{code}' in {label['source']}")
    if four_class and code.lower() not in _IEMOCAP_FOUR_CLASS:
        raise ValueError(f"excluded by four_class protocol ({code})")
    emotion = (_IEMOCAP_FOUR_CLASS if four_class else _IEMOCAP_EMOTIONS)[code.lower()]
    return {
        "_key": utt,
        "speaker": f"Ses{session}{letter}",
        "gender": "female" if letter == "F" else "male",
        "emotion": emotion,
        "emotion_code": code,
        "session": int(session),
        "dialog": dialog,
        "utterance_id": utt,
        "start_s": label["start_s"],
        "end_s": label["end_s"],
        "method": method,
        "valence": label["valence"],
        "activation": label["activation"],
        "dominance": label["dominance"],
    }


def _iemocap_sessions(root: Path) -> list[Path]:
    """Session folders at root, one or two levels down (IEMOCAP_full_release/)."""
    if _SESSION_RE.fullmatch(root.name):
        return [root]
    for pattern in ("*", "*/*"):
        sessions = sorted(p for p in root.glob(pattern) if p.is_dir() and _SESSION_RE.fullmatch(p.name))
        if sessions:
            return sessions
    return []


def _scan_iemocap(root: Path, *, four_class: bool = False) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not isinstance(four_class, bool):
        raise ValueError(f"four_class must be True or False, got {four_class!r}")
    sessions = _iemocap_sessions(root)
    if not sessions:
        raise _not_found("iemocap", root, "no Session1 … Session5 folders")
    labels: dict[str, dict] = {}
    files: list[str] = []
    for session in sessions:
        label_dir = session / "dialog" / "EmoEvaluation"
        for txt in sorted(label_dir.glob("*.txt")) if label_dir.is_dir() else []:
            if txt.is_file() and not _is_hidden(txt.name):
                source = f"{session.name}/dialog/EmoEvaluation/{txt.name}"
                labels.update(_parse_iemocap_labels(txt.read_text(encoding="utf-8", errors="replace"), source))
        wav_dir = session / "sentences" / "wav"
        if wav_dir.is_dir():
            files.extend(_iter_audio(wav_dir))
    manifest, skipped, n_audio = _collect(
        "iemocap", root, files, lambda p: _parse_iemocap(p, labels, four_class), "iemocap"
    )
    _require_rows("iemocap", root, manifest, skipped, n_audio)
    return manifest, skipped

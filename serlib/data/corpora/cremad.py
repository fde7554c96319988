"""CREMA-D file names and ``VideoDemographics.csv`` -> manifest (``AudioWAV/1001_DFA_ANG_XX.wav``).

Serves notebook 01_data_exploration through :func:`serlib.data.corpora.load`; the embedded synthetic corpus is
written in this layout and read by this loader too."""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

from serlib.data.corpora.common import _collect, _is_hidden, _iter_audio, _require_rows

_CREMAD_RE = re.compile(r"(\d{4})_([A-Za-z]{3})_([A-Za-z]{3})_([A-Za-z]{1,2})")
_CREMAD_EMOTIONS = {
    "ANG": "angry",
    "DIS": "disgust",
    "FEA": "fearful",
    "HAP": "happy",
    "NEU": "neutral",
    "SAD": "sad",
}
# "X" occurs once in older copies of the release (1040_ITH_SAD_X.wav, CREMA-D issue #6).
_CREMAD_LEVELS = {"LO": "low", "MD": "medium", "HI": "high", "XX": "unspecified", "X": "unspecified"}
_CREMAD_SENTENCES = ("IEO", "TIE", "IOM", "IWW", "TAI", "MTI", "IWL", "ITH", "DFA", "ITS", "TSI", "WSI")


def _parse_cremad(path: str) -> dict:
    """Parse a CREMA-D file name ``ActorID_Sentence_Emotion_Level``.

    Emotion codes -> canonical: ANG angry, DIS disgust, FEA fearful,
    HAP happy, NEU neutral, SAD sad. Levels: LO low, MD medium, HI high,
    XX unspecified (only sentence IEO has graded levels). Sentence codes:
    IEO TIE IOM IWW TAI MTI IWL ITH DFA ITS TSI WSI. Example:
    ``AudioWAV/1001_DFA_ANG_XX.wav`` is actor 1001 (male, 51, from
    ``VideoDemographics.csv``), sentence DFA ("Don't forget a jacket"),
    angry, unspecified level. Gender and age are filled in by the caller.
    """
    stem = Path(path).stem
    match = _CREMAD_RE.fullmatch(stem)
    if not match:
        raise ValueError("file name does not match CREMA-D pattern ActorID_SEN_EMO_LV (e.g. 1001_DFA_ANG_XX)")
    actor, sentence, emotion, level = match.groups()
    if sentence.upper() not in _CREMAD_SENTENCES:
        raise ValueError(f"unknown sentence code '{sentence}' in file name")
    if emotion.upper() not in _CREMAD_EMOTIONS:
        raise ValueError(f"unknown emotion code '{emotion}' in file name")
    if level.upper() not in _CREMAD_LEVELS:
        raise ValueError(f"unknown intensity level '{level}' in file name")
    return {
        "_key": stem.upper(),
        "speaker": actor,
        "emotion": _CREMAD_EMOTIONS[emotion.upper()],
        "emotion_code": emotion,
        "sentence": sentence.upper(),
        "intensity": _CREMAD_LEVELS[level.upper()],
    }


def _find_demographics(root: Path) -> Path | None:
    direct = root / "VideoDemographics.csv"
    if direct.is_file():
        return direct
    for dirpath, dirnames, filenames in os.walk(root):
        dirnames[:] = sorted(d for d in dirnames if not _is_hidden(d))
        if "VideoDemographics.csv" in filenames:
            return Path(dirpath, "VideoDemographics.csv")
    if root.name.lower() == "audiowav" and (root.parent / "VideoDemographics.csv").is_file():
        return root.parent / "VideoDemographics.csv"
    return None


def _read_demographics(path: Path) -> dict[str, tuple[str, float]]:
    """Read CREMA-D ``VideoDemographics.csv`` into ``{ActorID: (gender, age)}``."""
    table = pd.read_csv(path, dtype=str)
    missing = {"ActorID", "Sex"} - set(table.columns)
    if missing:
        raise ValueError(f"{path} lacks column(s) {', '.join(sorted(missing))}; expected ActorID, Age, Sex")
    genders = {"male": "male", "female": "female"}
    ages = pd.to_numeric(table["Age"], errors="coerce") if "Age" in table else pd.Series(np.nan, index=table.index)
    return {
        str(actor).strip(): (genders.get(str(sex).strip().lower(), "unknown"), float(age))
        for actor, sex, age in zip(table["ActorID"], table["Sex"], ages)
    }


def _scan_cremad(
    root: Path,
    *,
    corpus_label: str = "crema-d",
    demographics: str | os.PathLike | None = None,
) -> tuple[pd.DataFrame, pd.DataFrame]:
    if not isinstance(corpus_label, str) or not corpus_label:
        raise ValueError(f"corpus_label must be a non-empty string, got {corpus_label!r}")
    manifest, skipped, n_audio = _collect("crema-d", root, _iter_audio(root), _parse_cremad, corpus_label)
    _require_rows("crema-d", root, manifest, skipped, n_audio)
    table_path = Path(demographics) if demographics is not None else _find_demographics(root)
    if table_path is not None and not table_path.is_file():
        raise FileNotFoundError(f"CREMA-D demographics file not found: {table_path}")
    if table_path is None:
        warnings.warn(
            f"{corpus_label}: VideoDemographics.csv not found at or under {root}; gender is 'unknown' and age NaN",
            UserWarning,
            stacklevel=3,
        )
        table: dict[str, tuple[str, float]] = {}
    else:
        table = _read_demographics(table_path)
    manifest["gender"] = [table.get(s, ("unknown", np.nan))[0] for s in manifest["speaker"]]
    manifest["age"] = np.array([table.get(s, ("unknown", np.nan))[1] for s in manifest["speaker"]], dtype=float)
    return manifest, skipped

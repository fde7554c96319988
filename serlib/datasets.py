"""Corpus loaders: emotional speech corpora on disk -> manifest DataFrames.

Serves notebook 01_data_exploration.

Every loader walks a corpus folder as the public release ships it, parses the
corpus' own file naming (and label files where the names carry no label) and
returns a *manifest*: one row per utterance, sorted by path, with a canonical
emotion vocabulary shared by all corpora (:data:`CANONICAL_EMOTIONS`).
Files that look like audio (``.wav`` / ``.flac``, any case) but cannot be
labelled are not dropped silently: they are returned in a second table,
``skipped``, with a one-line reason. Anything else (``.txt``, ``.csv``,
hidden files, ``__MACOSX``) is ignored.

Example:
    >>> from serlib import datasets
    >>> manifest = datasets.load("ravdess", "../shared/data/ravdess")  # doctest: +SKIP
    >>> manifest.groupby("emotion").size()  # doctest: +SKIP

Corpora, layouts (real example names) and emotion code -> canonical emotion
(full tables in the ``_parse_*`` docstrings):

- ``ravdess``: ``Actor_12/03-01-06-01-02-01-12.wav``; 01 neutral, 02 calm,
  03 happy, 04 sad, 05 angry, 06 fearful, 07 disgust, 08 surprised.
- ``tess``: ``OAF_Fear/OAF_back_fear.wav``; angry, disgust, fear -> fearful,
  happy, neutral, ps -> surprised, sad.
- ``crema-d``: ``AudioWAV/1001_DFA_ANG_XX.wav`` + ``VideoDemographics.csv``;
  ANG angry, DIS disgust, FEA fearful, HAP happy, NEU neutral, SAD sad.
- ``iemocap``: ``Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav``
  + ``Session1/dialog/EmoEvaluation/Ses01F_impro01.txt``; neu, hap, sad, ang,
  exc -> excited, fru -> frustrated, sur, fea, dis, oth -> other; xxx skipped.
- ``savee``: ``ALL/DC_a01.wav`` or ``AudioData/DC/a01.wav``; a angry,
  d disgust, f fearful, h happy, n neutral, sa sad, su surprised.
- ``emodb``: ``wav/03a01Fa.wav``; W angry, L boredom, E disgust, A fearful,
  F happy, T sad, N neutral.
- ``embedded``: the synthetic corpus of :mod:`serlib.embedded`, read as
  CREMA-D, plus a ``synthetic`` column (True).
"""

from __future__ import annotations

import http.client
import os
import re
import urllib.error
import urllib.request
import warnings
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import numpy as np
import pandas as pd

__all__ = [
    "CANONICAL_EMOTIONS",
    "CORPORA",
    "AUDIO_EXTENSIONS",
    "DOWNLOADS",
    "CorpusNotFoundError",
    "DownloadError",
    "ChecksumError",
    "scan",
    "load",
    "combine",
    "download",
]

CANONICAL_EMOTIONS: tuple[str, ...] = (
    "neutral",
    "calm",
    "happy",
    "sad",
    "angry",
    "fearful",
    "disgust",
    "surprised",
    "boredom",
    "excited",
    "frustrated",
    "other",
)
"""The emotion vocabulary of every manifest's ``emotion`` column."""

CORPORA: tuple[str, ...] = ("ravdess", "tess", "crema-d", "iemocap", "savee", "emodb", "embedded")
"""Corpus names accepted by :func:`scan`, :func:`load` and :func:`download`."""

AUDIO_EXTENSIONS: tuple[str, ...] = (".wav", ".flac")
"""File extensions (compared case-insensitively) treated as audio."""

BASE_COLUMNS: tuple[str, ...] = ("path", "corpus", "speaker", "gender", "emotion", "emotion_code")
SKIPPED_COLUMNS: tuple[str, ...] = ("path", "reason")


class CorpusNotFoundError(FileNotFoundError):
    """A corpus root is missing, is not a directory, or holds no usable audio."""


class DownloadError(OSError):
    """A corpus could not be downloaded (network, HTTP, archive or no public link)."""


class ChecksumError(DownloadError):
    """A downloaded archive does not match the checksum in :data:`DOWNLOADS`."""


# ---------------------------------------------------------------------------
# Corpus descriptions
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Corpus:
    display: str
    layout: str
    extras: tuple[str, ...]
    options: tuple[str, ...] = ()


_CORPUS_INFO: dict[str, _Corpus] = {
    "ravdess": _Corpus(
        "RAVDESS",
        "Actor_01 … Actor_24/03-01-05-01-02-01-12.wav",
        ("vocal_channel", "intensity", "statement", "repetition"),
    ),
    "tess": _Corpus("TESS", "OAF_angry … YAF_sad/OAF_back_angry.wav", ("word",)),
    "crema-d": _Corpus(
        "CREMA-D",
        "AudioWAV/1001_DFA_ANG_XX.wav (+ VideoDemographics.csv)",
        ("sentence", "intensity", "age"),
        ("corpus_label", "demographics"),
    ),
    "iemocap": _Corpus(
        "IEMOCAP",
        "Session1 … Session5/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav"
        " with Session1/dialog/EmoEvaluation/Ses01F_impro01.txt",
        (
            "session",
            "dialog",
            "utterance_id",
            "start_s",
            "end_s",
            "method",
            "valence",
            "activation",
            "dominance",
        ),
        ("four_class",),
    ),
    "savee": _Corpus("SAVEE", "ALL/DC_a01.wav or AudioData/DC/a01.wav", ("sentence",)),
    "emodb": _Corpus("EmoDB", "wav/03a01Fa.wav", ("sentence", "version")),
    "embedded": _Corpus(
        "embedded",
        "a CREMA-D style folder written by serlib.embedded.ensure_embedded_corpus",
        ("sentence", "intensity", "age", "synthetic"),
        ("n_speakers", "seed", "progress"),
    ),
}

_ALIASES = {"cremad": "crema-d", "crema": "crema-d", "emo-db": "emodb", "berlin": "emodb"}


def _canonical_name(name: str) -> str:
    """Return the canonical corpus name for ``name`` or raise ValueError."""
    key = name.strip().lower().replace("_", "-") if isinstance(name, str) else None
    key = _ALIASES.get(key, key)
    if key not in CORPORA:
        raise ValueError(f"unknown corpus {name!r}; valid names: {', '.join(CORPORA)}")
    return key


def _check_options(key: str, options: Mapping[str, object]) -> None:
    allowed = _CORPUS_INFO[key].options
    unknown = sorted(set(options) - set(allowed))
    if unknown:
        valid = ", ".join(allowed) if allowed else "none"
        raise TypeError(
            f"unexpected option(s) for {_CORPUS_INFO[key].display}: {', '.join(unknown)} (valid: {valid})"
        )


def _not_found(key: str, root: object, detail: str = "") -> CorpusNotFoundError:
    info = _CORPUS_INFO[key]
    detail = f" ({detail})" if detail else ""
    message = f"{info.display} not found at {root}{detail}: expected {info.layout}"
    return CorpusNotFoundError(" ".join(message.split()))


def _check_root(key: str, root: str | os.PathLike | None) -> Path:
    """Validate a corpus root at the boundary; return it as an absolute Path."""
    if root is None:
        raise _not_found(key, None, "no root given")
    path = Path(os.path.abspath(os.path.expanduser(os.fspath(root))))
    if not path.exists():
        raise _not_found(key, path)
    if not path.is_dir():
        raise _not_found(key, path, "not a directory")
    return path


# ---------------------------------------------------------------------------
# File discovery
# ---------------------------------------------------------------------------


def _is_hidden(name: str) -> bool:
    return name.startswith(".") or name == "__MACOSX"


def _is_audio(name: str) -> bool:
    return os.path.splitext(name)[1].lower() in AUDIO_EXTENSIONS


def _iter_audio(top: Path) -> list[str]:
    """Absolute paths of all audio files under ``top``, sorted; hidden entries skipped."""
    found: list[str] = []
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(top, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:  # symlink loop
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames[:] = [d for d in dirnames if not _is_hidden(d)]
        found.extend(os.path.join(dirpath, f) for f in filenames if not _is_hidden(f) and _is_audio(f))
    return sorted(found)


_LFS_MAGIC = b"version https://git-lfs"


def _is_lfs_pointer(path: str) -> bool:
    """True for a Git LFS pointer file (a few hundred bytes of text named .wav)."""
    try:
        if os.path.getsize(path) >= 1024:
            return False
        with open(path, "rb") as fh:
            return fh.read(len(_LFS_MAGIC)) == _LFS_MAGIC
    except OSError:
        return False


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


# ---------------------------------------------------------------------------
# Scanning
# ---------------------------------------------------------------------------


def _one_line(text: str) -> str:
    return " ".join(str(text).split())


def _collect(
    key: str,
    root: Path,
    files: Iterable[str],
    parse: Callable[[str], dict],
    corpus_label: str,
) -> tuple[pd.DataFrame, pd.DataFrame, int]:
    """Parse ``files`` into (manifest, skipped, number of audio files seen)."""
    rows: list[dict] = []
    skipped: list[tuple[str, str]] = []
    first: dict[object, str] = {}
    n_audio = 0
    for path in sorted(files):
        n_audio += 1
        if _is_lfs_pointer(path):
            skipped.append((path, "Git LFS pointer, not audio (fetch the audio with `git lfs pull`)"))
            continue
        try:
            fields = parse(path)
        except ValueError as exc:
            skipped.append((path, _one_line(exc)))
            continue
        ukey = fields.pop("_key")
        if ukey in first:
            skipped.append((path, f"duplicate of {os.path.relpath(first[ukey], root)}"))
            continue
        first[ukey] = path
        rows.append({"path": path, "corpus": corpus_label, **fields})
    columns = list(BASE_COLUMNS) + [c for c in _CORPUS_INFO[key].extras if c != "synthetic"]
    manifest = pd.DataFrame(rows, columns=columns)
    return manifest, _skipped_frame(skipped), n_audio


def _skipped_frame(skipped: list[tuple[str, str]]) -> pd.DataFrame:
    skipped = sorted(skipped)
    return pd.DataFrame(
        {
            "path": pd.Series([p for p, _ in skipped], dtype=str),
            "reason": pd.Series([r for _, r in skipped], dtype=str),
        }
    )


def _require_rows(key: str, root: Path, manifest: pd.DataFrame, skipped: pd.DataFrame, n_audio: int) -> None:
    if len(manifest):
        return
    if n_audio == 0:
        raise _not_found(key, root, "no .wav or .flac files")
    example = skipped.iloc[0]
    raise _not_found(
        key,
        root,
        f"{n_audio} audio files, none usable; e.g. {Path(example['path']).name}: {example['reason']}",
    )


def _scan_simple(key: str, root: Path, parse: Callable[[str], dict]) -> tuple[pd.DataFrame, pd.DataFrame]:
    manifest, skipped, n_audio = _collect(key, root, _iter_audio(root), parse, key)
    _require_rows(key, root, manifest, skipped, n_audio)
    return manifest, skipped


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


def _scan_embedded(root, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    from serlib.embedded import ensure_embedded_corpus  # lazy: optional sibling module

    folder = ensure_embedded_corpus(root, **options)
    manifest, skipped = scan("crema-d", folder, corpus_label="embedded")
    manifest["synthetic"] = True
    return manifest, skipped


def scan(name: str, root: str | os.PathLike | None = None, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Scan a corpus folder into a manifest and a table of skipped files.

    Serves notebook 01_data_exploration.

    Args:
        name: Corpus name, one of :data:`CORPORA` (case-insensitive).
        root: The corpus folder as released (wrappers such as
            ``Audio_Speech_Actors_01-24/`` or ``IEMOCAP_full_release/`` are
            fine; loaders search below ``root``). ``None`` only for
            ``"embedded"``, where it is passed to
            ``serlib.embedded.ensure_embedded_corpus``.
        **options: Corpus-specific options: ``four_class`` (IEMOCAP);
            ``corpus_label`` and ``demographics`` (path of
            ``VideoDemographics.csv``) (CREMA-D); ``n_speakers`` and ``seed``
            and ``progress`` (embedded, passed to ``ensure_embedded_corpus``).

    Returns:
        ``(manifest, skipped)``. ``manifest`` has one row per utterance,
        sorted by ``path`` with a RangeIndex, and columns ``path`` (absolute),
        ``corpus``, ``speaker``, ``gender`` (female/male/unknown),
        ``emotion`` (from :data:`CANONICAL_EMOTIONS`), ``emotion_code`` (as
        written in the file name or label file) and the corpus' extras.
        ``skipped`` has columns ``path`` and ``reason`` for audio files that
        could not be labelled (bad name, unknown code, no label, duplicate
        copy, Git LFS pointer).

    Raises:
        ValueError: Unknown corpus name.
        TypeError: Option not accepted by this corpus.
        CorpusNotFoundError: Root missing, not a directory, or without usable audio.
    """
    key = _canonical_name(name)
    _check_options(key, options)
    if key == "embedded":
        return _scan_embedded(root, **options)
    path = _check_root(key, root)
    if key == "crema-d":
        return _scan_cremad(path, **options)
    if key == "iemocap":
        return _scan_iemocap(path, **options)
    parse = {"ravdess": _parse_ravdess, "tess": _parse_tess, "savee": _parse_savee, "emodb": _parse_emodb}[key]
    return _scan_simple(key, path, parse)


def load(name: str, root: str | os.PathLike | None = None, **options) -> pd.DataFrame:
    """Load a corpus manifest; skipped files are kept in ``manifest.attrs["skipped"]``.

    Serves notebook 01_data_exploration.

    Calls :func:`scan` and emits one ``UserWarning`` summarising how many
    audio files were skipped, if any. ``attrs["skipped"]`` holds plain records
    (a list of ``{"path", "reason"}`` dicts, so pandas can still compare attrs
    in ``concat``/``merge``); :func:`skipped_files` returns them as a DataFrame.

    Args:
        name: Corpus name, one of :data:`CORPORA`.
        root: Corpus folder (see :func:`scan`).
        **options: Corpus-specific options (see :func:`scan`).

    Returns:
        The manifest DataFrame (see :func:`scan`).

    Example:
        >>> m = load("tess", "../shared/data/tess")  # doctest: +SKIP
        >>> skipped_files(m)  # doctest: +SKIP
    """
    manifest, skipped = scan(name, root, **options)
    manifest.attrs["skipped"] = skipped.to_dict("records")
    if len(skipped):
        display = _CORPUS_INFO[_canonical_name(name)].display
        example = skipped.iloc[0]
        warnings.warn(
            f"{display}: skipped {len(skipped)} of {len(skipped) + len(manifest)} audio files; "
            f"see manifest.attrs['skipped'] (e.g. {Path(example['path']).name}: {example['reason']})",
            UserWarning,
            stacklevel=2,
        )
    return manifest


def skipped_files(manifest: pd.DataFrame) -> pd.DataFrame:
    """The loader's skip table of a manifest from :func:`load` (columns ``path, reason``).

    Serves notebook 01_data_exploration.
    """
    return _skipped_frame([]) if not manifest.attrs.get("skipped") else pd.DataFrame(
        manifest.attrs["skipped"], columns=["path", "reason"])


def combine(manifests: Iterable[pd.DataFrame]) -> pd.DataFrame:
    """Stack manifests of several corpora; their skipped records are stacked too.

    Serves notebook 01_data_exploration.

    Args:
        manifests: Manifests from :func:`load` or :func:`scan`.

    Returns:
        One manifest with a RangeIndex (rows keep the input order; columns
        missing from a corpus are NaN) and ``attrs["skipped"]``.
    """
    manifests = list(manifests)
    if not manifests:
        raise ValueError("combine() needs at least one manifest")
    frames, skipped = [], []
    for manifest in manifests:
        if not isinstance(manifest, pd.DataFrame):
            raise TypeError(f"combine() takes DataFrames, got {type(manifest).__name__}")
        skipped.extend(manifest.attrs.get("skipped") or [])
        frame = manifest.copy(deep=False)
        frame.attrs = {}
        frames.append(frame)
    out = pd.concat(frames, ignore_index=True)
    out.attrs["skipped"] = skipped
    return out


# ---------------------------------------------------------------------------
# Download
# ---------------------------------------------------------------------------

DOWNLOADS: dict[str, dict] = {
    "ravdess": {
        "url": "https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip?download=1",
        "filename": "Audio_Speech_Actors_01-24.zip",
        "hash": "md5:bc696df654c87fed845eb13823edef8a",
        "size": 208_468_073,
        "licence": "CC BY-NC-SA 4.0; cite Livingstone & Russo (2018) PLoS ONE 13(5):e0196391, "
        "doi:10.5281/zenodo.1188976; speech audio only (1440 files, 24 actors)",
    },
    "emodb": {
        "url": "http://emodb.bilderbar.info/download/download.zip",
        "filename": "emodb_download.zip",
        # No published checksum found; download() prints the sha256 it computes.
        "hash": None,
        "size": None,
        "licence": "free download from the authors for research; cite Burkhardt et al. (2005) "
        "'A database of German emotional speech', Interspeech; 535 files, 10 speakers (~40 MB)",
    },
}
"""Corpora with a public direct link: name -> url, filename, hash ("md5:…" /
"sha256:…" or None), size in bytes (or None) and a licence note."""

#: Licence of each corpus's audio (what a model trained on it inherits; read by the shipped model's card).
CORPUS_LICENCES = {
    "ravdess": "CC BY-NC-SA 4.0 (Livingstone & Russo 2018, doi:10.1371/journal.pone.0196391)",
    "tess": "CC BY-NC-ND 4.0 (Dupuis & Pichora-Fuller 2010, doi:10.5683/SP2/E8H2MF)",
    "crema-d": "Open Database License 1.0 (Cao et al. 2014, doi:10.1109/TAFFC.2014.2336244)",
    "iemocap": "licence agreement with USC SAIL (Busso et al. 2008, doi:10.1007/s10579-008-9076-6)",
    "savee": "free for research on request (Haq & Jackson 2010)",
    "emodb": "free for research (Burkhardt et al. 2005, doi:10.21437/Interspeech.2005-446)",
    "embedded": "generated by serlib (synthetic, no licence restriction)",
}

_MANUAL_SOURCES = {
    "tess": "no stable direct link: download it from the Scholars Portal Dataverse "
    "(doi:10.5683/SP2/E8H2MF, CC BY-NC-ND 4.0) or Kaggle 'ejlok1/toronto-emotional-speech-set-tess', "
    "unzip it and pass the folder to load('tess', root)",
    "crema-d": "audio is stored with Git LFS: run `git lfs install` then `git clone "
    "https://github.com/CheyneyComputerScience/CREMA-D` (a GitHub zip holds only LFS pointers), "
    "then load('crema-d', root)",
    "iemocap": "licence required: request it at https://sail.usc.edu/iemocap/ (signed release form), "
    "then load('iemocap', <IEMOCAP_full_release>)",
    "savee": "registration required: request access at http://kahlan.eps.surrey.ac.uk/savee/ "
    "(or Kaggle 'barelydedicated/savee-database', folder ALL/), then load('savee', root)",
    "embedded": "nothing to download: it is generated locally by load('embedded')",
}

_USER_AGENT = "serlib-datasets/0.1 (+https://docs.python.org/3/library/urllib.request.html)"
_CHUNK = 1 << 16


def _split_hash(spec: str | None) -> tuple[str, str | None]:
    if spec is None:
        return "sha256", None
    algorithm, _, digest = spec.partition(":")
    if algorithm not in ("md5", "sha256") or not digest:
        raise ValueError(f"hash must look like 'md5:<hex>' or 'sha256:<hex>', got {spec!r}")
    return algorithm, digest.lower()


def _file_hash(path: Path, algorithm: str) -> str:
    from .features import file_content_hash

    return file_content_hash(path, algorithm=algorithm)


def _fetch(url: str, part: Path, *, size: int | None, timeout: float, progress: bool, _retry: bool = True) -> None:
    """Download ``url`` into ``part``, resuming with an HTTP Range request."""
    from .progress import tqdm

    offset = part.stat().st_size if part.is_file() else 0
    if size is not None and offset > size:
        part.unlink()
        offset = 0
    if size is not None and offset == size:
        return
    headers = {"User-Agent": _USER_AGENT}
    if offset:
        headers["Range"] = f"bytes={offset}-"
    try:
        response = urllib.request.urlopen(urllib.request.Request(url, headers=headers), timeout=timeout)
    except urllib.error.HTTPError as exc:
        if exc.code == 416 and offset and _retry:  # range past the end: start again
            part.unlink()
            return _fetch(url, part, size=size, timeout=timeout, progress=progress, _retry=False)
        raise DownloadError(f"could not download {url}: HTTP {exc.code} {exc.reason}") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise DownloadError(f"could not reach {url}: {reason}") from exc
    with response:
        content_range = response.headers.get("Content-Range", "")
        resumed = offset > 0 and response.status == 206 and content_range.startswith(f"bytes {offset}-")
        if offset and not resumed:
            offset = 0  # server ignored (or mangled) the Range request: restart cleanly
        length = response.headers.get("Content-Length")
        total = offset + int(length) if length and length.isdigit() else size
        received = offset
        with open(part, "ab" if resumed else "wb") as fh, tqdm(
            total=total,
            initial=offset,
            unit="B",
            unit_scale=True,
            unit_divisor=1024,
            desc=part.name.removesuffix(".part"),
            disable=not progress,
        ) as bar:
            try:
                for chunk in iter(lambda: response.read(_CHUNK), b""):
                    fh.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except (OSError, http.client.HTTPException) as exc:
                raise DownloadError(
                    f"download of {url} interrupted after {received} bytes ({exc}); "
                    f"{part} is kept: call download() again to resume"
                ) from exc
    if total is not None and received < total:
        raise DownloadError(
            f"download of {url} stopped after {received} of {total} bytes; "
            f"{part} is kept: call download() again to resume"
        )


def _extract_zip(archive: Path, dest: Path) -> None:
    root = dest.resolve()
    try:
        with zipfile.ZipFile(archive) as zf:
            for member in zf.namelist():
                if not (root / member).resolve().is_relative_to(root):
                    raise DownloadError(f"{archive.name} holds an unsafe path {member!r}; not extracted")
            zf.extractall(dest)
    except zipfile.BadZipFile as exc:
        archive.unlink(missing_ok=True)
        raise DownloadError(f"{archive.name} is not a valid zip archive (deleted): {exc}") from exc


def download(name: str, dest: str | os.PathLike, *, progress: bool = True, timeout: float = 60) -> Path:
    """Download, verify and extract a corpus with a public direct link.

    Serves notebook 01_data_exploration.

    The archive is fetched to ``dest/<filename>.part`` (an interrupted
    download resumes with an HTTP Range request; a server that ignores Range
    restarts it cleanly), verified against :data:`DOWNLOADS` (a mismatch
    deletes the file and raises :class:`ChecksumError`; without a registered
    checksum the sha256 is printed and a warning says it is unverified),
    extracted into ``dest`` and then deleted. A marker file
    ``dest/.<filename>.ok`` makes a second call return at once, without any
    request.

    Args:
        name: ``"ravdess"`` (speech audio, Zenodo record 1188976) or
            ``"emodb"``; other corpora raise :class:`DownloadError` saying
            how to obtain them.
        dest: Folder to extract into (created if needed); pass it to
            :func:`load` afterwards.
        progress: Show a tqdm progress bar.
        timeout: Socket timeout in seconds.

    Returns:
        ``dest`` as an absolute Path.

    Raises:
        ValueError: Unknown corpus name.
        DownloadError: No public link, network/HTTP failure, bad archive.
        ChecksumError: The archive does not match the registered checksum.
    """
    key = _canonical_name(name)
    if key not in DOWNLOADS:
        raise DownloadError(f"{_CORPUS_INFO[key].display} cannot be downloaded by serlib: {_MANUAL_SOURCES[key]}")
    entry = DOWNLOADS[key]
    algorithm, expected = _split_hash(entry.get("hash"))
    dest = Path(os.path.abspath(os.path.expanduser(os.fspath(dest))))
    dest.mkdir(parents=True, exist_ok=True)
    archive = dest / entry["filename"]
    part = dest / (entry["filename"] + ".part")
    marker = dest / f".{entry['filename']}.ok"
    if marker.is_file():
        recorded = marker.read_text().strip()
        if expected is None or recorded == f"{algorithm}:{expected}":
            return dest
    if not archive.is_file():
        _fetch(entry["url"], part, size=entry.get("size"), timeout=timeout, progress=progress)
        digest = _file_hash(part, algorithm)
        if expected is not None and digest != expected:
            part.unlink()
            raise ChecksumError(
                f"checksum mismatch for {entry['filename']}: expected {algorithm} {expected}, got {digest}; "
                "the file was deleted"
            )
        part.replace(archive)
    else:  # left by an earlier run (or put there by hand): verify before use
        digest = _file_hash(archive, algorithm)
        if expected is not None and digest != expected:
            archive.unlink()
            raise ChecksumError(
                f"checksum mismatch for {entry['filename']}: expected {algorithm} {expected}, got {digest}; "
                "the file was deleted"
            )
    if expected is None:
        print(f"sha256 of {entry['filename']}: {digest}")
        warnings.warn(
            f"{entry['filename']} is unverified: serlib has no published checksum for it "
            f"(sha256 {digest}); record it in DOWNLOADS['{key}']['hash'] once trusted",
            UserWarning,
            stacklevel=2,
        )
    _extract_zip(archive, dest)
    marker.write_text(f"{algorithm}:{digest}\n")
    archive.unlink()
    return dest

"""Shared by the corpus loaders: the canonical emotions, corpus descriptions, file discovery, and the
manifest and skip-table builders every loader uses.

Serves notebook 01_data_exploration through :mod:`serlib.data.corpora`."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Mapping

import pandas as pd

from serlib.messages import one_line

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
        "a CREMA-D style folder written by serlib.data.embedded.corpus.ensure_embedded_corpus",
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
# Scanning
# ---------------------------------------------------------------------------


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
            skipped.append((path, one_line(exc)))
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
"""Corpora with a public direct link: name -> url, filename, hash ("md5:…" /
"sha256:…" or None), size in bytes (or None) and a licence note."""

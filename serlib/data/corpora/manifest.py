"""Scan a corpus folder into a manifest and a skip table; load, combine, read skips back.

Serves notebook 01_data_exploration and every notebook through :func:`serlib.data.corpus_config.load_corpora`."""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Iterable

import pandas as pd

from serlib.data.corpora.common import (
    _CORPUS_INFO,
    _canonical_name,
    _check_options,
    _check_root,
    _scan_simple,
    _skipped_frame,
)
from serlib.data.corpora.cremad import _scan_cremad
from serlib.data.corpora.emodb import _parse_emodb
from serlib.data.corpora.iemocap import _scan_iemocap
from serlib.data.corpora.ravdess import _parse_ravdess
from serlib.data.corpora.savee import _parse_savee
from serlib.data.corpora.tess import _parse_tess


def _scan_embedded(root, **options) -> tuple[pd.DataFrame, pd.DataFrame]:
    from serlib.data.embedded import ensure_embedded_corpus  # lazy: only the embedded corpus needs eSpeak

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
            ``serlib.data.embedded.corpus.ensure_embedded_corpus``.
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

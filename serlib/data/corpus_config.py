"""Which corpora a run uses, and the ``--quick`` subset: shared by ``run_all.py`` and every notebook.

Serves ``run_all.py`` and the parameters cell of every notebook. With no corpus configured a run uses the
embedded synthetic corpus (:mod:`serlib.data.embedded`), so the project works on a machine with no data.
"""

from __future__ import annotations

import os
from pathlib import Path

import pandas as pd

from serlib.data import corpora as datasets

#: Folder names recognised by :func:`discover_corpora` (lower-cased), per corpus.
FOLDER_ALIASES = {
    "ravdess": ("ravdess", "audio_speech_actors_01-24"),
    "tess": ("tess", "toronto emotional speech set (tess)", "tess toronto emotional speech set data"),
    "crema-d": ("crema-d", "cremad", "crema_d"),
    "iemocap": ("iemocap", "iemocap_full_release"),
    "savee": ("savee",),
    "emodb": ("emodb", "emo-db", "berlin", "emodb_berlin"),
}

#: Default number of speakers of the embedded corpus (CREMA-D design: 82 clips per speaker).
EMBEDDED_SPEAKERS = 16


def parse_corpus_specs(specs: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    """``["ravdess=/data/ravdess", "tess=/data/tess"]`` -> ``{"ravdess": "/data/ravdess", ...}``.

    Raises:
        ValueError: a spec without ``=``, an unknown corpus name, or a corpus named twice.
    """
    out: dict[str, str] = {}
    for spec in specs or ():
        name, sep, root = str(spec).partition("=")
        name = name.strip().lower()
        if not sep or not root.strip():
            raise ValueError(f"corpus spec {spec!r} must look like NAME=ROOT, e.g. ravdess=../shared/data/ravdess")
        if name not in datasets.CORPORA:
            raise ValueError(f"unknown corpus {name!r} in {spec!r}; known: {', '.join(datasets.CORPORA)}")
        if name in out:
            raise ValueError(f"corpus {name!r} given twice")
        out[name] = os.path.abspath(os.path.expanduser(root.strip()))
    return out


def discover_corpora(data_dir: str | os.PathLike) -> dict[str, str]:
    """Find known corpus folders directly inside ``data_dir`` (case-insensitive names)."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise FileNotFoundError(f"data folder {data_dir} does not exist")
    found: dict[str, str] = {}
    for child in sorted(data_dir.iterdir()):
        if not child.is_dir():
            continue
        for name, aliases in FOLDER_ALIASES.items():
            if child.name.lower() in aliases and name not in found:
                found[name] = str(child.resolve())
    return found


def quick_subset(manifest: pd.DataFrame, per_group: int = 4, seed: int = 0) -> pd.DataFrame:
    """At most ``per_group`` utterances per (speaker, emotion): keeps every speaker and class.

    Used by ``--quick`` runs and the demo budget so that speaker-independent folds still exist on a subset.
    """
    if per_group < 1:
        raise ValueError(f"per_group must be >= 1, got {per_group}")
    parts = [
        g.sample(n=min(per_group, len(g)), random_state=seed)
        for _, g in manifest.groupby(["speaker", "emotion"], sort=True)
    ]
    sub = pd.concat(parts).sort_values("path").reset_index(drop=True)
    sub.attrs = dict(manifest.attrs)
    return sub


def load_corpora(
    corpora: dict[str, str] | None,
    *,
    quick: bool = False,
    seed: int = 0,
    quick_per_group: int = 4,
    per_group: int | None = None,
) -> dict[str, pd.DataFrame]:
    """Manifests of the configured corpora (``{}`` or ``None`` -> the embedded synthetic corpus).

    Serves every notebook. Each manifest keeps the loader's skip table in ``attrs["skipped"]``.

    Args:
        corpora: ``{name: root}`` as from :func:`parse_corpus_specs`.
        quick: reduce every corpus with :func:`quick_subset`.
        seed: seed of the embedded corpus and of the subsets.
        quick_per_group: utterances per (speaker, emotion) in quick mode.
        per_group: outside quick mode, at most this many utterances per (speaker, emotion) (the demo budget of
            the training notebooks); ``None``: every utterance.
    """
    if not corpora:
        corpora = {"embedded": ""}
    out: dict[str, pd.DataFrame] = {}
    for name, root in corpora.items():
        if name == "embedded":
            manifest = datasets.load("embedded", root or None, n_speakers=EMBEDDED_SPEAKERS, seed=seed)
        else:
            manifest = datasets.load(name, root)
        if quick or per_group is not None:
            manifest = quick_subset(manifest, per_group=quick_per_group if quick else int(per_group), seed=seed)
        out[name] = manifest
    return out


def skipped_table(manifests: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """All loader skips of the given manifests as one table ``corpus, path, reason, stage``."""
    rows = []
    for name, m in manifests.items():
        sk = datasets.skipped_files(m)
        if len(sk):
            rows.append(sk.assign(corpus=name, stage="manifest")[["corpus", "path", "reason", "stage"]])
    if not rows:
        return pd.DataFrame(columns=["corpus", "path", "reason", "stage"])
    return pd.concat(rows, ignore_index=True)

"""openSMILE eGeMAPSv02: 25 low-level descriptors per 10 ms frame, and 88 functionals per utterance (cached).

Serves notebooks 02 (the ``logmel_lld`` feature kind), 04 (the strong hybrid) and 05 (the eGeMAPS SVM).
openSMILE runs in a helper process where TensorFlow was imported first (it aborts otherwise)."""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from serlib.data.audio import AudioError, load_audio
from serlib.features import analysis
from serlib.storage import atomic_save_array, default_cache_dir, file_content_hash

#: Number of eGeMAPSv02 low-level descriptors per frame.
N_LLD = 25

_SMILES: dict = {}  # feature level -> openSMILE extractor, once it has run in this process
_SMILE_POOL = None  # helper process for openSMILE in a process that imported TensorFlow first


def _smile_in_process(y: np.ndarray, sample_rate: int, level: str) -> np.ndarray:
    if level not in _SMILES:
        import opensmile

        _SMILES[level] = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                                         feature_level=getattr(opensmile.FeatureLevel, level))
    return _SMILES[level].process_signal(np.asarray(y, np.float32), sample_rate).to_numpy(dtype=np.float32)


def opensmile_egemaps(y: np.ndarray, sample_rate: int = analysis.SAMPLE_RATE,
                      level: str = "LowLevelDescriptors") -> np.ndarray:
    """eGeMAPSv02 features of a waveform from openSMILE (``level``: ``"LowLevelDescriptors"`` or
    ``"Functionals"``), as a float32 array (one row per frame, or one row).

    openSMILE corrupts the heap (``malloc(): invalid size``, then abort) when it first runs in a process that
    has already imported TensorFlow (seen with opensmile 2.6.0 and TensorFlow 2.21); it is fine when it ran
    before. So in such a process the call goes to one helper process (started once, ``spawn``).
    """
    import sys

    if level in _SMILES or "tensorflow" not in sys.modules:
        return _smile_in_process(y, sample_rate, level)
    global _SMILE_POOL
    if _SMILE_POOL is None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        _SMILE_POOL = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"))
    return _SMILE_POOL.submit(_smile_in_process, np.asarray(y, np.float32), sample_rate, level).result()


def warm_opensmile(sample_rate: int = analysis.SAMPLE_RATE) -> None:
    """Run openSMILE once per feature level in this process, so that later calls stay in-process even after
    TensorFlow is imported (see :func:`opensmile_egemaps`). Notebook 06 calls it before importing TensorFlow,
    so its timings contain no inter-process hop."""
    y = (0.1 * np.sin(2 * np.pi * 220 * np.arange(sample_rate) / sample_rate)).astype(np.float32)
    for level in ("LowLevelDescriptors", "Functionals"):
        opensmile_egemaps(y, sample_rate, level)


def egemaps_lld(y: np.ndarray, sample_rate: int = analysis.SAMPLE_RATE) -> np.ndarray:
    """The 25 eGeMAPSv02 low-level descriptors of a waveform, one row per 10 ms frame (openSMILE).

    openSMILE marks unvoiced frames' pitch-related values as 0; undefined values (NaN) become 0 too.

    Returns:
        float32 array ``(n_frames, 25)``; zero rows for audio shorter than openSMILE's first window.
    """
    out = opensmile_egemaps(y, sample_rate, "LowLevelDescriptors")
    return np.nan_to_num(out.reshape(-1, N_LLD), nan=0.0, posinf=0.0, neginf=0.0)



#: Bump when the meaning of cached eGeMAPS vectors changes.
EGEMAPS_VERSION = 1
EGEMAPS_SET = "eGeMAPSv02"


# ------------------------------------------------------------------------------------------ eGeMAPS
def egemaps_cache_key(sample_rate: int = analysis.SAMPLE_RATE, trim_db: float | None = analysis.TRIM_DB) -> str:
    """Short hash naming the eGeMAPS cache folder: feature set, level, audio settings, code version."""
    import opensmile

    payload = {"set": EGEMAPS_SET, "level": "Functionals", "sample_rate": sample_rate, "trim_db": trim_db,
               "v": EGEMAPS_VERSION, "opensmile": getattr(opensmile, "__version__", "?")}
    return hashlib.sha256(json.dumps(payload, sort_keys=True).encode()).hexdigest()[:16]


_SMILE = None


def _smile():
    global _SMILE
    if _SMILE is None:
        import opensmile

        _SMILE = opensmile.Smile(feature_set=opensmile.FeatureSet.eGeMAPSv02,
                                 feature_level=opensmile.FeatureLevel.Functionals)
    return _SMILE


def egemaps_names() -> list[str]:
    """The 88 eGeMAPSv02 functional names, in column order."""
    return list(_smile().feature_names)


def egemaps_functionals(y: np.ndarray, sample_rate: int = analysis.SAMPLE_RATE) -> np.ndarray:
    """The 88 eGeMAPSv02 functionals of one waveform (float32)."""
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"expected a non-empty 1-D waveform, got shape {y.shape}")

    return opensmile_egemaps(y, sample_rate, "Functionals").reshape(-1)


def _egemaps_for_file(path: str, cache_dir: str | None, key: str, sample_rate: int, trim_db, min_duration_s):
    """Worker: (vector or None, reason, cache_hit)."""
    entry = None
    if cache_dir is not None:
        try:
            content = file_content_hash(path)
        except OSError as err:
            return None, f"unreadable: {err.strerror or err}", False
        entry = Path(cache_dir) / "egemaps" / key / content[:2] / f"{content}.npy"
        if entry.exists():
            try:
                return np.load(entry, allow_pickle=False), "", True
            except Exception:  # corrupt entry: recompute
                pass
    try:
        y = load_audio(path, sample_rate, trim_db=trim_db, min_duration_s=min_duration_s)
        vec = egemaps_functionals(y, sample_rate)
    except AudioError as err:
        return None, str(err), False
    except Exception as err:  # openSMILE failures are per file, never fatal for the run
        return None, f"openSMILE failed: {str(err).splitlines()[0][:120] if str(err) else type(err).__name__}", False
    if not np.all(np.isfinite(vec)):
        return None, "eGeMAPS functionals contain NaN or infinite values", False
    if entry is not None:
        atomic_save_array(entry, vec)
    return vec, "", False


@dataclass
class FunctionalSet:
    """Utterance-level functionals (one vector per usable manifest row).

    Attributes:
        manifest: usable rows, in the input order (index reset; position in the input manifest in
            ``source_row``, replacing any ``source_row`` column the input had).
        features: ``(n_rows, n_features)`` float32.
        names: feature names.
        skipped: ``path, corpus, reason`` of rows that could not be used.
        cache_hits: files served from the cache.
    """

    manifest: pd.DataFrame
    features: np.ndarray
    names: list
    skipped: pd.DataFrame
    cache_hits: int = 0

    def __len__(self) -> int:
        return len(self.features)


def extract_egemaps(manifest: pd.DataFrame, *, sample_rate: int = analysis.SAMPLE_RATE,
                    trim_db: float | None = analysis.TRIM_DB,
                    min_duration_s: float = analysis.MIN_DURATION_S, cache_dir: str | os.PathLike | None | bool = None,
                    n_jobs: int = 2, progress: bool = True) -> FunctionalSet:
    """eGeMAPSv02 functionals for every file of a manifest: parallel, cached, skipping bad files.

    Serves notebook 05_baselines. Audio is read with :func:`serlib.data.audio.load_audio` at ``sample_rate`` and
    trimmed like the MFCC features (``trim_db``), so both feature sets see the same speech. The cache entry is
    keyed by the file's content hash and :func:`egemaps_cache_key` (feature set, level, audio settings).

    Args:
        manifest: needs a ``path`` column.
        trim_db: leading/trailing silence trim (dB below peak); ``None`` keeps the whole file.
        min_duration_s: shorter audio (after trimming) is skipped (default: one MFCC window, so both feature
            sets keep the same rows).
        cache_dir: cache root; ``None`` uses :func:`serlib.storage.default_cache_dir`, ``False`` disables it.
        n_jobs: joblib workers.
        progress: show a tqdm bar.
    """
    if "path" not in manifest.columns:
        raise ValueError("manifest needs a 'path' column (see serlib.data.corpora.manifest.load)")
    if len(manifest) == 0:
        raise ValueError("manifest is empty: nothing to extract")
    from joblib import Parallel, delayed

    from serlib.reporting.progress import tqdm

    cache_root = None if cache_dir is False else str(Path(cache_dir) if cache_dir is not None else default_cache_dir())
    key = egemaps_cache_key(sample_rate, trim_db)
    paths = manifest["path"].astype(str).tolist()
    jobs = (delayed(_egemaps_for_file)(p, cache_root, key, sample_rate, trim_db, min_duration_s) for p in paths)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    out = list(tqdm(results, total=len(paths), desc="eGeMAPS functionals", disable=not progress,
                    mininterval=2.0))
    keep = [i for i, (vec, _, _) in enumerate(out) if vec is not None]
    skipped = pd.DataFrame([{"path": paths[i], "corpus": manifest.iloc[i].get("corpus", ""), "reason": r}
                            for i, (vec, r, _) in enumerate(out) if vec is None], columns=["path", "corpus", "reason"])
    kept = manifest.iloc[keep].drop(columns="source_row", errors="ignore")
    kept.insert(len(kept.columns), "source_row", np.asarray(keep, dtype=int))
    names = egemaps_names()
    feats = np.stack([out[i][0] for i in keep]).astype(np.float32) if keep else np.zeros((0, len(names)), np.float32)
    return FunctionalSet(kept.reset_index(drop=True), feats, names, skipped, sum(1 for _, _, h in out if h))


def align_features(paths_a, paths_b) -> tuple[np.ndarray, np.ndarray]:
    """Positions into two row lists that keep the paths both have, in the order of ``paths_a``.

    Used to give the MFCC-statistics and eGeMAPS baselines exactly the same utterances.
    """
    a = pd.Index([str(p) for p in paths_a])
    b = pd.Index([str(p) for p in paths_b])
    if a.has_duplicates or b.has_duplicates:
        raise ValueError("paths must be unique to align two feature sets")
    ia = np.flatnonzero(a.isin(b))
    ib = b.get_indexer(a[ia])
    return ia, ib

"""Features of a whole manifest: extraction in parallel, the on-disk cache, and the skip table.

Serves notebook 02_feature_extraction and every later notebook. A file that cannot be read becomes a row of
:attr:`FeatureSet.skipped` with its reason; the run goes on."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from serlib.data.audio import AudioError
from serlib.features.frames import FeatureConfig, frames_from_file, overlapping_windows, utterance_statistics
from serlib.storage import atomic_save_array, atomic_write_bytes, default_cache_dir, file_content_hash


class FeatureCache:
    """On-disk cache of frame features keyed by (file content hash, feature configuration).

    Layout: ``<root>/features/<config.key()>/<hh>/<content_hash>.npy`` plus ``config.json`` per
    configuration. Writes are atomic (temp file + rename), so an interrupted run never leaves a corrupt
    entry; a corrupt entry is recomputed.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root is not None else default_cache_dir()

    def _dir(self, config: FeatureConfig) -> Path:
        d = self.root / "features" / config.key()
        if not (d / "config.json").exists():
            d.mkdir(parents=True, exist_ok=True)
            atomic_write_bytes(d / "config.json", json.dumps(config.to_dict(), indent=1).encode())
        return d

    def path_for(self, content_hash: str, config: FeatureConfig) -> Path:
        return self._dir(config) / content_hash[:2] / f"{content_hash}.npy"

    def get(self, content_hash: str, config: FeatureConfig) -> np.ndarray | None:
        p = self.path_for(content_hash, config)
        if not p.exists():
            return None
        try:
            return np.load(p, allow_pickle=False)
        except Exception:
            return None

    def put(self, content_hash: str, config: FeatureConfig, frames: np.ndarray) -> None:
        atomic_save_array(self.path_for(content_hash, config), frames)


def _features_for_file(path: str, config: FeatureConfig, cache_root: str | None) -> tuple[np.ndarray | None, str, bool]:
    """Worker: (frames or None, reason, cache_hit)."""
    cache = FeatureCache(cache_root) if cache_root is not None else None
    try:
        content = file_content_hash(path) if cache is not None else ""
    except OSError as err:
        return None, f"unreadable: {err.strerror or err}", False
    if cache is not None:
        hit = cache.get(content, config)
        if hit is not None:
            return hit, "", True
    try:
        frames = frames_from_file(path, config)
    except AudioError as err:
        return None, str(err), False
    if cache is not None:
        cache.put(content, config, frames)
    return frames, "", False


@dataclass
class FeatureSet:
    """Frame features for the usable rows of a manifest.

    Attributes:
        manifest: the rows that have features (index reset; original row number in ``source_row``).
        frames: one ``(n_frames, n_features)`` float32 array per manifest row, in order.
        skipped: rows that could not be used, with columns ``path, corpus, reason``.
        config: the feature configuration.
        cache_hits: how many files were served from the cache.
    """

    manifest: pd.DataFrame
    frames: list[np.ndarray]
    skipped: pd.DataFrame
    config: FeatureConfig
    cache_hits: int = 0
    extra: dict = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frames)

    def windows(self, i: int) -> np.ndarray:
        """OSW windows of row ``i``."""
        return overlapping_windows(self.frames[i], self.config.window_frames, self.config.window_hop)

    def statistics(self) -> np.ndarray:
        """``(n_rows, 2 * n_features)`` utterance-level mean/std matrix."""
        return np.stack([utterance_statistics(f) for f in self.frames])

    def subset(self, mask) -> "FeatureSet":
        """Rows where ``mask`` (boolean, aligned with ``manifest``) is true."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != (len(self.frames),):
            raise ValueError(f"mask must have shape ({len(self.frames)},), got {mask.shape}")
        idx = np.flatnonzero(mask)
        return FeatureSet(
            self.manifest.iloc[idx].reset_index(drop=True),
            [self.frames[i] for i in idx],
            self.skipped,
            self.config,
            self.cache_hits,
            dict(self.extra),
        )


def extract_features(
    manifest: pd.DataFrame,
    config: FeatureConfig = FeatureConfig(),
    *,
    cache_dir: str | os.PathLike | None | bool = None,
    n_jobs: int = 2,
    progress: bool = True,
) -> FeatureSet:
    """Frame features for every file of a manifest, in parallel, cached, skipping bad files.

    Serves notebook 02_feature_extraction and all later notebooks.

    Args:
        manifest: DataFrame with at least a ``path`` column (see :func:`serlib.data.corpora.manifest.load`).
        config: feature configuration.
        cache_dir: cache root; ``None`` uses :func:`default_cache_dir`, ``False`` disables caching.
        n_jobs: joblib workers.
        progress: show a tqdm bar.

    Returns:
        A :class:`FeatureSet`; bad files are listed in ``skipped`` with a one-line reason.
    """
    if "path" not in manifest.columns:
        raise ValueError("manifest needs a 'path' column (see serlib.data.corpora.manifest.load)")
    if len(manifest) == 0:
        raise ValueError("manifest is empty: nothing to extract")
    from joblib import Parallel, delayed

    from serlib.reporting.progress import tqdm

    if cache_dir is False:
        cache_root = None
    else:
        cache_root = str(Path(cache_dir) if cache_dir is not None else default_cache_dir())
    paths = manifest["path"].astype(str).tolist()
    jobs = (delayed(_features_for_file)(p, config, cache_root) for p in paths)
    results = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    out = list(tqdm(results, total=len(paths), desc=f"{config.kind} features", disable=not progress))
    keep = [i for i, (frames, _, _) in enumerate(out) if frames is not None]
    skipped_rows = [
        {"path": paths[i], "corpus": manifest.iloc[i].get("corpus", ""), "reason": reason}
        for i, (frames, reason, _) in enumerate(out)
        if frames is None
    ]
    kept = manifest.iloc[keep].copy()
    kept.insert(len(kept.columns), "source_row", np.asarray(keep, dtype=int))
    return FeatureSet(
        manifest=kept.reset_index(drop=True),
        frames=[out[i][0] for i in keep],
        skipped=pd.DataFrame(skipped_rows, columns=["path", "corpus", "reason"]),
        config=config,
        cache_hits=sum(1 for _, _, hit in out if hit),
    )

"""Files on disk: the cache folder, atomic writes and content hashes.

Used by every stage that caches (features, augmented copies, the embedded corpus, trainings). Writes are
atomic (temporary file + rename), so a killed run never leaves a half-written entry."""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
from pathlib import Path

import numpy as np


def file_content_hash(path: str | os.PathLike, chunk_size: int = 1 << 20, algorithm: str = "sha256") -> str:
    """Hex digest of a file's bytes (SHA-256 by default: the cache key's content half)."""
    h = hashlib.new(algorithm)
    with open(path, "rb") as fh:
        while chunk := fh.read(chunk_size):
            h.update(chunk)
    return h.hexdigest()


def default_cache_dir() -> Path:
    """``$SERLIB_CACHE_DIR`` if set, else ``~/.cache/serlib``."""
    env = os.environ.get("SERLIB_CACHE_DIR")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "serlib"


def atomic_write_bytes(path: str | os.PathLike, data: bytes) -> None:
    """Write a file via a temporary file and a rename, so readers never see a half-written cache entry."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, suffix=".tmp")
    with os.fdopen(fd, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


def atomic_save_array(path: str | os.PathLike, array: np.ndarray) -> None:
    """``np.save`` through :func:`atomic_write_bytes` (no pickles)."""
    buf = io.BytesIO()
    np.save(buf, np.asarray(array), allow_pickle=False)
    atomic_write_bytes(path, buf.getvalue())

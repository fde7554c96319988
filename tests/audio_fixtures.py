"""Small audio files, good and broken, written on the fly for tests (no audio is committed)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import soundfile as sf


def tone(duration_s: float = 1.0, sr: int = 16000, freq: float = 220.0, amp: float = 0.3, seed: int = 0) -> np.ndarray:
    """A harmonic tone with a little noise and an amplitude envelope (speech-like enough for features)."""
    rng = np.random.default_rng(seed)
    t = np.arange(int(duration_s * sr)) / sr
    y = sum(np.sin(2 * np.pi * freq * k * t) / k for k in range(1, 6))
    y *= 0.5 * (1 - np.cos(2 * np.pi * t / max(duration_s, 1e-3)))
    y = amp * y / (np.max(np.abs(y)) + 1e-9) + 0.003 * rng.standard_normal(t.size)
    return y.astype(np.float32)


def write_tone(path: Path, duration_s: float = 1.0, sr: int = 16000, **kw) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, tone(duration_s, sr, **kw), sr, subtype="PCM_16")
    return path


def write_broken_files(folder: Path, make_name) -> dict[str, str]:
    """Write one file per kind of bad input; ``make_name(k)`` gives the k-th valid corpus file name.

    Returns ``{file name: expected reason fragment}``.
    """
    folder.mkdir(parents=True, exist_ok=True)
    expected = {}
    name = make_name(0)
    (folder / name).write_bytes(b"")
    expected[name] = "empty file"
    name = make_name(1)
    (folder / name).write_text("this is not audio, it only has a .wav name\n" * 20)
    expected[name] = "unreadable or not audio"
    name = make_name(2)
    full = folder / ("_tmp_" + name)
    write_tone(full, 1.0)
    data = full.read_bytes()
    full.unlink()
    (folder / name).write_bytes(data[:30])  # truncated inside the header
    expected[name] = "unreadable or not audio"
    name = make_name(3)
    y = tone(1.0)
    y[100:200] = np.nan
    sf.write(folder / name, y, 16000, subtype="FLOAT")
    expected[name] = "NaN or infinite"
    name = make_name(4)
    sf.write(folder / name, np.zeros(16000, dtype=np.float32), 16000, subtype="PCM_16")
    expected[name] = "silent"
    name = make_name(5)
    write_tone(folder / name, 0.05)
    expected[name] = "too short"
    return expected

"""Classical augmentation of training waveforms, with a content-keyed feature cache.

Serves notebook 03_gan_augmentation. A copy applies Gaussian noise at a random SNR, a pitch shift and a time
stretch (each with a probability, at least one always) to the trimmed waveform of a *training* utterance; its
frame features are computed as for real audio and cached under the file's content hash, the settings, the
seed and the copy number. SpecAugment, the other classical augmentation, is a layer of the models."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import time
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from serlib.augmentation.gan import check_speakers_disjoint
from serlib.data.audio import AudioError, load_audio
from serlib.features.extract import FeatureCache
from serlib.features.frames import FeatureConfig, compute_frame_features
from serlib.storage import default_cache_dir, file_content_hash

#: Bump when the meaning of cached augmented features changes.
AUGMENT_VERSION = 1


@dataclass(frozen=True)
class ClassicAugmentConfig:
    """Waveform augmentation settings (each transform is applied with its probability; at least one is).

    Attributes:
        snr_db: range of the signal-to-noise ratio of added white Gaussian noise, dB.
        pitch_semitones: range of the pitch shift, semitones.
        stretch_rate: range of the time-stretch rate (> 1 is faster, i.e. shorter).
        p_noise, p_pitch, p_stretch: probabilities of each transform.
    """

    snr_db: tuple[float, float] = (10.0, 30.0)
    pitch_semitones: tuple[float, float] = (-2.0, 2.0)
    stretch_rate: tuple[float, float] = (0.85, 1.15)
    p_noise: float = 0.5
    p_pitch: float = 0.5
    p_stretch: float = 0.5

    def __post_init__(self):
        for name in ("snr_db", "pitch_semitones", "stretch_rate"):
            lo, hi = getattr(self, name)
            if lo > hi:
                raise ValueError(f"{name} must be (low, high) with low <= high, got {(lo, hi)}")
        if self.stretch_rate[0] <= 0:
            raise ValueError(f"stretch_rate must be positive, got {self.stretch_rate}")
        for name in ("p_noise", "p_pitch", "p_stretch"):
            if not 0 <= getattr(self, name) <= 1:
                raise ValueError(f"{name} must be in [0, 1], got {getattr(self, name)}")

    def to_dict(self) -> dict:
        return {k: list(v) if isinstance(v, tuple) else v for k, v in dataclasses.asdict(self).items()}


def draw_augmentation(config: ClassicAugmentConfig, seed: int) -> dict:
    """The random parameters of one augmented copy (deterministic for a seed): which transforms, how much."""
    rng = np.random.default_rng(seed)
    use = rng.random(3) < np.array([config.p_noise, config.p_pitch, config.p_stretch])
    if not use.any():
        use[rng.integers(0, 3)] = True
    return {
        "snr_db": float(rng.uniform(*config.snr_db)) if use[0] else None,
        "pitch_semitones": float(rng.uniform(*config.pitch_semitones)) if use[1] else None,
        "stretch_rate": float(rng.uniform(*config.stretch_rate)) if use[2] else None,
        "noise_seed": int(rng.integers(0, 2**31 - 1)),
    }


def augment_waveform(y: np.ndarray, sr: int, config: ClassicAugmentConfig = ClassicAugmentConfig(), *,
                     seed: int = 0) -> tuple[np.ndarray, dict]:
    """One augmented copy of a waveform: pitch shift, then time stretch, then additive noise.

    Args:
        y: mono float waveform.
        sr: sample rate (Hz).
        config: :class:`ClassicAugmentConfig`.
        seed: makes the copy reproducible.

    Returns:
        ``(augmented float32 waveform, parameters)``; the length is ``len(y)`` unless time-stretched
        (then about ``len(y) / rate``).
    """
    import librosa

    y = np.asarray(y, np.float32)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"expected a non-empty 1-D waveform, got shape {y.shape}")
    if not np.all(np.isfinite(y)):
        raise ValueError("waveform contains NaN or infinite values")
    params = draw_augmentation(config, seed)
    out = y
    if params["pitch_semitones"] is not None:
        out = librosa.effects.pitch_shift(out, sr=sr, n_steps=params["pitch_semitones"])
    if params["stretch_rate"] is not None:
        out = librosa.effects.time_stretch(out, rate=params["stretch_rate"])
    if params["snr_db"] is not None:
        rms = float(np.sqrt(np.mean(np.square(out, dtype=np.float64))))
        noise_rms = rms / (10 ** (params["snr_db"] / 20))
        out = out + noise_rms * np.random.default_rng(params["noise_seed"]).standard_normal(out.size)
    return np.asarray(out, np.float32), params


def _copy_seed(content_hash: str, seed: int, copy: int) -> int:
    return int(hashlib.sha256(f"{content_hash}|{seed}|{copy}".encode()).hexdigest()[:8], 16)


def _augmented_key(content_hash: str, aug: ClassicAugmentConfig, seed: int, copy: int) -> str:
    """Cache key of one copy: the file's content, the settings, seed and copy number, and the source of the code
    that makes copies (so a cache filled by older code is never served to newer code)."""
    from serlib.experiments.result_cache import code_version

    payload = json.dumps({"v": AUGMENT_VERSION, "code": code_version("classic_copies"), "content": content_hash,
                          "aug": aug.to_dict(), "seed": seed, "copy": copy}, sort_keys=True)
    return "aug-" + hashlib.sha256(payload.encode()).hexdigest()


def _augmented_for_file(path: str, feature_config: FeatureConfig, aug: ClassicAugmentConfig, seed: int, copy: int,
                        cache_root: str | None):
    """Worker: (frames or None, params, reason)."""
    try:
        content = file_content_hash(path)
    except OSError as err:
        return None, {}, f"unreadable: {err.strerror or err}"
    copy_seed = _copy_seed(content, seed, copy)
    params = draw_augmentation(aug, copy_seed)
    cache = FeatureCache(cache_root) if cache_root is not None else None
    key = _augmented_key(content, aug, seed, copy)
    if cache is not None:
        hit = cache.get(key, feature_config)
        if hit is not None:
            return hit, params, ""
    try:
        y = load_audio(path, feature_config.sample_rate, trim_db=feature_config.trim_db,
                       min_duration_s=feature_config.min_duration_s)
        y_aug, params = augment_waveform(y, feature_config.sample_rate, aug, seed=copy_seed)
        frames = compute_frame_features(y_aug, feature_config)
    except (AudioError, ValueError) as err:
        return None, params, str(err)
    if frames.shape[0] < feature_config.window_frames:
        return None, params, f"augmented copy too short ({frames.shape[0]} frames)"
    if not np.all(np.isfinite(frames)):
        return None, params, "augmented features contain NaN or infinite values"
    if cache is not None:
        cache.put(key, feature_config, frames)
    return frames, params, ""


@dataclass
class AugmentedData:
    """Synthetic training utterances and where they came from.

    Attributes:
        frames: one ``(n_frames, n_features)`` array per synthetic utterance.
        emotions: label of each synthetic utterance.
        source: manifest position of the real utterance each was made from.
        params: per-utterance augmentation parameters (DataFrame), if any.
        skipped: sources that gave no usable copy, with a reason.
        seconds: wall time spent making them.
    """

    frames: list
    emotions: np.ndarray
    source: np.ndarray
    params: pd.DataFrame = field(default_factory=pd.DataFrame)
    skipped: pd.DataFrame = field(default_factory=pd.DataFrame)
    seconds: float = 0.0

    def __len__(self) -> int:
        return len(self.frames)


def classic_augmented_features(manifest: pd.DataFrame, train, test, *, feature_config: FeatureConfig = FeatureConfig(),
                               config: ClassicAugmentConfig = ClassicAugmentConfig(), seed: int = 0,
                               n_copies: int = 1, cache_dir=None, n_jobs: int = 2,
                               progress: bool = True) -> AugmentedData:
    """Waveform-augmented copies of the ``train`` rows of a manifest, as frame features.

    Serves notebook 03. ``test`` (the split's test positions) is only used to refuse a split where a test
    speaker is among the rows to augment. A copy of a file is the same whatever the fold (its randomness
    comes from the file content, ``seed`` and the copy number), which makes the cache effective.

    Args:
        manifest: rows with ``path``, ``speaker``, ``emotion``.
        train, test: positions of the split.
        n_copies: augmented copies per training utterance.
        cache_dir: cache root (``None``: default, ``False``: no cache).
    """
    from joblib import Parallel, delayed

    from serlib.reporting.progress import tqdm

    for col in ("path", "speaker", "emotion"):
        if col not in manifest.columns:
            raise ValueError(f"manifest lacks column {col!r} (see serlib.data.corpora.manifest.load)")
    train, test = np.asarray(train, int), np.asarray(test, int)
    spk = manifest["speaker"].astype(str).to_numpy()
    check_speakers_disjoint(spk[train], spk[test])
    if n_copies < 1:
        raise ValueError(f"n_copies must be >= 1, got {n_copies}")
    cache_root = None if cache_dir is False else str(cache_dir if cache_dir is not None else default_cache_dir())
    paths = manifest["path"].astype(str).to_numpy()
    emotions = manifest["emotion"].astype(str).to_numpy()
    jobs = [(int(p), c) for p in train for c in range(n_copies)]
    t0 = time.perf_counter()
    results = Parallel(n_jobs=n_jobs, return_as="generator")(
        delayed(_augmented_for_file)(paths[p], feature_config, config, seed, c, cache_root) for p, c in jobs)
    frames, emo, source, params, skipped = [], [], [], [], []
    for (p, c), (fr, par, reason) in tqdm(zip(jobs, results), total=len(jobs), desc="classic augmentation",
                                           disable=not progress, leave=False):
        if fr is None:
            skipped.append({"path": paths[p], "copy": c, "reason": reason})
            continue
        frames.append(fr)
        emo.append(emotions[p])
        source.append(p)
        params.append({"source": p, "copy": c, **par})
    return AugmentedData(frames, np.asarray(emo, dtype=str), np.asarray(source, int), pd.DataFrame(params),
                         pd.DataFrame(skipped, columns=["path", "copy", "reason"]), time.perf_counter() - t0)

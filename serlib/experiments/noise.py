"""Test-time noise: white and babble noise mixed at a given SNR, and features of noisy test utterances.

Serves notebook 04_cnn_lstm (section "Noise robustness"). Babble is built from training utterances only."""

from __future__ import annotations

import numpy as np

from serlib.features.extract import FeatureSet


# ----------------------------------------------------------------------------------- noise robustness
def white_noise(n: int, rng: np.random.Generator) -> np.ndarray:
    """Gaussian white noise of ``n`` samples."""
    return rng.standard_normal(n).astype(np.float32)


def babble_noise(n: int, pool: list[np.ndarray], rng: np.random.Generator, n_talkers: int = 6) -> np.ndarray:
    """Babble-like noise: the sum of ``n_talkers`` other utterances, each level-normalised and looped to ``n``.

    Args:
        n: samples wanted.
        pool: waveforms to draw talkers from (use utterances of *other* speakers than the test utterance).
        rng: random generator.
        n_talkers: voices mixed.
    """
    if not pool:
        raise ValueError("babble noise needs a non-empty pool of other utterances")
    out = np.zeros(n, np.float32)
    for k in rng.choice(len(pool), size=min(n_talkers, len(pool)), replace=False):
        w = pool[k] / (np.sqrt(np.mean(pool[k] ** 2)) + 1e-9)
        start = rng.integers(0, len(w))
        out += np.resize(np.roll(w, -start), n)
    return out


def mix_at_snr(speech: np.ndarray, noise: np.ndarray, snr_db: float) -> np.ndarray:
    """``speech + g * noise`` with ``g`` chosen so that the speech-to-noise power ratio is ``snr_db`` dB."""
    ps = np.mean(np.square(speech, dtype=np.float64))
    pn = np.mean(np.square(noise, dtype=np.float64)) + 1e-12
    g = np.sqrt(ps / (pn * 10 ** (snr_db / 10)))
    return (speech + g * noise).astype(np.float32)


def noisy_waveform(y: np.ndarray, snr_db: float, kind: str, *, babble_pool: list[np.ndarray] | None = None,
                   seed: int = 0) -> np.ndarray:
    """``y`` with white or babble noise at ``snr_db`` dB: exactly what the noise test feeds the model.

    Serves notebook 04 (section "Noise robustness": the features of the test, and the audio players that let a
    reader hear each level)."""
    if kind not in ("white", "babble"):
        raise ValueError(f"noise kind must be 'white' or 'babble', got {kind!r}")
    rng = np.random.default_rng(seed)
    noise = white_noise(len(y), rng) if kind == "white" else babble_noise(len(y), babble_pool or [], rng)
    return mix_at_snr(y, noise, snr_db)


def _noisy_frames(path: str, snr_db: float, kind: str, pool: list[np.ndarray], seed: int, config):
    from serlib.data.audio import load_audio
    from serlib.features.frames import compute_frame_features

    y = load_audio(path, config.sample_rate, trim_db=config.trim_db)
    return compute_frame_features(noisy_waveform(y, snr_db, kind, babble_pool=pool, seed=seed), config)


def noisy_features(fs: FeatureSet, positions: np.ndarray, snr_db: float, kind: str, *,
                   babble_pool: list[np.ndarray] | None = None, seed: int = 0, n_jobs: int = 2,
                   progress: bool = True) -> list[np.ndarray]:
    """Frame features of the utterances at ``positions`` with noise added at ``snr_db`` (test-time only).

    The noise is added after the same silence trimming as the clean features, so SNR refers to speech.
    """
    if kind not in ("white", "babble"):
        raise ValueError(f"noise kind must be 'white' or 'babble', got {kind!r}")
    if kind == "babble" and not babble_pool:
        raise ValueError("babble noise needs babble_pool (waveforms of other speakers)")
    from joblib import Parallel, delayed

    from serlib.reporting.progress import tqdm

    paths = fs.manifest["path"].astype(str).to_numpy()[positions]
    jobs = (delayed(_noisy_frames)(p, snr_db, kind, babble_pool or [], seed * 100003 + int(i), fs.config)
            for i, p in zip(positions, paths))
    it = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    return list(tqdm(it, total=len(paths), desc=f"{kind} noise {snr_db:g} dB", disable=not progress))

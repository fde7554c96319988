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


def babble_pool(fs: FeatureSet, train_positions, rng: np.random.Generator, pool_size: int = 30) -> list[np.ndarray]:
    """Waveforms of ``pool_size`` random training utterances (drawn with ``rng``) that babble noise mixes talkers
    from, loaded as the clean features were (silence trimmed). Serves :func:`noise_robustness` and notebook 04's
    listening examples (:func:`serlib.experiments.paper_model.noise_examples`)."""
    from serlib.data.audio import load_audio

    config = fs.config
    positions = rng.choice(train_positions, size=min(pool_size, len(train_positions)), replace=False)
    return [load_audio(fs.manifest["path"].iloc[i], config.sample_rate, trim_db=config.trim_db) for i in positions]


def utterance_noise_seed(seed: int, position: int) -> int:
    """Seed of the noise added to the utterance at ``position`` (the same at every level and in every example)."""
    return seed * 100003 + int(position)


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
    jobs = (delayed(_noisy_frames)(p, snr_db, kind, babble_pool or [], utterance_noise_seed(seed, i), fs.config)
            for i, p in zip(positions, paths))
    it = Parallel(n_jobs=n_jobs, return_as="generator")(jobs)
    return list(tqdm(it, total=len(paths), desc=f"{kind} noise {snr_db:g} dB", disable=not progress))


def noise_robustness(fs: FeatureSet, result, folds, *, snr_levels=(20, 10, 5, 0), kinds=("white", "babble"),
                     pool_size: int = 30, seed: int = 0, n_jobs: int = 1):
    """Accuracy of one seed's clean-trained fold models on their own test utterances with noise added.

    Serves notebook 04 (section "Noise robustness"). No model is retrained. Babble for a fold mixes utterances
    of ``pool_size`` random *training* utterances of that fold (never a test speaker).

    Args:
        fs: the corpus's features (for paths, labels and the feature configuration).
        result: a :class:`serlib.experiments.protocols.ProtocolResult` of one seed, run with ``keep_models``.
        folds: the speaker-independent folds ``result`` was run on (matched by name).
        snr_levels: signal-to-noise ratios (dB).
        kinds: noise kinds (``white``, ``babble``).
        pool_size: training utterances babble is drawn from, per fold.
        seed: seed of the pool draw and of the noise.
        n_jobs: parallel feature extraction of the noisy audio.

    Returns:
        DataFrame ``noise, snr_db, accuracy, correct, n`` sorted by kind, then from clean (``snr_db`` = inf, the
        clean predictions of ``result``) to the noisiest level; accuracies are pooled over folds.
    """
    import pandas as pd

    if not result.models:
        raise ValueError("the protocol result keeps no models; run it with keep_models=True")
    by_name = {f.name: f for f in folds}
    clean = result.predictions
    correct = int((clean["y_true"] == clean["y_pred"]).sum())
    rows = [{"noise": k, "snr_db": float("inf"), "correct": correct, "n": len(clean)} for k in kinds]
    y = fs.manifest["emotion"].astype(str).to_numpy()
    rng = np.random.default_rng(seed)
    for (_, split_name), clf in result.models.items():
        if split_name not in by_name:
            raise ValueError(f"fold {split_name!r} of the result is not among the given folds")
        split = by_name[split_name]
        pool = babble_pool(fs, split.train, rng, pool_size)
        for kind in kinds:
            for snr in snr_levels:
                frames = noisy_features(fs, split.test, snr, kind, babble_pool=pool, seed=seed, n_jobs=n_jobs,
                                        progress=False)
                pred = clf.predict(frames)
                rows.append({"noise": kind, "snr_db": float(snr), "correct": int((pred == y[split.test]).sum()),
                             "n": len(split.test)})
    table = pd.DataFrame(rows).groupby(["noise", "snr_db"])[["correct", "n"]].sum().reset_index()
    table = table.sort_values(["noise", "snr_db"], ascending=[True, False], ignore_index=True)
    return table.assign(accuracy=table["correct"] / table["n"])[["noise", "snr_db", "accuracy", "correct", "n"]]


def noise_metrics(table, snr_levels) -> dict:
    """``{"clean" | "<dB>": {"accuracy", "accuracy_white", "accuracy_babble"}}`` for ``metrics.json``
    (``cnn_lstm.<corpus>.snr``) from a :func:`noise_robustness` table: ``accuracy`` is the mean over kinds."""
    out = {}
    for level in ["clean", *snr_levels]:
        key = float("inf") if level == "clean" else float(level)
        acc = table[table["snr_db"] == key].set_index("noise")["accuracy"]
        out[str(level)] = {"accuracy": float(acc.mean()), **{f"accuracy_{k}": float(v) for k, v in acc.items()}}
    return out

"""The feature stage as a lesson: configuration table, features of every corpus, sequence lengths, emotion
profiles and the metrics of notebook 02.

Serves notebook 02_feature_extraction. Inputs are manifests (``{corpus name: manifest}``), a
:class:`~serlib.features.frames.FeatureConfig` and the :class:`~serlib.features.extract.FeatureSet` objects of
:func:`extract_corpora`; outputs are plain tables and dicts. Plotting is in :mod:`serlib.plots.features`.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.features.extract import FeatureSet, extract_features
from serlib.features.frames import FeatureConfig


def _check_config(config) -> None:
    if not isinstance(config, FeatureConfig):
        raise TypeError(f"config must be a FeatureConfig, got {type(config).__name__}")


def _check_feature_sets(feature_sets) -> None:
    if not isinstance(feature_sets, dict) or not feature_sets:
        raise ValueError("feature_sets must be a non-empty dict {corpus name: FeatureSet}; see extract_corpora")


def config_table(config: FeatureConfig) -> pd.DataFrame:
    """The feature configuration with derived sizes (features per frame, window length and overlap, cache key).

    Serves notebook 02_feature_extraction (table ``02_feature_config``): one column ``value``, one row per
    setting.
    """
    _check_config(config)
    derived = {"features per frame": config.n_features,
               "frames per second": config.frame_rate,
               "window length (s)": config.window_frames / config.frame_rate,
               "window overlap (%)": 100 * (1 - config.window_hop / config.window_frames),
               "cache key": config.key()}
    return pd.Series(config.to_dict() | derived, name="value").to_frame()


def static_columns(config: FeatureConfig) -> tuple[int, int]:
    """``(first, n_static)``: the static coefficients of a frame matrix are columns ``0 .. n_static - 1``, and
    figures show them from ``first`` on (1 for MFCCs, whose coefficient 0 is the frame level; else 0).

    Serves notebook 02_feature_extraction (worked example and OSW figure).
    """
    _check_config(config)
    n_static = config.n_mfcc if config.kind == "mfcc" else config.n_mels
    return (1 if config.kind == "mfcc" else 0), n_static


def extract_corpora(manifests: dict[str, pd.DataFrame], config: FeatureConfig, n_jobs: int = 2,
                    **kwargs) -> dict[str, FeatureSet]:
    """Frame features of every corpus (:func:`serlib.features.extract.extract_features`: parallel, cached).

    Serves notebook 02_feature_extraction (section 3). Files too short for one window are in each set's
    ``skipped``; a bad file never raises. ``kwargs`` (e.g. ``cache_dir``, ``progress``) go to ``extract_features``.
    """
    if not isinstance(manifests, dict):
        raise TypeError(f"manifests must be a dict {{corpus name: manifest}}, got {type(manifests).__name__}")
    _check_config(config)
    return {name: extract_features(m, config, n_jobs=n_jobs, **kwargs) for name, m in manifests.items()}


def feature_skip_table(feature_sets: dict[str, FeatureSet]) -> pd.DataFrame:
    """Files skipped at the feature stage of every corpus, with ``stage = "features"``.

    Serves notebook 02_feature_extraction (table ``02_skipped_files``).
    """
    _check_feature_sets(feature_sets)
    return pd.concat([fs.skipped.assign(stage="features") for fs in feature_sets.values()], ignore_index=True)


def _window_counts(fs: FeatureSet) -> np.ndarray:
    return np.array([fs.windows(i).shape[0] for i in range(len(fs))])


def sequence_lengths(feature_sets: dict[str, FeatureSet]) -> pd.DataFrame:
    """Frames and OSW windows per utterance (mean, min, max; windows also p95) per corpus, rounded to 0.1.

    Serves notebook 02_feature_extraction (table ``02_sequence_lengths``).
    """
    _check_feature_sets(feature_sets)
    rows = []
    for name, fs in feature_sets.items():
        n_frames = np.array([f.shape[0] for f in fs.frames])
        n_win = _window_counts(fs)
        rows.append({"corpus": name, "utterances": len(fs), "frames mean": n_frames.mean(),
                     "frames min": n_frames.min(), "frames max": n_frames.max(),
                     "windows mean": n_win.mean(), "windows min": n_win.min(), "windows max": n_win.max(),
                     "windows p95": np.percentile(n_win, 95)})
    return pd.DataFrame(rows).round(1)


def emotion_profile(fs: FeatureSet, seed: int = 0) -> dict:
    """Per-emotion mean of each static coefficient, and a 2-D PCA of the standardised utterance statistics.

    Serves notebook 02_feature_extraction (section 4). A description of the whole corpus, not an evaluation.

    Returns:
        ``{"profile": DataFrame (emotions x c0..c{n-1}), "points": (n_utterances, 2) array,
        "explained_pct": PC1 and PC2 variance in %, "labels": emotion per utterance}``.
    """
    from sklearn.decomposition import PCA
    from sklearn.preprocessing import StandardScaler

    if len(fs) < 2:
        raise ValueError(f"need at least 2 utterances with features for a PCA, got {len(fs)}")
    _, n_static = static_columns(fs.config)
    stats = fs.statistics()
    means = pd.DataFrame(stats[:, :n_static], columns=[f"c{i}" for i in range(n_static)])
    means["emotion"] = fs.manifest["emotion"].to_numpy()
    z = StandardScaler().fit_transform(stats)
    pca = PCA(n_components=2, random_state=seed).fit(z)
    return {"profile": means.groupby("emotion").mean(), "points": pca.transform(z),
            "explained_pct": pca.explained_variance_ratio_ * 100, "labels": fs.manifest["emotion"]}


def feature_metrics(feature_sets: dict[str, FeatureSet], config: FeatureConfig) -> dict:
    """The ``metrics.json`` section of notebook 02: ``{"features": {"config": ..., corpus: counts and lengths}}``.

    Serves notebook 02_feature_extraction.
    """
    _check_feature_sets(feature_sets)
    _check_config(config)
    metrics = {"features": {"config": config.to_dict() | {"key": config.key()}}}
    for name, fs in feature_sets.items():
        n_win = _window_counts(fs)
        metrics["features"][name] = {
            "n_utterances": len(fs),
            "n_skipped": int(len(fs.skipped)),
            "n_features": int(config.n_features),
            "frames_mean": float(np.mean([f.shape[0] for f in fs.frames])),
            "windows_mean": float(n_win.mean()),
            "windows_p95": float(np.percentile(n_win, 95)),
        }
    return metrics

"""``serlib train``: the strong hybrid on all speakers of the given corpora, exported for the shipped runtime.

Serves the command line (``serlib train --corpus ravdess=DIR --corpus tess=DIR --output DIR``), the shipped
model in ``serlib/pretrained/`` and notebook 06_latency_comparison.

The design is the strong whole-utterance CNN-BiLSTM of notebook 04 (:data:`serlib.models.presets.STRONG_HYBRID_SETTING`) on
64 log-mel bands from the numpy front end (:mod:`serlib.deploy.frontend`), the same code at training and at
inference. The eGeMAPS descriptors of the notebook-04 model are left out: they need openSMILE, which costs 40 ms
a file and a heavy start. Two normalisations are trained (:data:`NORMALIZATIONS`):

- ``"file"`` - each utterance's mean log-mel level is subtracted (gain normalisation); works on one file.
- ``"speaker"`` - every band is z-normalised with the mean/std of all frames of the speaker's recordings,
  *unlabelled* (no emotion label is read); needs a folder of one speaker's recordings at prediction time.

With ``evaluate=True`` the same design is first measured, for each normalisation, under the honest protocols
of notebook 04 on the given corpora: speaker-independent folds (RAVDESS: the EmoBox folds) and cross-corpus
in both directions on the shared emotions, with seed x speaker bootstrap intervals
(:func:`serlib.experiments.leaderboard.statistics.entry_metrics`). Those estimates go into the metadata and the model card.

The final model of each normalisation is trained on every usable file; its early-stopping checkpoint is
chosen on validation *speakers* drawn from the training speakers
(:func:`serlib.evaluation.splits.validation_speakers_split`).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import os
import time
from pathlib import Path

import numpy as np

from serlib.deploy.frontend import NORMALIZATIONS, FrontEndConfig, frames_from_file, normalize_frames
from serlib.deploy.runtime import CARD_FILE, METADATA_FILE, SHIPPED_FORMAT

#: Model files of a shipped-model folder, per normalisation.
MODEL_FILES = {"file": "model.onnx", "speaker": "model_speaker.onnx"}
#: Name of the design in tables and the model card.
DESIGN_NAME = "cnn_bilstm_logmel"


def _frames_or_reason(path: str, config: FrontEndConfig, cache_root: str | None):
    from serlib.data.audio import AudioError
    from serlib.features.extract import FeatureCache
    from serlib.storage import file_content_hash

    try:
        cache, key = None, None
        if cache_root is not None:
            cache, key = FeatureCache(cache_root), file_content_hash(path)
            hit = cache.get(key, _CacheKey(config))
            if hit is not None:
                return hit, ""
        frames = frames_from_file(path, config)
        if cache is not None:
            cache.put(key, _CacheKey(config), frames)
        return frames, ""
    except (AudioError, OSError, ValueError) as err:
        return None, str(err).splitlines()[0] if str(err) else type(err).__name__


@dataclasses.dataclass(frozen=True)
class _CacheKey:
    """Feature-cache key of a front-end configuration (duck-types :class:`serlib.features.frames.FeatureConfig`)."""

    config: FrontEndConfig

    def key(self) -> str:
        import hashlib

        payload = json.dumps({"frontend": 1, **self.config.to_dict()}, sort_keys=True)
        return "frontend-" + hashlib.sha256(payload.encode()).hexdigest()[:16]

    def to_dict(self) -> dict:
        return {"frontend": self.config.to_dict()}


def frontend_feature_set(manifest, config: FrontEndConfig = FrontEndConfig(), *, cache_dir=None, n_jobs: int = 2,
                         progress: bool = True):
    """A :class:`serlib.features.extract.FeatureSet` of numpy front-end frames for a manifest (cached, bad files skipped).

    The set's ``config`` is the equivalent :class:`serlib.features.frames.FeatureConfig` (``kind="logmel"``, no
    deltas), which tells the estimators the feature count.
    """
    import pandas as pd
    from joblib import Parallel, delayed

    from serlib.features.extract import FeatureSet
    from serlib.features.frames import FeatureConfig
    from serlib.reporting.progress import tqdm
    from serlib.storage import default_cache_dir

    cache_root = None if cache_dir is False else str(cache_dir or default_cache_dir())
    paths = manifest["path"].astype(str).tolist()
    jobs = (delayed(_frames_or_reason)(p, config, cache_root) for p in paths)
    out = list(tqdm(Parallel(n_jobs=n_jobs, return_as="generator")(jobs), total=len(paths),
                    desc="front-end features", disable=not progress))
    keep = [i for i, (f, _) in enumerate(out) if f is not None]
    skipped = pd.DataFrame([{"path": paths[i], "corpus": manifest.iloc[i].get("corpus", ""), "reason": r}
                            for i, (f, r) in enumerate(out) if f is None], columns=["path", "corpus", "reason"])
    kept = manifest.iloc[keep].copy()
    kept.insert(len(kept.columns), "source_row", np.asarray(keep, dtype=int))
    fc = FeatureConfig(kind="logmel", sample_rate=config.sample_rate, n_mels=config.n_mels, n_fft=config.n_fft,
                       win_length=config.win_length, hop_length=config.hop_length, fmin=config.fmin,
                       fmax=config.fmax, deltas=0, trim_db=config.trim_db)
    return FeatureSet(kept.reset_index(drop=True), [out[i][0] for i in keep], skipped, fc)


def _normalized_set(fs, mode: str):
    from serlib.features.extract import FeatureSet

    frames = normalize_frames(fs.frames, mode, fs.manifest["speaker"].astype(str).to_numpy())
    return FeatureSet(fs.manifest, frames, fs.skipped, fs.config, fs.cache_hits, dict(fs.extra))


def _protocols(corpora: list[str]) -> list[tuple[str, str]]:
    out = [(c, "speaker_independent") for c in corpora]
    out += [(a, f"cross_corpus_to_{b}") for a in corpora for b in corpora if a != b]
    return out


def evaluate_design(feature_sets: dict, setting, seeds, *, normalizations=NORMALIZATIONS, progress: bool = True,
                    log=print) -> list[dict]:
    """Speaker-independent and cross-corpus estimates of the shipped design, one record per
    (normalisation, corpus, protocol), with the metrics of :func:`serlib.experiments.leaderboard.statistics.entry_metrics`.

    A protocol a corpus cannot support (too few speakers, fewer than two shared emotions) gives one line
    through ``log`` and no record.
    """
    from serlib.experiments.leaderboard.entries import deep_entry
    from serlib.experiments.leaderboard.statistics import entry_metrics, per_class_recall

    records = []
    for mode in normalizations:
        sets = {c: _normalized_set(fs, mode) for c, fs in feature_sets.items()}
        for corpus, protocol in _protocols(list(sets)):
            t0 = time.perf_counter()
            try:
                entry, _ = deep_entry(f"{DESIGN_NAME}_{mode}", sets, corpus, protocol, setting, list(seeds),
                                      progress=progress)
            except ValueError as err:
                log(f"serlib train: skipped {mode} {corpus} {protocol}: {str(err).splitlines()[0]}")
                continue
            m = entry_metrics(entry)
            recall = per_class_recall(entry)
            rec = {"normalization": mode, "corpus": corpus, "protocol": protocol, "labels": entry.labels,
                   **{k: (float(v) if isinstance(v, (int, float, np.floating, np.integer)) else v) for k, v in m.items()},
                   "per_class_recall": {str(r["class"]): float(r["recall"]) for _, r in recall.iterrows()},
                   "seconds": time.perf_counter() - t0}
            records.append(rec)
            log(f"serlib train: {mode} {corpus} {protocol}: UAR {rec['uar']:.3f} "
                f"[{rec['uar_ci_low']:.3f}, {rec['uar_ci_high']:.3f}] ({len(list(seeds))} seed(s))")
    return records


def fit_final(fs, mode: str, setting, seed: int = 0):
    """The design fitted on every row of ``fs`` after normalisation ``mode``; validation speakers (for the
    checkpoint) are drawn from those speakers."""
    from serlib.evaluation.splits import validation_speakers_split
    from serlib.experiments.protocols import make_classifier

    ns = _normalized_set(fs, mode)
    y = ns.manifest["emotion"].astype(str).to_numpy()
    fit, val = validation_speakers_split(ns.manifest, np.arange(len(ns)), seed=seed)
    clf = make_classifier(ns.config, setting, seed=seed)
    clf.fit([ns.frames[i] for i in fit], y[fit], validation=([ns.frames[i] for i in val], y[val]))
    return clf, {"n_fit": int(len(fit)), "n_validation": int(len(val)),
                 "validation_speakers": sorted(ns.manifest.iloc[val]["speaker"].astype(str).unique().tolist())}


def export_model(clf, path: str | os.PathLike) -> float:
    """Write the Keras model as ONNX (frames input) and return the largest |p_onnx - p_keras| on check inputs."""
    from serlib.deploy.saved_models import (
        MAX_ABS_DIFF,
        ExportError,
        export_onnx,
        keras_forward,
        max_abs_diff,
        onnx_session,
    )
    from serlib.storage import atomic_write_bytes

    proto = export_onnx(clf.model, input_name="frames")
    data = proto.SerializeToString()
    rng = np.random.default_rng(0)
    x = (rng.standard_normal((8, clf.config.max_frames, clf.feature_config.n_features)) * 10).astype(np.float32)
    diff = max_abs_diff(onnx_session(data).run(None, {"frames": x})[0], keras_forward(clf.model)(x))
    if diff > MAX_ABS_DIFF:
        raise ExportError(f"ONNX Runtime disagrees with Keras: max |p_onnx - p_keras| = {diff:.2e}")
    atomic_write_bytes(path, data)
    return diff


def _corpus_hash(fs) -> str:
    import hashlib

    from serlib.storage import file_content_hash

    h = hashlib.sha256()
    for p, frames in sorted(zip(fs.manifest["path"].astype(str), fs.frames), key=lambda t: t[0]):
        try:
            h.update(file_content_hash(p).encode())
        except OSError:  # features without their files (tests): hash the features
            h.update(np.ascontiguousarray(frames).tobytes())
    return h.hexdigest()[:20]


def train_shipped_model(corpora: dict, output: str | os.PathLike, *, seeds=(0, 1, 2), evaluate: bool = True,
                        setting=None, normalizations=NORMALIZATIONS, frontend: FrontEndConfig = FrontEndConfig(),
                        cache_dir=None, n_jobs: int = 2, progress: bool = True, log=print) -> Path:
    """Train, evaluate and export the shipped model from corpus folders; returns the output folder.

    Serves ``serlib train`` and the shipped model of ``serlib/pretrained/``.

    Args:
        corpora: ``{name: folder}`` of corpora :func:`serlib.data.corpora.manifest.load` reads.
        output: folder for ``model.onnx``, ``model_speaker.onnx``, ``model.json`` and ``MODEL_CARD.md``.
        seeds: seeds of the evaluation (the final model uses the first).
        evaluate: measure the design under the honest protocols first (see :func:`evaluate_design`).
        setting: a :class:`serlib.models.conv_recurrent.ConvRecurrentConfig` (default :data:`serlib.models.presets.STRONG_HYBRID_SETTING`).
        normalizations: which of :data:`NORMALIZATIONS` to train (the first is the one-file default).

    Raises:
        ValueError: no corpus, an unknown corpus name, or no usable file.
    """
    from serlib.data import corpora as datasets
    from serlib.reporting.run_context import git_commit

    commit = git_commit()  # the code that runs, recorded before the (long) training
    if not corpora:
        raise ValueError("serlib train needs at least one corpus (--corpus NAME=DIR)")
    t_start = time.perf_counter()
    feature_sets, skipped = {}, []
    for name, root in corpora.items():
        manifest = datasets.load(name, root)
        fs = frontend_feature_set(manifest, frontend, cache_dir=cache_dir, n_jobs=n_jobs, progress=progress)
        if len(fs) == 0:
            raise ValueError(f"corpus {name} at {root}: no usable audio file")
        skipped += fs.skipped.to_dict("records") + list(manifest.attrs.get("skipped", []))
        feature_sets[str(manifest["corpus"].iloc[0])] = fs
    return train_from_feature_sets(feature_sets, output, seeds=seeds, evaluate=evaluate, setting=setting,
                                   normalizations=normalizations, frontend=frontend, progress=progress, log=log,
                                   skipped=skipped, commit=commit, started=t_start)


def train_from_feature_sets(feature_sets: dict, output: str | os.PathLike, *, seeds=(0, 1, 2), evaluate: bool = True,
                            setting=None, normalizations=NORMALIZATIONS, frontend: FrontEndConfig = FrontEndConfig(),
                            progress: bool = True, log=print, skipped=(), commit: str | None = None,
                            started: float | None = None) -> Path:
    """:func:`train_shipped_model` from ``{corpus: FeatureSet}`` of front-end frames (``manifest`` with
    ``path, corpus, speaker, emotion``); the tests call it on synthetic features."""
    import pandas as pd

    from serlib.deploy.card import render_card
    from serlib.features.extract import FeatureSet
    from serlib.models.presets import STRONG_HYBRID_SETTING
    from serlib.reporting.run_context import git_commit

    commit = commit or git_commit()
    bad = [m for m in normalizations if m not in NORMALIZATIONS]
    if bad or not normalizations:
        raise ValueError(f"normalizations must be a non-empty subset of {NORMALIZATIONS}, got {normalizations}")
    if not feature_sets:
        raise ValueError("no feature sets to train on")
    setting = setting or STRONG_HYBRID_SETTING
    seeds = [int(s) for s in seeds]
    output = Path(output)
    output.mkdir(parents=True, exist_ok=True)
    t_start = started if started is not None else time.perf_counter()
    estimates = evaluate_design(feature_sets, setting, seeds, normalizations=normalizations, progress=progress,
                                log=log) if evaluate else []
    sets = list(feature_sets.values())
    combined = sets[0] if len(sets) == 1 else FeatureSet(
        pd.concat([s.manifest for s in sets], ignore_index=True), [f for s in sets for f in s.frames],
        pd.concat([s.skipped for s in sets]), sets[0].config)
    models, labels = {}, None
    for mode in normalizations:
        clf, info = fit_final(combined, mode, setting, seed=seeds[0])
        diff = export_model(clf, output / MODEL_FILES[mode])
        labels = list(clf.labels_)
        models[mode] = {"file": MODEL_FILES[mode], "onnx_vs_keras_max_abs_diff": diff,
                        "n_parameters": int(clf.n_parameters),
                        "bytes": (output / MODEL_FILES[mode]).stat().st_size, **info}
        log(f"serlib train: {mode} model written to {output / MODEL_FILES[mode]}")
    from importlib.metadata import version

    meta = {
        "format": SHIPPED_FORMAT, "design": DESIGN_NAME, "labels": labels,
        "input": {"name": "frames", "max_frames": setting.max_frames, "n_features": frontend.n_mels},
        "frontend": frontend.to_dict(), "normalizations": models, "default_normalization": normalizations[0],
        "model_config": setting.to_dict(), "seeds": seeds,
        "training_data": {c: {"n_files": int(len(fs)), "n_speakers": int(fs.manifest["speaker"].nunique()),
                              "emotions": fs.manifest["emotion"].value_counts().sort_index().to_dict(),
                              "content_hash": _corpus_hash(fs)}
                          for c, fs in feature_sets.items()},
        "skipped_files": list(skipped), "estimates": estimates,
        "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "serlib_version": version("serlib"), "training_seconds": round(time.perf_counter() - t_start, 1),
        "git_commit": commit,
    }
    (output / METADATA_FILE).write_text(json.dumps(meta, indent=1, default=str))
    (output / CARD_FILE).write_text(render_card(meta))
    return output

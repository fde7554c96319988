"""A result cache for trainings: a rerun of the reference run after a text change, or after a kill, resumes.

Serves notebooks 03 and 04 through :func:`serlib.experiments.protocols.run_protocol` and
:func:`serlib.experiments.augmentation.fit_predict_condition`. One entry holds what a training produced for its test
utterances (class probabilities or predicted labels, and the training facts), keyed by

- the content of the data it saw (frames, labels and speakers: :func:`frames_digest`),
- the split (train, validation and test positions),
- the model and feature configuration and the seed,
- the code version of the model (:func:`code_version`: a hash of the modules that train and predict).

Change any of them and the key changes, so a stale result is never served. Entries are written atomically
(temp file + rename): a run killed mid-training leaves no partial entry and resumes at that training.

Trainings whose fitted model is needed afterwards (notebook 04's models for noise robustness and deployment,
notebook 03's GANs for its figures) also store the model under the same key (:class:`ModelStore`), so they too
are read back instead of retrained.

The cache is off unless :data:`RESULT_CACHE_ENV` is set to a true value; ``run_all.py`` sets it (its
``--no-result-cache`` turns it off). Entries live under ``<cache dir>/results/`` (``$SERLIB_CACHE_DIR``, else
``~/.cache/serlib``), so two runs sharing one cache folder share their trainings.
"""

from __future__ import annotations

import contextlib
import dataclasses
import hashlib
import io
import json
import os
from pathlib import Path

import numpy as np

#: Environment variable that turns the result cache on ("1") or off ("0", unset).
RESULT_CACHE_ENV = "SERLIB_RESULT_CACHE"
#: Environment variable naming a file to which :func:`cached_map` appends one JSON line per training (its kind,
#: whether it came from the cache, and its ``seconds``: for a cached one, those of the run that trained it).
#: ``run_all.py`` sets it per notebook and records :func:`ledger_summary` in the notebook's ``timing``, so a
#: warm run states how much training time the cache saved.
LEDGER_ENV = "SERLIB_RESULT_LEDGER"
#: Modules (paths below the ``serlib`` package) whose source defines what a training computes, per kind of
#: training (the key part ``kind``); their hash is part of every key of that kind, so a change to the GAN
#: retrains the GANs but not notebook 04's models. Data enter keys as digests of the frames a training saw,
#: so the code that made those frames (features, classical augmentation, GAN translation) need not be listed.
CODE_MODULES = {
    "run_protocol": ("models/cnn_lstm", "models/conv_recurrent", "experiments/protocols", "evaluation/splits"),
    "augmentation": ("models/cnn_lstm", "models/conv_recurrent", "experiments/augmentation"),
    "gan": ("augmentation/gan",),
    # not a training: the waveform-augmented copies of notebook 03 (their feature-cache key), made from audio
    "classic_copies": ("augmentation/classic", "data/audio", "features/frames"),
}

def enabled() -> bool:
    """Whether :data:`RESULT_CACHE_ENV` turns the cache on."""
    return os.environ.get(RESULT_CACHE_ENV, "").strip().lower() in ("1", "true", "yes", "on")


@contextlib.contextmanager
def disabled():
    """Within the block every training runs, whatever :data:`RESULT_CACHE_ENV` says (a rerun check trains again
    what the cache holds)."""
    before = os.environ.get(RESULT_CACHE_ENV)
    os.environ[RESULT_CACHE_ENV] = "0"
    try:
        yield
    finally:
        if before is None:
            os.environ.pop(RESULT_CACHE_ENV, None)
        else:
            os.environ[RESULT_CACHE_ENV] = before


def frames_digest(frames, *columns) -> str:
    """SHA-256 (16 hex digits) of a list of arrays (shapes, dtypes, bytes) and any label/speaker columns."""
    h = hashlib.sha256()
    for f in frames:
        a = np.ascontiguousarray(f)
        h.update(f"{a.shape}{a.dtype}".encode())
        h.update(a.tobytes())
    for col in columns:
        h.update(json.dumps([str(v) for v in col]).encode())
    return h.hexdigest()[:16]


def feature_set_digest(fs) -> str:
    """:func:`frames_digest` of a FeatureSet's frames, emotions and speakers (memoised on the set).

    The memo in ``fs.extra`` names the frames list and manifest it was computed from and serves only those: a set
    made from another (``subset``, ``dataclasses.replace`` with normalised frames) copies or shares ``extra``, and
    must not inherit its parent's digest.
    """
    extra = fs.extra if isinstance(getattr(fs, "extra", None), dict) else None
    memo = extra.get("_content_digest") if extra is not None else None
    if memo is not None and memo[0] is fs.frames and memo[1] is fs.manifest:
        return memo[2]
    key = frames_digest(fs.frames, fs.manifest["emotion"].astype(str), fs.manifest["speaker"].astype(str))
    if extra is not None:
        extra["_content_digest"] = (fs.frames, fs.manifest, key)
    return key


_CODE_VERSIONS: dict[str, str] = {}


def code_version(kind: str) -> str:
    """Hash of the source of the :data:`CODE_MODULES` of ``kind`` (a change to how a model trains invalidates
    its results, and only its own)."""
    if kind not in CODE_MODULES:
        raise ValueError(f"unknown kind of training {kind!r}; add it to result_cache.CODE_MODULES")
    if kind not in _CODE_VERSIONS:
        h = hashlib.sha256()
        here = Path(__file__).resolve().parents[1]  # the serlib package
        for name in CODE_MODULES[kind]:
            h.update((here / f"{name}.py").read_bytes())
        _CODE_VERSIONS[kind] = h.hexdigest()[:16]
    return _CODE_VERSIONS[kind]


def _jsonable(x):
    if dataclasses.is_dataclass(x) and not isinstance(x, type):
        return {"__type__": type(x).__name__, **{k: _jsonable(v) for k, v in dataclasses.asdict(x).items()}}
    if isinstance(x, dict):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.ndarray):
        return hashlib.sha256(np.ascontiguousarray(x).tobytes()).hexdigest()[:16]
    if isinstance(x, (np.integer, np.floating)):
        return x.item()
    return x if isinstance(x, (str, int, float, bool, type(None))) else repr(x)


def training_key(**parts) -> str:
    """The cache key of one training: SHA-256 of its parts (``kind``, data digests, split, configurations, seed)
    and the :func:`code_version` of its kind."""
    payload = json.dumps({**{k: _jsonable(v) for k, v in parts.items()}, "code": code_version(parts["kind"])},
                         sort_keys=True)
    return hashlib.sha256(payload.encode()).hexdigest()


class ResultCache:
    """On-disk store of training results: ``<root>/results/<kk>/<key>.npz`` (arrays + the training facts)."""

    def __init__(self, root: str | os.PathLike | None = None):
        from serlib.storage import default_cache_dir

        self.root = (Path(root) if root is not None else default_cache_dir()) / "results"

    def path_for(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.npz"

    def get(self, key: str) -> tuple[dict, dict] | None:
        """``(arrays, info)`` of a stored training, or ``None`` (missing or unreadable: recomputed)."""
        path = self.path_for(key)
        if not path.exists():
            return None
        try:
            with np.load(path, allow_pickle=False) as data:
                arrays = {k: data[k] for k in data.files if k != "__info__"}
                info = json.loads(str(data["__info__"]))
            return arrays, info
        except Exception:
            return None

    def put(self, key: str, arrays: dict, info: dict) -> None:
        from serlib.storage import atomic_write_bytes

        buf = io.BytesIO()
        np.savez(buf, __info__=np.asarray(json.dumps(_jsonable(info))), **{k: np.asarray(v) for k, v in arrays.items()})
        atomic_write_bytes(self.path_for(key), buf.getvalue())


#: File that marks a complete model folder in the :class:`ModelStore`.
MODEL_COMPLETE = "COMPLETE"


class ModelStore:
    """On-disk store of fitted models: ``<root>/models/<kk>/<key>/`` (whatever the model's ``save`` writes).

    A model is saved into a temporary folder, marked complete and renamed into place, so a run killed while
    saving leaves no folder that looks complete; a model that fails to load is retrained.
    """

    def __init__(self, root: str | os.PathLike | None = None):
        from serlib.storage import default_cache_dir

        self.root = (Path(root) if root is not None else default_cache_dir()) / "models"

    def folder_for(self, key: str) -> Path:
        return self.root / key[:2] / key

    def get(self, key: str, load):
        """``load(folder)`` of a stored model, or ``None`` (missing, incomplete or unloadable)."""
        folder = self.folder_for(key)
        if not (folder / MODEL_COMPLETE).exists():
            return None
        try:
            return load(folder)
        except Exception:
            return None

    def put(self, key: str, model) -> None:
        """Store ``model`` (anything with ``save(folder)``); a folder another run completed first is kept."""
        import shutil
        import uuid

        final = self.folder_for(key)
        tmp = final.with_name(f".{final.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        try:
            model.save(tmp)
            (tmp / MODEL_COMPLETE).write_text("ok\n")
            if (final / MODEL_COMPLETE).exists():
                return
            shutil.rmtree(final, ignore_errors=True)  # an incomplete leftover
            os.replace(tmp, final)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)


def default_cache() -> ResultCache | None:
    """The result cache if :func:`enabled`, else ``None``."""
    return ResultCache() if enabled() else None


def _ledger(kind, from_cache: bool, info: dict) -> None:
    """Append one training to the :data:`LEDGER_ENV` file, if set (a ledger that cannot be written is skipped)."""
    path = os.environ.get(LEDGER_ENV)
    if not path:
        return
    seconds = info.get("seconds") if isinstance(info, dict) else None
    line = {"kind": kind, "from_cache": bool(from_cache),
            "seconds": float(seconds) if isinstance(seconds, (int, float, np.number)) else None}
    try:
        with open(path, "a", encoding="utf-8") as f:
            f.write(json.dumps(line) + "\n")
    except OSError:
        pass


def ledger_summary(path: str | os.PathLike) -> dict:
    """Totals of a :data:`LEDGER_ENV` file: ``trainings``, ``from_cache``, ``trained``, ``cached_seconds`` (what
    the cached trainings took when they were trained) and ``trained_seconds``; all 0 for a missing file."""
    rows = []
    p = Path(path)
    if p.exists():
        for line in p.read_text(encoding="utf-8").splitlines():
            with contextlib.suppress(ValueError):
                rows.append(json.loads(line))
    hits = [r for r in rows if r.get("from_cache")]
    trained = [r for r in rows if not r.get("from_cache")]
    return {"trainings": len(rows), "from_cache": len(hits), "trained": len(trained),
            "cached_seconds": round(sum(r.get("seconds") or 0.0 for r in hits), 1),
            "trained_seconds": round(sum(r.get("seconds") or 0.0 for r in trained), 1)}


def cached_map(compute, key_parts: list, *, use: bool = True, load_model=None) -> list[tuple]:
    """Run many trainings through the cache: hits are read here, the misses trained by one call of ``compute``.

    Args:
        compute: ``(indices, store) -> None``, called once (``indices`` may be empty): trains the trainings at
            ``indices`` (positions in ``key_parts``; e.g. through :func:`serlib.experiments.executor.map_tasks`) and calls
            ``store(index, arrays, info)`` as each one finishes (``store(index, arrays, info, model)`` when the
            models are wanted), which writes it to the cache at once (a killed run keeps what finished).
        key_parts: one ``() -> dict`` of the parts of :func:`training_key` per training; called only when the
            cache is on, so digests of the data cost nothing otherwise.
        use: ``False`` bypasses the cache.
        load_model: ``folder -> model`` when the fitted models are wanted: a training is then a hit only if its
            model is stored too (:class:`ModelStore`), and each result carries its model.

    Returns:
        ``(arrays, info, from_cache)`` per training, in the order of ``key_parts``; with ``load_model``,
        ``(arrays, info, from_cache, model)``.
    """
    cache = default_cache() if use else None
    models = ModelStore() if cache is not None and load_model is not None else None
    parts = [p() for p in key_parts] if cache is not None else [{}] * len(key_parts)
    keys = [training_key(**p) for p in parts] if cache is not None else [None] * len(key_parts)
    out = [None] * len(key_parts)
    for i, key in enumerate(keys):
        hit = cache.get(key) if cache is not None else None
        if hit is not None and models is not None:
            model = models.get(key, load_model)
            hit = None if model is None else (*hit, model)
        if hit is not None:
            out[i] = (*hit[:2], True, *hit[2:])
            _ledger(parts[i].get("kind"), True, hit[1])

    def store(i, arrays, info, model=None):
        if cache is not None:
            cache.put(keys[i], arrays, info)
            if models is not None and model is not None:
                models.put(keys[i], model)
        out[i] = (arrays, info, False, model) if load_model is not None else (arrays, info, False)
        _ledger(parts[i].get("kind"), False, info)

    compute([i for i, o in enumerate(out) if o is None], store)
    return out


def cached(compute, key_parts, *, use: bool = True, load_model=None) -> tuple:
    """Run one training through the cache: ``(arrays, info, from_cache)``.

    Args:
        compute: ``() -> (arrays, info)``, the training (called on a miss, or whenever the cache is off);
            ``() -> (arrays, info, model)`` with ``load_model``.
        key_parts: ``() -> dict`` of the parts of :func:`training_key` (see :func:`cached_map`).
        use: ``False`` bypasses the cache.
        load_model: ``folder -> model``: the model is stored and read back too, and returned as a fourth value.
    """
    return cached_map(lambda missing, store: [store(i, *compute()) for i in missing], [key_parts], use=use,
                      load_model=load_model)[0]

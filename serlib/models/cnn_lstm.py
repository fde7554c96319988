"""The hybrid CNN-LSTM of the paper, as a scikit-learn-style estimator over OSW windows.

Serves notebook 04_cnn_lstm (training, protocols, ablation, noise robustness) and the inference code.

Input of one utterance: its overlapping sliding windows ``(n_windows, window_frames, n_features)`` from
:mod:`serlib.features.frames`. A small CNN, shared over windows (``TimeDistributed``), learns local spectro-temporal
patterns inside each window: 1-D convolutions over the window's frames with the 120 MFCC / delta / delta-delta
values as channels (on a 2-core CPU this is ~8x faster than 2-D convolutions over the frames x coefficients
image, for the same receptive field in time), then average pooling to one embedding per window. An LSTM reads
the sequence of window embeddings; a softmax layer gives emotion probabilities.

What the paper specifies (Adam, learning rate 1e-3, categorical cross-entropy) is the default; everything
else is a documented choice, switchable for the ablation:

- ``normalize``: per-feature z-score with mean/std from the *training* frames only (saved with the model);
- ``spec_augment``: random time and feature masks on training windows (Park et al. 2019, SpecAugment);
- ``class_weight``: inverse-frequency class weights;
- ``early_stopping``: on a validation set that the caller draws from *training speakers*;
- ``dropout`` / ``l2``: regularisation;
- ``mixup_alpha``: mixup of training utterances and their labels (Zhang et al. 2018), off by default (one of
  the alternatives notebook 04 re-runs).
"""

from __future__ import annotations

import dataclasses
import json
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from serlib.features.frames import FeatureConfig, overlapping_windows


@dataclass(frozen=True)
class CnnLstmConfig:
    """Architecture and training settings (every field is recorded with a saved model)."""

    n_windows: int = 12
    conv_filters: tuple[int, ...] = (64, 64)
    kernel_sizes: tuple[int, ...] = (5, 3)
    lstm_units: int = 64
    dropout: float = 0.3
    l2: float = 1e-4
    learning_rate: float = 1e-3
    batch_size: int = 32
    epochs: int = 40
    patience: int = 8
    normalize: bool = True
    spec_augment: bool = True
    class_weight: bool = True
    early_stopping: bool = True
    time_mask: int = 6
    feature_mask: int = 6
    utterance_norm: str = "none"
    monitor: str = "val_loss"
    label_smoothing: float = 0.0
    mixup_alpha: float = 0.0

    def __post_init__(self):
        if self.utterance_norm not in ("none", "mean", "meanvar"):
            raise ValueError(f"utterance_norm must be 'none', 'mean' or 'meanvar', got {self.utterance_norm!r}")
        if self.monitor not in ("val_loss", "val_accuracy"):
            raise ValueError(f"monitor must be 'val_loss' or 'val_accuracy', got {self.monitor!r}")
        if self.mixup_alpha < 0:
            raise ValueError(f"mixup_alpha must be >= 0, got {self.mixup_alpha}")
        if self.n_windows < 1 or not self.conv_filters:
            raise ValueError("n_windows must be >= 1 and conv_filters non-empty")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["conv_filters"] = list(self.conv_filters)
        d["kernel_sizes"] = list(self.kernel_sizes)
        return d


def normalize_utterance(frames: np.ndarray, mode: str) -> np.ndarray:
    """Per-utterance normalisation: ``"mean"`` subtracts each feature's mean over the utterance (cepstral mean
    normalisation, removes channel and part of the speaker's timbre), ``"meanvar"`` also divides by its std.

    Uses the utterance itself only, so it is the same at training and test time and leaks nothing.
    """
    if mode == "none":
        return frames
    out = frames - frames.mean(axis=0, keepdims=True)
    if mode == "meanvar":
        out = out / np.maximum(frames.std(axis=0, keepdims=True), 1e-6)
    return out.astype(np.float32)


def windows_tensor(frames_list, feature_config: FeatureConfig, n_windows: int) -> np.ndarray:
    """Stack utterances into ``(n, n_windows, window_frames, n_features)``.

    Longer utterances are centre-cropped to ``n_windows``; shorter ones are filled by repeating their windows
    (cyclic), so no zero padding needs masking and every input window is real speech.
    """
    out = []
    for frames in frames_list:
        w = overlapping_windows(frames, feature_config.window_frames, feature_config.window_hop)
        if w.shape[0] == 0:
            raise ValueError("an utterance has no full window; extract_features should have skipped it")
        if w.shape[0] >= n_windows:
            start = (w.shape[0] - n_windows) // 2
            w = w[start:start + n_windows]
        else:
            w = w[np.arange(n_windows) % w.shape[0]]
        out.append(w)
    return np.stack(out).astype(np.float32)


class FeatureNormalizer:
    """Per-feature mean/std from training frames; applied to any windows tensor."""

    def __init__(self, mean: np.ndarray | None = None, std: np.ndarray | None = None):
        self.mean, self.std = mean, std

    def fit(self, frames_list) -> "FeatureNormalizer":
        stacked = np.concatenate([np.asarray(f, np.float64) for f in frames_list], axis=0)
        self.mean = stacked.mean(axis=0).astype(np.float32)
        self.std = np.maximum(stacked.std(axis=0), 1e-6).astype(np.float32)
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        if self.mean is None:
            raise RuntimeError("FeatureNormalizer is not fitted")
        return ((x - self.mean) / self.std).astype(np.float32)


def build_cnn_lstm(n_windows: int, window_frames: int, n_static: int, n_channels: int, n_classes: int,
                   config: CnnLstmConfig = CnnLstmConfig(), *, mean=None, std=None, seed: int = 0):
    """The Keras model: [normalise] -> [SpecAugment] -> TimeDistributed CNN over windows -> LSTM -> softmax.

    ``mean``/``std`` (per feature, from training frames) are baked into the model as a fixed normalisation
    layer, so a saved model takes raw OSW windows.
    """
    import keras
    from keras import layers, regularizers

    reg = regularizers.l2(config.l2) if config.l2 else None
    inp = keras.Input((n_windows, window_frames, n_static * n_channels), name="osw_windows")
    x = inp
    if mean is not None:
        x = layers.Normalization(axis=-1, mean=np.asarray(mean), variance=np.square(np.asarray(std)),
                                 name="train_normalisation")(x)
    if config.spec_augment:
        x = _spec_augment_layer()(config.time_mask, config.feature_mask, n_static, seed, name="spec_augment")(x)
    for k, filters in enumerate(config.conv_filters):
        x = layers.TimeDistributed(layers.Conv1D(filters, config.kernel_sizes[k % len(config.kernel_sizes)],
                                                 padding="same", use_bias=False, kernel_regularizer=reg),
                                   name=f"conv{k + 1}")(x)
        x = layers.TimeDistributed(layers.BatchNormalization(), name=f"bn{k + 1}")(x)
        x = layers.Activation("relu", name=f"relu{k + 1}")(x)
        if k < len(config.conv_filters) - 1:
            x = layers.TimeDistributed(layers.MaxPooling1D(2), name=f"pool{k + 1}")(x)
    x = layers.TimeDistributed(layers.GlobalAveragePooling1D(), name="window_embedding")(x)
    x = layers.Dropout(config.dropout)(x)
    x = layers.LSTM(config.lstm_units, kernel_regularizer=reg)(x)
    x = layers.Dropout(config.dropout)(x)
    out = layers.Dense(n_classes, activation="softmax", kernel_regularizer=reg, name="emotion")(x)
    model = keras.Model(inp, out, name="cnn_lstm")
    model.compile(optimizer=keras.optimizers.Adam(config.learning_rate),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing),
                  metrics=["accuracy"])
    return model


def mixup_dataset(x: np.ndarray, y: np.ndarray, class_weight: dict | None, alpha: float, batch_size: int,
                  seed: int = 0):
    """A ``tf.data`` pipeline of mixup batches (Zhang et al. 2018): each batch is mixed with a shuffled copy of
    itself, ``lam * a + (1 - lam) * b`` for inputs, one-hot labels and sample weights, ``lam ~ Beta(alpha,
    alpha)`` per example. Class weights become per-example sample weights before mixing.

    Serves :meth:`CnnLstmClassifier.fit` (notebook 04); training data only.
    """
    import tensorflow as tf

    w = (np.ones(len(y), np.float32) if class_weight is None
         else np.asarray([class_weight[int(k)] for k in y.argmax(axis=1)], np.float32))

    def mix(step, batch):
        xb, yb, wb = batch
        n = tf.shape(xb)[0]
        base = tf.stack([tf.cast(seed, tf.int64), step])
        a = tf.random.stateless_gamma([n], base, alpha=alpha)
        b = tf.random.stateless_gamma([n], base + [0, 1_000_003], alpha=alpha)
        lam = a / (a + b + 1e-12)  # Beta(alpha, alpha) from two Gamma(alpha) draws
        perm = tf.argsort(tf.random.stateless_uniform([n], base + [0, 2_000_003]))
        lx, ly = tf.reshape(lam, [-1, 1, 1, 1]), tf.reshape(lam, [-1, 1])
        return (lx * xb + (1 - lx) * tf.gather(xb, perm), ly * yb + (1 - ly) * tf.gather(yb, perm),
                lam * wb + (1 - lam) * tf.gather(wb, perm))

    ds = tf.data.Dataset.from_tensor_slices((x.astype(np.float32), y.astype(np.float32), w))
    return (ds.shuffle(len(y), seed=seed, reshuffle_each_iteration=True).batch(batch_size).enumerate()
            .map(mix).prefetch(tf.data.AUTOTUNE))


def _spec_augment_layer():
    """Build (once) the Keras SpecAugment layer class (keeps TensorFlow out of import time)."""
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="serlib")
    class SpecAugment(keras.layers.Layer):
        """Random time mask and coefficient mask per window, in training only (Park et al. 2019).

        Input ``(batch, windows, frames, blocks * n_static)``; the same coefficients are masked in the static,
        delta and delta-delta blocks. At inference the layer is the identity.
        """

        def __init__(self, time_mask: int, feature_mask: int, n_static: int, seed: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.time_mask, self.feature_mask, self.n_static, self.seed = time_mask, feature_mask, n_static, seed
            self.seed_generator = keras.random.SeedGenerator(seed)

        def _mask(self, shape, size, limit, positions):
            width = ops.floor(keras.random.uniform(shape, 0, size + 1, seed=self.seed_generator))
            start = ops.floor(keras.random.uniform(shape, 0, 1, seed=self.seed_generator) * (limit - width + 1))
            return (positions >= start) & (positions < start + width)

        def call(self, x, training=None):
            if not training:
                return x
            b, w = ops.shape(x)[0], ops.shape(x)[1]
            frames, feats = x.shape[2], x.shape[3]
            t_pos = ops.reshape(ops.arange(frames, dtype="float32"), (1, 1, frames, 1))
            c_pos = ops.reshape(ops.cast(ops.arange(feats) % self.n_static, "float32"), (1, 1, 1, feats))
            masked = self._mask((b, w, 1, 1), self.time_mask, frames, t_pos)
            masked = masked | self._mask((b, w, 1, 1), self.feature_mask, self.n_static, c_pos)
            return ops.where(masked, ops.zeros_like(x), x)

        def get_config(self):
            return {**super().get_config(), "time_mask": self.time_mask, "feature_mask": self.feature_mask,
                    "n_static": self.n_static, "seed": self.seed}

    return SpecAugment


def _plain_json(value):
    """JSON form of the numpy values a Keras history holds."""
    return value.tolist() if isinstance(value, (np.ndarray, np.generic)) else str(value)


class KerasEstimatorMixin:
    """What every serlib Keras estimator shares: ``predict`` from ``predict_proba``, the parameter count, and
    the model folder (``model.keras`` + ``serlib_model.json``). Needs ``model``, ``labels_`` and ``predict_proba``."""

    def predict(self, frames_list) -> np.ndarray:
        return np.asarray(self.labels_)[self.predict_proba(frames_list).argmax(axis=1)]

    @property
    def n_parameters(self) -> int:
        return int(self.model.count_params()) if self.model is not None else 0

    def _set_labels(self, frames_list, labels) -> np.ndarray:
        """Check utterances against labels, set ``labels_`` (sorted classes) and return the labels as strings."""
        labels = np.asarray(labels).astype(str)
        if len(frames_list) != len(labels) or len(labels) == 0:
            raise ValueError(f"need as many labels as utterances, got {len(labels)} and {len(frames_list)}")
        self.labels_ = sorted(set(labels))
        if len(self.labels_) < 2:
            raise ValueError("need at least two emotions to train a classifier")
        return labels

    def _write_folder(self, folder: str | os.PathLike, meta: dict) -> Path:
        if self.model is None:
            raise RuntimeError(f"{type(self).__name__} is not fitted")
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.model.save(folder / "model.keras")
        # the training's facts travel with the model (learning curves of a model read back from the result cache)
        training = {"history": self.history_, "epoch_seconds": self.epoch_seconds_}
        (folder / "serlib_model.json").write_text(json.dumps({**meta, "training": training}, indent=1,
                                                             default=_plain_json))
        return folder

    def _restore_training(self, meta: dict) -> None:
        """Set ``history_`` and ``epoch_seconds_`` from a model folder's metadata (absent in older folders)."""
        training = meta.get("training", {})
        self.history_ = dict(training.get("history", {}))
        self.epoch_seconds_ = float(training.get("epoch_seconds", float("nan")))

    @staticmethod
    def _read_folder(folder: str | os.PathLike) -> tuple[Path, dict]:
        folder = Path(folder)
        meta_path = folder / "serlib_model.json"
        if not meta_path.exists() or not (folder / "model.keras").exists():
            raise FileNotFoundError(f"no serlib model in {folder} (expected serlib_model.json and model.keras)")
        return folder, json.loads(meta_path.read_text())


class CnnLstmClassifier(KerasEstimatorMixin):
    """fit / predict / predict_proba / save / load around the Keras CNN-LSTM.

    Args:
        feature_config: the feature configuration the frames were made with (saved with the model).
        config: architecture and training settings.
        seed: seeds numpy, Python and TensorFlow for this estimator.
    """

    def __init__(self, feature_config: FeatureConfig = FeatureConfig(), config: CnnLstmConfig = CnnLstmConfig(),
                 seed: int = 0):
        self.feature_config = feature_config
        self.config = config
        self.seed = int(seed)
        self.model = None
        self.labels_: list[str] = []
        self.normalizer = FeatureNormalizer()
        self.history_: dict = {}
        self.epoch_seconds_: float = float("nan")
        self._forward = None  # cached tf.function for small batches

    @property
    def _n_static(self) -> int:
        fc = self.feature_config
        return fc.n_mfcc if fc.kind == "mfcc" else fc.n_mels

    def model_input(self, frames_list) -> np.ndarray:
        """The network input for utterances (what :mod:`serlib.deploy.saved_models` feeds either runtime)."""
        return self.windows(frames_list)

    def windows(self, frames_list) -> np.ndarray:
        """The raw model input for utterances: ``(n, n_windows, window_frames, n_features)``."""
        frames_list = [normalize_utterance(np.asarray(f, np.float32), self.config.utterance_norm) for f in frames_list]
        return windows_tensor(frames_list, self.feature_config, self.config.n_windows)

    def fit(self, frames_list, labels, *, validation=None, verbose: int = 0) -> "CnnLstmClassifier":
        """Train on frame sequences (one per utterance) and their emotion labels.

        Args:
            frames_list: list of ``(n_frames, n_features)`` arrays (``FeatureSet.frames``).
            labels: emotion strings aligned with ``frames_list``.
            validation: optional ``(frames_list, labels)`` from *training speakers*, used for early stopping
                (never pass test data here).
            verbose: Keras verbosity.
        """
        import keras

        labels = self._set_labels(frames_list, labels)
        keras.utils.set_random_seed(self.seed)
        self._forward = None
        if self.config.normalize:
            self.normalizer.fit([normalize_utterance(np.asarray(f, np.float32), self.config.utterance_norm)
                                 for f in frames_list])
        x = self.windows(frames_list)
        index = {l: i for i, l in enumerate(self.labels_)}
        y = keras.utils.to_categorical([index[l] for l in labels], len(self.labels_))
        self.model = build_cnn_lstm(
            self.config.n_windows, self.feature_config.window_frames, self._n_static, 1 + self.feature_config.deltas,
            len(self.labels_), self.config, seed=self.seed,
            mean=self.normalizer.mean if self.config.normalize else None,
            std=self.normalizer.std if self.config.normalize else None,
        )
        class_weight = None
        if self.config.class_weight:
            counts = y.sum(axis=0)
            class_weight = {i: float(len(y) / (len(counts) * c)) for i, c in enumerate(counts)}
        val_data, callbacks = None, []
        if validation is not None:
            vf, vl = validation
            vl = np.asarray(vl).astype(str)
            keep = np.isin(vl, self.labels_)
            if keep.any():
                val_data = (self.windows([f for f, k in zip(vf, keep) if k]),
                            keras.utils.to_categorical([index[l] for l in vl[keep]], len(self.labels_)))
                if self.config.early_stopping:
                    callbacks.append(keras.callbacks.EarlyStopping(
                        monitor=self.config.monitor, mode="min" if self.config.monitor == "val_loss" else "max",
                        patience=self.config.patience, restore_best_weights=True))
        t0 = time.perf_counter()
        if self.config.mixup_alpha > 0:
            data = mixup_dataset(x, y, class_weight, self.config.mixup_alpha, self.config.batch_size, self.seed)
            h = self.model.fit(data, epochs=self.config.epochs, verbose=verbose, validation_data=val_data,
                               callbacks=callbacks, shuffle=False)  # the dataset reshuffles every epoch
        else:
            h = self.model.fit(x, y, batch_size=self.config.batch_size, epochs=self.config.epochs, verbose=verbose,
                               class_weight=class_weight, shuffle=True, validation_data=val_data,
                               callbacks=callbacks)
        history = {k: [float(v) for v in vals] for k, vals in h.history.items()}
        epochs_run = len(history["loss"])
        self.epoch_seconds_ = (time.perf_counter() - t0) / max(epochs_run, 1)
        if val_data is not None and history.get("val_loss"):
            key = self.config.monitor
            best = np.argmin(history[key]) if key == "val_loss" else np.argmax(history[key])
            history["best_epoch"] = int(best + 1) if callbacks else epochs_run
        else:
            history["best_epoch"] = epochs_run
        history["epochs_run"] = epochs_run
        self.history_ = history
        return self

    def predict_proba(self, frames_list) -> np.ndarray:
        """Class probabilities ``(n, n_classes)``, columns in the order of ``labels_``."""
        if self.model is None:
            raise RuntimeError("CnnLstmClassifier is not fitted")
        return self.predict_proba_windows(self.windows(frames_list))

    def predict_proba_windows(self, x: np.ndarray) -> np.ndarray:
        """Probabilities from a ready windows tensor (no Keras ``predict`` overhead for small batches)."""
        if len(x) <= 64:
            if self._forward is None:
                import tensorflow as tf

                model = self.model
                self._forward = tf.function(lambda t: model(t, training=False), reduce_retracing=True)
            return np.asarray(self._forward(np.asarray(x, np.float32)))
        return self.model.predict(x, verbose=0, batch_size=256)

    # -- persistence ------------------------------------------------------------------------------
    def save(self, folder: str | os.PathLike) -> Path:
        """Write ``model.keras`` and ``serlib_model.json`` (labels, normaliser, feature and model config)."""
        return self._write_folder(folder, {
            "format": "serlib.cnn_lstm/1",
            "labels": self.labels_,
            "feature_config": self.feature_config.to_dict(),
            "model_config": self.config.to_dict(),
            "seed": self.seed,
            "normalizer": {"mean": None if self.normalizer.mean is None else self.normalizer.mean.tolist(),
                           "std": None if self.normalizer.std is None else self.normalizer.std.tolist(),
                           "note": "also baked into the model's train_normalisation layer"},
        })

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "CnnLstmClassifier":
        """Load a model written by :meth:`save`."""
        import keras

        folder, meta = cls._read_folder(folder)
        mc = dict(meta["model_config"])
        mc["conv_filters"] = tuple(mc["conv_filters"])
        mc["kernel_sizes"] = tuple(mc.get("kernel_sizes", (5, 3)))
        est = cls(FeatureConfig(**meta["feature_config"]), CnnLstmConfig(**mc), meta.get("seed", 0))
        est.labels_ = list(meta["labels"])
        norm = meta["normalizer"]
        if norm.get("mean") is not None:
            est.normalizer = FeatureNormalizer(np.asarray(norm["mean"], np.float32), np.asarray(norm["std"], np.float32))
        _spec_augment_layer()  # registers the custom layer for deserialisation
        est.model = keras.models.load_model(folder / "model.keras")
        est._restore_training(meta)
        return est

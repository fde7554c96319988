"""Whole-utterance convolutional-recurrent emotion models: the strong hybrid CNN-LSTM and its relatives.

Serves notebook 04_cnn_lstm (leaderboard, paired ablation) and the saved model.

The paper's family is "a CNN learns local spectro-temporal patterns, an LSTM reads their sequence". The
paper's version (:mod:`serlib.models`) cuts MFCCs into 12 overlapping sliding windows of 0.32 s, so speech
beyond 2.1 s is dropped and shorter speech repeated. This module keeps the family and changes what is known
to matter for speaker-independent SER:

- the whole utterance (up to ``max_frames``; training takes a random crop of longer ones every epoch, testing
  the centre) of log-mel band energies **and** the eGeMAPS low-level descriptors (pitch, jitter, shimmer,
  loudness, HNR, formants: the prosody and voice quality that 64 mel bands do not resolve);
- a deeper 1-D CNN front end over frames (convolution, batch normalisation, ReLU, max-pooling; its receptive
  field plays the role of an OSW window, and the pooled frames the role of window hops);
- a bidirectional LSTM over the pooled sequence, then **attention pooling** over time concatenated with mean
  and standard-deviation pooling (statistics pooling);
- SpecAugment, label smoothing, class weights, a cosine learning-rate schedule, and the checkpoint of the
  epoch with the best **validation UAR**, on validation speakers the caller draws from the training speakers.

``ConvRecurrentConfig(recurrent="none")`` is the CNN-only ablation, ``conv_filters=()`` the LSTM-only one
(frames are stacked ``stack_frames`` at a time so the LSTM sees a shorter sequence), which together test the
paper's claim that the two halves complement each other.
"""

from __future__ import annotations

import dataclasses
import os
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from serlib.deploy.frontend import fixed_length
from serlib.evaluation.metrics import classification_metrics
from serlib.features.frames import FeatureConfig
from serlib.models.cnn_lstm import FeatureNormalizer, KerasEstimatorMixin

#: Features of the strong hybrid: 64 log-mel bands and the 25 eGeMAPS low-level descriptors (pitch, voice quality,
#: loudness, formants) per 10 ms frame, the whole utterance.
CRNN_FEATURES = FeatureConfig(kind="logmel_lld", n_mels=64, deltas=0)


@dataclass(frozen=True)
class ConvRecurrentConfig:
    """Architecture and training settings of :class:`ConvRecurrentClassifier` (recorded with a saved model).

    Attributes:
        max_frames: frames per input (10 ms each); longer utterances are cropped, shorter ones repeated.
        conv_filters: filters of each 1-D convolution block (each block halves the time axis); ``()`` = no CNN.
        kernel_size: convolution width in frames.
        recurrent: ``"bilstm"``, ``"lstm"`` or ``"none"`` (CNN only).
        lstm_units: units per direction.
        pooling: ``"attention_stats"`` (attention + mean + std over time), ``"stats"`` (mean + max over time)
            or ``"last"`` (the recurrent layer's last state).
        stack_frames: without a CNN, frames are stacked by this factor before the LSTM.
        dropout, l2: regularisation.
        learning_rate: peak Adam learning rate; ``cosine`` decays it to 0 over ``epochs``.
        epochs, patience: training length; stop after ``patience`` epochs without a better validation UAR.
        spec_augment: time masks of up to ``time_mask`` frames and band masks of up to ``feature_mask`` bands.
        label_smoothing, class_weight, mixup_alpha: loss-side settings.
        speed_perturb: training copies at these speed factors are made by the caller
            (:func:`serlib.experiments.augmentation`-style, see notebook 04); recorded here for the model card.
    """

    max_frames: int = 240
    conv_filters: tuple[int, ...] = (64, 128, 128)
    kernel_size: int = 5
    recurrent: str = "bilstm"
    lstm_units: int = 64
    pooling: str = "attention_stats"
    stack_frames: int = 4
    dropout: float = 0.3
    l2: float = 1e-4
    learning_rate: float = 2e-3
    cosine: bool = True
    batch_size: int = 32
    epochs: int = 25
    patience: int = 10
    spec_augment: bool = True
    time_mask: int = 20
    feature_mask: int = 8
    n_masks: int = 2
    label_smoothing: float = 0.1
    class_weight: bool = True
    mixup_alpha: float = 0.0

    def __post_init__(self):
        if self.recurrent not in ("bilstm", "lstm", "none"):
            raise ValueError(f"recurrent must be 'bilstm', 'lstm' or 'none', got {self.recurrent!r}")
        if self.pooling not in ("attention_stats", "stats", "last"):
            raise ValueError(f"pooling must be 'attention_stats', 'stats' or 'last', got {self.pooling!r}")
        if self.pooling == "last" and self.recurrent == "none":
            raise ValueError("pooling='last' needs a recurrent layer")
        if self.recurrent == "none" and not self.conv_filters:
            raise ValueError("a model needs a CNN front end, a recurrent layer or both")
        if self.max_frames < 2 ** len(self.conv_filters) or self.epochs < 1 or self.batch_size < 1:
            raise ValueError("max_frames must allow every pooling step; epochs and batch_size must be >= 1")
        if self.mixup_alpha < 0 or not 0 <= self.label_smoothing < 1:
            raise ValueError("mixup_alpha must be >= 0 and label_smoothing in [0, 1)")

    def to_dict(self) -> dict:
        d = dataclasses.asdict(self)
        d["conv_filters"] = list(self.conv_filters)
        return d

    @classmethod
    def from_dict(cls, d: dict) -> "ConvRecurrentConfig":
        d = dict(d)
        d["conv_filters"] = tuple(d.get("conv_filters", ()))
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(**{k: v for k, v in d.items() if k in known})


def batch_fixed_length(frames_list, n: int, rng: np.random.Generator | None = None) -> np.ndarray:
    """Stack utterances to ``(len, n, n_features)``; with ``rng``, longer ones are cropped at random offsets."""
    out = []
    for f in frames_list:
        start = None if rng is None or len(f) <= n else int(rng.integers(0, len(f) - n + 1))
        out.append(fixed_length(f, n, start))
    return np.stack(out)


def _register_layers():
    """Define (once) the custom Keras layers, keeping TensorFlow out of import time."""
    global _LAYERS
    if "_LAYERS" in globals():
        return _LAYERS
    import keras
    from keras import ops

    @keras.saving.register_keras_serializable(package="serlib")
    class FrameSpecAugment(keras.layers.Layer):
        """``n_masks`` random time masks and band masks per utterance, in training only (Park et al. 2019)."""

        def __init__(self, time_mask: int, feature_mask: int, n_masks: int = 2, seed: int = 0, **kwargs):
            super().__init__(**kwargs)
            self.time_mask, self.feature_mask, self.n_masks, self.seed = time_mask, feature_mask, n_masks, seed
            self.seed_generator = keras.random.SeedGenerator(seed)

        def _mask(self, b, size, limit, positions):
            width = ops.floor(keras.random.uniform((b, 1, 1), 0, size + 1, seed=self.seed_generator))
            start = ops.floor(keras.random.uniform((b, 1, 1), 0, 1, seed=self.seed_generator) * (limit - width + 1))
            return (positions >= start) & (positions < start + width)

        def call(self, x, training=None):
            if not training:
                return x
            b, frames, feats = ops.shape(x)[0], x.shape[1], x.shape[2]
            t_pos = ops.reshape(ops.arange(frames, dtype="float32"), (1, frames, 1))
            f_pos = ops.reshape(ops.arange(feats, dtype="float32"), (1, 1, feats))
            masked = None
            for _ in range(self.n_masks):
                m = self._mask(b, self.time_mask, frames, t_pos) | self._mask(b, self.feature_mask, feats, f_pos)
                masked = m if masked is None else masked | m
            return ops.where(masked, ops.zeros_like(x), x)

        def get_config(self):
            return {**super().get_config(), "time_mask": self.time_mask, "feature_mask": self.feature_mask,
                    "n_masks": self.n_masks, "seed": self.seed}

    @keras.saving.register_keras_serializable(package="serlib")
    class AttentionStatsPooling(keras.layers.Layer):
        """Attention-weighted mean over time (Mirsamadi et al. 2017), optionally with plain mean and std."""

        def __init__(self, units: int = 64, with_stats: bool = True, **kwargs):
            super().__init__(**kwargs)
            self.units, self.with_stats = units, with_stats

        def build(self, shape):
            self.score_hidden = keras.layers.Dense(self.units, activation="tanh")
            self.score = keras.layers.Dense(1)
            self.score_hidden.build(shape)
            self.score.build((*shape[:-1], self.units))

        def call(self, x):
            w = ops.softmax(self.score(self.score_hidden(x)), axis=1)
            parts = [ops.sum(w * x, axis=1)]
            if self.with_stats:
                mean = ops.mean(x, axis=1)
                parts += [mean, ops.sqrt(ops.mean(ops.square(x - mean[:, None, :]), axis=1) + 1e-6)]
            return ops.concatenate(parts, axis=-1)

        def get_config(self):
            return {**super().get_config(), "units": self.units, "with_stats": self.with_stats}

    _LAYERS = {"FrameSpecAugment": FrameSpecAugment, "AttentionStatsPooling": AttentionStatsPooling}
    return _LAYERS


def build_conv_recurrent(n_frames: int, n_features: int, n_classes: int,
                         config: ConvRecurrentConfig = ConvRecurrentConfig(), *, mean=None, std=None,
                         seed: int = 0, steps_per_epoch: int = 1):
    """The Keras model: [normalise] -> [SpecAugment] -> CNN blocks -> [Bi]LSTM -> pooling -> softmax.

    ``mean``/``std`` (per feature, training frames) are baked in as a fixed normalisation layer.
    """
    import keras
    from keras import layers, regularizers

    custom = _register_layers()
    reg = regularizers.l2(config.l2) if config.l2 else None
    inp = keras.Input((n_frames, n_features), name="frames")
    x = inp
    if mean is not None:
        x = layers.Normalization(axis=-1, mean=np.asarray(mean), variance=np.square(np.asarray(std)),
                                 name="train_normalisation")(x)
    if config.spec_augment:
        x = custom["FrameSpecAugment"](config.time_mask, config.feature_mask, config.n_masks, seed,
                                       name="spec_augment")(x)
    for k, filters in enumerate(config.conv_filters):
        x = layers.Conv1D(filters, config.kernel_size if k == 0 else 3, padding="same", use_bias=False,
                          kernel_regularizer=reg, name=f"conv{k + 1}")(x)
        x = layers.BatchNormalization(name=f"bn{k + 1}")(x)
        x = layers.Activation("relu", name=f"relu{k + 1}")(x)
        x = layers.MaxPooling1D(2, name=f"pool{k + 1}")(x)
    if not config.conv_filters and config.stack_frames > 1:
        steps = n_frames // config.stack_frames
        x = layers.Reshape((steps, config.stack_frames * n_features), name="stack_frames")(
            layers.Cropping1D((0, n_frames - steps * config.stack_frames))(x))
    if config.conv_filters:
        x = layers.SpatialDropout1D(config.dropout / 2, name="conv_dropout")(x)
    if config.recurrent != "none":
        seq = config.pooling != "last"
        rnn = layers.LSTM(config.lstm_units, return_sequences=seq, kernel_regularizer=reg)
        x = layers.Bidirectional(rnn, name="bilstm")(x) if config.recurrent == "bilstm" else layers.LSTM(
            config.lstm_units, return_sequences=seq, kernel_regularizer=reg, name="lstm")(x)
    if config.pooling == "attention_stats":
        x = custom["AttentionStatsPooling"](64, True, name="attention_stats_pooling")(x)
    elif config.pooling == "stats":
        mean_t = layers.GlobalAveragePooling1D()(x)
        x = layers.Concatenate(name="stats_pooling")([mean_t, layers.GlobalMaxPooling1D()(x)])
    x = layers.Dropout(config.dropout)(x)
    x = layers.Dense(128, activation="relu", kernel_regularizer=reg, name="dense")(x)
    x = layers.Dropout(config.dropout)(x)
    out = layers.Dense(n_classes, activation="softmax", name="emotion")(x)
    model = keras.Model(inp, out, name="conv_recurrent")
    lr = config.learning_rate
    if config.cosine:
        lr = keras.optimizers.schedules.CosineDecay(config.learning_rate, decay_steps=config.epochs * steps_per_epoch,
                                                    warmup_target=None)
    model.compile(optimizer=keras.optimizers.Adam(lr),
                  loss=keras.losses.CategoricalCrossentropy(label_smoothing=config.label_smoothing))
    return model


class ConvRecurrentClassifier(KerasEstimatorMixin):
    """fit / predict_proba / predict / save / load around the whole-utterance CNN-BiLSTM.

    Serves notebook 04_cnn_lstm. Same interface as :class:`serlib.models.cnn_lstm.CnnLstmClassifier`, so the protocol
    runner of :mod:`serlib.experiments` trains either.

    Args:
        feature_config: configuration the frames were made with (default :data:`CRNN_FEATURES`).
        config: architecture and training settings.
        seed: seeds numpy, Python and TensorFlow, and the crops.
    """

    def __init__(self, feature_config: FeatureConfig = CRNN_FEATURES,
                 config: ConvRecurrentConfig = ConvRecurrentConfig(), seed: int = 0):
        self.feature_config = feature_config
        self.config = config
        self.seed = int(seed)
        self.model = None
        self.labels_: list[str] = []
        self.mean_ = self.std_ = None
        self.history_: dict = {}
        self.epoch_seconds_ = float("nan")

    def _inputs(self, frames_list, rng=None) -> np.ndarray:
        return batch_fixed_length(frames_list, self.config.max_frames, rng)

    def model_input(self, frames_list) -> np.ndarray:
        """The network input for utterances, ``(n, max_frames, n_features)`` (centre crop or repetition)."""
        return self._inputs(frames_list)

    def fit(self, frames_list, labels, *, validation=None, verbose: int = 0) -> "ConvRecurrentClassifier":
        """Train on frame sequences and emotion labels.

        Args:
            frames_list: ``(n_frames, n_features)`` arrays, one per utterance.
            labels: emotion strings aligned with ``frames_list``.
            validation: ``(frames_list, labels)`` of validation *speakers* drawn from the training speakers;
                the epoch with the best validation UAR is kept (without it: the last epoch).
            verbose: 1 prints one line per epoch.
        """
        import keras

        labels = self._set_labels(frames_list, labels)
        cfg = self.config
        keras.utils.set_random_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        norm = FeatureNormalizer().fit(frames_list)
        self.mean_, self.std_ = norm.mean, norm.std
        index = {l: i for i, l in enumerate(self.labels_)}
        y_int = np.array([index[l] for l in labels])
        y = keras.utils.to_categorical(y_int, len(self.labels_))
        n_feat = int(np.asarray(frames_list[0]).shape[1])
        steps = int(np.ceil(len(y) / cfg.batch_size))
        self.model = build_conv_recurrent(cfg.max_frames, n_feat, len(self.labels_), cfg, mean=self.mean_,
                                          std=self.std_, seed=self.seed, steps_per_epoch=steps)
        weights = np.ones(len(y), np.float32)
        if cfg.class_weight:
            counts = np.bincount(y_int, minlength=len(self.labels_)).astype(float)
            weights = (len(y) / (len(counts) * np.maximum(counts, 1)))[y_int].astype(np.float32)
        val_x = val_y = None
        if validation is not None:
            vf, vl = validation
            vl = np.asarray(vl).astype(str)
            keep = np.isin(vl, self.labels_)
            if keep.any():
                val_x = self._inputs([f for f, k in zip(vf, keep) if k])
                val_y = vl[keep]
        history = {"loss": [], "val_uar": []}
        best, best_weights, since_best = -1.0, None, 0
        t0 = time.perf_counter()
        for epoch in range(cfg.epochs):
            x = self._inputs(frames_list, rng)
            xb, yb, wb = x, y, weights
            if cfg.mixup_alpha > 0:
                lam = rng.beta(cfg.mixup_alpha, cfg.mixup_alpha, size=len(y)).astype(np.float32)
                perm = rng.permutation(len(y))
                xb = lam[:, None, None] * x + (1 - lam[:, None, None]) * x[perm]
                yb = lam[:, None] * y + (1 - lam[:, None]) * y[perm]
                wb = lam * weights + (1 - lam) * weights[perm]
            h = self.model.fit(xb, yb, sample_weight=wb, batch_size=cfg.batch_size, epochs=1, shuffle=True,
                               verbose=0)
            history["loss"].append(float(h.history["loss"][0]))
            if val_x is not None:
                pred = np.asarray(self.labels_)[self._predict(val_x).argmax(axis=1)]
                uar = classification_metrics(val_y, pred)["uar"]
                history["val_uar"].append(float(uar))
                if uar > best:
                    best, best_weights, since_best = uar, self.model.get_weights(), 0
                    history["best_epoch"] = epoch + 1
                else:
                    since_best += 1
                if verbose:
                    print(f"epoch {epoch + 1}: loss {history['loss'][-1]:.3f} val UAR {uar:.3f}")
                if since_best >= cfg.patience:
                    break
        if best_weights is not None:
            self.model.set_weights(best_weights)
        else:
            history["best_epoch"] = len(history["loss"])
        history["epochs_run"] = len(history["loss"])
        self.epoch_seconds_ = (time.perf_counter() - t0) / max(history["epochs_run"], 1)
        self.history_ = history
        return self

    def _predict(self, x: np.ndarray) -> np.ndarray:
        # direct calls in batches: Keras' predict() retraces for every new model (one per fold and seed)
        out = [np.asarray(self.model(x[i:i + 128], training=False)) for i in range(0, len(x), 128)]
        return np.concatenate(out) if out else np.zeros((0, len(self.labels_)), np.float32)

    def predict_proba(self, frames_list) -> np.ndarray:
        """Class probabilities ``(n, n_classes)``, columns in the order of ``labels_``."""
        if self.model is None:
            raise RuntimeError("ConvRecurrentClassifier is not fitted")
        return self._predict(self._inputs(frames_list))

    def save(self, folder: str | os.PathLike) -> Path:
        """Write ``model.keras`` and ``serlib_model.json`` (labels, feature and model configuration)."""
        if self.model is None:
            raise RuntimeError("ConvRecurrentClassifier is not fitted")
        return self._write_folder(folder, {
            "format": "serlib.conv_recurrent/1", "labels": self.labels_,
            "feature_config": self.feature_config.to_dict(), "model_config": self.config.to_dict(),
            "seed": self.seed, "normalizer": {"mean": self.mean_.tolist(), "std": self.std_.tolist(),
                                              "note": "also baked into the model's train_normalisation layer"}})

    @classmethod
    def load(cls, folder: str | os.PathLike) -> "ConvRecurrentClassifier":
        """Load a model written by :meth:`save`."""
        import keras

        folder, meta = cls._read_folder(folder)
        est = cls(FeatureConfig(**meta["feature_config"]), ConvRecurrentConfig.from_dict(meta["model_config"]),
                  meta.get("seed", 0))
        est.labels_ = list(meta["labels"])
        est.mean_ = np.asarray(meta["normalizer"]["mean"], np.float32)
        est.std_ = np.asarray(meta["normalizer"]["std"], np.float32)
        _register_layers()
        est.model = keras.models.load_model(folder / "model.keras")
        est._restore_training(meta)
        return est


def quick_setting(config: ConvRecurrentConfig, epochs: int = 2) -> ConvRecurrentConfig:
    """The CI-sized version of a setting: few epochs, short inputs, a small network (numbers mean nothing)."""
    return dataclasses.replace(config, epochs=epochs, patience=epochs, max_frames=64,
                               conv_filters=tuple(min(f, 16) for f in config.conv_filters), lstm_units=16)

"""An emotion-conditioned CycleGAN-family augmenter over MFCC frames (in the spirit of CAEmoCyGAN).

Serves notebook 03_gan_augmentation.

The paper credits CAEmoCyGAN (Su & Lee, IEEE TAFFC 2022) for its augmentation; no code of it is public, so
this module builds a small stand-in and says what comes from where:

- **CycleGAN** (Zhu et al. 2017): unpaired translation trained with an adversarial loss (least-squares form),
  a *cycle-consistency* loss (translate to the target emotion and back, compare with the input, L1) and an
  *identity* loss (translating to the emotion the input already has should change nothing, L1).
- **Bao et al. 2019** (Interspeech, CycleGAN-based emotion style transfer for SER augmentation): the idea of
  adding an *emotion-classification loss* on the generated features, so that generated samples carry the
  target emotion. Here it is an auxiliary emotion head on the discriminator, trained on real windows.
- **StarGAN** (Choi et al. 2018): *one* generator conditioned on a target-domain one-hot (the target emotion)
  instead of one CycleGAN per pair of emotions; the auxiliary classifier head sits on the discriminator.
- **CAEmoCyGAN** (Su & Lee 2022): *corpus awareness*. Optionally the condition also holds a corpus (domain)
  one-hot and the discriminator a corpus head. Nothing else of CAEmoCyGAN (its exact architecture, losses
  and cross-corpus training schedule) is reproduced.

Design (a documented choice, not the paper's): the GAN works on the **static MFCC block** only (the first
``n_mfcc`` of the 120 features), z-scored with statistics of the training frames. Deltas are recomputed
from the generated statics with the same delta filter as :func:`serlib.features.frames.compute_frame_features`, so
generated frames are internally consistent. The generator is **fully convolutional over time** (``Conv1D``
with the coefficients as channels, dilated residual blocks, per-frame layer normalisation, no pooling), so it
is trained on OSW windows (32 frames) and applied to a whole utterance at once: an augmented utterance is the
entire frame sequence of a real training utterance translated to a target emotion, i.e. a frames array the
CNN-LSTM's ``fit`` takes directly (no overlap-add needed).

Leakage guard: :meth:`EmotionStarGAN.fit` takes the speakers of the frames, remembers them, and
:meth:`EmotionStarGAN.augment` refuses to translate utterances of any other speaker; :func:`fit_fold_gan`
takes the train *and* test positions of a split and refuses overlapping speakers.
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from serlib.features import analysis
from serlib.features.frames import FeatureConfig, add_deltas, overlapping_windows

#: The emotion of an utterance whose label the GAN must not read (a target corpus's audio, cross-corpus).
UNLABELLED = ""

#: Files of a saved GAN (:meth:`EmotionStarGAN.save`).
GENERATOR_WEIGHTS = "generator.weights.h5"
GAN_STATE = "gan.json"


@dataclass(frozen=True)
class GanConfig:
    """Size and training settings of the GAN (every field is recorded with the metrics).

    Attributes:
        g_channels: width of the generator's convolutions.
        g_blocks: dilated residual blocks in the generator (dilation 1, 2, 4, ...).
        d_channels: widths of the discriminator's strided convolutions.
        steps: training steps (one discriminator and one generator update each).
        batch_size: windows per step.
        learning_rate, beta_1: Adam settings (CycleGAN/StarGAN use 2e-4 and 0.5).
        lambda_cls, lambda_cyc, lambda_id: weights of the emotion-classification, cycle and identity losses.
        window_frames, window_hop: training windows cut from each utterance's frames.
        log_every: steps between two points of the loss history.
    """

    g_channels: int = 64
    g_blocks: int = 3
    d_channels: tuple[int, ...] = (64, 128)
    steps: int = 3000
    batch_size: int = 64
    learning_rate: float = 2e-4
    beta_1: float = 0.5
    lambda_cls: float = 1.0
    lambda_cyc: float = 10.0
    lambda_id: float = 5.0
    window_frames: int = analysis.WINDOW_FRAMES
    window_hop: int = analysis.WINDOW_HOP
    log_every: int = 25

    def __post_init__(self):
        if self.steps < 1 or self.batch_size < 2:
            raise ValueError(f"need steps >= 1 and batch_size >= 2, got {self.steps} and {self.batch_size}")
        if self.window_frames < 8:
            raise ValueError(f"window_frames must be >= 8, got {self.window_frames}")

    def to_dict(self) -> dict:
        d = asdict(self)
        d["d_channels"] = list(self.d_channels)
        return d


# ------------------------------------------------------------------------------------- networks
def build_generator(n_coeffs: int, n_condition: int, channels: int = 64, blocks: int = 3):
    """G(x, c): ``(batch, time, n_coeffs)`` + condition ``(batch, n_condition)`` -> same shape as x.

    The condition is broadcast over time and concatenated to the input channels (StarGAN). Fully
    convolutional over time, so any number of frames works. The output is ``x + residual``.
    """
    import keras
    from keras import layers

    x_in = keras.Input((None, n_coeffs), name="frames")
    c_in = keras.Input((n_condition,), name="condition")
    c_time = layers.Lambda(lambda t: keras.ops.broadcast_to(
        keras.ops.expand_dims(t[1], 1), (keras.ops.shape(t[0])[0], keras.ops.shape(t[0])[1], n_condition)),
        name="condition_over_time")([x_in, c_in])
    h = layers.Concatenate(name="frames_and_condition")([x_in, c_time])
    h = layers.Conv1D(channels, 5, padding="same", name="g_in")(h)
    h = layers.LeakyReLU(0.2)(h)
    for b in range(blocks):
        r = layers.Concatenate()([h, c_time])
        r = layers.Conv1D(channels, 3, padding="same", dilation_rate=2 ** b, name=f"g_block{b}_conv1")(r)
        r = layers.LayerNormalization(axis=-1, name=f"g_block{b}_norm")(r)
        r = layers.LeakyReLU(0.2)(r)
        r = layers.Conv1D(channels, 3, padding="same", name=f"g_block{b}_conv2")(r)
        h = layers.Add()([h, r])
    h = layers.LeakyReLU(0.2)(h)
    delta = layers.Conv1D(n_coeffs, 5, padding="same", name="g_out")(h)
    out = layers.Add(name="translated")([x_in, delta])
    return keras.Model([x_in, c_in], out, name="generator")


def build_discriminator(window_frames: int, n_coeffs: int, n_emotions: int, n_domains: int = 1,
                        channels: tuple[int, ...] = (64, 128)):
    """D(x) -> (real/fake score, emotion logits[, domain logits]) for ``(batch, window_frames, n_coeffs)``."""
    import keras
    from keras import layers

    x_in = keras.Input((window_frames, n_coeffs), name="window")
    h = x_in
    for i, ch in enumerate(channels):
        h = layers.Conv1D(ch, 4, strides=2, padding="same", name=f"d_conv{i}")(h)
        h = layers.LeakyReLU(0.2)(h)
    h = layers.Conv1D(channels[-1], 3, padding="same", name="d_conv_last")(h)
    h = layers.LeakyReLU(0.2)(h)
    pooled = layers.GlobalAveragePooling1D()(h)
    outputs = [layers.Dense(1, name="adversarial")(pooled), layers.Dense(n_emotions, name="emotion")(pooled)]
    if n_domains > 1:
        outputs.append(layers.Dense(n_domains, name="domain")(pooled))
    return keras.Model(x_in, outputs, name="discriminator")


# ------------------------------------------------------------------------------------- helpers
def check_speakers_disjoint(train_speakers, test_speakers) -> None:
    """Raise ``ValueError`` if any speaker is on both sides (the augmenters' leakage guard)."""
    shared = sorted(set(map(str, train_speakers)) & set(map(str, test_speakers)))
    if shared:
        raise ValueError(f"speaker(s) {shared[:5]} are in both the augmenter's training data and the test set")


def _n_static(feature_config: FeatureConfig) -> int:
    """Columns the GAN generates: the static block when deltas follow it (they are recomputed from the generated
    statics), every column when there are none (log-mel, or log-mel plus eGeMAPS descriptors)."""
    if feature_config.deltas == 0:
        return feature_config.n_features
    if feature_config.kind == "logmel_lld":
        raise ValueError("the GAN cannot recompute eGeMAPS descriptors from generated frames; use logmel_lld "
                         "features without deltas (like serlib.models.conv_recurrent.CRNN_FEATURES)")
    return feature_config.n_mfcc if feature_config.kind == "mfcc" else feature_config.n_mels


# ------------------------------------------------------------------------------------- estimator
class EmotionStarGAN:
    """Emotion- (and optionally corpus-) conditioned CycleGAN-family translator of MFCC frame sequences.

    Args:
        feature_config: configuration the frames were made with (the static block and delta order come from it).
        config: :class:`GanConfig`.
        seed: seeds weights, batch sampling and target choice.

    Fitted attributes: ``emotions_``, ``domains_``, ``train_speakers_``, ``mean_``/``std_`` (static block,
    training frames), ``history_`` (DataFrame of losses every ``log_every`` steps), ``train_seconds_``.
    """

    def __init__(self, feature_config: FeatureConfig = FeatureConfig(), config: GanConfig = GanConfig(),
                 seed: int = 0):
        self.feature_config = feature_config
        self.config = config
        self.seed = int(seed)
        self.generator = None
        self.discriminator = None
        self.emotions_: list[str] = []
        self.domains_: list[str] = []
        self.train_speakers_: frozenset[str] = frozenset()
        self.history_ = pd.DataFrame()
        self.train_seconds_ = float("nan")
        self._translate_fn = None

    # -- data ------------------------------------------------------------------------------------
    @property
    def n_coeffs(self) -> int:
        return _n_static(self.feature_config)

    def _static(self, frames: np.ndarray) -> np.ndarray:
        frames = np.asarray(frames, np.float32)
        if frames.ndim != 2 or frames.shape[1] != self.feature_config.n_features:
            raise ValueError(f"frames must have shape (n_frames, {self.feature_config.n_features}), "
                             f"got {frames.shape}")
        return frames[:, :self.n_coeffs]

    def _condition(self, emotion_idx: np.ndarray, domain_idx: np.ndarray) -> np.ndarray:
        c = np.eye(len(self.emotions_), dtype=np.float32)[emotion_idx]
        if len(self.domains_) > 1:
            c = np.concatenate([c, np.eye(len(self.domains_), dtype=np.float32)[domain_idx]], axis=1)
        return c

    def _emotion_index(self, emotions) -> np.ndarray:
        emotions = np.asarray(emotions).astype(str)
        unknown = sorted(set(emotions) - set(self.emotions_))
        if unknown:
            raise ValueError(f"emotion(s) {unknown} were not in the GAN's training data {self.emotions_}")
        lookup = {e: i for i, e in enumerate(self.emotions_)}
        return np.array([lookup[e] for e in emotions], int)

    def _domain_index(self, domains, n: int) -> np.ndarray:
        if domains is None:
            if len(self.domains_) > 1:
                raise ValueError(f"this GAN is corpus-aware ({self.domains_}); pass the corpus of every utterance")
            return np.zeros(n, int)
        domains = np.asarray(domains).astype(str)
        if domains.shape != (n,):
            raise ValueError(f"need one corpus per utterance, got {domains.shape} for {n} utterances")
        unknown = sorted(set(domains) - set(self.domains_))
        if unknown:
            raise ValueError(f"corpus/corpora {unknown} were not in the GAN's training data {self.domains_}")
        lookup = {d: i for i, d in enumerate(self.domains_)}
        return np.array([lookup[d] for d in domains], int)

    # -- training --------------------------------------------------------------------------------
    def fit(self, frames_list, emotions, speakers, domains=None, *, progress: bool = True) -> "EmotionStarGAN":
        """Train on the frame sequences of *training* utterances.

        Args:
            frames_list: ``(n_frames, n_features)`` arrays (``FeatureSet.frames`` of training rows only).
            emotions: emotion label of each utterance; :data:`UNLABELLED` for audio whose label must not be read
                (a corpus-aware GAN only): no emotion loss on it, an all-zero emotion condition as its source,
                and labelled windows are also translated to the other corpus with their own emotion.
            speakers: speaker of each utterance (remembered: :meth:`augment` only accepts these speakers and
                :meth:`assert_unseen` checks test speakers against them).
            domains: optional corpus name of each utterance; two or more corpora make the GAN corpus-aware.
            progress: show a tqdm bar over training steps.
        """
        import keras
        import tensorflow as tf

        from serlib.reporting.progress import tqdm

        cfg = self.config
        emotions = np.asarray(emotions).astype(str)
        speakers = np.asarray(speakers).astype(str)
        n = len(frames_list)
        if n == 0 or emotions.shape != (n,) or speakers.shape != (n,):
            raise ValueError(f"need one emotion and one speaker per utterance, got {len(emotions)}, "
                             f"{len(speakers)} for {n} utterances")
        labelled = emotions != UNLABELLED
        self.emotions_ = sorted(set(emotions[labelled]))
        if len(self.emotions_) < 2:
            raise ValueError("the GAN needs at least two emotions to translate between")
        self.domains_ = sorted(set(np.asarray(domains).astype(str))) if domains is not None else ["all"]
        dom_idx = self._domain_index(domains, n) if len(self.domains_) > 1 else np.zeros(n, int)
        semi = not labelled.all()  # a trace-time constant: the all-labelled graph is unchanged
        if semi and len(self.domains_) < 2:
            raise ValueError("unlabelled utterances need a corpus-aware GAN (pass the corpus of every utterance)")
        emo_idx = np.full(n, -1)
        emo_idx[labelled] = self._emotion_index(emotions[labelled])
        self.train_speakers_ = frozenset(speakers)

        statics = [self._static(f) for f in frames_list]
        stacked = np.concatenate(statics, axis=0).astype(np.float64)
        self.mean_ = stacked.mean(axis=0).astype(np.float32)
        self.std_ = np.maximum(stacked.std(axis=0), 1e-6).astype(np.float32)
        wins, w_emo, w_dom = [], [], []
        for s, e, d in zip(statics, emo_idx, dom_idx):
            w = overlapping_windows((s - self.mean_) / self.std_, cfg.window_frames, cfg.window_hop)
            wins.append(w)
            w_emo.append(np.full(len(w), e))
            w_dom.append(np.full(len(w), d))
        x_all = np.concatenate(wins).astype(np.float32)
        if len(x_all) < 2:
            raise ValueError(f"need at least 2 windows of {cfg.window_frames} frames to train the GAN")
        e_all, d_all = np.concatenate(w_emo), np.concatenate(w_dom)

        keras.utils.set_random_seed(self.seed)
        rng = np.random.default_rng(self.seed)
        n_emo, n_dom = len(self.emotions_), len(self.domains_)
        n_cond = n_emo + (n_dom if n_dom > 1 else 0)
        self.generator = build_generator(self.n_coeffs, n_cond, cfg.g_channels, cfg.g_blocks)
        self.discriminator = build_discriminator(cfg.window_frames, self.n_coeffs, n_emo, n_dom, cfg.d_channels)
        G, D = self.generator, self.discriminator
        g_opt = keras.optimizers.Adam(cfg.learning_rate, beta_1=cfg.beta_1)
        d_opt = keras.optimizers.Adam(cfg.learning_rate, beta_1=cfg.beta_1)
        g_opt.build(G.trainable_variables)
        d_opt.build(D.trainable_variables)
        ce = tf.keras.losses.SparseCategoricalCrossentropy(from_logits=True)
        corpus_aware = n_dom > 1

        def cond(e, d):
            c = tf.one_hot(e, n_emo)
            return tf.concat([c, tf.one_hot(d, n_dom)], axis=1) if corpus_aware else c

        @tf.function(reduce_retracing=True)
        def step(x, e_src, d_src, e_tgt, d_tgt):
            c_src, c_tgt = cond(e_src, d_src), cond(e_tgt, d_tgt)
            with tf.GradientTape() as tape:
                fake = G([x, c_tgt], training=True)
                out_real, out_fake = D(x, training=True), D(fake, training=True)
                d_adv = 0.5 * (tf.reduce_mean(tf.square(out_real[0] - 1.0)) + tf.reduce_mean(tf.square(out_fake[0])))
                e_cls = (ce(tf.maximum(e_src, 0), out_real[1], sample_weight=tf.cast(e_src >= 0, tf.float32))
                         if semi else ce(e_src, out_real[1]))
                d_cls = e_cls + (ce(d_src, out_real[2]) if corpus_aware else 0.0)
                d_loss = d_adv + cfg.lambda_cls * d_cls
            grads = tape.gradient(d_loss, D.trainable_variables)
            d_opt.apply_gradients(zip(grads, D.trainable_variables))
            with tf.GradientTape() as tape:
                fake = G([x, c_tgt], training=True)
                out_fake = D(fake, training=True)
                g_adv = 0.5 * tf.reduce_mean(tf.square(out_fake[0] - 1.0))
                g_cls = ce(e_tgt, out_fake[1]) + (ce(d_tgt, out_fake[2]) if corpus_aware else 0.0)
                g_cyc = tf.reduce_mean(tf.abs(G([fake, c_src], training=True) - x))
                g_id = tf.reduce_mean(tf.abs(G([x, c_src], training=True) - x))
                g_loss = g_adv + cfg.lambda_cls * g_cls + cfg.lambda_cyc * g_cyc + cfg.lambda_id * g_id
            grads = tape.gradient(g_loss, G.trainable_variables)
            g_opt.apply_gradients(zip(grads, G.trainable_variables))
            return {"d_adv": d_adv, "d_cls": d_cls, "g_adv": g_adv, "g_cls": g_cls, "cycle": g_cyc,
                    "identity": g_id, "d_total": d_loss, "g_total": g_loss}

        rows, acc = [], {}
        t0 = time.perf_counter()
        batch = min(cfg.batch_size, len(x_all))
        for i in tqdm(range(cfg.steps), desc="GAN training", unit="step", disable=not progress, leave=False):
            idx = rng.integers(0, len(x_all), batch)
            e_src = e_all[idx]
            shift = rng.integers(1, n_emo, batch)  # a target emotion different from the source
            e_tgt = (e_src + shift) % n_emo
            d_src = d_all[idx]
            d_tgt = rng.integers(0, n_dom, batch) if corpus_aware else d_src
            if semi:  # any target for unlabelled windows; half of the corpus changes keep the emotion
                e_tgt = np.where(e_src < 0, rng.integers(0, n_emo, batch), e_tgt)
                keep = (rng.random(batch) < 0.5) & (e_src >= 0) & (d_tgt != d_src)
                e_tgt = np.where(keep, e_src, e_tgt)
            losses = step(tf.constant(x_all[idx]), tf.constant(e_src, tf.int32), tf.constant(d_src, tf.int32),
                          tf.constant(e_tgt, tf.int32), tf.constant(d_tgt, tf.int32))
            for k, v in losses.items():
                acc.setdefault(k, []).append(float(v))
            if (i + 1) % cfg.log_every == 0 or i + 1 == cfg.steps:
                rows.append({"step": i + 1, **{k: float(np.mean(v)) for k, v in acc.items()}})
                acc = {}
        self.train_seconds_ = time.perf_counter() - t0
        self.history_ = pd.DataFrame(rows)
        bad = [c for c in self.history_.columns if not np.all(np.isfinite(self.history_[c]))]
        if bad:
            raise FloatingPointError(f"GAN losses became non-finite ({', '.join(bad)}); lower the learning rate")
        self.n_train_windows_ = int(len(x_all))
        self._translate_fn = None
        return self

    # -- persistence -----------------------------------------------------------------------------
    def save(self, folder) -> Path:
        """Write the generator's weights (``generator.weights.h5``) and everything else inference and the
        figures need (``gan.json``: configurations, seed, emotions, corpora, training speakers, scaling, loss
        history, training time). The discriminator is not kept (nothing after training uses it)."""
        self._check_fitted()
        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        self.generator.save_weights(folder / GENERATOR_WEIGHTS)
        state = {"feature_config": self.feature_config.to_dict(), "config": self.config.to_dict(),
                 "seed": self.seed, "emotions": self.emotions_, "domains": self.domains_,
                 "train_speakers": sorted(self.train_speakers_), "mean": self.mean_.tolist(),
                 "std": self.std_.tolist(), "history": self.history_.to_dict(orient="list"),
                 "train_seconds": self.train_seconds_, "n_train_windows": self.n_train_windows_}
        (folder / GAN_STATE).write_text(json.dumps(state))
        return folder

    @classmethod
    def load(cls, folder) -> "EmotionStarGAN":
        """A GAN written by :meth:`save`, ready to translate (not to train further)."""
        folder = Path(folder)
        state = json.loads((folder / GAN_STATE).read_text())
        config = dict(state["config"])
        config["d_channels"] = tuple(config["d_channels"])
        gan = cls(FeatureConfig(**state["feature_config"]), GanConfig(**config), state["seed"])
        gan.emotions_, gan.domains_ = list(state["emotions"]), list(state["domains"])
        gan.train_speakers_ = frozenset(state["train_speakers"])
        gan.mean_ = np.asarray(state["mean"], np.float32)
        gan.std_ = np.asarray(state["std"], np.float32)
        gan.history_ = pd.DataFrame(state["history"])
        gan.train_seconds_, gan.n_train_windows_ = float(state["train_seconds"]), int(state["n_train_windows"])
        n_cond = len(gan.emotions_) + (len(gan.domains_) if len(gan.domains_) > 1 else 0)
        gan.generator = build_generator(gan.n_coeffs, n_cond, gan.config.g_channels, gan.config.g_blocks)
        gan.generator.load_weights(folder / GENERATOR_WEIGHTS)
        return gan

    # -- inference -------------------------------------------------------------------------------
    def _check_fitted(self):
        if self.generator is None:
            raise RuntimeError("EmotionStarGAN is not fitted")

    def _translate_static(self, static_z: np.ndarray, condition: np.ndarray) -> np.ndarray:
        import tensorflow as tf

        if self._translate_fn is None:
            G = self.generator
            self._translate_fn = tf.function(
                lambda x, c: G([x, c], training=False),
                input_signature=[tf.TensorSpec([None, None, self.n_coeffs], tf.float32),
                                 tf.TensorSpec([None, condition.shape[-1]], tf.float32)])
        return np.asarray(self._translate_fn(tf.constant(static_z[None]), tf.constant(condition[None])))[0]

    def translate(self, frames: np.ndarray, target_emotion: str, target_domain: str | None = None) -> np.ndarray:
        """Translate one utterance's frames to ``target_emotion``: returns ``(n_frames, n_features)`` frames.

        Only the static block is generated; deltas are recomputed from it.
        """
        self._check_fitted()
        static = self._static(frames)
        e = self._emotion_index([target_emotion])
        d = self._domain_index(None if target_domain is None else [target_domain], 1)
        z = (static - self.mean_) / self.std_
        out = self._translate_static(z.astype(np.float32), self._condition(e, d)[0]) * self.std_ + self.mean_
        return add_deltas(out, self.feature_config.deltas)

    def translate_windows(self, windows: np.ndarray, target_emotions, target_domains=None) -> np.ndarray:
        """Translate static-block windows ``(n, frames, n_coeffs)`` (raw scale) in one batch; same shape out."""
        self._check_fitted()
        windows = np.asarray(windows, np.float32)
        if windows.ndim != 3 or windows.shape[2] != self.n_coeffs:
            raise ValueError(f"windows must have shape (n, frames, {self.n_coeffs}), got {windows.shape}")
        e = self._emotion_index(target_emotions)
        d = self._domain_index(target_domains, len(e))
        z = (windows - self.mean_) / self.std_
        out = np.asarray(self.generator([z, self._condition(e, d)], training=False))
        return out * self.std_ + self.mean_

    def assert_unseen(self, speakers) -> None:
        """Raise ``ValueError`` if any of ``speakers`` (e.g. a fold's test speakers) trained this GAN."""
        self._check_fitted()
        check_speakers_disjoint(self.train_speakers_, speakers)

    def augment(self, frames_list, emotions, speakers, domains=None, *, n_copies: int = 1, seed: int = 0,
                progress: bool = False) -> tuple[list[np.ndarray], np.ndarray, np.ndarray]:
        """Synthetic utterances: each given *training* utterance translated to ``n_copies`` other emotions.

        Targets are drawn uniformly among the emotions different from the source (without repetition while
        possible). Refuses utterances of speakers the GAN was not trained on.

        Returns:
            ``(frames_list, target_emotions, source_index)``; ``source_index[k]`` is the input position the
            k-th synthetic utterance was made from.
        """
        from serlib.reporting.progress import tqdm

        self._check_fitted()
        emotions = np.asarray(emotions).astype(str)
        speakers = np.asarray(speakers).astype(str)
        if emotions.shape != (len(frames_list),) or speakers.shape != (len(frames_list),):
            raise ValueError("need one emotion and one speaker per utterance")
        if n_copies < 1:
            raise ValueError(f"n_copies must be >= 1, got {n_copies}")
        foreign = sorted(set(speakers) - self.train_speakers_)
        if foreign:
            raise ValueError(f"speaker(s) {foreign[:5]} were not in the GAN's training data; "
                             "augment only training utterances")
        dom = np.asarray(domains).astype(str) if domains is not None else [None] * len(frames_list)
        rng = np.random.default_rng(seed)
        out, targets, source = [], [], []
        for i in tqdm(range(len(frames_list)), desc="GAN augmentation", disable=not progress, leave=False):
            others = [e for e in self.emotions_ if e != emotions[i]]
            picks = rng.permutation(others)
            for k in range(n_copies):
                target = str(picks[k % len(picks)])
                out.append(self.translate(frames_list[i], target, dom[i]))
                targets.append(target)
                source.append(i)
        return out, np.array(targets), np.array(source, int)


def fit_fold_gan(frames_list, manifest: pd.DataFrame, train, test, *, feature_config: FeatureConfig = FeatureConfig(),
                 config: GanConfig = GanConfig(), seed: int = 0, corpus_aware: bool = False,
                 progress: bool = True) -> EmotionStarGAN:
    """Fit one GAN on the ``train`` positions of a split, after checking no ``test`` speaker is among them.

    Serves notebook 03. ``frames_list`` and ``manifest`` are aligned (``FeatureSet.frames`` and
    ``FeatureSet.manifest``); only ``train`` rows reach the GAN.
    """
    train, test = np.asarray(train, int), np.asarray(test, int)
    spk = manifest["speaker"].astype(str).to_numpy()
    check_speakers_disjoint(spk[train], spk[test])
    gan = EmotionStarGAN(feature_config, config, seed)
    domains = manifest["corpus"].astype(str).to_numpy()[train] if corpus_aware else None
    gan.fit([frames_list[i] for i in train], manifest["emotion"].astype(str).to_numpy()[train], spk[train],
            domains, progress=progress)
    return gan

"""Quality measures of a trained GAN augmenter, on fit speakers only.

Serves notebook 03_gan_augmentation (section "Is the GAN any good?"): a window-statistics emotion classifier's
agreement with the target emotion of translations, a classifier two-sample test (AUC of real vs generated),
the size and direction of the edit against real emotion differences, and per-emotion feature profiles."""

from __future__ import annotations

import numpy as np
import pandas as pd

from serlib.augmentation.gan import EmotionStarGAN
from serlib.features.frames import overlapping_windows
from serlib.messages import InsufficientDataError


# ------------------------------------------------------------------------------------- quality
def window_statistics(windows: np.ndarray) -> np.ndarray:
    """Per-window mean and standard deviation over time of each coefficient: ``(n, 2 * n_coeffs)``."""
    windows = np.asarray(windows, np.float64)
    return np.concatenate([windows.mean(axis=1), windows.std(axis=1)], axis=1).astype(np.float32)


def _static_windows(frames_list, n_coeffs: int, window_frames: int, window_hop: int):
    out, owner = [], []
    for i, f in enumerate(frames_list):
        w = overlapping_windows(np.asarray(f)[:, :n_coeffs], window_frames, window_hop)
        out.append(w)
        owner.append(np.full(len(w), i))
    return np.concatenate(out), np.concatenate(owner)


def gan_quality(gan: EmotionStarGAN, frames_list, emotions, speakers, *, seed: int = 0,
                max_windows: int = 2000) -> dict[str, float]:
    """How emotional and how realistic the generated windows are, measured on training speakers only.

    Serves notebook 03. The GAN's training speakers are split in two halves (A, B; with one speaker, its
    utterances are split instead). A logistic-regression emotion classifier on window statistics
    (:func:`window_statistics` of the static block) is trained on *real* windows of A and applied to

    - real windows of B with their true labels (``real_heldout_accuracy``: how recognisable a real emotion
      is for a speaker the classifier did not see), and
    - windows of B's utterances translated by the GAN to another emotion, scored against the *target*
      labels (``generated_target_accuracy``); ``generated_source_rate`` is how often the classifier still
      finds the *source* emotion. ``chance`` = 1 / number of emotions.

    Classifier two-sample test: a logistic regression separates real windows of B from generated windows
    (5-fold cross-validated ROC AUC, ``c2st_auc``; 0.5 = indistinguishable, 1 = trivially separable).

    Size and direction of the edit, in window statistics z-scored on real B windows: ``edit_ratio`` is the mean
    length of the move from a source window to its translation divided by the mean distance between the real
    class means of its source and target emotions (1: the GAN moves a window as far as the emotions lie apart
    in real speech; near 0: translations are near-copies of their source). ``edit_cosine`` is the mean cosine
    between that move and the real source-to-target direction (1: the right direction; 0: unrelated).
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    emotions = np.asarray(emotions).astype(str)
    speakers = np.asarray(speakers).astype(str)
    gan._check_fitted()
    foreign = sorted(set(speakers) - gan.train_speakers_)
    if foreign:
        raise ValueError(f"gan_quality uses the GAN's training speakers only; got other speaker(s) {foreign[:5]}")
    rng = np.random.default_rng(seed)
    unique = sorted(set(speakers))
    in_a = speaker_halves(speakers, rng)
    cfg = gan.config
    nc = gan.n_coeffs
    wa, oa = _static_windows([frames_list[i] for i in np.flatnonzero(in_a)], nc, cfg.window_frames, cfg.window_hop)
    b_pos = np.flatnonzero(~in_a)
    wb, ob = _static_windows([frames_list[i] for i in b_pos], nc, cfg.window_frames, cfg.window_hop)
    ya, yb = emotions[np.flatnonzero(in_a)][oa], emotions[b_pos][ob]
    if len(wa) > max_windows:
        keep = rng.choice(len(wa), max_windows, replace=False)
        wa, ya = wa[keep], ya[keep]
    if len(wb) > max_windows:
        keep = rng.choice(len(wb), max_windows, replace=False)
        wb, yb = wb[keep], yb[keep]
    for half, labels in (("A", ya), ("B", yb)):
        if len(set(labels)) < 2:
            raise InsufficientDataError(
                f"GAN quality needs 2 or more emotions in each half of the fit speakers; half {half} has "
                f"{len(set(labels))} ({len(unique)} fit speaker(s))")
    clf = make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000, C=1.0))
    clf.fit(window_statistics(wa), ya)
    real_acc = float((clf.predict(window_statistics(wb)) == yb).mean())
    # translate every B window to a random other emotion
    n_emo = len(gan.emotions_)
    src_idx = gan._emotion_index(yb)
    tgt_idx = (src_idx + rng.integers(1, n_emo, len(yb))) % n_emo
    targets = np.asarray(gan.emotions_)[tgt_idx]
    gen = np.concatenate([gan.translate_windows(wb[i:i + 512], targets[i:i + 512])
                          for i in range(0, len(wb), 512)])
    pred = clf.predict(window_statistics(gen))
    edit_ratio, edit_cosine = edit_size(window_statistics(wb), window_statistics(gen), yb, targets)
    c2st_auc = two_sample_auc(window_statistics(wb), window_statistics(gen), seed=seed)
    return {
        "real_heldout_accuracy": real_acc,
        "generated_target_accuracy": float((pred == targets).mean()),
        "generated_source_rate": float((pred == yb).mean()),
        "chance": 1.0 / n_emo,
        "c2st_auc": c2st_auc,
        "edit_ratio": edit_ratio,
        "edit_cosine": edit_cosine,
        "n_real_windows": int(len(wb)),
        "n_generated_windows": int(len(gen)),
    }


def speaker_halves(speakers, rng: np.random.Generator) -> np.ndarray:
    """Mask of half A of a split of ``speakers`` in two halves (with a single speaker, of its utterances).

    Serves :func:`gan_quality` and :func:`serlib.augmentation.selection.selection_quality` (notebook 03): a
    classifier trained on half A judges what is made from half B.
    """
    speakers = np.asarray(speakers).astype(str)
    unique = sorted(set(speakers))
    if len(unique) >= 2:
        return np.isin(speakers, list(rng.permutation(unique)[: len(unique) // 2]))
    return rng.random(len(speakers)) < 0.5


def two_sample_auc(real_stats: np.ndarray, generated_stats: np.ndarray, *, seed: int = 0) -> float:
    """Classifier two-sample test: cross-validated ROC AUC (up to 5 folds) of a logistic regression that separates
    real from generated rows (0.5: indistinguishable, 1: trivially separable).

    Raises:
        InsufficientDataError: fewer than 2 real or 2 generated rows.
    """
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import StratifiedKFold, cross_val_predict
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    n_splits = int(min(5, len(real_stats), len(generated_stats)))
    if n_splits < 2:
        raise InsufficientDataError("the two-sample test needs 2 or more real and generated rows")
    x = np.concatenate([real_stats, generated_stats])
    y = np.r_[np.zeros(len(real_stats)), np.ones(len(generated_stats))]
    p = cross_val_predict(make_pipeline(StandardScaler(), LogisticRegression(max_iter=2000)), x, y,
                          cv=StratifiedKFold(n_splits, shuffle=True, random_state=seed), method="predict_proba")[:, 1]
    return float(roc_auc_score(y, p))


def edit_size(source_stats: np.ndarray, gen_stats: np.ndarray, source, target, *, reference_stats=None,
              reference_emotions=None) -> tuple[float, float]:
    """``(edit_ratio, edit_cosine)`` of :func:`gan_quality`: how far each translation moved its source's statistics,
    relative to the distance between the real means of its source and target emotions, and the cosine with that
    direction. Scaling and emotion means come from ``reference_stats`` / ``reference_emotions`` (default: the
    sources themselves); rows whose source or target emotion has no reference row are left out."""
    ref = source_stats if reference_stats is None else reference_stats
    ref_emotions = np.asarray(source if reference_emotions is None else reference_emotions)
    mu, sd = ref.mean(axis=0), np.maximum(ref.std(axis=0), 1e-9)
    zs, zg, zr = (source_stats - mu) / sd, (gen_stats - mu) / sd, (ref - mu) / sd
    source, target = np.asarray(source), np.asarray(target)
    means = {e: zr[ref_emotions == e].mean(axis=0) for e in np.unique(ref_emotions)}
    ok = np.array([s in means and t in means for s, t in zip(source, target)], bool)
    if not ok.any():
        return float("nan"), float("nan")
    move = (zg - zs)[ok]
    gap = np.stack([means[t] - means[s] for s, t in zip(source[ok], target[ok])])
    move_len, gap_len = np.linalg.norm(move, axis=1), np.linalg.norm(gap, axis=1)
    cosine = (move * gap).sum(axis=1) / np.maximum(move_len * gap_len, 1e-12)
    return float(move_len.mean() / max(gap_len.mean(), 1e-12)), float(cosine.mean())


def emotion_profiles(gan: EmotionStarGAN, frames_list, emotions, *, seed: int = 0,
                     max_windows: int = 3000) -> pd.DataFrame:
    """Per-emotion mean of every static coefficient: real windows vs windows generated *to* that emotion.

    Serves notebook 03 (feature statistics real vs generated). Sources are the given (training) utterances'
    windows, each translated to a random other emotion. Returns a long table
    ``emotion, kind (real|generated), coefficient, mean, std``.
    """
    emotions = np.asarray(emotions).astype(str)
    cfg = gan.config
    w, owner = _static_windows(frames_list, gan.n_coeffs, cfg.window_frames, cfg.window_hop)
    y = emotions[owner]
    rng = np.random.default_rng(seed)
    if len(w) > max_windows:
        keep = rng.choice(len(w), max_windows, replace=False)
        w, y = w[keep], y[keep]
    n_emo = len(gan.emotions_)
    tgt = np.asarray(gan.emotions_)[(gan._emotion_index(y) + rng.integers(1, n_emo, len(y))) % n_emo]
    gen = np.concatenate([gan.translate_windows(w[i:i + 512], tgt[i:i + 512]) for i in range(0, len(w), 512)])
    all_real = w.reshape(-1, w.shape[-1]).astype(np.float64)
    mu, sd = all_real.mean(axis=0), np.maximum(all_real.std(axis=0), 1e-9)
    rows = []
    for kind, data, labels in (("real", w, y), ("generated", gen, tgt)):
        for e in gan.emotions_:
            sel = data[labels == e]
            if len(sel) == 0:
                continue
            frames = sel.reshape(-1, sel.shape[-1])
            for c in range(frames.shape[1]):
                m = float(frames[:, c].mean())
                rows.append({"emotion": e, "kind": kind, "coefficient": c, "mean": m,
                             "std": float(frames[:, c].std()), "z_mean": float((m - mu[c]) / sd[c])})
    return pd.DataFrame(rows)

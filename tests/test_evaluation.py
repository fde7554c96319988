import numpy as np
import pandas as pd
import pytest

from serlib.evaluation.metrics import (
    bootstrap_ci,
    classification_metrics,
    classification_report_table,
    summarise_runs,
)
from serlib.evaluation.splits import (
    cross_corpus_positions,
    random_80_20_split,
    shared_emotions,
    speaker_independent_folds,
    validation_speakers_split,
)


def _manifest(n_speakers=24, per=10, emotions=("angry", "sad", "happy", "neutral")):
    rows = []
    for s in range(1, n_speakers + 1):
        for k in range(per):
            rows.append({"speaker": f"{s:02d}", "gender": "male" if s % 2 else "female",
                         "emotion": emotions[k % len(emotions)], "path": f"/x/{s}_{k}.wav"})
    return pd.DataFrame(rows)


def test_random_split_is_stratified_and_mixes_speakers():
    m = _manifest()
    split = random_80_20_split(m, seed=1)
    assert len(split.test) == 48 and len(np.intersect1d(split.train, split.test)) == 0
    expected = 0.2 * m["emotion"].value_counts()
    got = m.iloc[split.test]["emotion"].value_counts()
    assert (got - expected).abs().max() <= 1  # stratified: each emotion keeps its share
    # the paper's protocol puts (almost) every speaker on both sides
    assert len(set(m.iloc[split.train]["speaker"]) & set(m.iloc[split.test]["speaker"])) > 15
    assert not np.array_equal(split.test, random_80_20_split(m, seed=2).test)


def test_speaker_independent_folds_ravdess_like():
    m = _manifest()
    folds = speaker_independent_folds(m, seed=0)
    assert len(folds) == 6
    tested = np.concatenate([f.test for f in folds])
    assert sorted(tested) == list(range(len(m)))  # every utterance tested exactly once
    for f in folds:
        test_spk = set(m.iloc[f.test]["speaker"])
        assert len(test_spk) == 4 and not test_spk & set(m.iloc[f.train]["speaker"])
        assert m.iloc[f.test].groupby("gender")["speaker"].nunique().to_dict() == {"female": 2, "male": 2}


def test_speaker_independent_two_speakers_and_errors():
    m = _manifest(n_speakers=2)
    folds = speaker_independent_folds(m)
    assert len(folds) == 2 and {tuple(sorted(set(m.iloc[f.test]["speaker"]))) for f in folds} == {("01",), ("02",)}
    with pytest.raises(ValueError, match="at least 2 speakers"):
        speaker_independent_folds(_manifest(n_speakers=1))
    with pytest.raises(ValueError, match="n_folds"):
        speaker_independent_folds(m, n_folds=3)


def test_validation_speakers_come_from_training_side_only():
    m = _manifest()
    fold = speaker_independent_folds(m, seed=0)[0]
    fit, val = validation_speakers_split(m, fold.train, seed=0)
    assert set(fit) | set(val) == set(fold.train) and not set(fit) & set(val)
    assert not set(m.iloc[val]["speaker"]) & set(m.iloc[fold.test]["speaker"])
    assert not set(m.iloc[val]["speaker"]) & set(m.iloc[fit]["speaker"])
    one = _manifest(n_speakers=2, per=20)
    f1 = speaker_independent_folds(one)[0]
    fit, val = validation_speakers_split(one, f1.train, seed=0)  # single training speaker: utterance split
    assert len(val) == 4 and set(one.iloc[val]["speaker"]) == set(one.iloc[f1.train]["speaker"])


def test_cross_corpus_positions_keep_shared_emotions():
    a = _manifest(4, emotions=("angry", "calm", "sad"))
    b = _manifest(2, emotions=("angry", "sad", "surprised"))
    assert shared_emotions(a, b) == ["angry", "sad"]
    tr, te, emos = cross_corpus_positions(a, b)
    assert set(a.iloc[tr]["emotion"]) == set(b.iloc[te]["emotion"]) == {"angry", "sad"}
    with pytest.raises(ValueError, match="shared emotions"):
        cross_corpus_positions(_manifest(2, emotions=("calm",)), b)


def test_metrics_and_report():
    y = np.array(["a"] * 8 + ["b"] * 2)
    p = np.array(["a"] * 8 + ["a", "b"])
    m = classification_metrics(y, p)
    assert m["accuracy"] == pytest.approx(0.9) and m["uar"] == pytest.approx(0.75)
    table = classification_report_table(y, p)
    assert table.loc["b", "recall"] == pytest.approx(0.5) and table.loc["a", "support"] == 8
    assert table.loc["accuracy", "f1-score"] == pytest.approx(0.9)
    with pytest.raises(ValueError):
        classification_metrics(y, p[:3])


def test_bootstrap_ci_brackets_the_estimate_and_clusters_widen_it():
    rng = np.random.default_rng(0)
    y = rng.choice(["a", "b"], 400)
    groups = np.repeat(np.arange(8), 50)
    # speakers differ strongly in how well they are recognised
    correct = rng.random(400) < np.repeat(np.linspace(0.3, 0.95, 8), 50)
    p = np.where(correct, y, np.where(y == "a", "b", "a"))
    acc = (y == p).mean()
    lo, hi = bootstrap_ci(y, p, "accuracy", n_boot=300, seed=0)
    clo, chi = bootstrap_ci(y, p, "accuracy", n_boot=300, seed=0, groups=groups)
    assert lo < acc < hi and clo < acc < chi
    assert (chi - clo) > 1.5 * (hi - lo)


def test_summarise_runs():
    s = summarise_runs([{"accuracy": 0.5}, {"accuracy": 0.7}])
    assert s["accuracy"] == pytest.approx(0.6) and s["accuracy_std"] == pytest.approx(np.std([0.5, 0.7], ddof=1))


def test_fast_bootstrap_matches_a_scikit_learn_reference_loop():
    from serlib.evaluation.metrics import bootstrap_cis

    rng = np.random.default_rng(3)
    labels = ["a", "b", "c", "d"]
    y = rng.choice(labels, 150)
    p = np.where(rng.random(150) < 0.6, y, rng.choice(labels + ["x"], 150))
    groups = rng.integers(0, 9, 150)
    for g in (None, groups):
        fast = bootstrap_cis(y, p, labels, n_boot=120, seed=5, groups=g)
        # reference: the same resamples, metrics from scikit-learn via classification_metrics
        r = np.random.default_rng(5)
        members = None if g is None else [np.flatnonzero(g == k) for k in np.unique(g)]
        stats = []
        for _ in range(120):
            idx = (r.integers(0, 150, 150) if g is None
                   else np.concatenate([members[i] for i in r.integers(0, len(members), len(members))]))
            stats.append(classification_metrics(y[idx], p[idx], labels))
        for metric, ci in fast.items():
            ref = np.percentile([s[metric] for s in stats], [2.5, 97.5])
            np.testing.assert_allclose(ci, ref, atol=1e-12)


def test_validation_split_of_a_tiny_single_speaker_training_side():
    m = _manifest(n_speakers=2, per=28, emotions=("a", "b", "c", "d", "e", "f", "g"))
    train = np.flatnonzero(m["speaker"] == "01")
    fit, val = validation_speakers_split(m, train, seed=0)  # 28 utterances, 7 classes: cannot stratify 6 of them
    assert len(val) == 6 and len(fit) == 22 and not set(fit) & set(val)


def test_seed_speaker_intervals_hold_the_seed_spread():
    from serlib.evaluation.intervals import seed_speaker_intervals

    rng = np.random.default_rng(0)
    rows = []
    for s, acc in ((0, 0.35), (1, 0.65)):  # two seeds that disagree a lot
        for spk in range(8):
            for u in range(20):
                y = ["a", "b"][u % 2]
                right = rng.random() < acc
                rows.append({"seed": s, "speaker": f"s{spk}", "position": spk * 20 + u, "y_true": y,
                             "y_pred": y if right else ("b" if y == "a" else "a")})
    pred = pd.DataFrame(rows)
    acc_per_seed = pred.assign(ok=pred.y_true == pred.y_pred).groupby("seed")["ok"].mean()
    ci = seed_speaker_intervals(pred, n_boot=400, seed=1)
    lo, hi = ci["accuracy_ci95"]
    assert ci["ci_method"] == "seeds x test speakers (8)"
    assert lo < acc_per_seed.min() + 0.05 and hi > acc_per_seed.max() - 0.05  # spans both seeds
    one_seed = seed_speaker_intervals(pred[pred.seed == 0], n_boot=400, seed=1)["accuracy_ci95"]
    assert one_seed[1] - one_seed[0] < hi - lo
    few = seed_speaker_intervals(pred[pred.speaker.isin(["s0", "s1"])], n_boot=50, seed=1)
    assert few["ci_method"].startswith("seeds x test utterances (only 2 test speakers")
    with pytest.raises(ValueError, match="lack column"):
        seed_speaker_intervals(pred.drop(columns="seed"))
    with pytest.raises(ValueError, match="unknown metric"):
        seed_speaker_intervals(pred, metrics=("auc",))

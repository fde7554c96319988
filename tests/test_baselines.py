"""Baselines (notebook 05): estimators, protocols, leakage checks, metrics and eGeMAPS extraction."""

import json

import numpy as np
import pandas as pd
import pytest

from serlib.experiments.baselines import (
    WITHIN_CORPUS_PROTOCOLS,
    emotion_gender_labels,
    evaluate_baseline,
    evaluate_cross_corpus,
    protocol_splits,
    report_scores,
)
from serlib.features.egemaps import align_features, extract_egemaps
from serlib.models.classical import MODEL_FEATURES, MODELS, BaselineConfig, inner_cv, make_baseline
from tests.audio_fixtures import write_tone

SMALL = BaselineConfig(n_estimators=40, dt_max_depth=(3, None), svm_c=(1.0, 10.0), svm_gamma=(1.0,),
                          inner_folds=2)


def make_data(n_speakers=8, per_class=6, emotions=("angry", "happy", "sad"), separable=True, seed=0, dim=12):
    """Utterance features: a class signal (if separable) plus a per-speaker offset plus noise."""
    rng = np.random.default_rng(seed)
    rows, X = [], []
    centres = {e: rng.normal(0, 3.0, dim) for e in emotions}
    for s in range(n_speakers):
        offset = rng.normal(0, 0.5, dim)
        for e in emotions:
            for k in range(per_class):
                rows.append({"path": f"/x/{s:02d}_{e}_{k}.wav", "speaker": f"{s:02d}",
                             "gender": "female" if s % 2 else "male", "emotion": e})
                X.append((centres[e] if separable else 0) + offset + rng.normal(0, 1.0, dim))
    return np.array(X), pd.DataFrame(rows)


def test_config_validation_and_names():
    with pytest.raises(ValueError, match="n_estimators"):
        BaselineConfig(n_estimators=0)
    with pytest.raises(ValueError, match="inner_folds"):
        BaselineConfig(inner_folds=1)
    with pytest.raises(ValueError, match="unknown baseline"):
        make_baseline("knn")
    with pytest.raises(ValueError, match="not fitted"):
        make_baseline("svm_mfcc").predict(np.zeros((2, 3)))
    assert set(MODEL_FEATURES) == set(MODELS)
    m = pd.DataFrame({"emotion": ["angry", "sad"], "gender": ["female", "male"]})
    assert list(emotion_gender_labels(m)) == ["angry_female", "sad_male"]
    with pytest.raises(ValueError, match="gender"):
        emotion_gender_labels(m.drop(columns="gender"))


def test_bad_inputs_are_clear_errors():
    X, m = make_data()
    clf = make_baseline("decision_tree", SMALL)
    with pytest.raises(ValueError, match="one row per label"):
        clf.fit(X[:-1], m["emotion"])
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        clf.fit(Xn, m["emotion"])
    with pytest.raises(ValueError, match="one row per manifest row"):
        evaluate_baseline("decision_tree", X[:-1], m, "random_80_20", config=SMALL, progress=False)
    with pytest.raises(ValueError, match="within-corpus protocol"):
        evaluate_baseline("decision_tree", X, m, "cross_corpus", config=SMALL, progress=False)


def test_random_forest_memorises_noise_but_does_not_generalise():
    X, m = make_data(separable=False, per_class=10)
    run = evaluate_baseline("random_forest", X, m, "random_80_20", seeds=[0], config=SMALL, progress=False)
    met = run.metrics(n_boot=100)
    assert met["train_accuracy"] > 0.98  # fully grown trees fit their training set
    assert met["accuracy"] < 0.55  # labels carry no signal: chance is 1/3


def test_separable_data_is_learned_under_both_protocols():
    X, m = make_data(separable=True)
    for protocol in WITHIN_CORPUS_PROTOCOLS:
        run = evaluate_baseline("svm_mfcc", X, m, protocol, seeds=[0], config=SMALL, progress=False)
        assert run.metrics(n_boot=100)["uar"] > 0.9, protocol


def test_speaker_independent_folds_never_share_speakers_and_cover_every_row():
    X, m = make_data(n_speakers=12)
    run = evaluate_baseline("decision_tree", X, m, "speaker_independent", seeds=[0, 1], config=SMALL,
                               progress=False)
    p = run.predictions
    for (seed, split), g in p.groupby(["seed", "split"]):
        train_spk = set(g.loc[g["part"] == "train", "speaker"])
        test_spk = set(g.loc[g["part"] == "test", "speaker"])
        assert train_spk and test_spk and not train_spk & test_spk, split
    for seed in (0, 1):
        rows = run.part("test", seed)["row"]
        assert sorted(rows) == list(range(len(m)))  # pooled folds: every utterance tested once per seed
    assert run.fits["inner_cv"].str.contains("GroupKFold").all()


def test_inner_cv_is_grouped_by_training_speaker():
    _, m = make_data(n_speakers=6)
    cv, desc = inner_cv(m["emotion"], m["speaker"], n_splits=3)
    assert "GroupKFold(3)" in desc
    for tr, va in cv.split(np.zeros(len(m)), m["emotion"], m["speaker"]):
        assert not set(m["speaker"].iloc[tr]) & set(m["speaker"].iloc[va])
    _, desc = inner_cv(m["emotion"], np.full(len(m), "only"), n_splits=3)
    assert desc.startswith("StratifiedKFold") and "one training speaker" in desc
    with pytest.raises(ValueError, match="per class"):
        inner_cv(["a", "a", "b"], None)


def test_scaler_and_model_see_training_rows_only(monkeypatch):
    X, m = make_data(n_speakers=8)
    X = X.copy()
    split = protocol_splits(m, "random_80_20", seed=0)[0]
    X[split.test] += 1000.0  # a leak of test rows into the scaler would move its mean far away
    clf = make_baseline("svm_mfcc", SMALL).fit(X[split.train], m["emotion"].to_numpy()[split.train])
    scaler = clf.pipeline_.named_steps["scale"]
    np.testing.assert_allclose(scaler.mean_, X[split.train].mean(axis=0), rtol=1e-6)

    seen = []
    real = make_baseline

    def spy(name, config=None, seed=0):
        est = real(name, config, seed)
        fit = est.fit

        def recording_fit(Xf, y, groups=None):
            seen.append(np.asarray(Xf).copy())
            return fit(Xf, y, groups=groups)

        est.fit = recording_fit
        return est

    monkeypatch.setattr("serlib.experiments.baselines.make_baseline", spy)
    evaluate_baseline("decision_tree", X, m, "random_80_20", seeds=[0], config=SMALL, progress=False)
    assert len(seen) == 1 and len(seen[0]) == len(split.train)
    assert np.all(seen[0].max(axis=1) < 500)  # none of the shifted test rows was used for fitting


def test_metrics_keys_ci_and_cluster_bootstrap():
    X, m = make_data(n_speakers=12)
    run = evaluate_baseline("svm_egemaps", X, m, "speaker_independent", seeds=[0, 1], config=SMALL,
                               progress=False)
    met = run.metrics(n_boot=200)
    for k in ("accuracy", "uar", "macro_f1"):
        lo, hi = met[k + "_ci95"]
        assert 0 <= lo <= hi <= 1 and k + "_std" in met
    assert met["n_seeds"] == 2 and met["n_test"] == len(m)
    assert met["ci_method"].startswith("cluster bootstrap over 12 speakers")
    one = evaluate_baseline("decision_tree", X, m, "random_80_20", seeds=[0], config=SMALL, progress=False)
    assert one.metrics(n_boot=50)["ci_method"] == "bootstrap over utterances"
    assert json.loads(one.fits["best_params"].iloc[0])["max_depth"] in (3, None)


def test_cross_corpus_uses_shared_emotions_and_trains_on_one_corpus():
    Xa, ma = make_data(emotions=("angry", "happy", "sad", "calm"), seed=1)
    Xb, mb = make_data(n_speakers=2, emotions=("angry", "happy", "sad", "disgust"), seed=2)
    run = evaluate_cross_corpus("random_forest", Xa, ma, Xb, mb, seeds=[0], config=SMALL, train_corpus="a",
                                   test_corpus="b", progress=False)
    assert run.protocol == "cross_corpus_to_b" and run.labels == ["angry", "happy", "sad"]
    test = run.part("test")
    assert set(test["y_true"]) == {"angry", "happy", "sad"} and len(test) == (mb["emotion"] != "disgust").sum()
    assert set(run.part("train")["speaker"]) == set(ma["speaker"])
    assert "too few" in run.metrics(n_boot=50)["ci_method"]  # 2 test speakers: no cluster bootstrap


def test_report_scores_and_alignment():
    s = report_scores(["a", "a", "b", "b"], ["a", "b", "b", "b"])
    assert s["accuracy"] == 0.75 and s["macro_recall"] == 0.75
    assert s["macro_precision"] == pytest.approx((1 + 2 / 3) / 2)
    ia, ib = align_features(["p1", "p2", "p3"], ["p3", "p1"])
    assert list(ia) == [0, 2] and list(ib) == [1, 0]
    with pytest.raises(ValueError, match="unique"):
        align_features(["p1", "p1"], ["p1"])


def test_egemaps_extraction_caches_and_skips_bad_files(tmp_path):
    good = [write_tone(tmp_path / f"tone{i}.wav", 1.0, freq=180 + 60 * i, seed=i) for i in range(2)]
    bad = tmp_path / "broken.wav"
    bad.write_text("not audio at all\n" * 10)
    short = write_tone(tmp_path / "short.wav", 0.1)
    manifest = pd.DataFrame({"path": [str(good[0]), str(bad), str(good[1]), str(short)], "corpus": "t",
                             "source_row": [9, 9, 9, 9]})
    first = extract_egemaps(manifest, cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    assert first.features.shape == (2, 88) and len(first.names) == 88
    assert np.all(np.isfinite(first.features)) and first.cache_hits == 0
    assert list(first.manifest["path"]) == [str(good[0]), str(good[1])]
    assert list(first.manifest["source_row"]) == [0, 2]
    reasons = dict(zip(first.skipped["path"], first.skipped["reason"]))
    assert "unreadable or not audio" in reasons[str(bad)] and "too short" in reasons[str(short)]
    assert not np.allclose(first.features[0], first.features[1])  # different tones, different functionals
    second = extract_egemaps(manifest, cache_dir=tmp_path / "cache", n_jobs=1, progress=False)
    assert second.cache_hits == 2
    np.testing.assert_array_equal(first.features, second.features)
    untrimmed = extract_egemaps(manifest.iloc[[0]], trim_db=None, cache_dir=tmp_path / "cache", n_jobs=1,
                                   progress=False)
    assert untrimmed.cache_hits == 0  # the trim setting is part of the cache key
    with pytest.raises(ValueError, match="path"):
        extract_egemaps(pd.DataFrame({"x": [1]}))

"""Baselines (notebook 05): estimators, protocols, leakage checks, metrics and eGeMAPS extraction."""

import dataclasses
import json
from types import SimpleNamespace

import numpy as np
import pandas as pd
import pytest

from serlib.experiments import baseline_tables
from serlib.experiments.baselines import (
    WITHIN_CORPUS_PROTOCOLS,
    BaselineRun,
    align_utterance_features,
    emotion_gender_corpus,
    emotion_gender_labels,
    evaluate_baseline,
    evaluate_cross_corpus,
    plan_baselines,
    protocol_splits,
    report_scores,
    run_baselines,
    run_cross_corpus,
    run_emotion_gender,
    utterance_features,
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
    assert met["ci_method"] == "seeds x test speakers (12)"
    one = evaluate_baseline("decision_tree", X, m, "random_80_20", seeds=[0], config=SMALL, progress=False)
    assert one.metrics(n_boot=50)["ci_method"].startswith("seeds x test")
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


# ------------------------------------------------------------------------------ notebook 05's experiment functions
def _corpus(**kw):
    X, m = make_data(**kw)
    m = m.assign(emotion_gender=emotion_gender_labels(m))
    return {"manifest": m, "mfcc_stats": X, "egemaps": X[:, :5] * 2.0}


@pytest.fixture(scope="module")
def study():
    """Two tiny corpora run through every experiment of notebook 05 once (shared by the tests below)."""
    data = {"a": _corpus(n_speakers=6, per_class=4, seed=1),
            "b": _corpus(n_speakers=1, per_class=4, emotions=("angry", "happy", "calm"), seed=2)}
    plan = dataclasses.replace(plan_baselines("all", quick=True, n_boot=50), config=SMALL)
    return {"data": data, "plan": plan, "within": run_baselines(data, plan, progress=False),
            "cross": run_cross_corpus(data, plan, progress=False),
            "task16": run_emotion_gender(data, plan, progress=False)}


def test_plan_follows_the_notebook_parameters():
    quick = plan_baselines("all", quick=True, seed=5, n_seeds=3, n_boot=1000, n_jobs=2)
    assert quick.seeds == [5] and quick.n_boot == 200 and quick.config == BaselineConfig.quick(n_jobs=2)
    assert quick.protocols == list(WITHIN_CORPUS_PROTOCOLS) and quick.cross_corpus
    full = plan_baselines("speaker_independent", seed=5, n_seeds=3, n_boot=1000)
    assert full.seeds == [5, 6, 7] and full.n_boot == 1000 and full.config.n_estimators == 300
    assert full.protocols == ["speaker_independent"] and not full.cross_corpus
    cross = plan_baselines("cross_corpus")
    assert cross.protocols == [] and cross.settings.loc["protocols", "value"] == ["cross_corpus"]
    assert quick.settings.loc["bootstrap resamples", "value"] == 200
    with pytest.raises(ValueError, match="unknown protocol"):
        plan_baselines("leave_one_out")


def test_align_utterance_features_keeps_rows_with_both_feature_sets():
    man = pd.DataFrame({"path": ["p0", "p1", "p2", "p3"], "speaker": ["1", "1", "2", "2"],
                        "emotion": ["angry", "sad", "angry", "sad"], "gender": ["male", "male", "female", "female"]})
    stats = np.arange(4.0)[:, None] * np.ones((4, 3))
    frames = SimpleNamespace(manifest=man, statistics=lambda: stats)
    functionals = SimpleNamespace(manifest=man.iloc[[3, 0, 2]].reset_index(drop=True),
                                  features=np.array([[30.0], [0.0], [20.0]]), cache_hits=2)
    entry, row = align_utterance_features("x", frames, functionals)
    assert list(entry["manifest"]["path"]) == ["p0", "p2", "p3"]  # p1 has no eGeMAPS
    assert list(entry["mfcc_stats"][:, 0]) == [0.0, 2.0, 3.0] and list(entry["egemaps"][:, 0]) == [0.0, 20.0, 30.0]
    assert list(entry["manifest"]["emotion_gender"]) == ["angry_male", "angry_female", "sad_female"]
    assert row == {"corpus": "x", "utterances used": 3, "speakers": 2, "emotions": 2,
                   "MFCC statistics per utterance": 3, "eGeMAPS functionals per utterance": 1,
                   "eGeMAPS from cache": 2}
    with pytest.raises(ValueError, match="dict"):
        utterance_features([man])


def test_runs_cover_every_model_and_skip_what_a_corpus_is_too_small_for(study):
    within = study["within"]
    assert set(within.runs) == {(m, c, p) for m in MODELS for c in ("a", "b") for p in WITHIN_CORPUS_PROTOCOLS
                                if (c, p) != ("b", "speaker_independent")}
    assert within.runs["svm_egemaps", "a", "random_80_20"].part("test").shape[0] > 0
    # corpus b has one speaker: speaker-independent folds are skipped with one line each, not raised
    assert [(w, c) for w, c, _ in within.skipped] == [(f"{m}, speaker_independent", "b") for m in MODELS]
    assert all("2 speakers" in reason for _, _, reason in within.skipped)
    with pytest.raises(ValueError, match="utterance_features"):
        run_baselines({"a": {"manifest": study["data"]["a"]["manifest"]}}, study["plan"])


def test_cross_corpus_pairs_and_message(study):
    cross = study["cross"]
    assert cross.pairs == [("a", "b"), ("b", "a")]
    assert cross.message == "cross-corpus pairs: a -> b on angry, happy; b -> a on angry, happy"
    assert set(cross.runs) == {(m, a, f"cross_corpus_to_{b}") for m in MODELS for a, b in cross.pairs}
    lone = run_cross_corpus({"a": study["data"]["a"]}, study["plan"], progress=False)
    assert not lone.runs and lone.message.endswith("this run has a")
    off = run_cross_corpus(study["data"], plan_baselines("random_80_20"), progress=False)
    assert not off.runs and off.message == ""


def test_emotion_gender_task_corpus_choice_tables_and_metrics(study):
    data, task = study["data"], study["task16"]
    assert emotion_gender_corpus(data) == "a" and task.corpus == "a"  # b has one speaker, one gender
    assert emotion_gender_corpus({"x": data["b"], "ravdess": data["b"]}) == "ravdess"
    assert emotion_gender_corpus({"b": data["b"]}) is None
    assert run_emotion_gender({"b": data["b"]}, study["plan"]).runs == {}
    assert baseline_tables.emotion_gender_intro({"b": data["b"]}).startswith("**No corpus with both genders")
    assert baseline_tables.emotion_gender_intro(data).startswith("6-class emotion x gender task on **a**")
    assert set(task.runs) == {(m, p) for m in ("decision_tree", "random_forest") for p in WITHIN_CORPUS_PROTOCOLS}
    assert task.labels == sorted(data["a"]["manifest"]["emotion_gender"].unique()) and len(task.labels) == 6
    t = baseline_tables.emotion_gender_tables(task, n_boot=50)
    assert t.protocol == "random_80_20+speaker_independent" and t.n_classes == 6
    rep = t.reports["random_forest"]
    assert list(dict.fromkeys(rep.columns.get_level_values(0))) == [
        f"{part} set, {p}" for p in WITHIN_CORPUS_PROTOCOLS for part in ("train", "test")]
    assert rep.loc["accuracy", ("train set, random_80_20", "f1-score")] == 1.0  # a forest memorises its training set
    node = t.metrics["baselines_emotion_gender"]["decision_tree"]["a"]["speaker_independent"]
    assert node["n_classes"] == 6 and node["best_params"].startswith("max_depth=")
    assert 0 <= node["accuracy"] <= 1 and node["train_accuracy"] >= node["accuracy"]
    assert list(t.summary["protocol"]) == list(WITHIN_CORPUS_PROTOCOLS) * 2
    with pytest.raises(ValueError, match="BaselineRuns"):
        baseline_tables.emotion_gender_tables({})


def test_paper_support_check_compares_with_eighty_percent_of_our_files():
    reported = pd.DataFrame({"support": [160, 40, 200]}, index=["angry_female", "disgust_male", "accuracy"])
    man = pd.DataFrame({"emotion_gender": ["angry_female"] * 100 + ["disgust_male"] * 50})
    support, sentence = baseline_tables.paper_support_check(man, reported=reported, quick=True)
    assert list(support["80 % of the files here"]) == [80.0, 40.0]
    assert list(support["reported / (80 % of ours)"]) == [2.0, 1.0]
    assert sentence.startswith("reported total support 200 vs 150 RAVDESS speech files here")
    assert "1.00 for disgust/surprised" in sentence and "2.00 for the other classes" in sentence
    assert sentence.endswith("(QUICK subset: our counts are not the full corpus)")
    with pytest.raises(ValueError, match="emotion_gender"):
        baseline_tables.paper_support_check(man.rename(columns={"emotion_gender": "x"}), reported=reported)
    assert baseline_tables.paper_training_reports().shape[1] == 8  # two reported reports of four columns


def test_baseline_results_table_metrics_and_view(study):
    runs = study["within"].runs | study["cross"].runs
    res = baseline_tables.baseline_results(runs, ["a", "b", "c"], n_boot=50)
    assert list(res.table.columns) == baseline_tables.RESULT_COLUMNS and len(res.table) == len(runs)
    node = res.metrics["baselines"]["svm_mfcc"]["a"]
    assert set(node) == {"random_80_20", "speaker_independent", "cross_corpus_to_b", "train_accuracy"}
    assert node["train_accuracy"] == node["random_80_20"]["train_accuracy"]
    assert set(node["random_80_20"]) == set(baseline_tables.BASELINE_METRIC_KEYS)
    per = res.corpus_metrics()
    assert list(per) == ["a", "b", "c"] and per["c"] == ({"baselines": {}}, "")
    assert per["b"][1] == "cross_corpus_to_a,random_80_20"
    assert res.protocols_of("b") == ["random_80_20", "cross_corpus_to_a"]
    row = res.table.iloc[0]
    assert res.view.iloc[0]["UAR"] == f"{row['uar']:.3f} ± {row['uar_std']:.3f}"
    assert baseline_tables.baseline_results({}, ["a"]).view.empty
    with pytest.raises(ValueError, match="keyed"):
        baseline_tables.baseline_results({("svm_mfcc", "a"): None}, ["a"])


def _fake_run(model, protocol, train_wrong):
    """A run of 8 test and 8 training predictions; ``train_wrong`` training predictions are wrong."""
    y = np.array(["a", "b"] * 4)
    wrong = np.where(np.arange(8) < train_wrong, np.where(y == "a", "b", "a"), y)
    parts = [pd.DataFrame({"seed": 0, "split": "s", "part": part, "row": np.arange(8), "speaker": "1", "y_true": y,
                           "y_pred": pred}) for part, pred in (("test", y), ("train", wrong))]
    return BaselineRun(model, "c", protocol, ["a", "b"], pd.concat(parts, ignore_index=True))


def test_corpus_train_accuracy_is_the_random_split_one_else_the_speaker_independent_one():
    runs = {("svm_mfcc", "c", "speaker_independent"): _fake_run("svm_mfcc", "speaker_independent", 4),
            ("svm_mfcc", "c", "random_80_20"): _fake_run("svm_mfcc", "random_80_20", 2),
            ("decision_tree", "c", "speaker_independent"): _fake_run("decision_tree", "speaker_independent", 4)}
    base = baseline_tables.baseline_results(runs, ["c"], n_boot=20).metrics["baselines"]
    assert base["svm_mfcc"]["c"]["train_accuracy"] == 0.75
    assert base["decision_tree"]["c"]["train_accuracy"] == 0.5


def test_hyperparameter_tables(study):
    fits = baseline_tables.hyperparameter_table(study["within"].runs)
    assert len(fits) == sum(len(r.fits) for r in study["within"].runs.values())
    summary = baseline_tables.hyperparameter_summary(fits)
    assert summary.loc[("a", "speaker_independent", "svm_mfcc"), "inner_cv"].startswith("GroupKFold")
    assert summary["fits"].sum() == len(fits)
    assert baseline_tables.hyperparameter_table({}).empty


def test_what_we_learned_sentences(study):
    runs = study["within"].runs | study["cross"].runs
    res = baseline_tables.baseline_results(runs, ["a", "b"], n_boot=50)
    t16 = baseline_tables.emotion_gender_tables(study["task16"], n_boot=50)
    lines = baseline_tables.what_we_learned(t16, res.table, corpora=["a", "b", "embedded"],
                                            protocols=list(WITHIN_CORPUS_PROTOCOLS), pairs=study["cross"].pairs,
                                            quick=True)
    assert sum(line.startswith("- 6-class emotion x gender task") for line in lines) == 4
    best = res.table[(res.table["corpus"] == "a") & (res.table["protocol"] == "speaker_independent")]
    best = best.loc[best["uar"].idxmax()]
    assert f"- a, speaker_independent: best baseline by UAR is {best['model']} ({best['uar']:.1%})." in lines
    assert sum("moving from the random split" in line for line in lines) == 1  # b has no speaker-independent rows
    assert sum(line.startswith("- trained on") for line in lines) == 2
    assert "SYNTHETIC" in lines[-2] and "QUICK" in lines[-1]
    with pytest.raises(ValueError, match="BaselineResults"):
        baseline_tables.what_we_learned(t16, pd.DataFrame(), corpora=[], protocols=[])


def test_baseline_figures(study):
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from serlib.plots.baselines import plot_baseline_overview, plot_train_test_confusions

    run = study["task16"].runs["decision_tree", "random_80_20"]
    axes = plot_train_test_confusions(run)
    assert [ax.get_title().split("\n")[0] for ax in axes] == ["decision tree (MFCC stats): training set",
                                                              "decision tree (MFCC stats): test set"]
    assert axes[0].figure._suptitle.get_text() == "a, 6 emotion x gender classes, protocol random_80_20"
    res = baseline_tables.baseline_results(study["within"].runs, ["a", "b"], n_boot=50)
    axes = plot_baseline_overview(res.table, "a", chance=1 / 3, n_seeds=1, gap_protocols=["speaker_independent"])
    assert axes[0].get_title() == "a: UAR of the classical baselines (mean over 1 seed(s))"
    assert len(axes[0].patches) == 8  # 4 models x 2 protocols
    assert [t.get_text() for t in axes[1].get_legend().get_texts()] == ["training set (speaker_independent)",
                                                                        "test set (speaker_independent)"]
    with pytest.raises(ValueError, match="no result rows"):
        plot_baseline_overview(res.table, "zzz")
    plt.close("all")

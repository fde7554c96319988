"""Notebook 04's paper-model study as library functions (serlib.experiments.paper_model)."""

import contextlib

import matplotlib

matplotlib.use("Agg")
import pytest  # noqa: E402

from serlib.experiments import paper_model  # noqa: E402
from serlib.features.extract import FeatureSet  # noqa: E402
from serlib.messages import InsufficientDataError  # noqa: E402
from serlib.plots import plot_ablation_steps, plot_protocol_confusions  # noqa: E402
from tests.test_models import TINY, _data  # noqa: E402

FAST = TINY.__class__(**{**TINY.to_dict(), "epochs": 2, "patience": 2})


def _one_speaker(fs: FeatureSet) -> FeatureSet:
    keep = fs.manifest.index[fs.manifest["speaker"] == "a"]
    return FeatureSet(fs.manifest.loc[keep].reset_index(drop=True), [fs.frames[i] for i in keep], fs.skipped,
                      fs.config)


def test_run_protocols_covers_every_protocol_and_reports_skips(tmp_path):
    toy, other = _data(n_per=8), _data(n_per=8, speakers=("p", "q"), seed=1)
    skipped = []

    @contextlib.contextmanager
    def skip(experiment, corpus):
        try:
            yield
        except InsufficientDataError as err:
            skipped.append((experiment, corpus, str(err)))

    results, lines = paper_model.run_protocols({"toy": toy, "solo": _one_speaker(toy)}, FAST, FAST, [0, 1],
                                               protocol="speaker_independent", n_folds=2, seed=0, skip=skip)
    si = results[("toy", "speaker_independent")]
    assert list(results) == [("toy", "speaker_independent")]
    assert [r.predictions["seed"].unique().tolist() for r in si] == [[0], [1]]
    assert si[0].models and not si[1].models  # only the base seed keeps its fold models
    assert [s[:2] for s in skipped] == [("CNN-LSTM, speaker_independent", "solo")]
    cost, sentence = paper_model.training_cost(results, "toy")
    assert cost["n_parameters"] > 0 and cost["train_seconds_mean"] > 0 and "parameters" in sentence

    random, _ = paper_model.run_protocols({"toy": toy}, FAST, FAST, [0], protocol="random_80_20")
    assert set(random) == {("toy", "random_80_20"), ("toy", "random_80_20_paper_setting")}
    saved = paper_model.save_models(random, None, tmp_path / "models")  # for notebook 06: the random split's model
    assert len(saved) == 1 and (tmp_path / "models" / "cnn_lstm_toy").is_dir()
    reports = paper_model.seed_reports({**results, **random}, "toy", 0)
    assert list(reports) == ["random_80_20", "speaker_independent"]
    assert "recall" in reports["speaker_independent"][1].columns
    axes = plot_protocol_confusions(reports, "Toy", 0)
    assert len(axes) == 2 and "speaker_independent" in axes[1].get_title()

    cross, lines = paper_model.run_protocols({"toy": toy, "other": other}, FAST, FAST, [0], protocol="cross_corpus")
    assert set(cross) == {("toy", "cross_corpus_to_other"), ("other", "cross_corpus_to_toy")}
    assert "toy -> other: shared emotions ['angry', 'sad']" in lines
    none, lines = paper_model.run_protocols({"toy": toy}, FAST, FAST, [0], protocol="cross_corpus")
    assert none == {} and lines == ["Cross-corpus needs two corpora in the run; this run has one."]


def test_ablation_steps_end_at_our_setting_and_quick_keeps_two():
    ours, paper = paper_model.study_configs(10)
    assert ours.epochs == 10 and paper.epochs == 5
    full = paper_model.ablation_steps(paper, ours, 10)
    quick = paper_model.ablation_steps(paper, ours, 10, quick=True)
    assert full[0][1] is paper and full[-1][1] is ours and len(full) == 5
    assert [s for s, _ in quick] == [full[0][0], full[-1][0]]
    assert list(paper_model.settings_table(paper, ours).columns) == ["paper setting", "our setting"]
    alternatives = paper_model.alternative_steps(_data().config, ours, 10, quick=True)
    assert len(alternatives) == 1 and alternatives[0][2].mixup_alpha == pytest.approx(0.4)


def test_summary_markdown_reads_metrics_and_targets():
    m = {"accuracy": 0.4, "accuracy_std": 0.02, "accuracy_ci95": [0.35, 0.45], "uar": 0.38, "macro_f1": 0.37,
         "n_seeds": 3}
    text = paper_model.summary_markdown({"ravdess": {"speaker_independent": m},
                                         "tess": {"random_80_20": {**m, "accuracy": 1.0}}}, quick=True)
    assert "RAVDESS" in text.upper() and "40.0 %" in text and "**not reached**" in text
    assert "**reached** (100.0 %)" in text and "quick" in text
    assert paper_model.summary_markdown({}) == ""


def test_ablation_plot_labels_axes_and_chance():
    import pandas as pd

    ax = plot_ablation_steps(pd.DataFrame({"step": ["a", "b"], "uar": [0.3, 0.5]}), chance=0.125, title="t")
    assert ax.get_xlabel().startswith("UAR (%)") and ax.get_ylabel() == "cumulative step"
    assert [t.get_text() for t in ax.get_yticklabels()] == ["b", "a"] and ax.get_legend() is not None


def test_noise_examples_mix_a_first_fold_test_utterance_at_the_shown_levels(tmp_path):
    import dataclasses

    import pandas as pd
    import soundfile as sf

    from tests.audio_fixtures import tone

    toy = _data(n_per=4)
    paths = []
    for k, row in toy.manifest.iterrows():
        paths.append(str(tmp_path / f"{k}.wav"))
        sf.write(paths[-1], tone(0.5, 16000, freq=150 + 10 * k, seed=k), 16000)
    fs = dataclasses.replace(toy, manifest=toy.manifest.assign(path=paths))
    assert paper_model.noise_examples({"toy": fs}, {}, [20, 10, 0]) == []  # no speaker-independent run
    examples = paper_model.noise_examples({"toy": fs}, {("toy", "speaker_independent"): None}, [20, 10, 0], n_folds=2)
    labels = [label for label, _, _ in examples]
    assert "clean" in labels[0] and labels[1:] == ["white noise at 10 dB SNR", "white noise at 0 dB SNR",
                                                    "babble noise at 10 dB SNR", "babble noise at 0 dB SNR"]
    clean = examples[0][1]
    assert all(len(w) == len(clean) and rate == fs.config.sample_rate for _, w, rate in examples)
    assert not pd.Series([abs(w - clean).max() for _, w, _ in examples[1:]]).eq(0).any()  # noise was added
    # what one hears is what the noise test fed the model: same pool, same seed for that utterance
    import numpy as np

    from serlib.experiments.noise import babble_pool, noisy_features
    from serlib.features.frames import compute_frame_features

    split = paper_model.speaker_folds(fs, n_folds=2)[0]
    tested = noisy_features(fs, split.test[:1], 0, "babble", babble_pool=babble_pool(fs, split.train,
                            np.random.default_rng(0)), seed=0, n_jobs=1, progress=False)[0]
    np.testing.assert_allclose(compute_frame_features(examples[-1][1], fs.config), tested, rtol=1e-5, atol=1e-5)

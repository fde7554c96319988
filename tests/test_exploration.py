"""serlib.data.exploration (notebook 01): summaries, audit, examples, skip table and metrics on tiny corpora."""

import warnings

import pandas as pd
import pytest

from serlib.data import exploration
from serlib.data.corpora.manifest import load
from tests.corpus_fixtures import make_small_broken_ravdess


@pytest.fixture(scope="module")
def broken(tmp_path_factory):
    """The 36-file RAVDESS folder with 12 broken files, loaded and audited once."""
    root = tmp_path_factory.mktemp("broken")
    expected = make_small_broken_ravdess(root)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the loader warns about the files it skips
        manifests = {"ravdess": load("ravdess", root)}
    audits = exploration.audit_corpora(manifests, n_jobs=1)
    return manifests, audits, expected


def test_corpus_summary_counts_speakers_by_gender():
    m = pd.DataFrame({"speaker": ["a", "a", "b", "c"], "gender": ["female", "female", "male", "male"],
                      "emotion": ["sad", "angry", "sad", "sad"]})
    row = exploration.corpus_summary({"x": m}).iloc[0].to_dict()
    assert row == {"corpus": "x", "utterances": 4, "speakers": 3, "female speakers": 1, "male speakers": 2,
                   "emotions": 2, "emotion set": "angry, sad"}
    with pytest.raises(TypeError, match="dict"):
        exploration.corpus_summary(m)


def test_skip_table_lists_every_broken_file_once_with_its_reason(broken):
    manifests, audits, expected = broken
    table = exploration.skip_table(manifests, audits)
    assert list(table.columns) == ["corpus", "path", "reason", "stage"]
    names = table["path"].map(lambda p: p.replace("\\", "/").rsplit("/", 1)[-1])
    # the 50 ms file reads fine: it is skipped later, at the feature stage (too short for one window)
    assert sorted(names) == sorted(k for k, v in expected.items() if v != "too short")
    for name, reason in zip(names, table["reason"]):
        assert expected[name].lower() in reason.lower(), (name, reason)
    assert set(table["stage"]) == {"manifest", "audio"}
    with pytest.raises(ValueError, match="no audit"):
        exploration.skip_table(manifests, {})


def test_metrics_and_levels_count_only_usable_files(broken):
    manifests, audits, expected = broken
    skips = exploration.skip_table(manifests, audits)
    data = exploration.data_metrics(manifests, audits, skips)["data"]["ravdess"]
    assert data["n_usable"] == 25 and data["n_skipped"] == len(expected) - 1 == 11  # 24 good + the 50 ms file
    assert data["n_utterances"] == len(manifests["ravdess"])
    assert data["synthetic"] is False and data["duration_mean_s"] > 0
    table = exploration.usable_levels(manifests["ravdess"], audits["ravdess"])
    assert len(table) == 25 and table["path"].str.contains("Actor_03").sum() == 1
    assert exploration.sample_rate_line("ravdess", table) == "ravdess: native sample rates (Hz): 16000 (25 files)"
    summary = exploration.level_summary(table)
    assert list(summary.columns) == [("duration_s", "mean"), ("duration_s", "std"), ("rms_dbfs", "mean"),
                                     ("rms_dbfs", "std")]
    with pytest.raises(ValueError, match="rows differ"):
        exploration.usable_levels(manifests["ravdess"].iloc[:3], audits["ravdess"])


def test_emotion_examples_are_one_usable_file_per_emotion_of_the_first_speaker(broken):
    manifests, audits, _ = broken
    ex = exploration.emotion_examples(manifests["ravdess"], audits["ravdess"], 16000)
    rows = ex["rows"]
    assert rows["speaker"].astype(str).nunique() == 1 and str(rows["speaker"].iloc[0]) == ex["speaker"]
    assert list(rows["emotion"]) == sorted(manifests["ravdess"].loc[audits["ravdess"]["ok"], "emotion"].unique())
    assert len(ex["waveforms"]) == len(rows) and all(len(y) > 0 for y in ex["waveforms"])
    none_ok = audits["ravdess"].assign(ok=False)
    with pytest.raises(ValueError, match="no usable file"):
        exploration.emotion_examples(manifests["ravdess"], none_ok)

"""Timing helpers and the paper's comparison table (issue 6). No test asserts a speed."""

import itertools

import matplotlib

matplotlib.use("Agg")
import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from serlib.experiments.latency import (
    fit_to_duration,
    make_test_clip,
    measure,
    measure_interleaved,
    results_table,
    summarize,
    system_info,
    throughput,
    time_calls,
)
from serlib.plots.comparison import plot_comparison
from serlib.reporting.literature import (
    MEASURED,
    REPORTED,
    accuracy_from_metrics,
    comparison_table,
    corpus_label,
    literature_table,
    measured_row,
)
from tests.audio_fixtures import tone


def test_time_calls_excludes_warmup_and_converts_to_ms():
    calls = []
    # fake clock: every timed call lasts exactly 2 ms (2e6 ns)
    ticks = itertools.count(step=2_000_000)
    times = time_calls(lambda: calls.append(1), repeats=7, warmup=3, clock=lambda: next(ticks))
    assert len(calls) == 10
    assert times.shape == (7,)
    np.testing.assert_allclose(times, 2.0)


def test_summarize_percentiles_are_ordered_and_exact():
    s = summarize(np.arange(1, 101, dtype=float))
    assert s["p50"] == pytest.approx(50.5) and s["p99"] == pytest.approx(99.01)
    assert s["min"] == 1 and s["max"] == 100 and s["n"] == 100 and s["mean"] == pytest.approx(50.5)
    for bad in ([], [1.0, -1.0], [np.nan]):
        with pytest.raises(ValueError):
            summarize(bad)


def test_measure_and_throughput_on_a_dummy_function():
    row, times = measure("dummy", lambda: sum(range(2000)), repeats=50, warmup=2, stage="test", batch_size=1)
    assert row["name"] == "dummy" and row["stage"] == "test" and row["n"] == 50 and len(times) == 50
    assert 0 <= row["min"] <= row["p50"] <= row["p95"] <= row["p99"] <= row["max"]
    tp = throughput(lambda: sum(range(2000)), batch_size=8, repeats=10, warmup=1)
    assert tp["batch_size"] == 8
    assert tp["utterances_per_s"] == pytest.approx(8000.0 / tp["p50_ms"])
    assert tp["per_utterance_ms"] == pytest.approx(tp["p50_ms"] / 8)
    with pytest.raises(ValueError, match="repeats"):
        time_calls(lambda: None, repeats=0)
    with pytest.raises(ValueError, match="batch_size"):
        throughput(lambda: None, 0)
    table = results_table([row])
    assert list(table.columns[-7:]) == ["p50", "p95", "p99", "mean", "min", "max", "n"]


def test_measure_interleaved_alternates_and_counts():
    order = []
    specs = [{"name": "a", "fn": lambda: order.append("a"), "repeats": 6, "labels": {"stage": "x"}},
             {"name": "b", "fn": lambda: order.append("b"), "repeats": 3}]
    rows, times = measure_interleaved(specs, rounds=3, warmup=1)
    assert [r["name"] for r in rows] == ["a", "b"] and rows[0]["stage"] == "x"
    assert len(times["a"]) == 6 and len(times["b"]) == 3 and rows[1]["n"] == 3
    # warm-up a, b; then each round: a twice, b once
    assert order == ["a", "b"] + ["a", "a", "b"] * 3
    for r in rows:
        assert r["p50"] <= r["p95"] <= r["p99"]
    with pytest.raises(ValueError, match="unique"):
        measure_interleaved(specs + specs[:1])
    with pytest.raises(ValueError, match="repeats"):
        measure_interleaved([{"name": "c", "fn": lambda: None, "repeats": 0}])


def test_fit_to_duration_repeats_real_signal():
    y = np.arange(1, 11, dtype=np.float32)
    out = fit_to_duration(y, 10, 2.5)
    assert out.shape == (25,) and out.dtype == np.float32
    np.testing.assert_array_equal(out[10:20], y)  # repeated, not zero padded
    np.testing.assert_array_equal(fit_to_duration(y, 10, 0.5), y[:5])
    with pytest.raises(ValueError):
        fit_to_duration(np.zeros(0), 10, 1.0)


def test_make_test_clip_keeps_native_rate(tmp_path):
    src = tmp_path / "src.flac"
    sf.write(src, tone(1.2, sr=24000), 24000, subtype="PCM_16")
    info = make_test_clip(src, tmp_path / "clip.flac", 3.0)
    data, sr = sf.read(info["path"])
    assert sr == 24000 == info["sample_rate"]
    assert len(data) == 72000 and info["duration_s"] == pytest.approx(3.0)


def test_system_info_records_machine_and_threads():
    info = system_info(ort_threads=1)
    for key in ("cpu_model", "logical_cpus", "usable_cpus", "python", "numpy", "onnxruntime"):
        assert info[key]
    assert info["ort_intra_op_threads"] == 1


def test_literature_table_is_the_papers_table_1():
    t = literature_table()
    assert len(t) == 11 and (t["source"] == REPORTED).all()
    proposed = t[t["approach"] == "Proposed Method"].iloc[0]
    assert proposed["accuracy_pct"] == 95.75 and proposed["response_time_ms"] == 3.2
    assert t.loc[t["approach"].str.startswith("Verma"), "citation"].item() == "[5]"  # as printed, with a note
    assert "[6]" in t.loc[t["approach"].str.startswith("Verma"), "note"].item()
    assert len(literature_table(include_proposed=False)) == 10
    assert t["accuracy_pct"].between(80, 100).all() and t["response_time_ms"].between(3, 7).all()


def test_measured_rows_stay_apart_from_reported_ones():
    row = measured_row("CNN-LSTM", corpus="RAVDESS", protocol="speaker_independent", accuracy_pct=41.0)
    fast = measured_row("CNN-LSTM forward", corpus="RAVDESS", protocol="batch 1", response_time_ms=0.5,
                                   response_time_definition="network only")
    t = comparison_table([row, fast])
    assert len(t) == 13
    assert (t.iloc[-2:]["source"] == MEASURED).all() and (t.iloc[:-2]["source"] == REPORTED).all()
    with pytest.raises(ValueError, match="accuracy or a response time"):
        measured_row("x", corpus="c", protocol="p")
    with pytest.raises(ValueError, match="what was timed"):
        measured_row("x", corpus="c", protocol="p", response_time_ms=1.0)
    with pytest.raises(ValueError, match="accuracy_pct"):
        measured_row("x", corpus="c", protocol="p", accuracy_pct=0.9 * 1000)

    import matplotlib.pyplot as plt

    fig, ax = plt.subplots()
    plot_comparison(t, "accuracy_pct", ax=ax)
    hatched = [p for p in ax.patches if p.get_hatch()]
    assert len(hatched) == 1  # only the measured accuracy bar
    assert ax.get_xlabel() == "accuracy (%)"
    plt.close(fig)
    fig, ax = plt.subplots()
    plot_comparison(t, "response_time_ms", ax=ax, log=False)
    assert len([p for p in ax.patches if p.get_hatch()]) == 1 and "ms" in ax.get_xlabel()
    plt.close(fig)
    fig, ax = plt.subplots()  # log axis: dots, not bars (a bar's length would depend on the axis origin)
    plot_comparison(t, "response_time_ms", ax=ax, log=True)
    assert ax.get_xscale() == "log" and not [p for p in ax.patches if p.get_width() > 0]
    assert len(ax.collections) == len(t[t["response_time_ms"].notna()]) and "log scale" in ax.get_xlabel()
    plt.close(fig)


def test_accuracy_from_metrics_finds_every_protocol():
    metrics = {"cnn_lstm": {
        "ravdess": {"random_80_20": {"accuracy": 0.8, "accuracy_std": 0.01}, "speaker_independent": {"accuracy": 0.5},
                    "speaker_independent_seed_ensemble": {"accuracy": 0.55}},
        "tess": {"cross_corpus_to_ravdess": {"accuracy": 0.2}, "random_80_20_paper_setting": {"accuracy": 0.97},
                 "snr": {"clean": {"accuracy": 0.9}, "10": {"accuracy": 0.6}}, "n_parameters": 1000},
        "ravdess_to_tess": {"cross_corpus": {"accuracy": 0.3}},
        "config": {"epochs": 40},
    }, "baselines": {"ravdess": {"random_80_20": {"accuracy": 0.99}}}}
    acc = accuracy_from_metrics(metrics)
    assert isinstance(acc, pd.DataFrame) and len(acc) == 5
    got = {(r.corpus, r.protocol): r.accuracy for r in acc.itertuples()}
    assert got == {("ravdess", "random_80_20"): 0.8, ("ravdess", "speaker_independent"): 0.5,
                   ("ravdess_to_tess", "cross_corpus"): 0.3, ("tess_to_ravdess", "cross_corpus"): 0.2,
                   ("tess", "random_80_20 (paper setting)"): 0.97}
    assert acc.loc[acc["protocol"] == "random_80_20", "accuracy_std"].item() == 0.01
    assert accuracy_from_metrics({}).empty
    assert corpus_label("ravdess_to_tess") == "RAVDESS -> TESS"

"""Smoke tests of the plot functions: each draws, labels its axes and keeps what it shows readable."""

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402
import pytest  # noqa: E402

from serlib import plots


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def _frames(n=200, d=20, seed=0):
    rng = np.random.default_rng(seed)
    frames = rng.standard_normal((n, d))
    frames[:, 0] = -400 + 100 * rng.standard_normal(n)  # a level coefficient with a far wider range
    frames[:3, 5] = 1e4  # a few extreme frames
    return frames


def test_feature_matrix_is_scaled_robustly_and_can_skip_coefficient_0():
    frames = _frames()
    ax = plots.plot_feature_matrix(frames[:, 1:], 100.0, first_index=1, title="t")
    img = ax.images[0]
    assert img.get_clim() == (-plots.FEATURE_Z_LIMIT, plots.FEATURE_Z_LIMIT)
    assert img.get_extent()[2:] == [0.5, frames.shape[1] - 0.5]  # rows labelled 1 .. d-1
    assert ax.get_xlabel() == "time (s)" and ax.get_ylabel()
    shown = np.asarray(img.get_array())
    # three extreme frames do not flatten coefficient 5: most of its values keep visible contrast
    assert np.mean(np.abs(shown[4, 3:]) > 0.3) > 0.5


def test_windows_have_a_legend_for_their_edges():
    ax = plots.plot_windows(_frames()[:, 1:], 100.0, 32, 16, first_index=1)
    labels = [t.get_text() for t in ax.get_legend().get_texts()]
    assert len(labels) == 2 and "50 %" in labels[1]
    assert len(ax.patches) >= 5 and "32 frames" in ax.get_title()


def test_protocol_bars_keep_the_legend_off_the_bars():
    summary = pd.DataFrame({"corpus": ["ravdess", "ravdess"], "protocol": ["random_80_20", "speaker_independent"],
                            "accuracy": [0.45, 0.40], "accuracy_std": [0.02, 0.03]})
    ax = plots.plot_protocol_bars(summary, reported={"paper": 95.75})
    fig = ax.figure
    fig.canvas.draw()
    legend_box = ax.get_legend().get_window_extent()
    axes_box = ax.get_window_extent()
    assert legend_box.x0 >= axes_box.x1 - 1  # outside, right of the axes
    assert ax.get_ylabel() == "accuracy (%)" and ax.get_xlabel() == "corpus"
    assert any("reported" in t.get_text() for t in ax.texts)


def test_waveform_and_logmel_label_their_axes():
    y = np.sin(2 * np.pi * 220 * np.arange(16000) / 16000).astype(np.float32)
    ax = plots.plot_waveform(y, 16000, title="w")
    assert ax.get_xlabel() and ax.get_ylabel()
    ax = plots.plot_logmel(y, 16000)
    assert ax.get_xlabel() and ax.get_ylabel()


def _two_corpora():
    rav = pd.DataFrame([{"speaker": f"{a:02d}", "emotion": e, "gender": "female" if a % 2 else "male"}
                        for a in range(1, 9) for e in ("neutral", "happy", "sad", "angry", "calm") for _ in range(5)])
    tess = pd.DataFrame([{"speaker": s, "emotion": e} for s in ("OAF", "YAF") for e in ("neutral", "happy", "sad",
                                                                                           "fear") for _ in range(6)])
    return rav, tess


def test_protocol_assignment_shows_who_is_heard_in_training():
    from serlib.evaluation.assignment import protocol_assignment

    rav, tess = _two_corpora()
    a = protocol_assignment(rav, tess, corpus="ravdess", other_corpus="tess", seed=0)
    heard = a.groupby("protocol")["heard_in_training"].sum()
    assert heard["random_80_20"] == 8 and heard["speaker_independent"] == 0 and heard["cross_corpus"] == 0
    si = a[a["protocol"] == "speaker_independent"]
    assert si["n_train"].sum() + si["n_test"].sum() == len(rav) and (si["n_test"] > 0).sum() >= 1
    cc = a[a["protocol"] == "cross_corpus"].set_index("corpus")
    # cross-corpus keeps the shared emotions only: neutral, happy, sad (RAVDESS calm/angry and TESS fear dropped)
    assert cc.loc["ravdess", "n_train"].sum() == 8 * 3 * 5 and cc.loc["tess", "n_test"].sum() == 2 * 3 * 6
    assert set(protocol_assignment(rav)["protocol"]) == {"random_80_20", "speaker_independent"}


def test_protocol_and_model_diagrams_draw_and_label():
    from serlib.evaluation.assignment import protocol_assignment
    from serlib.plots.diagrams import plot_model_diagram, plot_protocols

    rav, tess = _two_corpora()
    axes = plot_protocols(protocol_assignment(rav, tess, corpus="ravdess", other_corpus="tess"))
    assert len(axes) == 3 and "8 of 8 speakers heard" in axes[0].get_title()
    assert "0 of 10 speakers heard" in axes[2].get_title() and axes[0].get_xlabel() == "utterances (count)"
    with pytest.raises(ValueError, match="protocol_assignment"):
        plot_protocols(pd.DataFrame({"protocol": ["other"]}))

    class Layer:
        def __init__(self, name, shape, n):
            self.output, self._n = type("T", (), {"shape": shape})(), n

        def count_params(self):
            return self._n

    model = type("M", (), {"name": "toy", "layers": [Layer("in", (None, 4), 0), Layer("dense", (None, 2), 10)],
                           "count_params": lambda self: 10})()
    ax = plot_model_diagram(model)
    boxes = [t.get_text() for t in ax.texts if t.get_text()]  # (the arrows are empty annotations)
    assert boxes == ["Layer -> batchx4 (0 parameters)", "Layer -> batchx2 (10 parameters)"]
    assert "10 parameters" in ax.get_title()


def _tiny_manifest():
    return pd.DataFrame([{"speaker": s, "gender": g, "emotion": e, "duration_s": 1.0 + 0.1 * k, "rms_dbfs": -20.0 - k}
                         for k, (s, g) in enumerate([("01", "female"), ("02", "male")])
                         for e in ("angry", "sad", "neutral")])


def test_notebook_01_figures_have_two_titled_panels_per_corpus():
    m = _tiny_manifest()
    axes = plots.plot_corpus_counts(m, "ravdess")
    assert len(axes) == 2 and "per emotion" in axes[0].get_title() and "per speaker" in axes[1].get_title()
    axes = plots.plot_durations_levels(m, "ravdess")
    assert axes[0].get_ylabel() == "duration (s)" and axes[1].get_ylabel() == "RMS level (dBFS)"
    assert "loudness per emotion" in axes[1].get_title()
    with pytest.raises(ValueError, match="rms_dbfs"):
        plots.plot_durations_levels(m.drop(columns=["rms_dbfs"]), "ravdess")
    with pytest.raises(ValueError, match="empty"):
        plots.plot_corpus_counts(m.iloc[:0], "ravdess")


def test_emotion_examples_figure_has_one_column_per_emotion():
    y = np.sin(2 * np.pi * 220 * np.arange(8000) / 16000).astype(np.float32)
    rows = pd.DataFrame({"emotion": ["angry", "sad", "neutral"]})
    axes = plots.plot_emotion_examples({"speaker": "01", "rows": rows, "waveforms": [y, y, y]}, 16000, "ravdess")
    assert axes.shape == (2, 3) and [ax.get_title() for ax in axes[0]] == ["angry", "sad", "neutral"]
    assert axes[0, 1].get_ylabel() == "" and "speaker 01" in axes[0, 0].figure._suptitle.get_text()
    with pytest.raises(ValueError, match="one waveform per example row"):
        plots.plot_emotion_examples({"speaker": "01", "rows": rows, "waveforms": [y]}, 16000, "ravdess")


def test_feature_pipeline_osw_and_profile_figures():
    from serlib.features.frames import FeatureConfig, compute_frame_features

    cfg = FeatureConfig(n_mfcc=13, deltas=1)
    y = np.sin(2 * np.pi * 220 * np.arange(16000) / 16000).astype(np.float32)
    frames = compute_frame_features(y, cfg)
    axes = plots.plot_feature_pipeline(y, frames, cfg, {"emotion": "angry", "speaker": "01"})
    assert "angry utterance, speaker 01" in axes[0].get_title() and "0 = level left out" in axes[2].get_title()
    assert axes[3].get_title() == "delta coefficients"
    with pytest.raises(ValueError, match="frames must be"):
        plots.plot_feature_pipeline(y, frames[:, :5], cfg, {"emotion": "angry", "speaker": "01"})
    ax = plots.plot_osw(frames, cfg)
    assert ax.get_title().startswith("OSW over the MFCC matrix (coefficients 1+)")
    rng = np.random.default_rng(0)
    result = {"profile": pd.DataFrame(rng.standard_normal((2, 13)), index=["angry", "sad"]),
              "points": rng.standard_normal((10, 2)), "explained_pct": np.array([40.0, 20.0]), "labels": ["angry", "sad"] * 5}
    axes = plots.plot_feature_profile(result, "ravdess")
    assert axes[1].get_xlabel() == "PC1 (40 % of variance)" and "mean MFCC per emotion" in axes[0].get_title()
    with pytest.raises(ValueError, match="emotion_profile"):
        plots.plot_feature_profile({"profile": result["profile"]}, "ravdess")


def test_real_vs_generated_grid_shares_one_colour_scale_and_hides_empty_cells():
    from serlib.plots.augmentation import plot_real_vs_generated_grid

    rng = np.random.default_rng(0)
    top = [(f"to {e}", rng.standard_normal((50, 13))) for e in ("angry", "sad", "happy")]
    bottom = [("real angry", 3 * rng.standard_normal((60, 13)))]
    axes = plot_real_vs_generated_grid(top, bottom, 100.0, title="speaker 1")
    assert axes.shape == (2, 3)
    limits = {ax.images[0].get_clim() for ax in axes.ravel() if ax.images}
    assert len(limits) == 1  # one scale, set by the widest panel (the bottom one here)
    assert not axes[1][1].axison and not axes[1][2].axison
    assert all(ax.get_xlabel() == "time (s)" for ax in axes[0])
    assert axes[0][0].figure._suptitle.get_text() == "speaker 1"


def test_recall_change_plot_marks_rare_classes_and_labels_axes():
    from serlib.plots.augmentation import plot_recall_change

    table = pd.DataFrame({"condition": ["gan", "gan", "classic", "classic"], "emotion": ["neutral", "sad"] * 2,
                          "n_test": [4, 8, 4, 8], "recall_change": [0.1, -0.05, 0.0, 0.02],
                          "ci_low": [-0.1, -0.2, -0.1, -0.1], "ci_high": [0.3, 0.1, 0.1, 0.15],
                          "below_median_support": [True, False, True, False]})
    ax = plot_recall_change(table, title="RAVDESS")
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert labels == ["sad (n=8)", "neutral (n=4, below median)"]
    assert "percentage points" in ax.get_xlabel() and ax.get_ylabel()
    assert {t.get_text() for t in ax.get_legend().get_texts()} == {"gan", "classic"}

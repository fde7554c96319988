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

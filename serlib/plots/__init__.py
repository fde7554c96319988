"""Figures: one plotting package, one axis helper; functions draw on an Axes and return it, never save.

Saving, and stamping corpus, protocol and seeds on a figure, is
:meth:`serlib.reporting.run_context.RunContext.save_figure`'s job.

- :mod:`serlib.plots.data` (notebook 01), :mod:`serlib.plots.features` (02),
  :mod:`serlib.plots.augmentation` (03), :mod:`serlib.plots.models`, :mod:`serlib.plots.leaderboard` and
  :mod:`serlib.plots.diagrams` (04),
  :mod:`serlib.plots.baselines` (05, 07), :mod:`serlib.plots.latency` and :mod:`serlib.plots.comparison` (06)."""

from serlib.plots.data import (  # noqa: F401
    plot_corpus_counts,
    plot_durations,
    plot_durations_levels,
    plot_emotion_counts,
    plot_emotion_examples,
    plot_levels,
    plot_logmel,
    plot_speaker_counts,
    plot_waveform,
)
from serlib.plots.features import (  # noqa: F401
    FEATURE_Z_LIMIT,
    plot_embedding,
    plot_emotion_feature_profile,
    plot_feature_matrix,
    plot_feature_pipeline,
    plot_feature_profile,
    plot_osw,
    plot_windows,
)
from serlib.plots.models import (  # noqa: F401
    plot_ablation_steps,
    plot_confusion,
    plot_learning_curves,
    plot_protocol_bars,
    plot_protocol_confusions,
    plot_snr_curves,
)

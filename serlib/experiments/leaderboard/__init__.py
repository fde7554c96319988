"""The speaker-independent leaderboard (notebook 04): every model on the same folds and seeds.

- :mod:`serlib.experiments.leaderboard.entries` - an :class:`Entry` per model and protocol (deep, classical),
  seed ensembles and late fusion.
- :mod:`serlib.experiments.leaderboard.statistics` - seed x speaker bootstrap, the table, per-class recall and
  paired ablations.
- :mod:`serlib.experiments.leaderboard.run` - the plan of a leaderboard and running it.
- :mod:`serlib.experiments.leaderboard.inputs` - the features and paper-model entries it is fed, and the
  ablation and per-class metrics it writes."""

from serlib.experiments.leaderboard.entries import (  # noqa: F401
    Entry,
    classical_entry,
    deep_entry,
    entry_from_results,
    late_fusion_entry,
    seed_ensemble_entry,
    shares_test_set_across_seeds,
    speaker_normalized,
)
from serlib.experiments.leaderboard.run import (  # noqa: F401
    ABLATION_CNN_ONLY,
    ABLATION_CORPUS,
    ABLATION_LSTM_ONLY,
    PUBLISHED_ANCHORS,
    TARGETS,
    AblationRow,
    DeepRow,
    LeaderboardPlan,
    LeaderboardResult,
    ablation_display,
    best_row,
    default_plan,
    row_seeds,
    run_leaderboard,
    targets_markdown,
)
from serlib.experiments.leaderboard.statistics import (  # noqa: F401
    LEADERBOARD_COLUMNS,
    entry_metrics,
    leaderboard_metrics,
    leaderboard_table,
    paired_ablation,
    per_class_recall,
    seed_speaker_bootstrap,
)

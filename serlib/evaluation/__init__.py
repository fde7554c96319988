"""Evaluation (notebooks 03-05): the three protocols' splits and the metrics with their intervals.

- :mod:`serlib.evaluation.splits` - random 80/20, speaker-independent folds (EmoBox folds for RAVDESS),
  cross-corpus positions, validation speakers.
- :mod:`serlib.evaluation.assignment` - who each protocol puts on the training and test side (for diagrams).
- :mod:`serlib.evaluation.intervals` - the one interval of the project: bootstrap over seeds x test speakers.
- :mod:`serlib.evaluation.metrics` - accuracy, UAR, macro-F1, confusion counts and cluster-bootstrap intervals."""

"""Experiments (notebooks 03-06): library functions that take configurations and return tables.

- :mod:`serlib.experiments.protocols` - train and test a model under a protocol (``run_protocol``), seed ensembles.
- :mod:`serlib.experiments.leaderboard` - every model on the same folds and seeds, ensembles, paired ablations.
- :mod:`serlib.experiments.augmentation` - none / classic / GAN / both, with paired intervals.
- :mod:`serlib.experiments.augmentation_statistics` - UAR per seed, paired seed x speaker intervals, valence and
  per-class recall of notebook 03's studies (apart, so the trainings' cache survives a change to them).
- :mod:`serlib.experiments.augmentation_setup` - what notebook 03's study trains: classifier, features, conditions,
  GAN steps (``study_model``, ``conditions``), and its settings table.
- :mod:`serlib.experiments.augmentation_report` - notebook 03's tables, metrics and sentences from the study.
- :mod:`serlib.experiments.cross_corpus_augmentation` - the augmentation study across corpora (train on one, test on
  another), with a corpus-aware GAN that reads the target's audio without labels.
- :mod:`serlib.experiments.baselines` - decision tree, random forest and SVMs under the same protocols.
- :mod:`serlib.experiments.baseline_tables` - the baselines' tables, metrics and conclusions, from their runs.
- :mod:`serlib.experiments.noise` - accuracy under white and babble noise.
- :mod:`serlib.experiments.latency` - response-time measurement.
- :mod:`serlib.experiments.latency_models` - the models notebook 06 times: choice, runtime check, stages, throughput.
- :mod:`serlib.experiments.latency_report` - notebook 06's metrics, targets, Table 1 rows and conclusions.
- :mod:`serlib.experiments.result_cache` - trainings keyed by data, split, configuration, seed and code."""

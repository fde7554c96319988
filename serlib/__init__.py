"""serlib: the library behind the notebooks of the SER paper companion.

Data flows one way, and the subpackages follow it (in the spirit of libfmp):

    audio -> manifest -> features (cached) -> models -> experiments -> metrics -> figures and report

- :mod:`serlib.data` - corpora on disk -> manifests; the embedded synthetic corpus; audio checks (notebook 01).
- :mod:`serlib.features` - frame features, eGeMAPS, windows, cached extraction, speaker normalisation (02).
- :mod:`serlib.augmentation` - classical augmentation and the emotion-conditioned GAN (03).
- :mod:`serlib.models` - the paper's CNN-LSTM, the strong CNN-BiLSTM family, classical classifiers (04, 05).
- :mod:`serlib.evaluation` - the protocols' splits and the metrics with their intervals (03-05).
- :mod:`serlib.experiments` - experiments as functions: protocols, leaderboard, augmentation comparison,
  baselines, noise, latency, the result cache and the executor that runs trainings (03-06).
- :mod:`serlib.reporting` - run context and provenance, progress, results tables, the paper's Table 1 and the
  claims audit (all notebooks, 07).
- :mod:`serlib.plots` - every figure (all notebooks).
- :mod:`serlib.deploy` - the shipped model, ``serlib predict`` / ``train`` / ``info``, saved notebook models.

Single definitions shared by all stages: :mod:`serlib.targets` (every target and verdict threshold),
:mod:`serlib.settings` (run sizes), :mod:`serlib.storage` (cache folder, atomic writes, hashes) and
:mod:`serlib.messages` (one-line error messages).
"""

__version__ = "0.1.0"

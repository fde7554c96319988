"""serlib: the library behind the notebooks of the SER paper companion.

One module per notebook stage (in the spirit of libfmp):

- :mod:`serlib.datasets` – corpus loaders -> manifest DataFrames (notebook 01).
- :mod:`serlib.embedded` – the synthetic corpus used when no corpus is configured (notebook 01).
- :mod:`serlib.audio` – audio loading and validation with skip reasons (notebooks 01, 02).
- :mod:`serlib.features` – MFCC / log-mel, deltas, overlapping sliding windows, cached extraction (notebook 02).
- :mod:`serlib.augmentation`, :mod:`serlib.gan` – classical and GAN augmentation (notebook 03).
- :mod:`serlib.models`, :mod:`serlib.experiments`, :mod:`serlib.evaluation` – the CNN-LSTM, protocols and
  metrics (notebook 04).
- :mod:`serlib.executor` – where the trainings run: in the kernel, in local processes or on Dask (notebook 04,
  ``run_all.py --executor``).
- :mod:`serlib.baselines`, :mod:`serlib.claims` – classical baselines and the claims audit (notebooks 05, 07).
- :mod:`serlib.inference`, :mod:`serlib.latency`, :mod:`serlib.literature` – prediction API and CLI, timing,
  the paper's comparison table (notebook 06).
- :mod:`serlib.report`, :mod:`serlib.pipeline`, :mod:`serlib.plots` – run context, corpus configuration and
  figures (all notebooks).
"""

__version__ = "0.1.0"

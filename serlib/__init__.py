"""serlib: the library behind the notebooks of the SER paper companion.

One module per notebook stage (in the spirit of libfmp):

- :mod:`serlib.datasets` – corpus loaders -> manifest DataFrames (notebook 01).
- :mod:`serlib.embedded` – the synthetic corpus used when no corpus is configured (notebook 01).
- :mod:`serlib.audio` – audio loading and validation with skip reasons (notebooks 01, 02).
- :mod:`serlib.features` – MFCC / log-mel, deltas, overlapping sliding windows, cached extraction (notebook 02).
- :mod:`serlib.report` – run context: figures, tables, metrics and provenance (all notebooks).
"""

__version__ = "0.1.0"

"""Data stage (notebook 01): audio files on disk -> manifests.

- :mod:`serlib.data.corpora` - one loader per corpus release layout (RAVDESS, TESS, CREMA-D, IEMOCAP, SAVEE,
  EmoDB), the manifest and skip table, and downloads.
- :mod:`serlib.data.embedded` - the synthetic corpus used when no corpus is configured.
- :mod:`serlib.data.audio` - reading and validating audio, with one-line skip reasons.
- :mod:`serlib.data.exploration` - corpus summaries, the audio audit, examples, skip table and metrics of
  notebook 01.
- :mod:`serlib.data.corpus_config` - which corpora a run uses (``--corpus``, ``--data-dir``, ``--quick``)."""

"""Features (notebook 02): waveform -> frame features -> windows, cached by content and configuration.

- :mod:`serlib.features.analysis` - the analysis settings every feature path shares (sample rate, FFT, hop,
  mel bands, trimming, window sizes), one definition each; it imports nothing.
- :mod:`serlib.features.frames` - :class:`~serlib.features.frames.FeatureConfig`, MFCC / log-mel frames,
  deltas, overlapping sliding windows.
- :mod:`serlib.features.egemaps` - openSMILE eGeMAPS: low-level descriptors per frame and functionals.
- :mod:`serlib.features.extract` - features of a whole manifest (:func:`~serlib.features.extract.extract_features`),
  cached, with a skip table.
- :mod:`serlib.features.walkthrough` - notebook 02 as library calls: configuration table, features of every
  corpus, sequence lengths, emotion profiles, metrics.
- :mod:`serlib.features.speaker_norm` - per-speaker normalisation from unlabelled audio."""

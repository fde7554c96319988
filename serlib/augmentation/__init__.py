"""Augmentation (notebook 03): classical waveform augmentation and the emotion-conditioned GAN.

- :mod:`serlib.augmentation.classic` - noise, pitch shift and time stretch on training waveforms, cached.
- :mod:`serlib.augmentation.gan` - the CycleGAN-family augmenter over frame features.
- :mod:`serlib.augmentation.gan_quality` - is the GAN any good: classifier agreement, two-sample AUC, edit size.
- :mod:`serlib.augmentation.selection` - which translations train the classifier: a classifier filter, the
  synthetic-to-real ratio, and what each choice selects.

The experiment that asks whether augmentation helps is :mod:`serlib.experiments.augmentation`."""

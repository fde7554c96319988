"""Augmentation (notebook 03): classical waveform augmentation and the emotion-conditioned GAN.

- :mod:`serlib.augmentation.classic` - noise, pitch shift and time stretch on training waveforms, cached.
- :mod:`serlib.augmentation.gan` - the CycleGAN-family augmenter over frame features.
- :mod:`serlib.augmentation.gan_quality` - is the GAN any good: classifier agreement, two-sample AUC, edit size.

The experiment that asks whether augmentation helps is :mod:`serlib.experiments.augmentation`."""

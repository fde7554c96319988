"""The audio analysis every feature path shares: one definition of each setting.

Serves notebook 02_feature_extraction (through :class:`serlib.features.frames.FeatureConfig`), the GAN's training
windows (:class:`serlib.augmentation.gan.GanConfig`), the eGeMAPS features and the shipped model's numpy front
end (:class:`serlib.deploy.frontend.FrontEndConfig`). It imports nothing, so the light runtime of
``serlib predict`` (numpy, soundfile, soxr, onnxruntime) can read it.
"""

#: Hz: every waveform is resampled to it.
SAMPLE_RATE = 16000
#: FFT size in samples (32 ms at 16 kHz).
N_FFT = 512
#: Analysis window in samples (25 ms at 16 kHz).
WIN_LENGTH = 400
#: Frame step in samples (10 ms at 16 kHz, so 100 frames per second).
HOP_LENGTH = 160
#: Mel bands.
N_MELS = 64
#: Mel filterbank range in Hz.
FMIN, FMAX = 20.0, 8000.0
#: Leading and trailing silence quieter than this many dB below the peak is trimmed.
TRIM_DB = 30.0
#: Frames per overlapping sliding window (0.32 s) and frames between window starts (50 % overlap).
WINDOW_FRAMES, WINDOW_HOP = 32, 16
#: Shortest audio, after trimming, that yields one full window (0.31 s); shorter files are skipped.
MIN_DURATION_S = (WINDOW_FRAMES - 1) * HOP_LENGTH / SAMPLE_RATE

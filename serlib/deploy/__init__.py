"""The shipped model: a light inference path, the training command and the model card.

Serves the command line (``serlib predict``, ``serlib train``, ``serlib info``) and notebook
06_latency_comparison (cold start, throughput).

- :mod:`serlib.deploy.frontend` - log-mel features in plain numpy (no librosa), used for training *and*
  inference of the shipped model, so the two cannot drift; a test bounds its distance to the librosa features
  the notebooks teach.
- :mod:`serlib.deploy.runtime` - the ONNX model with its metadata: files, folders and waveforms to emotions,
  importing only numpy, soundfile, soxr and onnxruntime (never TensorFlow).
- :mod:`serlib.deploy.timeline` - long recordings streamed in blocks: segments, per-segment emotions, smoothing.
- :mod:`serlib.deploy.train` - ``serlib train``: the strong design on all speakers of the given corpora, with
  its speaker-independent and cross-corpus estimates, exported to ONNX.
- :mod:`serlib.deploy.card` - the model card, rendered from the model's metadata.
- :mod:`serlib.deploy.cost` - multiply-accumulates per layer and weight memory of one prediction (notebook 06).

Importing this package imports nothing heavy.
"""

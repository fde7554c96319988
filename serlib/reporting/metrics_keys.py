"""The metrics contract: which notebook writes each key of ``metrics.json``, and the key builders its readers use.

Serves notebooks 03-07, the claims audit (:mod:`serlib.reporting.claims`) and the results tables
(:mod:`serlib.reporting.results`). A key is a dotted path into the merged ``metrics.json``; its first part (the
*section*) says which notebook writes it, and its corpus sits at a fixed position per section. The builders below
are the one spelling of each key; tests/test_run_all.py checks on a run of every notebook that each key the audit
reads was written, or that the notebook said why it skipped that experiment on that corpus.
"""

from __future__ import annotations

#: Section of metrics.json -> the notebook that writes it (file stem of notebooks/NN_*.ipynb).
SECTION_NOTEBOOK = {
    "data": "01_data_exploration",
    "features": "02_feature_extraction",
    "augmentation": "03_gan_augmentation",
    "cnn_lstm": "04_cnn_lstm",
    "leaderboard": "04_cnn_lstm",
    "leaderboard_ablation": "04_cnn_lstm",
    "leaderboard_per_class_recall": "04_cnn_lstm",
    "baselines": "05_baselines",
    "baselines_emotion_gender": "05_baselines",
    "latency_ms": "06_latency_comparison",
}

#: Position of the corpus in a section's keys (``None``: the section's keys do not depend on a corpus).
_CORPUS_POSITION = {"baselines": 2, "baselines_emotion_gender": 2, "latency_ms": None}

PROTOCOLS = ("random_80_20", "speaker_independent")


def join(*parts) -> str:
    """``join("cnn_lstm", "ravdess", "snr", 10, "accuracy") == "cnn_lstm.ravdess.snr.10.accuracy"``."""
    if not parts or any(str(p) == "" or "." in str(p) for p in parts):
        raise ValueError(f"key parts must be non-empty and free of dots, got {parts!r}")
    return ".".join(str(p) for p in parts)


def notebook_of(key: str) -> str:
    """The notebook that writes ``key`` (``"?"`` for a section outside the contract)."""
    return SECTION_NOTEBOOK.get(key.split(".", 1)[0], "?")


def corpus_of(key: str) -> str | None:
    """The corpus a key belongs to (``None`` for corpus-independent sections such as ``latency_ms``)."""
    parts = key.split(".")
    pos = _CORPUS_POSITION.get(parts[0], 1)
    return parts[pos] if pos is not None and len(parts) > pos else None


# -- builders, one per section ---------------------------------------------------------------------------------
def cnn_lstm(corpus: str, protocol: str, metric: str) -> str:
    """Notebook 04's paper-architecture CNN-LSTM: ``cnn_lstm.<corpus>.<protocol>.<metric>`` (protocol may be
    ``cross_corpus_to_<corpus>``, ``snr.<dB>`` or ``<protocol>_seed_ensemble``)."""
    return join("cnn_lstm", corpus, *protocol.split("."), metric)


def augmentation(corpus: str, *rest: str) -> str:
    """Notebook 03: ``augmentation.<corpus>.<protocol>.<condition>.<metric>`` or a corpus-level summary key."""
    return join("augmentation", corpus, *rest)


def baseline(model: str, corpus: str, protocol: str, metric: str) -> str:
    """Notebook 05's classical baselines: ``baselines.<model>.<corpus>.<protocol>.<metric>``."""
    return join("baselines", model, corpus, protocol, metric)


def emotion_gender(model: str, corpus: str, protocol: str, metric: str) -> str:
    """Notebook 05's 16-class emotion x gender task (the paper's Figures 5-6)."""
    return join("baselines_emotion_gender", model, corpus, protocol, metric)


def leaderboard_ablation(corpus: str, variant: str, metric: str) -> str:
    """Notebook 04's paired ablation of the strong hybrid."""
    return join("leaderboard_ablation", corpus, variant, metric)


def latency(*rest: str) -> str:
    """Notebook 06: ``latency_ms.<name>`` (milliseconds unless the name says otherwise)."""
    return join("latency_ms", *rest)


def data(corpus: str, field: str) -> str:
    """Notebook 01's corpus description."""
    return join("data", corpus, field)

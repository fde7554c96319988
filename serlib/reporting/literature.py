"""The paper's comparison (Table 1, Figures 1 and 7) as data, and charts that keep "reported" apart from
"measured here".

Serves notebook 06_latency_comparison. The ten literature rows and the "Proposed Method" row are copied as
numbers from the paper's Table 1 (facts with their citation), each marked ``source = "Table 1, reported in
the paper"``. Nothing in this module was measured: the paper does not say on which corpus, protocol or
hardware its literature values were obtained, nor what its response time covers. Rows measured by this
project are built with :func:`measured_row` and marked ``"measured here"``; the charts draw the two kinds
with different colours and hatching and say so in the legend.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

#: Source label of every row taken from the paper.
REPORTED = "Table 1, reported in the paper"
#: Source label of every row measured by this project.
MEASURED = "measured here"

_NOT_STATED = "not stated in Table 1"

#: Table 1 of the paper: approach, citation as printed in the table, input, output, accuracy (%), response
#: time (ms), overhead (the paper's column, undefined there), and a note where the paper is inconsistent.
TABLE_1: tuple[dict, ...] = (
    dict(approach="Pucci et al. (2023)", citation="[1]", input="Audio Spectrograms", output="Emotion Labels",
         accuracy_pct=85.30, response_time_ms=5.6, overhead="High", note=""),
    dict(approach="Dhavale et al. (2022)", citation="[2]", input="Raw Audio", output="Emotion Labels",
         accuracy_pct=88.10, response_time_ms=4.9, overhead="Medium", note=""),
    dict(approach="Verma et al. (2022)", citation="[5]", input="MFCC Features", output="Emotion Categories",
         accuracy_pct=86.50, response_time_ms=5.2, overhead="Medium",
         note="cited as [5] in Table 1 but as [6] in the text; reference 6 is Verma et al., reference 5 is Su et al."),
    dict(approach="Su et al. (2022)", citation="[5]", input="Spectrograms + CNN", output="Emotion Classes",
         accuracy_pct=87.90, response_time_ms=5.4, overhead="High", note=""),
    dict(approach="Liu et al. (2023)", citation="[3]", input="Emotion Perception", output="Emotion Labels",
         accuracy_pct=84.70, response_time_ms=5.8, overhead="High",
         note="the text calls [3] a review of SER techniques"),
    dict(approach="Lin et al. (2023)", citation="[4]", input="Dynamic CNN", output="Emotion Classes",
         accuracy_pct=89.20, response_time_ms=5.0, overhead="Medium",
         note="the text calls [4] a review of SER techniques"),
    dict(approach="Pham et al. (2023)", citation="[7]", input="OSW + Explainable AI", output="Emotion Labels",
         accuracy_pct=90.10, response_time_ms=4.7, overhead="Medium", note=""),
    dict(approach="Cohen et al. (2022)", citation="[9]", input="Multimodal Features", output="Emotion Classes",
         accuracy_pct=91.40, response_time_ms=6.3, overhead="High", note="multimodal (speech and face)"),
    dict(approach="Huang et al. (2022)", citation="[8]", input="Attention Mechanisms", output="Emotion Recognition",
         accuracy_pct=93.50, response_time_ms=6.0, overhead="High", note=""),
    dict(approach="Wu et al. (2023)", citation="[10]", input="Audio + Text Fusion", output="Emotion Multimodal",
         accuracy_pct=92.70, response_time_ms=6.5, overhead="High",
         note="cited as [10] in the table and text, but the reference list has no entry 10 and lists Wu et al. as 11; "
              "multimodal (audio and text)"),
    dict(approach="Proposed Method", citation="(the paper)", input="MFCCs + OSW + Augmentation",
         output="Emotion Recognition", accuracy_pct=95.75, response_time_ms=3.2, overhead="Low",
         note="response time: what was timed (model only or features too, batch size, runtime, hardware) is not "
              "stated; accuracy: 95.75 % is also the paper's Random Forest figure in Section 4 and the abstract "
              "says 98 %; protocol: random 80/20 over utterances (Section 4)"),
)

#: Inconsistencies of the paper that bear on this comparison (stated, not corrected).
PAPER_NOTES: tuple[str, ...] = (
    "Table 1 cites Verma et al. (2022) as [5]; the text and the reference list give [6] ([5] is Su et al.).",
    "Wu et al. (2023) is cited as [10]; the reference list skips 10 and lists Wu et al. as 11.",
    "The 3.2 ms response time is not defined: the paper does not say whether feature extraction is included, "
    "the batch size, the runtime or the hardware.",
    "The paper does not say where the literature response times come from or on which hardware they were "
    "obtained; the cited works use different corpora, protocols and (for [9], [11]) modalities.",
    "The proposed method's 95.75 % equals the paper's Random Forest accuracy (Section 4); the abstract reports "
    "98 %, and the per-class tables printed for the classifiers are labelled 'Train Stats'.",
    "The 'Overhead' column (Low / Medium / High) is not defined in the paper.",
    "The text refers to the accuracy chart as 'figure 5.1'; its caption is Figure 7.",
)

COLUMNS = ["approach", "citation", "input", "output", "corpus", "protocol", "accuracy_pct", "response_time_ms",
           "response_time_definition", "overhead", "source", "note"]


def literature_table(include_proposed: bool = True) -> pd.DataFrame:
    """The paper's Table 1 as a DataFrame (reported values only).

    Serves notebook 06.

    Args:
        include_proposed: keep the paper's own "Proposed Method" row.

    Returns:
        DataFrame with :data:`COLUMNS`; ``source`` is :data:`REPORTED` on every row.
    """
    rows = []
    for r in TABLE_1:
        if not include_proposed and r["approach"] == "Proposed Method":
            continue
        proposed = r["approach"] == "Proposed Method"
        rows.append({
            **r,
            "corpus": "CREMA-D (abstract); CREMA-D, IEMOCAP, TESS named in Section 3" if proposed else _NOT_STATED,
            "protocol": "random 80/20 over utterances" if proposed else _NOT_STATED,
            "response_time_definition": "not defined in the paper",
            "source": REPORTED,
        })
    return pd.DataFrame(rows, columns=COLUMNS)


def measured_row(approach: str, *, corpus: str, protocol: str, accuracy_pct: float | None = None,
                 response_time_ms: float | None = None, response_time_definition: str = "",
                 input: str = "MFCCs + deltas + OSW", note: str = "") -> dict:
    """One "measured here" row for :func:`comparison_table`.

    Serves notebook 06. Accuracy is in percent (0-100); response time in milliseconds, with a definition
    saying what was timed.

    Raises:
        ValueError: neither value given, or a value out of range.
    """
    if accuracy_pct is None and response_time_ms is None:
        raise ValueError("a measured row needs an accuracy or a response time")
    if accuracy_pct is not None and not 0 <= float(accuracy_pct) <= 100:
        raise ValueError(f"accuracy_pct must be in [0, 100], got {accuracy_pct}")
    if response_time_ms is not None and not float(response_time_ms) >= 0:
        raise ValueError(f"response_time_ms must be >= 0, got {response_time_ms}")
    if response_time_ms is not None and not response_time_definition:
        raise ValueError("say what was timed: response_time_definition is empty")
    return {
        "approach": approach, "citation": "(this companion)", "input": input, "output": "Emotion label",
        "corpus": corpus, "protocol": protocol,
        "accuracy_pct": np.nan if accuracy_pct is None else float(accuracy_pct),
        "response_time_ms": np.nan if response_time_ms is None else float(response_time_ms),
        "response_time_definition": response_time_definition, "overhead": "", "source": MEASURED, "note": note,
    }


def comparison_table(measured_rows: list[dict], include_proposed: bool = True) -> pd.DataFrame:
    """Table 1 (reported) followed by this project's rows (measured here).

    Serves notebook 06.
    """
    lit = literature_table(include_proposed)
    if not measured_rows:
        return lit
    return pd.concat([lit, pd.DataFrame(measured_rows, columns=COLUMNS)], ignore_index=True)


def corpus_label(name: str) -> str:
    """Readable corpus name for a measured row: ``"ravdess_to_tess"`` -> ``"RAVDESS -> TESS"`` (train -> test)."""
    from serlib.reporting.run_context import corpus_title

    parts = [p for p in str(name).replace("->", "_to_").split("_to_") if p]
    return " -> ".join(corpus_title(p) for p in parts) if parts else str(name)


def accuracy_from_metrics(metrics: dict, model_key: str = "cnn_lstm",
                          protocols=("random_80_20", "speaker_independent", "cross_corpus")) -> pd.DataFrame:
    """Accuracies recorded by a model notebook, found under ``metrics[model_key]``.

    Serves notebook 06. Any nesting ``<model_key>.<corpus...>.<protocol key>.accuracy`` is found, where the
    protocol key is a protocol name or a protocol name with a suffix, as notebook 04 writes them:
    ``ravdess.speaker_independent``, ``ravdess.random_80_20_paper_setting`` (protocol
    ``"random_80_20 (paper setting)"``) and ``ravdess.cross_corpus_to_tess`` (corpus ``ravdess_to_tess``,
    protocol ``cross_corpus``). ``accuracy_std`` and ``n_seeds`` next to it are kept when present.

    Returns:
        DataFrame ``corpus, protocol, accuracy, accuracy_std, n_seeds`` (fractions; NaN where absent),
        possibly empty.
    """
    rows = []

    def parse(key: str, corpus: str):
        if key.endswith("_seed_ensemble"):
            return None
        for proto in protocols:
            if key == proto:
                return corpus, proto
            if key.startswith(proto + "_"):
                suffix = key[len(proto) + 1:]
                if proto == "cross_corpus" and suffix.startswith("to_"):
                    return f"{corpus}_to_{suffix[3:]}", proto
                return corpus, f"{proto} ({suffix.replace('_', ' ')})"
        return None

    def walk(node, path):
        if not isinstance(node, dict):
            return
        found = parse(path[-1], ".".join(path[:-1]) or "?") if path else None
        if found and isinstance(node.get("accuracy"), (int, float)):
            std, n = node.get("accuracy_std"), node.get("n_seeds")
            rows.append({"corpus": found[0], "protocol": found[1], "accuracy": float(node["accuracy"]),
                         "accuracy_std": float(std) if isinstance(std, (int, float)) else np.nan,
                         "n_seeds": float(n) if isinstance(n, (int, float)) else np.nan})
        for k, v in node.items():
            walk(v, path + [str(k)])

    walk((metrics or {}).get(model_key, {}), [])
    return pd.DataFrame(rows, columns=["corpus", "protocol", "accuracy", "accuracy_std", "n_seeds"])

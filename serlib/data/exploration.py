"""What is in a corpus: summaries, the audio audit, examples, the skip table and the metrics of notebook 01.

Serves notebook 01_data_exploration. Every function takes manifests (``{corpus name: manifest}``) and the
audit tables of :func:`serlib.data.audio.audit_audio` and returns plain tables or dicts; plotting is in
:mod:`serlib.plots.data`, saving in :class:`serlib.reporting.run_context.RunContext`.
"""

from __future__ import annotations

import pandas as pd

from serlib.data import audio
from serlib.data.corpus_config import skipped_table

#: Audit columns joined to the manifest for the duration and level figures.
LEVEL_COLUMNS = ["duration_s", "peak_dbfs", "rms_dbfs", "native_sample_rate"]


def _check_manifests(manifests) -> None:
    if not isinstance(manifests, dict):
        raise TypeError(f"manifests must be a dict {{corpus name: manifest}}, got {type(manifests).__name__}")


def _check_audits(manifests, audits) -> None:
    _check_manifests(manifests)
    missing = [name for name in manifests if name not in audits]
    if missing:
        raise ValueError(f"no audit for corpus {', '.join(missing)}; run audit_corpora first")


def corpus_summary(manifests: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One row per corpus: utterances, speakers (female / male), emotions and the emotion set.

    Serves notebook 01_data_exploration (section 1, table ``01_corpus_summary``).
    """
    _check_manifests(manifests)
    return pd.DataFrame(
        [
            {
                "corpus": name,
                "utterances": len(m),
                "speakers": m["speaker"].nunique(),
                "female speakers": m.loc[m["gender"] == "female", "speaker"].nunique(),
                "male speakers": m.loc[m["gender"] == "male", "speaker"].nunique(),
                "emotions": m["emotion"].nunique(),
                "emotion set": ", ".join(sorted(m["emotion"].unique())),
            }
            for name, m in manifests.items()
        ]
    )


def audit_corpora(manifests: dict[str, pd.DataFrame], n_jobs: int = 2) -> dict[str, pd.DataFrame]:
    """Open and check every file of every corpus (:func:`serlib.data.audio.audit_audio`); never raises for a bad file.

    Serves notebook 01_data_exploration (section 3).

    Returns:
        ``{corpus name: audit table}``, indexed like the manifest, with ``ok`` and ``reason`` per file.
    """
    _check_manifests(manifests)
    return {name: audio.audit_audio(m, n_jobs=n_jobs) for name, m in manifests.items()}


def usable_levels(manifest: pd.DataFrame, audit: pd.DataFrame) -> pd.DataFrame:
    """The usable rows of a manifest with duration, peak and RMS level and native sample rate from its audit.

    Serves notebook 01_data_exploration (section 3, durations and levels).
    """
    if not audit.index.equals(manifest.index):
        raise ValueError("audit and manifest rows differ; audit this manifest with audit_corpora")
    table = manifest.join(audit[LEVEL_COLUMNS])
    return table[audit["ok"]]


def level_summary(table: pd.DataFrame) -> pd.DataFrame:
    """Mean and standard deviation of duration (s) and RMS level (dBFS) per emotion, rounded to 0.01.

    Serves notebook 01_data_exploration (section 3); ``table`` is :func:`usable_levels`.
    """
    return table.groupby("emotion")[["duration_s", "rms_dbfs"]].agg(["mean", "std"]).round(2)


def sample_rate_line(name: str, table: pd.DataFrame) -> str:
    """The printed line ``<corpus>: native sample rates (Hz): 16000 (12 files), ...`` of a :func:`usable_levels` table.

    Serves notebook 01_data_exploration (section 3).
    """
    rates = table["native_sample_rate"].value_counts()
    return f"{name}: native sample rates (Hz): " + ", ".join(f"{int(r)} ({n} files)" for r, n in rates.items())


def emotion_examples(manifest: pd.DataFrame, audit: pd.DataFrame, sample_rate: int = 16000) -> dict:
    """One usable utterance per emotion of one speaker (the first in sorted order), with its waveform.

    Serves notebook 01_data_exploration (section 4, look and listen).

    Returns:
        ``{"speaker": str, "rows": DataFrame (one row per emotion, sorted by emotion),
        "waveforms": list of float32 arrays at sample_rate, in row order}``.

    Raises:
        ValueError: no file of the corpus is usable.
    """
    usable = manifest[audit["ok"]]
    if not len(usable):
        raise ValueError("no usable file in this corpus; see the skip table")
    speaker = sorted(usable["speaker"].astype(str).unique())[0]
    rows = (usable[usable["speaker"].astype(str) == speaker]
            .groupby("emotion", sort=True).head(1).sort_values("emotion"))
    waveforms = [audio.load_audio(path, sample_rate) for path in rows["path"]]
    return {"speaker": speaker, "rows": rows, "waveforms": waveforms}


def skip_table(manifests: dict[str, pd.DataFrame], audits: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """Every file that cannot be used, ``corpus, path, reason, stage``: loader skips (``manifest``) then audit
    failures (``audio``).

    Serves notebook 01_data_exploration (section 5, table ``01_skipped_files``).
    """
    _check_audits(manifests, audits)
    skips = [skipped_table(manifests)]
    for name, a in audits.items():
        bad = a[~a["ok"]]
        if len(bad):
            skips.append(pd.DataFrame({"corpus": name, "path": bad["path"], "reason": bad["reason"], "stage": "audio"}))
    return pd.concat(skips, ignore_index=True)


def data_metrics(manifests: dict[str, pd.DataFrame], audits: dict[str, pd.DataFrame],
                 skips: pd.DataFrame) -> dict:
    """The ``metrics.json`` section of notebook 01: ``{"data": {corpus: counts, emotions, durations}}``.

    Serves notebook 01_data_exploration; ``skips`` is :func:`skip_table`.
    """
    _check_audits(manifests, audits)
    metrics = {"data": {}}
    for name, m in manifests.items():
        a = audits[name]
        metrics["data"][name] = {
            "n_utterances": int(len(m)),
            "n_usable": int(a["ok"].sum()),
            "n_skipped": int((skips["corpus"] == name).sum()),
            "n_speakers": int(m["speaker"].nunique()),
            "n_emotions": int(m["emotion"].nunique()),
            "emotions": sorted(m["emotion"].unique()),
            "duration_mean_s": float(a.loc[a["ok"], "duration_s"].mean()),
            "duration_total_min": float(a.loc[a["ok"], "duration_s"].sum() / 60),
            "synthetic": name == "embedded",
        }
    return metrics


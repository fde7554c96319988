"""Embedded, deterministic, synthetic acted-emotional-speech corpus (CREMA-D layout).

Serves notebook 01_data_exploration and every notebook when no corpus is configured: on a fresh
machine without a real corpus the pipeline runs on a corpus this module synthesises itself with the
formant synthesiser eSpeak NG (``libespeak-ng``, shipped by the PyPI package ``espeakng-loader`` and
driven here through :mod:`ctypes`). The result is written in the real CREMA-D release layout
(``AudioWAV/<ActorID>_<SENT>_<EMO>_<LVL>.wav`` plus ``VideoDemographics.csv``) so that the CREMA-D
loader of :mod:`serlib.data.corpora` reads it unchanged.

It is **not** emotional speech. It is a controlled stand-in whose classes differ only by the
prosodic and voice-quality cues that the emotion-acoustics literature associates with each emotion:

* Murray, I. R. & Arnott, J. L. (1993). Toward the simulation of emotion in synthetic speech: a
  review of the literature on human vocal emotion. *JASA* 93(2), 1097-1108 (the direction of pitch
  average, pitch range, speech rate, intensity and voice quality per emotion).
* Scherer, K. R. (2003). Vocal communication of emotion: a review of research paradigms.
  *Speech Communication* 40, 227-256 (predicted and observed F0 level, F0 range, intensity,
  speech rate and high-frequency energy per emotion).
* Juslin, P. N. & Laukka, P. (2003). Communication of emotions in vocal expression and music
  performance: different channels, same code? *Psychological Bulletin* 129(5), 770-814
  (meta-analytic cue patterns, e.g. anger fast/loud/high F0/high F0 variability/much HF energy,
  sadness slow/soft/low F0/low variability/little HF energy, fear fast/high F0/low variability).

How an utterance is made
------------------------
1. A speaker (:func:`speaker_profiles`) has a sex, an eSpeak voice variant (``m1``..``m7`` or
   ``f1``..``f5``), a formant (vocal-tract length) scale, neutral baseline pitch / pitch range /
   rate / volume / word gap, a spectral colouring (two peaking EQ bands and a high shelf:
   microphone and room), a background-noise colour and a recording gain.
2. The emotion's profile (:data:`EMOTION_PROFILES`) shifts that baseline (pitch, pitch range,
   rate, volume, word gap, formant frequencies, spectral tilt, tremor); the CREMA-D intensity
   level scales the shift (:data:`INTENSITY_SCALE`: LO 0.5, MD 1.0, HI 1.5, XX 1.0).
3. Every parameter receives per-utterance jitter (:data:`JITTER`), so classes overlap.
4. eSpeak NG renders the text (synchronous mode, int16 at its native rate, usually 22050 Hz); the
   result is resampled to 16 kHz with soxr.
5. Signal-level post-filters: emotion high-shelf tilt (high-frequency energy) and amplitude tremor,
   then the speaker colouring, the speaker's recording gain (with small per-utterance jitter),
   random leading/trailing silence (clips are kept at about 1.5-3.5 s) and
   additive coloured background noise at a random SNR (20-40 dB by default).

Determinism
-----------
All randomness comes from :class:`numpy.random.Generator` objects seeded by
``(seed, actor, sentence, emotion, level)``, so each file is independent of the generation order.
eSpeak NG itself keeps state between utterances (pitch-flutter phase, roughness cycle counter,
breath-noise resonators, its automatic gain control); to make every utterance a pure function of
its parameters this module synthesises through *sanitised* copies of the voice variants
(``flutter 0``, ``roughness 8`` = off, ``breath 0``), keeps eSpeak's own volume fixed below
clipping (the requested volume is applied as a float gain, exactly what ``espeakVOLUME`` does
short of clipping) and reseeds eSpeak's random generator before each utterance. Same seed, same
library versions -> bit-identical WAV files.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import shutil
import uuid
from pathlib import Path

import numpy as np
import pandas as pd
import soundfile as sf

from serlib.data.embedded.design import EMOTIONS, GENERATOR_VERSION, INTENSITY_SCALE, SAMPLE_RATE, SENTENCES
from serlib.data.embedded.espeak import espeak_version
from serlib.data.embedded.prosody import (
    _SPEAKER_SPREAD,
    EMOTION_PROFILES,
    JITTER,
    _utterance_rng,
    render_utterance,
    speaker_profiles,
)
from serlib.storage import default_cache_dir

_README_HEAD = "SYNTHETIC corpus - not real speech, not real emotions."


# ---------------------------------------------------------------------------------------------
# Corpus
# ---------------------------------------------------------------------------------------------
def corpus_plan(n_speakers: int = 16) -> pd.DataFrame:
    """The CREMA-D design: per actor, IEO x 5 emotions x LO/MD/HI + IEO NEU XX + 11 sentences x 6
    emotions x XX = 82 clips. Columns ``ActorID``, ``sentence``, ``emotion``, ``level``, ``filename``."""
    rows = []
    for i in range(n_speakers):
        actor = 1001 + i
        for sent in SENTENCES:
            for emo in EMOTIONS:
                levels = (("XX",) if emo == "NEU" else ("LO", "MD", "HI")) if sent == "IEO" else ("XX",)
                for lvl in levels:
                    rows.append({"ActorID": actor, "sentence": sent, "emotion": emo, "level": lvl,
                                 "filename": f"{actor}_{sent}_{emo}_{lvl}.wav"})
    return pd.DataFrame(rows)


def _write_one(audio_dir: Path, row: dict, speaker: dict, seed: int) -> dict:
    rng = _utterance_rng(seed, row["ActorID"], row["sentence"], row["emotion"], row["level"])
    y, p = render_utterance(SENTENCES[row["sentence"]], speaker, row["emotion"], row["level"], rng=rng)
    sf.write(audio_dir / row["filename"], y, SAMPLE_RATE, subtype="PCM_16")
    return {**row, "duration_s": y.size / SAMPLE_RATE, **p}


def _write_speaker_chunk(audio_dir: str, rows: list[dict], speakers: dict, seed: int) -> list[dict]:
    return [_write_one(Path(audio_dir), r, speakers[r["ActorID"]], seed) for r in rows]


def _json_default(o):
    if isinstance(o, (np.integer,)):
        return int(o)
    if isinstance(o, (np.floating,)):
        return float(o)
    raise TypeError(type(o))


def synthesize_corpus(
    root: str | os.PathLike,
    *,
    n_speakers: int = 16,
    seed: int = 0,
    progress: bool = True,
    n_jobs: int | None = 1,
) -> Path:
    """Write the synthetic corpus in the CREMA-D release layout under ``root``.

    Writes ``AudioWAV/<ActorID>_<SENT>_<EMO>_<LVL>.wav`` (16 kHz mono PCM-16, 82 clips per actor),
    ``VideoDemographics.csv`` (ActorID, Age, Sex, Race, Ethnicity), ``README.txt``,
    ``utterances.csv`` (every file's synthesis parameters) and, last, ``SYNTHETIC_CORPUS.json``
    (provenance: seed, speakers, generator and eSpeak NG versions, emotion profiles). Serves
    notebook 01_data_exploration and every notebook when no corpus is configured.

    Args:
        root: output directory (created). Existing files with the same names are overwritten and
            other ``*.wav`` files in ``root/AudioWAV`` are removed, so the folder holds exactly
            this corpus.
        n_speakers: number of actors (ActorIDs 1001..); genders alternate Male/Female.
        seed: random seed; the same seed gives bit-identical files.
        progress: show a tqdm progress bar.
        n_jobs: worker processes (``None`` = all cores, 1 = in this process). Output does not
            depend on it.

    Returns:
        ``Path`` of ``root``.
    """
    from serlib.reporting.progress import tqdm

    root = Path(root)
    audio_dir = root / "AudioWAV"
    audio_dir.mkdir(parents=True, exist_ok=True)
    speakers_df = speaker_profiles(n_speakers, seed)
    speakers = {int(r["ActorID"]): r for r in speakers_df.to_dict("records")}
    plan = corpus_plan(n_speakers).to_dict("records")
    wanted = {r["filename"] for r in plan}
    for stale in audio_dir.glob("*.wav"):
        if stale.name not in wanted:
            stale.unlink()
    with contextlib.suppress(FileNotFoundError):
        (root / "SYNTHETIC_CORPUS.json").unlink()  # written last again: marks completion
    version = espeak_version()
    (root / "README.txt").write_text(
        _README_HEAD + "\n\n"
        "Generated by serlib.data.embedded (generator version %s) with eSpeak NG %s, seed %d, %d speakers.\n"
        "Layout and file names follow the CREMA-D release (AudioWAV/<ActorID>_<SENT>_<EMO>_<LVL>.wav,\n"
        "VideoDemographics.csv) so that the CREMA-D loader reads it. Emotions are simulated by rules\n"
        "for prosody and voice quality after Murray & Arnott (1993), Scherer (2003) and Juslin &\n"
        "Laukka (2003); SYNTHETIC_CORPUS.json holds the exact profiles, utterances.csv every file's\n"
        "parameters. Ages, sexes and the Race/Ethnicity value 'Synthetic' are made up.\n"
        "Results obtained on this corpus say nothing about real emotion recognition.\n"
        % (GENERATOR_VERSION, version, seed, n_speakers),
        encoding="utf-8",
    )
    n_jobs = (os.cpu_count() or 1) if n_jobs is None else max(1, int(n_jobs))
    n_jobs = min(n_jobs, n_speakers)

    records: list[dict] = []
    with tqdm(total=len(plan), desc="synthetic corpus", unit="file", disable=not progress) as bar:
        if n_jobs == 1:
            for row in plan:
                records.append(_write_one(audio_dir, row, speakers[row["ActorID"]], seed))
                bar.update(1)
        else:
            import multiprocessing as mp
            from concurrent.futures import ProcessPoolExecutor, as_completed

            chunks = [[r for r in plan if r["ActorID"] == a] for a in speakers]
            ctx = mp.get_context("spawn")  # fresh interpreters: no inherited eSpeak state / locks
            with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as ex:
                futs = [ex.submit(_write_speaker_chunk, str(audio_dir), c, speakers, seed) for c in chunks]
                for f in as_completed(futs):
                    out = f.result()
                    records.extend(out)
                    bar.update(len(out))
    order = {r["filename"]: i for i, r in enumerate(plan)}
    records.sort(key=lambda r: order[r["filename"]])
    pd.DataFrame(records).to_csv(root / "utterances.csv", index=False, float_format="%.6g")

    demo = pd.DataFrame({
        "ActorID": speakers_df["ActorID"],
        "Age": speakers_df["Age"],
        "Sex": speakers_df["Sex"],
        "Race": "Synthetic",
        "Ethnicity": "Synthetic",
    })
    demo.to_csv(root / "VideoDemographics.csv", index=False)

    meta = {
        "synthetic": True,
        "description": "Synthetic acted-emotional-speech corpus in the CREMA-D layout (serlib.data.embedded).",
        "generator": "serlib.data.embedded",
        "generator_version": GENERATOR_VERSION,
        "espeak_ng_version": version,
        "seed": int(seed),
        "n_speakers": int(n_speakers),
        "n_files": len(plan),
        "sample_rate": SAMPLE_RATE,
        "sentences": SENTENCES,
        "emotions": list(EMOTIONS),
        "intensity_scale": INTENSITY_SCALE,
        "emotion_profiles": EMOTION_PROFILES,
        "jitter": JITTER,
        "speaker_spread": _SPEAKER_SPREAD,
        "speakers": speakers_df.to_dict("records"),
        "references": [
            "Murray, I. R. & Arnott, J. L. (1993). Toward the simulation of emotion in synthetic speech: "
            "a review of the literature on human vocal emotion. JASA 93(2), 1097-1108.",
            "Scherer, K. R. (2003). Vocal communication of emotion: a review of research paradigms. "
            "Speech Communication 40, 227-256.",
            "Juslin, P. N. & Laukka, P. (2003). Communication of emotions in vocal expression and music "
            "performance: different channels, same code? Psychological Bulletin 129(5), 770-814.",
        ],
    }
    tmp = root / "SYNTHETIC_CORPUS.json.tmp"
    tmp.write_text(json.dumps(meta, indent=2, default=_json_default), encoding="utf-8")
    os.replace(tmp, root / "SYNTHETIC_CORPUS.json")
    return root


# ---------------------------------------------------------------------------------------------
# Cache
# ---------------------------------------------------------------------------------------------
def corpus_key(n_speakers: int = 16, seed: int = 0) -> str:
    """Cache key of a corpus: hash of (n_speakers, seed, :data:`GENERATOR_VERSION`)."""
    blob = json.dumps({"n_speakers": int(n_speakers), "seed": int(seed), "generator_version": GENERATOR_VERSION},
                      sort_keys=True)
    return hashlib.sha256(blob.encode()).hexdigest()[:16]


def is_complete_corpus(root: str | os.PathLike, *, n_speakers: int, seed: int) -> bool:
    """True if ``root`` holds a finished corpus made with these settings by this generator version."""
    root = Path(root)
    try:
        meta = json.loads((root / "SYNTHETIC_CORPUS.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if (meta.get("n_speakers"), meta.get("seed"), meta.get("generator_version")) != (
            int(n_speakers), int(seed), GENERATOR_VERSION):
        return False
    if not (root / "VideoDemographics.csv").is_file():
        return False
    expected = set(corpus_plan(n_speakers)["filename"])
    try:
        present = {p.name for p in (root / "AudioWAV").iterdir() if p.suffix == ".wav"}
    except OSError:
        return False
    return expected <= present


def _looks_like_ours(root: Path) -> bool:
    """A folder written by :func:`synthesize_corpus` (finished or not)."""
    if (root / "SYNTHETIC_CORPUS.json").is_file():
        return True
    try:
        return (root / "README.txt").read_text(encoding="utf-8").startswith(_README_HEAD)
    except OSError:
        return False


@contextlib.contextmanager
def _file_lock(path: Path):
    """Exclusive advisory lock (POSIX ``flock``); a no-op where unavailable."""
    try:
        import fcntl
    except ImportError:  # Windows: rely on the atomic rename alone
        yield
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


def ensure_embedded_corpus(
    root: str | os.PathLike | None = None,
    *,
    n_speakers: int = 16,
    seed: int = 0,
    progress: bool = True,
) -> Path:
    """Return a directory holding the synthetic corpus, generating it only if needed.

    ``root`` defaults to ``default_cache_dir()/embedded/<key>`` with ``key = corpus_key(n_speakers,
    seed)``. A complete corpus there (``SYNTHETIC_CORPUS.json`` matching the settings and all
    files present) is reused. Otherwise the corpus is generated into a temporary sibling directory
    and renamed into place, so an interrupted run never leaves a half corpus behind, and two
    processes asking at once (serialised by a lock file where ``flock`` exists) end up with one
    corpus. Serves notebook 01_data_exploration and every notebook when no corpus is configured.

    Args:
        root: where the corpus lives; ``None`` for the cache location above.
        n_speakers: number of actors.
        seed: random seed.
        progress: show a progress bar while generating.

    Returns:
        ``Path`` of the corpus root (CREMA-D layout).
    """
    root = Path(root) if root is not None else default_cache_dir() / "embedded" / corpus_key(n_speakers, seed)
    if is_complete_corpus(root, n_speakers=n_speakers, seed=seed):
        return root
    root.parent.mkdir(parents=True, exist_ok=True)
    with _file_lock(root.parent / f".{root.name}.lock"):
        if is_complete_corpus(root, n_speakers=n_speakers, seed=seed):  # another process made it
            return root
        tmp = root.parent / f".{root.name}.tmp-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        try:
            if root.exists() and any(root.iterdir()) and not _looks_like_ours(root):
                raise FileExistsError(
                    f"{root} exists, is not empty and holds no synthetic corpus; refusing to replace it")
            synthesize_corpus(tmp, n_speakers=n_speakers, seed=seed, progress=progress)
            if root.exists():  # empty, or a corpus of other settings / generator version: replace
                stale = root.parent / f".{root.name}.stale-{uuid.uuid4().hex[:8]}"
                try:
                    os.replace(root, stale)
                except OSError:
                    if is_complete_corpus(root, n_speakers=n_speakers, seed=seed):
                        return root
                    raise
                shutil.rmtree(stale, ignore_errors=True)
            try:
                os.replace(tmp, root)
            except OSError:
                if is_complete_corpus(root, n_speakers=n_speakers, seed=seed):
                    return root  # lost a race without a lock: the winner's corpus is identical
                raise
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
    return root

"""Embedded, deterministic, synthetic acted-emotional-speech corpus (CREMA-D layout).

Serves notebook 01_data_exploration and every notebook when no corpus is configured: on a fresh
machine without a real corpus the pipeline runs on a corpus this module synthesises itself with the
formant synthesiser eSpeak NG (``libespeak-ng``, shipped by the PyPI package ``espeakng-loader`` and
driven here through :mod:`ctypes`). The result is written in the real CREMA-D release layout
(``AudioWAV/<ActorID>_<SENT>_<EMO>_<LVL>.wav`` plus ``VideoDemographics.csv``) so that the CREMA-D
loader of :mod:`serlib.datasets` reads it unchanged.

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

import atexit
import contextlib
import ctypes
import functools
import hashlib
import json
import math
import os
import shutil
import tempfile
import threading
import uuid
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import scipy.signal
import soundfile as sf
import soxr

from .features import default_cache_dir

__all__ = [
    "GENERATOR_VERSION",
    "SAMPLE_RATE",
    "SENTENCES",
    "EMOTIONS",
    "LEVELS",
    "INTENSITY_SCALE",
    "EMOTION_PROFILES",
    "JITTER",
    "MALE_VARIANTS",
    "FEMALE_VARIANTS",
    "espeak_version",
    "available_variants",
    "synthesize_utterance",
    "speaker_profiles",
    "utterance_parameters",
    "render_utterance",
    "corpus_plan",
    "synthesize_corpus",
    "default_cache_dir",
    "corpus_key",
    "is_complete_corpus",
    "ensure_embedded_corpus",
]

#: Bump whenever the generated audio would change (invalidates cached corpora).
GENERATOR_VERSION = "1.0.0"

#: Sample rate of the written corpus (CREMA-D's own WAVs are 16 kHz mono).
SAMPLE_RATE = 16000

#: The 12 CREMA-D sentences (code -> text), in the order of the CREMA-D documentation.
SENTENCES: dict[str, str] = {
    "IEO": "It's eleven o'clock.",
    "TIE": "That is exactly what happened.",
    "IOM": "I'm on my way to the meeting.",
    "IWW": "I wonder what this is about.",
    "TAI": "The airplane is almost full.",
    "MTI": "Maybe tomorrow it will be cold.",
    "IWL": "I would like a new alarm clock.",
    "ITH": "I think I have a doctor's appointment.",
    "DFA": "Don't forget a jacket.",
    "ITS": "I think I've seen this before.",
    "TSI": "The surface is slick.",
    "WSI": "We'll stop in a couple of minutes.",
}

#: CREMA-D emotion codes.
EMOTIONS: tuple[str, ...] = ("ANG", "DIS", "FEA", "HAP", "NEU", "SAD")

#: CREMA-D intensity level codes.
LEVELS: tuple[str, ...] = ("LO", "MD", "HI", "XX")

#: Factor applied to an emotion's deviation from the speaker's neutral baseline.
INTENSITY_SCALE: dict[str, float] = {"LO": 0.5, "MD": 1.0, "HI": 1.5, "XX": 1.0}

#: Stock eSpeak NG voice variants used for speakers (all present in ``espeak-ng-data/voices/!v``;
#: ``m8`` exists too but is left out to keep the documented m1..m7 set).
MALE_VARIANTS: tuple[str, ...] = ("m1", "m2", "m3", "m4", "m5", "m6", "m7")
FEMALE_VARIANTS: tuple[str, ...] = ("f1", "f2", "f3", "f4", "f5")

_LANGUAGE = "en-us"  # CREMA-D actors are American English speakers.

# ---------------------------------------------------------------------------------------------
# Emotion profiles
# ---------------------------------------------------------------------------------------------
# Units (all *relative to the speaker's neutral baseline*, at intensity 1.0 = MD):
#   pitch        eSpeak pitch units (0-100 scale; one unit ~ +1.4 % F0, +10 ~ +15 %)
#   pitch_range  eSpeak range units (0-100 scale, 50 = normal; 0 = monotone)
#   rate         log2 factor on words per minute (+0.2 -> x1.15)
#   volume_db    level change in dB
#   word_gap     extra pause between words, eSpeak units of 10 ms
#   tilt_db      gain of a high shelf at 1.5 kHz (dB): high-frequency energy / vocal effort
#   tremor       depth of a 5-8 Hz amplitude modulation (0-1): irregular, shaky voicing
#   formant_pct  shift of all formant frequencies in % (vocal-tract shape: raised larynx,
#                spread lips / smiling raise formants; lax, lowered larynx lowers them)
# The literature gives the *direction* and a rough size of each cue; the numbers below are this
# module's choices, scaled so that with the jitter of JITTER the classes overlap but remain
# learnable (random-split decision tree ~55 %, speaker-independent random forest ~60 %).
EMOTION_PROFILES: dict[str, dict[str, float]] = {
    # Anger (hot anger): F0 mean much higher, F0 range much wider, faster, louder, much HF energy
    # (tense voice, raised F1). Murray & Arnott 1993; Scherer 2003;
    # Juslin & Laukka 2003.
    "ANG": {"pitch": 18.4, "pitch_range": 46.0, "rate": 0.385, "volume_db": 10.0,
            "word_gap": 0.0, "tilt_db": 12.5, "tremor": 0.0, "formant_pct": 6.25},
    # Disgust: F0 lower, slower (Murray & Arnott: "very much slower", "very much lower"), range
    # slightly wider with wide downward inflections, softer, grumbled chest tone (less HF energy).
    # Murray & Arnott 1993; Scherer 2003 (observed cues scarce/inconsistent).
    "DIS": {"pitch": -18.4, "pitch_range": 20.7, "rate": -0.44, "volume_db": -5.0,
            "word_gap": 1.5, "tilt_db": -6.25, "tremor": 0.0, "formant_pct": -3.75},
    # Fear: F0 mean very much higher, fast, F0 variability low (Juslin & Laukka) but irregular
    # voicing (Murray & Arnott) -> narrower range + amplitude tremor; intensity about normal.
    # Murray & Arnott 1993; Scherer 2003; Juslin & Laukka 2003.
    "FEA": {"pitch": 32.2, "pitch_range": -23.0, "rate": 0.495, "volume_db": 0.0,
            "word_gap": 0.0, "tilt_db": 4.375, "tremor": 0.35, "formant_pct": 3.75},
    # Happiness/joy: F0 higher, range much wider (smooth upward inflections), slightly faster,
    # louder, medium HF energy; smiling raises formants (Tartter 1980, Perception & Psychophysics
    # 27(1):24-27). Murray & Arnott 1993; Scherer 2003; Juslin & Laukka 2003.
    "HAP": {"pitch": 24.15, "pitch_range": 32.2, "rate": 0.165, "volume_db": 5.625,
            "word_gap": 0.0, "tilt_db": 6.875, "tremor": 0.0, "formant_pct": 7.5},
    # Neutral: the speaker's baseline.
    "NEU": {"pitch": 0.0, "pitch_range": 0.0, "rate": 0.0, "volume_db": 0.0,
            "word_gap": 0.0, "tilt_db": 0.0, "tremor": 0.0, "formant_pct": 0.0},
    # Sadness: F0 lower, range narrower (downward inflections), slower with pauses, softer, little
    # HF energy (lax voice). Murray & Arnott 1993; Scherer 2003;
    # Juslin & Laukka 2003.
    "SAD": {"pitch": -16.1, "pitch_range": -40.25, "rate": -0.462, "volume_db": -11.25,
            "word_gap": 2.5, "tilt_db": -12.5, "tremor": 0.10, "formant_pct": -5.0},
}

#: Per-utterance jitter (standard deviations; same units as :data:`EMOTION_PROFILES`), recording
#: conditions, and the spread of speaker baselines. Tuned so that the task is learnable but not
#: trivial (see ``tests/test_embedded.py``).
JITTER: dict[str, float] = {
    "pitch": 2.5,
    "pitch_range": 5.5,
    "rate": 0.055,
    "volume_db": 1.2,
    "word_gap": 0.4,
    "tilt_db": 1.0,
    "tremor": 0.025,
    "formant_pct": 0.6,
    "gain_db": 0.6,            # per-utterance recording-gain jitter around the speaker's gain
    "snr_db_low": 20.0,        # additive background noise, SNR uniform in [low, high] dB
    "snr_db_high": 40.0,
    "lead_s_low": 0.10,        # leading / trailing silence, uniform in [low, high] s
    "lead_s_high": 0.35,
    "trail_s_low": 0.10,
    "trail_s_high": 0.40,
    "min_total_s": 1.5,        # silence is added / removed to keep clips within [min, max] s
    "max_total_s": 3.5,
}

_SPEAKER_SPREAD: dict[str, float] = {
    "pitch": 7.0,          # sd of the baseline pitch around 50
    "pitch_range": 8.0,    # sd of the baseline range around 50
    "rate": 0.12,          # sd (log2) of the baseline rate around 160 wpm
    "volume_db": 2.0,
    "formant_scale": 0.035,
    "eq_gain_db": 4.0,
    "shelf_db": 2.5,
    "noise_colour_low": 0.5,   # background-noise colour: one-pole low-pass coefficient (0 = white)
    "noise_colour_high": 0.9,
}

_BASE_RATE_WPM = 160.0
_README_HEAD = "SYNTHETIC corpus - not real speech, not real emotions."
_ESPEAK_VOLUME = 60  # fixed eSpeak volume (well below int16 clipping); the rest is a float gain


# ---------------------------------------------------------------------------------------------
# eSpeak NG through ctypes
# ---------------------------------------------------------------------------------------------
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_ESPEAK_CHARS_UTF8 = 1
_EE_OK = 0
# espeak_PARAMETER enum (speak_lib.h)
_espeakRATE, _espeakVOLUME, _espeakPITCH, _espeakRANGE, _espeakWORDGAP = 1, 2, 3, 4, 7

_SYNTH_CALLBACK_T = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Espeak:
    """Process-wide libespeak-ng handle (created once, guarded by ``_LOCK``)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.stock_data = Path(espeakng_loader.get_data_path())
        self.lib = lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK_T]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        self._set_seed = getattr(lib, "espeak_ng_SetRandSeed", None)
        if self._set_seed is not None:
            self._set_seed.argtypes = [ctypes.c_long]
            self._set_seed.restype = None

        # Overlay data directory: symlinks to the stock data, our own voices/!v with sanitised
        # variants (written on demand). Lives for the process, removed at exit.
        self.overlay_root = Path(tempfile.mkdtemp(prefix="serlib-espeak-"))
        atexit.register(_remove_if_owner, self.overlay_root, os.getpid())
        data = self.overlay_root / "espeak-ng-data"
        data.mkdir()
        for p in self.stock_data.iterdir():
            if p.name != "voices":
                _link_or_copy(p, data / p.name)
        (data / "voices").mkdir()
        for p in (self.stock_data / "voices").iterdir():
            if p.name != "!v":
                _link_or_copy(p, data / "voices" / p.name)
        self.variant_dir = data / "voices" / "!v"
        self.variant_dir.mkdir()
        self._variants: set[str] = set()

        self.native_rate = int(lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data).encode(), 0))
        if self.native_rate <= 0:
            raise RuntimeError(f"espeak_Initialize failed (returned {self.native_rate}) for data at {data}")
        self.version = (lib.espeak_Info(None) or b"unknown").decode()

        self._chunks: list[np.ndarray] = []

        def _callback(wav, n, _events):  # int SynthCallback(short *wav, int numsamples, espeak_EVENT*)
            if wav and n > 0:
                self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
            return 0

        self._callback = _SYNTH_CALLBACK_T(_callback)  # keep a reference: ctypes does not
        lib.espeak_SetSynthCallback(self._callback)

    def variant(self, stock: str, formant_scale: float) -> str:
        """Name of a sanitised copy of stock variant ``stock`` with formant frequencies scaled."""
        fs = int(round(formant_scale * 1000))
        name = f"serlib-{stock}-{fs}"
        if name not in self._variants:
            text = (self.stock_data / "voices" / "!v" / stock).read_text(encoding="utf-8", errors="replace")
            lines = []
            for line in text.splitlines():
                parts = line.split()
                if parts and parts[0] == "formant" and len(parts) >= 3 and fs != 1000:
                    # formant <n> <freq %> <height %> <width %> [<freq add Hz>]
                    parts[2] = str(max(1, int(round(int(parts[2]) * fs / 1000))))
                    line = " ".join(parts)
                elif parts and parts[0] in ("flutter", "roughness", "breath", "breathw", "name"):
                    continue
                lines.append(line)
            if fs != 1000 and not any(ln.split()[:1] == ["formant"] for ln in lines):
                lines += [f"formant {k} {fs // 10} 100 100" for k in range(9)]
            # Deterministic rendering: no pitch flutter (its phase carries over between
            # utterances), no roughness (cycle counter carries over), no breath (resonator state).
            lines += [f"name {name}", "flutter 0", "roughness 8", "breath 0 0 0 0 0 0 0 0"]
            (self.variant_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            self._variants.add(name)
        return name

    def synth(self, text: str, voice: str, rate: int, pitch: int, pitch_range: int, word_gap: int) -> np.ndarray:
        lib = self.lib
        if lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
            raise ValueError(f"eSpeak NG could not set voice {voice!r}")
        for param, value in ((_espeakRATE, rate), (_espeakVOLUME, _ESPEAK_VOLUME), (_espeakPITCH, pitch),
                             (_espeakRANGE, pitch_range), (_espeakWORDGAP, word_gap)):
            lib.espeak_SetParameter(param, int(value), 0)
        if self._set_seed is not None:
            self._set_seed(12345)
        self._chunks = []
        buf = text.encode("utf-8") + b"\0"
        err = lib.espeak_Synth(buf, len(buf), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None)
        if err != _EE_OK:
            raise RuntimeError(f"espeak_Synth failed with code {err}")
        chunks, self._chunks = self._chunks, []
        out = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        if out.size and int(np.abs(out.astype(np.int32)).max()) >= 32767:
            warnings.warn("eSpeak NG output reached int16 full scale: its automatic gain control may "
                          "carry state into the next utterance (output no longer bit-reproducible)",
                          RuntimeWarning, stacklevel=3)
        return out


def _remove_if_owner(path: Path, pid: int) -> None:
    if os.getpid() == pid:  # not from a forked child that inherited the engine
        shutil.rmtree(path, ignore_errors=True)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        dst.symlink_to(src, target_is_directory=src.is_dir())
    except OSError:  # e.g. Windows without symlink privilege
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)


_LOCK = threading.Lock()
_ENGINE: _Espeak | None = None


def _engine() -> _Espeak:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _Espeak()
    return _ENGINE


def espeak_version() -> str:
    """Version string of the loaded libespeak-ng (e.g. ``"1.52.0"``)."""
    with _LOCK:
        return _engine().version


@functools.lru_cache(maxsize=1)
def _variants() -> tuple[str, ...]:
    import espeakng_loader

    return tuple(sorted(p.name for p in (Path(espeakng_loader.get_data_path()) / "voices" / "!v").iterdir()))


def available_variants() -> list[str]:
    """Stock voice variants shipped in ``espeak-ng-data/voices/!v`` (e.g. ``m1``, ``f3``)."""
    return list(_variants())


def _parse_voice(voice: str) -> tuple[str, str]:
    lang, _, variant = voice.partition("+")
    if not variant:  # "f3" alone
        lang, variant = (_LANGUAGE, lang) if lang in _variants() else (lang, "m1")
    if variant not in _variants():
        raise ValueError(f"unknown eSpeak NG voice variant {variant!r} in {voice!r}")
    return lang or _LANGUAGE, variant


def synthesize_utterance(
    text: str,
    *,
    voice: str,
    rate: float,
    pitch: float,
    pitch_range: float,
    volume: float,
    word_gap: float = 0,
    sample_rate: int = SAMPLE_RATE,
    formant_scale: float = 1.0,
) -> np.ndarray:
    """Render ``text`` with eSpeak NG and return mono float32 audio at ``sample_rate``.

    Pure apart from a process-wide eSpeak NG engine (initialised once, under a lock): the same
    arguments always give the same samples, regardless of what was synthesised before. Serves
    notebook 01_data_exploration and every notebook when no corpus is configured (through
    :func:`synthesize_corpus`).

    Args:
        text: UTF-8 text to speak.
        voice: ``"<language>+<variant>"`` such as ``"en-us+f3"`` (or just ``"f3"``); the variant
            must exist in the shipped ``espeak-ng-data/voices/!v`` (``m1``..``m8``, ``f1``..``f5``,
            ...). Bit-reproducibility is checked for the ``m*``/``f*`` variants; variants that
            switch to eSpeak's Klatt synthesiser (``klatt*``) may keep state between utterances.
        rate: speaking rate in words per minute (eSpeak accepts 80-450).
        pitch: base pitch, 0-100 (50 = the voice's normal pitch).
        pitch_range: pitch range, 0-100 (0 = monotone, 50 = normal).
        volume: 0-200 (100 = normal); applied as the linear gain ``volume / 100`` on the float
            signal, which is what ``espeakVOLUME`` does short of int16 clipping.
        word_gap: extra pause between words, in units of 10 ms.
        sample_rate: output sample rate; eSpeak's native rate (22050 Hz) is resampled with soxr.
        formant_scale: multiplies every formant frequency of the variant (vocal-tract length).

    Returns:
        ``np.ndarray`` of dtype float32, shape ``(n_samples,)``, in [-1, 1] for sane volumes.
    """
    lang, variant = _parse_voice(voice)
    with _LOCK:
        eng = _engine()
        name = eng.variant(variant, float(formant_scale))
        raw = eng.synth(
            text,
            f"{lang}+{name}",
            rate=int(round(np.clip(rate, 80, 450))),
            pitch=int(round(np.clip(pitch, 0, 100))),
            pitch_range=int(round(np.clip(pitch_range, 0, 100))),
            word_gap=int(round(max(0.0, word_gap))),
        )
        native = eng.native_rate
    # Trim the exact digital silence eSpeak puts around the utterance (leading/trailing silence is
    # added explicitly by the corpus generator).
    nz = np.flatnonzero(raw)
    raw = raw[nz[0]: nz[-1] + 1] if nz.size else raw[:0]
    x = raw.astype(np.float64) * ((volume / _ESPEAK_VOLUME) / 32768.0)
    if sample_rate != native and x.size:
        x = soxr.resample(x, native, sample_rate, quality="HQ")
    return np.ascontiguousarray(x, dtype=np.float32)


# ---------------------------------------------------------------------------------------------
# Speakers
# ---------------------------------------------------------------------------------------------
def speaker_profiles(n_speakers: int = 16, seed: int = 0) -> pd.DataFrame:
    """Deterministic synthetic speakers (CREMA-D style ActorIDs from 1001).

    Genders alternate (1001 Male, 1002 Female, ...), so any even number of speakers is balanced.
    Serves notebook 01_data_exploration and every notebook when no corpus is configured.

    Args:
        n_speakers: number of speakers (>= 1).
        seed: random seed; the same seed always gives the same speakers.

    Returns:
        DataFrame with one row per speaker: ``ActorID``, ``Sex``, ``Age``, ``voice``
        (``en-us+<variant>``), ``formant_scale``, baseline ``pitch``, ``pitch_range``, ``rate``
        (wpm), ``volume`` (0-200), ``word_gap``, colouring ``eq1_hz``, ``eq1_db``, ``eq1_q``,
        ``eq2_hz``, ``eq2_db``, ``eq2_q``, ``shelf_db``, ``noise_colour`` (one-pole low-pass
        coefficient of the background noise, 0 = white) and ``gain_db`` (recording gain, dB).
    """
    if n_speakers < 1:
        raise ValueError("n_speakers must be >= 1")
    rng = np.random.default_rng([int(seed), 0x5E71B])
    males = list(rng.permutation(MALE_VARIANTS))
    females = list(rng.permutation(FEMALE_VARIANTS))
    sp = _SPEAKER_SPREAD
    rows = []
    for i in range(n_speakers):
        male = i % 2 == 0
        pool = males if male else females
        variant = pool[(i // 2) % len(pool)]
        eq_hz = np.exp(rng.uniform(np.log(250.0), np.log(4000.0), size=2))
        rows.append({
            "ActorID": 1001 + i,
            "Sex": "Male" if male else "Female",
            "Age": int(rng.integers(20, 75)),
            "voice": f"{_LANGUAGE}+{variant}",
            "formant_scale": round(float(np.clip(1.0 + rng.normal(0, sp["formant_scale"]), 0.9, 1.1)), 3),
            "pitch": float(np.clip(50.0 + rng.normal(0, sp["pitch"]), 30, 70)),
            "pitch_range": float(np.clip(50.0 + rng.normal(0, sp["pitch_range"]), 32, 68)),
            "rate": float(_BASE_RATE_WPM * 2.0 ** np.clip(rng.normal(0, sp["rate"]), -0.3, 0.3)),
            "volume": float(100.0 * 10 ** (rng.normal(0, sp["volume_db"]) / 20)),
            "word_gap": float(rng.uniform(0.0, 1.0)),
            "eq1_hz": float(eq_hz[0]),
            "eq1_db": float(np.clip(rng.normal(0, sp["eq_gain_db"]), -9, 9)),
            "eq1_q": float(rng.uniform(0.7, 2.0)),
            "eq2_hz": float(eq_hz[1]),
            "eq2_db": float(np.clip(rng.normal(0, sp["eq_gain_db"]), -9, 9)),
            "eq2_q": float(rng.uniform(0.7, 2.0)),
            "shelf_db": float(np.clip(rng.normal(0, sp["shelf_db"]), -6, 6)),
            "noise_colour": float(rng.uniform(sp["noise_colour_low"], sp["noise_colour_high"])),
            "gain_db": float(rng.uniform(-8.0, 0.0)),
        })
    return pd.DataFrame(rows)


# ---------------------------------------------------------------------------------------------
# One emotional utterance
# ---------------------------------------------------------------------------------------------
def _utterance_rng(seed: int, actor: int, sentence: str, emotion: str, level: str) -> np.random.Generator:
    s = list(SENTENCES).index(sentence) if sentence in SENTENCES else int(
        hashlib.sha256(sentence.encode()).hexdigest()[:8], 16)
    return np.random.default_rng([int(seed), int(actor), s, EMOTIONS.index(emotion), LEVELS.index(level)])


def utterance_parameters(speaker, emotion: str, level: str = "XX", rng: np.random.Generator | None = None) -> dict:
    """Synthesis and post-filter parameters for one utterance of ``speaker`` in ``emotion``.

    Args:
        speaker: one row of :func:`speaker_profiles` (Series or dict).
        emotion: CREMA-D emotion code (``ANG``, ``DIS``, ``FEA``, ``HAP``, ``NEU``, ``SAD``).
        level: CREMA-D intensity level (``LO``, ``MD``, ``HI``, ``XX``); scales the deviation.
        rng: source of per-utterance jitter; ``None`` gives the jitter-free (prototypical) values.

    Returns:
        dict with eSpeak arguments (``voice``, ``formant_scale``, ``rate``, ``pitch``,
        ``pitch_range``, ``volume``, ``word_gap``) and post-filter values (``tilt_db``,
        ``tremor``, ``tremor_hz``).
    """
    if emotion not in EMOTION_PROFILES:
        raise ValueError(f"unknown emotion {emotion!r}; expected one of {EMOTIONS}")
    if level not in INTENSITY_SCALE:
        raise ValueError(f"unknown level {level!r}; expected one of {LEVELS}")
    k = INTENSITY_SCALE[level]
    prof = EMOTION_PROFILES[emotion]

    def j(name: str) -> float:
        return float(rng.normal(0.0, JITTER[name])) if rng is not None else 0.0

    return {
        "voice": speaker["voice"],
        "formant_scale": float(speaker["formant_scale"]) * (1.0 + (k * prof["formant_pct"] + j("formant_pct")) / 100),
        "pitch": float(np.clip(speaker["pitch"] + k * prof["pitch"] + j("pitch"), 0, 100)),
        "pitch_range": float(np.clip(speaker["pitch_range"] + k * prof["pitch_range"] + j("pitch_range"), 0, 100)),
        "rate": float(np.clip(speaker["rate"] * 2.0 ** (k * prof["rate"] + j("rate")), 80, 450)),
        "volume": float(speaker["volume"] * 10 ** ((k * prof["volume_db"] + j("volume_db")) / 20)),
        "word_gap": float(max(0.0, speaker["word_gap"] + k * prof["word_gap"] + j("word_gap"))),
        "tilt_db": float(k * prof["tilt_db"] + j("tilt_db")),
        "tremor": float(np.clip(k * prof["tremor"] + j("tremor"), 0.0, 0.6)),
        "tremor_hz": float(rng.uniform(5.0, 8.0)) if rng is not None else 6.5,
    }


def _peaking(f0: float, gain_db: float, q: float, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """RBJ audio-EQ-cookbook peaking filter."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * min(f0, 0.45 * sr) / sr
    alpha = math.sin(w0) / (2 * q)
    b = np.array([1 + alpha * a, -2 * math.cos(w0), 1 - alpha * a])
    den = np.array([1 + alpha / a, -2 * math.cos(w0), 1 - alpha / a])
    return b / den[0], den / den[0]


def _high_shelf(f0: float, gain_db: float, sr: int) -> tuple[np.ndarray, np.ndarray]:
    """RBJ audio-EQ-cookbook high shelf (slope S = 1)."""
    a = 10 ** (gain_db / 40)
    w0 = 2 * math.pi * f0 / sr
    cw, alpha = math.cos(w0), math.sin(w0) / 2 * math.sqrt(2)
    sa = 2 * math.sqrt(a) * alpha
    b = np.array([a * ((a + 1) + (a - 1) * cw + sa), -2 * a * ((a - 1) + (a + 1) * cw), a * ((a + 1) + (a - 1) * cw - sa)])
    den = np.array([(a + 1) - (a - 1) * cw + sa, 2 * ((a - 1) - (a + 1) * cw), (a + 1) - (a - 1) * cw - sa])
    return b / den[0], den / den[0]


def render_utterance(
    text: str,
    speaker,
    emotion: str,
    level: str = "XX",
    *,
    rng: np.random.Generator | None = None,
    clean: bool = False,
    sample_rate: int = SAMPLE_RATE,
) -> tuple[np.ndarray, dict]:
    """Render one emotional utterance of ``speaker`` (speech + post-filters + recording conditions).

    Args:
        text: what is said.
        speaker: one row of :func:`speaker_profiles`.
        emotion: CREMA-D emotion code.
        level: CREMA-D intensity level.
        rng: per-utterance randomness (jitter, gain, silence, noise); ``None`` -> none of it.
        clean: if true, skip speaker colouring, gain, silence padding and noise (emotion only).
        sample_rate: output rate.

    Returns:
        ``(audio float32, parameters dict)``; the dict also holds ``gain_db``, ``snr_db``,
        ``lead_s`` and ``trail_s`` when they were applied.
    """
    p = utterance_parameters(speaker, emotion, level, rng)
    y = synthesize_utterance(
        text, voice=p["voice"], rate=p["rate"], pitch=p["pitch"], pitch_range=p["pitch_range"],
        volume=p["volume"], word_gap=p["word_gap"], sample_rate=sample_rate, formant_scale=p["formant_scale"],
    ).astype(np.float64)
    # Emotion post-filters: high-frequency energy (vocal effort) and amplitude tremor.
    if abs(p["tilt_db"]) > 1e-3:
        b, a = _high_shelf(1500.0, p["tilt_db"], sample_rate)
        y = scipy.signal.lfilter(b, a, y)
    if p["tremor"] > 0:
        t = np.arange(y.size) / sample_rate
        phase = float(rng.uniform(0, 2 * math.pi)) if rng is not None else 0.0
        y = y * (1.0 - p["tremor"] * 0.5 * (1.0 + np.sin(2 * math.pi * p["tremor_hz"] * t + phase)))
    if clean:
        return y.astype(np.float32), p
    # Speaker colouring (microphone + room).
    for hz, db, q in ((speaker["eq1_hz"], speaker["eq1_db"], speaker["eq1_q"]),
                      (speaker["eq2_hz"], speaker["eq2_db"], speaker["eq2_q"])):
        b, a = _peaking(float(hz), float(db), float(q), sample_rate)
        y = scipy.signal.lfilter(b, a, y)
    b, a = _high_shelf(3000.0, float(speaker["shelf_db"]), sample_rate)
    y = scipy.signal.lfilter(b, a, y)
    if rng is None:
        return y.astype(np.float32), p
    J = JITTER
    p["gain_db"] = float(speaker["gain_db"] + rng.normal(0.0, J["gain_db"]))
    p["lead_s"] = float(rng.uniform(J["lead_s_low"], J["lead_s_high"]))
    p["trail_s"] = float(rng.uniform(J["trail_s_low"], J["trail_s_high"]))
    p["snr_db"] = float(rng.uniform(J["snr_db_low"], J["snr_db_high"]))
    speech_s = y.size / sample_rate
    total = speech_s + p["lead_s"] + p["trail_s"]
    if total < J["min_total_s"]:  # pad short clips, keeping the lead/trail proportion
        f = (J["min_total_s"] - speech_s) / (p["lead_s"] + p["trail_s"])
        p["lead_s"], p["trail_s"] = p["lead_s"] * f, p["trail_s"] * f
    elif total > J["max_total_s"]:  # shorten silences of long clips (never below 50 ms)
        f = max(0.0, J["max_total_s"] - speech_s - 0.1) / (p["lead_s"] + p["trail_s"] - 0.1)
        p["lead_s"], p["trail_s"] = 0.05 + (p["lead_s"] - 0.05) * f, 0.05 + (p["trail_s"] - 0.05) * f
    y = y * 10 ** (p["gain_db"] / 20)
    speech_power = float(np.mean(y ** 2)) if y.size else 0.0
    y = np.concatenate([np.zeros(int(p["lead_s"] * sample_rate)), y, np.zeros(int(p["trail_s"] * sample_rate))])
    noise = scipy.signal.lfilter([1.0], [1.0, -float(speaker["noise_colour"])], rng.standard_normal(y.size))
    noise_power = float(np.mean(noise ** 2)) or 1.0
    y = y + noise * math.sqrt(speech_power / noise_power * 10 ** (-p["snr_db"] / 10))
    peak = float(np.max(np.abs(y))) if y.size else 0.0
    if peak > 0.99:  # never clip: scale the whole file down
        y *= 0.99 / peak
    return y.astype(np.float32), p


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
    from .progress import tqdm

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
        "Generated by serlib.embedded (generator version %s) with eSpeak NG %s, seed %d, %d speakers.\n"
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
        "description": "Synthetic acted-emotional-speech corpus in the CREMA-D layout (serlib.embedded).",
        "generator": "serlib.embedded",
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

"""Per-emotion prosody and voice-quality profiles, speakers, and rendering one emotional utterance.

Serves :mod:`serlib.data.embedded.corpus` (notebook 01). The profiles give each emotion's cues relative to the
speaker's neutral baseline (pitch level and range, rate, loudness, spectral tilt, jitter); see the references in
:mod:`serlib.data.embedded.corpus`."""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import scipy.signal

from serlib.data.embedded.design import (
    _LANGUAGE,
    EMOTIONS,
    FEMALE_VARIANTS,
    INTENSITY_SCALE,
    LEVELS,
    MALE_VARIANTS,
    SAMPLE_RATE,
    SENTENCES,
)
from serlib.data.embedded.espeak import synthesize_utterance

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

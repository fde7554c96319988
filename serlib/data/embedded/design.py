"""The design of the embedded synthetic corpus: sentences, emotions, intensity levels, voices.

Serves :mod:`serlib.data.embedded.corpus` (notebook 01). It mirrors CREMA-D's design: 12 sentences, 6 emotions,
4 intensity levels."""

from __future__ import annotations

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

"""The embedded synthetic corpus: what every notebook runs on when no corpus is configured.

- :mod:`serlib.data.embedded.design` - the corpus design (sentences, emotions, levels, voices).
- :mod:`serlib.data.embedded.espeak` - the eSpeak NG binding (``ctypes``) that speaks a sentence.
- :mod:`serlib.data.embedded.prosody` - per-emotion prosody and voice-quality profiles, speakers, rendering.
- :mod:`serlib.data.embedded.corpus` - the corpus plan, writing it in CREMA-D layout, and its cache."""

from serlib.data.embedded.corpus import (  # noqa: F401
    corpus_key,
    corpus_plan,
    ensure_embedded_corpus,
    is_complete_corpus,
    synthesize_corpus,
)
from serlib.data.embedded.design import (  # noqa: F401
    EMOTIONS,
    FEMALE_VARIANTS,
    GENERATOR_VERSION,
    INTENSITY_SCALE,
    LEVELS,
    MALE_VARIANTS,
    SAMPLE_RATE,
    SENTENCES,
)
from serlib.data.embedded.espeak import (  # noqa: F401
    available_variants,
    espeak_version,
    synthesize_utterance,
)
from serlib.data.embedded.prosody import (  # noqa: F401
    EMOTION_PROFILES,
    JITTER,
    render_utterance,
    speaker_profiles,
    utterance_parameters,
)

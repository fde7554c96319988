"""Corpus loaders: emotional speech corpora on disk -> manifest DataFrames.

Serves notebook 01_data_exploration.

Every loader walks a corpus folder as the public release ships it, parses the
corpus' own file naming (and label files where the names carry no label) and
returns a *manifest*: one row per utterance, sorted by path, with a canonical
emotion vocabulary shared by all corpora (:data:`CANONICAL_EMOTIONS`).
Files that look like audio (``.wav`` / ``.flac``, any case) but cannot be
labelled are not dropped silently: they are returned in a second table,
``skipped``, with a one-line reason. Anything else (``.txt``, ``.csv``,
hidden files, ``__MACOSX``) is ignored.

Example:
    >>> from serlib.data import corpora
    >>> manifest = corpora.load("ravdess", "../shared/data/ravdess")  # doctest: +SKIP
    >>> manifest.groupby("emotion").size()  # doctest: +SKIP

Corpora, layouts (real example names) and emotion code -> canonical emotion
(full tables in the ``_parse_*`` docstrings):

- ``ravdess``: ``Actor_12/03-01-06-01-02-01-12.wav``; 01 neutral, 02 calm,
  03 happy, 04 sad, 05 angry, 06 fearful, 07 disgust, 08 surprised.
- ``tess``: ``OAF_Fear/OAF_back_fear.wav``; angry, disgust, fear -> fearful,
  happy, neutral, ps -> surprised, sad.
- ``crema-d``: ``AudioWAV/1001_DFA_ANG_XX.wav`` + ``VideoDemographics.csv``;
  ANG angry, DIS disgust, FEA fearful, HAP happy, NEU neutral, SAD sad.
- ``iemocap``: ``Session1/sentences/wav/Ses01F_impro01/Ses01F_impro01_F000.wav``
  + ``Session1/dialog/EmoEvaluation/Ses01F_impro01.txt``; neu, hap, sad, ang,
  exc -> excited, fru -> frustrated, sur, fea, dis, oth -> other; xxx skipped.
- ``savee``: ``ALL/DC_a01.wav`` or ``AudioData/DC/a01.wav``; a angry,
  d disgust, f fearful, h happy, n neutral, sa sad, su surprised.
- ``emodb``: ``wav/03a01Fa.wav``; W angry, L boredom, E disgust, A fearful,
  F happy, T sad, N neutral.
- ``embedded``: the synthetic corpus of :mod:`serlib.data.embedded`, read as
  CREMA-D, plus a ``synthetic`` column (True).
"""

from serlib.data.corpora.common import (  # noqa: F401
    AUDIO_EXTENSIONS,
    BASE_COLUMNS,
    CANONICAL_EMOTIONS,
    CORPORA,
    SKIPPED_COLUMNS,
    CorpusNotFoundError,
)
from serlib.data.corpora.download import (  # noqa: F401
    CORPUS_LICENCES,
    DOWNLOADS,
    ChecksumError,
    DownloadError,
    download,
)
from serlib.data.corpora.manifest import (  # noqa: F401
    combine,
    load,
    scan,
    skipped_files,
)

"""One-line messages: what a skip table, a log line or the command line shows for an error.

Used by the loaders (:mod:`serlib.data.corpora`), audio validation (:mod:`serlib.data.audio`) and the command
line (``serlib predict``). Imports nothing, so the light command-line path stays light.
"""

from __future__ import annotations


def one_line(message: BaseException | str, max_chars: int | None = None) -> str:
    """``message`` (an exception or a text) on one line: whitespace, newlines included, folded to single spaces,
    cut to ``max_chars`` characters; an exception without text gives its type name."""
    text = " ".join(str(message).split())
    if not text and isinstance(message, BaseException):
        text = type(message).__name__
    return text if max_chars is None else text[:max_chars]


class InsufficientDataError(ValueError):
    """A corpus (after its bad files are skipped) is too small for one experiment: too few speakers, emotions or
    utterances. The experiment is skipped with this one-line reason and the run goes on; any other error still
    stops it."""

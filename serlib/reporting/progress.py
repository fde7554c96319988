"""Progress bars that go to the terminal, not into executed notebooks (all notebooks; ``run_all.py``).

Every long loop of the library uses :func:`tqdm` from here. Interactively (JupyterLab, a script) it is plain
``tqdm`` on stderr. When ``run_all.py`` runs the notebooks it sets :data:`PROGRESS_ENV` to a file in the run
folder; the kernels then write their bars there instead of into the notebook's outputs, and ``run_all.py``
echoes that file to its own terminal while each notebook runs (:func:`follow`). The executed notebooks and the
HTML report stay free of progress noise.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import sys
import threading
from pathlib import Path

#: Environment variable naming the file progress bars are written to (set by ``run_all.py``).
PROGRESS_ENV = "SERLIB_PROGRESS_FILE"

_streams: dict[str, object] = {}


def progress_stream():
    """The stream progress bars write to: the file named by :data:`PROGRESS_ENV`, else ``sys.stderr``."""
    path = os.environ.get(PROGRESS_ENV)
    if not path:
        return sys.stderr
    stream = _streams.get(path)
    if stream is None or stream.closed:
        stream = open(path, "a", encoding="utf-8", buffering=1)
        _streams[path] = stream
    return stream


def tqdm(*args, **kwargs):
    """``tqdm.tqdm`` writing to :func:`progress_stream` (same arguments; an explicit ``file`` wins)."""
    from tqdm import tqdm as _tqdm

    if "file" not in kwargs:
        kwargs["file"] = progress_stream()
        if os.environ.get(PROGRESS_ENV):
            kwargs.setdefault("mininterval", 2.0)  # a file fills fast at tqdm's default 0.1 s
    return _tqdm(*args, **kwargs)


@contextlib.contextmanager
def follow(path: str | os.PathLike, out=None, poll_s: float = 0.5):
    """Echo what is appended to ``path`` to ``out`` (default ``sys.stderr``) while the block runs.

    ``run_all.py`` wraps each notebook's execution in it, so the kernels' progress bars show in its terminal.
    """
    out = out if out is not None else sys.stderr
    path = Path(path)
    stop = threading.Event()
    start = path.stat().st_size if path.exists() else 0

    def pump(position: int) -> int:
        if not path.exists():
            return position
        with open(path, "r", encoding="utf-8", errors="replace") as fh:
            fh.seek(position)
            chunk = fh.read()
            position = fh.tell()
        if chunk:
            out.write(chunk)
            out.flush()
        return position

    def loop():
        position = start
        while not stop.wait(poll_s):
            position = pump(position)
        pump(position)

    thread = threading.Thread(target=loop, name="serlib-progress-follow", daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join(timeout=5)


#: Lines of start-up and logging noise that never belong in an executed notebook or the report: progress bars,
#: TensorFlow/absl start-up messages, tqdm's IProgress warning.
NOISE_PATTERNS = (
    r"\d+%\|",  # a tqdm bar
    r"\x1b\[A",  # a nested bar's cursor movement
    r"^WARNING: All log messages before absl::InitializeLog\(\)",
    r"^[IWE]\d{4} [\d:.]+\s+\d+ \S+\.(cc|h):\d+\]",  # absl/TF C++ log lines
    r"TqdmWarning: IProgress not found",
    r"^\s+from \.autonotebook import tqdm as notebook_tqdm",
)


def is_noise(line: str) -> bool:
    """Whether a stderr line is progress or logging noise (:data:`NOISE_PATTERNS`)."""
    import re

    return any(re.search(p, line) for p in NOISE_PATTERNS)


def strip_noise(notebook) -> int:
    """Remove noise lines from the stderr outputs of an ``nbformat`` notebook, in place.

    Stderr outputs left empty are dropped. Returns the number of lines removed. ``run_all.py`` applies it to
    every executed copy before the report is built.
    """
    removed = 0
    for cell in notebook.get("cells", []):
        kept = []
        for out in cell.get("outputs", []):
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                text = out.get("text", "")
                text = "".join(text) if isinstance(text, list) else text
                lines = text.replace("\r", "\n").splitlines(keepends=True)
                clean = [ln for ln in lines if not is_noise(ln)]
                removed += len(lines) - len(clean)
                if not "".join(clean).strip():
                    continue
                out["text"] = "".join(clean)
            kept.append(out)
        if "outputs" in cell:
            cell["outputs"] = kept
    return removed


def previous_seconds(notebook: str, budget: str, metrics_files) -> float | None:
    """Wall time of ``notebook`` (a stem like ``"04_cnn_lstm"``) in the first of ``metrics_files`` whose
    ``timing`` has it finished at the same ``budget``, else ``None``. Serves ``run_all.py``'s ETA."""
    for path in metrics_files:
        try:
            timing = json.loads(Path(path).read_text()).get("timing", {})
        except (OSError, ValueError, AttributeError):
            continue
        entry = timing.get(notebook) if isinstance(timing, dict) else None
        if isinstance(entry, dict) and entry.get("budget") == budget and entry.get("status") == "ok":
            return float(entry["seconds"])
    return None


def eta_text(expected_s: float | None, now: dt.datetime | None = None) -> str:
    """``"last time 94 min, ETA 19:43 UTC"`` for an expected duration, or ``"no earlier time"``."""
    if expected_s is None:
        return "no earlier time at this budget"
    now = now or dt.datetime.now(dt.timezone.utc)
    end = now + dt.timedelta(seconds=expected_s)
    took = f"{expected_s / 60:.0f} min" if expected_s >= 90 else f"{expected_s:.0f} s"
    return f"last time {took}, ETA {end:%H:%M} UTC"

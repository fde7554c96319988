"""A killed run resumes from the result cache, and two runs can share one cache folder (processes, not mocks)."""

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

#: One "run": the tiny CNN-LSTM over 4 speaker folds x 2 seeds through run_protocol, result cache on; it prints
#: one JSON line with what it predicted and how many trainings came from the cache.
SCRIPT = """
import dataclasses, json, sys
from serlib.evaluation.splits import speaker_independent_folds
from serlib.experiments.protocols import run_protocol
from tests.test_models import TINY, _data
fs = _data(n_per=16)
folds = speaker_independent_folds(fs.manifest, 4, seed=0)
res = run_protocol(fs, folds, dataclasses.replace(TINY, epochs=int(sys.argv[1])), [0, 1], progress=False)
print(json.dumps({"from_cache": int(res.trainings["from_cache"].sum()),
                  "y_pred": res.predictions["y_pred"].tolist(),
                  "proba": [round(float(x), 6) for p in res.predictions["proba"] for x in p]}))
"""


def _env(cache: Path) -> dict:
    return {**os.environ, "SERLIB_RESULT_CACHE": "1", "SERLIB_CACHE_DIR": str(cache),
            "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
            "TF_CPP_MIN_LOG_LEVEL": "3", "OMP_NUM_THREADS": "1", "TF_NUM_INTRAOP_THREADS": "1"}


def _start(cache: Path, epochs: int = 3) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", SCRIPT, str(epochs)], cwd=ROOT, env=_env(cache),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(proc: subprocess.Popen) -> dict:
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err[-3000:]
    return json.loads(out.strip().splitlines()[-1])


def _entries(cache: Path) -> list[Path]:
    return sorted((cache / "results").rglob("*.npz")) if (cache / "results").exists() else []


def test_a_killed_run_resumes_where_it_stopped(tmp_path):
    cache = tmp_path / "cache"
    proc = _start(cache)
    deadline = time.monotonic() + 300
    while len(_entries(cache)) < 2 and proc.poll() is None and time.monotonic() < deadline:
        time.sleep(0.2)
    assert proc.poll() is None, "the run ended before it could be killed; give it more trainings"
    proc.send_signal(signal.SIGKILL)  # as a session or machine stop would: no clean-up
    proc.wait()
    done_before_kill = len(_entries(cache))
    assert 2 <= done_before_kill < 8
    resumed = _finish(_start(cache))
    assert resumed["from_cache"] == done_before_kill  # finished trainings are read back, the rest trained
    assert len(_entries(cache)) == 8
    again = _finish(_start(cache))
    assert again["from_cache"] == 8 and again["y_pred"] == resumed["y_pred"] and again["proba"] == resumed["proba"]


def test_two_runs_share_one_cache_folder(tmp_path):
    cache = tmp_path / "shared"
    first, second = _start(cache), _start(cache)
    a, b = _finish(first), _finish(second)
    assert a["y_pred"] == b["y_pred"]  # same trainings, whichever run wrote an entry first
    assert len(_entries(cache)) == 8 and a["from_cache"] + b["from_cache"] <= 8

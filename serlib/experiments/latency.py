"""Timing helpers for response-time measurements: percentiles, throughput, the machine they ran on.

Serves notebook 06_latency_comparison. The paper reports a 3.2 ms "response time" without saying what was
timed; here every number says what it covers (model forward only, feature extraction only, or file ->
label), the batch size, the runtime and the threads, and comes with the CPU it was measured on.

Rules applied by :func:`measure`:

- warm-up calls (graph tracing, memory allocation, caches) are run first and excluded;
- each call is timed on its own with :func:`time.perf_counter_ns` (monotonic, nanosecond resolution);
- the summary gives percentiles (p50 = median, p95, p99: ``numpy.percentile``, linear interpolation) rather
  than a mean, because a shared CPU produces long-tail outliers that a mean would hide or exaggerate.

Nothing here plots or asserts a speed; speed targets live in :mod:`serlib.targets` and are compared in
:mod:`serlib.experiments.latency_report`. The models timed and their stages are in
:mod:`serlib.experiments.latency_models`.
"""

from __future__ import annotations

import os
import platform
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np
import pandas as pd

#: Percentiles reported by :func:`summarize` (and their column names).
PERCENTILES = (50, 95, 99)
#: Protocol recorded with every latency table and figure: the models only predict, nothing is split.
INFERENCE = "inference (no train/test split)"


@dataclass(frozen=True)
class TimingPlan:
    """How much timing a run of notebook 06 does: repeats, warm-up, rounds, batch sizes, benchmark sizes.

    Serves notebook 06_latency_comparison. :meth:`for_run` gives the full plan or the ``--quick`` one.

    Attributes:
        repeats: timed calls per fast measurement (ms-scale calls).
        warmup: untimed calls before the first timed one.
        slow_repeats: timed calls for calls that take tens of ms (Keras ``predict``, eager call).
        rounds: rounds the timed calls are interleaved over (:func:`measure_interleaved`).
        batch_sizes: batch sizes of the throughput measurement.
        throughput_repeats: timed calls per batch size and runtime.
        check_utterances: real utterances on which ONNX Runtime is compared with Keras (at most).
        cold_repeats: fresh processes per command in the shipped model's cold-start benchmark.
        timeline_minutes: length of the long recording of the shipped model's timeline benchmark.
    """

    repeats: int = 300
    warmup: int = 20
    slow_repeats: int = 60
    rounds: int = 10
    batch_sizes: tuple[int, ...] = (1, 8, 32, 128)
    throughput_repeats: int = 20
    check_utterances: int = 256
    cold_repeats: int = 10
    timeline_minutes: float = 60.0

    def __post_init__(self):
        for name in ("repeats", "slow_repeats", "rounds", "throughput_repeats", "check_utterances", "cold_repeats"):
            if int(getattr(self, name)) < 1:
                raise ValueError(f"TimingPlan.{name} must be >= 1, got {getattr(self, name)}")
        if int(self.warmup) < 0:
            raise ValueError(f"TimingPlan.warmup must be >= 0, got {self.warmup}")
        if not self.batch_sizes or min(int(b) for b in self.batch_sizes) < 1:
            raise ValueError(f"TimingPlan.batch_sizes must be non-empty and >= 1, got {self.batch_sizes}")
        if not float(self.timeline_minutes) > 0:
            raise ValueError(f"TimingPlan.timeline_minutes must be > 0, got {self.timeline_minutes}")

    @classmethod
    def for_run(cls, quick: bool = False) -> "TimingPlan":
        """The full plan, or the small one of a ``--quick`` run (tens of timed calls instead of hundreds)."""
        if quick:
            return cls(repeats=30, warmup=5, slow_repeats=10, rounds=5, batch_sizes=(1, 8, 32), throughput_repeats=5,
                       check_utterances=64, cold_repeats=3, timeline_minutes=1.0)
        return cls()


def prepare_timing_process(threads: int = 1):
    """Set up this process for timing: openSMILE warmed up, then TensorFlow imported with fixed thread pools.

    Serves notebook 06 (its first cell, before anything else imports TensorFlow). openSMILE (the strong
    model's pitch and voice-quality frames) must run once before TensorFlow is imported, or later calls go
    through a helper process (:func:`serlib.features.egemaps.opensmile_egemaps`) and its timings with them.
    TensorFlow's threads must be fixed before it runs its first operation: ``threads`` intra-op threads
    (batch-1 latency is best on one) and one inter-op thread.

    Returns:
        the ``tensorflow`` module.
    """
    if int(threads) < 1:
        raise ValueError(f"threads must be >= 1, got {threads}")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    from serlib.features.egemaps import warm_opensmile

    warm_opensmile()
    import tensorflow as tf

    tf.config.threading.set_intra_op_parallelism_threads(int(threads))
    tf.config.threading.set_inter_op_parallelism_threads(1)
    return tf


def time_calls(fn: Callable[[], object], *, repeats: int = 200, warmup: int = 10,
               clock: Callable[[], int] = time.perf_counter_ns) -> np.ndarray:
    """Call ``fn()`` ``warmup`` times untimed, then ``repeats`` times timed one by one.

    Serves notebook 06.

    Args:
        fn: a callable without arguments (wrap arguments in a lambda).
        repeats: timed calls (>= 1).
        warmup: untimed calls first (>= 0).
        clock: a nanosecond clock (tests may pass a fake one).

    Returns:
        float64 array of ``repeats`` durations in milliseconds, in call order.
    """
    if int(repeats) < 1:
        raise ValueError(f"repeats must be >= 1, got {repeats}")
    if int(warmup) < 0:
        raise ValueError(f"warmup must be >= 0, got {warmup}")
    for _ in range(int(warmup)):
        fn()
    out = np.empty(int(repeats), dtype=np.float64)
    for i in range(int(repeats)):
        t0 = clock()
        fn()
        out[i] = (clock() - t0) / 1e6
    return out


def summarize(times_ms) -> dict:
    """p50 / p95 / p99, mean, min, max and count of durations in milliseconds.

    Serves notebook 06.

    Raises:
        ValueError: empty input, or a negative or non-finite duration.
    """
    t = np.asarray(times_ms, dtype=np.float64).ravel()
    if t.size == 0:
        raise ValueError("no durations to summarise")
    if not np.all(np.isfinite(t)) or np.any(t < 0):
        raise ValueError("durations must be finite and >= 0 ms")
    out = {f"p{p}": float(np.percentile(t, p)) for p in PERCENTILES}
    out.update(mean=float(t.mean()), min=float(t.min()), max=float(t.max()), n=int(t.size))
    return out


def measure(name: str, fn: Callable[[], object], *, repeats: int = 200, warmup: int = 10,
            **labels) -> tuple[dict, np.ndarray]:
    """Time ``fn`` (see :func:`time_calls`) and summarise it as one row.

    Serves notebook 06.

    Args:
        name: what is timed, e.g. ``"model forward (ONNX Runtime)"``.
        fn: callable without arguments.
        repeats, warmup: as in :func:`time_calls`.
        **labels: extra columns for the row (stage, runtime, batch size, threads, ...).

    Returns:
        ``(row, times_ms)``: a dict with ``name``, the labels and the :func:`summarize` fields, and the raw
        durations (for distribution plots).
    """
    times = time_calls(fn, repeats=repeats, warmup=warmup)
    return {"name": name, **labels, **summarize(times)}, times


def measure_interleaved(specs: list[dict], *, rounds: int = 10, warmup: int = 10,
                        progress: bool = False) -> tuple[list[dict], dict]:
    """Time several callables in alternating rounds, so that they share the same background load.

    Serves notebook 06. Timing stage A for a minute and then stage B for a minute lets a burst of other
    work on a shared machine land on one of them only; here every round times a slice of each callable in
    turn, so a burst inflates all of them alike and their comparison stays fair.

    Args:
        specs: dicts with ``name``, ``fn`` (callable without arguments), ``repeats`` (timed calls in total)
            and optional ``labels`` (extra row columns).
        rounds: number of rounds the timed calls are spread over (>= 1).
        warmup: untimed calls of each callable before the first round.
        progress: show a tqdm bar over the rounds.

    Returns:
        ``(rows, times)``: one :func:`summarize` row per spec (with ``name`` and labels, in spec order) and
        ``{name: durations in ms}``.
    """
    if int(rounds) < 1:
        raise ValueError(f"rounds must be >= 1, got {rounds}")
    names = [s["name"] for s in specs]
    if len(set(names)) != len(names):
        raise ValueError("spec names must be unique")
    for s in specs:
        if int(s.get("repeats", 0)) < 1:
            raise ValueError(f"{s['name']}: repeats must be >= 1")
        for _ in range(int(warmup)):
            s["fn"]()
    from serlib.reporting.progress import tqdm

    collected: dict[str, list[np.ndarray]] = {n: [] for n in names}
    for r in tqdm(range(int(rounds)), desc="timing rounds", disable=not progress):
        for s in specs:
            total = int(s["repeats"])
            n = total // int(rounds) + (1 if r < total % int(rounds) else 0)
            if n:
                collected[s["name"]].append(time_calls(s["fn"], repeats=n, warmup=0))
    times = {n: np.concatenate(v) for n, v in collected.items()}
    rows = [{"name": s["name"], **s.get("labels", {}), **summarize(times[s["name"]])} for s in specs]
    return rows, times


def throughput(fn_batch: Callable[[], object], batch_size: int, *, repeats: int = 20, warmup: int = 3) -> dict:
    """Utterances per second of a call that processes ``batch_size`` utterances.

    Serves notebook 06 (batched throughput). Throughput is ``batch_size / median(call time)``, so a few
    slow calls on a shared machine do not dominate it.

    Returns:
        dict with ``batch_size``, ``p50_ms`` (per call), ``per_utterance_ms`` and ``utterances_per_s``.
    """
    if int(batch_size) < 1:
        raise ValueError(f"batch_size must be >= 1, got {batch_size}")
    s = summarize(time_calls(fn_batch, repeats=repeats, warmup=warmup))
    per_call = s["p50"]
    return {
        "batch_size": int(batch_size),
        "p50_ms": per_call,
        "per_utterance_ms": per_call / int(batch_size),
        "utterances_per_s": 1000.0 * int(batch_size) / per_call if per_call > 0 else float("inf"),
    }


def fit_to_duration(y: np.ndarray, sr: int, seconds: float) -> np.ndarray:
    """Cut or cyclically repeat a waveform to exactly ``seconds`` (no zero padding).

    Serves notebook 06 (the 3-second test clip). Repeating real speech instead of padding with zeros keeps
    the whole clip voiced, so silence trimming at inference does not shorten it.
    """
    y = np.asarray(y, dtype=np.float32)
    if y.ndim != 1 or y.size == 0:
        raise ValueError(f"expected a non-empty 1-D waveform, got shape {y.shape}")
    if sr <= 0 or seconds <= 0:
        raise ValueError(f"sr and seconds must be positive, got sr={sr}, seconds={seconds}")
    n = int(round(seconds * sr))
    return np.resize(y, n).astype(np.float32)


def make_test_clip(source: str | os.PathLike, out_path: str | os.PathLike, seconds: float = 3.0, *,
                   trim_db: float | None = 30.0) -> dict:
    """Write a ``seconds``-long clip made from a real recording, at the recording's native rate and format.

    Serves notebook 06 (end-to-end latency of a 3-second file). The source is read as stored, its
    leading/trailing silence trimmed (``trim_db``), then cut or repeated to ``seconds`` with
    :func:`fit_to_duration`, and written with the same sample rate (and FLAC or WAV by ``out_path``'s
    extension), so reading and resampling it costs what reading a corpus file costs.

    Returns:
        dict with ``path``, ``source``, ``sample_rate`` and ``duration_s``.
    """
    import soundfile as sf

    data, sr = sf.read(os.fspath(source), dtype="float32", always_2d=True)
    y = data.mean(axis=1)
    if trim_db is not None:
        import librosa

        y, _ = librosa.effects.trim(y, top_db=trim_db)
    clip = fit_to_duration(y, sr, seconds)
    out_path = Path(out_path)
    out_path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(out_path, clip, sr, subtype="PCM_16")
    return {"path": str(out_path), "source": os.fspath(source), "sample_rate": int(sr),
            "duration_s": len(clip) / sr}


def limit_native_threads(n: int = 1):
    """Limit the BLAS / OpenMP thread pools used by numpy, scipy and librosa to ``n`` threads.

    Serves notebook 06 and the command line. On a small shared CPU, a multi-threaded BLAS call on the small
    matrices of one utterance's features waits for a descheduled helper thread more often than it gains
    from it; one thread gives steadier and, at p50, faster feature extraction. The libraries are imported
    first so that the limit applies to them (threadpoolctl only sees loaded libraries).

    Returns:
        the threadpoolctl limiter (``.restore_original_limits()`` undoes it).
    """
    if int(n) < 1:
        raise ValueError(f"n must be >= 1, got {n}")
    import librosa  # noqa: F401
    import scipy.fft  # noqa: F401
    import scipy.signal  # noqa: F401
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=int(n))


def cpu_model() -> str:
    """CPU model name from ``/proc/cpuinfo`` (Linux) or :func:`platform.processor`."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.lower().startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or platform.machine() or "unknown"


def system_info(*, ort_threads: int | None = None) -> dict:
    """The machine and software a measurement ran on.

    Serves notebook 06. TensorFlow's thread settings are read only if TensorFlow is already imported
    (reading them does not initialise it).

    Args:
        ort_threads: the intra-op threads given to ONNX Runtime sessions, if any (recorded as is).

    Returns:
        dict with ``cpu_model``, ``logical_cpus``, ``usable_cpus`` (affinity), ``load_average_1m``
        (other work on a shared machine), ``python``, ``platform``, ``numpy`` and, when available,
        ``tensorflow``, ``tf_intra_op_threads``, ``tf_inter_op_threads`` (0 = TensorFlow's default: all
        cores), ``onnxruntime``, ``ort_intra_op_threads`` and ``blas_threads`` (threads of the BLAS / OpenMP
        libraries numpy, scipy and librosa use, per library, from threadpoolctl).
    """
    info: dict = {
        "cpu_model": cpu_model(),
        "logical_cpus": os.cpu_count(),
        "usable_cpus": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count(),
        "load_average_1m": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "platform": platform.platform(),
        "numpy": np.__version__,
    }
    if "tensorflow" in sys.modules:
        tf = sys.modules["tensorflow"]
        info["tensorflow"] = getattr(tf, "__version__", "unknown")
        try:
            info["tf_intra_op_threads"] = tf.config.threading.get_intra_op_parallelism_threads()
            info["tf_inter_op_threads"] = tf.config.threading.get_inter_op_parallelism_threads()
        except Exception:  # pragma: no cover - very old or partial TensorFlow
            pass
    try:
        import onnxruntime

        info["onnxruntime"] = onnxruntime.__version__
    except ImportError:  # pragma: no cover - onnxruntime is a dependency
        pass
    if ort_threads is not None:
        info["ort_intra_op_threads"] = int(ort_threads)
    try:
        from threadpoolctl import threadpool_info

        info["blas_threads"] = {f"{p.get('internal_api')} ({p.get('prefix')})": p.get("num_threads")
                                for p in threadpool_info()}
    except ImportError:  # pragma: no cover - threadpoolctl comes with scikit-learn
        pass
    return info


def results_table(rows: list[dict]) -> pd.DataFrame:
    """Rows from :func:`measure` as a DataFrame with the percentile columns last, rounded to µs."""
    df = pd.DataFrame(rows)
    stats = [c for c in ("p50", "p95", "p99", "mean", "min", "max", "n") if c in df.columns]
    df = df[[c for c in df.columns if c not in stats] + stats]
    for c in stats:
        if c != "n":
            df[c] = df[c].astype(float).round(3)
    return df

"""Benchmarks of the shipped model: cold start against a bare librosa call, warm latency, folder throughput.

Serves notebook 06_latency_comparison (section "The shipped model") and the closing note of the shipped-model
issue. Each cold start is a fresh Python process, so imports and library initialisation count, exactly as when
a user types the command; the two commands alternate so that machine load affects both alike.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from serlib.features import analysis
from serlib.targets import COLD_START_RATIO, SHIPPED_WARM_P50_MS

#: What a bare librosa user runs for one file (the cold-start reference of the target).
BARE_LIBROSA = ("import librosa, sys; y, sr = librosa.load(sys.argv[1], sr=16000); "
                "librosa.feature.mfcc(y=y, sr=sr)")
#: Targets (defined in :mod:`serlib.targets`): cold start as a fraction of :data:`BARE_LIBROSA`'s time, and the
#: warm end-to-end batch-1 p50 for a 3-s clip in ms.
COLD_START_RATIO_TARGET = COLD_START_RATIO
WARM_P50_TARGET_MS = SHIPPED_WARM_P50_MS


def _run(cmd, env) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=300)
    dt = time.perf_counter() - t0
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd[:4])} ... failed ({proc.returncode}): "
                           f"{(proc.stderr.strip().splitlines() or [''])[-1]}")
    return dt


def cold_start(path: str | os.PathLike, *, model: str | os.PathLike | None = None, repeats: int = 5,
               progress: bool = True) -> dict:
    """Seconds of ``serlib predict FILE`` and of :data:`BARE_LIBROSA` in fresh processes, alternating.

    Returns:
        ``{"serlib_predict_s": [...], "bare_librosa_s": [...], "ratio_median": float}`` (one warm-up run of
        each is discarded: the first run after an install also fills the OS file cache).
    """
    from serlib.reporting.progress import tqdm

    env = dict(os.environ)
    if model is not None:
        env["SERLIB_MODEL"] = os.fspath(model)
    cmds = {"serlib_predict_s": [sys.executable, "-m", "serlib", "predict", os.fspath(path)],
            "bare_librosa_s": [sys.executable, "-c", BARE_LIBROSA, os.fspath(path)]}
    for cmd in cmds.values():
        _run(cmd, env)
    out = {k: [] for k in cmds}
    for _ in tqdm(range(repeats), desc="cold starts", disable=not progress, leave=False):
        for k, cmd in cmds.items():
            out[k].append(_run(cmd, env))
    out["ratio_median"] = float(np.median(out["serlib_predict_s"]) / np.median(out["bare_librosa_s"]))
    return out


def warm_latency_ms(model, path: str | os.PathLike, *, repeats: int = 200, warmup: int = 10) -> dict:
    """File -> emotion with an already loaded :class:`serlib.deploy.runtime.ShippedModel` (batch 1):
    :func:`serlib.experiments.latency.summarize` of the times in ms."""
    from serlib.experiments.latency import limit_native_threads, summarize, time_calls

    with limit_native_threads(model.threads):  # as the command line does (a busy multi-threaded BLAS is slow)
        return summarize(time_calls(lambda: model.predict_file(path), repeats=repeats, warmup=warmup))


def folder_throughput(model, paths, *, batch_size: int = 32) -> dict:
    """Files per second for a list of files the way ``serlib predict DIR`` does it (features, then batches)."""
    from serlib.experiments.latency import limit_native_threads

    with limit_native_threads(model.threads):
        t0 = time.perf_counter()
        frames = [model.frames_from_file(p) for p in paths]
        t1 = time.perf_counter()
        model.predict_proba(frames, batch_size=batch_size)
        t2 = time.perf_counter()
    return {"n_files": len(paths), "seconds": t2 - t0, "files_per_s": len(paths) / (t2 - t0),
            "features_s": t1 - t0, "model_s": t2 - t1, "batch_size": batch_size}


def write_long_recording(sources, out_path: str | os.PathLike, minutes: float, *, pause_s: float = 0.7,
                         sample_rate: int = analysis.SAMPLE_RATE) -> dict:
    """A long WAV made of the given recordings in turn with pauses, written block by block (bounded memory).

    Returns ``{"path", "seconds", "n_utterances"}``.
    """
    import soundfile as sf

    from serlib.deploy.frontend import prepare, read_audio

    target = int(minutes * 60 * sample_rate)
    pause = np.zeros(int(pause_s * sample_rate), np.float32)
    written = n = 0
    with sf.SoundFile(os.fspath(out_path), "w", samplerate=sample_rate, channels=1, subtype="PCM_16") as f:
        while written < target:
            for src in sources:
                y, sr = read_audio(src)
                y = prepare(y, sr)
                chunk = np.concatenate([y, pause])[: target - written]
                f.write(chunk)
                written += len(chunk)
                n += 1
                if written >= target:
                    break
    return {"path": os.fspath(out_path), "seconds": written / sample_rate, "n_utterances": n}


def timeline_peak_rss(path: str | os.PathLike, *, model: str | os.PathLike | None = None) -> dict:
    """Wall time and peak resident memory of ``serlib predict --timeline FILE`` in a fresh process."""
    code = ("import resource, sys, time; from serlib.__main__ import main; t = time.perf_counter(); "
            "rc = main(['predict', '--timeline', '--csv', sys.argv[1]]); "
            "print('BENCH', rc, time.perf_counter() - t, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss, "
            "file=sys.stderr)")
    env = dict(os.environ)
    if model is not None:
        env["SERLIB_MODEL"] = os.fspath(model)
    proc = subprocess.run([sys.executable, "-c", code, os.fspath(path)], capture_output=True, text=True, env=env,
                          timeout=3600)
    line = [l for l in proc.stderr.splitlines() if l.startswith("BENCH")]
    if not line:
        raise RuntimeError(f"timeline benchmark failed: {(proc.stderr.strip().splitlines() or [''])[-1]}")
    _, rc, seconds, rss_kb = line[-1].split()
    return {"exit_code": int(rc), "seconds": float(seconds), "peak_rss_mb": int(rss_kb) / 1024,
            "n_segments": max(0, len(proc.stdout.splitlines()) - 1)}


@dataclass
class ShippedBenchmark:
    """The shipped model's benchmarks as notebook 06 records them.

    Attributes:
        metrics: the ``latency_ms.shipped_model`` entry of ``metrics.json`` (empty when skipped).
        cold: the raw :func:`cold_start` result (for the cold-start figure), ``None`` when skipped.
        skipped: why the benchmarks did not run (the package has no usable shipped model), else ``None``.
    """

    metrics: dict
    cold: dict | None = None
    skipped: str | None = None

    def lines(self) -> list[str]:
        """The two conclusions printed under the cold-start figure (none when skipped)."""
        m = self.metrics
        if not m:
            return []
        return [f"cold serlib predict: {m['cold_start_s_median']:.2f} s = {m['cold_start_ratio']:.2f} x the bare "
                f"librosa call ({m['bare_librosa_s_median']:.2f} s); target <= {COLD_START_RATIO_TARGET:g} x -> "
                f"{'met' if m['target_met']['cold_start_ratio'] else 'NOT met'}",
                f"warm file -> emotion p50 {m['warm_end_to_end_p50']:.2f} ms (target {WARM_P50_TARGET_MS:g} ms); a "
                f"folder of {m['folder_n_files']} files: {m['folder_files_per_s']:.0f} files/s; a "
                f"{m['timeline_recording_s'] / 60:.0f}-minute recording: {m['timeline_segments']} segments in "
                f"{m['timeline_seconds']:.0f} s, peak memory {m['timeline_peak_rss_mb']:.0f} MB"]


def shipped_model_benchmark(clip_path: str | os.PathLike, manifest, workdir: str | os.PathLike, *, threads: int = 1,
                            seed: int = 0, cold_repeats: int = 10, repeats: int = 200, warmup: int = 10,
                            minutes: float = 60.0, n_files: int = 100) -> ShippedBenchmark:
    """Every benchmark of the package's shipped model: cold start, warm latency, a folder, a long timeline.

    Serves notebook 06_latency_comparison, section 5c. In turn: :func:`cold_start` on the clip
    (``cold_repeats`` fresh processes per command), :func:`warm_latency_ms` (``repeats`` timed calls after
    ``warmup``), :func:`folder_throughput` on up to ``n_files`` files of ``manifest`` drawn with ``seed``, and
    :func:`timeline_peak_rss` on a ``minutes``-long recording made of 20 of them, written in ``workdir``.

    Returns:
        the metrics (with ``target_met``) and the raw cold starts, or ``skipped`` with the reason when the package
        has no usable shipped model.
    """
    from serlib.deploy.runtime import ModelUnavailableError, ShippedModel

    if len(manifest) == 0:
        raise ValueError("no file for the folder benchmark: the manifest is empty")
    try:
        shipped = ShippedModel(threads=threads)
    except ModelUnavailableError as err:
        return ShippedBenchmark({}, None, str(err))
    cold = cold_start(clip_path, repeats=cold_repeats)
    warm = warm_latency_ms(shipped, clip_path, repeats=repeats, warmup=warmup)
    sample = manifest["path"].astype(str).sample(n=min(int(n_files), len(manifest)), random_state=seed).tolist()
    folder = folder_throughput(shipped, sample)
    long_rec = write_long_recording(sample[:20], Path(workdir) / "long.wav", minutes=minutes)
    hour = timeline_peak_rss(long_rec["path"])
    metrics = {
        "model": "serlib/pretrained (" + shipped.meta["design"] + ", trained by serlib train at "
                 + shipped.meta.get("git_commit", "?")[:12] + ")",
        "cold_start_s_median": float(np.median(cold["serlib_predict_s"])),
        "bare_librosa_s_median": float(np.median(cold["bare_librosa_s"])),
        "cold_start_ratio": cold["ratio_median"], "cold_start_ratio_target": COLD_START_RATIO_TARGET,
        "cold_start_runs": len(cold["serlib_predict_s"]),
        "warm_end_to_end_p50": warm["p50"], "warm_end_to_end_p95": warm["p95"],
        "warm_end_to_end_target_ms": WARM_P50_TARGET_MS,
        "folder_files_per_s": folder["files_per_s"], "folder_n_files": folder["n_files"],
        "timeline_recording_s": long_rec["seconds"], "timeline_seconds": hour["seconds"],
        "timeline_segments": hour["n_segments"], "timeline_peak_rss_mb": hour["peak_rss_mb"],
    }
    metrics["target_met"] = {"cold_start_ratio": bool(metrics["cold_start_ratio"] <= COLD_START_RATIO_TARGET),
                             "warm_end_to_end_p50": bool(warm["p50"] <= WARM_P50_TARGET_MS)}
    return ShippedBenchmark(metrics, cold)

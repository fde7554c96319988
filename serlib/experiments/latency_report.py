"""Notebook 06's results as data and sentences: the ``latency_ms`` metrics, targets, Table 1, what we learned.

Serves notebook 06_latency_comparison (sections 6-8 and "What we learned"). The timings come from
:mod:`serlib.experiments.latency_models`; this module only assembles them: the ``latency_ms`` entry of
``metrics.json`` (:func:`latency_metrics`), the target table and verdicts (:func:`target_summary`,
:func:`target_lines`), the ``serlib predict`` demonstration (:func:`predict_demo`), the paper's Table 1 with this
run's rows (:func:`paper_comparison`) and the closing sentences (:func:`what_we_learned`).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from serlib import targets as _targets
from serlib.experiments import latency_models as lm
from serlib.reporting.literature import accuracy_from_metrics, comparison_table, corpus_label, measured_row
from serlib.reporting.run_context import corpus_title, deep_merge

#: The paper's response time (ms), reported without saying what was timed.
PAPER_RESPONSE_TIME_MS = 3.2


def latency_metrics(stages: lm.StageTimes, *, timed: lm.TimedModel, check: lm.RuntimeCheck, per_corpus: dict,
                    throughput: pd.DataFrame, system: dict, model_cost: dict, strong: dict, shipped: dict,
                    plan, threads: int, clip_seconds: float, clip_sample_rate: int,
                    run_dir: str | os.PathLike) -> dict:
    """The ``latency_ms`` entry of ``metrics.json``: p50/p95/p99 per stage, what was timed, targets, sub-results.

    Serves notebook 06_latency_comparison, section 6. ``model_forward_*`` is ONNX Runtime's batch-1 forward pass,
    ``end_to_end_*`` file -> label for the clip, ``features_p50`` waveform -> model input. The fast runtime
    agrees when the timed model and every per-corpus model are within
    :data:`serlib.deploy.saved_models.MAX_ABS_DIFF` of Keras.

    Args:
        stages: :func:`serlib.experiments.latency_models.time_stages`; timed, check, per_corpus: sections 1, 2, 5.
        throughput: :func:`serlib.experiments.latency_models.batch_throughput`.
        system: :func:`serlib.experiments.latency.system_info`; model_cost: :func:`serlib.deploy.cost.model_cost`.
        strong, shipped: the strong and shipped models' metrics (``{}`` when not measured).
        plan: the :class:`serlib.experiments.latency.TimingPlan`; threads: the runtimes' intra-op threads.
        clip_seconds, clip_sample_rate: the test clip's length and native rate; run_dir: the run folder.
    """
    import onnxruntime

    from serlib.deploy.saved_models import MAX_ABS_DIFF

    for col in ("runtime", "batch_size", "utterances_per_s"):
        if col not in throughput.columns:
            raise ValueError(f"throughput table lacks column {col!r}")
    fwd, e2e = stages.row(lm.ONNX_FORWARD), stages.row(lm.E2E_FILE)
    targets = {"model_forward_p50": _targets.MODEL_FORWARD_P50_MS, "end_to_end_p50": _targets.END_TO_END_P50_MS}
    out = {
        "keras_predict_p50": stages.row(lm.KERAS_PREDICT)["p50"],
        "keras_call_p50": stages.row(lm.KERAS_EAGER)["p50"],
        "keras_tf_function_p50": stages.row(lm.KERAS_TF_FUNCTION)["p50"],
        "model_forward_p50": fwd["p50"], "model_forward_p95": fwd["p95"], "model_forward_p99": fwd["p99"],
        "audio_load_p50": stages.row(lm.AUDIO_LOAD)["p50"],
        "features_p50": stages.row(lm.FEATURES)["p50"],
        "end_to_end_p50": e2e["p50"], "end_to_end_p95": e2e["p95"],
        "end_to_end_waveform_p50": stages.row(lm.E2E_WAVEFORM)["p50"],
        "end_to_end_keras_p50": stages.row(lm.E2E_FILE_KERAS)["p50"],
        "runtime": f"onnxruntime {onnxruntime.__version__} (tf2onnx export, opset 17), CPU, intra-op threads {threads}",
        "threads": int(threads),
        "batch_size": 1,
        "clip_seconds": float(clip_seconds),
        "clip_sample_rate": clip_sample_rate,
        "repeats": plan.repeats, "warmup": plan.warmup,
        "fast_runtime_max_abs_diff": max([check.max_abs_diff]
                                         + [v["fast_runtime_max_abs_diff"] for v in per_corpus.values()]),
        "fast_runtime_agrees": bool(check.agrees and all(v["fast_runtime_max_abs_diff"] <= MAX_ABS_DIFF
                                                         for v in per_corpus.values())),
        "model_source": timed.source,
        "model": timed.label(run_dir),
        "corpus": timed.corpus,
        "targets": targets,
        "target_met": {"model_forward_p50": bool(fwd["p50"] <= targets["model_forward_p50"]),
                       "end_to_end_p50": bool(e2e["p50"] <= targets["end_to_end_p50"])},
        "throughput_utterances_per_s": {rt: {str(int(r.batch_size)): float(r.utterances_per_s) for r in g.itertuples()}
                                        for rt, g in throughput.groupby("runtime")},
        "system": system,
        "by_corpus": per_corpus,
        "model_cost": model_cost,
        "strong_model": strong,
        "shipped_model": shipped,
    }
    if timed.fallback:
        out["fallback_model"] = timed.fallback
    return out


def target_summary(metrics: dict) -> pd.DataFrame:
    """Measured p50s beside their targets (model forward, end to end) and two reference rows without one.

    Serves notebook 06_latency_comparison, section 6. ``metrics`` is :func:`latency_metrics`'s result.
    """
    targets, met = metrics["targets"], metrics["target_met"]
    summary = pd.DataFrame({
        "measured here (ms, p50)": [metrics["model_forward_p50"], metrics["end_to_end_p50"], metrics["features_p50"],
                                    metrics["keras_predict_p50"]],
        "target (ms)": [targets["model_forward_p50"], targets["end_to_end_p50"], np.nan, np.nan],
    }, index=["model forward, ONNX Runtime", f"end to end, {metrics['clip_seconds']:g}-s file -> label",
              "features only", "Keras model.predict, batch 1"])
    summary["met"] = [met["model_forward_p50"], met["end_to_end_p50"], "", ""]
    return summary


def target_lines(metrics: dict) -> list[str]:
    """One verdict line per target, then where the paper's undefined 3.2 ms sits among our numbers."""
    lines = [f"{k}: {metrics[k]:.3f} ms measured, target {metrics['targets'][k]:g} ms -> {'met' if ok else 'NOT met'}"
             for k, ok in metrics["target_met"].items()]
    where = {k: "above" if metrics[k] < PAPER_RESPONSE_TIME_MS else "below"
             for k in ("end_to_end_p50", "model_forward_p50")}
    lines.append(f"The paper's 3.2 ms (reported, undefined) sits {where['end_to_end_p50']} our end-to-end p50 "
                 f"and {where['model_forward_p50']} our model-forward p50; without its definition the two cannot "
                 "be compared.")
    return lines


@dataclass
class PredictDemo:
    """One ``serlib predict`` run: the command as shown, its output and exit code."""

    command: str
    stdout: str
    stderr: str
    returncode: int

    def transcript(self) -> str:
        """Command, standard output, standard error and exit code, as a terminal would show them."""
        return "\n".join([self.command, self.stdout, f"stderr: {self.stderr.strip()}", f"exit code: {self.returncode}"])


def predict_demo(clip_path: str | os.PathLike, workdir: str | os.PathLike, *, run_dir: str | os.PathLike,
                 timed: lm.TimedModel, strong_path: str | os.PathLike | None = None,
                 shipped: bool = False) -> PredictDemo:
    """Run ``serlib predict --top 3`` on the clip and on a file that is not audio, in a fresh process.

    Serves notebook 06_latency_comparison, section 7. The model is the shipped one when the package has it
    (``shipped``; the default of ``serlib predict``), else the strong model of this run when there is one, else
    the timed model. The text file is written into ``workdir``, where the command runs (so both files are named
    without folders); the clip must be in ``workdir`` too.

    Args:
        clip_path: the test clip, inside ``workdir``.
        workdir: a temporary folder.
        run_dir: the run folder (the model is shown relative to it).
        timed: the timed model (a fallback model is shown as ``FALLBACK_MODEL``).
        strong_path: the strong model's folder, if it was timed.
        shipped: the package has a usable shipped model.
    """
    workdir = Path(workdir)
    if Path(clip_path).parent.resolve() != workdir.resolve():
        raise ValueError(f"the clip {clip_path} must be in the working folder {workdir}")
    bad = workdir / "not_audio.wav"
    bad.write_text("this is text, not audio\n")
    clip_name = Path(clip_path).name
    model = None if shipped else (strong_path if strong_path is not None else timed.path)
    model_args = [] if model is None else ["--model", str(model)]
    cmd = [sys.executable, "-m", "serlib", "predict", *model_args, "--top", "3", clip_name, bad.name]
    proc = subprocess.run(cmd, capture_output=True, text=True, cwd=workdir)
    shown = "" if model is None else " --model " + ("FALLBACK_MODEL" if timed.fallback and strong_path is None
                                                    else os.path.relpath(model, run_dir))
    return PredictDemo(f"$ serlib predict{shown} --top 3 {clip_name} {bad.name}", proc.stdout, proc.stderr,
                       proc.returncode)


def other_notebook_metrics(metrics_dir: str | os.PathLike, exclude: str) -> dict:
    """The run's ``metrics/*.json`` fragments merged (in name order), leaving out notebook ``exclude``'s own."""
    merged: dict = {}
    for frag in sorted(Path(metrics_dir).glob("*.json")):
        if frag.stem != exclude:
            deep_merge(merged, json.loads(frag.read_text()))
    return merged


@dataclass
class PaperComparison:
    """The paper's Table 1 with this run's rows, and whether notebook 04's accuracies were among them.

    Attributes:
        table: :func:`serlib.reporting.literature.comparison_table` of the measured rows.
        has_notebook_04_accuracy: notebook 04 recorded CNN-LSTM accuracies in this run.
        note: what the accuracy figure shows instead when it did not ('' otherwise).
    """

    table: pd.DataFrame
    has_notebook_04_accuracy: bool
    note: str = ""


def paper_comparison(metrics: dict, other_metrics: dict, *, fallback_epochs: int | None = None) -> PaperComparison:
    """Table 1 (reported) followed by our rows (measured here): response times and accuracies.

    Serves notebook 06_latency_comparison, section 8. Response-time rows come from :func:`latency_metrics` (the
    paper's model called three ways, and the strong model when timed), accuracy rows from the other notebooks'
    metrics: notebook 04's leaderboard (strong model) and its CNN-LSTM per corpus and protocol; without them, the
    fallback model's one-fold accuracy.

    Args:
        metrics: :func:`latency_metrics`'s result.
        other_metrics: the other notebooks' metrics (:func:`other_notebook_metrics`).
        fallback_epochs: the fallback model's epochs (named in its row).
    """
    m, fallback, strong = metrics, metrics.get("fallback_model"), metrics.get("strong_model") or {}
    primary, secs, threads = corpus_title(m["corpus"]), m["clip_seconds"], m["threads"]
    batch1 = {"protocol": "batch 1, this CPU"}
    measured = [
        measured_row("CNN-LSTM, model forward (ONNX Runtime)", corpus=primary, **batch1,
                     response_time_ms=m["model_forward_p50"],
                     response_time_definition=f"p50 of the network only, batch 1, {threads} thread(s)"),
        measured_row(f"CNN-LSTM, end to end ({secs:g}-s file)", corpus=primary, **batch1,
                     response_time_ms=m["end_to_end_p50"],
                     response_time_definition="p50 of file -> label: read, resample, trim, MFCC, OSW, network"),
        measured_row("CNN-LSTM, Keras model.predict", corpus=primary, **batch1, response_time_ms=m["keras_predict_p50"],
                     response_time_definition="p50 of one Keras predict call on one utterance (network only)"),
    ]
    if strong:
        sc, lld = corpus_title(strong["corpus"]), "log-mel + eGeMAPS LLD frames"
        measured += [
            measured_row("Strong CNN-BiLSTM, model forward (ONNX Runtime)", corpus=sc, **batch1, input=lld,
                         response_time_ms=strong["model_forward_p50"],
                         response_time_definition=f"p50 of the network only, batch 1, {threads} thread(s)"),
            measured_row(f"Strong CNN-BiLSTM, end to end ({secs:g}-s file)", corpus=sc, **batch1, input=lld,
                         response_time_ms=strong["end_to_end_p50"],
                         response_time_definition="p50 of file -> label: read, resample, trim, log-mel, "
                                                  "openSMILE LLDs, network")]
    for corpus_name, per in other_metrics.get("leaderboard", {}).items():
        row = per.get("speaker_independent", {}).get("cnn_lstm")
        if row:
            measured.append(measured_row(
                "Strong CNN-BiLSTM (notebook 04 leaderboard)", corpus=corpus_label(corpus_name),
                protocol="speaker_independent", accuracy_pct=100 * row["wa"], input="log-mel + eGeMAPS LLD frames",
                note=f"mean accuracy (WA) of {int(row['n_seeds'])} seeds, one file at a time "
                     "(no per-speaker statistics)"))
    acc = accuracy_from_metrics(other_metrics, "cnn_lstm")
    for r in acc.itertuples():
        if not np.isnan(r.n_seeds) and r.n_seeds > 1 and not np.isnan(r.accuracy_std):
            note = f"mean accuracy of {int(r.n_seeds)} seeds (std {100 * r.accuracy_std:.1f} points)"
        else:
            note = "accuracy" + ("" if np.isnan(r.n_seeds) else f" ({int(r.n_seeds)} seed)")
        measured.append(measured_row("CNN-LSTM (notebook 04)", corpus=corpus_label(r.corpus), protocol=r.protocol,
                                     accuracy_pct=100 * r.accuracy, note=note))
    if acc.empty and fallback:
        measured.append(measured_row(
            f"CNN-LSTM fallback ({fallback_epochs} epochs, notebook 06)", corpus=primary,
            protocol="speaker_independent, one fold", accuracy_pct=100 * fallback["accuracy"],
            note="small model trained only to be timed; notebook 04 was not run"))
    shows = "the fallback model's accuracy." if fallback else "the reported rows only."
    note = "" if not acc.empty else ("No CNN-LSTM accuracy from notebook 04 in this run's metrics; the accuracy "
                                     "figure shows " + shows)
    return PaperComparison(comparison_table(measured), not acc.empty, note)


def what_we_learned(metrics: dict, stages: lm.StageTimes) -> list[str]:
    """The closing sentences of notebook 06 (markdown list items), from :func:`latency_metrics` and the stages.

    Serves notebook 06_latency_comparison, "What we learned".
    """
    m, system, strong = metrics, metrics["system"], metrics.get("strong_model") or {}
    met = m["target_met"]
    busy = (system["load_average_1m"] or 0) > 0.75 * (system["usable_cpus"] or 1)
    return [
        f"- The timed model: {m['model_source']}; corpus {corpus_title(m['corpus'])}; {system['cpu_model']}, "
        f"{system['usable_cpus']} usable cores, {m['threads']} thread(s) per runtime, 1-minute load average "
        f"{system['load_average_1m']:.1f} at the end (other work on the machine shows up in p95/p99).",
        f"- The same network answers one utterance in {m['keras_predict_p50']:.2f} ms through Keras "
        f"`predict`, {m['keras_tf_function_p50']:.2f} ms through a `tf.function` and "
        f"{m['model_forward_p50']:.3f} ms through ONNX Runtime (p50)"
        + (": how a model is called changes its 'response time' by a factor of "
           f"{m['keras_predict_p50'] / m['model_forward_p50']:.0f}, for the same weights."
           if m["keras_predict_p50"] > 2 * m["model_forward_p50"] else "."),
        f"- ONNX Runtime agrees with Keras to {m['fast_runtime_max_abs_diff']:.1e} in probability "
        f"({'within' if m['fast_runtime_agrees'] else 'NOT within'} the 1e-4 required).",
        f"- End to end, a {m['clip_seconds']:g}-second file becomes a label in {m['end_to_end_p50']:.2f} ms (p50): "
        f"{m['audio_load_p50']:.2f} ms reading, {m['features_p50']:.2f} ms features, "
        f"{m['model_forward_p50']:.2f} ms network.",
        f"- Targets: model forward p50 <= 1.0 ms {'met' if met['model_forward_p50'] else 'NOT met'}, "
        f"end-to-end p50 <= 5 ms {'met' if met['end_to_end_p50'] else 'NOT met'}.",
        *([] if met["end_to_end_p50"] else [
            f"- Reached instead: {m['end_to_end_p50']:.2f} ms end to end, of which features take "
            f"{m['features_p50']:.2f} ms; the fastest file -> label call took {stages.row(lm.E2E_FILE)['min']:.2f} ms. "
            + (f"With a 1-minute load average of {system['load_average_1m']:.1f} on {system['usable_cpus']} cores, "
               "other processes were competing for the CPU during the measurement." if busy else
               "The machine was not busy, so this is the cost of the pipeline itself.")]),
        *([f"- The strong hybrid of notebook 04 ({strong['n_parameters']} parameters, input "
           f"{tuple(strong['input_shape'])}) takes {strong['model_forward_p50']:.3f} ms for the network and "
           f"{strong['end_to_end_p50']:.2f} ms end to end (p50, file -> label), {strong['features_p50']:.2f} ms "
           "of it features (log-mel and openSMILE's low-level descriptors): its accuracy costs this much time."]
          if strong else []),
        "- The paper's 3.2 ms (reported) does not say which of these it is, nor on what hardware; the literature "
        "values in its Table 1 are not comparable either. Our bars say what they measure.",
    ]

"""Command line: ``serlib predict``, ``serlib train`` and ``serlib info`` (also ``python -m serlib``).

Serves practitioners and notebook 06_latency_comparison (which times the commands).

- ``serlib predict FILE|DIR ...`` - emotion of each audio file (a folder: every audio file under it) with the
  model shipped in the package (``serlib/pretrained/``), or ``--model DIR`` / ``$SERLIB_MODEL``. Output: a table,
  ``--json`` (one object per line) or ``--csv``. ``--timeline`` cuts long recordings into segments.
  ``--speaker-norm``: the inputs are one speaker's recordings; their statistics normalise the features and the
  speaker-normalised model predicts.
- ``serlib train --corpus NAME=DIR ... --output DIR`` - train and evaluate the shipped design.
- ``serlib info [--model DIR]`` - the model card.

Every input is checked before a model is looked up. Exit codes (:data:`EXIT_CODES`): 0 every input predicted;
2 at least one input could not be used (each gets one line ``serlib predict: FILE: reason`` on stderr, the
others are still predicted) or a usage error; 1 any other failure (no usable model, a failed training).
The default path imports numpy, soundfile, soxr and onnxruntime only.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

from serlib.messages import one_line

EXIT_OK, EXIT_FAILURE, EXIT_BAD_INPUT = 0, 1, 2
#: Old names of the exit codes.
EXIT_NO_MODEL, EXIT_BAD_FILE = EXIT_FAILURE, EXIT_BAD_INPUT
#: Exit codes and their meaning (shown by ``--help``).
EXIT_CODES = {EXIT_OK: "every input predicted", EXIT_BAD_INPUT: "at least one input could not be used, or a usage error",
              EXIT_FAILURE: "any other failure (no usable model, training failed)"}
#: File name endings predicted when a folder is given.
AUDIO_EXTENSIONS = (".wav", ".flac", ".ogg", ".oga", ".opus", ".mp3", ".aif", ".aiff", ".au", ".caf", ".w64",
                    ".rf64")


@contextlib.contextmanager
def _native_stderr_silenced():
    """Hide C++ start-up logging (TensorFlow, absl, oneDNN) written straight to file descriptor 2.

    Python exceptions are unaffected: the caller reports them in one line after the block.
    """
    try:
        sys.stderr.flush()
        saved = os.dup(2)
    except (OSError, ValueError):  # no real stderr (e.g. embedded): nothing to silence
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        sys.stderr.flush()
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


def _exit_codes_text() -> str:
    return "exit codes: " + "; ".join(f"{k} = {v}" for k, v in sorted(EXIT_CODES.items()))


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="serlib",
        description="Speech emotion recognition with the companion's shipped CNN-BiLSTM (or a model you trained).",
        epilog=_exit_codes_text(),
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    pr = sub.add_parser(
        "predict",
        help="predict the emotion of audio files or folders",
        description=(
            "Predict the emotion of each audio file (any format libsndfile reads: WAV, FLAC, OGG, MP3 where "
            "supported; any sample rate and channel count). A folder means every audio file under it. Every input "
            "is checked first; a file that cannot be used gets one line on stderr and the others go on."
        ),
        epilog=(
            "The default model is the one shipped in the package (serlib/pretrained/, see `serlib info`); "
            "--model or $SERLIB_MODEL choose another: a folder written by `serlib train`, or a notebook-04 model "
            "folder / run folder (those need TensorFlow and librosa). Predictions of a model trained on acted "
            "speech are not a diagnosis of anyone's state. " + _exit_codes_text()
        ),
    )
    pr.add_argument("inputs", nargs="+", metavar="FILE|DIR", help="audio file(s) or folder(s)")
    pr.add_argument("--model", metavar="PATH", default=None,
                    help="model folder (default: $SERLIB_MODEL, else the shipped model)")
    fmt = pr.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="one JSON object per line: file, emotion, probabilities")
    fmt.add_argument("--csv", action="store_true", help="CSV with a header row")
    pr.add_argument("--top", type=int, default=None, metavar="K",
                    help="list only the K most probable emotions per file in the table (default: all)")
    pr.add_argument("--threads", type=int, default=1, metavar="N", help="ONNX Runtime threads (default 1)")
    pr.add_argument("--speaker-norm", action="store_true",
                    help="the inputs are recordings of ONE speaker: normalise with their statistics (no labels "
                         "are used) and predict with the speaker-normalised model (more accurate on a new speaker)")
    pr.add_argument("--runtime", choices=["onnx", "keras"], default="onnx",
                    help="for notebook-04 models only: onnx (default) or keras (TensorFlow)")
    tl = pr.add_argument_group("timeline (long recordings)")
    tl.add_argument("--timeline", action="store_true",
                    help="cut each file into segments and predict each (prints start, end, emotion, confidence)")
    tl.add_argument("--segmentation", choices=["vad", "fixed"], default="vad",
                    help="vad: energy-based voice activity, speech regions cut into windows (default); "
                         "fixed: windows over the whole file")
    tl.add_argument("--window", type=float, default=3.0, metavar="S", help="segment length in seconds (default 3)")
    tl.add_argument("--hop", type=float, default=1.5, metavar="S", help="segment hop in seconds (default 1.5)")
    tl.add_argument("--vad-db", type=float, default=30.0, metavar="DB",
                    help="vad: 30 ms frames within DB dB of the file's loud level (its 99th-percentile frame) "
                         "are speech (default 30)")
    tl.add_argument("--smooth", type=int, default=1, metavar="K",
                    help="average probabilities over K consecutive segments (default 1: none)")
    tl.add_argument("--plot", metavar="PNG", default=None, help="draw the timeline of the (single) file to PNG")
    tr = sub.add_parser(
        "train",
        help="train the shipped model's design on corpora and export it (ONNX + metadata + model card)",
        description=(
            "Train the strong CNN-BiLSTM on 64 numpy log-mel bands on all speakers of the given corpora, after "
            "measuring the same design speaker-independently and cross-corpus (--no-evaluate skips that). Writes "
            "model.onnx (one-file normalisation), model_speaker.onnx (per-speaker normalisation), model.json and "
            "MODEL_CARD.md to --output."
        ),
    )
    tr.add_argument("--corpus", action="append", default=[], metavar="NAME=DIR", required=True,
                    help="a corpus and its folder (ravdess, tess, crema-d, iemocap, savee, emodb); repeat")
    tr.add_argument("--output", required=True, metavar="DIR", help="output folder")
    tr.add_argument("--seeds", type=int, default=3, metavar="N", help="seeds of the evaluation (default 3)")
    tr.add_argument("--epochs", type=int, default=None, metavar="N", help="training epochs (default: the design's)")
    tr.add_argument("--no-evaluate", action="store_true", help="skip the speaker-independent / cross-corpus estimates")
    tr.add_argument("--normalization", choices=["both", "file", "speaker"], default="both",
                    help="which model(s) to train (default both)")
    tr.add_argument("--n-jobs", type=int, default=2, metavar="N", help="feature extraction workers (default 2)")
    inf = sub.add_parser("info", help="show the model card of the shipped model (or --model)",
                         description="Print the model card: training data and licences, classes, features, the "
                                     "measured speaker-independent and cross-corpus estimates, failure modes.")
    inf.add_argument("--model", metavar="PATH", default=None, help="model folder (default: the shipped model)")
    inf.add_argument("--json", action="store_true", help="print the model's metadata as JSON instead")
    return p


def _say(command: str, message: str) -> None:
    print(f"serlib {command}: {message}", file=sys.stderr, flush=True)


def expand_inputs(inputs) -> tuple[list[str], list[tuple[str, str]]]:
    """Files to predict and ``(input, reason)`` of inputs that give none: a folder means every file under it
    whose name ends in one of :data:`AUDIO_EXTENSIONS` (sorted); a file is kept as given (checked later)."""
    files, bad = [], []
    for item in inputs:
        if os.path.isdir(item):
            found = sorted(os.path.join(d, f) for d, _, names in os.walk(item) for f in names
                           if f.lower().endswith(AUDIO_EXTENSIONS))
            if not found:
                bad.append((item, f"folder has no audio files ({', '.join(AUDIO_EXTENSIONS)})"))
            files += found
        else:
            files.append(item)
    return files, bad


def _check_files(files, config):
    """Frames of every usable file and ``(file, reason)`` of the others (the input contract)."""
    from serlib.data.audio import AudioError
    from serlib.deploy.frontend import frames_from_file

    good, bad = {}, []
    for f in files:
        try:
            good[f] = frames_from_file(f, config)
        except (AudioError, OSError, ValueError) as err:
            bad.append((f, one_line(err)))
        except Exception as err:  # never a traceback for one bad file
            bad.append((f, f"unexpected error: {type(err).__name__}: {one_line(err)}"))
    return good, bad


def _check_headers(files):
    from serlib.data.audio import AudioError, read_samples_info

    good, bad = [], []
    for f in files:
        try:
            read_samples_info(f)
            good.append(f)
        except (AudioError, OSError, ValueError) as err:
            bad.append((f, one_line(err)))
    return good, bad


def _resolve_model(path):
    """``("shipped", folder)`` or ``("run", folder)`` of the model to use; raises FileNotFoundError with one line."""
    from pathlib import Path

    from serlib.deploy.runtime import default_model_path, is_shipped_model_dir

    p = Path(path).expanduser() if path is not None else default_model_path()
    if is_shipped_model_dir(p):
        return "shipped", p
    if path is None and not os.environ.get("SERLIB_MODEL"):
        from serlib.deploy.runtime import ModelUnavailableError

        raise ModelUnavailableError(f"the package's shipped model is missing ({p / 'model.json'}); pass --model DIR "
                                    "(a folder written by `serlib train`) or reinstall serlib")
    return "run", p


def _top(probs: dict, k: int | None) -> list[tuple[str, float]]:
    ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked if k is None else ranked[:k]


def _table(rows: list[dict], labels: list[str], top: int | None) -> str:
    """Plain-text table (no pandas): file, [start, end,] emotion, probability, then p(label) or the top K."""
    timeline = any("start" in r for r in rows)
    head = ["file"] + (["start", "end"] if timeline else []) + ["emotion", "probability"]
    head += [f"p({l})" for l in labels] if top is None else [f"top {top}"]
    body = []
    for r in rows:
        cells = [r["file"]] + ([f"{r['start']:.2f}", f"{r['end']:.2f}"] if timeline else [])
        cells += [r["emotion"], f"{r['probabilities'][r['emotion']]:.3f}"]
        if top is None:
            cells += [f"{r['probabilities'][l]:.3f}" for l in labels]
        else:
            cells.append(", ".join(f"{l} {p:.3f}" for l, p in _top(r["probabilities"], top)))
        body.append(cells)
    widths = [max(len(str(x)) for x in col) for col in zip(head, *body)]
    return "\n".join("  ".join(str(c).ljust(w) for c, w in zip(line, widths)).rstrip() for line in [head] + body)


def _csv(rows: list[dict], labels: list[str]) -> str:
    import csv
    import io

    timeline = any("start" in r for r in rows)
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(["file"] + (["start", "end"] if timeline else []) + ["emotion", "probability"] + [f"p_{l}" for l in labels])
    for r in rows:
        w.writerow([r["file"]] + ([r["start"], r["end"]] if timeline else [])
                   + [r["emotion"], f"{r['probabilities'][r['emotion']]:.6f}"]
                   + [f"{r['probabilities'][l]:.6f}" for l in labels])
    return buf.getvalue().rstrip("\n")


def _emit(rows, labels, args) -> None:
    if args.json:
        for r in rows:
            print(json.dumps(r))
    elif rows:
        print(_csv(rows, labels) if args.csv else _table(rows, labels, args.top))


def _load_run_model(path, args):
    from serlib.deploy.saved_models import load_model

    with _native_stderr_silenced():
        rec = load_model(path, runtime=args.runtime, threads=args.threads)
        if args.runtime == "keras":  # trace the tf.function now, while start-up logging is hidden
            import numpy as np

            rec.predict_windows(np.zeros((1,) + rec.input_shape, np.float32))
    return rec


def predict_command(args) -> int:
    """Run ``predict``; returns the exit code."""
    from serlib.deploy.frontend import FrontEndConfig

    usage = None
    if args.top is not None and args.top < 1:
        usage = f"--top must be >= 1, got {args.top}"
    elif args.threads < 1:
        usage = f"--threads must be >= 1, got {args.threads}"
    elif args.timeline and not (0 < args.hop <= args.window):
        usage = f"need 0 < --hop <= --window, got {args.hop} and {args.window}"
    elif args.timeline and (args.smooth < 1 or args.vad_db <= 0):
        usage = f"--smooth must be >= 1 and --vad-db > 0, got {args.smooth} and {args.vad_db}"
    elif args.plot and not args.timeline:
        usage = "--plot draws a timeline: add --timeline"
    elif args.timeline and args.speaker_norm:
        usage = "--speaker-norm and --timeline cannot be combined"
    if usage:
        _say("predict", usage)
        return EXIT_BAD_INPUT

    # 1. the input contract: every input is checked before a model is looked up
    files, bad = expand_inputs(args.inputs)
    if args.timeline:
        good_files, bad_files = _check_headers(files)
        frames = {}
    else:
        frames, bad_files = _check_files(files, FrontEndConfig())
        good_files = list(frames)
    bad += bad_files
    for f, reason in bad:
        _say("predict", f"{f}: {reason}")
    if args.plot and len(good_files) > 1:
        _say("predict", "--plot needs a single file")
        return EXIT_BAD_INPUT
    status = EXIT_BAD_INPUT if bad else EXIT_OK
    if not good_files:
        return status
    if args.speaker_norm and len(good_files) < 2:
        _say("predict", "--speaker-norm needs at least 2 recordings of the speaker")
        return EXIT_BAD_INPUT

    # 2. the model
    try:
        kind, path = _resolve_model(args.model)
        if kind == "shipped":
            from serlib.deploy.runtime import ShippedModel

            model = ShippedModel(path, normalization="speaker" if args.speaker_norm else None, threads=args.threads)
        else:
            if args.timeline or args.speaker_norm:
                _say("predict", f"model {path}: --timeline and --speaker-norm need a model written by `serlib train`")
                return EXIT_FAILURE
            model = _load_run_model(path, args)
    except FileNotFoundError as err:  # ModelUnavailableError, ModelNotFoundError
        _say("predict", one_line(err))
        return EXIT_FAILURE
    except Exception as err:  # a corrupt model: one line, no traceback
        _say("predict", f"cannot load model: {type(err).__name__}: {one_line(err)}")
        return EXIT_FAILURE

    # 3. predictions
    rows = []
    if kind == "run":
        for f in good_files:
            try:
                emotion, probs = model.predict_file(f)
                rows.append({"file": f, "emotion": emotion, "probabilities": probs})
            except Exception as err:
                _say("predict", f"{f}: {one_line(err)}")
                status = EXIT_BAD_INPUT
        _emit(rows, model.labels, args)
        return status
    if args.timeline:
        from serlib.data.audio import AudioError
        from serlib.deploy.timeline import TimelineConfig, plot_timeline, predict_timeline

        cfg = TimelineConfig(segmentation=args.segmentation, window_s=args.window, hop_s=args.hop,
                             vad_range_db=args.vad_db, smooth=args.smooth)
        for f in good_files:
            try:
                tl = predict_timeline(model, f, cfg)
            except (AudioError, OSError, ValueError) as err:
                _say("predict", f"{f}: {one_line(err)}")
                status = EXIT_BAD_INPUT
                continue
            if tl.n_unusable or not tl.predictions:
                _say("predict", f"{f}: {tl.n_unusable} of {tl.n_segments} segments had no usable speech"
                     + ("" if tl.predictions else "; nothing to predict"))
            file_rows = [p.to_dict() for p in tl.predictions]
            rows += file_rows
            if args.plot and tl.predictions:
                plot_timeline(tl, model.labels, args.plot)
        _emit(rows, model.labels, args)
        return status
    if model.frontend != FrontEndConfig():  # a model trained with another front end: its own features
        frames, late_bad = _check_files(good_files, model.frontend)
        for f, reason in late_bad:
            _say("predict", f"{f}: {reason}")
            status = EXIT_BAD_INPUT
        good_files = list(frames)
    if args.speaker_norm:
        model.speaker_statistics([frames[f] for f in good_files])
    preds = model.predict_frames([frames[f] for f in good_files], good_files)
    _emit([p.to_dict() for p in preds], model.labels, args)
    return status


def info_command(args) -> int:
    """Run ``info``: print the model card (or the metadata as JSON)."""
    try:
        kind, path = _resolve_model(args.model)
        if kind != "shipped":
            _say("info", f"model {path}: not a folder written by `serlib train` (no shipped-format model.json)")
            return EXIT_FAILURE
        from serlib.deploy.runtime import ShippedModel

        model = ShippedModel(path)
    except FileNotFoundError as err:
        _say("info", one_line(err))
        return EXIT_FAILURE
    if args.json:
        print(json.dumps(model.meta, indent=1))
    else:
        print(f"model folder: {model.path}\n")
        print(model.card)
    return EXIT_OK


def train_command(args) -> int:
    """Run ``train``; returns the exit code."""
    import dataclasses

    corpora = {}
    for spec in args.corpus:
        name, sep, root = spec.partition("=")
        if not sep or not name or not root:
            print(f"serlib train: --corpus needs NAME=DIR, got {spec!r}", file=sys.stderr)
            return EXIT_BAD_FILE
        corpora[name.strip().lower()] = root
    if args.seeds < 1 or (args.epochs is not None and args.epochs < 1):
        print("serlib train: --seeds and --epochs must be >= 1", file=sys.stderr)
        return EXIT_BAD_FILE
    from serlib.deploy.train import NORMALIZATIONS, train_shipped_model
    from serlib.models.presets import STRONG_HYBRID_SETTING

    setting = (STRONG_HYBRID_SETTING if args.epochs is None
               else dataclasses.replace(STRONG_HYBRID_SETTING, epochs=args.epochs))
    norms = NORMALIZATIONS if args.normalization == "both" else (args.normalization,)
    try:
        out = train_shipped_model(corpora, args.output, seeds=range(args.seeds), evaluate=not args.no_evaluate,
                                  setting=setting, normalizations=norms, n_jobs=args.n_jobs,
                                  log=lambda m: print(m, file=sys.stderr, flush=True))
    except (ValueError, FileNotFoundError) as err:
        print(f"serlib train: {str(err).splitlines()[0]}", file=sys.stderr)
        return EXIT_NO_MODEL
    print(out)
    return EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m serlib`` and the ``serlib`` console script; returns the exit code."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ start-up chatter is not for users
    parser = _parser()
    args = parser.parse_args(argv)
    threads = str(max(1, getattr(args, "threads", 1) or 1))
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        # before numpy loads: a multi-threaded BLAS spinning on a busy CPU turns a 0.1 ms mel product into 8 ms
        os.environ.setdefault(var, threads)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_INPUT  # a usage error, like argparse's own
    commands = {"predict": predict_command, "train": train_command, "info": info_command}
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # e.g. `serlib predict DIR | head`: the reader left, not an error of ours
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

"""Command line: ``python -m serlib predict FILE [FILE ...]`` (also installed as ``serlib``).

Serves users of a trained model and notebook 06_latency_comparison (which shows the command). Prints the
predicted emotion and the class probabilities of each file as a table, or as JSON with ``--json``.

Exit codes: 0 every file predicted; 2 at least one file could not be used (each such file gets one line
``serlib predict: FILE: reason`` on stderr and the other files are still predicted); 1 no usable model.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import sys

import numpy as np

EXIT_OK, EXIT_NO_MODEL, EXIT_BAD_FILE = 0, 1, 2


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


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="serlib",
        description="Speech emotion recognition with the companion's trained CNN-LSTM.",
    )
    sub = p.add_subparsers(dest="command", metavar="COMMAND")
    pr = sub.add_parser(
        "predict",
        help="predict the emotion of audio files",
        description=(
            "Predict the emotion of each audio file (WAV, FLAC, OGG, ... any format libsndfile reads) with a "
            "trained CNN-LSTM. A file that cannot be used is reported on stderr in one line and skipped; the "
            "exit code is then 2. Exit code 1: no usable model."
        ),
        epilog=(
            "The default model is the newest runs/*/models/conv_recurrent_cnn_lstm_* (the strong hybrid), else "
            "runs/*/models/cnn_lstm_* (or $SERLIB_RUNS_DIR/*/models/...), else the same under figures/. Predictions of a model trained on acted speech are not a "
            "diagnosis of anyone's state."
        ),
    )
    pr.add_argument("files", nargs="+", metavar="FILE", help="audio file(s)")
    pr.add_argument("--model", metavar="PATH", default=None,
                    help="model folder (model.keras + serlib_model.json) or a run folder; default: latest run's")
    pr.add_argument("--json", action="store_true", help="print JSON instead of a table")
    pr.add_argument("--runtime", choices=["onnx", "keras"], default="onnx",
                    help="onnx: ONNX Runtime export checked against Keras (default, fast); keras: TensorFlow")
    pr.add_argument("--top", type=int, default=None, metavar="K",
                    help="list only the K most probable emotions per file (default: all, one column each)")
    pr.add_argument("--threads", type=int, default=1, metavar="N",
                    help="threads for ONNX Runtime and the BLAS used by feature extraction (default 1)")
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
    return p


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
    from .crnn import CNN_LSTM_SETTING
    from .deploy.train import NORMALIZATIONS, train_shipped_model

    setting = CNN_LSTM_SETTING if args.epochs is None else dataclasses.replace(CNN_LSTM_SETTING, epochs=args.epochs)
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


def _top(probs: dict[str, float], k: int | None) -> list[tuple[str, float]]:
    ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
    return ranked if k is None else ranked[:k]


def _table(rows: list[dict], labels: list[str], top: int | None) -> str:
    import pandas as pd

    records = []
    for r in rows:
        rec = {"file": r["file"], "emotion": r["emotion"], "probability": r["probability"]}
        if top is None:
            rec.update({f"p({label})": r["probabilities"][label] for label in labels})
        else:
            rec[f"top {top}"] = ", ".join(f"{label} {p:.3f}" for label, p in _top(r["probabilities"], top))
        records.append(rec)
    df = pd.DataFrame(records)
    width = max(len("file"), *(len(str(f)) for f in df["file"]))
    text_cols = [c for c in df.columns if df[c].dtype == object]
    formatters = {c: (lambda w: lambda v: f"{v:<{w}}")(max(len(c), *(len(str(v)) for v in df[c]))) for c in text_cols}
    formatters["file"] = lambda v: f"{v:<{width}}"
    return df.to_string(index=False, float_format=lambda v: f"{v:.3f}", formatters=formatters, justify="left")


def predict_command(args) -> int:
    """Run ``predict``; returns the exit code."""
    from .audio import AudioError
    from .inference import ExportError, ModelNotFoundError, load_model

    if args.top is not None and args.top < 1:
        print(f"serlib predict: --top must be >= 1, got {args.top}", file=sys.stderr)
        return EXIT_BAD_FILE
    if args.threads < 1:
        print(f"serlib predict: --threads must be >= 1, got {args.threads}", file=sys.stderr)
        return EXIT_BAD_FILE
    try:
        with _native_stderr_silenced():
            recognizer = load_model(args.model, runtime=args.runtime, threads=args.threads)
            if args.runtime == "keras":  # trace the tf.function now, while start-up logging is hidden
                recognizer.predict_windows(np.zeros((1,) + recognizer.input_shape, np.float32))
    except ModelNotFoundError as err:
        print(f"serlib predict: {err}", file=sys.stderr)
        return EXIT_NO_MODEL
    except ExportError as err:
        print(f"serlib predict: {err}; --runtime keras uses the Keras model directly", file=sys.stderr)
        return EXIT_NO_MODEL
    except Exception as err:  # a corrupt model file: still one line, no traceback
        print(f"serlib predict: cannot load model: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}",
              file=sys.stderr)
        return EXIT_NO_MODEL

    from .latency import limit_native_threads

    limit_native_threads(args.threads)  # also numpy / scipy BLAS: steadier on small shared CPUs
    rows, errors = [], []
    for f in args.files:
        try:
            emotion, probs = recognizer.predict_file(f)
        except (AudioError, OSError, ValueError) as err:
            reason = str(err).strip().splitlines()[0] if str(err).strip() else type(err).__name__
        except Exception as err:  # never a traceback for one bad file
            reason = f"unexpected error: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
        else:
            rows.append({"file": f, "emotion": emotion, "probability": probs[emotion], "probabilities": probs})
            continue
        errors.append({"file": f, "reason": reason})
        print(f"serlib predict: {f}: {reason}", file=sys.stderr, flush=True)

    if args.json:
        for r in rows:
            if args.top is not None:
                r["top"] = [{"emotion": label, "probability": p} for label, p in _top(r["probabilities"], args.top)]
        out = {"model": str(recognizer.path), "runtime": recognizer.runtime, "labels": recognizer.labels,
               "predictions": rows, "errors": errors}
        print(json.dumps(out, indent=1))
    elif rows:
        print(_table(rows, recognizer.labels, args.top))
    return EXIT_BAD_FILE if errors else EXIT_OK


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m serlib`` and the ``serlib`` console script; returns the exit code."""
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")  # TensorFlow's C++ start-up chatter is not for users
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help(sys.stderr)
        return EXIT_BAD_FILE  # a usage error, like argparse's own
    if args.command == "predict":
        return predict_command(args)
    if args.command == "train":
        return train_command(args)
    parser.error(f"unknown command {args.command}")  # pragma: no cover - argparse rejects it first
    return EXIT_BAD_FILE


if __name__ == "__main__":
    sys.exit(main())

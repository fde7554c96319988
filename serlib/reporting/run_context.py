"""Run context: where a notebook writes figures, tables and metrics, each with its provenance.

Serves every notebook. A notebook creates one :class:`RunContext` from its papermill parameters and saves
through it, so every artifact of a run lands in one output folder and records where it came from:
corpus, manifest hash, protocol, seed, git commit, notebook. Figures are stamped with their corpus and
protocol; figures made from the embedded corpus say SYNTHETIC on them.

Output folder layout::

    <out>/figures/<name>.png      figures (provenance also in the PNG text chunks)
    <out>/tables/<name>.csv       tables
    <out>/metrics/<notebook>.json metrics fragments, merged into <out>/metrics.json by run_all.py
    <out>/provenance.json         one entry per artifact
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import hashlib
import json
import os
import subprocess
from pathlib import Path
from typing import Any, Mapping

import numpy as np
import pandas as pd

from serlib.messages import InsufficientDataError

#: Label used on artifacts that do not come from a train/test split (data description, features).
NO_SPLIT = "descriptive (no train/test split)"


#: Folders of the work tree that hold run outputs, not code: changes there do not make a commit "dirty" (a
#: reference run writing into ``figures/`` would otherwise mark its own artifacts ``+dirty``).
OUTPUT_FOLDERS = ("figures", "runs")


def git_commit(repo: str | os.PathLike | None = None) -> str:
    """Current commit hash (with ``+dirty`` if the work tree has changes outside :data:`OUTPUT_FOLDERS`), or
    ``"unknown"``."""
    cwd = Path(repo) if repo else Path(__file__).resolve().parents[1]
    try:
        sha = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=cwd, capture_output=True, text=True, timeout=10, check=True
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no", "--", ".",
             *(f":(exclude,top){d}" for d in OUTPUT_FOLDERS)],
            cwd=cwd, capture_output=True, text=True, timeout=10, check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return "unknown"
    return sha + ("+dirty" if dirty else "")


def manifest_hash(manifest: pd.DataFrame) -> str:
    """Machine-independent hash of a manifest: corpus, file name, speaker and emotion of every row.

    Absolute paths are left out so that two copies of the same corpus on different machines hash alike.
    """
    cols = [c for c in ("corpus", "speaker", "emotion") if c in manifest.columns]
    names = manifest["path"].astype(str).map(lambda p: os.path.basename(p))
    table = pd.concat([manifest[cols].astype(str), names.rename("file")], axis=1)
    rows = sorted("\t".join(r) for r in table.itertuples(index=False, name=None))
    return hashlib.sha256("\n".join(rows).encode()).hexdigest()[:16]


def _in_kernel() -> bool:
    """Whether code runs in a Jupyter kernel (papermill or JupyterLab), not a plain interpreter."""
    import sys

    shell = getattr(sys.modules.get("IPython"), "get_ipython", lambda: None)()
    return shell is not None and getattr(shell, "kernel", None) is not None


def is_synthetic(corpus: str | None) -> bool:
    return bool(corpus) and "embedded" in str(corpus)


def corpus_title(corpus: str) -> str:
    """Human label for figure stamps: ``embedded`` becomes ``embedded (SYNTHETIC speech)``."""
    names = [c.strip() for c in str(corpus).split("+")]
    pretty = {"ravdess": "RAVDESS", "tess": "TESS", "crema-d": "CREMA-D", "iemocap": "IEMOCAP",
              "savee": "SAVEE", "emodb": "EmoDB", "embedded": "embedded (SYNTHETIC speech)"}
    return " + ".join(pretty.get(n, n) for n in names)


def _jsonable(x: Any) -> Any:
    if isinstance(x, Mapping):
        return {str(k): _jsonable(v) for k, v in x.items()}
    if isinstance(x, (list, tuple)):
        return [_jsonable(v) for v in x]
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, float) and not np.isfinite(x):
        return None
    return x


def deep_merge(base: dict, update: Mapping) -> dict:
    """Recursively merge ``update`` into ``base`` (in place) and return it."""
    for k, v in update.items():
        if isinstance(v, Mapping) and isinstance(base.get(k), dict):
            deep_merge(base[k], v)
        else:
            base[k] = _jsonable(v)
    return base


def _figure_of(obj):
    """The matplotlib Figure of a figure, an Axes or an array / list of Axes."""
    if hasattr(obj, "savefig"):
        return obj
    if hasattr(obj, "figure"):
        return obj.figure
    first = next(iter(np.ravel(np.asarray(obj, dtype=object))), None)
    if first is None or not hasattr(first, "figure"):
        raise TypeError(f"expected a matplotlib Figure or Axes, got {type(obj).__name__}")
    return first.figure


class RunContext:
    """Where one notebook of one run saves its artifacts.

    Args:
        output_dir: the run's output folder (created).
        notebook: short notebook name, e.g. ``"01_data_exploration"``.
        seed: the run's seed (recorded).
        quick: whether this is a ``--quick`` run (recorded, and stamped on figures).
    """

    def __init__(self, output_dir: str | os.PathLike, notebook: str, *, seed: int = 0, quick: bool = False):
        self.output_dir = Path(output_dir)
        self.notebook = notebook
        self.seed = int(seed)
        self.quick = bool(quick)
        self.commit = git_commit()
        self.manifest_hashes: dict[str, str] = {}
        self.skipped_experiments: list[dict] = []
        for sub in ("figures", "tables", "metrics"):
            (self.output_dir / sub).mkdir(parents=True, exist_ok=True)

    # -- provenance -------------------------------------------------------------------------------
    def register_manifest(self, corpus: str, manifest: pd.DataFrame) -> str:
        """Remember a corpus's manifest hash so that artifacts naming the corpus record it."""
        h = manifest_hash(manifest)
        self.manifest_hashes[corpus] = h
        return h

    def provenance(self, corpus: str, protocol: str) -> dict:
        names = [c.strip() for c in str(corpus).split("+")]
        return {
            "corpus": corpus,
            "synthetic": is_synthetic(corpus),
            "manifest_hash": {n: self.manifest_hashes.get(n, "unregistered") for n in names},
            "protocol": protocol,
            "seed": self.seed,
            "quick": self.quick,
            "git_commit": self.commit,
            "notebook": self.notebook,
            "created_utc": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        }

    def _record(self, artifact: str, prov: dict) -> None:
        path = self.output_dir / "provenance.json"
        data = json.loads(path.read_text()) if path.exists() else {}
        data[artifact] = prov
        path.write_text(json.dumps(data, indent=1, sort_keys=True))

    def load_corpora(self, corpora: Mapping, *, per_group: int | None = None) -> dict[str, pd.DataFrame]:
        """The run's manifests (:func:`serlib.data.corpus_config.load_corpora` with this run's ``quick`` and
        ``seed``), each registered so that the artifacts naming its corpus record its hash."""
        from serlib.data.corpus_config import load_corpora

        manifests = load_corpora(corpora, quick=self.quick, seed=self.seed, per_group=per_group)
        for name, manifest in manifests.items():
            self.register_manifest(name, manifest)
        return manifests

    # -- artifacts --------------------------------------------------------------------------------
    def stamp(self, fig, corpus: str, protocol: str, n_seeds: int | None = None) -> None:
        """Write corpus, protocol, seeds and (if so) SYNTHETIC in the figure's bottom margin.

        ``n_seeds``: how many seeds the figure pools or averages (``None`` or 1: the run's seed alone).
        """
        seeds = (f"{int(n_seeds)} seeds (from {self.seed})" if n_seeds is not None and int(n_seeds) > 1
                 else f"seed {self.seed}")
        text = f"Corpus: {corpus_title(corpus)}  |  protocol: {protocol}  |  {seeds}"
        if self.quick:
            text += "  |  QUICK run (subset)"
        color = "firebrick" if is_synthetic(corpus) else "0.3"
        fig.text(0.995, 0.003, text, ha="right", va="bottom", fontsize=7, color=color)
        if is_synthetic(corpus):
            fig.text(0.005, 0.003, "SYNTHETIC DATA", ha="left", va="bottom", fontsize=8,
                     color="firebrick", fontweight="bold")

    def save_figure(self, fig, name: str, *, corpus: str, protocol: str = NO_SPLIT, dpi: int = 110,
                    show: bool = True, n_seeds: int | None = None, size: tuple[float, float] | None = None,
                    tight: bool = False) -> Path:
        """Stamp and save a matplotlib figure as ``figures/<name>.png``, then close it; returns the path.

        In a notebook kernel the saved PNG is also displayed (``show``), so the executed notebook and the HTML
        report hold exactly the figure that was saved (the notebooks draw with the non-interactive Agg backend).

        Args:
            fig: the figure, or an Axes (or array of Axes) of it, as the plot functions return.
            n_seeds: seeds the figure pools or averages, written in its footer.
            size: ``(width, height)`` in inches to set before saving.
            tight: apply ``tight_layout`` before stamping (subplots that would otherwise overlap).
        """
        import matplotlib.pyplot as plt

        fig = _figure_of(fig)
        if size is not None:
            fig.set_size_inches(*size)
        if tight:
            fig.tight_layout()
        self.stamp(fig, corpus, protocol, n_seeds=n_seeds)
        prov = self.provenance(corpus, protocol)
        path = self.output_dir / "figures" / f"{name}.png"
        meta = {"Software": "serlib", "Description": json.dumps(prov, sort_keys=True)}
        fig.savefig(path, dpi=dpi, bbox_inches="tight", metadata=meta)
        plt.close(fig)
        self._record(f"figures/{name}.png", prov)
        if show and _in_kernel():
            from IPython.display import Image, display

            display(Image(filename=str(path)), metadata={"serlib_figure": f"figures/{name}.png"})
        return path

    def save_table(self, df: pd.DataFrame, name: str, *, corpus: str, protocol: str = NO_SPLIT,
                   index: bool = False) -> Path:
        """Save a DataFrame as ``tables/<name>.csv``; returns the path."""
        path = self.output_dir / "tables" / f"{name}.csv"
        df.to_csv(path, index=index)
        self._record(f"tables/{name}.csv", self.provenance(corpus, protocol))
        return path

    def show_table(self, df: pd.DataFrame, name: str, *, corpus: str, protocol: str = NO_SPLIT,
                   index: bool = False) -> pd.DataFrame:
        """:meth:`save_table`, then return ``df`` to be displayed (a notebook cell's last expression)."""
        self.save_table(df, name, corpus=corpus, protocol=protocol, index=index)
        return df

    @contextlib.contextmanager
    def skip_if_too_small(self, experiment: str, corpus: str):
        """Run the block; if the corpus is too small for it (:class:`serlib.messages.InsufficientDataError`: too
        few speakers, emotions or utterances once bad files are skipped), print one line saying what was skipped
        and why, record it in ``metrics.json`` (``skipped_experiments.<notebook>``) and go on. Any other error
        still stops the notebook."""
        try:
            yield
        except InsufficientDataError as err:
            self.record_skip(experiment, corpus, str(err))

    def record_skip(self, experiment: str, corpus: str, reason: str) -> None:
        """Print ``skipped: <experiment> on <corpus>: <reason>`` and keep it in ``metrics.json``
        (``skipped_experiments.<notebook>``), so the report and the audit can say what a run did not measure."""
        print(f"skipped: {experiment} on {corpus}: {reason}")
        self.skipped_experiments.append({"experiment": experiment, "corpus": corpus, "reason": reason})
        update_metrics_fragment(self.output_dir, self.notebook,
                                {"skipped_experiments": {self.notebook: list(self.skipped_experiments)}})

    def record_skips(self, skipped, prefix: str = "") -> None:
        """:meth:`record_skip` for each ``(experiment, corpus, reason)`` of an experiment's ``skipped`` list."""
        for experiment, corpus, reason in skipped:
            self.record_skip(prefix + experiment, corpus, reason)

    def record_metrics(self, metrics: Mapping, *, corpus: str, protocol: str = NO_SPLIT) -> Path:
        """Merge nested ``metrics`` into ``metrics/<notebook>.json`` (run_all.py merges all notebooks)."""
        path = update_metrics_fragment(self.output_dir, self.notebook, metrics)
        self._record(f"metrics/{self.notebook}.json:{corpus}:{protocol}", self.provenance(corpus, protocol))
        return path


def update_metrics_fragment(output_dir: str | os.PathLike, notebook: str, metrics: Mapping) -> Path:
    """Deep-merge ``metrics`` into the run's ``metrics/<notebook>.json`` fragment (created if missing).

    Serves :meth:`RunContext.record_metrics` and ``run_all.py`` (which adds each notebook's wall time).
    """
    path = Path(output_dir) / "metrics" / f"{notebook}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    data = json.loads(path.read_text()) if path.exists() else {}
    deep_merge(data, metrics)
    path.write_text(json.dumps(data, indent=1, sort_keys=True))
    return path


def forget_artifacts(output_dir: str | os.PathLike, notebooks) -> int:
    """Delete the figures and tables that ``notebooks`` (stems like ``"04_cnn_lstm"``) wrote into an output folder
    in an earlier run, and their ``provenance.json`` entries, so a re-run leaves no stale artifact behind.

    Serves ``run_all.py`` (re-runs with ``--only`` into ``figures/``). Returns the number of files deleted.
    """
    out = Path(output_dir)
    path = out / "provenance.json"
    if not path.exists():
        return 0
    data = json.loads(path.read_text())
    stale = [k for k, v in data.items() if isinstance(v, dict) and v.get("notebook") in set(notebooks)]
    removed = 0
    for artifact in stale:
        f = out / artifact.split(":")[0]
        if artifact.endswith((".png", ".csv")) and f.is_file():
            f.unlink()
            removed += 1
        del data[artifact]
    path.write_text(json.dumps(data, indent=1, sort_keys=True))
    return removed


def merge_metrics(output_dir: str | os.PathLike, extra: Mapping | None = None) -> Path:
    """Merge every ``metrics/*.json`` fragment of a run into ``metrics.json`` (sorted by notebook)."""
    out = Path(output_dir)
    merged: dict = {}
    for frag in sorted((out / "metrics").glob("*.json")):
        deep_merge(merged, json.loads(frag.read_text()))
    if extra:
        deep_merge(merged, extra)
    path = out / "metrics.json"
    path.write_text(json.dumps(merged, indent=1, sort_keys=True))
    return path

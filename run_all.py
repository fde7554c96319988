#!/usr/bin/env python
"""Run every notebook of the companion in order with papermill and build the HTML report.

Examples::

    python run_all.py                      # embedded synthetic corpus, demo budget (about 10 min)
    python run_all.py --quick              # CI-sized run
    python run_all.py --corpus ravdess=../shared/data/ravdess --corpus tess=../shared/data/tess \\
        --output figures                   # the committed reference run
    python run_all.py --data-dir ../shared/data --only 01,02

Writes to the output folder: ``notebooks/`` (executed copies), ``figures/`` (PNG), ``tables/`` (CSV),
``metrics.json``, ``provenance.json``, ``run.json`` and ``report.html``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent
NOTEBOOK_DIR = ROOT / "notebooks"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(
        prog="run_all.py",
        description=(
            "Execute notebooks/NN_*.ipynb in order (papermill), then write metrics.json and one HTML "
            "report. With no --corpus/--data-dir the embedded synthetic corpus is used."
        ),
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog=__doc__.split("Examples::", 1)[1],
    )
    p.add_argument("--corpus", action="append", default=[], metavar="NAME=ROOT",
                   help="a corpus and its folder; repeat for several. Names: ravdess, tess, crema-d, iemocap, "
                        "savee, emodb, embedded. Default: the embedded synthetic corpus.")
    p.add_argument("--data-dir", metavar="DIR", default=os.environ.get("SERLIB_DATA_DIR"),
                   help="find corpus folders by name inside DIR (e.g. ../shared/data holds ravdess/ and tess/); "
                        "env SERLIB_DATA_DIR. Combined with --corpus, --corpus wins.")
    p.add_argument("--protocol", default="all",
                   choices=["all", "random_80_20", "speaker_independent", "cross_corpus"],
                   help="evaluation protocol(s) for the training notebooks (default: all)")
    p.add_argument("--seed", type=int, default=0, help="base random seed (default 0)")
    p.add_argument("--n-seeds", type=int, default=3, help="seeds per trained model where a notebook repeats runs")
    p.add_argument("--quick", action="store_true",
                   help="CI-sized run: small subsets, few epochs; numbers are not meaningful")
    p.add_argument("--budget", default="auto", choices=["auto", "full", "demo"],
                   help="experiment size of the training notebooks (03, 04): 'full' uses their own defaults "
                        "(the reference run), 'demo' fewer folds/epochs/seeds (serlib.settings.RUN_SIZES); "
                        "'auto' (default) is demo on the embedded corpus and full on real corpora")
    p.add_argument("--output", metavar="DIR", default=None,
                   help="output folder (default runs/<UTC time>); the reference run uses 'figures'")
    p.add_argument("--only", metavar="NN[,NN]", default=None,
                   help="run only these notebook numbers, e.g. 01,02")
    p.add_argument("--cache-dir", metavar="DIR", default=None,
                   help="feature and embedded-corpus cache (default $SERLIB_CACHE_DIR or ~/.cache/serlib)")
    p.add_argument("--kernel", default="python3", help="Jupyter kernel name (default python3)")
    p.add_argument("--n-jobs", type=int, default=2, help="parallel workers for feature extraction (default 2)")
    p.add_argument("--no-report", action="store_true", help="skip the HTML report")
    p.add_argument("--no-result-cache", action="store_true",
                   help="retrain everything instead of reusing trainings stored in the cache folder (by default a "
                        "training whose data, split, configuration, seed and model code are unchanged is read back, "
                        "so a rerun or a killed run resumes)")
    p.add_argument("--executor", choices=["local", "processes", "dask"], default="local",
                   help="where the model trainings of notebook 04 (serlib.experiments.protocols.run_protocol) run: 'local' "
                        "(default) one after the other in the notebook's kernel; 'processes' in --workers local "
                        "processes; 'dask' on the Dask cluster at --scheduler, or without it on a local Dask cluster "
                        "of --workers processes (needs pip install \"serlib[dask]\"). Results equal the local "
                        "run's up to floating-point round-off (serlib.experiments.executor); env SERLIB_EXECUTOR of the kernels")
    p.add_argument("--workers", type=int, default=None, metavar="N",
                   help="worker processes of --executor processes or of a local Dask cluster (default: the CPU "
                        "cores; each worker gets cores // N threads); env SERLIB_WORKERS of the kernels")
    p.add_argument("--scheduler", metavar="ADDRESS", default=None,
                   help="address of a running Dask scheduler, e.g. tcp://10.0.0.5:8786 (with --executor dask; its "
                        "workers need serlib installed); env SERLIB_SCHEDULER of the kernels")
    p.add_argument("--report-code", choices=REPORT_CODE_MODES, default="collapse",
                   help="code cells in report.html: show, collapse (default: a click opens them) or hide")
    p.add_argument("--list", action="store_true", help="list the notebooks and their parameters, then exit")
    return p


def check_executor(args):
    """The executor of ``--executor/--workers/--scheduler``, checked here (a scheduler must answer) so that a bad
    option fails before the first notebook, not in the middle of a training notebook."""
    from serlib.experiments import executor

    config = executor.ExecutorConfig(args.executor, args.workers, args.scheduler)
    if config.scheduler:
        executor.dask_client(config)
        executor.close_dask_clients()
    return config


def discover_notebooks(only: str | None = None) -> list[Path]:
    nbs = sorted(p for p in NOTEBOOK_DIR.glob("[0-9][0-9]_*.ipynb"))
    if only:
        wanted = {w.strip().zfill(2) for w in only.split(",") if w.strip()}
        unknown = wanted - {p.name[:2] for p in nbs}
        if unknown:
            raise SystemExit(f"run_all.py: no notebook numbered {', '.join(sorted(unknown))} in {NOTEBOOK_DIR}")
        nbs = [p for p in nbs if p.name[:2] in wanted]
    return nbs


def resolve_corpora(args) -> dict[str, str]:
    from serlib.data.corpus_config import discover_corpora, parse_corpus_specs

    corpora: dict[str, str] = {}
    if args.data_dir:
        corpora.update(discover_corpora(args.data_dir))
        if not corpora:
            raise SystemExit(f"run_all.py: no known corpus folder inside {args.data_dir} "
                             "(expected e.g. ravdess/, tess/, crema-d/)")
    corpora.update(parse_corpus_specs(args.corpus))
    return corpora


#: How the report shows code cells (``--report-code``).
REPORT_CODE_MODES = ("show", "collapse", "hide")
REPORT_TEMPLATE_DIR = ROOT / "serlib" / "report_template"


def _heading(cell) -> str | None:
    if cell.cell_type != "markdown":
        return None
    for line in cell.source.splitlines():
        if line.startswith("#"):
            return line.lstrip("#").strip()
    return None


def _figure_names(cell) -> list[str]:
    """Names of the saved figures a cell displays (``RunContext.save_figure`` tags them)."""
    return [Path(o["metadata"]["serlib_figure"]).stem for o in cell.get("outputs", [])
            if "serlib_figure" in o.get("metadata", {})]


def _has_figure(cell) -> bool:
    """A PNG output, or an HTML one holding an image (how RunContext.save_figure shows a saved figure)."""
    for o in cell.get("outputs", []):
        data = o.get("data", {})
        if "serlib_figure" in o.get("metadata", {}):
            return True
        html = data.get("text/html", "")
        if "image/png" in data or "<img" in ("".join(html) if isinstance(html, list) else html):
            return True
    return False


def build_report(out: Path, executed: list[Path], summary: dict, code: str = "collapse") -> Path:
    """One self-contained HTML page: run summary, headline results, table of contents, every executed notebook.

    The page loads nothing remote (the template drops require.js, MathJax and mermaid, which the notebooks do
    not need); ``code`` is one of :data:`REPORT_CODE_MODES`.
    """
    import json

    import nbformat
    from nbconvert import HTMLExporter

    from serlib.reporting.results import headline_markdown

    if code not in REPORT_CODE_MODES:
        raise ValueError(f"report code mode must be one of {', '.join(REPORT_CODE_MODES)}, got {code!r}")
    book = nbformat.v4.new_notebook()
    lines = [
        "# Speech emotion recognition companion: run report",
        "",
        "Numbers here are **measured here** by this run; values from the paper are labelled **reported**.",
        "",
        f"- corpora: {summary['corpora_label']}",
        f"- quick run: {summary['quick']}  (quick runs use small subsets; their numbers are not meaningful)",
        f"- budget: {summary.get('budget', 'full')}  (quick and demo: fewer folds/epochs/seeds in notebooks 03-04, "
        "see serlib.settings.RUN_SIZES)",
        f"- seed: {summary['seed']}, protocol(s): {summary['protocol']}",
        f"- git commit: `{summary['git_commit']}`",
        f"- started (UTC): {summary['started_utc']}, wall time {summary.get('wall_time_s', 0):.0f} s",
        f"- status: **{summary['status']}**",
        "",
        "| notebook | status | seconds |",
        "|---|---|---|",
    ]
    for nb in summary["notebooks"]:
        lines.append(f"| [{nb['name']}](#{nb['name']}) | {nb['status']} | {nb['seconds']:.1f} |")
    metrics_path = out / "metrics.json"
    if metrics_path.exists():
        try:
            results = headline_markdown(json.loads(metrics_path.read_text(encoding="utf-8")))
        except ValueError as err:
            results = f"_metrics.json unreadable: {err}_"
        lines += ["", "## Results summary", "", results]
    notebooks = [nbformat.read(path, as_version=4) for path in executed]
    toc = ["", "## Contents", "", '<nav class="serlib-toc">', ""]
    n_fig = 0
    for path, nb in zip(executed, notebooks):
        toc.append(f"- [{path.stem}](#{path.stem})")
        section = None
        for cell in nb.cells:
            section = _heading(cell) or section
            if _has_figure(cell):
                n_fig += 1
                names = ", ".join(f"`{n}`" for n in _figure_names(cell))
                toc.append(f"    - [figure {n_fig}](#figure-{n_fig})" + (f" {names}" if names else "")
                           + (f" ({section})" if section else ""))
    toc += ["", "</nav>"]
    book.cells.append(nbformat.v4.new_markdown_cell("\n".join(lines + toc)))
    n_fig = 0
    for path, nb in zip(executed, notebooks):
        book.cells.append(nbformat.v4.new_markdown_cell(f'<a id="{path.stem}"></a>\n\n---\n\n'
                                                          f"*Notebook `{path.name}`*"))
        for cell in nb.cells:
            if "injected-parameters" in cell.get("metadata", {}).get("tags", []):
                continue
            if _has_figure(cell):
                n_fig += 1
                book.cells.append(nbformat.v4.new_markdown_cell(f'<a id="figure-{n_fig}"></a>'))
            book.cells.append(cell)
    book.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    exporter = HTMLExporter(template_name="lab", extra_template_paths=[str(REPORT_TEMPLATE_DIR)],
                            template_file="serlib_report.html.j2")
    exporter.exclude_input_prompt = True
    exporter.exclude_output_prompt = True
    exporter.exclude_input = code == "hide"
    title = f"SER companion run report: {summary['corpora_label']}, commit {str(summary['git_commit'])[:12]}"
    html, _ = exporter.from_notebook_node(book, resources={"report_code": code, "metadata": {"name": title}})
    path = out / "report.html"
    path.write_text(html, encoding="utf-8")
    return path


def _strip_noise_from(path: Path, strip_noise) -> None:
    """Drop progress bars and start-up logs from an executed notebook's stderr outputs (kept in progress.log)."""
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:  # an unreadable executed copy is reported by the run's status, not here
        return
    if strip_noise(nb):
        nbformat.write(nb, path)


def kernel_pythonpath(root: Path, existing: str | None) -> str:
    """``PYTHONPATH`` for the kernels: this checkout first, so every notebook imports the ``serlib`` of the commit
    the run records, even when an editable install points to another checkout; ``existing`` entries follow."""
    rest = [p for p in (existing or "").split(os.pathsep) if p and Path(p).resolve() != root.resolve()]
    return os.pathsep.join([str(root), *rest])


def main(argv: list[str] | None = None) -> int:
    """Run the notebooks; the environment variables set for the kernels are undone on return, so a caller that
    runs ``main`` in-process (the tests) keeps its own environment."""
    saved = dict(os.environ)
    try:
        return _run(argv)
    finally:
        os.environ.clear()
        os.environ.update(saved)


def _run(argv: list[str] | None) -> int:
    args = _parser().parse_args(argv)
    notebooks = discover_notebooks(args.only)
    if not notebooks:
        print(f"run_all.py: no notebooks found in {NOTEBOOK_DIR}", file=sys.stderr)
        return 1
    import papermill as pm

    if args.list:
        for nb in notebooks:
            params = pm.inspect_notebook(str(nb))
            print(nb.name + ": " + ", ".join(f"{k}={v['default']}" for k, v in params.items()))
        return 0

    try:
        corpora = resolve_corpora(args)
    except (ValueError, FileNotFoundError) as err:
        print(f"run_all.py: {err}", file=sys.stderr)
        return 2

    try:
        executor = check_executor(args)
    except (ValueError, ImportError, ConnectionError) as err:
        print(f"run_all.py: {err}", file=sys.stderr)
        return 2

    from serlib.reporting.run_context import git_commit, merge_metrics, update_metrics_fragment
    from serlib.settings import budget_parameters, resolve_budget

    budget = resolve_budget(args.budget, corpora, args.quick)

    stamp = dt.datetime.now(dt.timezone.utc)
    out = Path(args.output) if args.output else ROOT / "runs" / stamp.strftime("%Y%m%dT%H%M%SZ")
    out = out.resolve()
    (out / "notebooks").mkdir(parents=True, exist_ok=True)
    for nb in notebooks:  # a notebook's metrics from an earlier run in the same folder must not survive this one
        (out / "metrics" / f"{nb.stem}.json").unlink(missing_ok=True)
    from serlib.reporting.run_context import forget_artifacts

    removed = forget_artifacts(out, [nb.stem for nb in notebooks])  # nor its figures and tables
    if removed:
        print(f"run_all.py: removed {removed} artifact(s) of an earlier run of these notebooks in {out}")
    os.environ["PYTHONPATH"] = kernel_pythonpath(ROOT, os.environ.get("PYTHONPATH"))  # and the workers they start
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")  # kernels inherit it: keep TensorFlow's C++ chatter out of logs
    from serlib.reporting.progress import PROGRESS_ENV, eta_text, follow, previous_seconds, strip_noise

    # The kernels write their progress bars to this file (not into the notebooks); it is echoed here.
    progress_log = out / "progress.log"
    progress_log.unlink(missing_ok=True)
    progress_log.touch()
    os.environ[PROGRESS_ENV] = str(progress_log)
    if args.cache_dir:
        os.environ["SERLIB_CACHE_DIR"] = str(Path(args.cache_dir).resolve())
    from serlib.experiments.result_cache import LEDGER_ENV, RESULT_CACHE_ENV, ledger_summary

    os.environ[RESULT_CACHE_ENV] = "0" if args.no_result_cache else "1"  # the kernels inherit it
    os.environ.update(executor.to_env())  # and where their trainings run

    parameters = {
        "corpora": corpora,
        "output_dir": str(out),
        "seed": args.seed,
        "n_seeds": args.n_seeds,
        "quick": args.quick,
        "protocol": args.protocol,
        "n_jobs": args.n_jobs,
    }
    corpora_label = " + ".join(corpora) if corpora else "embedded (SYNTHETIC speech)"
    summary = {
        "corpora": corpora, "corpora_label": corpora_label, "quick": args.quick, "seed": args.seed,
        "protocol": args.protocol, "budget": budget, "git_commit": git_commit(),
        "executor": {"kind": executor.kind, "workers": executor.n_workers, "scheduler": executor.scheduler},
        "started_utc": stamp.isoformat(timespec="seconds"),
        "python": sys.version.split()[0], "platform": platform.platform(), "cpu_count": os.cpu_count(),
        "notebooks": [], "status": "ok",
    }
    print(f"run_all.py: {len(notebooks)} notebook(s), corpora: {corpora_label}, quick={args.quick}, "
          f"budget: {budget}, output: {out}")
    # ETA: each notebook's time in this folder's last run, else in the committed reference run, at this budget
    timing_sources = [out / "metrics.json", ROOT / "figures" / "metrics.json"]
    expected = {nb.stem: previous_seconds(nb.stem, budget, timing_sources) for nb in notebooks}
    if all(v is not None for v in expected.values()):
        print(f"run_all.py: the same notebooks took {sum(expected.values()) / 60:.0f} min last time at this budget "
              f"({eta_text(sum(expected.values())).split(', ')[1]})", flush=True)
    t_run = time.perf_counter()
    executed: list[Path] = []
    exit_code = 0
    for nb in notebooks:
        target = out / "notebooks" / nb.name
        declared = pm.inspect_notebook(str(nb))
        params = {k: v for k, v in parameters.items() if k in declared}
        overrides = budget_parameters(nb.stem, budget, declared)
        params.update(overrides)
        print(f"--> {nb.name} ({eta_text(expected[nb.stem])})", flush=True)
        ledger = out / ".ledger" / f"{nb.stem}.jsonl"  # the notebook's trainings, cached or not (result_cache)
        ledger.parent.mkdir(parents=True, exist_ok=True)
        ledger.unlink(missing_ok=True)
        os.environ[LEDGER_ENV] = str(ledger)  # the kernel started below inherits it
        t0 = time.perf_counter()
        try:
            with follow(progress_log):
                pm.execute_notebook(str(nb), str(target), parameters=params, kernel_name=args.kernel,
                                    cwd=str(NOTEBOOK_DIR), progress_bar=False, log_output=False)
            status = "ok"
        except pm.PapermillExecutionError as err:
            status = f"failed at cell {err.exec_count}: {err.ename}: {str(err.evalue).splitlines()[0] if err.evalue else ''}"
            print(f"run_all.py: notebook {nb.name} {status}\n  executed copy kept at {target}", file=sys.stderr)
            exit_code = 1
        except Exception as err:  # kernel death, bad notebook JSON, ...
            status = f"failed: {type(err).__name__}: {str(err).splitlines()[0] if str(err) else ''}"
            print(f"run_all.py: notebook {nb.name} {status}", file=sys.stderr)
            exit_code = 1
        seconds = time.perf_counter() - t0
        summary["notebooks"].append({"name": nb.stem, "status": status, "seconds": round(seconds, 1),
                                     "budget_overrides": overrides})
        # the wall time lives in the notebook's own metrics fragment, so runs made notebook by notebook with
        # --only into one folder keep every notebook's time in metrics.json
        update_metrics_fragment(out, nb.stem, {"timing": {nb.stem: {
            "seconds": round(seconds, 1), "status": status, "budget": budget, "git_commit": summary["git_commit"],
            "cpu_count": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2),
            "trainings": ledger_summary(ledger)}}})
        if target.exists():
            _strip_noise_from(target, strip_noise)
            executed.append(target)
        print(f"    {status} ({seconds:.1f} s)", flush=True)
        if exit_code:
            summary["status"] = f"FAILED in {nb.name}"
            break
    summary["wall_time_s"] = round(time.perf_counter() - t_run, 1)
    merge_metrics(out, {"run": {"quick": args.quick, "budget": budget, "seed": args.seed,
                                "corpora": sorted(corpora) or ["embedded"],
                                "git_commit": summary["git_commit"]}})
    (out / "run.json").write_text(json.dumps(summary, indent=1))
    if not args.no_report and executed:
        report = build_report(out, executed, summary, code=args.report_code)
        print(f"report: {report}")
    print(f"run_all.py: {summary['status']} in {summary['wall_time_s']:.0f} s; metrics: {out / 'metrics.json'}")
    return exit_code


if __name__ == "__main__":
    sys.exit(main())

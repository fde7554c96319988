"""End-to-end tests of run_all.py: options, a corpus seeded with broken files, a failing notebook."""

import json
import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pandas as pd
import pytest

import run_all
from serlib.reporting.claims import audit_claims
from serlib.reporting.metrics_keys import corpus_of, notebook_of
from tests.browser import visit
from tests.corpus_fixtures import make_small_broken_ravdess

ROOT = Path(__file__).resolve().parents[1]


def test_help_documents_every_option():
    out = subprocess.run([sys.executable, str(ROOT / "run_all.py"), "--help"], capture_output=True, text=True)
    assert out.returncode == 0
    for opt in ("--corpus", "--data-dir", "--protocol", "--seed", "--n-seeds", "--quick", "--budget", "--output", "--only",
                "--cache-dir", "--kernel", "--n-jobs", "--no-report", "--report-code", "--no-result-cache", "--list",
                "--executor", "--workers", "--scheduler"):
        assert opt in out.stdout


def test_bad_options_are_one_line_errors(tmp_path, capsys):
    assert run_all.main(["--corpus", "nosuch=/x", "--output", str(tmp_path)]) == 2
    assert "unknown corpus 'nosuch'" in capsys.readouterr().err
    with pytest.raises(SystemExit, match="no notebook numbered 99"):
        run_all.main(["--only", "99"])


@pytest.fixture(scope="module")
def small_broken_ravdess(tmp_path_factory):
    root = tmp_path_factory.mktemp("data") / "ravdess"
    return root, make_small_broken_ravdess(root)


def test_every_notebook_runs_through_a_small_corpus_seeded_with_broken_files(small_broken_ravdess, tmp_path):
    """A new user's first try: 36 RAVDESS files, 12 broken in 12 ways, one actor with no usable file at all.
    Every notebook runs through it; every bad file is listed with its reason; every experiment the corpus is too
    small for is skipped with one line (in the notebook and in metrics.json), never a traceback."""
    root, expected = small_broken_ravdess
    out = tmp_path / "run"
    proc = subprocess.run(
        [sys.executable, str(ROOT / "run_all.py"), "--quick", "--corpus", f"ravdess={root}", "--output", str(out),
         "--cache-dir", str(tmp_path / "cache"), "--n-jobs", "1"],
        capture_output=True, text=True, timeout=1500,
    )
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    executed = sorted(p.name for p in (out / "notebooks").glob("*.ipynb"))
    assert executed == sorted(p.name for p in (ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["ravdess"]["n_utterances"] == 32  # 36 files, 4 of them without a usable name
    assert metrics["data"]["ravdess"]["n_speakers"] == 3
    assert metrics["features"]["ravdess"]["n_utterances"] == 24
    skipped = pd.concat([pd.read_csv(out / "tables" / "01_skipped_files.csv"),
                         pd.read_csv(out / "tables" / "02_skipped_files.csv")])
    reasons = {Path(p).name: r for p, r in zip(skipped["path"], skipped["reason"])}
    assert len(expected) == 12
    for name, fragment in expected.items():
        assert fragment.lower() in str(reasons.get(name, "")).lower(), (name, reasons.get(name))
    skips = [s for per_notebook in metrics["skipped_experiments"].values() for s in per_notebook]
    assert skips and all(s["reason"] and "\n" not in s["reason"] for s in skips)
    assert {"04_cnn_lstm", "05_baselines"} <= set(metrics["skipped_experiments"])
    # the metrics contract: every key the claims audit reads was written, or the notebook that writes it said why
    # it skipped that experiment on that corpus
    skipped_where = {(nb, s["corpus"]) for nb, per in metrics["skipped_experiments"].items() for s in per}
    audit = audit_claims(metrics, quick=True)
    unexplained = [(r.claim_id, key) for r in audit.itertuples() for key in filter(None, r.missing_keys.split(";"))
                   if (notebook_of(key), corpus_of(key)) not in skipped_where]
    assert not unexplained, unexplained
    for nb in (out / "notebooks").glob("*.ipynb"):
        cells = nbformat.read(nb, as_version=4).cells
        errors = [o for c in cells if c.cell_type == "code" for o in c.get("outputs", [])
                  if o.get("output_type") == "error"]
        assert not errors, nb.name
    report = (out / "report.html").read_text()
    assert "final_take.wav" in report and "skipped: CNN-LSTM, random_80_20 on ravdess" in report
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["figures/01_counts_ravdess.png"]["corpus"] == "ravdess"
    assert all(v["seed"] == 0 for v in prov.values())


def test_failing_notebook_stops_with_name_and_cell(tmp_path, monkeypatch, capsys):
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("output_dir = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell("x = 1"), nbformat.v4.new_code_cell("raise ValueError('boom')")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nbdir / "01_fails.ipynb")
    nbformat.write(nbformat.v4.new_notebook(), nbdir / "02_never_runs.ipynb")
    monkeypatch.setattr(run_all, "NOTEBOOK_DIR", nbdir)
    out = tmp_path / "run"
    assert run_all.main(["--output", str(out)]) == 1
    err = capsys.readouterr().err
    assert "01_fails.ipynb" in err and "ValueError: boom" in err and "cell" in err
    assert (out / "notebooks" / "01_fails.ipynb").exists()
    assert not (out / "notebooks" / "02_never_runs.ipynb").exists()
    summary = json.loads((out / "run.json").read_text())
    assert summary["status"].startswith("FAILED in 01_fails")
    assert summary["budget"] == "demo"  # no corpus configured -> embedded corpus -> demo budget
    assert (out / "report.html").exists()


def test_default_quick_run_uses_the_embedded_synthetic_corpus(tmp_path):
    """The README's main job on a machine with no corpus: embedded corpus, report written, SYNTHETIC stamped."""
    out = tmp_path / "run"
    proc = subprocess.run([sys.executable, str(ROOT / "run_all.py"), "--quick", "--only", "01,02", "--output", str(out),
                           "--cache-dir", str(tmp_path / "cache")], capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["data"]["embedded"]["synthetic"] is True
    assert metrics["data"]["embedded"]["n_emotions"] == 6
    assert metrics["run"]["corpora"] == ["embedded"]
    assert metrics["run"]["budget"] == "quick"
    prov = json.loads((out / "provenance.json").read_text())
    assert prov["figures/01_counts_embedded.png"]["synthetic"] is True
    assert "SYNTHETIC" in (out / "report.html").read_text()
    assert list((tmp_path / "cache" / "embedded").iterdir()), "embedded corpus is cached under --cache-dir"
    # the report: offline (no remote script, style or image), a results summary, one anchor per saved figure
    import re

    report = (out / "report.html").read_text()
    # what a browser would fetch: scripts, images, frames (src) and stylesheets (<link href>); <a href> links
    # (the references' DOIs) are not requests
    remote = re.findall(r'\bsrc="(https?://[^"]+)"', report) + re.findall(r'<link[^>]*href="(https?://[^"]+)"', report)
    assert not remote, remote
    assert "Results summary" in report and "Contents" in report
    n_figures = len(list((out / "figures").glob("*.png")))
    assert n_figures and report.count('id="figure-') == n_figures == report.count('href="#figure-')
    assert report.count("data:image/png;base64") >= n_figures
    # opened in headless Chromium, offline: no remote request, every figure drawn, every in-page link lands
    seen = visit(out / "report.html", tmp_path / "report_screenshot.png")
    assert seen.remote_requests == [], seen.remote_requests
    assert len(seen.rendered_images) == len(seen.images) >= n_figures, seen.images
    assert seen.broken_anchors == [], seen.broken_anchors
    assert seen.title.startswith("SER companion run report: embedded"), seen.title
    assert (tmp_path / "report_screenshot.png").stat().st_size > 10_000  # a drawn page, not a blank one
    # progress bars reach the terminal of run_all.py (via progress.log), not the executed notebooks
    assert "features" in proc.stderr and "%|" in proc.stderr
    assert "%|" in (out / "progress.log").read_text()
    for executed in (out / "notebooks").glob("*.ipynb"):
        outputs = [o for c in nbformat.read(executed, as_version=4).cells for o in c.get("outputs", [])]
        text = "".join(o.get("text", "") for o in outputs if o.get("output_type") == "stream")
        assert "%|" not in text and "TqdmWarning" not in text and "absl" not in text, executed.name


def _parameter_echo_notebook(path: Path, **defaults) -> None:
    """A notebook that declares ``defaults`` as parameters and writes the values it ran with to echo.json."""
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("\n".join(f"{k} = {v!r}" for k, v in defaults.items()))
    params.metadata["tags"] = ["parameters"]
    names = ", ".join(f"{k!r}: {k}" for k in defaults)
    nb.cells = [params, nbformat.v4.new_code_cell(
        f"import json, pathlib\npathlib.Path(output_dir, 'echo.json').write_text(json.dumps({{{names}}}))")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


@pytest.mark.parametrize("argv, expected_budget", [
    ([], "demo"),                      # embedded corpus, auto -> demo budget
    (["--budget", "full"], "full"),    # the notebook's own default
    (["--quick"], "quick"),            # the quick preset of serlib.settings.RUN_SIZES
])
def test_budget_overrides_reach_the_training_notebooks(tmp_path, monkeypatch, argv, expected_budget):
    from serlib.settings import RUN_SIZES

    expected_epochs = RUN_SIZES.get(expected_budget, {}).get("04_cnn_lstm", {}).get("max_epochs", 40)
    assert expected_budget == "full" or expected_epochs != 40  # the budget changes what the notebook receives
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    _parameter_echo_notebook(nbdir / "04_cnn_lstm.ipynb", output_dir="x", max_epochs=40, run_ablation=True,
                             n_folds=None)
    monkeypatch.setattr(run_all, "NOTEBOOK_DIR", nbdir)
    out = tmp_path / "run"
    assert run_all.main(["--output", str(out), "--no-report", *argv]) == 0
    echo = json.loads((out / "echo.json").read_text())
    assert echo["max_epochs"] == expected_epochs
    assert echo["run_ablation"] is (expected_budget != "demo")
    summary = json.loads((out / "run.json").read_text())
    assert summary["budget"] == expected_budget
    metrics = json.loads((out / "metrics.json").read_text())
    assert metrics["run"]["budget"] == expected_budget
    timing = metrics["timing"]["04_cnn_lstm"]
    assert timing["status"] == "ok" and timing["budget"] == expected_budget and timing["seconds"] > 0


def test_resolve_budget():
    from serlib.settings import resolve_budget
    assert resolve_budget("auto", {}, quick=False) == "demo"
    assert resolve_budget("auto", {"embedded": ""}, quick=False) == "demo"
    assert resolve_budget("auto", {"ravdess": "/data/ravdess"}, quick=False) == "full"
    assert resolve_budget("demo", {"ravdess": "/data/ravdess"}, quick=False) == "demo"
    assert resolve_budget("full", {}, quick=True) == "quick"
    with pytest.raises(ValueError, match="budget must be one of"):
        resolve_budget("huge", {}, quick=False)


def test_run_size_parameters_are_declared_by_their_notebooks():
    """A renamed notebook parameter must not silently drop out of the quick or demo budget."""
    import papermill as pm

    from serlib.settings import RUN_SIZES, budget_parameters
    for budget, per_notebook in RUN_SIZES.items():
        for stem, overrides in per_notebook.items():
            declared = pm.inspect_notebook(str(ROOT / "notebooks" / f"{stem}.ipynb"))
            assert set(overrides) <= set(declared), (budget, stem, set(overrides) - set(declared))
            assert budget_parameters(stem, budget, declared) == overrides
            assert budget_parameters(stem, "full", declared) == {}


def test_kernels_import_the_serlib_of_the_checkout_that_runs(tmp_path, monkeypatch):
    """An editable install (or PYTHONPATH) pointing to another checkout must not change the code a run executes:
    the kernels import this checkout's serlib, the one whose commit the run records."""
    other = tmp_path / "other_checkout"
    (other / "serlib").mkdir(parents=True)
    (other / "serlib" / "__init__.py").write_text("raise ImportError('the serlib of another checkout')\n")
    monkeypatch.setenv("PYTHONPATH", str(other))
    assert run_all.kernel_pythonpath(ROOT, str(other)).split(os.pathsep) == [str(ROOT), str(other)]
    assert run_all.kernel_pythonpath(ROOT, str(ROOT)) == str(ROOT)
    nbdir = tmp_path / "notebooks"
    nbdir.mkdir()
    nb = nbformat.v4.new_notebook()
    params = nbformat.v4.new_code_cell("output_dir = 'x'")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params, nbformat.v4.new_code_cell(
        "import pathlib, serlib\n"
        f"assert pathlib.Path(serlib.__file__).resolve().parents[1] == pathlib.Path({str(ROOT)!r}), serlib.__file__")]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, nbdir / "01_imports.ipynb")
    monkeypatch.setattr(run_all, "NOTEBOOK_DIR", nbdir)
    before = dict(os.environ)
    assert run_all.main(["--output", str(tmp_path / "run"), "--no-report"]) == 0
    # and the caller's environment is as it was: a PYTHONPATH left pointing at the checkout broke later tests
    assert dict(os.environ) == before

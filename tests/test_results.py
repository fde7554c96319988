"""Headline results read from metrics (serlib.reporting.results): report summary and the README block."""

import pytest

from serlib.reporting import results


def _metrics():
    return {
        "run": {"corpora": ["ravdess"], "git_commit": "0123456789abcdef"},
        "cnn_lstm": {"ravdess": {
            "random_80_20": {"accuracy": 0.45, "accuracy_ci95": [0.42, 0.48], "n_seeds": 3},
            "speaker_independent": {"accuracy": 0.40, "uar": 0.395, "uar_ci95": [0.365, 0.425], "n_seeds": 3}}},
        "leaderboard": {"ravdess": {"speaker_independent": {
            "svm_egemaps": {"uar": 0.51, "uar_ci_low": 0.47, "uar_ci_high": 0.54, "n_seeds": 3},
            "cnn_lstm_spknorm": {"uar": 0.606, "uar_ci_low": 0.56, "uar_ci_high": 0.65, "n_seeds": 3}}}},
        "augmentation": {"ravdess": {"speaker_independent": {"gan": {"uar_mean": 0.30, "n_seeds": 3,
                                                                     "diff_vs_none": -0.08,
                                                                     "diff_vs_none_ci": [-0.11, -0.05]},
                                                             "none": {"uar_mean": 0.38}}}},
        "latency_ms": {"model_forward_p50": 0.43},
    }


def test_headline_rows_come_from_metrics_with_protocol_interval_and_seeds():
    table = results.headline_results(_metrics())
    assert list(table.columns) == results.COLUMNS
    best = table[table["result"].str.startswith("best of the leaderboard")].iloc[0]
    assert "cnn_lstm_spknorm" in best["result"] and best["value"] == "60.6 %"
    assert best["95 % interval"] == "56.0 to 65.0" and best["seeds"] == 3
    assert best["protocol"] == "speaker-independent"
    gan = table[table["result"].str.startswith("GAN")].iloc[0]
    assert gan["value"] == "-8.0 points" and gan["95 % interval"] == "-11.0 to -5.0"
    assert "random 80/20" in table.iloc[0]["protocol"]
    # keys the run did not write give no row (no eGeMAPS baseline, no end-to-end latency here)
    assert not table["result"].str.contains("eGeMAPS|audio file to emotion").any()
    assert results.headline_results({}).empty
    with pytest.raises(ValueError, match="metrics must be a dict"):
        results.headline_results([1])


def test_augmentation_headlines_name_classic_the_best_gan_condition_and_each_cross_corpus_direction():
    m = _metrics()
    m["run"]["corpora"] = ["ravdess", "tess"]
    si = m["augmentation"]["ravdess"]["speaker_independent"]
    si["gan"].update(diff_vs_none=-0.08, diff_vs_none_ci=[-0.11, -0.05])
    si["classic"] = {"uar_mean": 0.40, "diff_vs_none": 0.02, "diff_vs_none_ci": [-0.01, 0.05], "n_seeds": 3}
    si["gan_filtered_100pct"] = {"uar_mean": 0.39, "diff_vs_none": 0.01, "diff_vs_none_ci": [-0.02, 0.04],
                                 "n_seeds": 3}
    m["augmentation"]["ravdess"]["cross_corpus_to_tess"] = {
        "none": {"uar_mean": 0.5}, "gan": {"uar_mean": 0.47, "diff_vs_none": -0.03,
                                            "diff_vs_none_ci": [-0.06, 0.0], "n_seeds": 3}, "design": {}}
    table = results.headline_results(m).set_index(["result", "protocol"])
    classic = table.loc[("classical augmentation: UAR gain over none", "speaker-independent")]
    assert classic["value"] == "+2.0 points" and classic["95 % interval"] == "-1.0 to 5.0"
    best = [r for r in table.index if r[0].startswith("best of 2 GAN conditions (gan_filtered_100pct")]
    assert len(best) == 1 and "picked on the test folds" in best[0][0]
    cross = table.loc[("GAN augmentation: UAR gain over none", "cross-corpus (tested on tess)")]
    assert cross["value"] == "-3.0 points" and cross["corpus"] == "ravdess"
    found = results.notebook_findings(m, "03")
    assert len(found) == 4 and found["result"].str.contains("augmentation|GAN").all()
    assert not results.notebook_findings(m, "04")["result"].str.contains("augmentation").any()


def test_readme_block_is_rewritten_between_its_markers_only(tmp_path):
    readme = tmp_path / "README.md"
    readme.write_text(f"# Title\n\n{results.README_BEGIN}\nold table\n{results.README_END}\n\nrest\n")
    assert results.update_readme(readme, _metrics())
    text = readme.read_text()
    assert text.startswith("# Title\n") and text.endswith(f"{results.README_END}\n\nrest\n")
    assert "old table" not in text and "measured here" in text and "`0123456789ab`" in text
    assert not results.update_readme(readme, _metrics())  # same metrics: unchanged
    (tmp_path / "bare.md").write_text("no block\n")
    with pytest.raises(ValueError, match="no results block"):
        results.update_readme(tmp_path / "bare.md", _metrics())
    assert results.main(["--metrics", str(tmp_path / "missing.json")]) == 2


def test_the_committed_readme_block_matches_the_committed_reference_run():
    import json
    from pathlib import Path

    root = Path(__file__).resolve().parents[1]
    metrics = json.loads((root / "figures" / "metrics.json").read_text())
    text = (root / "README.md").read_text()
    block = text[text.index(results.README_BEGIN) + len(results.README_BEGIN):text.index(results.README_END)]
    assert block.strip() == results.headline_markdown(metrics).strip(), \
        "README results block is stale: python -m serlib.reporting.results --metrics figures/metrics.json --readme README.md"


def test_every_notebook_shows_what_the_committed_reference_run_found():
    import json
    from pathlib import Path

    import nbformat

    root = Path(__file__).resolve().parents[1]
    metrics = json.loads((root / "figures" / "metrics.json").read_text())
    notebooks = sorted((root / "notebooks").glob("[0-9][0-9]_*.ipynb"))
    assert len(notebooks) == 7
    for path in notebooks:
        nb = nbformat.read(path, as_version=4)
        cells = [c for c in nb.cells if results.FINDINGS_TAG in c.metadata.get("tags", [])]
        assert len(cells) == 1 and cells[0].cell_type == "markdown", path.name
        assert cells[0].source == results.findings_markdown(metrics, path.name[:2]), \
            f"{path.name}: stale; python -m serlib.reporting.results --metrics figures/metrics.json --notebooks notebooks"


def test_notebook_findings_cells_are_inserted_once_and_rewritten(tmp_path):
    import nbformat

    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell("# 03 title"), nbformat.v4.new_code_cell("x = 1")]
    nbformat.write(nb, tmp_path / "03_demo.ipynb")
    assert results.update_notebooks(tmp_path, _metrics()) == [tmp_path / "03_demo.ipynb"]
    cells = nbformat.read(tmp_path / "03_demo.ipynb", as_version=4).cells
    assert len(cells) == 3 and "-8.0 points" in cells[1].source and cells[2].source == "x = 1"
    assert results.update_notebooks(tmp_path, _metrics()) == []
    with pytest.raises(ValueError, match="01 ... 07"):
        results.notebook_findings(_metrics(), "09")


def test_run_time_line_names_commits_budget_and_minutes():
    from serlib.reporting.results import run_time_markdown

    one = {"timing": {"03_gan_augmentation": {"seconds": 600.0, "git_commit": "abc123", "budget": "full",
                                              "cpu_count": 2},
                      "04_cnn_lstm": {"seconds": 1800.0, "git_commit": "abc123", "budget": "full", "cpu_count": 2}}}
    line = run_time_markdown(one)
    assert line.startswith("Run: 2 notebook(s), budget full, commit `abc123`, 40 min of notebook time on 2 CPU")
    assert "03 10.0, 04 30.0" in line
    one["timing"]["04_cnn_lstm"]["git_commit"] = "def456"
    assert "commits `abc123`, `def456`" in run_time_markdown(one)
    assert run_time_markdown({}) == ""
    assert "cache" not in line  # no training counted: no sentence about the cache


def test_run_time_line_says_what_the_cache_served_and_the_cold_time_it_implies():
    from serlib.reporting.results import run_time_markdown

    def nb(seconds, trainings):
        return {"seconds": seconds, "git_commit": "abc", "budget": "full", "cpu_count": 2, "trainings": trainings}

    warm = {"timing": {"03_gan_augmentation": nb(600.0, {"trainings": 10, "from_cache": 8, "cached_seconds": 2400.0}),
                       "04_cnn_lstm": nb(600.0, {"trainings": 5, "from_cache": 5, "cached_seconds": 1200.0})}}
    line = run_time_markdown(warm)
    assert "13 of 15 trainings were read from the result cache; they took 60 min" in line
    assert "a run with an empty result cache takes about 80 min" in line
    cold = {"timing": {"04_cnn_lstm": nb(600.0, {"trainings": 5, "from_cache": 0, "cached_seconds": 0.0})}}
    assert "All 5 trainings ran in this run (empty result cache)." in run_time_markdown(cold)

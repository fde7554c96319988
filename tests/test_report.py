import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import pandas as pd
import pytest
from PIL import Image

from serlib.data.corpus_config import discover_corpora, parse_corpus_specs, quick_subset
from serlib.reporting.run_context import RunContext, deep_merge, manifest_hash, merge_metrics


def _manifest(prefix):
    return pd.DataFrame({"path": [f"{prefix}/Actor_01/a.wav", f"{prefix}/Actor_02/b.wav"],
                         "corpus": "ravdess", "speaker": ["01", "02"], "emotion": ["sad", "angry"]})


def test_manifest_hash_ignores_location_but_not_content():
    a, b = _manifest("/home/x/ravdess"), _manifest("/data/y/ravdess")
    assert manifest_hash(a) == manifest_hash(b)
    assert manifest_hash(a) == manifest_hash(a.iloc[::-1])
    c = a.copy()
    c.loc[0, "emotion"] = "happy"
    assert manifest_hash(c) != manifest_hash(a)


@pytest.mark.parametrize("corpus,synthetic", [("embedded", True), ("ravdess", False)])
def test_save_figure_records_provenance_and_synthetic_stamp(tmp_path, corpus, synthetic):
    ctx = RunContext(tmp_path, "01_test", seed=7)
    ctx.register_manifest(corpus, _manifest("/x"))
    fig, ax = plt.subplots()
    ax.plot([0, 1], [0, 1])
    path = ctx.save_figure(fig, "demo", corpus=corpus, protocol="speaker_independent")
    texts = [t.get_text() for t in fig.texts]
    assert any("SYNTHETIC" in t for t in texts) == synthetic
    assert any("speaker_independent" in t for t in texts)
    prov = json.loads((tmp_path / "provenance.json").read_text())["figures/demo.png"]
    assert prov["protocol"] == "speaker_independent" and prov["seed"] == 7 and prov["synthetic"] == synthetic
    assert prov["manifest_hash"][corpus] == manifest_hash(_manifest("/x"))
    assert prov["git_commit"]
    meta = json.loads(Image.open(path).text["Description"])
    assert meta["corpus"] == corpus
    assert any("seed 7" in t for t in texts)
    fig2, _ = plt.subplots()
    ctx.save_figure(fig2, "pooled", corpus=corpus, protocol="speaker_independent", n_seeds=3)
    assert any("3 seeds (from 7)" in t.get_text() for t in fig2.texts)


def test_save_figure_takes_axes_sets_size_and_closes(tmp_path):
    ctx = RunContext(tmp_path, "01_test")
    ctx.register_manifest("ravdess", _manifest("/x"))
    fig, axes = plt.subplots(1, 2)
    path = ctx.save_figure(axes, "grid", corpus="ravdess", size=(6, 2), tight=True)
    assert tuple(fig.get_size_inches()) == (6, 2)
    assert not plt.fignum_exists(fig.number)  # saved figures are closed (no pile-up in a long notebook)
    with Image.open(path) as im:
        assert im.size[0] > im.size[1]  # the wide size was used
    _, ax = plt.subplots()
    ctx.save_figure(ax, "one", corpus="ravdess")
    with pytest.raises(TypeError, match="Figure or Axes"):
        ctx.save_figure("not a figure", "bad", corpus="ravdess")


def test_run_context_loads_and_registers_corpora_shows_tables_and_records_skips(tmp_path, capsys):
    ctx = RunContext(tmp_path, "01_test", seed=3, quick=True)
    manifests = ctx.load_corpora({})
    assert list(manifests) == list(ctx.manifest_hashes)  # every corpus registered
    assert all(ctx.manifest_hashes[n] == manifest_hash(m) for n, m in manifests.items())
    df = pd.DataFrame({"a": [1, 2]})
    assert ctx.show_table(df, "t", corpus="embedded") is df
    assert pd.read_csv(tmp_path / "tables" / "t.csv").equals(df)
    ctx.record_skips([("noise", "tess", "too few speakers"), ("ablation", "tess", "one emotion")], prefix="04, ")
    assert [s["experiment"] for s in ctx.skipped_experiments] == ["04, noise", "04, ablation"]
    assert "skipped: 04, noise on tess: too few speakers" in capsys.readouterr().out


def test_metrics_fragments_merge(tmp_path):
    a = RunContext(tmp_path, "01_a")
    a.record_metrics({"data": {"ravdess": {"n": 3}}}, corpus="ravdess")
    a.record_metrics({"data": {"tess": {"n": 2}}}, corpus="tess")
    RunContext(tmp_path, "02_b").record_metrics({"features": {"ravdess": {"k": 1.5}}}, corpus="ravdess")
    merged = json.loads(merge_metrics(tmp_path, {"run": {"quick": True}}).read_text())
    assert merged == {"data": {"ravdess": {"n": 3}, "tess": {"n": 2}}, "features": {"ravdess": {"k": 1.5}},
                      "run": {"quick": True}}
    assert deep_merge({"a": {"b": 1}}, {"a": {"c": float("nan")}}) == {"a": {"b": 1, "c": None}}


def test_parse_corpus_specs(tmp_path):
    out = parse_corpus_specs([f"ravdess={tmp_path}", "TESS=rel/tess"])
    assert out["ravdess"] == str(tmp_path) and out["tess"].endswith("rel/tess")
    for bad, msg in [(["ravdess"], "NAME=ROOT"), (["foo=/x"], "unknown corpus"),
                     (["tess=/a", "tess=/b"], "twice")]:
        with pytest.raises(ValueError, match=msg):
            parse_corpus_specs(bad)


def test_discover_corpora(tmp_path):
    for d in ("RAVDESS", "tess", "notes", "CREMA-D"):
        (tmp_path / d).mkdir()
    found = discover_corpora(tmp_path)
    assert set(found) == {"ravdess", "tess", "crema-d"}
    with pytest.raises(FileNotFoundError):
        discover_corpora(tmp_path / "absent")


def test_quick_subset_keeps_every_speaker_and_emotion():
    m = pd.DataFrame({"path": [f"/p/{i}.wav" for i in range(120)], "speaker": [str(i % 4) for i in range(120)],
                      "emotion": [["a", "b", "c"][i % 3] for i in range(120)]})
    sub = quick_subset(m, per_group=2, seed=1)
    assert len(sub) == 4 * 3 * 2
    assert sub.groupby(["speaker", "emotion"]).size().eq(2).all()
    assert sub.equals(quick_subset(m, per_group=2, seed=1))


def test_forget_artifacts_removes_only_the_rerun_notebooks_outputs(tmp_path):
    import json

    from serlib.reporting.run_context import forget_artifacts

    (tmp_path / "figures").mkdir()
    (tmp_path / "tables").mkdir()
    for name in ("figures/04_a.png", "tables/04_b.csv", "figures/05_c.png"):
        (tmp_path / name).write_text("x")
    prov = {"figures/04_a.png": {"notebook": "04_cnn_lstm"}, "tables/04_b.csv": {"notebook": "04_cnn_lstm"},
            "metrics/04_cnn_lstm.json:ravdess:all": {"notebook": "04_cnn_lstm"},
            "figures/05_c.png": {"notebook": "05_baselines"}}
    (tmp_path / "provenance.json").write_text(json.dumps(prov))
    assert forget_artifacts(tmp_path, ["04_cnn_lstm"]) == 2
    assert not (tmp_path / "figures/04_a.png").exists() and (tmp_path / "figures/05_c.png").exists()
    assert list(json.loads((tmp_path / "provenance.json").read_text())) == ["figures/05_c.png"]
    assert forget_artifacts(tmp_path / "missing", ["04_cnn_lstm"]) == 0


def test_git_commit_is_dirty_for_code_changes_but_not_for_run_outputs(tmp_path):
    import subprocess

    from serlib.reporting.run_context import git_commit

    def git(*args):
        subprocess.run(["git", *args], cwd=tmp_path, check=True, capture_output=True)

    git("init", "-q")
    (tmp_path / "figures").mkdir()
    (tmp_path / "figures" / "t.csv").write_text("a\n")
    (tmp_path / "code.py").write_text("x = 1\n")
    git("add", ".")
    git("-c", "user.name=t", "-c", "user.email=t@t", "commit", "-qm", "init")
    clean = git_commit(tmp_path)
    assert len(clean) == 40 and not clean.endswith("+dirty")
    (tmp_path / "figures" / "t.csv").write_text("b\n")  # a run rewrote its own output
    assert git_commit(tmp_path) == clean
    (tmp_path / "code.py").write_text("x = 2\n")
    assert git_commit(tmp_path) == clean + "+dirty"


def test_load_corpora_per_group_subsets_outside_quick_mode(tmp_path):
    from serlib.data.corpus_config import load_corpora
    from tests.corpus_fixtures import make_ravdess_tree

    make_ravdess_tree(tmp_path / "ravdess", actors=(1, 2))
    full = load_corpora({"ravdess": str(tmp_path / "ravdess")})["ravdess"]
    sub = load_corpora({"ravdess": str(tmp_path / "ravdess")}, per_group=1)["ravdess"]
    per_group = full.groupby(["speaker", "emotion"]).size()
    assert per_group.max() > 1  # the fixture has groups to shrink
    assert len(sub) == len(per_group) and sub.groupby(["speaker", "emotion"]).size().eq(1).all()
    quick = load_corpora({"ravdess": str(tmp_path / "ravdess")}, quick=True, quick_per_group=2, per_group=1)
    assert quick["ravdess"].groupby(["speaker", "emotion"]).size().max() == 2  # quick mode's own size wins

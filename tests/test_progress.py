"""Progress bars go to the run's terminal, not into executed notebooks (serlib.reporting.progress)."""

import io
import time

import nbformat

from serlib.reporting import progress


def test_bars_write_to_the_file_named_by_the_environment(tmp_path, monkeypatch, capsys):
    log = tmp_path / "progress.log"
    monkeypatch.setenv(progress.PROGRESS_ENV, str(log))
    for _ in progress.tqdm(range(3), desc="work", mininterval=0):
        pass
    assert "work: 100%|" in log.read_text()
    assert "work" not in capsys.readouterr().err
    monkeypatch.delenv(progress.PROGRESS_ENV)
    assert progress.progress_stream() is __import__("sys").stderr


def test_follow_echoes_what_is_appended(tmp_path):
    log = tmp_path / "progress.log"
    log.write_text("old line\n")
    out = io.StringIO()
    with progress.follow(log, out, poll_s=0.05):
        with open(log, "a") as fh:
            fh.write("bar 50%|\n")
        time.sleep(0.2)
        with open(log, "a") as fh:
            fh.write("bar 100%|\n")
    assert out.getvalue() == "bar 50%|\nbar 100%|\n"  # what was there before is not repeated


def test_strip_noise_keeps_real_messages_and_drops_empty_outputs():
    nb = nbformat.v4.new_notebook()
    cell = nbformat.v4.new_code_cell("x")
    bars = "features:  10%|#         | 1/10 [00:00<?, ?it/s]\rfeatures: 100%|##########| 10/10\n"
    cell.outputs = [
        nbformat.v4.new_output("stream", name="stderr", text=bars),
        nbformat.v4.new_output("stream", name="stderr",
                               text="WARNING: All log messages before absl::InitializeLog() is called are written to "
                                    "STDERR\nI0000 00:00:1796223731.253685    4092 port.cc:153] oneDNN custom ops\n"
                                    "UserWarning: a real warning\n"),
        nbformat.v4.new_output("stream", name="stdout", text="kept 50%|\n"),
    ]
    nb.cells = [cell]
    assert progress.strip_noise(nb) == 4
    assert [o.get("text") for o in cell.outputs] == ["UserWarning: a real warning\n", "kept 50%|\n"]


def test_eta_reads_the_last_time_of_the_same_budget(tmp_path):
    import datetime as dt
    import json

    from serlib.reporting.progress import eta_text, previous_seconds

    here, reference = tmp_path / "here.json", tmp_path / "reference.json"
    here.write_text(json.dumps({"timing": {"04_cnn_lstm": {"seconds": 60.0, "budget": "demo", "status": "ok"}}}))
    reference.write_text(json.dumps({"timing": {
        "04_cnn_lstm": {"seconds": 5640.0, "budget": "full", "status": "ok"},
        "03_gan_augmentation": {"seconds": 10.0, "budget": "full", "status": "failed at cell 9: X"}}}))
    sources = [tmp_path / "missing.json", here, reference]
    assert previous_seconds("04_cnn_lstm", "demo", sources) == 60.0
    assert previous_seconds("04_cnn_lstm", "full", sources) == 5640.0
    assert previous_seconds("03_gan_augmentation", "full", sources) is None  # a failed run says nothing
    now = dt.datetime(2026, 1, 1, 18, 0, tzinfo=dt.timezone.utc)
    assert eta_text(5640.0, now) == "last time 94 min, ETA 19:34 UTC"
    assert eta_text(None).startswith("no earlier time")

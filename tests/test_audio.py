import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from serlib.data.audio import AudioError, audit_audio, inspect_audio, load_audio
from tests.audio_fixtures import tone, write_broken_files, write_tone


def test_load_audio_resamples_stereo_to_mono(tmp_path):
    y = tone(1.0, 48000)
    sf.write(tmp_path / "st.wav", np.stack([y, 0.5 * y], axis=1), 48000)
    out = load_audio(tmp_path / "st.wav", 16000)
    assert out.dtype == np.float32 and out.ndim == 1
    assert abs(len(out) - 16000) <= 2
    # channel mean: peak is 0.75 of the louder channel's
    assert np.max(np.abs(out)) == pytest.approx(0.75 * np.max(np.abs(y)), rel=0.05)


def test_load_audio_trims_silence(tmp_path):
    y = np.concatenate([np.zeros(8000, np.float32), tone(1.0), np.zeros(8000, np.float32)])
    sf.write(tmp_path / "pad.flac", y, 16000)
    assert len(load_audio(tmp_path / "pad.flac", 16000)) == len(y)
    assert len(load_audio(tmp_path / "pad.flac", 16000, trim_db=30)) < len(y) - 12000


@pytest.mark.parametrize("k,fragment", [(0, "empty file"), (1, "unreadable or not audio"),
                                        (2, "unreadable or not audio"), (3, "NaN or infinite"), (4, "silent")])
def test_bad_files_give_one_line_reasons(tmp_path, k, fragment):
    write_broken_files(tmp_path, lambda i: f"f{i}.wav")
    with pytest.raises(AudioError) as err:
        load_audio(tmp_path / f"f{k}.wav", 16000)
    assert fragment in str(err.value)
    assert "\n" not in str(err.value)


def test_too_short_and_missing(tmp_path):
    write_tone(tmp_path / "short.wav", 0.05)
    with pytest.raises(AudioError, match="too short"):
        load_audio(tmp_path / "short.wav", 16000, min_duration_s=0.31)
    with pytest.raises(AudioError, match="missing file"):
        load_audio(tmp_path / "nope.wav")


def test_inspect_reports_native_rate_and_duration(tmp_path):
    write_tone(tmp_path / "a.wav", 1.5, sr=24414)
    info = inspect_audio(tmp_path / "a.wav")
    assert info.native_sample_rate == 24414 and info.channels == 1
    assert info.duration_s == pytest.approx(1.5, abs=1e-3)
    assert -20 < info.peak_dbfs < 0


def test_audit_never_raises_and_keeps_alignment(tmp_path):
    expected = write_broken_files(tmp_path, lambda i: f"f{i}.wav")
    write_tone(tmp_path / "good.wav", 1.0)
    paths = sorted(str(p) for p in tmp_path.glob("*.wav"))
    manifest = pd.DataFrame({"path": paths}, index=np.arange(10, 10 + len(paths)))
    audit = audit_audio(manifest, min_duration_s=0.31, n_jobs=1, progress=False)
    assert list(audit.index) == list(manifest.index)
    by_name = {p.split("/")[-1]: r for p, r in zip(audit["path"], audit.itertuples())}
    assert by_name["good.wav"].ok and by_name["good.wav"].duration_s == pytest.approx(1.0, abs=1e-3)
    for name, fragment in expected.items():
        assert not by_name[name].ok
        assert fragment in by_name[name].reason, (name, by_name[name].reason)


def test_first_usable_skips_every_kind_of_broken_file_and_prefers_a_match(tmp_path):
    from serlib.data.audio import first_usable

    expected = write_broken_files(tmp_path, lambda k: f"bad_{k}.wav")
    good = write_tone(tmp_path / "good_sad.wav", 1.0)
    angry = write_tone(tmp_path / "good_angry.wav", 1.0)
    bad = sorted(tmp_path / n for n in expected)
    manifest = pd.DataFrame({"path": [str(p) for p in bad] + [str(good), str(angry)],
                             "emotion": ["angry"] * len(bad) + ["sad", "angry"]})
    row, y = first_usable(manifest, 16000, prefer={"emotion": "angry"}, min_duration_s=0.5)
    assert row["path"] == str(angry) and y.ndim == 1 and len(y) == 16000  # broken "angry" files are passed over
    row, _ = first_usable(manifest, 16000, min_duration_s=0.5)
    assert row["path"] == str(good)
    with pytest.raises(AudioError, match="none of the 6 files loads"):
        first_usable(manifest.iloc[:len(bad)], 16000, min_duration_s=0.5)
    with pytest.raises(AudioError, match="manifest is empty"):
        first_usable(manifest.iloc[:0], 16000)

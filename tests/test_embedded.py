"""Tests of serlib.data.embedded: the synthetic CREMA-D-layout corpus used when no corpus is configured."""

from __future__ import annotations

import hashlib
import json
import re
import threading
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import soundfile as sf

from serlib.data import embedded
from serlib.storage import default_cache_dir

NAME_RE = re.compile(
    r"^\d{4}_(IEO|TIE|IOM|IWW|TAI|MTI|IWL|ITH|DFA|ITS|TSI|WSI)_(ANG|DIS|FEA|HAP|NEU|SAD)_(LO|MD|HI|XX)\.wav$"
)


def _hashes(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted((root / "AudioWAV").glob("*.wav"))}


@pytest.fixture(scope="module")
def corpus_seed0(tmp_path_factory) -> Path:
    return embedded.synthesize_corpus(tmp_path_factory.mktemp("c0a"), n_speakers=2, seed=0, progress=False)


# --------------------------------------------------------------------------------------------
# synthesize_utterance / profiles
# --------------------------------------------------------------------------------------------
def test_espeak_voices_exist():
    variants = set(embedded.available_variants())
    assert set(embedded.MALE_VARIANTS) <= variants
    assert set(embedded.FEMALE_VARIANTS) <= variants
    assert re.match(r"^\d+\.\d+", embedded.espeak_version())


def test_synthesize_utterance_is_plausible_audio():
    y = embedded.synthesize_utterance(
        "It's eleven o'clock.", voice="en-us+f3", rate=160, pitch=50, pitch_range=50, volume=100
    )
    assert y.dtype == np.float32 and y.ndim == 1
    assert np.all(np.isfinite(y))
    assert 0.5 < y.size / 16000 < 3.0
    assert np.sqrt(np.mean(y.astype(np.float64) ** 2)) > 0.01
    assert np.max(np.abs(y)) <= 1.0
    # sample_rate is honoured (eSpeak's native 22050 Hz is resampled)
    y22 = embedded.synthesize_utterance(
        "It's eleven o'clock.", voice="en-us+f3", rate=160, pitch=50, pitch_range=50, volume=100,
        sample_rate=22050,
    )
    assert abs(y22.size / 22050 - y.size / 16000) < 0.01


def test_synthesize_utterance_is_pure():
    kw = dict(voice="en-us+m3", rate=170, pitch=45, pitch_range=60, volume=90)
    a = embedded.synthesize_utterance("Don't forget a jacket.", **kw)
    # eSpeak keeps state between utterances; the module must neutralise it.
    embedded.synthesize_utterance("The surface is slick.", voice="en-us+f1", rate=300, pitch=90,
                                  pitch_range=100, volume=150, word_gap=5)
    b = embedded.synthesize_utterance("Don't forget a jacket.", **kw)
    assert np.array_equal(a, b)
    louder = embedded.synthesize_utterance("Don't forget a jacket.", **{**kw, "volume": 180})
    np.testing.assert_allclose(louder, a * 2.0, atol=2e-4)


def test_unknown_variant_is_rejected():
    with pytest.raises(ValueError):
        embedded.synthesize_utterance("Hello.", voice="en-us+zz9", rate=160, pitch=50, pitch_range=50, volume=100)


def test_emotion_profiles_follow_the_literature_directions():
    p = embedded.EMOTION_PROFILES
    assert set(p) == set(embedded.EMOTIONS)
    assert all(v == 0 for v in p["NEU"].values())
    assert p["ANG"]["pitch"] > 0 and p["ANG"]["pitch_range"] > 0 and p["ANG"]["rate"] > 0 and p["ANG"]["volume_db"] > 0
    assert p["HAP"]["pitch"] > 0 and p["HAP"]["pitch_range"] > 0 and p["HAP"]["rate"] > 0
    assert p["FEA"]["pitch"] > max(p["ANG"]["pitch"], p["HAP"]["pitch"]) and p["FEA"]["rate"] > 0
    assert p["FEA"]["pitch_range"] < 0
    assert p["SAD"]["pitch"] < 0 and p["SAD"]["pitch_range"] < 0 and p["SAD"]["rate"] < 0 and p["SAD"]["volume_db"] < 0
    assert p["DIS"]["pitch"] < 0 and p["DIS"]["rate"] < 0 and p["DIS"]["pitch_range"] > 0
    assert embedded.INTENSITY_SCALE == {"LO": 0.5, "MD": 1.0, "HI": 1.5, "XX": 1.0}


def test_intensity_scales_the_deviation():
    spk = embedded.speaker_profiles(1, seed=0).iloc[0]
    lo, md, hi = (embedded.utterance_parameters(spk, "ANG", lvl) for lvl in ("LO", "MD", "HI"))
    neu = embedded.utterance_parameters(spk, "NEU", "XX")
    assert neu["pitch"] < lo["pitch"] < md["pitch"] < hi["pitch"]
    assert md["pitch"] - neu["pitch"] == pytest.approx(2 * (lo["pitch"] - neu["pitch"]))
    assert neu["rate"] < lo["rate"] < md["rate"] < hi["rate"]


def test_sad_is_slower_and_lower_than_angry():
    import librosa

    spk = embedded.speaker_profiles(2, seed=0).iloc[1]  # a female speaker
    text = embedded.SENTENCES["ITH"]
    sad, _ = embedded.render_utterance(text, spk, "SAD", "XX", clean=True)
    ang, _ = embedded.render_utterance(text, spk, "ANG", "XX", clean=True)
    assert sad.size > 1.3 * ang.size

    def median_f0(y):
        f0, voiced, _ = librosa.pyin(y, fmin=60, fmax=600, sr=16000, frame_length=1024)
        return float(np.nanmedian(f0[voiced]))

    f_sad, f_ang = median_f0(sad), median_f0(ang)
    assert f_sad < 0.85 * f_ang, (f_sad, f_ang)


# --------------------------------------------------------------------------------------------
# speakers
# --------------------------------------------------------------------------------------------
def test_speaker_profiles():
    df = embedded.speaker_profiles(6, seed=3)
    assert list(df["ActorID"]) == [1001, 1002, 1003, 1004, 1005, 1006]
    assert list(df["Sex"]) == ["Male", "Female"] * 3
    for sex, voice in zip(df["Sex"], df["voice"]):
        variant = voice.split("+")[1]
        assert variant in (embedded.MALE_VARIANTS if sex == "Male" else embedded.FEMALE_VARIANTS)
    pd.testing.assert_frame_equal(df, embedded.speaker_profiles(6, seed=3))
    assert not df.equals(embedded.speaker_profiles(6, seed=4))
    # a larger cast extends a smaller one
    pd.testing.assert_frame_equal(embedded.speaker_profiles(4, seed=3), df.iloc[:4])


# --------------------------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------------------------
def test_corpus_layout(corpus_seed0):
    wavs = sorted((corpus_seed0 / "AudioWAV").iterdir())
    assert len(wavs) == 164
    assert all(NAME_RE.match(p.name) for p in wavs)
    names = {p.name for p in wavs}
    assert names == set(embedded.corpus_plan(2)["filename"])
    for actor in ("1001", "1002"):
        mine = {n for n in names if n.startswith(actor)}
        assert len(mine) == 82
        ieo = {n for n in mine if "_IEO_" in n}
        assert len(ieo) == 16 and f"{actor}_IEO_NEU_XX.wav" in ieo and f"{actor}_IEO_SAD_HI.wav" in ieo
        assert all(n.endswith("_XX.wav") for n in mine - ieo)
    durations = []
    for p in wavs:
        info = sf.info(p)
        assert (info.samplerate, info.channels, info.subtype) == (16000, 1, "PCM_16")
        durations.append(info.duration)
    assert 1.4 < min(durations) and max(durations) < 4.5

    demo = pd.read_csv(corpus_seed0 / "VideoDemographics.csv")
    assert list(demo.columns) == ["ActorID", "Age", "Sex", "Race", "Ethnicity"]
    assert list(demo["ActorID"]) == [1001, 1002] and list(demo["Sex"]) == ["Male", "Female"]
    assert demo["Age"].between(18, 90).all() and (demo["Race"] == "Synthetic").all()

    meta = json.loads((corpus_seed0 / "SYNTHETIC_CORPUS.json").read_text())
    assert meta["synthetic"] is True and meta["seed"] == 0 and meta["n_speakers"] == 2
    assert meta["generator_version"] == embedded.GENERATOR_VERSION
    assert meta["espeak_ng_version"] == embedded.espeak_version()
    assert meta["emotion_profiles"] == embedded.EMOTION_PROFILES
    assert "synthetic" in (corpus_seed0 / "README.txt").read_text().lower()


def test_corpus_is_read_by_the_crema_d_loader(corpus_seed0):
    datasets = pytest.importorskip("serlib.data.corpora")
    manifest, skipped = datasets.scan("crema-d", corpus_seed0)
    assert len(manifest) == 164 and len(skipped) == 0


def test_corpus_is_deterministic(corpus_seed0, tmp_path):
    again = embedded.synthesize_corpus(tmp_path / "again", n_speakers=2, seed=0, progress=False)
    h0, h1 = _hashes(corpus_seed0), _hashes(again)
    assert h0 == h1
    assert (corpus_seed0 / "SYNTHETIC_CORPUS.json").read_bytes() == (again / "SYNTHETIC_CORPUS.json").read_bytes()
    other = embedded.synthesize_corpus(tmp_path / "other", n_speakers=2, seed=1, progress=False)
    h2 = _hashes(other)
    assert h2.keys() == h0.keys()
    assert sum(h0[k] != h2[k] for k in h0) == len(h0)


def test_corpus_does_not_depend_on_worker_processes(corpus_seed0, tmp_path):
    par = embedded.synthesize_corpus(tmp_path / "par", n_speakers=2, seed=0, progress=False, n_jobs=2)
    assert _hashes(par) == _hashes(corpus_seed0)


# --------------------------------------------------------------------------------------------
# cache
# --------------------------------------------------------------------------------------------
def test_default_cache_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("SERLIB_CACHE_DIR", str(tmp_path / "c"))
    assert default_cache_dir() == tmp_path / "c"
    monkeypatch.delenv("SERLIB_CACHE_DIR")
    assert default_cache_dir() == Path.home() / ".cache" / "serlib"


@pytest.fixture
def synthesis_calls(monkeypatch) -> list:
    """Counts calls of ``embedded.synthesize_corpus`` (which still runs)."""
    calls = []
    real = embedded.synthesize_corpus

    def counting(*args, **kwargs):
        calls.append(args)
        return real(*args, **kwargs)

    monkeypatch.setattr("serlib.data.embedded.corpus.synthesize_corpus", counting)
    return calls


def test_ensure_embedded_corpus_caches(monkeypatch, tmp_path, synthesis_calls):
    monkeypatch.setenv("SERLIB_CACHE_DIR", str(tmp_path / "cache"))
    calls = synthesis_calls
    root = embedded.ensure_embedded_corpus(n_speakers=1, seed=5, progress=False)
    assert root == tmp_path / "cache" / "embedded" / embedded.corpus_key(1, 5)
    assert len(list((root / "AudioWAV").glob("*.wav"))) == 82 and len(calls) == 1
    mtime = (root / "SYNTHETIC_CORPUS.json").stat().st_mtime_ns

    assert embedded.ensure_embedded_corpus(n_speakers=1, seed=5, progress=False) == root
    assert len(calls) == 1 and (root / "SYNTHETIC_CORPUS.json").stat().st_mtime_ns == mtime
    # no temporary directories are left behind
    assert sorted(p.name for p in root.parent.iterdir() if not p.name.endswith(".lock")) == [root.name]

    # other settings -> another key; an incomplete corpus is regenerated
    assert embedded.corpus_key(1, 6) != embedded.corpus_key(1, 5) != embedded.corpus_key(2, 5)
    victim = next((root / "AudioWAV").glob("*.wav"))
    victim.unlink()
    assert not embedded.is_complete_corpus(root, n_speakers=1, seed=5)
    assert embedded.ensure_embedded_corpus(n_speakers=1, seed=5, progress=False) == root
    assert len(calls) == 2 and victim.exists()


def test_ensure_embedded_corpus_explicit_root_and_concurrency(tmp_path, synthesis_calls):
    calls = synthesis_calls
    target = tmp_path / "mine"
    results, errors = [], []

    def worker():
        try:
            results.append(embedded.ensure_embedded_corpus(target, n_speakers=1, seed=2, progress=False))
        except BaseException as e:  # pragma: no cover - reported below
            errors.append(e)

    threads = [threading.Thread(target=worker) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and results == [target, target]
    assert embedded.is_complete_corpus(target, n_speakers=1, seed=2)
    assert len(calls) == 1  # the second caller waited for the lock and reused the corpus


# --------------------------------------------------------------------------------------------
# learnable, but not trivially
# --------------------------------------------------------------------------------------------
def test_corpus_is_learnable_but_not_trivial(tmp_path):
    import librosa
    from sklearn.tree import DecisionTreeClassifier

    root = embedded.synthesize_corpus(tmp_path / "c4", n_speakers=4, seed=0, progress=False)
    X, y, g = [], [], []
    for p in sorted((root / "AudioWAV").glob("*.wav")):
        audio, sr = sf.read(p, dtype="float32")
        m = librosa.feature.mfcc(y=audio, sr=sr, n_mfcc=20)
        X.append(np.concatenate([m.mean(axis=1), m.std(axis=1)]))
        actor, _, emo, _ = p.stem.split("_")
        y.append(emo)
        g.append(int(actor))
    X, y, g = np.asarray(X), np.asarray(y), np.asarray(g)
    train, test = g <= 1003, g == 1004
    acc = DecisionTreeClassifier(random_state=0).fit(X[train], y[train]).score(X[test], y[test])
    assert 1 / 6 + 0.13 < acc < 1.0, acc


def test_ensure_embedded_corpus_refuses_foreign_folder(tmp_path):
    foreign = tmp_path / "my_data"
    foreign.mkdir()
    (foreign / "notes.txt").write_text("precious")
    with pytest.raises(FileExistsError):
        embedded.ensure_embedded_corpus(foreign, n_speakers=1, seed=0, progress=False)
    assert (foreign / "notes.txt").read_text() == "precious"
    assert [p.name for p in tmp_path.iterdir() if not p.name.endswith(".lock")] == ["my_data"]


def test_synthesize_corpus_removes_stale_files(tmp_path):
    root = tmp_path / "c"
    (root / "AudioWAV").mkdir(parents=True)
    (root / "AudioWAV" / "1099_IEO_ANG_HI.wav").write_bytes(b"junk")
    embedded.synthesize_corpus(root, n_speakers=1, seed=0, progress=False)
    assert len(list((root / "AudioWAV").glob("*.wav"))) == 82
    assert embedded.is_complete_corpus(root, n_speakers=1, seed=0)
    assert not embedded.is_complete_corpus(root, n_speakers=1, seed=1)

"""Tests for serlib.data.corpora: corpus loaders on release-shaped fixture trees,
the shared real copies (when present) and download() against a local server."""

from __future__ import annotations

import hashlib
import http.server
import io
import os
import sys
import threading
import types
import warnings
import zipfile
from pathlib import Path

import pandas as pd
import pytest

from serlib.data import corpora
from serlib.data.corpora.common import _CORPUS_INFO, CorpusNotFoundError
from serlib.data.corpora.manifest import load, scan, skipped_files
from tests.corpus_fixtures import (
    make_cremad_tree,
    make_emodb_tree,
    make_iemocap_tree,
    make_ravdess_tree,
    make_savee_tree,
    make_tess_tree,
    write_cremad_demographics,
    write_text,
    write_tone,
)

SHARED = Path(os.environ.get("SERLIB_SHARED_DATA") or Path(__file__).parents[1] / ".." / "shared" / "data")


def _load_quiet(*args, **kwargs) -> pd.DataFrame:
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # a clean tree must load without any warning
        return load(*args, **kwargs)


def _check_common(manifest: pd.DataFrame, corpus: str, expected: dict) -> None:
    assert len(manifest) == expected["rows"]
    assert isinstance(manifest.index, pd.RangeIndex)
    assert list(manifest.columns[:6]) == ["path", "corpus", "speaker", "gender", "emotion", "emotion_code"]
    assert manifest["path"].tolist() == sorted(manifest["path"])
    assert all(os.path.isabs(p) and os.path.isfile(p) for p in manifest["path"])
    assert set(manifest["corpus"]) == {corpus}
    assert set(manifest["speaker"]) == expected["speakers"]
    assert manifest["gender"].value_counts().to_dict() == expected["genders"]
    assert set(manifest["emotion"]) == expected["emotions"]
    assert set(manifest["emotion"]) <= set(corpora.CANONICAL_EMOTIONS)
    assert not any(isinstance(t, pd.CategoricalDtype) for t in manifest.dtypes)
    assert len(skipped_files(manifest)) == 0


def _row(manifest: pd.DataFrame, file_name: str) -> dict:
    rows = manifest[manifest["path"].str.endswith(os.sep + file_name)]
    assert len(rows) == 1, file_name
    return rows.iloc[0].to_dict()


# ------------------------------------------------------------------ constants


def test_constants():
    assert corpora.CANONICAL_EMOTIONS == (
        "neutral", "calm", "happy", "sad", "angry", "fearful",
        "disgust", "surprised", "boredom", "excited", "frustrated", "other",
    )  # fmt: skip
    assert corpora.CORPORA == ("ravdess", "tess", "crema-d", "iemocap", "savee", "emodb", "embedded")


# -------------------------------------------------------------------- RAVDESS


def test_ravdess_fixture(tmp_path):
    expected = make_ravdess_tree(tmp_path, actors=(1, 2))
    manifest = _load_quiet("ravdess", tmp_path)
    _check_common(manifest, "ravdess", expected)
    assert manifest.groupby("speaker").size().to_dict() == {"01": 60, "02": 60}
    row = _row(manifest, "03-01-06-02-02-01-02.wav")
    assert row["speaker"] == "02" and row["gender"] == "female"
    assert (row["emotion"], row["emotion_code"]) == ("fearful", "06")
    assert (row["vocal_channel"], row["intensity"], row["repetition"]) == ("speech", "strong", 1)
    assert row["statement"] == "Dogs are sitting by the door"
    assert manifest["repetition"].dtype.kind == "i"
    assert manifest.loc[manifest.emotion == "neutral", "intensity"].unique().tolist() == ["normal"]


@pytest.mark.parametrize("wrapper", ["Audio_Speech_Actors_01-24", "Audio_Song_Actors_01-24"])
def test_ravdess_wrapper_folder(tmp_path, wrapper):
    expected = make_ravdess_tree(tmp_path, actors=(3,), wrapper=wrapper)
    manifest = _load_quiet("ravdess", tmp_path)
    assert len(manifest) == expected["rows"] == 60
    assert set(manifest["gender"]) == {"male"}


def test_ravdess_song_file_is_labelled_song(tmp_path):
    make_ravdess_tree(tmp_path, actors=(1,))
    write_tone(tmp_path / "Actor_01" / "03-02-03-02-01-02-01.wav")
    manifest = _load_quiet("ravdess", tmp_path)
    assert len(manifest) == 61
    row = _row(manifest, "03-02-03-02-01-02-01.wav")
    assert (row["vocal_channel"], row["emotion"], row["repetition"]) == ("song", "happy", 2)


def test_ravdess_flac_and_uppercase_extension(tmp_path):
    expected = make_ravdess_tree(tmp_path, actors=(4,), ext=".flac")
    first = expected["files"][0]
    first.rename(first.with_suffix(".FLAC"))
    manifest = _load_quiet("ravdess", tmp_path)
    assert len(manifest) == 60
    assert manifest["path"].str.endswith(".FLAC").sum() == 1


def test_ravdess_bad_names_are_skipped_with_reasons(tmp_path):
    make_ravdess_tree(tmp_path, actors=(1,))
    bad_code = write_tone(tmp_path / "Actor_01" / "03-01-09-01-01-01-01.wav")
    bad_name = write_tone(tmp_path / "Actor_01" / "hello.wav")
    write_text(tmp_path / "Actor_01" / "notes.csv", "a,b\n")
    write_text(tmp_path / ".hidden" / "03-01-01-01-01-01-01.wav", "ignored")
    manifest, skipped = scan("ravdess", tmp_path)
    assert len(manifest) == 60
    assert list(skipped.columns) == ["path", "reason"]
    assert dict(zip(skipped["path"], skipped["reason"])) == {
        str(bad_code): "unknown emotion code '09' in file name",
        str(bad_name): "file name does not match RAVDESS pattern MM-VV-EE-II-SS-RR-AA",
    }
    with pytest.warns(UserWarning, match=r"RAVDESS: skipped 2 of 62 audio files") as record:
        loaded = load("ravdess", tmp_path)
    assert len(record) == 1
    assert len(loaded) == 60
    pd.testing.assert_frame_equal(skipped_files(loaded), skipped)


def test_ravdess_duplicate_copy_is_skipped(tmp_path):
    # Kaggle's RAVDESS ships Actor_NN/ twice: at top level and in audio_speech_actors_01-24/.
    make_ravdess_tree(tmp_path, actors=(1,))
    make_ravdess_tree(tmp_path, actors=(1,), wrapper="audio_speech_actors_01-24")
    manifest, skipped = scan("ravdess", tmp_path)
    assert len(manifest) == 60
    assert len(skipped) == 60
    assert manifest["path"].str.contains("audio_speech_actors").sum() == 0
    assert skipped["reason"].iloc[0] == f"duplicate of Actor_01{os.sep}{Path(skipped['path'].iloc[0]).name}"


def test_git_lfs_pointer_is_skipped(tmp_path):
    make_ravdess_tree(tmp_path, actors=(1,))
    pointer = write_text(
        tmp_path / "Actor_01" / "03-01-01-01-01-01-01.wav",
        "version https://git-lfs.github.com/spec/v1\noid sha256:c6f9\nsize 72862\n",
    )
    manifest, skipped = scan("ravdess", tmp_path)
    assert len(manifest) == 59
    assert skipped["path"].tolist() == [str(pointer)]
    assert skipped["reason"].iloc[0].startswith("Git LFS pointer")


# ----------------------------------------------------------------------- TESS


@pytest.mark.parametrize("folder_case", ["mixed", "lower"])
def test_tess_fixture(tmp_path, folder_case):
    expected = make_tess_tree(tmp_path, folder_case=folder_case)
    manifest = _load_quiet("tess", tmp_path)
    _check_common(manifest, "tess", expected)
    assert len(manifest) == 42
    assert manifest.groupby("speaker").size().to_dict() == {"OAF": 21, "YAF": 21}
    quirk = _row(manifest, "OA_bite_neutral.wav")
    assert (quirk["speaker"], quirk["emotion"], quirk["word"]) == ("OAF", "neutral", "bite")
    ps = _row(manifest, "YAF_chair_ps.wav")
    assert (ps["emotion"], ps["emotion_code"]) == ("surprised", "ps")
    assert _row(manifest, "OAF_back_fear.wav")["emotion"] == "fearful"


def test_tess_unknown_emotion_is_skipped(tmp_path):
    make_tess_tree(tmp_path)
    bad = write_tone(tmp_path / "OAF_angry" / "OAF_back_bored.wav")
    odd = write_tone(tmp_path / "OAF_angry" / "back.wav")
    manifest, skipped = scan("tess", tmp_path)
    assert len(manifest) == 42
    assert dict(zip(skipped["path"], skipped["reason"])) == {
        str(bad): "unknown emotion code 'bored' in file name",
        str(odd): "file name does not match TESS pattern <OAF|YAF>_<word>_<emotion>",
    }


# -------------------------------------------------------------------- CREMA-D


def test_cremad_fixture(tmp_path):
    expected = make_cremad_tree(tmp_path)
    manifest = _load_quiet("crema-d", tmp_path)
    _check_common(manifest, "crema-d", expected)
    assert len(manifest) == 85
    assert manifest["gender"].value_counts().to_dict() == {"female": 57, "male": 28}
    assert manifest.groupby("speaker")["age"].first().to_dict() == {"1001": 51.0, "1002": 21.0, "1091": 29.0}
    assert manifest["age"].dtype == float
    row = _row(manifest, "1002_IEO_HAP_MD.wav")
    assert (row["sentence"], row["emotion"], row["emotion_code"], row["intensity"]) == ("IEO", "happy", "HAP", "medium")
    assert _row(manifest, "1001_DFA_ANG_XX.wav")["intensity"] == "unspecified"
    assert _row(manifest, "1091_ITH_SAD_X.wav")["intensity"] == "unspecified"
    assert set(manifest["intensity"]) == {"low", "medium", "high", "unspecified"}


def test_cremad_root_is_audiowav_folder(tmp_path):
    expected = make_cremad_tree(tmp_path)
    manifest = _load_quiet("crema-d", expected["audio_dir"])
    assert len(manifest) == 85
    assert set(manifest["gender"]) == {"female", "male"}


def test_cremad_without_demographics_warns_and_sets_unknown(tmp_path):
    make_cremad_tree(tmp_path, with_demographics=False, layout="flat")
    with pytest.warns(UserWarning, match="VideoDemographics.csv not found"):
        manifest = load("crema-d", tmp_path)
    assert len(manifest) == 85
    assert set(manifest["gender"]) == {"unknown"}
    assert manifest["age"].isna().all()


def test_cremad_demographics_found_below_root(tmp_path):
    make_cremad_tree(tmp_path / "CREMA-D", with_demographics=False)
    write_cremad_demographics(tmp_path / "CREMA-D" / "meta" / "VideoDemographics.csv")
    manifest = _load_quiet("crema-d", tmp_path)
    assert manifest["gender"].value_counts().to_dict() == {"female": 57, "male": 28}


def test_cremad_bad_codes_and_corpus_label(tmp_path):
    make_cremad_tree(tmp_path)
    audio = tmp_path / "AudioWAV"
    bad_sentence = write_tone(audio / "1001_XYZ_ANG_XX.wav")
    bad_emotion = write_tone(audio / "1001_DFA_BOR_XX.wav")
    bad_level = write_tone(audio / "1001_DFA_ANG_QQ.wav")
    manifest, skipped = scan("crema-d", tmp_path, corpus_label="embedded")
    assert len(manifest) == 85
    assert set(manifest["corpus"]) == {"embedded"}
    assert dict(zip(skipped["path"], skipped["reason"])) == {
        str(bad_sentence): "unknown sentence code 'XYZ' in file name",
        str(bad_emotion): "unknown emotion code 'BOR' in file name",
        str(bad_level): "unknown intensity level 'QQ' in file name",
    }


# -------------------------------------------------------------------- IEMOCAP


def test_iemocap_fixture_all_labels(tmp_path):
    expected = make_iemocap_tree(tmp_path)
    with pytest.warns(UserWarning, match=r"IEMOCAP: skipped 2 of 14"):
        manifest = load("iemocap", tmp_path)
    skipped = skipped_files(manifest)
    assert len(manifest) == expected["rows"] == 12
    assert set(manifest["speaker"]) == expected["speakers"] == {"Ses01F", "Ses01M", "Ses02F", "Ses02M"}
    assert manifest["gender"].value_counts().to_dict() == expected["genders"]
    assert set(manifest["emotion"]) == expected["emotions"]
    reasons = {Path(p).stem: r for p, r in zip(skipped["path"], skipped["reason"])}
    assert reasons == {
        "Ses01F_impro01_F001": "no majority label (xxx)",
        "Ses01F_script01_1_F002": "no label line for Ses01F_script01_1_F002 "
        "in dialog/EmoEvaluation/Ses01F_script01_1.txt",
    }
    row = _row(manifest, "Ses01F_impro01_M013.wav")
    assert (row["speaker"], row["gender"], row["emotion"], row["emotion_code"]) == ("Ses01M", "male", "excited", "exc")
    assert (row["session"], row["dialog"], row["utterance_id"], row["method"]) == (
        1, "Ses01F_impro01", "Ses01F_impro01_M013", "improvised",
    )  # fmt: skip
    assert (row["start_s"], row["end_s"]) == (15.0, 17.125)
    assert (row["valence"], row["activation"], row["dominance"]) == (4.0, 4.0, 3.5)
    scripted = _row(manifest, "Ses01F_script01_1_F001.wav")
    assert (scripted["method"], scripted["emotion"], scripted["speaker"]) == ("scripted", "other", "Ses01F")
    assert _row(manifest, "Ses01F_impro01_M000.wav")["emotion"] == "frustrated"
    assert not manifest["path"].str.contains(f"dialog{os.sep}wav").any()


def test_iemocap_four_class_merges_excited_into_happy(tmp_path):
    expected = make_iemocap_tree(tmp_path, wrapper=None)
    manifest, skipped = scan("iemocap", tmp_path, four_class=True)
    assert len(manifest) == expected["rows_four_class"] == 7
    assert set(manifest["emotion"]) == expected["emotions_four_class"]
    happy = manifest[manifest["emotion"] == "happy"]
    assert sorted(happy["emotion_code"]) == ["exc", "hap"]
    assert "excluded by four_class protocol (fru)" in set(skipped["reason"])
    assert len(skipped) == 14 - 7


def test_iemocap_four_class_must_be_bool(tmp_path):
    make_iemocap_tree(tmp_path)
    with pytest.raises(ValueError, match="four_class must be True or False"):
        scan("iemocap", tmp_path, four_class="yes")


# ---------------------------------------------------------------------- SAVEE


@pytest.mark.parametrize("flat", [True, False])
def test_savee_fixture(tmp_path, flat):
    expected = make_savee_tree(tmp_path, flat=flat)
    manifest = _load_quiet("savee", tmp_path)
    _check_common(manifest, "savee", expected)
    assert len(manifest) == 60
    assert manifest.groupby("speaker").size().to_dict() == {"DC": 15, "JE": 15, "JK": 15, "KL": 15}
    name = "JK_sa02.wav" if flat else "sa02.wav"
    row = manifest[manifest["path"].str.endswith(name) & (manifest["speaker"] == "JK")].iloc[0]
    assert (row["emotion"], row["emotion_code"], row["sentence"]) == ("sad", "sa", "sa02")
    assert manifest.loc[manifest["emotion_code"] == "su", "emotion"].unique().tolist() == ["surprised"]


def test_savee_bare_s_code_is_unknown(tmp_path):
    make_savee_tree(tmp_path)
    bad = write_tone(tmp_path / "ALL" / "DC_s01.wav")
    stranger = write_tone(tmp_path / "ALL" / "ZZ_a01.wav")
    manifest, skipped = scan("savee", tmp_path)
    assert len(manifest) == 60
    assert dict(zip(skipped["path"], skipped["reason"])) == {
        str(bad): "unknown emotion code 's' in file name",
        str(stranger): "unknown speaker 'ZZ' (SAVEE has DC, JE, JK, KL)",
    }


# ---------------------------------------------------------------------- EmoDB


@pytest.mark.parametrize("use_wav_dir", [False, True])
def test_emodb_fixture(tmp_path, use_wav_dir):
    expected = make_emodb_tree(tmp_path)
    manifest = _load_quiet("emodb", expected["wav_dir"] if use_wav_dir else tmp_path)
    _check_common(manifest, "emodb", expected)
    assert len(manifest) == 57
    assert manifest.groupby("speaker")["gender"].first().to_dict() == {
        "03": "male", "08": "female", "10": "male", "16": "female",
    }  # fmt: skip
    row = _row(manifest, "03a01Fb.wav")
    assert (row["emotion"], row["emotion_code"], row["sentence"], row["version"]) == ("happy", "F", "a01", "b")
    assert _row(manifest, "16b10La.wav")["emotion"] == "boredom"
    assert _row(manifest, "08a01Aa.wav")["emotion"] == "fearful"


def test_emodb_unknown_letter_is_skipped(tmp_path):
    make_emodb_tree(tmp_path)
    bad = write_tone(tmp_path / "wav" / "03a01Xa.wav")
    manifest, skipped = scan("emodb", tmp_path)
    assert len(manifest) == 57
    assert dict(zip(skipped["path"], skipped["reason"])) == {str(bad): "unknown emotion code 'X' in file name"}


# ------------------------------------------------------------- bad arguments


@pytest.mark.parametrize("name", ["ravdess", "tess", "crema-d", "iemocap", "savee", "emodb"])
def test_missing_root_raises_one_line_error(tmp_path, name):
    missing = tmp_path / "nowhere"
    with pytest.raises(CorpusNotFoundError) as info:
        load(name, missing)
    message = str(info.value)
    assert "\n" not in message
    assert str(missing) in message and "expected" in message
    assert message.lower().startswith(_CORPUS_INFO[name].display.lower() + " not found at")
    assert isinstance(info.value, FileNotFoundError)


def test_root_errors_are_specific(tmp_path):
    with pytest.raises(CorpusNotFoundError, match=r"^RAVDESS not found at .*: expected Actor_01 … Actor_24/"):
        load("ravdess", tmp_path)  # empty directory
    a_file = write_text(tmp_path / "file.txt")
    with pytest.raises(CorpusNotFoundError, match="not a directory"):
        load("tess", a_file)
    with pytest.raises(CorpusNotFoundError, match="no root given"):
        load("emodb", None)


def test_wrong_corpus_folder_names_the_problem(tmp_path):
    make_tess_tree(tmp_path)
    with pytest.raises(CorpusNotFoundError) as info:
        load("ravdess", tmp_path)
    message = str(info.value)
    assert "42 audio files, none usable" in message and "RAVDESS pattern" in message
    assert "\n" not in message


def test_unknown_name_and_option():
    with pytest.raises(ValueError, match="unknown corpus 'librispeech'; valid names: ravdess, tess, crema-d"):
        load("librispeech", "/tmp")
    with pytest.raises(TypeError, match=r"unexpected option\(s\) for RAVDESS: four_class \(valid: none\)"):
        scan("ravdess", "/tmp", four_class=True)


def test_name_is_case_insensitive(tmp_path):
    make_emodb_tree(tmp_path)
    assert len(_load_quiet("EmoDB", tmp_path)) == 57


# ------------------------------------------------------------------ embedded


def test_embedded_uses_cremad_loader(tmp_path, monkeypatch):
    calls = []

    def ensure_embedded_corpus(root=None, *, n_speakers=16, seed=0):
        calls.append((root, n_speakers, seed))
        folder = tmp_path / "embedded"
        make_cremad_tree(folder)
        return folder

    module = types.ModuleType("serlib.data.embedded")
    module.ensure_embedded_corpus = ensure_embedded_corpus
    monkeypatch.setitem(sys.modules, "serlib.data.embedded", module)
    manifest = _load_quiet("embedded", None, n_speakers=3, seed=7)
    assert calls == [(None, 3, 7)]
    assert len(manifest) == 85
    assert set(manifest["corpus"]) == {"embedded"}
    assert manifest["synthetic"].dtype == bool and manifest["synthetic"].all()
    with pytest.raises(TypeError, match="unexpected option"):
        scan("embedded", None, four_class=True)


# ------------------------------------------------------------------- combine


def test_combine_stacks_manifests_and_skipped(tmp_path):
    make_emodb_tree(tmp_path / "emodb")
    write_tone(tmp_path / "emodb" / "wav" / "bad.wav")
    make_savee_tree(tmp_path / "savee")
    with pytest.warns(UserWarning):
        emodb = load("emodb", tmp_path / "emodb")
    savee = load("savee", tmp_path / "savee")
    both = corpora.combine([emodb, savee])
    assert len(both) == 57 + 60
    assert isinstance(both.index, pd.RangeIndex)
    assert both["corpus"].value_counts().to_dict() == {"savee": 60, "emodb": 57}
    assert len(skipped_files(both)) == 1
    assert len(skipped_files(emodb)) == 1 and len(skipped_files(savee)) == 0  # inputs untouched


# ------------------------------------------------------- shared real corpora


@pytest.mark.skipif(not (SHARED / "ravdess").is_dir(), reason="shared RAVDESS copy not present")
def test_shared_ravdess():
    manifest = _load_quiet("ravdess", SHARED / "ravdess")
    assert len(manifest) == 1440
    assert manifest["speaker"].nunique() == 24
    assert manifest["emotion"].nunique() == 8
    assert manifest["gender"].value_counts().to_dict() == {"female": 720, "male": 720}
    parity = manifest["speaker"].astype(int) % 2 == 1
    assert (manifest.loc[parity, "gender"] == "male").all() and (manifest.loc[~parity, "gender"] == "female").all()
    assert manifest.groupby("speaker").size().eq(60).all()


@pytest.mark.skipif(not (SHARED / "tess").is_dir(), reason="shared TESS copy not present")
def test_shared_tess():
    manifest = _load_quiet("tess", SHARED / "tess")
    assert len(manifest) == 2798
    assert sorted(manifest["speaker"].unique()) == ["OAF", "YAF"]
    assert manifest["emotion"].nunique() == 7
    assert set(manifest["gender"]) == {"female"}
    assert manifest["word"].nunique() == 200


# ------------------------------------------------------------------ download


class _Server:
    """A local HTTP server with Range support that records every request."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.requests: list[dict] = []
        self.ignore_range = False
        state = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                state.requests.append({"path": self.path, "range": self.headers.get("Range")})
                body = state.files.get(self.path)
                if body is None:
                    self.send_error(404)
                    return
                start = 0
                header = self.headers.get("Range")
                if header and not state.ignore_range and header.startswith("bytes="):
                    start = int(header[6:].split("-")[0])
                    if start >= len(body):
                        self.send_error(416)
                        return
                    self.send_response(206)
                    self.send_header("Content-Range", f"bytes {start}-{len(body) - 1}/{len(body)}")
                else:
                    self.send_response(200)
                self.send_header("Content-Length", str(len(body) - start))
                self.end_headers()
                self.wfile.write(body[start:])

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
        self.thread.start()

    def close(self):
        self.httpd.shutdown()
        self.httpd.server_close()


def _zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as zf:
        zf.writestr("wav/03a01Fa.wav", b"RIFF" + bytes(range(256)) * 64)
        zf.writestr("erklaerung.txt", "hello\n")
    return buffer.getvalue()


@pytest.fixture
def server(monkeypatch):
    srv = _Server()
    payload = _zip_bytes()
    srv.files["/corpus.zip"] = payload
    entry = {
        "url": srv.url + "/corpus.zip",
        "filename": "corpus.zip",
        "hash": "md5:" + hashlib.md5(payload).hexdigest(),
        "size": len(payload),
        "licence": "test",
    }
    monkeypatch.setitem(corpora.DOWNLOADS, "emodb", entry)
    srv.payload, srv.entry = payload, entry
    yield srv
    srv.close()


def _assert_extracted(dest: Path, payload: bytes) -> None:
    with zipfile.ZipFile(io.BytesIO(payload)) as zf:
        assert (dest / "wav" / "03a01Fa.wav").read_bytes() == zf.read("wav/03a01Fa.wav")
    assert (dest / "erklaerung.txt").read_text() == "hello\n"
    assert not (dest / "corpus.zip").exists() and not (dest / "corpus.zip.part").exists()


def test_download_verifies_and_extracts(server, tmp_path):
    dest = corpora.download("emodb", tmp_path / "emodb", progress=False)
    assert dest == tmp_path / "emodb"
    _assert_extracted(dest, server.payload)
    assert server.requests == [{"path": "/corpus.zip", "range": None}]
    # idempotent: no request at all the second time
    assert corpora.download("emodb", dest, progress=False) == dest
    assert len(server.requests) == 1


def test_download_resumes_partial_file(server, tmp_path):
    dest = tmp_path / "emodb"
    dest.mkdir()
    (dest / "corpus.zip.part").write_bytes(server.payload[:1000])
    corpora.download("emodb", dest, progress=False)
    assert server.requests == [{"path": "/corpus.zip", "range": "bytes=1000-"}]
    _assert_extracted(dest, server.payload)


def test_download_restarts_when_server_ignores_range(server, tmp_path):
    server.ignore_range = True
    dest = tmp_path / "emodb"
    dest.mkdir()
    (dest / "corpus.zip.part").write_bytes(b"garbage" * 100)  # wrong bytes: must not be kept
    corpora.download("emodb", dest, progress=False)
    assert server.requests == [{"path": "/corpus.zip", "range": "bytes=700-"}]
    _assert_extracted(dest, server.payload)


def test_download_checksum_mismatch_leaves_nothing(server, tmp_path, monkeypatch):
    monkeypatch.setitem(server.entry, "hash", "md5:" + "0" * 32)
    dest = tmp_path / "emodb"
    with pytest.raises(corpora.ChecksumError, match="checksum mismatch for corpus.zip: expected md5 0000"):
        corpora.download("emodb", dest, progress=False)
    assert list(dest.iterdir()) == []


def test_download_without_checksum_prints_sha256_and_warns(server, tmp_path, monkeypatch, capsys):
    monkeypatch.setitem(server.entry, "hash", None)
    with pytest.warns(UserWarning, match="unverified"):
        corpora.download("emodb", tmp_path / "emodb", progress=False)
    assert hashlib.sha256(server.payload).hexdigest() in capsys.readouterr().out
    _assert_extracted(tmp_path / "emodb", server.payload)


def test_download_http_error_is_clear(server, tmp_path, monkeypatch):
    monkeypatch.setitem(server.entry, "url", server.url + "/missing.zip")
    with pytest.raises(corpora.DownloadError, match="HTTP 404"):
        corpora.download("emodb", tmp_path / "emodb", progress=False)


@pytest.mark.parametrize("name, hint", [
    ("tess", "Dataverse"), ("crema-d", "git lfs"), ("iemocap", "sail.usc.edu"), ("savee", "registration"),
])  # fmt: skip
def test_download_manual_corpora_say_how(tmp_path, name, hint):
    with pytest.raises(corpora.DownloadError, match=hint) as info:
        corpora.download(name, tmp_path)
    assert "\n" not in str(info.value)


def test_download_registry_entries():
    ravdess = corpora.DOWNLOADS["ravdess"]
    assert ravdess["url"].startswith("https://zenodo.org/records/1188976/files/Audio_Speech_Actors_01-24.zip")
    assert ravdess["hash"] == "md5:bc696df654c87fed845eb13823edef8a"
    assert ravdess["size"] == 208_468_073
    assert corpora.DOWNLOADS["emodb"]["url"] == "http://emodb.bilderbar.info/download/download.zip"
    assert corpora.DOWNLOADS["emodb"]["hash"] is None

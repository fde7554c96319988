"""Tiny corpus trees in the real releases' layouts, for tests.

Each ``make_*_tree(root, ...)`` writes short valid audio files (0.5 s of a
sine plus noise, 16 kHz, written with soundfile) in the layout and naming of
one public release, plus the clutter a real copy has (README, label/CSV
files, hidden files), and returns a dict of the exact numbers a loader must
find:

``root``      the corpus root to pass to ``serlib.data.corpora.manifest.load``
``rows``      utterances the manifest must hold
``speakers``  set of speaker ids
``genders``   ``{"female": n, "male": n, ...}`` over rows
``emotions``  set of canonical emotions
``files``     list of written audio paths (``Path``), in write order
plus corpus-specific keys documented per function.

Real naming confirmed against public sources: RAVDESS (Zenodo record
1188976), TESS (Kaggle folder names, ``OA_bite_neutral`` typo), CREMA-D
(GitHub CheyneyComputerScience/CREMA-D: AudioWAV, VideoDemographics.csv),
IEMOCAP (Session*/sentences/wav, dialog/EmoEvaluation), SAVEE (Kaggle ALL/,
AudioData/<speaker>/), EmoDB (wav/03a01Fa.wav).
"""

from __future__ import annotations

import zlib
from collections import Counter
from pathlib import Path

import numpy as np
import soundfile as sf

SAMPLE_RATE = 16_000


def write_tone(path: str | Path, seconds: float = 0.5, sr: int = SAMPLE_RATE) -> Path:
    """Write a short sine-plus-noise clip; the format follows the extension (.wav/.flac)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = np.random.default_rng(zlib.crc32(path.name.encode()))
    t = np.arange(int(seconds * sr)) / sr
    freq = 120.0 + 200.0 * rng.random()
    signal = 0.3 * np.sin(2 * np.pi * freq * t) + 0.01 * rng.standard_normal(t.size)
    fmt = "FLAC" if path.suffix.lower() == ".flac" else "WAV"
    sf.write(path, signal.astype(np.float32), sr, subtype="PCM_16", format=fmt)
    return path


def write_text(path: str | Path, text: str = "not audio\n") -> Path:
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def _result(root: Path, files: list[Path], speakers: dict, genders: Counter, emotions: set, **extra) -> dict:
    return {
        "root": root,
        "rows": len(files),
        "speakers": set(speakers),
        "genders": dict(genders),
        "emotions": set(emotions),
        "files": files,
        **extra,
    }


# --------------------------------------------------------------------- RAVDESS

RAVDESS_EMOTIONS = {
    "01": "neutral",
    "02": "calm",
    "03": "happy",
    "04": "sad",
    "05": "angry",
    "06": "fearful",
    "07": "disgust",
    "08": "surprised",
}


def ravdess_names(actor: int) -> list[str]:
    """The 60 speech stems of one RAVDESS actor (neutral has no strong intensity)."""
    names = []
    for emotion in RAVDESS_EMOTIONS:
        for intensity in ("01",) if emotion == "01" else ("01", "02"):
            for statement in ("01", "02"):
                for repetition in ("01", "02"):
                    names.append(f"03-01-{emotion}-{intensity}-{statement}-{repetition}-{actor:02d}")
    return names


def make_ravdess_tree(root, actors=(1, 2), wrapper: str | None = None, ext: str = ".wav") -> dict:
    """RAVDESS speech: ``[wrapper/]Actor_NN/03-01-EE-II-SS-RR-NN.wav``, 60 files per actor.

    Args:
        wrapper: e.g. ``"Audio_Speech_Actors_01-24"`` to nest the actors one level down.
        ext: ``".wav"`` (release) or ``".flac"`` (the shared copy).
    """
    root = Path(root)
    base = root / wrapper if wrapper else root
    files, speakers, genders = [], {}, Counter()
    for actor in actors:
        speaker = f"{actor:02d}"
        gender = "male" if actor % 2 else "female"
        speakers[speaker] = gender
        for stem in ravdess_names(actor):
            files.append(write_tone(base / f"Actor_{speaker}" / f"{stem}{ext}"))
            genders[gender] += 1
    write_text(root / "README.txt", "RAVDESS speech audio\n")
    write_text(base / f"Actor_{actors[0]:02d}" / ".DS_Store")
    write_text(base / f"Actor_{actors[0]:02d}" / "._03-01-01-01-01-01-01.wav", "AppleDouble")
    return _result(root, files, speakers, genders, set(RAVDESS_EMOTIONS.values()), per_actor=60)


# ------------------------------------------------------------------------ TESS

TESS_CODES = {
    "angry": "angry",
    "disgust": "disgust",
    "fear": "fearful",
    "happy": "happy",
    "neutral": "neutral",
    "ps": "surprised",
    "sad": "sad",
}
# Folder names of the Kaggle release (ejlok1/toronto-emotional-speech-set-tess).
TESS_FOLDERS_MIXED = {
    ("OAF", "angry"): "OAF_angry",
    ("OAF", "disgust"): "OAF_disgust",
    ("OAF", "fear"): "OAF_Fear",
    ("OAF", "happy"): "OAF_happy",
    ("OAF", "neutral"): "OAF_neutral",
    ("OAF", "ps"): "OAF_Pleasant_surprise",
    ("OAF", "sad"): "OAF_Sad",
    ("YAF", "angry"): "YAF_angry",
    ("YAF", "disgust"): "YAF_disgust",
    ("YAF", "fear"): "YAF_fear",
    ("YAF", "happy"): "YAF_happy",
    ("YAF", "neutral"): "YAF_neutral",
    ("YAF", "ps"): "YAF_pleasant_surprised",
    ("YAF", "sad"): "YAF_sad",
}
_TESS_LOWER = {"fear": "fear", "ps": "pleasant_surprise"}


def make_tess_tree(root, folder_case: str = "mixed", words=("back", "bite", "chair"), ext: str = ".wav") -> dict:
    """TESS: ``<OAF|YAF>_<emotion>/<OAF|YAF>_<word>_<code>.wav``.

    Args:
        folder_case: ``"mixed"`` (Kaggle: ``OAF_Fear``, ``YAF_pleasant_surprised``)
            or ``"lower"`` (``OAF_fear``, ``OAF_pleasant_surprise``, as in shared/).
        words: Target words; if ``"bite"`` is among them, the OAF neutral file
            is written as ``OA_bite_neutral`` (the real release's typo).

    Extra keys: ``quirk`` (path of the OA_ file or None).
    """
    if folder_case not in ("mixed", "lower"):
        raise ValueError("folder_case must be 'mixed' or 'lower'")
    root = Path(root)
    files, genders, quirk = [], Counter(), None
    for speaker in ("OAF", "YAF"):
        for code in TESS_CODES:
            if folder_case == "mixed":
                folder = TESS_FOLDERS_MIXED[(speaker, code)]
            else:
                folder = f"{speaker}_{_TESS_LOWER.get(code, code)}"
            for word in words:
                prefix = "OA" if (speaker, word, code) == ("OAF", "bite", "neutral") else speaker
                path = write_tone(root / folder / f"{prefix}_{word}_{code}{ext}")
                if prefix == "OA":
                    quirk = path
                files.append(path)
                genders["female"] += 1
    write_text(root / "README.md", "TESS\n")
    return _result(root, files, {"OAF": "female", "YAF": "female"}, genders, set(TESS_CODES.values()), quirk=quirk)


# --------------------------------------------------------------------- CREMA-D

# Real rows of VideoDemographics.csv for the actors used here.
CREMAD_DEMOGRAPHICS = {
    "1001": (51, "Male", "Caucasian", "Not Hispanic"),
    "1002": (21, "Female", "Caucasian", "Not Hispanic"),
    "1091": (29, "Female", "Asian", "Not Hispanic"),
}
CREMAD_EMOTIONS = {"ANG": "angry", "DIS": "disgust", "FEA": "fearful", "HAP": "happy", "NEU": "neutral", "SAD": "sad"}


def cremad_names(actor: str) -> list[str]:
    """28 stems per actor: IEO at LO/MD/HI (NEU at XX) plus DFA and ITS at XX."""
    names = []
    for emotion in CREMAD_EMOTIONS:
        for level in ("XX",) if emotion == "NEU" else ("LO", "MD", "HI"):
            names.append(f"{actor}_IEO_{emotion}_{level}")
    for sentence in ("DFA", "ITS"):
        names.extend(f"{actor}_{sentence}_{emotion}_XX" for emotion in CREMAD_EMOTIONS)
    return names


def write_cremad_demographics(path: str | Path, actors=tuple(CREMAD_DEMOGRAPHICS)) -> Path:
    lines = ['"ActorID","Age","Sex","Race","Ethnicity"']
    for actor in actors:
        age, sex, race, ethnicity = CREMAD_DEMOGRAPHICS[actor]
        lines.append(f'{actor},{age},"{sex}","{race}","{ethnicity}"')
    return write_text(path, "\n".join(lines) + "\n")


def make_cremad_tree(root, actors=("1001", "1002", "1091"), with_demographics: bool = True, layout: str = "release") -> dict:
    """CREMA-D: ``AudioWAV/1001_DFA_ANG_XX.wav`` + ``VideoDemographics.csv``.

    Args:
        layout: ``"release"`` (root holds AudioWAV/, AudioMP3/, the CSV) or
            ``"flat"`` (wav files directly in root, CSV beside them).
        with_demographics: Write ``VideoDemographics.csv`` (genders/ages of
            the real actors 1001, 1002, 1091).

    The last actor also gets ``<actor>_ITH_SAD_X.wav`` (one-letter level, as
    ``1040_ITH_SAD_X.wav`` in older copies). Extra keys: ``audio_dir``, ``ages``.
    """
    root = Path(root)
    audio_dir = root / "AudioWAV" if layout == "release" else root
    files, speakers, genders = [], {}, Counter()
    for actor in actors:
        gender = CREMAD_DEMOGRAPHICS[actor][1].lower() if with_demographics else "unknown"
        speakers[actor] = gender
        stems = cremad_names(actor) + ([f"{actor}_ITH_SAD_X"] if actor == actors[-1] else [])
        for stem in stems:
            files.append(write_tone(audio_dir / f"{stem}.wav"))
            genders[gender] += 1
    if layout == "release":
        write_text(root / "AudioMP3" / f"{actors[0]}_DFA_ANG_XX.mp3", "mp3 placeholder")
        write_text(root / "README.md", "CREMA-D\n")
    if with_demographics:
        write_cremad_demographics(root / "VideoDemographics.csv", actors)
    ages = {a: float(CREMAD_DEMOGRAPHICS[a][0]) for a in actors} if with_demographics else {}
    return _result(root, files, speakers, genders, set(CREMAD_EMOTIONS.values()), audio_dir=audio_dir, ages=ages)


# --------------------------------------------------------------------- IEMOCAP

# (dialog, utterance, code, start, end, [V, A, D]); None code = wav without a label line.
IEMOCAP_UTTERANCES = [
    ("Ses01F_impro01", "Ses01F_impro01_F000", "neu", 6.2901, 8.2357, (2.5, 2.5, 2.5)),
    ("Ses01F_impro01", "Ses01F_impro01_M000", "fru", 8.9, 11.25, (2.0, 3.5, 3.5)),
    ("Ses01F_impro01", "Ses01F_impro01_F001", "xxx", 12.0, 14.5, (2.5, 3.0, 3.0)),
    ("Ses01F_impro01", "Ses01F_impro01_M013", "exc", 15.0, 17.125, (4.0, 4.0, 3.5)),
    ("Ses01F_impro01", "Ses01F_impro01_F002", "hap", 18.0, 20.0, (4.5, 3.0, 3.0)),
    ("Ses01F_script01_1", "Ses01F_script01_1_F000", "ang", 1.0, 3.0, (1.5, 4.0, 4.5)),
    ("Ses01F_script01_1", "Ses01F_script01_1_M000", "sad", 3.5, 6.0, (2.0, 2.0, 2.0)),
    ("Ses01F_script01_1", "Ses01F_script01_1_M001", "sur", 6.5, 7.0, (3.5, 3.5, 3.0)),
    ("Ses01F_script01_1", "Ses01F_script01_1_F001", "oth", 7.5, 8.0, (3.0, 3.0, 3.0)),
    ("Ses01F_script01_1", "Ses01F_script01_1_F002", None, 0, 0, None),
    ("Ses02M_impro03", "Ses02M_impro03_F000", "neu", 2.0, 4.0, (3.0, 2.0, 2.5)),
    ("Ses02M_impro03", "Ses02M_impro03_M000", "ang", 4.5, 6.5, (1.0, 4.5, 4.0)),
    ("Ses02M_impro03", "Ses02M_impro03_M001", "fea", 7.0, 9.0, (2.0, 3.5, 2.0)),
    ("Ses02M_impro03", "Ses02M_impro03_F001", "dis", 9.5, 10.0, (1.5, 3.0, 3.0)),
]
IEMOCAP_CANONICAL = {
    "neu": "neutral",
    "hap": "happy",
    "sad": "sad",
    "ang": "angry",
    "exc": "excited",
    "fru": "frustrated",
    "sur": "surprised",
    "fea": "fearful",
    "dis": "disgust",
    "oth": "other",
}
_EVALUATOR = {"neu": "Neutral", "fru": "Frustration", "exc": "Excited", "hap": "Happiness", "ang": "Anger"}


def _emo_evaluation(lines: list[tuple]) -> str:
    out = ["% [START_TIME - END_TIME] TURN_NAME EMOTION [V, A, D]", ""]
    for _, utt, code, start, end, vad in lines:
        out.append(f"[{start:.4f} - {end:.4f}]\t{utt}\t{code}\t[{vad[0]:.4f}, {vad[1]:.4f}, {vad[2]:.4f}]")
        word = _EVALUATOR.get(code, "Other")
        out += [f"C-E2:\t{word};\t()", f"C-E3:\t{word};\t()", "A-E3:\tval 3; act 2; dom  2;\t()", ""]
    return "\n".join(out) + "\n"


def make_iemocap_tree(root, wrapper: str | None = "IEMOCAP_full_release") -> dict:
    """IEMOCAP: ``[wrapper/]SessionN/sentences/wav/<dialog>/<utt>.wav`` + EmoEvaluation labels.

    Sessions 1 and 2, 14 wavs (see ``IEMOCAP_UTTERANCES``): one ``xxx`` and
    one wav without a label line, both to be skipped. Clutter: a full-dialog
    wav in ``dialog/wav/`` and evaluator files in ``EmoEvaluation/Categorical/``
    (ignored), an AppleDouble ``._`` wav (ignored).

    Extra keys: ``rows_four_class``, ``emotions_four_class``, ``skipped``
    (``{utt: reason fragment}``), ``labels`` (``{utt: code}``).
    """
    root = Path(root)
    base = root / wrapper if wrapper else root
    files, speakers, genders, emotions = [], {}, Counter(), set()
    four = Counter()
    by_dialog: dict[str, list[tuple]] = {}
    for item in IEMOCAP_UTTERANCES:
        dialog, utt, code = item[:3]
        session = base / f"Session{int(utt[3:5])}"
        files.append(write_tone(session / "sentences" / "wav" / dialog / f"{utt}.wav", seconds=0.25))
        if code is not None:
            by_dialog.setdefault(dialog, []).append(item)
        if code in IEMOCAP_CANONICAL:
            speaker = f"Ses{utt[3:5]}{utt.rsplit('_', 1)[1][0]}"
            speakers[speaker] = "female" if speaker.endswith("F") else "male"
            genders[speakers[speaker]] += 1
            emotions.add(IEMOCAP_CANONICAL[code])
            if code in ("neu", "hap", "exc", "sad", "ang"):
                four[code] += 1
    for dialog, lines in by_dialog.items():
        session = base / f"Session{int(dialog[3:5])}"
        evaluation = session / "dialog" / "EmoEvaluation"
        write_text(evaluation / f"{dialog}.txt", _emo_evaluation(lines))
        write_text(evaluation / "Categorical" / f"{dialog}_e1_cat.txt", f"{lines[0][1]} :Neutral state; ()\n")
        write_tone(session / "dialog" / "wav" / f"{dialog}.wav", seconds=0.25)
    write_text(base / "Session1" / "sentences" / "wav" / "Ses01F_impro01" / "._Ses01F_impro01_F000.wav", "x")
    write_text(base / "README.txt", "IEMOCAP\n")
    labelled = [u for u in IEMOCAP_UTTERANCES if u[2] in IEMOCAP_CANONICAL]
    return _result(
        root,
        files,
        speakers,
        genders,
        emotions,
        rows=len(labelled),
        rows_four_class=sum(four.values()),
        emotions_four_class={"neutral", "happy", "sad", "angry"},
        skipped={"Ses01F_impro01_F001": "no majority label (xxx)", "Ses01F_script01_1_F002": "no label line"},
        labels={u[1]: u[2] for u in IEMOCAP_UTTERANCES},
    )


# ----------------------------------------------------------------------- SAVEE

SAVEE_CODES = {"a": "angry", "d": "disgust", "f": "fearful", "h": "happy", "n": "neutral", "sa": "sad", "su": "surprised"}
SAVEE_SPEAKERS = ("DC", "JE", "JK", "KL")


def make_savee_tree(root, flat: bool = True) -> dict:
    """SAVEE: Kaggle ``ALL/DC_a01.wav`` (``flat=True``) or ``AudioData/DC/a01.wav``.

    Per speaker: 2 files per emotion code and 3 neutral (15); 60 in all, all male.
    """
    root = Path(root)
    files, genders = [], Counter()
    for speaker in SAVEE_SPEAKERS:
        for code in SAVEE_CODES:
            for number in range(1, (4 if code == "n" else 3)):
                name = f"{code}{number:02d}.wav"
                path = root / "ALL" / f"{speaker}_{name}" if flat else root / "AudioData" / speaker / name
                files.append(write_tone(path))
                genders["male"] += 1
    if not flat:
        write_text(root / "AudioData" / "Info.txt", "SAVEE audio\n")
    return _result(root, files, {s: "male" for s in SAVEE_SPEAKERS}, genders, set(SAVEE_CODES.values()))


# ----------------------------------------------------------------------- EmoDB

EMODB_CODES = {"W": "angry", "L": "boredom", "E": "disgust", "A": "fearful", "F": "happy", "T": "sad", "N": "neutral"}
EMODB_GENDERS = {"03": "male", "08": "female", "10": "male", "16": "female"}


def make_emodb_tree(root) -> dict:
    """EmoDB ``download.zip`` layout: ``wav/03a01Fa.wav`` plus ``lablaut/``, ``silb/``, txt files.

    Speakers 03 (m), 08 (f), 10 (m), 16 (f); texts a01 and b10; all 7
    emotions, version a; plus ``03a01Fb.wav`` (a second version). 57 files.
    Extra key: ``wav_dir``.
    """
    root = Path(root)
    files, genders = [], Counter()
    stems = [f"{s}{t}{e}a" for s in EMODB_GENDERS for t in ("a01", "b10") for e in EMODB_CODES] + ["03a01Fb"]
    for stem in stems:
        files.append(write_tone(root / "wav" / f"{stem}.wav"))
        genders[EMODB_GENDERS[stem[:2]]] += 1
        write_text(root / "lablaut" / f"{stem}.lablaut", "label\n")
    write_text(root / "silb" / "03a01Fa.silb", "silb\n")
    write_text(root / "erklaerung.txt", "EmoDB\n")
    return _result(root, files, EMODB_GENDERS, genders, set(EMODB_CODES.values()), wav_dir=root / "wav")


def make_small_broken_ravdess(root) -> dict[str, str]:
    """A RAVDESS-layout folder of 36 files as a new user might have it: actors 01 and 02 with 12 good files each
    (every emotion at least once), actor 03 with 12 files each broken in its own way, so one actor has no usable
    file at all. Returns ``{file name: expected reason fragment}`` for the 12 broken ones.
    """
    from tests.audio_fixtures import tone, write_broken_files

    root = Path(root)
    for actor in (1, 2):
        names = ravdess_names(actor)
        picked = [next(n for n in names if n.split("-")[2] == code) for code in RAVDESS_EMOTIONS]
        picked += [n for n in names if n not in picked][:4]
        for stem in picked:
            write_tone(root / f"Actor_{actor:02d}" / f"{stem}.wav")
    folder = root / "Actor_03"
    names = ravdess_names(3)
    expected = write_broken_files(folder, lambda k: names[k] + ".wav")  # empty, text, header, NaN, silent, 50 ms
    flac = folder / f"{names[6]}.flac"
    sf.write(flac, tone(1.0), 16000, format="FLAC")
    flac.write_bytes(flac.read_bytes()[: len(flac.read_bytes()) // 3])
    expected[flac.name] = "unreadable or not audio"
    y = tone(1.0)
    y[500:600] = np.inf
    sf.write(folder / f"{names[7]}.wav", y, 16000, subtype="FLOAT")
    expected[f"{names[7]}.wav"] = "NaN or infinite"
    write_tone(folder / "03-01-09-01-01-01-03.wav")
    expected["03-01-09-01-01-01-03.wav"] = "unknown emotion code"
    write_tone(folder / "final_take.wav")
    expected["final_take.wav"] = "file name"
    write_tone(folder / "03-01-01-01-01.wav")
    expected["03-01-01-01-01.wav"] = "file name"
    write_text(folder / f"{names[8]}.wav", "version https://git-lfs.github.com/spec/v1\noid sha256:c6f9\nsize 72862\n")
    expected[f"{names[8]}.wav"] = "Git LFS pointer"
    return expected

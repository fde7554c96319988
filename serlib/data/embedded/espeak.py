"""A minimal ``ctypes`` binding of eSpeak NG (``libespeak-ng`` from the ``espeakng-loader`` wheel).

Serves :mod:`serlib.data.embedded` (notebook 01): one sentence, one voice variant, rate, pitch, range and word gap
in, a 16 kHz float waveform out. The engine is initialised once per process, behind a lock."""

from __future__ import annotations

import atexit
import ctypes
import functools
import os
import shutil
import tempfile
import threading
import warnings
from pathlib import Path

import numpy as np
import soxr

from serlib.data.embedded.design import _LANGUAGE, SAMPLE_RATE

_ESPEAK_CHARS_UTF8 = 1
# espeak_PARAMETER enum (speak_lib.h)
_espeakRATE, _espeakVOLUME, _espeakPITCH, _espeakRANGE, _espeakWORDGAP = 1, 2, 3, 4, 7

_ESPEAK_VOLUME = 60  # fixed eSpeak volume (well below int16 clipping); the rest is a float gain


# ---------------------------------------------------------------------------------------------
# eSpeak NG through ctypes
# ---------------------------------------------------------------------------------------------
_AUDIO_OUTPUT_SYNCHRONOUS = 2
_POS_CHARACTER = 1
_EE_OK = 0

_SYNTH_CALLBACK_T = ctypes.CFUNCTYPE(
    ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p
)


class _Espeak:
    """Process-wide libespeak-ng handle (created once, guarded by ``_LOCK``)."""

    def __init__(self) -> None:
        import espeakng_loader

        self.stock_data = Path(espeakng_loader.get_data_path())
        self.lib = lib = ctypes.CDLL(espeakng_loader.get_library_path())
        lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        lib.espeak_Initialize.restype = ctypes.c_int
        lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK_T]
        lib.espeak_SetSynthCallback.restype = None
        lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        lib.espeak_SetParameter.restype = ctypes.c_int
        lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        lib.espeak_SetVoiceByName.restype = ctypes.c_int
        lib.espeak_Synth.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int,
                                     ctypes.c_uint, ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
        lib.espeak_Synth.restype = ctypes.c_int
        lib.espeak_Info.argtypes = [ctypes.c_void_p]
        lib.espeak_Info.restype = ctypes.c_char_p
        self._set_seed = getattr(lib, "espeak_ng_SetRandSeed", None)
        if self._set_seed is not None:
            self._set_seed.argtypes = [ctypes.c_long]
            self._set_seed.restype = None

        # Overlay data directory: symlinks to the stock data, our own voices/!v with sanitised
        # variants (written on demand). Lives for the process, removed at exit.
        self.overlay_root = Path(tempfile.mkdtemp(prefix="serlib-espeak-"))
        atexit.register(_remove_if_owner, self.overlay_root, os.getpid())
        data = self.overlay_root / "espeak-ng-data"
        data.mkdir()
        for p in self.stock_data.iterdir():
            if p.name != "voices":
                _link_or_copy(p, data / p.name)
        (data / "voices").mkdir()
        for p in (self.stock_data / "voices").iterdir():
            if p.name != "!v":
                _link_or_copy(p, data / "voices" / p.name)
        self.variant_dir = data / "voices" / "!v"
        self.variant_dir.mkdir()
        self._variants: set[str] = set()

        self.native_rate = int(lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, str(data).encode(), 0))
        if self.native_rate <= 0:
            raise RuntimeError(f"espeak_Initialize failed (returned {self.native_rate}) for data at {data}")
        self.version = (lib.espeak_Info(None) or b"unknown").decode()

        self._chunks: list[np.ndarray] = []

        def _callback(wav, n, _events):  # int SynthCallback(short *wav, int numsamples, espeak_EVENT*)
            if wav and n > 0:
                self._chunks.append(np.ctypeslib.as_array(wav, shape=(n,)).copy())
            return 0

        self._callback = _SYNTH_CALLBACK_T(_callback)  # keep a reference: ctypes does not
        lib.espeak_SetSynthCallback(self._callback)

    def variant(self, stock: str, formant_scale: float) -> str:
        """Name of a sanitised copy of stock variant ``stock`` with formant frequencies scaled."""
        fs = int(round(formant_scale * 1000))
        name = f"serlib-{stock}-{fs}"
        if name not in self._variants:
            text = (self.stock_data / "voices" / "!v" / stock).read_text(encoding="utf-8", errors="replace")
            lines = []
            for line in text.splitlines():
                parts = line.split()
                if parts and parts[0] == "formant" and len(parts) >= 3 and fs != 1000:
                    # formant <n> <freq %> <height %> <width %> [<freq add Hz>]
                    parts[2] = str(max(1, int(round(int(parts[2]) * fs / 1000))))
                    line = " ".join(parts)
                elif parts and parts[0] in ("flutter", "roughness", "breath", "breathw", "name"):
                    continue
                lines.append(line)
            if fs != 1000 and not any(ln.split()[:1] == ["formant"] for ln in lines):
                lines += [f"formant {k} {fs // 10} 100 100" for k in range(9)]
            # Deterministic rendering: no pitch flutter (its phase carries over between
            # utterances), no roughness (cycle counter carries over), no breath (resonator state).
            lines += [f"name {name}", "flutter 0", "roughness 8", "breath 0 0 0 0 0 0 0 0"]
            (self.variant_dir / name).write_text("\n".join(lines) + "\n", encoding="utf-8")
            self._variants.add(name)
        return name

    def synth(self, text: str, voice: str, rate: int, pitch: int, pitch_range: int, word_gap: int) -> np.ndarray:
        lib = self.lib
        if lib.espeak_SetVoiceByName(voice.encode()) != _EE_OK:
            raise ValueError(f"eSpeak NG could not set voice {voice!r}")
        for param, value in ((_espeakRATE, rate), (_espeakVOLUME, _ESPEAK_VOLUME), (_espeakPITCH, pitch),
                             (_espeakRANGE, pitch_range), (_espeakWORDGAP, word_gap)):
            lib.espeak_SetParameter(param, int(value), 0)
        if self._set_seed is not None:
            self._set_seed(12345)
        self._chunks = []
        buf = text.encode("utf-8") + b"\0"
        err = lib.espeak_Synth(buf, len(buf), 0, _POS_CHARACTER, 0, _ESPEAK_CHARS_UTF8, None, None)
        if err != _EE_OK:
            raise RuntimeError(f"espeak_Synth failed with code {err}")
        chunks, self._chunks = self._chunks, []
        out = np.concatenate(chunks) if chunks else np.zeros(0, np.int16)
        if out.size and int(np.abs(out.astype(np.int32)).max()) >= 32767:
            warnings.warn("eSpeak NG output reached int16 full scale: its automatic gain control may "
                          "carry state into the next utterance (output no longer bit-reproducible)",
                          RuntimeWarning, stacklevel=3)
        return out


def _remove_if_owner(path: Path, pid: int) -> None:
    if os.getpid() == pid:  # not from a forked child that inherited the engine
        shutil.rmtree(path, ignore_errors=True)


def _link_or_copy(src: Path, dst: Path) -> None:
    try:
        dst.symlink_to(src, target_is_directory=src.is_dir())
    except OSError:  # e.g. Windows without symlink privilege
        if src.is_dir():
            shutil.copytree(src, dst)
        else:
            shutil.copy2(src, dst)


_LOCK = threading.Lock()
_ENGINE: _Espeak | None = None


def _engine() -> _Espeak:
    global _ENGINE
    if _ENGINE is None:
        _ENGINE = _Espeak()
    return _ENGINE


def espeak_version() -> str:
    """Version string of the loaded libespeak-ng (e.g. ``"1.52.0"``)."""
    with _LOCK:
        return _engine().version


@functools.lru_cache(maxsize=1)
def _variants() -> tuple[str, ...]:
    import espeakng_loader

    return tuple(sorted(p.name for p in (Path(espeakng_loader.get_data_path()) / "voices" / "!v").iterdir()))


def available_variants() -> list[str]:
    """Stock voice variants shipped in ``espeak-ng-data/voices/!v`` (e.g. ``m1``, ``f3``)."""
    return list(_variants())


def _parse_voice(voice: str) -> tuple[str, str]:
    lang, _, variant = voice.partition("+")
    if not variant:  # "f3" alone
        lang, variant = (_LANGUAGE, lang) if lang in _variants() else (lang, "m1")
    if variant not in _variants():
        raise ValueError(f"unknown eSpeak NG voice variant {variant!r} in {voice!r}")
    return lang or _LANGUAGE, variant


def synthesize_utterance(
    text: str,
    *,
    voice: str,
    rate: float,
    pitch: float,
    pitch_range: float,
    volume: float,
    word_gap: float = 0,
    sample_rate: int = SAMPLE_RATE,
    formant_scale: float = 1.0,
) -> np.ndarray:
    """Render ``text`` with eSpeak NG and return mono float32 audio at ``sample_rate``.

    Pure apart from a process-wide eSpeak NG engine (initialised once, under a lock): the same
    arguments always give the same samples, regardless of what was synthesised before. Serves
    notebook 01_data_exploration and every notebook when no corpus is configured (through
    :func:`synthesize_corpus`).

    Args:
        text: UTF-8 text to speak.
        voice: ``"<language>+<variant>"`` such as ``"en-us+f3"`` (or just ``"f3"``); the variant
            must exist in the shipped ``espeak-ng-data/voices/!v`` (``m1``..``m8``, ``f1``..``f5``,
            ...). Bit-reproducibility is checked for the ``m*``/``f*`` variants; variants that
            switch to eSpeak's Klatt synthesiser (``klatt*``) may keep state between utterances.
        rate: speaking rate in words per minute (eSpeak accepts 80-450).
        pitch: base pitch, 0-100 (50 = the voice's normal pitch).
        pitch_range: pitch range, 0-100 (0 = monotone, 50 = normal).
        volume: 0-200 (100 = normal); applied as the linear gain ``volume / 100`` on the float
            signal, which is what ``espeakVOLUME`` does short of int16 clipping.
        word_gap: extra pause between words, in units of 10 ms.
        sample_rate: output sample rate; eSpeak's native rate (22050 Hz) is resampled with soxr.
        formant_scale: multiplies every formant frequency of the variant (vocal-tract length).

    Returns:
        ``np.ndarray`` of dtype float32, shape ``(n_samples,)``, in [-1, 1] for sane volumes.
    """
    lang, variant = _parse_voice(voice)
    with _LOCK:
        eng = _engine()
        name = eng.variant(variant, float(formant_scale))
        raw = eng.synth(
            text,
            f"{lang}+{name}",
            rate=int(round(np.clip(rate, 80, 450))),
            pitch=int(round(np.clip(pitch, 0, 100))),
            pitch_range=int(round(np.clip(pitch_range, 0, 100))),
            word_gap=int(round(max(0.0, word_gap))),
        )
        native = eng.native_rate
    # Trim the exact digital silence eSpeak puts around the utterance (leading/trailing silence is
    # added explicitly by the corpus generator).
    nz = np.flatnonzero(raw)
    raw = raw[nz[0]: nz[-1] + 1] if nz.size else raw[:0]
    x = raw.astype(np.float64) * ((volume / _ESPEAK_VOLUME) / 32768.0)
    if sample_rate != native and x.size:
        x = soxr.resample(x, native, sample_rate, quality="HQ")
    return np.ascontiguousarray(x, dtype=np.float32)

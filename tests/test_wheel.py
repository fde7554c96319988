"""The shipped model is in the wheel (issue 13): build a wheel, install it in a clean venv, predict.

The venv gets the wheel without its dependencies plus only the light runtime (numpy, soundfile, soxr,
onnxruntime), so the test also proves that `serlib predict` on the shipped model needs neither TensorFlow,
librosa, pandas nor scikit-learn, and that it runs from a directory that is not the checkout.
"""

import json
import os
import shutil
import subprocess
import sys
import venv
import zipfile
from pathlib import Path

import pytest

from serlib.deploy import runtime
from tests.audio_fixtures import write_tone

ROOT = Path(__file__).resolve().parents[1]
LIGHT_RUNTIME = ("numpy", "soundfile", "soxr", "onnxruntime")
HEAVY = ("tensorflow", "librosa", "pandas", "sklearn")

pytestmark = pytest.mark.skipif(
    not runtime.is_shipped_model_dir(runtime.PRETRAINED_DIR), reason="no shipped model in serlib/pretrained"
)


def _run(cmd, **kwargs):
    result = subprocess.run(cmd, capture_output=True, text=True, timeout=900, **kwargs)
    assert result.returncode == 0, f"{cmd} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}"
    return result


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    # Build from a copy of the package sources, so the checkout gets no build/ folder (whose stale files
    # could otherwise slip into a later wheel).
    src = tmp_path_factory.mktemp("src")
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, src / name)
    shutil.copytree(ROOT / "serlib", src / "serlib", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    out = tmp_path_factory.mktemp("wheel")
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out),
          str(src)])
    (path,) = out.glob("serlib-*.whl")
    return path


def test_the_wheel_holds_the_shipped_model(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("model.onnx", "model_speaker.onnx", "model.json", "MODEL_CARD.md"):
        assert f"serlib/pretrained/{name}" in names


def test_a_clean_venv_with_the_wheel_predicts_from_another_directory(wheel, tmp_path):
    env_dir = tmp_path / "venv"
    venv.EnvBuilder(with_pip=True, clear=True).create(env_dir)
    bindir = env_dir / ("Scripts" if os.name == "nt" else "bin")
    python = bindir / "python"
    # Nothing of the test process may leak into the venv: with the checkout on PYTHONPATH, its serlib.egg-info
    # made pip report serlib as installed and skip the wheel (no bin/serlib).
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", runtime.MODEL_ENV)}
    env["PYTHONNOUSERSITE"] = "1"
    _run([str(python), "-m", "pip", "install", "-q", "--no-deps", str(wheel)], env=env)
    _run([str(python), "-m", "pip", "install", "-q", *LIGHT_RUNTIME], env=env)

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    clip = write_tone(elsewhere / "clip.wav", duration_s=2.0, sr=22050)
    result = _run([str(bindir / "serlib"), "predict", "--json", str(clip)], cwd=elsewhere, env=env)
    (line,) = result.stdout.strip().splitlines()
    row = json.loads(line)
    labels = json.loads((runtime.PRETRAINED_DIR / "model.json").read_text())["labels"]
    assert row["file"] == str(clip)
    assert row["emotion"] in labels
    assert set(row["probabilities"]) == set(labels)
    assert abs(sum(row["probabilities"].values()) - 1.0) < 1e-4

    # The package that answered is the installed wheel, and the heavy stack is absent from the venv.
    probe = _run([str(python), "-c", "import importlib.util as u, serlib; print(serlib.__file__); "
                  f"print([m for m in {HEAVY!r} if u.find_spec(m)])"], cwd=elsewhere, env=env)
    location, missing = probe.stdout.strip().splitlines()
    assert str(env_dir) in location
    assert missing == "[]"

    info = _run([str(bindir / "serlib"), "info"], cwd=elsewhere, env=env)
    assert "Model card" in info.stdout

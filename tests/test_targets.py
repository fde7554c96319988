"""One place for every target and threshold (serlib.targets), read by the audit, leaderboard and benchmarks."""

import json
import re
from pathlib import Path

from serlib import targets
from serlib.deploy import bench
from serlib.experiments import leaderboard
from serlib.reporting import claims

ROOT = Path(__file__).resolve().parents[1]


def test_readers_use_the_one_definition():
    assert claims.TOLERANCE is targets.CLAIM_TOLERANCE and claims.GAN_MIN_GAIN is targets.CLAIM_GAN_MIN_GAIN
    assert leaderboard.TARGETS is targets.LEADERBOARD
    assert bench.COLD_START_RATIO_TARGET is targets.COLD_START_RATIO
    assert bench.WARM_P50_TARGET_MS is targets.SHIPPED_WARM_P50_MS


def test_the_gan_rules_share_the_interval_rule():
    assert targets.gain_is_positive(0.001) and not targets.gain_is_positive(0.0)
    assert targets.gan_aim_reached(targets.GAN_AIM_MIN_GAIN, 0.001)
    assert not targets.gan_aim_reached(targets.GAN_AIM_MIN_GAIN - 0.001, 0.01)  # too small a gain
    assert not targets.gan_aim_reached(0.05, -0.01)  # interval reaches 0


def test_notebooks_type_no_target_of_their_own():
    """The literals the notebooks once compared against (0.72, 0.995, 2 points, 1.0 / 5.0 ms) are gone."""
    pattern = re.compile(r"(>=|<=)\s*(0\.72|0\.995)\b|\bd >= 2 and lo\b|\"model_forward_p50\":\s*1\.0")
    for path in sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        code = "\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "code")
        assert not pattern.search(code), (path.name, pattern.search(code).group(0))

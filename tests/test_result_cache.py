"""The result cache of trainings (serlib.experiments.result_cache): a rerun is served, any change retrains."""

import dataclasses

import numpy as np
import pytest

from serlib.evaluation.splits import speaker_independent_folds
from serlib.experiments import result_cache
from serlib.experiments.protocols import run_protocol
from tests.test_models import TINY, _data

CFG = dataclasses.replace(TINY, epochs=2)


@pytest.fixture
def cache_on(tmp_path, monkeypatch):
    monkeypatch.setenv(result_cache.RESULT_CACHE_ENV, "1")
    monkeypatch.setenv("SERLIB_CACHE_DIR", str(tmp_path))
    return tmp_path


def test_a_rerun_is_served_from_the_cache_and_identical(cache_on):
    fs = _data()
    folds = speaker_independent_folds(fs.manifest, seed=0)[:2]
    first = run_protocol(fs, folds, CFG, [0], progress=False)
    assert not first.trainings["from_cache"].any()
    assert len(list((cache_on / "results").rglob("*.npz"))) == len(folds)
    again = run_protocol(_data(), folds, CFG, [0], progress=False)  # same content, a new object
    assert again.trainings["from_cache"].all()
    assert (again.predictions["y_pred"] == first.predictions["y_pred"]).all()
    assert np.allclose(np.stack(again.predictions["proba"]), np.stack(first.predictions["proba"]))
    assert list(again.trainings["epochs_run"]) == list(first.trainings["epochs_run"])


def test_any_change_of_data_seed_or_configuration_retrains(cache_on):
    fs = _data()
    folds = speaker_independent_folds(fs.manifest, seed=0)[:1]
    run_protocol(fs, folds, CFG, [0], progress=False)
    assert not run_protocol(fs, folds, CFG, [1], progress=False).trainings["from_cache"].any()
    assert not run_protocol(fs, folds, dataclasses.replace(CFG, lstm_units=4), [0],
                            progress=False).trainings["from_cache"].any()
    changed = _data(seed=1)  # other frames, same layout
    assert not run_protocol(changed, folds, CFG, [0], progress=False).trainings["from_cache"].any()
    # a run that keeps its models needs them stored too: the first such run trains (no model in the cache yet)
    kept = run_protocol(fs, folds, CFG, [0], progress=False, keep_models=True)
    assert not kept.trainings["from_cache"].any() and kept.models


def test_kept_models_are_stored_and_read_back(cache_on):
    fs = _data()
    folds = speaker_independent_folds(fs.manifest, seed=0)[:2]
    first = run_protocol(fs, folds, CFG, [0], progress=False, keep_models=True)
    assert not first.trainings["from_cache"].any() and len(first.models) == len(folds)
    again = run_protocol(fs, folds, CFG, [0], progress=False, keep_models=True)
    assert again.trainings["from_cache"].all() and set(again.models) == set(first.models)
    for key, model in again.models.items():
        original = first.models[key]
        assert model.history_["epochs_run"] == original.history_["epochs_run"]
        assert model.epoch_seconds_ == pytest.approx(original.epoch_seconds_)
        test = [fs.frames[i] for i in folds[0].test]
        np.testing.assert_allclose(model.predict_proba(test), original.predict_proba(test), rtol=1e-5, atol=1e-6)
    # a model folder left incomplete (a run killed while saving) is retrained, not loaded
    for done in (cache_on / "models").rglob(result_cache.MODEL_COMPLETE):
        done.unlink()
    third = run_protocol(fs, folds, CFG, [0], progress=False, keep_models=True)
    assert not third.trainings["from_cache"].any() and len(third.models) == len(folds)


def test_off_by_default_and_corrupt_entries_are_recomputed(tmp_path, monkeypatch):
    monkeypatch.delenv(result_cache.RESULT_CACHE_ENV, raising=False)
    assert result_cache.default_cache() is None
    cache = result_cache.ResultCache(tmp_path)
    key = result_cache.training_key(kind="run_protocol", seed=0)
    assert key != result_cache.training_key(kind="run_protocol", seed=1)
    cache.put(key, {"proba": np.ones((2, 3), np.float32)}, {"seconds": 1.5})
    arrays, info = cache.get(key)
    assert arrays["proba"].shape == (2, 3) and info == {"seconds": 1.5}
    cache.path_for(key).write_bytes(b"truncated")
    assert cache.get(key) is None


def test_each_kind_of_training_has_its_own_code_version():
    from pathlib import Path

    import serlib

    package = Path(serlib.__file__).parent
    for kind, modules in result_cache.CODE_MODULES.items():
        assert all((package / f"{m}.py").is_file() for m in modules), kind
    versions = {kind: result_cache.code_version(kind) for kind in result_cache.CODE_MODULES}
    assert len(set(versions.values())) == len(versions)  # a GAN change does not invalidate notebook 04
    assert result_cache.training_key(kind="gan", seed=0) != result_cache.training_key(kind="augmentation", seed=0)
    with pytest.raises(ValueError, match="unknown kind"):
        result_cache.training_key(kind="mystery", seed=0)


def test_a_derived_feature_set_never_inherits_its_parents_digest():
    from serlib.experiments.leaderboard import speaker_normalized

    fs = _data()
    full = result_cache.feature_set_digest(fs)
    assert result_cache.feature_set_digest(fs) == full  # memoised
    half = fs.subset(np.arange(len(fs)) % 2 == 0)  # copies extra, memo included
    assert result_cache.feature_set_digest(half) != full
    normalised = speaker_normalized(fs)  # other frames, same labels
    assert result_cache.feature_set_digest(normalised) != full
    shared = dataclasses.replace(fs, frames=[f + 1 for f in fs.frames])  # shares fs.extra itself
    assert result_cache.feature_set_digest(shared) != full
    assert result_cache.feature_set_digest(fs) == full  # the parent still gets its own


def test_the_ledger_counts_trained_and_cached_trainings_with_their_original_seconds(cache_on, monkeypatch):
    ledger = cache_on / "ledger.jsonl"
    monkeypatch.setenv(result_cache.LEDGER_ENV, str(ledger))
    fs = _data()
    folds = speaker_independent_folds(fs.manifest, seed=0)[:2]
    first = run_protocol(fs, folds, CFG, [0], progress=False)
    cold = result_cache.ledger_summary(ledger)
    assert cold["trainings"] == cold["trained"] == len(folds) and cold["from_cache"] == 0
    assert cold["trained_seconds"] == pytest.approx(first.trainings["seconds"].sum(), abs=0.1)
    ledger.unlink()
    run_protocol(fs, folds, CFG, [0], progress=False)
    warm = result_cache.ledger_summary(ledger)
    assert warm["from_cache"] == len(folds) and warm["trained"] == 0
    assert warm["cached_seconds"] == pytest.approx(cold["trained_seconds"], abs=0.1)  # the original trainings' time
    assert result_cache.ledger_summary(cache_on / "missing.jsonl")["trainings"] == 0

"""The executor of trainings (serlib.experiments.executor): configuration, task order, and the same results on every kind.

The last tests train tiny CNN-LSTMs in this process, in a worker process and on a Dask LocalCluster: about 80 s
of CPU (measured beside another run), most of it TensorFlow starting in four processes.
"""

import dataclasses
import importlib.util
import socket
import time
from contextlib import nullcontext

import numpy as np
import pytest
from distributed import LocalCluster

import run_all
from serlib.evaluation.splits import speaker_independent_folds
from serlib.experiments import executor, result_cache
from serlib.experiments.executor import ExecutorConfig, map_tasks
from serlib.experiments.protocols import run_protocol
from serlib.reporting.progress import PROGRESS_ENV
from tests.test_models import TINY, _data

CFG = dataclasses.replace(TINY, epochs=2)


def _closed_port_address() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return f"tcp://127.0.0.1:{s.getsockname()[1]}"


def test_configuration_comes_from_the_environment_and_is_validated(monkeypatch):
    assert ExecutorConfig.from_env({}) == ExecutorConfig("local")
    cfg = ExecutorConfig("dask", 3, "tcp://10.0.0.5:8786")
    assert ExecutorConfig.from_env(cfg.to_env()) == cfg
    assert ExecutorConfig.from_env({"SERLIB_EXECUTOR": "Processes", "SERLIB_WORKERS": "2"}) == \
        ExecutorConfig("processes", 2)
    with pytest.raises(ValueError, match="unknown executor 'threads'; use one of local, processes, dask"):
        ExecutorConfig("threads")
    with pytest.raises(ValueError, match="positive integer, got 0"):
        ExecutorConfig("processes", 0)
    with pytest.raises(ValueError, match="SERLIB_WORKERS must be a positive integer, got 'two'"):
        ExecutorConfig.from_env({"SERLIB_WORKERS": "two"})
    with pytest.raises(ValueError, match="a scheduler address needs the dask executor, not 'processes'"):
        ExecutorConfig("processes", scheduler="tcp://10.0.0.5:8786")
    real_find_spec = importlib.util.find_spec
    monkeypatch.setattr(importlib.util, "find_spec",
                        lambda name, *a: None if name == "distributed" else real_find_spec(name, *a))
    with pytest.raises(ImportError, match=r'pip install "serlib\[dask\]"'):
        ExecutorConfig("dask")


def test_an_unreachable_scheduler_is_a_one_line_error(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(executor, "DASK_CONNECT_TIMEOUT_S", 2)
    address = _closed_port_address()
    with pytest.raises(ConnectionError, match=f"no Dask scheduler reachable at {address} within 2 s"):
        map_tasks(divmod, [(7, 2)], config=ExecutorConfig("dask", scheduler=address))
    # run_all.py checks its options before running any notebook
    assert run_all.main(["--executor", "dask", "--scheduler", address, "--output", str(tmp_path)]) == 2
    assert f"no Dask scheduler reachable at {address}" in capsys.readouterr().err
    assert run_all.main(["--scheduler", address, "--output", str(tmp_path)]) == 2
    assert "a scheduler address needs the dask executor, not 'local'" in capsys.readouterr().err


def slow_power(base, exponent, *, delay):
    """A task that finishes later the earlier it is submitted (so completion order is not task order)."""
    time.sleep(delay * (3 - exponent))
    return base ** exponent


@pytest.mark.parametrize("kind", ["local", "processes", "dask"])
def test_results_come_back_in_task_order(kind):
    """Dask here through a scheduler address, as a user reaches a cluster with --scheduler."""
    finished = []
    tasks = [(2, 0), (2, 1), (2, 2), (2, 3)]
    dask = kind == "dask"
    with LocalCluster(n_workers=2, threads_per_worker=1, dashboard_address=None) if dask else nullcontext() as cluster:
        config = ExecutorConfig(kind, 2 if kind == "processes" else None, cluster.scheduler_address if dask else None)
        out = map_tasks(slow_power, tasks, shared={"delay": 0.3}, config=config,
                        on_result=lambda i, r: finished.append(i))
        assert map_tasks(slow_power, [], shared={"delay": 0}, config=config) == []
        executor.close_dask_clients()
    assert out == [1, 2, 4, 8]
    assert sorted(finished) == [0, 1, 2, 3]


@pytest.fixture(scope="module")
def problem():
    fs = _data()
    return fs, speaker_independent_folds(fs.manifest, seed=0)[:2]


@pytest.fixture(scope="module")
def local_result(problem):
    """The reference: in this process. Asking for the models keeps trainings here whatever the executor."""
    fs, folds = problem
    res = run_protocol(fs, folds, CFG, [0], progress=False, keep_models=True,
                       executor=ExecutorConfig("dask", scheduler=_closed_port_address()))
    assert len(res.models) == len(folds)
    return res


def _probabilities(res):
    return np.stack(res.predictions["proba"])


@pytest.fixture(scope="module")
def dask_run(problem, tmp_path_factory):
    """On a LocalCluster(n_workers=2, threads_per_worker=1), with the result cache on and progress bars written to
    a file."""
    fs, folds = problem
    folder = tmp_path_factory.mktemp("dask_run")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv(result_cache.RESULT_CACHE_ENV, "1")
        mp.setenv("SERLIB_CACHE_DIR", str(folder))
        mp.setenv(PROGRESS_ENV, str(folder / "progress.log"))
        on_dask = run_protocol(fs, folds, CFG, [0], executor=ExecutorConfig("dask", 2))
        executor.close_dask_clients()
        again = run_protocol(fs, folds, CFG, [0])  # in this process
    return on_dask, again, (folder / "progress.log").read_text()


def test_dask_cluster_gives_the_local_results(dask_run, local_result):
    on_dask, again, progress = dask_run
    assert "2/2" in progress
    assert not on_dask.trainings["from_cache"].any()
    assert on_dask.predictions.drop(columns="proba").equals(local_result.predictions.drop(columns="proba"))
    assert list(on_dask.trainings["epochs_run"]) == list(local_result.trainings["epochs_run"])
    # Each of the 2 workers runs TensorFlow with cores // 2 threads, this process with every core; TensorFlow's
    # oneDNN kernels split their sums by thread, so the probabilities agree to round-off (about 1e-7 here), and
    # are bit-identical at equal threads (next test).
    np.testing.assert_allclose(_probabilities(on_dask), _probabilities(local_result), rtol=0, atol=1e-5)
    # each training was stored as it finished: the rerun here read them all back
    assert again.trainings["from_cache"].all()
    np.testing.assert_array_equal(_probabilities(again), _probabilities(on_dask))


def test_a_worker_process_with_every_core_gives_the_very_same_numbers(problem, local_result):
    """One worker gets every core, as TensorFlow takes here by default; it trains both splits one after the
    other, as this process did."""
    fs, folds = problem
    res = run_protocol(fs, folds, CFG, [0], progress=False, executor=ExecutorConfig("processes", 1))
    assert not res.models
    assert res.predictions.drop(columns="proba").equals(local_result.predictions.drop(columns="proba"))
    np.testing.assert_array_equal(_probabilities(res), _probabilities(local_result))

"""Where trainings run: in this process, in local worker processes, or on a Dask cluster.

Serves the trainings of :func:`serlib.experiments.protocols.run_protocol` (notebook 04 and its leaderboard) and
``run_all.py`` (its ``--executor``, ``--workers`` and ``--scheduler`` options). :func:`map_tasks` maps a
picklable top-level function over a list of task argument tuples and returns the results in task order, on
one of three kinds of executor (:class:`ExecutorConfig`):

- ``"local"`` (default): one task after the other in this process, exactly as without an executor;
- ``"processes"``: ``n_workers`` local worker processes (started with *spawn*, so TensorFlow is never
  forked); each limits TensorFlow and BLAS to ``max(1, cores // n_workers)`` threads before TensorFlow
  starts. As with any spawn-based pool, a *script* that uses it needs an ``if __name__ == "__main__":`` guard
  (notebooks and ``run_all.py``'s kernels do not);
- ``"dask"``: a ``dask.distributed`` cluster at a scheduler address (``dask scheduler`` plus ``dask worker``
  processes on other machines, with serlib installed), or a ``LocalCluster`` of ``n_workers`` single-threaded
  worker processes when no address is given. Large inputs shared by every task (the FeatureSet) are sent to
  each worker once (``scatter(broadcast=True)``), not with every task. Each worker process runs one task at a
  time with ``max(1, cores // worker processes on its host)`` threads, and gives its threads their own state of
  Python's ``random`` (Keras draws layer seeds from it, and so does the worker's event loop).

The default comes from environment variables (:data:`EXECUTOR_ENV`, :data:`WORKERS_ENV`,
:data:`SCHEDULER_ENV`), which ``run_all.py`` sets for the notebook kernels, so the notebooks need no change.

Results are the same whichever executor runs a task, up to floating-point round-off: TensorFlow's oneDNN
kernels split their work by the number of intra-op threads, so a worker limited to fewer threads than this
process sums in another order (differences of about 1e-7 in the probabilities of a short training; they may
grow with the number of epochs and, rarely, change a predicted label). With the same number of threads the
results are bit-identical (``tests/test_executor.py`` checks both). The local clusters started here run without
Dask's profiler, whose stack sampling took about a quarter of the workers' CPU in short trainings.
"""

from __future__ import annotations

import atexit
import functools
import importlib.util
import os
import random
import sys
import threading
from dataclasses import dataclass

#: Environment variable naming the executor kind (one of :data:`KINDS`; default ``"local"``).
EXECUTOR_ENV = "SERLIB_EXECUTOR"
#: Environment variable with the number of worker processes (default: the CPU cores).
WORKERS_ENV = "SERLIB_WORKERS"
#: Environment variable with the Dask scheduler address (default: a LocalCluster).
SCHEDULER_ENV = "SERLIB_SCHEDULER"
#: The executor kinds.
KINDS = ("local", "processes", "dask")
#: Seconds to wait for a Dask scheduler before giving up.
DASK_CONNECT_TIMEOUT_S = 10
#: Environment variables that set the thread pools of TensorFlow, OpenMP and the BLAS libraries.
THREAD_ENV_VARS = ("TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
                   "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")


def cpu_cores() -> int:
    """CPU cores this process may use (its affinity mask, as TensorFlow counts them)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


@dataclass(frozen=True)
class ExecutorConfig:
    """Which executor :func:`map_tasks` uses.

    Attributes:
        kind: ``"local"``, ``"processes"`` or ``"dask"`` (:data:`KINDS`).
        n_workers: worker processes (``processes``, and a Dask ``LocalCluster``); ``None``: the CPU cores.
            Ignored when ``scheduler`` is given (the cluster has its own workers).
        scheduler: address of a running Dask scheduler, e.g. ``tcp://10.0.0.5:8786``; ``None`` starts a
            ``LocalCluster``. Only with ``kind="dask"``.

    Raises:
        ValueError: an unknown kind, a non-positive ``n_workers``, or a scheduler without ``kind="dask"``.
        ImportError: ``kind="dask"`` without ``dask.distributed`` installed.
    """

    kind: str = "local"
    n_workers: int | None = None
    scheduler: str | None = None

    def __post_init__(self):
        if self.kind not in KINDS:
            raise ValueError(f"unknown executor {self.kind!r}; use one of {', '.join(KINDS)}")
        if self.n_workers is not None and (not isinstance(self.n_workers, int) or self.n_workers < 1):
            raise ValueError(f"the number of workers must be a positive integer, got {self.n_workers!r}")
        if self.scheduler and self.kind != "dask":
            raise ValueError(f"a scheduler address needs the dask executor, not {self.kind!r}")
        if self.kind == "dask" and importlib.util.find_spec("distributed") is None:
            raise ImportError('the dask executor needs dask.distributed: pip install "serlib[dask]"')

    @classmethod
    def from_env(cls, environ=None) -> "ExecutorConfig":
        """The configuration named by :data:`EXECUTOR_ENV`, :data:`WORKERS_ENV` and :data:`SCHEDULER_ENV`."""
        env = os.environ if environ is None else environ
        workers = env.get(WORKERS_ENV, "").strip()
        if workers and not workers.isdigit():
            raise ValueError(f"{WORKERS_ENV} must be a positive integer, got {workers!r}")
        return cls(env.get(EXECUTOR_ENV, "").strip().lower() or "local", int(workers) if workers else None,
                   env.get(SCHEDULER_ENV, "").strip() or None)

    def to_env(self) -> dict[str, str]:
        """The environment variables that make :meth:`from_env` return this configuration."""
        return {EXECUTOR_ENV: self.kind, WORKERS_ENV: str(self.n_workers or ""), SCHEDULER_ENV: self.scheduler or ""}

    @property
    def workers(self) -> int:
        """Worker processes of a ``processes`` executor or a Dask ``LocalCluster``."""
        return self.n_workers or cpu_cores()


_thread_limit = None  # the threadpoolctl limiter of this process (kept alive)


def limit_threads(n: int) -> None:
    """Limit TensorFlow, OpenMP and BLAS in this process to ``n`` threads.

    Effective for TensorFlow only before its runtime starts (the first operation), which is why workers call
    it before their first task; a later call leaves TensorFlow's pools as they are.
    """
    global _thread_limit
    n = max(1, int(n))
    for var in THREAD_ENV_VARS:
        os.environ[var] = str(n)
    from threadpoolctl import threadpool_limits

    _thread_limit = threadpool_limits(limits=n)  # BLAS libraries already loaded (numpy's)
    if "tensorflow" in sys.modules:  # imported but perhaps not started: the environment is read too late
        import tensorflow as tf

        try:
            tf.config.threading.set_intra_op_parallelism_threads(n)
            tf.config.threading.set_inter_op_parallelism_threads(n)
        except RuntimeError:  # already started
            pass


# ------------------------------------------------------------------------------------------ processes
_worker_shared: dict = {}


def _init_process_worker(threads: int, shared: dict) -> None:
    limit_threads(threads)
    _worker_shared.update(shared)


def _process_task(fn, task):
    return fn(*task, **_worker_shared)


def _map_processes(fn, tasks, shared, config, done) -> None:
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor, as_completed

    n = min(config.workers, len(tasks))
    pool = ProcessPoolExecutor(n, mp_context=multiprocessing.get_context("spawn"), initializer=_init_process_worker,
                               initargs=(max(1, cpu_cores() // config.workers), shared))  # shared: once per worker
    try:
        futures = {pool.submit(_process_task, fn, task): i for i, task in enumerate(tasks)}
        for future in as_completed(futures):
            done(futures[future], future.result())
    except BaseException:
        pool.shutdown(wait=False, cancel_futures=True)
        raise
    pool.shutdown()


# ----------------------------------------------------------------------------------------------- dask
_dask_clients: dict = {}  # (scheduler, n_workers) -> (client, cluster or None)
_task_lock = threading.Lock()  # one task at a time per worker process


def dask_client(config: ExecutorConfig):
    """The ``distributed.Client`` of ``config`` (kept for the next call, closed at exit).

    Raises:
        ConnectionError: no scheduler answers at ``config.scheduler`` within :data:`DASK_CONNECT_TIMEOUT_S`.
    """
    import dask
    from distributed import Client, LocalCluster

    key = (config.scheduler, config.workers)
    client, cluster = _dask_clients.get(key, (None, None))
    if client is not None and client.status == "running":
        return client
    if config.scheduler:
        try:
            client = Client(config.scheduler, timeout=DASK_CONNECT_TIMEOUT_S, set_as_default=False)
        except (OSError, TimeoutError) as err:
            raise ConnectionError(f"no Dask scheduler reachable at {config.scheduler} within "
                                  f"{DASK_CONNECT_TIMEOUT_S} s ({type(err).__name__})") from None
    else:
        with dask.config.set({"distributed.worker.profile.enabled": False}):  # its stack sampling costs CPU
            cluster = LocalCluster(n_workers=config.workers, threads_per_worker=1, processes=True,
                                   dashboard_address=None)
        client = Client(cluster, set_as_default=False)
    _dask_clients[key] = (client, cluster)
    return client


@atexit.register
def close_dask_clients() -> None:
    """Close the clients (and local clusters) :func:`dask_client` opened."""
    while _dask_clients:
        client, cluster = _dask_clients.popitem()[1]
        client.close()
        if cluster is not None:
            cluster.close()


class _ThreadRandom(threading.local):
    def __init__(self):
        self.rng = random.Random()


_thread_random = _ThreadRandom()


def _random_per_thread() -> None:
    """Give every thread of this process its own state of Python's ``random`` module functions.

    Keras draws the seeds of its layers from ``random`` after ``keras.utils.set_random_seed`` has seeded it;
    in a Dask worker the event loop draws from it too, from another thread, at unforeseeable moments, and a
    training would not be reproducible. With a state per thread, a task sees exactly the draws it would see
    alone in a process.
    """
    if getattr(random, "_serlib_per_thread", False):
        return
    for name, function in list(vars(random).items()):
        if getattr(function, "__self__", None) is random._inst:  # random.seed, random.randint, ...
            setattr(random, name, functools.partial(_call_thread_random, name))
    random._serlib_per_thread = True


def _call_thread_random(name, *args, **kwargs):
    return getattr(_thread_random.rng, name)(*args, **kwargs)


def _dask_task(fn, slots_by_host: dict, task, shared):
    from distributed import get_worker
    from distributed.comm import get_address_host

    with _task_lock:
        _random_per_thread()
        limit_threads(cpu_cores() // slots_by_host.get(get_address_host(get_worker().address), 1))
        return fn(*task, **shared)


def _map_dask(fn, tasks, shared, config, done) -> None:
    from collections import Counter

    from distributed import as_completed
    from distributed.comm import get_address_host

    client = dask_client(config)
    slots = Counter(get_address_host(address) for address in client.nthreads())  # worker processes per host
    remote = {name: client.scatter([value], broadcast=True, hash=False)[0] for name, value in shared.items()}
    futures = [client.submit(_dask_task, fn, dict(slots), task, remote, pure=False) for task in tasks]
    index = {f.key: i for i, f in enumerate(futures)}
    try:
        for future in as_completed(futures, loop=client.loop):
            done(index[future.key], future.result())
    except BaseException:
        client.cancel(futures)
        raise
    finally:
        client.cancel(list(remote.values()))


# ------------------------------------------------------------------------------------------------ API
def map_tasks(fn, tasks, *, shared: dict | None = None, config: ExecutorConfig | None = None,
              on_result=None) -> list:
    """``[fn(*task, **shared) for task in tasks]``, on the executor of ``config``.

    Args:
        fn: a top-level function of an importable module (workers import it by name).
        tasks: argument tuples, one per task.
        shared: keyword arguments every task gets (large inputs: sent once per worker, not once per task).
        config: the executor; default :meth:`ExecutorConfig.from_env`.
        on_result: ``(index, result) -> None``, called here as each task finishes (in completion order), e.g.
            to store it or advance a progress bar.

    Returns:
        the results, in the order of ``tasks``. The first failing task raises here; the pending ones are
        cancelled.
    """
    config = ExecutorConfig.from_env() if config is None else config
    tasks, shared = [tuple(t) for t in tasks], dict(shared or {})
    results = [None] * len(tasks)

    def done(i, result):
        results[i] = result
        if on_result is not None:
            on_result(i, result)

    if config.kind == "local" or not tasks:
        for i, task in enumerate(tasks):
            done(i, fn(*task, **shared))
    elif config.kind == "processes":
        _map_processes(fn, tasks, shared, config, done)
    else:
        _map_dask(fn, tasks, shared, config, done)
    return results

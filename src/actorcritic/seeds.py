"""Several training runs at once: :func:`train_runs` and
:func:`train_seeds` train them in worker processes or on any
process-based executor (a Dask cluster's, for example), and
:func:`train_until_solved` restarts a run with fresh seeds until one
solves the task. Each run seeds itself, so the results are those of the
runs one after another (on one thread, as the workers train)."""

from __future__ import annotations

import concurrent.futures
import contextlib
import multiprocessing
import pickle
import warnings
from collections.abc import Callable, Sequence

import torch

from actorcritic.runs import Trained


def train_until_solved(
    train: Callable[..., Trained],
    config,
    seeds: Sequence[int],
    processes: int = 1,
) -> tuple[Trained, list[Trained]]:
    """Train with one seed after another until a run *solves* the task:
    one of its periodic evaluations reaches ``config.stop_at_return``
    (which then stops that run).

    A restart with a fresh seed is the cheapest remedy for a method that
    fails on some seeds: each run is independent, so the chance that all
    of ``k`` runs fail is that of one run to the power ``k``.

    With ``processes > 1`` the next seeds' runs start before the current
    one ends, in worker processes (as :func:`train_seeds`); once a run
    solves the task no new run starts, and the later runs already going
    are waited for and discarded. The result is the one the runs one
    after another give (a test compares them), usually sooner, but never
    before the runs already going end.

    Args:
        train: the training function, ``train(config, seed) -> Trained``.
        config: a config with ``stop_at_return`` set (and ``keep_best``,
            so that each run returns its best evaluated actor).
        seeds: the seeds to try, in order.
        processes: runs at a time.

    Returns:
        ``(chosen, attempts)``: the first run that solved the task, or the
        run with the best evaluation if none did; and every run that
        counted (up to the chosen one, or all of them), in order.
    """
    if config.stop_at_return is None:
        raise ValueError("train_until_solved needs config.stop_at_return")
    if not seeds:
        raise ValueError("train_until_solved needs at least one seed")
    _check_processes(processes)
    local = _notebook_functions(train, config) if processes > 1 else []
    if local:
        _warn_one_after_another(local, stacklevel=3)
    parallel = processes > 1 and len(seeds) > 1 and not local
    with (
        _process_pool(min(processes, len(seeds)))
        if parallel
        else contextlib.nullcontext()
    ) as pool:
        runs = (
            _in_order(pool, train, config, seeds, processes)
            if parallel
            else (train(config, seed) for seed in seeds)
        )
        attempts = []
        for run in runs:
            attempts.append(run)
            if run.history.best_eval_return >= config.stop_at_return:
                return run, attempts  # once the runs going have ended
    best = max(attempts, key=lambda t: t.history.best_eval_return)
    return best, attempts


def _in_order(pool, train, config, seeds, window):
    """The runs of ``seeds`` in order, each submitted to ``pool`` as soon
    as fewer than ``window`` runs are going."""
    futures = [
        pool.submit(_train_one, train, config, seed) for seed in seeds[:window]
    ]
    for i in range(len(seeds)):
        yield futures[i].result()  # the caller stops here once solved
        if i + window < len(seeds):
            futures.append(
                pool.submit(_train_one, train, config, seeds[i + window])
            )


def _train_one(
    train: Callable[..., Trained], config, seed: int, **kwargs
) -> Trained:
    """One run in a worker process, on one thread as the chapters train."""
    torch.set_num_threads(1)
    return train(config, seed, **kwargs)


def _check_processes(processes: int) -> None:
    if processes < 1:
        raise ValueError(f"processes must be at least 1, got {processes}")


def _process_pool(workers: int) -> concurrent.futures.ProcessPoolExecutor:
    """Workers that start fresh interpreters (``spawn``), which a
    notebook kernel survives where ``fork`` can deadlock with PyTorch's
    threads."""
    context = multiprocessing.get_context("spawn")
    return concurrent.futures.ProcessPoolExecutor(
        max_workers=workers, mp_context=context
    )


def _warn_one_after_another(names: list[str], stacklevel: int) -> None:
    warnings.warn(
        f"{', '.join(sorted(set(names)))}: defined in this notebook (or in "
        "a function), which worker processes cannot import; the runs go "
        "one after another in this process (to train them in parallel, "
        "define what is named here in a .py file in the notebook's working "
        "directory and import it from there)",
        stacklevel=stacklevel,
    )


def _notebook_functions(*objects) -> list[str]:
    """The names of those ``objects`` that a worker process cannot get:
    not picklable (a function defined inside another one, a lambda), or
    pickled as a reference into ``__main__`` (a function or a class
    defined in a notebook, which a fresh interpreter does not have)."""
    names = []
    for obj in objects:
        try:
            unsendable = b"__main__" in pickle.dumps(obj)
        except Exception:  # any reason pickle gives
            unsendable = True
        if unsendable:
            names.append(getattr(obj, "__qualname__", type(obj).__name__))
    return names


def train_seeds(
    train: Callable[..., Trained],
    config,
    seeds: Sequence[int],
    processes: int = 1,
    executor: concurrent.futures.Executor | None = None,
    **kwargs,
) -> list[Trained]:
    """``[train(config, seed, **kwargs) for seed in seeds]``, with up to
    ``processes`` runs at a time in separate processes, or on
    ``executor``: :func:`train_runs` for one training function and one
    config."""
    runs = [(train, config, seed) for seed in seeds]
    return _train_runs(runs, processes, executor, kwargs, warn_level=3)


def train_runs(
    runs: Sequence[tuple[Callable[..., Trained], object, int]],
    processes: int = 1,
    executor: concurrent.futures.Executor | None = None,
    **kwargs,
) -> list[Trained]:
    """``[train(config, seed, **kwargs) for train, config, seed in runs]``,
    with up to ``processes`` runs at a time in separate processes, or on
    ``executor``, in the order given (start the longest first).

    Each run seeds itself, so the results are the runs one after another
    would give in a process running PyTorch on one thread
    (``torch.set_num_threads(1)``, as the workers and the chapters do;
    tests compare them): only the timings change. The workers
    start fresh interpreters, which import each ``train`` and the
    functions among ``kwargs``: a function defined in ``__main__`` (a
    notebook) or inside a function cannot go there, so with one of those
    the runs go one after another in this process, with a warning that
    names it.

    ``executor``: any :class:`concurrent.futures.Executor` running each
    call in a process busy with nothing else (a ``ProcessPoolExecutor``,
    a Dask ``Client(...).get_executor()`` with one thread per worker); it
    gets ``train``, ``config`` and ``kwargs`` pickled, ``processes`` must
    be 1, and the caller shuts it down. Not threads: a run seeds, then
    draws from, the global generators of its process
    (``envs.seed_everything``), shared by threads; PPO, REINFORCE and
    parallel A2C in threads gave other runs.
    """
    return _train_runs(runs, processes, executor, kwargs, warn_level=3)


def _train_runs(runs, processes, executor, kwargs, warn_level):
    """:func:`train_runs`; a warning points ``warn_level`` frames up,
    at the reader's call."""
    _check_processes(processes)
    if executor is not None and processes != 1:
        raise ValueError(
            "processes must be 1 with an executor (which decides how many "
            f"runs go at a time), got {processes}"
        )
    if isinstance(executor, concurrent.futures.ThreadPoolExecutor):
        raise TypeError(
            "executor must run calls in processes, got a ThreadPoolExecutor"
        )
    local = _notebook_functions(
        *(x for run in runs for x in run[:2]), *kwargs.values()
    )
    if local and (executor is not None or processes > 1):
        names = ", ".join(sorted(set(local)))
        if executor is not None:
            raise ValueError(
                f"{names} cannot go to a worker process: defined in a "
                "notebook or in a function, it cannot be imported there; "
                "define it in a module"
            )
        _warn_one_after_another(local, warn_level + 1)
    if executor is None and (processes == 1 or len(runs) < 2 or local):
        return [train(config, seed, **kwargs) for train, config, seed in runs]
    if executor is None:
        with _process_pool(min(processes, len(runs))) as pool:
            return _train_runs(runs, 1, pool, kwargs, warn_level)
    futures = [executor.submit(_train_one, *run, **kwargs) for run in runs]
    try:
        return [future.result() for future in futures]
    finally:  # after a failure, the runs still queued are cancelled
        # (those the executor already handed to a worker run to their end)
        for future in futures:
            future.cancel()

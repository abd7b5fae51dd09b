"""Several runs at once: the same runs as one after another, in worker
processes, on a caller's executor (a Dask cluster's), and restarts until
a seed solves the task."""

import dataclasses
import functools
import multiprocessing
import random
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
import torch

from actorcritic.algorithms.parallel_a2c import train_parallel_a2c
from actorcritic.envs import seed_everything
from actorcritic.losses import a2c_losses
from actorcritic.networks import GaussianPolicy, ValueNetwork
from actorcritic.returns import reward_to_go
from actorcritic.runs import History, Trained
from actorcritic.seeds import (
    _notebook_functions,
    train_runs,
    train_seeds,
    train_until_solved,
)
from tests.algorithms.quick import QUICK


def fake_train(config, seed):
    """A run whose best evaluation is 100 * seed (importable, so that a
    worker process can run it)."""
    h = History(eval_steps=[10], eval_return=[100.0 * seed])
    return Trained(actor=None, critic=None, history=h)


def _fake_train(calls):
    def train(config, seed):
        calls.append(seed)
        h = History(eval_steps=[10], eval_return=[100.0 * seed])
        return Trained(actor=None, critic=None, history=h)

    return train


def test_train_until_solved_stops_at_the_first_solved_run():
    _, config = QUICK["parallel_a2c"]
    calls = []
    solvable = dataclasses.replace(config, stop_at_return=150.0)
    chosen, attempts = train_until_solved(
        _fake_train(calls), solvable, [0, 1, 2, 3]
    )
    assert calls == [0, 1, 2] and len(attempts) == 3
    assert chosen is attempts[-1]
    # nobody solves: the best run is returned, after trying every seed
    unsolvable = dataclasses.replace(config, stop_at_return=1_000.0)
    chosen, attempts = train_until_solved(
        _fake_train([]), unsolvable, [2, 0, 1]
    )
    assert len(attempts) == 3 and chosen is attempts[0]


def test_train_until_solved_needs_a_target_and_seeds():
    _, config = QUICK["parallel_a2c"]
    with pytest.raises(ValueError, match="stop_at_return"):
        train_until_solved(train_parallel_a2c, config, [0])
    config = dataclasses.replace(config, stop_at_return=1.0)
    with pytest.raises(ValueError, match="at least one seed"):
        train_until_solved(train_parallel_a2c, config, [])


@pytest.mark.parametrize("processes", [1, 2, 3])
def test_train_until_solved_in_processes_chooses_as_one_by_one(processes):
    """The runs after the solving one are discarded, whether they ran or
    not: the result is the sequential one."""
    _, config = QUICK["parallel_a2c"]
    for target, seeds in [(150.0, [0, 1, 2, 3]), (1_000.0, [2, 0, 1])]:
        config = dataclasses.replace(config, stop_at_return=target)
        expected = train_until_solved(fake_train, config, seeds)
        chosen, attempts = train_until_solved(
            fake_train, config, seeds, processes=processes
        )
        assert [a.history.eval_return for a in attempts] == [
            a.history.eval_return for a in expected[1]
        ]
        assert chosen.history.eval_return == expected[0].history.eval_return


def assert_same_runs(alone, together):
    assert len(alone) == len(together)
    for a, b in zip(alone, together, strict=True):
        assert a.history.episode_return == b.history.episode_return
        assert a.history.logs == b.history.logs
        for p, q in zip(
            a.actor.parameters(), b.actor.parameters(), strict=True
        ):
            assert torch.equal(p, q)


def test_train_seeds_in_two_processes_gives_the_runs_one_by_one(one_thread):
    """Bit for bit, with one thread in each process (matrix products may
    round differently with another thread count)."""
    train, config = QUICK["ppo"]
    alone = [train(config, seed) for seed in (0, 1)]
    together = train_seeds(train, config, (0, 1), processes=2)
    assert_same_runs(alone, together)


def test_train_seeds_on_a_process_pool_gives_the_runs_one_by_one(one_thread):
    """The caller's executor: three seeds on two processes (so one process
    trains two runs), in the order of the seeds; the executor stays open."""
    train, config = QUICK["ppo"]
    alone = [train(config, seed) for seed in (2, 0, 1)]
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=2, mp_context=context) as pool:
        together = train_seeds(train, config, (2, 0, 1), executor=pool)
        assert pool.submit(abs, -3).result() == 3  # not shut down
    assert_same_runs(alone, together)


def test_train_seeds_on_a_dask_cluster_gives_the_runs_one_by_one(one_thread):
    """A reader's cluster, here two local worker processes of one thread
    each, through the concurrent.futures interface of a Dask client."""
    distributed = pytest.importorskip("distributed")
    train, config = QUICK["ppo"]
    alone = [train(config, seed) for seed in (0, 1)]
    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            scheduler_port=0,
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        together = train_seeds(
            train, config, (0, 1), executor=client.get_executor()
        )
    assert_same_runs(alone, together)


def test_threads_share_the_generators_a_run_seeds():
    """Why train_seeds refuses threads (its docstring): what one thread
    seeds (seed_everything, as every run starts) decides what another
    thread draws, so runs in threads at once mix their random draws."""

    def draw():
        return random.random(), float(np.random.rand()), float(torch.rand(()))

    seed_everything(3)
    expected = draw()
    seed_everything(3)
    with ThreadPoolExecutor(max_workers=1) as pool:
        assert pool.submit(draw).result() == expected


def test_train_seeds_needs_a_process():
    train, config = QUICK["ppo"]
    with pytest.raises(ValueError, match="processes"):
        train_seeds(train, config, (0,), processes=0)
    with ThreadPoolExecutor(max_workers=2) as pool:
        with pytest.raises(TypeError, match="calls in processes"):
            train_seeds(train, config, (0, 1), executor=pool)
        with pytest.raises(ValueError, match="1 with an executor"):
            train_seeds(train, config, (0, 1), processes=2, executor=pool)


def test_train_runs_mixes_algorithms_in_the_order_given(one_thread):
    """Chapter 6's way: PPO and A2C seeds in one pool of two processes."""
    runs = [
        (*QUICK["ppo"], 1),
        (*QUICK["parallel_a2c"], 0),
        (*QUICK["ppo"], 0),
    ]
    alone = [train(config, seed) for train, config, seed in runs]
    assert_same_runs(alone, train_runs(runs, processes=2))


def test_train_runs_sends_the_chapter_3_classes(one_thread):
    """Chapter 3's way: classes for the actor and the critic go to the
    workers with the loss (the package's, which the checkers hand back
    when the reader's fail)."""
    train, config = QUICK["a2c"]
    kwargs = dict(
        loss_fn=a2c_losses, actor_cls=GaussianPolicy, critic_cls=ValueNetwork
    )
    runs = [(train, config, seed) for seed in (0, 1)]
    alone = [train(config, seed, **kwargs) for _, _, seed in runs]
    assert_same_runs(alone, train_runs(runs, processes=2, **kwargs))

    class Actor(GaussianPolicy):  # a reader's class: not for a worker
        pass

    with pytest.warns(UserWarning, match="Actor: defined in this"):
        train_runs(runs[:1] * 2, processes=2, **kwargs | {"actor_cls": Actor})


def test_train_seeds_passes_keyword_arguments_to_every_run(one_thread):
    """Chapter 5's way: the chapter's functions go to every run."""
    train, config = QUICK["episodic_pg"]
    alone = [train(config, seed, q_fn=reward_to_go) for seed in (0, 1)]
    together = train_seeds(
        train, config, (0, 1), processes=2, q_fn=reward_to_go
    )
    assert_same_runs(alone, together)


def test_a_notebook_function_runs_in_this_process_with_a_warning():
    """A worker cannot import a function defined in a notebook (or, here,
    in a function): the runs go one after another, and say why; a
    caller's executor gets a clear error instead."""
    train, config = QUICK["episodic_pg"]

    def my_q_values(reward, gamma, episode_end):
        return reward_to_go(reward, gamma, episode_end)

    with pytest.warns(UserWarning, match="my_q_values.*one after") as w:
        runs = train_seeds(
            train, config, (0, 1), processes=2, q_fn=my_q_values
        )
    assert w[0].filename == __file__  # it points at the reader's call
    assert_same_runs(
        [train(config, seed, q_fn=reward_to_go) for seed in (0, 1)], runs
    )
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as pool:
        with pytest.raises(ValueError, match="my_q_values cannot go"):
            train_seeds(train, config, (0,), executor=pool, q_fn=my_q_values)


def test_what_a_worker_can_get_is_told_by_pickle():
    """Importable functions, partials of them and library objects go to
    workers; a function defined in a function (or in a notebook's
    __main__) does not, and train_until_solved then says so too."""

    def local_train(config, seed):
        return fake_train(config, seed)

    sendable = [functools.partial(reward_to_go), torch.nn.MSELoss()]
    assert _notebook_functions(fake_train, *sendable) == []
    assert _notebook_functions(local_train) == [local_train.__qualname__]
    _, config = QUICK["parallel_a2c"]
    config = dataclasses.replace(config, stop_at_return=150.0)
    with pytest.warns(UserWarning, match="local_train.*one after") as w:
        chosen, _ = train_until_solved(local_train, config, [0, 2], 2)
    assert w[0].filename == __file__
    assert chosen.history.eval_return == [200.0]

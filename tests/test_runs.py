"""What every run shares: the config check, frozen configs, the same
seed giving the same run, training time without evaluations, restarts
until solved, and several seeds at once giving the runs one by one.
Each table has a row per algorithm."""

import dataclasses
import multiprocessing
import random
import time
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor

import numpy as np
import pytest
import torch

from actorcritic.algorithms.a2c import A2CConfig
from actorcritic.algorithms.episodic_pg import (
    EpisodicPGConfig,
)
from actorcritic.algorithms.one_step_actor_critic import (
    OneStepACConfig,
)
from actorcritic.algorithms.parallel_a2c import (
    ParallelA2CConfig,
    train_parallel_a2c,
)
from actorcritic.algorithms.ppo import PPOConfig
from actorcritic.algorithms.reinforce import ReinforceConfig
from actorcritic.envs import seed_everything
from actorcritic.runs import History, Trained, train_seeds, train_until_solved
from tests.algorithms.quick import QUICK


@pytest.mark.parametrize("name", sorted(QUICK))
def test_same_seed_same_run_other_seed_other_run(name):
    train, config = QUICK[name]
    a, b = train(config, seed=1), train(config, seed=1)
    assert a.history.episode_return == b.history.episode_return
    assert a.history.eval_return == b.history.eval_return
    assert a.history.logs == b.history.logs
    for p, q in zip(a.actor.parameters(), b.actor.parameters(), strict=True):
        assert torch.equal(p, q)
    c = train(config, seed=2)
    assert c.history.episode_return != a.history.episode_return


@pytest.mark.parametrize(
    "config_cls, bad",
    [
        (cls, bad)
        for cls in (OneStepACConfig, ReinforceConfig)
        for bad in (
            dict(total_steps=0),
            dict(gamma=1.5),
            dict(actor_lr=-1.0),
            dict(eval_every=0),
        )
    ]
    + [
        (A2CConfig, dict(n_envs=0)),
        (A2CConfig, dict(entropy_coef=-0.1)),
        (A2CConfig, dict(max_grad_norm=0.0)),
        (A2CConfig, dict(reward_scale=0.0)),
        (A2CConfig, dict(total_steps=0)),
        (ParallelA2CConfig, dict(n_steps=0)),
        (ParallelA2CConfig, dict(lr_end=1.0)),
        (ParallelA2CConfig, dict(vectorization="threads")),
        (ParallelA2CConfig, dict(value_coef=-1.0)),
        (ParallelA2CConfig, dict(lr=0.0)),
        (EpisodicPGConfig, dict(baseline="critic")),
        (EpisodicPGConfig, dict(episodes_per_batch=0)),
        (EpisodicPGConfig, dict(entropy_coef=-0.1)),
        (EpisodicPGConfig, dict(lr=0.0)),
        (PPOConfig, dict(gae_lambda=1.5)),
        (PPOConfig, dict(clip=0.0)),
        (PPOConfig, dict(n_epochs=0)),
        (PPOConfig, dict(minibatch_size=100)),
        (PPOConfig, dict(lr_end=1.0)),
    ],
)
def test_configs_reject_bad_values_naming_the_field(config_cls, bad):
    (field,) = bad
    with pytest.raises(ValueError, match=rf"^{field} must be"):
        config_cls(**bad)


@pytest.mark.parametrize("name", sorted(QUICK))
def test_configs_are_frozen(name):
    _, config = QUICK[name]
    with pytest.raises(dataclasses.FrozenInstanceError):
        config.gamma = 0.5


def test_train_seconds_exclude_evaluations():
    train, config = QUICK["parallel_a2c"]
    start = time.perf_counter()
    h = train(config, seed=0).history
    total = time.perf_counter() - start
    assert 0 < h.train_seconds < total
    assert h.wall_time[-1] <= h.train_seconds


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


def test_evaluation_steps_are_counted_apart_from_training():
    """CartPole pays 1 per step, so an evaluation of n episodes with mean
    return m played n * m steps; none of them is a training step."""
    train, config = QUICK["one_step_actor_critic"]
    h = train(config, seed=0).history
    assert len(h.eval_cost) == len(h.eval_steps) == 2
    for cost, mean in zip(h.eval_cost, h.eval_return, strict=True):
        assert cost == round(mean * config.eval_episodes)
    assert h.evaluation_steps == sum(h.eval_cost)
    assert h.env_steps[-1] <= config.total_steps


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

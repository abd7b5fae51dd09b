"""What every run shares: the config check, frozen configs, the same
seed giving the same run, training time without evaluations, restarts
until solved, and several seeds at once giving the runs one by one.
Each table has a row per algorithm."""

import dataclasses
import time

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
)
from actorcritic.algorithms.ppo import PPOConfig
from actorcritic.algorithms.reinforce import ReinforceConfig
from actorcritic.algorithms.sac import SACConfig
from actorcritic.algorithms.td3 import TD3Config
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
        (SACConfig, dict(tau=0.0)),
        (SACConfig, dict(tau=1.5)),
        (SACConfig, dict(batch_size=0)),
        (SACConfig, dict(alpha=-0.1)),
        (SACConfig, dict(learning_starts=-1)),
        (TD3Config, dict(bias_episodes=-1)),
        (TD3Config, dict(policy_delay=0)),
        (TD3Config, dict(n_critics=0)),
        (TD3Config, dict(target_noise=-0.2)),
        (TD3Config, dict(buffer_size=0)),
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

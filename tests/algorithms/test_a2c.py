"""A2C with entropy on a continuous action (chapter 3), and policy
evaluation with its critic target."""

import dataclasses

import gymnasium as gym
import numpy as np
import pytest
import torch

from actorcritic.algorithms.a2c import A2CConfig, fit_critic_td, train_a2c
from actorcritic.losses import a2c_losses
from actorcritic.networks import GaussianPolicy, ValueNetwork
from tests.algorithms.quick import QUICK_A2C


class ConstantReward(gym.Env):
    """Reward 1 at every step, one constant observation, never terminal:
    V = 1 / (1 - gamma) exactly, whatever the policy does."""

    observation_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)
    action_space = gym.spaces.Box(-1.0, 1.0, (1,), np.float32)

    def __init__(self, render_mode=None):
        self.render_mode = render_mode

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros(1, np.float32), {}

    def step(self, action):
        return np.zeros(1, np.float32), 1.0, False, False, {}


gym.register(
    "ConstantReward-v0", entry_point=ConstantReward, max_episode_steps=20
)


def test_a2c_history_and_logs():
    h = train_a2c(QUICK_A2C, seed=0).history
    assert h.eval_steps == [800, 1600]
    # Pendulum episodes last 200 steps: 8 envs x 200 steps = 1600
    assert h.env_steps == [1600] * 8 and len(h.episode_return) == 8
    assert h.log_steps == [400, 800, 1200, 1600]
    assert set(h.logs) == {"actor_loss", "critic_loss", "entropy"}
    assert all(len(v) == 4 for v in h.logs.values())


def test_a2c_uses_the_readers_loss_and_classes():
    calls = []

    def counting(*args):
        calls.append(args[0].shape)
        return a2c_losses(*args)

    class MyActor(GaussianPolicy):
        pass

    class MyCritic(ValueNetwork):
        pass

    result = train_a2c(
        dataclasses.replace(QUICK_A2C, total_steps=80, eval_every=80),
        seed=0,
        loss_fn=counting,
        actor_cls=MyActor,
        critic_cls=MyCritic,
    )
    assert calls == [(8,)] * 10  # one update per step of the 8 envs
    assert type(result.actor) is MyActor
    assert type(result.critic) is MyCritic


@pytest.mark.parametrize("train", ["train_a2c", "fit_critic_td"])
def test_truncation_bootstraps_infinite_horizon(train):
    """In the spirit of Stable-Baselines3's infinite-horizon test: under a
    20-step time limit, the constant-reward task still has
    V = 1 / (1 - 0.9) = 10. Treating the limit as terminal biases V
    towards 1 / (1 - 0.9 * 19 / 20) = 6.9."""
    config = A2CConfig(
        env_id="ConstantReward-v0",
        n_envs=4,
        total_steps=6_000,
        gamma=0.9,
        critic_lr=1e-2,
        reward_scale=1.0,
        max_grad_norm=None,
        eval_every=6_000,
        eval_episodes=1,
    )
    obs = torch.zeros(1)
    values = {}
    for bootstrap in (True, False):
        c = dataclasses.replace(config, bootstrap_truncated=bootstrap)
        if train == "train_a2c":
            critic = train_a2c(c, seed=0).critic
        else:
            torch.manual_seed(0)
            policy = GaussianPolicy(1, [-1.0], [1.0])
            critic = fit_critic_td(policy, c, seed=0)
        values[bootstrap] = critic(obs).item()
    assert values[True] == pytest.approx(10.0, abs=0.3)
    assert values[False] == pytest.approx(1 / (1 - 0.9 * 19 / 20), abs=0.5)


def test_a2c_logs_a_short_run_too():
    config = dataclasses.replace(
        QUICK_A2C, total_steps=400, eval_every=400, log_every=2_000
    )
    h = train_a2c(config, seed=0).history
    assert h.log_steps == [400] and len(h.logs["entropy"]) == 1

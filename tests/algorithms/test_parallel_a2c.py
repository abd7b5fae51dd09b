"""Parallel A2C on vector environments (chapter 4)."""

import dataclasses

import numpy as np
import pytest
import torch

from actorcritic.algorithms.parallel_a2c import (
    train_parallel_a2c,
)
from actorcritic.losses import a2c_loss
from actorcritic.returns import n_step_returns
from tests.algorithms.quick import QUICK_PAR


def test_parallel_a2c_history_and_logs():
    h = train_parallel_a2c(QUICK_PAR, seed=0).history
    assert h.eval_steps == [400, 800]
    assert h.log_steps == [200, 400, 600, 800]
    assert set(h.logs) == {"loss", "entropy", "value_error"}
    assert h.env_steps == sorted(h.env_steps) and h.env_steps[-1] <= 800
    assert all(w >= 0 for w in h.wall_time)
    assert sum(h.episode_return) <= 800  # CartPole pays 1 per step


def test_parallel_a2c_same_seed_same_history_in_both_modes():
    a = train_parallel_a2c(QUICK_PAR, seed=3)
    b = train_parallel_a2c(
        dataclasses.replace(QUICK_PAR, vectorization="async"), seed=3
    )
    assert a.history.episode_return == b.history.episode_return
    assert a.history.logs == b.history.logs


def test_parallel_a2c_uses_the_readers_functions():
    shapes = []

    def recording_returns(reward, next_value, terminated, truncated, gamma):
        shapes.append(tuple(reward.shape))
        return n_step_returns(reward, next_value, terminated, truncated, gamma)

    def recording_loss(*args):
        shapes.append(tuple(args[0].shape))
        return a2c_loss(*args)

    train_parallel_a2c(
        dataclasses.replace(QUICK_PAR, total_steps=40, eval_every=40),
        seed=0,
        loss_fn=recording_loss,
        returns_fn=recording_returns,
    )
    assert shapes == [(5, 4)] * 4  # two updates of T x N = 5 x 4


def test_parallel_a2c_scales_rewards_for_the_learner_only():
    seen = []

    def recording_returns(reward, next_value, terminated, truncated, gamma):
        seen.append(reward.clone())
        return n_step_returns(reward, next_value, terminated, truncated, gamma)

    config = dataclasses.replace(
        QUICK_PAR, total_steps=40, eval_every=40, reward_scale=0.1
    )
    h = train_parallel_a2c(config, 0, returns_fn=recording_returns).history
    assert all(torch.allclose(r, torch.full_like(r, 0.1)) for r in seen)
    # the history keeps the environment's own returns: 1 per CartPole step
    assert all(r == int(r) and r >= 1 for r in h.episode_return)


def test_parallel_a2c_orthogonal_init_starts_near_uniform():
    config = dataclasses.replace(
        QUICK_PAR, total_steps=20, eval_every=20, orthogonal_init=True
    )
    actor = train_parallel_a2c(config, seed=0).actor
    probs = torch.softmax(actor(torch.randn(64, 4)), dim=-1)
    assert (probs - 0.5).abs().max() < 0.05  # output gain 0.01


def test_parallel_a2c_step_size_decays_linearly_to_lr_end():
    seen = []
    original = torch.optim.Adam.step

    def spy(self, *args, **kwargs):
        seen.append(self.param_groups[0]["lr"])
        return original(self, *args, **kwargs)

    torch.optim.Adam.step = spy
    try:
        train_parallel_a2c(
            dataclasses.replace(QUICK_PAR, lr=1e-3, lr_end=2e-4), seed=0
        )
    finally:
        torch.optim.Adam.step = original
    assert len(seen) == 40  # 800 steps / (5 x 4)
    assert seen[0] == pytest.approx(1e-3)
    assert seen[-1] == pytest.approx(2e-4 + 0.8e-3 / 40)
    steps = np.diff(seen)
    assert np.allclose(steps, steps[0])  # linear

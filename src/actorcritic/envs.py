"""Seeding and environment construction."""

from __future__ import annotations

import random

import gymnasium as gym
import numpy as np
import torch


def seed_everything(seed: int) -> None:
    """Seed Python's, NumPy's and PyTorch's global generators."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)


def make_env(
    env_id: str,
    seed: int | None = None,
    render_mode: str | None = None,
    **kwargs,
) -> gym.Env:
    """Make a Gymnasium environment and seed its action space.

    Training wants ``render_mode=None`` (rendering slows stepping down);
    replays want ``"rgb_array"``. The observation stream is seeded by the
    first ``env.reset(seed=...)``, which the caller makes.

    Args:
        env_id: a registered id such as ``"CartPole-v1"``.
        seed: seeds ``env.action_space`` when given.
        render_mode: ``None`` or ``"rgb_array"``.
        **kwargs: passed to ``gymnasium.make``.
    """
    if render_mode not in (None, "rgb_array"):
        raise ValueError(
            f"render_mode must be None or 'rgb_array', got {render_mode!r}"
        )
    env = gym.make(env_id, render_mode=render_mode, **kwargs)
    if seed is not None:
        env.action_space.seed(seed)
    return env

"""Seeded evaluation of a trained policy."""

from __future__ import annotations

from typing import Protocol

import numpy as np

from actorcritic.envs import make_env


class Policy(Protocol):
    def act(self, obs, greedy: bool = False): ...


def evaluate(
    policy: Policy,
    env_id: str,
    n_episodes: int = 20,
    seed: int = 10_000,
    greedy: bool = True,
    **env_kwargs,
) -> np.ndarray:
    """Undiscounted returns of ``n_episodes`` seeded episodes.

    Episode ``i`` starts from ``env.reset(seed=seed + i)``, so two policies
    evaluated with the same ``seed`` face the same start states. The default
    seed is far from the training seeds.

    Returns:
        ``(n_episodes,)`` float array of returns.
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be at least 1, got {n_episodes}")
    env = make_env(env_id, seed=seed, **env_kwargs)
    returns = np.zeros(n_episodes)
    try:
        for i in range(n_episodes):
            obs, _ = env.reset(seed=seed + i)
            done = False
            while not done:
                obs, reward, terminated, truncated, _ = env.step(
                    policy.act(obs, greedy=greedy)
                )
                returns[i] += float(reward)
                done = terminated or truncated
    finally:
        env.close()
    return returns

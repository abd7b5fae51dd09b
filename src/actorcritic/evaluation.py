"""Seeded evaluation of a trained policy."""

from __future__ import annotations

from typing import NamedTuple, Protocol

import numpy as np

from actorcritic.envs import make_env


class Policy(Protocol):
    """Anything with ``act(obs, greedy)`` for one observation. A policy may
    also define ``act_batch(obs, greedy)`` for ``(B, obs_dim)``
    observations; :func:`evaluate` then plays its episodes in lockstep."""

    def act(self, obs, greedy: bool = False): ...


class Episodes(NamedTuple):
    """What :func:`play` measured: ``(n_episodes,)`` arrays."""

    returns: np.ndarray  # sum_t gamma^t r_{t+1} of each episode
    lengths: np.ndarray  # environment steps of each episode (ints)


def evaluate(
    policy: Policy,
    env_id: str,
    n_episodes: int = 20,
    seed: int = 10_000,
    greedy: bool = True,
    gamma: float = 1.0,
    **env_kwargs,
) -> np.ndarray:
    """Returns ``sum_t gamma^t r_{t+1}`` of ``n_episodes`` seeded episodes
    (undiscounted by default): ``play(...).returns``."""
    return play(
        policy, env_id, n_episodes, seed, greedy, gamma, **env_kwargs
    ).returns


def play(
    policy: Policy,
    env_id: str,
    n_episodes: int = 20,
    seed: int = 10_000,
    greedy: bool = True,
    gamma: float = 1.0,
    **env_kwargs,
) -> Episodes:
    """Play ``n_episodes`` seeded episodes; return their returns
    ``sum_t gamma^t r_{t+1}`` (undiscounted by default) and lengths.

    Episode ``i`` starts from ``env.reset(seed=seed + i)``, so two policies
    evaluated with the same ``seed`` face the same start states. The default
    seed is far from the training seeds.

    A policy with ``act_batch`` plays all episodes side by side, one
    network call per time step instead of one per episode and step; the
    returns are the same as one episode after another when ``greedy``.

    Returns:
        :class:`Episodes` of ``(n_episodes,)`` arrays.
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be at least 1, got {n_episodes}")
    if not 0.0 <= gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")
    if hasattr(policy, "act_batch"):
        return _evaluate_lockstep(
            policy, env_id, n_episodes, seed, greedy, gamma, **env_kwargs
        )
    env = make_env(env_id, seed=seed, **env_kwargs)
    returns = np.zeros(n_episodes)
    lengths = np.zeros(n_episodes, dtype=int)
    try:
        for i in range(n_episodes):
            obs, _ = env.reset(seed=seed + i)
            done, discount = False, 1.0
            while not done:
                obs, reward, terminated, truncated, _ = env.step(
                    policy.act(obs, greedy=greedy)
                )
                returns[i] += discount * float(reward)
                lengths[i] += 1
                discount *= gamma
                done = terminated or truncated
    finally:
        env.close()
    return Episodes(returns, lengths)


def _evaluate_lockstep(
    policy, env_id, n_episodes, seed, greedy, gamma, **env_kwargs
) -> Episodes:
    """Episode ``i`` in its own env, reset with ``seed + i``; every step
    acts for all unfinished episodes at once."""
    envs = [
        make_env(env_id, seed=seed + i, **env_kwargs)
        for i in range(n_episodes)
    ]
    returns = np.zeros(n_episodes)
    lengths = np.zeros(n_episodes, dtype=int)
    try:
        obs = np.stack(
            [env.reset(seed=seed + i)[0] for i, env in enumerate(envs)]
        )
        active = np.arange(n_episodes)  # episodes still running
        discount = 1.0
        while len(active):
            actions = policy.act_batch(obs[active], greedy=greedy)
            still = []
            for k, i in enumerate(active):
                obs[i], reward, terminated, truncated, _ = envs[i].step(
                    actions[k]
                )
                returns[i] += discount * float(reward)
                lengths[i] += 1
                if not (terminated or truncated):
                    still.append(i)
            active = np.array(still, dtype=int)
            discount *= gamma
    finally:
        for env in envs:
            env.close()
    return Episodes(returns, lengths)

"""Collecting experience with a fixed policy."""

from __future__ import annotations

from dataclasses import dataclass

import torch

from actorcritic.envs import make_env
from actorcritic.networks import CategoricalPolicy


@dataclass(frozen=True)
class Episode:
    """One complete episode, time first.

    Attributes:
        obs: ``(T, obs_dim)`` observations s_0 .. s_{T-1}.
        action: ``(T,)`` actions a_0 .. a_{T-1}.
        reward: ``(T,)`` rewards r_1 .. r_T (the reward after each action).
        terminated: whether the episode ended in a terminal state (False
            means it was truncated by a time limit).
    """

    obs: torch.Tensor
    action: torch.Tensor
    reward: torch.Tensor
    terminated: bool

    def __len__(self) -> int:
        return self.reward.shape[0]


@torch.no_grad()
def collect_episodes(
    actor: CategoricalPolicy, env_id: str, n_episodes: int, seed: int
) -> list[Episode]:
    """Play ``n_episodes`` with actions sampled from ``actor``.

    Episode ``i`` starts from ``reset(seed=seed + i)``; actions come from
    PyTorch's global generator, so seed it too for repeatable batches.
    """
    if n_episodes < 1:
        raise ValueError(f"n_episodes must be at least 1, got {n_episodes}")
    env = make_env(env_id, seed=seed)
    episodes = []
    try:
        for i in range(n_episodes):
            obs, _ = env.reset(seed=seed + i)
            observations, actions, rewards = [], [], []
            done = terminated = False
            while not done:
                obs_t = torch.as_tensor(obs, dtype=torch.float32)
                action, _ = actor.sample(obs_t)
                obs, reward, terminated, truncated, _ = env.step(int(action))
                observations.append(obs_t)
                actions.append(int(action))
                rewards.append(float(reward))
                done = terminated or truncated
            episodes.append(
                Episode(
                    obs=torch.stack(observations),  # (T, obs_dim)
                    action=torch.tensor(actions),  # (T,)
                    reward=torch.tensor(rewards),  # (T,)
                    terminated=bool(terminated),
                )
            )
    finally:
        env.close()
    return episodes

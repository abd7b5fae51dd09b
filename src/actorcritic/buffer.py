"""The replay buffer of off-policy actor-critic (chapter 7): transitions
stored once, sampled many times."""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
import torch


class Transitions(NamedTuple):
    """A batch of ``B`` transitions ``(s, a, r, terminated, truncated,
    s')``."""

    obs: torch.Tensor  # (B, obs_dim)
    action: torch.Tensor  # (B, act_dim)
    reward: torch.Tensor  # (B,)
    terminated: torch.Tensor  # (B,) 1.0 where s' is terminal
    truncated: torch.Tensor  # (B,) 1.0 where a time limit cut the episode
    next_obs: torch.Tensor  # (B, obs_dim)


class ReplayBuffer:
    """The last ``capacity`` transitions, in preallocated arrays; once it
    is full, each new transition overwrites the oldest.

    A transition keeps both flags. The target
    ``r + gamma (1 - terminated) Q(s', a')`` cuts the bootstrap only at a
    terminal state; after a truncation, ``next_obs`` must be the episode's
    final observation (what :class:`~actorcritic.envs.EnvBatch` hands
    back), so that the target bootstraps from where the episode was cut.

    :meth:`sample` draws indices with replacement from PyTorch's global
    generator (seeded by :func:`~actorcritic.envs.seed_everything`) unless
    given one.
    """

    def __init__(self, obs_dim: int, act_dim: int, capacity: int) -> None:
        if min(obs_dim, act_dim, capacity) < 1:
            raise ValueError(
                "ReplayBuffer needs positive sizes, got "
                f"obs_dim={obs_dim}, act_dim={act_dim}, capacity={capacity}"
            )
        self.capacity = capacity
        self.obs_dim, self.act_dim = obs_dim, act_dim
        # NumPy arrays that writes go into, and tensors sharing their memory
        # that samples are read from
        self._obs = np.zeros((capacity, obs_dim), np.float32)
        self._action = np.zeros((capacity, act_dim), np.float32)
        self._reward = np.zeros(capacity, np.float32)
        self._terminated = np.zeros(capacity, np.float32)
        self._truncated = np.zeros(capacity, np.float32)
        self._next_obs = np.zeros((capacity, obs_dim), np.float32)
        self._tensors = Transitions(
            *map(
                torch.from_numpy,
                (
                    self._obs,
                    self._action,
                    self._reward,
                    self._terminated,
                    self._truncated,
                    self._next_obs,
                ),
            )
        )
        self.size = 0  # transitions held
        self.position = 0  # where the next one goes

    def __len__(self) -> int:
        return self.size

    def add(
        self, obs, action, reward, terminated, truncated, next_obs
    ) -> None:
        """Store ``N`` transitions: ``obs`` and ``next_obs`` ``(N,
        obs_dim)``, ``action`` ``(N, act_dim)``, ``reward``,
        ``terminated`` and ``truncated`` ``(N,)`` (NumPy arrays or
        tensors)."""
        obs = np.asarray(obs, np.float32)
        n = len(obs)
        shapes = {
            "obs": (obs.shape, (n, self.obs_dim)),
            "action": (np.shape(action), (n, self.act_dim)),
            "reward": (np.shape(reward), (n,)),
            "terminated": (np.shape(terminated), (n,)),
            "truncated": (np.shape(truncated), (n,)),
            "next_obs": (np.shape(next_obs), (n, self.obs_dim)),
        }
        for name, (got, expected) in shapes.items():
            if tuple(got) != expected:
                raise ValueError(
                    f"ReplayBuffer.add: expected {name} of shape {expected} "
                    f"for {n} transitions, got {tuple(got)}"
                )
        if n > self.capacity:
            raise ValueError(
                f"cannot add {n} transitions to a buffer of {self.capacity}"
            )
        rows = (self.position + np.arange(n)) % self.capacity
        self._obs[rows] = obs
        self._action[rows] = action
        self._reward[rows] = reward
        self._terminated[rows] = terminated
        self._truncated[rows] = truncated
        self._next_obs[rows] = next_obs
        self.position = (self.position + n) % self.capacity
        self.size = min(self.size + n, self.capacity)

    def sample(
        self, batch_size: int, generator: torch.Generator | None = None
    ) -> Transitions:
        """``batch_size`` transitions drawn uniformly with replacement."""
        if self.size == 0:
            raise ValueError("cannot sample from an empty ReplayBuffer")
        if batch_size < 1:
            raise ValueError(
                f"batch_size must be at least 1, got {batch_size}"
            )
        index = torch.randint(
            self.size, (batch_size,), generator=generator
        )  # (B,)
        return Transitions(*(x[index] for x in self._tensors))

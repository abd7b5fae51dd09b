"""Seeding and environment construction."""

from __future__ import annotations

import random
import time
from dataclasses import dataclass

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


# What each kind of policy can act in, and the book's algorithm for the
# other kind (named in the error message).
_ACTIONS = {
    "discrete": (
        gym.spaces.Discrete,
        "a discrete action space, Discrete(n), for a categorical policy",
        "for continuous actions, chapter 3's train_a2c has a Gaussian policy",
    ),
    "continuous": (
        gym.spaces.Box,
        "a continuous action space, a 1-D Box",
        "for discrete actions, see chapters 4 to 6: train_parallel_a2c and "
        "train_ppo",
    ),
}


def check_spaces(
    algorithm: str, env_id: str, observation_space, action_space, action: str
) -> None:
    """Fail at once, naming the space ``env_id`` has and the one
    ``algorithm`` needs, if its networks cannot handle the task: flat
    observations (a 1-D Box) and ``action`` actions (``"discrete"`` or
    ``"continuous"``)."""
    kind, needed, other = _ACTIONS[action]
    flat = isinstance(observation_space, gym.spaces.Box) and (
        len(observation_space.shape) == 1
    )
    if not flat:
        raise ValueError(
            f"{algorithm} needs observations that are flat vectors (a 1-D "
            f"Box space); {env_id} has {observation_space}"
        )
    right = isinstance(action_space, kind) and (
        kind is gym.spaces.Discrete or len(action_space.shape) == 1
    )
    if not right:
        raise ValueError(
            f"{algorithm} needs {needed}; {env_id} has {action_space} "
            f"({other})"
        )


@dataclass
class BatchStep:
    """What one step of an :class:`EnvBatch` returns (N environments).

    Attributes:
        next_obs: ``(N, obs_dim)`` the observation each action led to. Where
            an episode just ended this is its *final* observation, the one
            to bootstrap from after a truncation, not the first observation
            of the next episode.
        reward: ``(N,)`` rewards.
        terminated: ``(N,)`` bool, the episode reached a terminal state.
        truncated: ``(N,)`` bool, the episode was cut by its time limit.
        finished: ``(index, undiscounted return)`` of each episode that
            ended on this step.
    """

    next_obs: np.ndarray
    reward: np.ndarray
    terminated: np.ndarray
    truncated: np.ndarray
    finished: list[tuple[int, float]]


class EnvBatch:
    """N copies of one environment stepped in a plain Python loop.

    Each copy is reset as soon as its episode ends, so :attr:`obs` always
    holds the observations the next actions should be chosen from, while
    :meth:`step` still hands back each finished episode's final
    observation. Chapter 4 replaces this loop with ``gymnasium.vector``.

    Copy ``i`` is reset with ``seed + i`` first, and its action space is
    seeded with ``seed + i``.
    """

    def __init__(self, env_id: str, n_envs: int, seed: int, **kwargs):
        if n_envs < 1:
            raise ValueError(f"n_envs must be at least 1, got {n_envs}")
        self.envs = [
            make_env(env_id, seed=seed + i, **kwargs) for i in range(n_envs)
        ]
        self.obs = np.stack(
            [env.reset(seed=seed + i)[0] for i, env in enumerate(self.envs)]
        )  # (N, obs_dim)
        self._returns = np.zeros(n_envs)

    @property
    def observation_space(self):
        return self.envs[0].observation_space

    @property
    def action_space(self):
        return self.envs[0].action_space

    def step(self, actions: np.ndarray) -> BatchStep:
        """Step copy ``i`` with ``actions[i]``; reset the copies that end."""
        n = len(self.envs)
        if len(actions) != n:
            raise ValueError(f"expected {n} actions, got {len(actions)}")
        next_obs = np.empty_like(self.obs)
        # A new array, never written in place: callers may hold tensors
        # that share memory with the previous observations.
        new_obs = np.empty_like(self.obs)
        reward = np.empty(n)
        terminated = np.zeros(n, dtype=bool)
        truncated = np.zeros(n, dtype=bool)
        finished = []
        for i, env in enumerate(self.envs):
            obs, r, term, trunc, _ = env.step(actions[i])
            next_obs[i], reward[i] = obs, r
            terminated[i], truncated[i] = term, trunc
            self._returns[i] += float(r)
            if term or trunc:
                finished.append((i, float(self._returns[i])))
                self._returns[i] = 0.0
                obs, _ = env.reset()
            new_obs[i] = obs
        self.obs = new_obs
        return BatchStep(next_obs, reward, terminated, truncated, finished)

    def close(self) -> None:
        for env in self.envs:
            env.close()


# Where a vector env puts the final observation of an episode depends on its
# autoreset mode. The book pins SAME_STEP: ``step`` resets a finished copy at
# once, returns the first observation of its next episode, and leaves the
# final one in ``info["final_obs"]`` (flagged by ``info["_final_obs"]``).
AUTORESET_MODE = gym.vector.AutoresetMode.SAME_STEP
VECTOR_MODES = ("sync", "async")


def make_vector_env(
    env_id: str, n_envs: int, seed: int, mode: str = "sync", **kwargs
) -> gym.vector.VectorEnv:
    """``n_envs`` copies of ``env_id`` as one Gymnasium vector env.

    ``"sync"`` steps the copies one after another in this process;
    ``"async"`` runs each copy in its own subprocess. The autoreset mode is
    pinned to :data:`AUTORESET_MODE`. The caller seeds the copies with
    ``envs.reset(seed=seed)`` (copy ``i`` gets ``seed + i``); the action
    space is seeded here.
    """
    if mode not in VECTOR_MODES:
        raise ValueError(f"mode must be one of {VECTOR_MODES}, got {mode!r}")
    if n_envs < 1:
        raise ValueError(f"n_envs must be at least 1, got {n_envs}")
    envs = gym.make_vec(
        env_id,
        num_envs=n_envs,
        vectorization_mode=mode,
        vector_kwargs={"autoreset_mode": AUTORESET_MODE},
        **kwargs,
    )
    envs.action_space.seed(seed)
    return envs


def env_steps_per_second(
    env_id: str, mode: str, n_envs: int = 1, n_steps: int = 2_000
) -> float:
    """Environment steps per second with random actions, no learning.

    ``mode`` is ``"single"`` (one plain env; ``n_envs`` must be 1),
    ``"sync"`` or ``"async"`` (a vector env of ``n_envs`` copies). Each
    vector step counts as ``n_envs`` environment steps. Creating and
    closing the environments is not timed.
    """
    if n_steps < 1:
        raise ValueError(f"n_steps must be at least 1, got {n_steps}")
    if mode == "single":
        if n_envs != 1:
            raise ValueError(f"mode 'single' needs n_envs=1, got {n_envs}")
        env = make_env(env_id, seed=0)
        env.reset(seed=0)
        actions = [env.action_space.sample() for _ in range(n_steps)]
        start = time.perf_counter()
        for action in actions:
            _, _, terminated, truncated, _ = env.step(action)
            if terminated or truncated:
                env.reset()
        seconds = time.perf_counter() - start
        env.close()
        return n_steps / seconds
    envs = make_vector_env(env_id, n_envs, seed=0, mode=mode)
    try:
        envs.reset(seed=0)
        actions = [envs.action_space.sample() for _ in range(n_steps)]
        start = time.perf_counter()
        for action in actions:
            envs.step(action)  # autoreset happens inside
        seconds = time.perf_counter() - start
    finally:
        envs.close()
    return n_steps * n_envs / seconds

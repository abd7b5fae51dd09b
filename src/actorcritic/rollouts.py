"""Collecting experience with a fixed policy: whole episodes, and
rollouts of a vector env with a :class:`NumpyActor`."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

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
        final_obs: ``(obs_dim,)`` s_T, the observation the last action led
            to (what a truncated episode bootstraps from), when known.
    """

    obs: torch.Tensor
    action: torch.Tensor
    reward: torch.Tensor
    terminated: bool
    final_obs: torch.Tensor | None = None

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
                    final_obs=torch.as_tensor(obs, dtype=torch.float32),
                )
            )
    finally:
        env.close()
    return episodes


class NumpyActor:
    """Samples actions from a
    :class:`~actorcritic.networks.CategoricalPolicy` with NumPy, for
    :class:`RolloutCollector`: the acting half of the fast path of
    :mod:`actorcritic.fast`.

    Acting needs no gradients, and for a handful of observations a call
    costs more in dispatch than in arithmetic: adding two 8 x 8 arrays
    took about 1.3 µs in PyTorch and 0.4 µs in NumPy here. So the weights
    are read through NumPy *views* of the policy's parameters (no copy):
    an in-place optimiser step shows up at once. Make a new one if the
    parameters are replaced rather than updated, as
    ``optim.flat_parameters`` and ``.to()`` do.

    :meth:`act_batch` follows the same law as
    ``CategoricalPolicy.act_batch`` (Gumbel-max), with its uniform noise
    drawn from PyTorch's global generator, so ``torch.manual_seed`` still
    makes runs repeatable. About 3x cheaper per call for 8 observations
    (benchmarks/bench_parallel_a2c.py).
    """

    def __init__(self, policy: CategoricalPolicy) -> None:
        self.obs_dim = policy.obs_dim
        self.layers = []  # (W^T (in, out), b (out,)) views, one per Linear
        for i, module in enumerate(policy.net):
            expected = nn.Linear if i % 2 == 0 else nn.Tanh
            if not isinstance(module, expected):
                raise TypeError(
                    "NumpyActor needs the Linear-Tanh-...-Linear layers of "
                    f"mlp(), got {type(module).__name__} at position {i}"
                )
            if expected is nn.Linear:
                self.layers.append(
                    (
                        module.weight.detach().numpy().T,
                        module.bias.detach().numpy(),
                    )
                )

    def act_batch(self, obs, greedy: bool = False) -> np.ndarray:
        """Actions ``(B,)`` (ints) for observations ``(B, obs_dim)``."""
        h = np.asarray(obs, dtype=np.float32)  # (B, obs_dim)
        if h.ndim != 2 or h.shape[1] != self.obs_dim:
            raise ValueError(
                f"expected observations of shape (B, {self.obs_dim}), got "
                f"{h.shape}"
            )
        for weight_t, bias in self.layers[:-1]:
            h = np.tanh(h @ weight_t + bias)  # (B, hidden)
        weight_t, bias = self.layers[-1]
        logits = h @ weight_t + bias  # (B, n_actions)
        if greedy:
            return logits.argmax(-1)
        uniform = torch.rand(logits.shape).numpy()  # (B, n_actions)
        # torch.rand can return exactly 0 (about once in 2^24 draws; a
        # million LunarLander steps draw four million): its Gumbel noise is
        # then -inf, the right limit, and NumPy's "divide by zero" warning
        # is noise (one showed in a PPO run).
        with np.errstate(divide="ignore"):
            return (logits - np.log(-np.log(uniform))).argmax(-1)


@dataclass(frozen=True)
class Rollout:
    """``T`` steps of ``N`` environments, time first.

    Attributes:
        obs: ``(T, N, obs_dim)`` the observations actions were chosen from.
        action: ``(T, N)`` the actions taken.
        reward: ``(T, N)`` the rewards that followed.
        terminated: ``(T, N)`` 1.0 where the step ended its episode in a
            terminal state.
        truncated: ``(T, N)`` 1.0 where a time limit cut the episode.
        next_obs: ``(T, N, obs_dim)`` the observation each step led to: the
            *final* observation where the episode ended there (to bootstrap
            from after a truncation), else the next observation.
    """

    obs: torch.Tensor
    action: torch.Tensor
    reward: torch.Tensor
    terminated: torch.Tensor
    truncated: torch.Tensor
    next_obs: torch.Tensor


class RolloutCollector:
    """Collects :class:`Rollout` s from a vector env made by
    :func:`~actorcritic.envs.make_vector_env` (autoreset SAME_STEP) and
    keeps the running return of every copy.

    Attributes:
        obs: ``(N, obs_dim)`` where the next rollout starts.
        finished: undiscounted returns of the episodes that ended during
            the last :meth:`collect`, with the rollout step they ended at.
    """

    def __init__(self, envs, seed: int) -> None:
        self.envs = envs
        obs, _ = envs.reset(seed=seed)
        self.obs = np.asarray(obs, dtype=np.float32)  # (N, obs_dim)
        self._returns = np.zeros(envs.num_envs)
        self.finished: list[tuple[int, float]] = []

    @torch.no_grad()
    def collect(self, policy, n_steps: int) -> Rollout:
        """Play ``n_steps`` steps in every copy with ``policy.act_batch``."""
        if n_steps < 1:
            raise ValueError(f"n_steps must be at least 1, got {n_steps}")
        obs, actions, rewards, terms, truncs, nexts = [], [], [], [], [], []
        self.finished = []
        for t in range(n_steps):
            action = policy.act_batch(self.obs)  # (N,) or (N, act_dim)
            next_obs, reward, terminated, truncated, info = self.envs.step(
                action
            )
            next_obs = np.asarray(next_obs, dtype=np.float32)
            bootstrap_obs = next_obs  # (N, obs_dim)
            if "_final_obs" in info:
                bootstrap_obs = next_obs.copy()
                for i in np.flatnonzero(info["_final_obs"]):
                    bootstrap_obs[i] = info["final_obs"][i]
            self._returns += reward
            for i in np.flatnonzero(terminated | truncated):
                self.finished.append((t, float(self._returns[i])))
                self._returns[i] = 0.0
            obs.append(self.obs)
            actions.append(action)
            rewards.append(reward)
            terms.append(terminated)
            truncs.append(truncated)
            nexts.append(bootstrap_obs)
            self.obs = next_obs
        return Rollout(
            obs=torch.as_tensor(np.stack(obs)),  # (T, N, obs_dim)
            action=torch.as_tensor(np.stack(actions)),  # (T, N)
            reward=torch.as_tensor(np.stack(rewards), dtype=torch.float32),
            terminated=torch.as_tensor(np.stack(terms), dtype=torch.float32),
            truncated=torch.as_tensor(np.stack(truncs), dtype=torch.float32),
            next_obs=torch.as_tensor(np.stack(nexts)),  # (T, N, obs_dim)
        )


@dataclass(frozen=True)
class EpisodeBatch:
    """Whole episodes laid end to end, time first within each episode.

    Attributes:
        obs: ``(B, obs_dim)`` observations, episode after episode.
        action: ``(B,)`` the actions taken.
        reward: ``(B,)`` the rewards that followed.
        episode_end: ``(B,)`` 1.0 on the last step of every episode
            (terminated or truncated).
        returns: undiscounted return of each episode, in order.
        lengths: number of steps of each episode, in order.
    """

    obs: torch.Tensor
    action: torch.Tensor
    reward: torch.Tensor
    episode_end: torch.Tensor
    returns: list[float]
    lengths: list[int]


class EpisodeBatchCollector:
    """Plays ``n_episodes`` whole episodes side by side with one policy
    call per time step (each episode in its own env, which is stepped only
    while its episode runs), for policy-gradient methods that need complete
    episodes. Env ``i`` is reset with ``seed + i`` the first time and
    continues its own random stream afterwards."""

    def __init__(self, env_id: str, n_episodes: int, seed: int) -> None:
        if n_episodes < 1:
            raise ValueError(
                f"n_episodes must be at least 1, got {n_episodes}"
            )
        self.envs = [
            make_env(env_id, seed=seed + i) for i in range(n_episodes)
        ]
        self.seeds: list[int | None] = [seed + i for i in range(n_episodes)]

    @torch.no_grad()
    def collect(self, policy) -> EpisodeBatch:
        """One episode in every env, actions from ``policy.act_batch``."""
        n = len(self.envs)
        first = [
            env.reset(seed=s)[0]
            for env, s in zip(self.envs, self.seeds, strict=True)
        ]
        self.seeds = [None] * n  # later resets continue each env's stream
        obs = np.asarray(np.stack(first), dtype=np.float32)  # (n, obs_dim)
        trajectories: list[list] = [[] for _ in range(n)]  # (s, a, r) steps
        active = np.arange(n)  # episodes still running
        while len(active):
            actions = policy.act_batch(obs[active])  # (K,)
            still = []
            for k, i in enumerate(active):
                next_obs, reward, terminated, truncated, _ = self.envs[i].step(
                    actions[k]
                )
                trajectories[i].append((obs[i].copy(), actions[k], reward))
                obs[i] = next_obs
                if not (terminated or truncated):
                    still.append(i)
            active = np.array(still, dtype=int)
        lengths = [len(t) for t in trajectories]
        steps = [step for t in trajectories for step in t]
        episode_end = np.zeros(len(steps), np.float32)
        episode_end[np.cumsum(lengths) - 1] = 1.0
        reward = np.array([r for _, _, r in steps], np.float32)  # (B,)
        return EpisodeBatch(
            obs=torch.from_numpy(np.stack([s for s, _, _ in steps])),
            action=torch.as_tensor(np.array([a for _, a, _ in steps])),
            reward=torch.from_numpy(reward),
            episode_end=torch.from_numpy(episode_end),
            returns=[float(sum(r for _, _, r in t)) for t in trajectories],
            lengths=lengths,
        )

    def close(self) -> None:
        for env in self.envs:
            env.close()

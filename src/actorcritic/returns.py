"""Targets and returns as pure functions on time-first tensors.

Vocabulary: ``terminated`` marks a step after which the true value is 0 (the
episode really ended), so the target does not bootstrap. A *truncated* step
(time limit) is not terminal: its target bootstraps from V of the final
observation, which the caller passes as ``next_value``.
"""

from __future__ import annotations

import numpy as np
import torch


def td_target(
    reward: torch.Tensor,
    next_value: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """One-step target ``r + gamma * (1 - terminated) * V(s')``.

    All tensors share one shape, e.g. ``(T,)`` or ``(T, N)``. The result
    carries whatever graph ``next_value`` carries: detach it for a
    semi-gradient critic update.

    Args:
        reward: r_{t+1}.
        next_value: V(s_{t+1}); for a truncated step, V(final obs).
        terminated: 1.0 (or True) where s_{t+1} is terminal.
        gamma: discount in [0, 1].
    """
    _check_gamma(gamma)
    _check_same_shape(
        reward=reward, next_value=next_value, terminated=terminated
    )
    not_terminal = 1.0 - terminated.to(next_value.dtype)
    return reward + gamma * not_terminal * next_value


def td_error(
    reward: torch.Tensor,
    value: torch.Tensor,
    next_value: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """TD error ``delta = r + gamma * (1 - terminated) * V(s') - V(s)``."""
    _check_same_shape(reward=reward, value=value)
    return td_target(reward, next_value, terminated, gamma) - value


def reward_to_go(
    reward: torch.Tensor,
    gamma: float,
    episode_end: torch.Tensor | None = None,
) -> torch.Tensor:
    """Discounted reward-to-go ``G_t = reward[t] + gamma * G_{t+1}``.

    The recursion runs backwards and restarts after every step flagged in
    ``episode_end``, so several episodes can be laid end to end in one
    ``(T,)`` tensor: an episode boundary stops the sum. Without
    ``episode_end`` the whole tensor is one episode and ``G_0`` is its
    discounted return. No bootstrapping: this is the Monte-Carlo return.

    Args:
        reward: ``(T,)`` rewards, time first.
        gamma: discount in [0, 1].
        episode_end: ``(T,)`` 1.0 (or True) on the last step of each
            episode, whether it terminated or was truncated.

    Returns:
        ``(T,)`` reward-to-go.
    """
    _check_gamma(gamma)
    if reward.dim() != 1:
        raise ValueError(
            f"reward must have shape (T,), got {tuple(reward.shape)}"
        )
    if episode_end is None:
        keep = torch.ones_like(reward)
    else:
        _check_same_shape(reward=reward, episode_end=episode_end)
        keep = 1.0 - episode_end.to(reward.dtype)  # 0 where an episode ends
    if reward.requires_grad:  # a graph through the rewards: stay in torch
        out = torch.empty_like(reward)
        running = torch.zeros((), dtype=reward.dtype)
        for t in range(reward.shape[0] - 1, -1, -1):
            running = reward[t] + gamma * keep[t] * running
            out[t] = running
        return out
    # The same recursion on NumPy scalars of the tensor's dtype: the same
    # IEEE operations in the same order, so the same bits as the loop
    # above, about 30 times faster (benchmarks/bench_returns.py; chapter
    # 5's batches measured 2,000 to 2,600 steps on average, 9,800 at most).
    r, k = reward.cpu().numpy(), keep.cpu().numpy()
    g = r.dtype.type(gamma)
    out = np.empty_like(r)
    running = r.dtype.type(0)
    for t in range(r.shape[0] - 1, -1, -1):
        running = r[t] + g * k[t] * running
        out[t] = running
    return torch.from_numpy(out).to(reward.device)


def _check_gamma(gamma: float) -> None:
    if not 0.0 <= float(gamma) <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")


def _check_same_shape(**tensors: torch.Tensor) -> None:
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"expected tensors of one shape, got {shapes}")


def _check_rollout(gamma: float, **tensors: torch.Tensor) -> None:
    """gamma in [0, 1] and ``(T, N)`` tensors of one shape."""
    _check_gamma(gamma)
    _check_same_shape(**tensors)
    shape = next(iter(tensors.values())).shape
    if len(shape) != 2:
        raise ValueError(f"expected (T, N) tensors, got shape {tuple(shape)}")


def n_step_returns(
    reward: torch.Tensor,
    next_value: torch.Tensor,
    terminated: torch.Tensor,
    truncated: torch.Tensor,
    gamma: float,
) -> torch.Tensor:
    """Bootstrapped returns over a rollout of ``T`` steps of ``N`` envs.

    Backwards from the end of the rollout,

        G_t = reward[t] + gamma * (1 - terminated[t]) * B_t,
        B_t = V(s'_t)  if truncated_t or t = T - 1,  else  G_{t+1},

    so that a terminal step stops the sum, a truncated step bootstraps from
    V of its final observation, the rollout's cut bootstraps from V of the
    next observation, and otherwise rewards of the same episode are summed
    (up to ``T - t`` of them: step ``t`` gets a ``(T - t)``-step return).
    Nothing is summed across an episode boundary.

    Args:
        reward: ``(T, N)`` rewards.
        next_value: ``(T, N)`` V(s'_t), the value of the observation each
            step led to (the final observation where an episode ended).
            Only used where bootstrapping happens; pass it detached.
        terminated: ``(T, N)`` 1.0 where s'_t is terminal.
        truncated: ``(T, N)`` 1.0 where a time limit cut the episode.
        gamma: discount in [0, 1].

    Returns:
        ``(T, N)`` returns, the critic's targets.
    """
    _check_rollout(
        gamma,
        reward=reward,
        next_value=next_value,
        terminated=terminated,
        truncated=truncated,
    )
    discount = gamma * (1.0 - terminated.to(reward.dtype))  # (T, N)
    cut = truncated.to(torch.bool)  # (T, N)
    # One unbind per tensor instead of four indexing calls per step: 1.13x
    # on a (5, 8) rollout (benchmarks/bench_parallel_a2c.py).
    rewards, discounts, cuts, values = (
        x.unbind(0) for x in (reward, discount, cut, next_value)
    )  # T tensors of shape (N,) each
    following = values[-1]  # (N,) the rollout's cut bootstraps
    out = []
    for t in range(reward.shape[0] - 1, -1, -1):
        following = torch.where(cuts[t], values[t], following)
        following = rewards[t] + discounts[t] * following
        out.append(following)
    return torch.stack(out[::-1])  # (T, N)


def gae(
    reward: torch.Tensor,
    value: torch.Tensor,
    next_value: torch.Tensor,
    terminated: torch.Tensor,
    truncated: torch.Tensor,
    gamma: float,
    lam: float,
) -> torch.Tensor:
    """Generalised advantage estimates (Schulman et al., 2016) over a
    rollout of ``T`` steps of ``N`` envs.

    With the TD errors

        delta_t = reward[t] + gamma * (1 - terminated[t]) * V(s'_t) - V(s_t),

    backwards from the end of the rollout,

        A_t = delta_t + gamma * lam * (1 - end_t) * A_{t+1},  A_T = 0,

    where ``end_t`` is 1 if the episode ended at ``t`` (terminated or
    truncated: the next row belongs to a new episode). A truncated step
    still bootstraps ``delta_t`` from V of its final observation; the
    rollout's cut stops the sum (``A_{T-1} = delta_{T-1}``), as its
    ``V(s'_{T-1})`` already stands for what follows. ``lam = 0`` gives the
    TD errors; ``lam = 1`` gives the n-step return of
    :func:`n_step_returns` minus V(s_t), the Monte-Carlo advantage on a
    whole episode. ``A_t + V(s_t)`` is the lambda-return, the critic's
    target.

    Args:
        reward: ``(T, N)`` rewards.
        value: ``(T, N)`` V(s_t); pass it detached.
        next_value: ``(T, N)`` V(s'_t), the value of the observation each
            step led to (the final observation where an episode ended);
            pass it detached.
        terminated: ``(T, N)`` 1.0 where s'_t is terminal.
        truncated: ``(T, N)`` 1.0 where a time limit cut the episode.
        gamma: discount in [0, 1].
        lam: the GAE parameter in [0, 1].

    Returns:
        ``(T, N)`` advantage estimates.
    """
    if not 0.0 <= lam <= 1.0:
        raise ValueError(f"lam must be in [0, 1], got {lam}")
    _check_rollout(
        gamma,
        reward=reward,
        value=value,
        next_value=next_value,
        terminated=terminated,
        truncated=truncated,
    )
    alive = 1.0 - terminated.to(reward.dtype)  # (T, N)
    delta = reward + gamma * alive * next_value - value  # (T, N)
    ended = torch.clamp(terminated + truncated, max=1.0).to(reward.dtype)
    trace = gamma * lam * (1.0 - ended)  # (T, N)
    deltas, traces = delta.unbind(0), trace.unbind(0)  # T tensors (N,)
    following = torch.zeros_like(deltas[-1])  # (N,) A_T = 0
    out = []
    for t in range(reward.shape[0] - 1, -1, -1):
        following = deltas[t] + traces[t] * following
        out.append(following)
    return torch.stack(out[::-1])  # (T, N)

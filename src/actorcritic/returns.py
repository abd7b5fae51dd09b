"""Targets and returns as pure functions on time-first tensors.

Vocabulary: ``terminated`` marks a step after which the true value is 0 (the
episode really ended), so the target does not bootstrap. A *truncated* step
(time limit) is not terminal: its target bootstraps from V of the final
observation, which the caller passes as ``next_value``.
"""

from __future__ import annotations

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


def discounted_returns(reward: torch.Tensor, gamma: float) -> torch.Tensor:
    """Reward-to-go ``G_t = sum_k gamma^k r_{t+k+1}`` of one episode.

    Args:
        reward: ``(T,)`` rewards of one complete episode.
        gamma: discount in [0, 1].

    Returns:
        ``(T,)`` returns; ``G_0`` is the episode's discounted return.
    """
    _check_gamma(gamma)
    if reward.dim() != 1:
        raise ValueError(
            "reward must be one episode of shape (T,), got "
            f"{tuple(reward.shape)}"
        )
    out = torch.empty_like(reward)
    running = torch.zeros((), dtype=reward.dtype)
    for t in range(reward.shape[0] - 1, -1, -1):
        running = reward[t] + gamma * running
        out[t] = running
    return out


def _check_gamma(gamma: float) -> None:
    if not 0.0 <= float(gamma) <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {gamma}")


def _check_same_shape(**tensors: torch.Tensor) -> None:
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(f"expected tensors of one shape, got {shapes}")

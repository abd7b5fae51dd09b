"""Chapter 2's catalogues of common mistakes: wrong ``td_error`` and
``one_step_losses`` that the checkers of
:mod:`actorcritic.exercises.one_step_actor_critic` name when a reader's
answer gives what one of them gives (see
:mod:`actorcritic.exercises.mistakes`)."""

from __future__ import annotations

import torch

from actorcritic.exercises.mistakes import Mistake


def _td(reward, value, next_value, alive, gamma):
    return reward + gamma * alive * next_value - value


TD_MISTAKES = [
    Mistake(
        "bootstrapping from a terminal state (terminated ignored)",
        lambda reward, value, next_value, terminated, truncated, gamma: _td(
            reward, value, next_value, 1.0, gamma
        ),
        "After a termination there is no future: multiply gamma * "
        "next_value by (1 - terminated).",
    ),
    Mistake(
        "treating a truncation like a termination (no bootstrap)",
        lambda reward, value, next_value, terminated, truncated, gamma: _td(
            reward,
            value,
            next_value,
            1 - torch.clamp(terminated + truncated, max=1.0),
            gamma,
        ),
        "A time limit does not end the task: keep bootstrapping from "
        "next_value when only truncated is set.",
    ),
    Mistake(
        "bootstrapping whenever truncated is set, even on a terminal step",
        lambda reward, value, next_value, terminated, truncated, gamma: _td(
            reward,
            value,
            next_value,
            torch.where(truncated > 0, 1.0, 1 - terminated),
            gamma,
        ),
        "A termination wins: use (1 - terminated) alone.",
    ),
    Mistake(
        "a fixed discount of 0.9 instead of the gamma argument",
        lambda reward, value, next_value, terminated, truncated, gamma: _td(
            reward, value, next_value, 1 - terminated, 0.9
        ),
        "Use the `gamma` argument.",
    ),
    Mistake(
        "V(s) - target instead of target - V(s)",
        lambda reward, value, next_value, terminated, truncated, gamma: (
            -_td(reward, value, next_value, 1 - terminated, gamma)
        ),
        "delta = reward + gamma * V(s') - V(s).",
    ),
    Mistake(
        "the TD target alone, without subtracting V(s)",
        lambda reward, value, next_value, terminated, truncated, gamma: _td(
            reward, 0.0, next_value, 1 - terminated, gamma
        ),
        "Subtract value: delta = target - V(s).",
    ),
]


def _losses(
    log_prob,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    discount_weight,
    actor_delta=None,
    critic_scale=0.5,
    detach_target=True,
):
    """One-step losses with one ingredient changed at a time."""
    target_next = next_value.detach() if detach_target else next_value
    delta = reward + gamma * target_next * (1 - terminated) - value
    weight = delta.detach() if actor_delta is None else actor_delta(delta)
    return (
        -discount_weight * weight * log_prob,
        critic_scale * delta.pow(2),
    )


def _mistake(**changes):
    return lambda **inputs: _losses(**{**inputs, **changes})


def _critic_discounted(**inputs):
    actor_loss, critic_loss = _losses(**inputs)
    return actor_loss, inputs["discount_weight"] * critic_loss


def _clipped_reward(reward, **inputs):
    return _losses(reward=reward.clamp(-1.0, 1.0), **inputs)


ONE_STEP_MISTAKES = [
    Mistake(
        "letting the actor's gradient flow into delta (no .detach())",
        _mistake(actor_delta=lambda delta: delta),
        "The actor's weight is data: use delta.detach() in the actor's loss.",
    ),
    Mistake(
        "letting the critic's gradient flow through the target "
        "(next_value not detached)",
        _mistake(detach_target=False),
        "Semi-gradient TD: detach next_value (or the whole target) in the "
        "critic's loss.",
    ),
    Mistake(
        "leaving out the factor I (discount_weight) in the actor's loss",
        lambda discount_weight, **inputs: _losses(
            discount_weight=1.0, **inputs
        ),
        "Multiply the actor's loss by discount_weight.",
    ),
    Mistake(
        "multiplying the critic's loss by discount_weight too",
        _critic_discounted,
        "Only the actor's loss carries the factor I; the critic's is "
        "0.5 * delta ** 2.",
    ),
    Mistake(
        "the actor's loss with the wrong sign",
        _mistake(actor_delta=lambda delta: -delta.detach()),
        "actor_loss = -I * delta * log_prob: minimising it makes a better "
        "than expected action more likely.",
    ),
    Mistake(
        "bootstrapping from a terminal state (terminated ignored)",
        lambda terminated, **inputs: _losses(
            terminated=torch.zeros_like(terminated), **inputs
        ),
        "After a termination, drop gamma * V(s'): multiply it by "
        "(1 - terminated).",
    ),
    Mistake(
        "delta ** 2 without the 0.5",
        _mistake(critic_scale=1.0),
        "critic_loss = 0.5 * delta ** 2.",
    ),
    Mistake(
        "clipping the reward to [-1, 1]",
        _clipped_reward,
        "Use the reward as given.",
    ),
    Mistake(
        "a fixed discount of 0.9 instead of the gamma argument",
        _mistake(gamma=0.9),
        "Use the `gamma` argument.",
    ),
]

"""Chapter 1's exercises (policy-gradient theory): ``reward_to_go``
and ``reinforce_loss``."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.cases import Case, drawn, floats
from actorcritic.exercises.checking import Report, check_function
from actorcritic.exercises.mistakes import Mistake


def reference_reward_to_go(reward, gamma):
    """Discounted reward-to-go of one episode (no episode boundaries)."""
    return returns.reward_to_go(reward, gamma)


def _rtg_inputs(*reward: float, gamma: float):
    return lambda: dict(reward=torch.tensor(reward), gamma=gamma)


_RTG_CASES = [
    Case(
        "three rewards of 1, gamma = 0.5: G = [1.75, 1.5, 1]",
        _rtg_inputs(1.0, 1.0, 1.0, gamma=0.5),
        {
            "value": "G_t = reward[t] + gamma * G_{t+1}: sum the rewards "
            "from t to the end, each discounted by how far it is from t.",
            "shape": "return one G_t per step, shape (T,).",
        },
    ),
    Case(
        "uneven rewards: only rewards at or after t count",
        _rtg_inputs(1.0, 0.0, 2.0, 3.0, gamma=0.9),
        {
            "value": "G_t sums reward[t], reward[t+1], ... (not the rewards "
            "before t): accumulate from the last step backwards.",
        },
    ),
    Case(
        "gamma = 1: plain sums of the rewards to go",
        _rtg_inputs(2.0, -1.0, 0.5, gamma=1.0),
    ),
    Case(
        "another discount (gamma = 0.99)",
        _rtg_inputs(1.0, 1.0, 1.0, 1.0, 1.0, gamma=0.99),
        {"value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "an episode of one step",
        _rtg_inputs(4.0, gamma=0.9),
    ),
    Case(
        "gamma = 0: each G_t is its own reward",
        _rtg_inputs(1.0, 2.0, 3.0, gamma=0.0),
        {
            "value": "with gamma = 0 only reward[t] counts: G_t = "
            "reward[t] + 0 * G_{t+1}.",
            "non-finite": "gamma = 0 is allowed: a formula that divides by "
            "gamma ** t (a cumulative sum rescaled) divides by 0; "
            "accumulate backwards instead.",
        },
    ),
]


def _random_rewards(T: int, gamma: float, scale: float):
    """``T`` rewards drawn N(0, scale^2), the draw of a random case."""

    def build(gen):
        return dict(reward=scale * torch.randn(T, generator=gen), gamma=gamma)

    return build


# The chapter's sizes: CartPole episodes of up to 500 steps, gamma of 0.99
# and 1, as well as other draws.
_RTG_CASES += [
    drawn(
        f"{T} rewards ~ N(0, {scale}^2), gamma = {gamma}",
        seed,
        _random_rewards(T, gamma, scale),
        _RTG_CASES[0].hints,
    )
    for seed, (T, gamma, scale) in enumerate(
        [(500, 0.99, 1.0), (500, 1.0, 1.0), (37, 0.9, 10.0)]
    )
]


def _rtg_as_given(reward, gamma):
    return returns.reward_to_go(reward, gamma)


def _rtg_divided(reward, gamma):
    powers = gamma ** torch.arange(len(reward), dtype=reward.dtype)
    tail = torch.flip(torch.cumsum(torch.flip(powers * reward, [0]), 0), [0])
    return tail / powers


_RTG_MISTAKES = [
    Mistake(
        "the return so far (a running sum of the rewards up to t)",
        lambda reward, gamma: torch.cumsum(reward, 0),
        "G_t sums the rewards from t to the end: accumulate backwards.",
    ),
    Mistake(
        "ignoring gamma (plain sums of the rewards to go)",
        lambda reward, gamma: _rtg_as_given(reward, 1.0),
        "Multiply G_{t+1} by gamma at every step back.",
    ),
    Mistake(
        "a fixed discount of 0.99 instead of the gamma argument",
        lambda reward, gamma: _rtg_as_given(reward, 0.99),
        "Use the `gamma` argument.",
    ),
    Mistake(
        "giving every step the whole return G_0",
        lambda reward, gamma: _rtg_as_given(reward, gamma)[0].expand(
            len(reward)
        ),
        "The rewards before t are not part of G_t.",
    ),
    Mistake(
        "starting the sum at reward[t + 1] instead of reward[t]",
        lambda reward, gamma: _rtg_as_given(reward, gamma) - reward,
        "reward[t] is the reward for action t: G_t includes it.",
    ),
    Mistake(
        "discounting from the start of the episode (gamma ** t' instead "
        "of gamma ** (t' - t))",
        lambda reward, gamma: _rtg_as_given(
            reward * gamma ** torch.arange(len(reward)), 1.0
        ),
        "Discount each reward by its distance from t, not from 0.",
    ),
    Mistake(
        "dividing a cumulative sum by gamma ** t (0 ** t when gamma = 0)",
        _rtg_divided,
        "gamma = 0 is allowed, and gamma ** t underflows on long episodes: "
        "accumulate backwards instead.",
    ),
]


def check_reward_to_go(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``reward_to_go(reward, gamma)`` on one
    episode's ``(T,)`` rewards."""
    return check_function(
        fn,
        reference_reward_to_go,
        _RTG_CASES,
        "reward_to_go",
        report=report,
        magnitude=lambda reward, gamma: reference_reward_to_go(
            reward.abs(), gamma
        ),
        mistakes=_RTG_MISTAKES,
    )


def _pg_inputs(log_prob, weight, weight_grad=False):
    return lambda: dict(
        log_prob=floats(*log_prob, grad=True),
        weight=floats(*weight, grad=weight_grad),
    )


_PG_HINTS = {
    "value": "the loss is minus the mean over steps of log_prob * weight.",
    ("output", "log_prob"): "d loss / d log_prob_t = -weight_t / T: check "
    "the sign and that you average (mean), not sum.",
    ("output", "weight"): "the returns are data, not a path for gradients: "
    "use weight.detach().",
}

_PG_CASES = [
    Case(
        "three steps with positive weights",
        _pg_inputs((-0.5, -1.0, -0.2), (3.0, 2.0, 1.0)),
        _PG_HINTS,
    ),
    Case(
        "a negative weight (an action worse than the baseline)",
        _pg_inputs((-0.1, -2.0), (1.5, -4.0)),
        _PG_HINTS,
    ),
    Case(
        "weights that carry a gradient (e.g. G_t - V(s_t) before detach)",
        _pg_inputs((-0.7, -0.3, -1.2, -0.9), (2.0, -1.0, 0.5, 3.0), True),
        _PG_HINTS,
    ),
]


def _random_pg(T: int, scale: float):
    def build(gen):
        log_prob = -torch.rand(T, generator=gen) * 3
        weight = scale * torch.randn(T, generator=gen)
        return dict(
            log_prob=log_prob.requires_grad_(),
            weight=weight.requires_grad_(),
        )

    return build


_PG_CASES += [
    drawn(
        f"{T} steps, log-probabilities in (-3, 0], weights ~ "
        f"N(0, {scale}^2) that carry a gradient",
        seed,
        _random_pg(T, scale),
        _PG_HINTS,
    )
    for seed, (T, scale) in enumerate([(500, 50.0), (9, 1.0)])
]


_PG_MISTAKES = [
    Mistake(
        "leaving out the minus sign",
        lambda log_prob, weight: (log_prob * weight.detach()).mean(),
        "The optimiser minimises: the loss is minus the mean, so that "
        "descending it climbs J.",
    ),
    Mistake(
        "summing over the steps instead of averaging",
        lambda log_prob, weight: -(log_prob * weight.detach()).sum(),
        "Take the mean over steps (divide by T).",
    ),
    Mistake(
        "letting the gradient flow into weight (no .detach())",
        lambda log_prob, weight: -(log_prob * weight).mean(),
        "The weights are data, not a path for gradients: use weight.detach().",
    ),
    Mistake(
        "weighting the probabilities exp(log_prob) instead of the "
        "log-probabilities",
        lambda log_prob, weight: -(log_prob.exp() * weight.detach()).mean(),
        "The score is the gradient of ln pi: use log_prob as given.",
    ),
    Mistake(
        "returning the loss of every step instead of their mean",
        lambda log_prob, weight: -(log_prob * weight.detach()),
        "Reduce to one number with .mean().",
    ),
]


def check_reinforce_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``reinforce_loss(log_prob, weight)`` with
    ``(T,)`` inputs, returning a scalar."""
    return check_function(
        fn,
        losses.policy_gradient_loss,
        _PG_CASES,
        "reinforce_loss",
        report=report,
        mistakes=_PG_MISTAKES,
    )

"""Chapter 1's exercises (policy-gradient theory): ``reward_to_go``
and ``reinforce_loss``."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.checking import Case, Report, check_function, floats


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
]


def check_reward_to_go(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``reward_to_go(reward, gamma)`` on one
    episode's ``(T,)`` rewards."""
    return check_function(
        fn, reference_reward_to_go, _RTG_CASES, "reward_to_go", report=report
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


def check_reinforce_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``reinforce_loss(log_prob, weight)`` with
    ``(T,)`` inputs, returning a scalar."""
    return check_function(
        fn,
        losses.policy_gradient_loss,
        _PG_CASES,
        "reinforce_loss",
        report=report,
    )

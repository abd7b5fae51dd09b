"""Chapter 4's exercises (parallel A2C): ``n_step_returns`` over a
``(T, N)`` rollout and the combined ``a2c_loss``."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.checking import Case, Report, check_function


def _returns_inputs(reward, next_value, terminated, truncated, gamma):
    def tensor(rows):
        return torch.tensor(rows, dtype=torch.float32)

    return lambda: dict(
        reward=tensor(reward),
        next_value=tensor(next_value),
        terminated=tensor(terminated),
        truncated=tensor(truncated),
        gamma=gamma,
    )


_RETURNS_HINTS = {
    "shape": "return one G per step and env: shape (T, N), like reward.",
}

_RETURNS_CASES = [
    Case(
        "one env, three steps, no episode ends: the cut bootstraps from "
        "V(s'_2)",
        _returns_inputs(
            [[1.0], [1.0], [1.0]],
            [[0.0], [0.0], [10.0]],
            [[0.0]] * 3,
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "go backwards from the last step: G_{T-1} = "
            "reward[T-1] + gamma * V(s'_{T-1}), then G_t = reward[t] + "
            "gamma * G_{t+1}.",
        },
    ),
    Case(
        "a termination at t = 1: nothing after it counts, no bootstrap",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[0.0], [50.0], [4.0]],
            [[0.0], [1.0], [0.0]],
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "multiply what follows step t by (1 - terminated_t): "
            "a terminal state is worth 0, and the next row belongs to a "
            "new episode.",
        },
    ),
    Case(
        "a truncation at t = 0: bootstrap from V(final obs), not from the "
        "next episode",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[6.0], [0.0], [4.0]],
            [[0.0]] * 3,
            [[1.0], [0.0], [0.0]],
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "where truncated_t is 1, use next_value[t] instead "
            "of G_{t+1}: the episode was cut, not finished, and the next "
            "row is another episode.",
        },
    ),
    Case(
        "two envs side by side (T = 2, N = 2)",
        _returns_inputs(
            [[1.0, 0.0], [1.0, 2.0]],
            [[3.0, 9.0], [5.0, 7.0]],
            [[0.0, 1.0], [0.0, 0.0]],
            [[0.0, 0.0], [1.0, 0.0]],
            0.9,
        ),
        {
            **_RETURNS_HINTS,
            "value": "treat each column (env) separately; "
            "time runs down the rows.",
        },
    ),
    Case(
        "another discount (gamma = 0.99)",
        _returns_inputs(
            [[1.0], [1.0]], [[0.0], [2.0]], [[0.0]] * 2, [[0.0]] * 2, 0.99
        ),
        {"value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "terminated and truncated at t = 1 (a time limit on a terminal "
        "step): the termination wins",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[0.0], [8.0], [4.0]],
            [[0.0], [1.0], [0.0]],
            [[0.0], [1.0], [0.0]],
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "a terminal state is worth 0 even when the time limit "
            "falls on the same step: check terminated before truncated, "
            "or multiply the bootstrap by (1 - terminated_t) in both "
            "cases.",
        },
    ),
]


def check_n_step_returns(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``n_step_returns(reward, next_value,
    terminated, truncated, gamma)`` on ``(T, N)`` tensors."""
    return check_function(
        fn,
        returns.n_step_returns,
        _RETURNS_CASES,
        "n_step_returns",
        report=report,
    )


def _loss_inputs(value_coef=0.5, entropy_coef=0.01):
    return lambda: dict(
        log_prob=_t2([[-0.7, -1.2], [-0.1, -2.0]], grad=True),
        entropy=_t2([[0.6, 0.5], [0.69, 0.3]], grad=True),
        value=_t2([[1.0, 2.0], [0.5, -1.0]], grad=True),
        returns=_t2([[3.0, 1.0], [0.5, 2.0]], grad=True),
        value_coef=value_coef,
        entropy_coef=entropy_coef,
    )


def _t2(rows, grad=False):
    return torch.tensor(rows, dtype=torch.float32, requires_grad=grad)


_LOSS_HINTS = {
    "value": "loss = -mean(A * log_prob) + value_coef * mean((G - V)**2) "
    "- entropy_coef * mean(entropy), with A = G - V.",
    ("output", "value"): "the policy term must treat A as a constant "
    "(A.detach()); only the value loss moves V.",
    ("output", "returns"): "the returns are targets: detach them.",
    ("output", "entropy"): "the entropy bonus is subtracted: "
    "- entropy_coef * entropy.mean().",
    ("output", "log_prob"): "d loss / d log_prob = -A / (T * N): check the "
    "sign and use the mean.",
}

_LOSS_CASES = [
    Case(
        "a 2 x 2 rollout with the usual coefficients",
        _loss_inputs(),
        _LOSS_HINTS,
    ),
    Case(
        "value_coef = 1 and entropy_coef = 0.5",
        _loss_inputs(1.0, 0.5),
        {
            **_LOSS_HINTS,
            "value": "use the value_coef and entropy_coef arguments.",
        },
    ),
]


def check_a2c_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``a2c_loss(log_prob, entropy, value,
    returns, value_coef, entropy_coef)`` returning one scalar."""
    return check_function(
        fn, losses.a2c_loss, _LOSS_CASES, "a2c_loss", report=report
    )

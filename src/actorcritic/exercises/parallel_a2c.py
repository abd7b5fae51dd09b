"""Chapter 4's exercises (parallel A2C): ``n_step_returns`` over a
``(T, N)`` rollout and the combined ``a2c_loss``, with their cases; the
catalogues of common mistakes are in
:mod:`~actorcritic.exercises.parallel_a2c_mistakes`."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.cases import Case, drawn
from actorcritic.exercises.checking import Report, check_function
from actorcritic.exercises.parallel_a2c_mistakes import (
    A2C_MISTAKES,
    RETURNS_MISTAKES,
)


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


_RETURNS_CASES.insert(
    2,
    Case(
        "a termination on the last row (t = T - 1): no bootstrap from the cut",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[0.0], [0.0], [40.0]],
            [[0.0], [0.0], [1.0]],
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "the rollout's cut bootstraps from next_value[T-1] "
            "only if the last step did not terminate: multiply by "
            "(1 - terminated[T-1]) there too.",
        },
    ),
)


def _random_rollout(T: int, N: int, gamma: float):
    """A ``(T, N)`` rollout: rewards and values at random, about one step
    in ten terminated and one in twenty truncated, some both at once."""

    def build(gen):
        def flags(p):
            return (torch.rand(T, N, generator=gen) < p).float()

        return dict(
            reward=torch.randn(T, N, generator=gen),
            next_value=10 * torch.randn(T, N, generator=gen),
            terminated=flags(0.1),
            truncated=flags(0.05),
            gamma=gamma,
        )

    return build


# chapter 4's rollouts (5 x 8) and chapter 5's landing (8 x 16), and a
# long one
_RETURNS_CASES += [
    drawn(
        f"a ({T}, {N}) rollout with random flags, gamma = {gamma}",
        seed,
        _random_rollout(T, N, gamma),
        _RETURNS_CASES[1].hints,
    )
    for seed, (T, N, gamma) in enumerate(
        [(5, 8, 0.99), (8, 16, 0.99), (64, 3, 0.9)]
    )
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
        magnitude=_returns_magnitude,
        mistakes=RETURNS_MISTAKES,
    )


def _returns_magnitude(reward, next_value, terminated, truncated, gamma):
    """The discounted sum of |reward| and |bootstrap| behind each G_t."""
    return returns.n_step_returns(
        reward.abs(), next_value.abs(), terminated, truncated, gamma
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


def _random_loss(T: int, N: int, value_coef: float, entropy_coef: float):
    def build(gen):
        def leaf(x):
            return x.requires_grad_()

        return dict(
            log_prob=leaf(-2 * torch.rand(T, N, generator=gen)),
            entropy=leaf(torch.rand(T, N, generator=gen)),
            value=leaf(5 * torch.randn(T, N, generator=gen)),
            returns=leaf(5 * torch.randn(T, N, generator=gen)),
            value_coef=value_coef,
            entropy_coef=entropy_coef,
        )

    return build


_LOSS_CASES += [
    drawn(
        f"a ({T}, {N}) rollout at random, value_coef = {vc}, "
        f"entropy_coef = {ec}",
        seed,
        _random_loss(T, N, vc, ec),
        _LOSS_HINTS,
    )
    for seed, (T, N, vc, ec) in enumerate(
        [(5, 8, 0.5, 0.01), (8, 16, 0.25, 0.05)]
    )
]


def check_a2c_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``a2c_loss(log_prob, entropy, value,
    returns, value_coef, entropy_coef)`` returning one scalar."""
    return check_function(
        fn,
        losses.a2c_loss,
        _LOSS_CASES,
        "a2c_loss",
        report=report,
        mistakes=A2C_MISTAKES,
    )

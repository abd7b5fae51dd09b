"""Chapter 2's exercises (one-step actor-critic): ``td_error`` and
``one_step_losses``, their references and cases; the catalogues of
common mistakes are in
:mod:`~actorcritic.exercises.one_step_actor_critic_mistakes`."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.cases import Case, drawn, floats
from actorcritic.exercises.checking import Report, check_function
from actorcritic.exercises.one_step_actor_critic_mistakes import (
    ONE_STEP_MISTAKES,
    TD_MISTAKES,
)


def reference_td_error(
    reward, value, next_value, terminated, truncated, gamma
):
    """TD error; ``truncated`` is accepted and, rightly, not used."""
    return returns.td_error(reward, value, next_value, terminated, gamma)


def _td_inputs(reward, value, next_value, terminated, truncated, gamma):
    """Fresh keyword arguments for ``td_error``; sequences become (T,)."""

    def tensor(x):
        return floats(*x) if isinstance(x, tuple) else floats(x)

    return lambda: dict(
        reward=tensor(reward),
        value=tensor(value),
        next_value=tensor(next_value),
        terminated=tensor(terminated),
        truncated=tensor(truncated),
        gamma=gamma,
    )


_TD_CASES = [
    Case("an ordinary step", _td_inputs(1.0, 2.0, 3.0, 0.0, 0.0, 0.9)),
    Case(
        "a terminated step: V(s') must not be used",
        _td_inputs(1.0, 2.0, 3.0, 1.0, 0.0, 0.9),
        {
            "value": "a terminal state is worth 0: multiply gamma * V(s') "
            "by (1 - terminated)."
        },
    ),
    Case(
        "a truncated step: the time limit is not a terminal state, so "
        "bootstrap from V(final obs)",
        _td_inputs(1.0, 2.0, 3.0, 0.0, 1.0, 0.9),
        {
            "value": "only `terminated` stops bootstrapping; a truncated "
            "episode would have gone on."
        },
    ),
    Case(
        "terminated and truncated at once (a time limit on a terminal "
        "step): the termination wins, no bootstrap",
        _td_inputs(1.0, 2.0, 3.0, 1.0, 1.0, 0.9),
        {
            "value": "a terminal state is worth 0 even when the time limit "
            "falls on the same step: only `terminated` decides."
        },
    ),
    Case(
        "another discount (gamma = 0.5)",
        _td_inputs(0.5, -1.0, 4.0, 0.0, 0.0, 0.5),
        {"value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "a batch of four steps (T,)",
        _td_inputs(
            reward=(1.0, 0.0, 2.0, 1.0),
            value=(0.5, 1.0, -1.0, 2.0),
            next_value=(1.0, 2.0, 3.0, 4.0),
            terminated=(0.0, 1.0, 0.0, 0.0),
            truncated=(0.0, 0.0, 1.0, 0.0),
            gamma=0.99,
        ),
    ),
]


def _random_flags(shape, p: float, gen) -> torch.Tensor:
    return (torch.rand(shape, generator=gen) < p).float()


def _random_td(shape: tuple, gamma: float):
    """A draw of ``td_error``'s inputs: rewards, values and flags (both
    flags at once included) at random; the chapter differentiates the
    result with respect to ``value``, and ``next_value`` carries a
    gradient too (exercise 2 decides what to detach, not td_error)."""

    def build(gen):
        return dict(
            reward=torch.randn(shape, generator=gen),
            value=(5 * torch.randn(shape, generator=gen)).requires_grad_(),
            next_value=(
                5 * torch.randn(shape, generator=gen)
            ).requires_grad_(),
            terminated=_random_flags(shape, 0.3, gen),
            truncated=_random_flags(shape, 0.3, gen),
            gamma=gamma,
        )

    return build


_TD_CASES += [
    drawn(
        f"shape {shape}, random rewards, values and flags, gamma = {gamma}",
        seed,
        _random_td(shape, gamma),
        _TD_CASES[1].hints,
    )
    for seed, (shape, gamma) in enumerate([((), 0.99), ((64,), 0.9)])
]


def check_td_error(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``td_error(reward, value, next_value,
    terminated, truncated, gamma)``."""
    return check_function(
        fn,
        reference_td_error,
        _TD_CASES,
        "td_error",
        report=report,
        mistakes=TD_MISTAKES,
    )


def _one_step_inputs(
    terminated: float, discount_weight: float, gamma=0.9, reward=1.0
):
    return lambda: dict(
        log_prob=floats(-0.7, grad=True),
        value=floats(2.0, grad=True),
        next_value=floats(3.0, grad=True),
        reward=floats(reward),
        terminated=floats(terminated),
        gamma=gamma,
        discount_weight=discount_weight,
    )


_DETACH_HINTS = {
    ("actor_loss", "value"): "the actor's loss must treat delta as a "
    "constant: use delta.detach() so no gradient reaches the critic.",
    ("actor_loss", "next_value"): "detach delta in the actor's loss.",
    ("critic_loss", "next_value"): "semi-gradient TD: the target "
    "r + gamma V(s') is a constant; detach next_value.",
    ("critic_loss", "value"): "critic_loss = 0.5 * delta**2, whose "
    "gradient with respect to V(s) is -delta.",
    ("actor_loss", "log_prob"): "actor_loss = -I * delta * log_prob: "
    "check the sign and the factor I.",
}


_ONE_STEP_CASES = [
    Case(
        "an ordinary step at t = 0 (I = 1)",
        _one_step_inputs(0.0, 1.0),
        _DETACH_HINTS,
    ),
    Case(
        "a later step (I = gamma^t = 0.729)",
        _one_step_inputs(0.0, 0.729),
        {
            **_DETACH_HINTS,
            "value": "multiply the actor's loss by "
            "discount_weight (the I factor).",
        },
    ),
    Case(
        "a terminated step",
        _one_step_inputs(1.0, 0.5),
        {
            **_DETACH_HINTS,
            "value": "no bootstrap after a terminal "
            "state: multiply gamma * V(s') by (1 - terminated).",
        },
    ),
    Case(
        "another discount and reward (gamma = 0.5, r = -2)",
        _one_step_inputs(0.0, 1.0, gamma=0.5, reward=-2.0),
        {
            **_DETACH_HINTS,
            "value": "use the `gamma` and `reward` arguments, not constants.",
        },
    ),
]


def _random_one_step(gamma: float):
    def build(gen):
        def leaf(scale):
            return (scale * torch.randn((), generator=gen)).requires_grad_()

        return dict(
            log_prob=(-torch.rand((), generator=gen)).requires_grad_(),
            value=leaf(5.0),
            next_value=leaf(5.0),
            reward=torch.randn((), generator=gen),
            terminated=_random_flags((), 0.5, gen),
            gamma=gamma,
            discount_weight=float(torch.rand((), generator=gen)),
        )

    return build


_ONE_STEP_CASES += [
    drawn(
        f"one step with random values, reward, flag and I, gamma = {gamma}",
        seed,
        _random_one_step(gamma),
        _DETACH_HINTS,
    )
    for seed, gamma in enumerate([0.99, 0.8, 0.95])
]


def check_one_step_losses(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``one_step_losses(log_prob, value,
    next_value, reward, terminated, gamma, discount_weight)``."""
    return check_function(
        fn,
        losses.one_step_losses,
        _ONE_STEP_CASES,
        "one_step_losses",
        output_names=("actor_loss", "critic_loss"),
        report=report,
        mistakes=ONE_STEP_MISTAKES,
    )

"""Chapter 3's exercises (A2C with entropy): the checkers of the Gaussian
actor's and the critic's ``forward``, and of ``a2c_losses``. Their cases
are in :mod:`~actorcritic.exercises.a2c_cases`, their catalogues of
common mistakes in :mod:`~actorcritic.exercises.a2c_mistakes`."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, networks
from actorcritic.exercises.a2c_cases import (
    A2C_CASES,
    ACTOR_CASES,
    CRITIC_CASES,
)
from actorcritic.exercises.a2c_mistakes import (
    A2C_LOSSES_MISTAKES,
    ACTOR_MISTAKES,
    CRITIC_MISTAKES,
)
from actorcritic.exercises.checking import Report, check_class, check_function


def _seeded(seed: int, build: Callable):
    """``build()`` with the global random state at ``seed``, restored
    afterwards: a checker leaves the chapter's random numbers alone."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def _actor_outputs(
    actor_cls, obs, low, high, raw_std_shift=0.0, min_std=1e-3, hidden=(8,)
):
    """Build ``actor_cls`` with fixed weights and return ``(mean, std)``.

    ``raw_std_shift`` is added to the biases of the std half of the last
    layer, to test what happens when the raw std is very negative.
    """

    def build():
        actor = actor_cls(obs.shape[-1], low, high, hidden, min_std=min_std)
        with torch.no_grad():
            last = actor.net[-1]
            last.bias[len(low) :] += raw_std_shift
        return actor

    return _seeded(0, build)(obs)


def check_actor(actor_cls: type, report: Report = print) -> type:
    """Checker for the exercise ``MyActor.forward``: a subclass of
    :class:`~actorcritic.networks.GaussianPolicy` whose ``forward(obs)``
    returns ``(mean, std)``. Returns the class the chapter should use."""
    return check_class(
        actor_cls,
        networks.GaussianPolicy,
        _actor_outputs,
        ACTOR_CASES,
        "actor forward",
        ("mean", "std"),
        report,
        mistakes=ACTOR_MISTAKES,
    )


def _critic_outputs(critic_cls, obs):
    return _seeded(0, lambda: critic_cls(obs.shape[-1], (8,)))(obs)


def check_critic(critic_cls: type, report: Report = print) -> type:
    """Checker for the exercise ``MyCritic.forward``: a subclass of
    :class:`~actorcritic.networks.ValueNetwork` whose ``forward(obs)``
    maps ``(..., obs_dim)`` to ``(...)``. Returns the class to use."""
    return check_class(
        critic_cls,
        networks.ValueNetwork,
        _critic_outputs,
        CRITIC_CASES,
        "critic forward",
        ("value",),
        report,
        mistakes=CRITIC_MISTAKES,
    )


def check_a2c_losses(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``a2c_losses(log_prob, entropy, value,
    next_value, reward, terminated, gamma, entropy_coef)``."""
    return check_function(
        fn,
        losses.a2c_losses,
        A2C_CASES,
        "a2c_losses",
        output_names=("actor_loss", "critic_loss"),
        report=report,
        mistakes=A2C_LOSSES_MISTAKES,
    )

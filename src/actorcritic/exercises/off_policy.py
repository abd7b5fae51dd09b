"""Chapter 7's exercises (off-policy actor-critic: DDPG, TD3 and SAC), the
two that return a tensor: the checkers of SAC's ``soft_q_target`` on two
critics and of the squashed Gaussian's ``squashed_gaussian_log_prob``.
Their cases are in :mod:`~actorcritic.exercises.off_policy_cases`, their
catalogues of common mistakes in
:mod:`~actorcritic.exercises.off_policy_mistakes`. The third exercise,
``polyak_update``, returns nothing, and its checker checks what the call
does: :mod:`~actorcritic.exercises.off_policy_polyak`."""

from __future__ import annotations

import math
from collections.abc import Callable

from torch.nn import functional as F

from actorcritic import off_policy
from actorcritic.exercises.calling import reader_code
from actorcritic.exercises.checking import Report, check_function
from actorcritic.exercises.off_policy_cases import (
    LOG_PROB_CASES,
    SOFT_Q_CASES,
)
from actorcritic.exercises.off_policy_mistakes import (
    LOG_PROB_MISTAKES,
    SOFT_Q_MISTAKES,
)

# the chapter draws its figure with the reader's function; the policy
# keeps the package's
_LOG_PROB_PASS = (
    "The figure below uses your function. SAC's policy\n"
    "   (SquashedGaussianPolicy.sample) keeps the package's\n"
    "   off_policy.squashed_gaussian_log_prob, which gave the same results\n"
    "   on these cases."
)


def check_soft_q_target(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``soft_q_target(reward, next_q,
    next_log_prob, terminated, truncated, gamma, alpha)``: ``next_q`` is
    ``(2, B)`` (two critics, SAC's), the rest ``(B,)``; one ``(B,)``
    target, through which no gradient reaches ``next_q`` or
    ``next_log_prob``."""
    return check_function(
        fn,
        off_policy.soft_q_target,
        SOFT_Q_CASES,
        "soft_q_target",
        output_names=("target",),
        report=report,
        reader_code=reader_code(fn),
        mistakes=SOFT_Q_MISTAKES,
    )


def check_squashed_log_prob(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``squashed_gaussian_log_prob(mean,
    log_std, pre_tanh)``: ``(..., act_dim) -> (...)``, finite where
    ``tanh(pre_tanh)`` rounds to +-1."""
    return check_function(
        fn,
        off_policy.squashed_gaussian_log_prob,
        LOG_PROB_CASES,
        "squashed_log_prob",
        output_names=("log_prob",),
        report=report,
        reader_code=reader_code(fn),
        on_pass=_LOG_PROB_PASS,
        magnitude=_log_prob_magnitude,
        mistakes=LOG_PROB_MISTAKES,
    )


def _log_prob_magnitude(mean, log_std, pre_tanh):
    """The sizes of the terms summed into each log-probability."""
    z = (pre_tanh - mean) / log_std.exp()
    correction = 2 * (math.log(2) + pre_tanh.abs() + F.softplus(-2 * pre_tanh))
    return (
        0.5 * z**2 + log_std.abs() + 0.5 * math.log(2 * math.pi) + correction
    ).sum(-1)

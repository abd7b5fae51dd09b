"""Chapter 6's exercises (GAE and PPO): the checkers of ``gae`` over a
``(T, N)`` rollout and of the clipped ``ppo_loss``. Their cases are in
:mod:`~actorcritic.exercises.ppo_gae_cases` and
:mod:`~actorcritic.exercises.ppo_loss_cases`, their catalogues of common
mistakes in :mod:`~actorcritic.exercises.ppo_mistakes`."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.checking import Report, check_function
from actorcritic.exercises.ppo_gae_cases import GAE_CASES
from actorcritic.exercises.ppo_loss_cases import PPO_CASES
from actorcritic.exercises.ppo_mistakes import GAE_MISTAKES, PPO_MISTAKES

# Chapter 6 trains its landing with the package's functions (worker
# processes cannot run a function defined in a notebook, and the
# package's loss has its gradient written out): say so when the reader's
# function passes.
_GAE_PASS = (
    "The measurement below uses your function. The landing trains with\n"
    "   the package's returns.gae, which gave the same results on these\n"
    '   cases ("What to try next" trains with yours).'
)
_PPO_PASS = (
    "The landing trains with the package's losses.ppo_loss, which gave\n"
    '   the same results on these cases ("What to try next" trains with\n'
    "   yours)."
)


def check_gae(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``gae(reward, value, next_value,
    terminated, truncated, gamma, lam)`` on ``(T, N)`` tensors."""
    return check_function(
        fn,
        returns.gae,
        GAE_CASES,
        "gae",
        report=report,
        on_pass=_GAE_PASS,
        magnitude=_gae_magnitude,
        mistakes=GAE_MISTAKES,
    )


def _gae_magnitude(
    reward, value, next_value, terminated, truncated, gamma, lam
):
    """The discounted sum of |r| + |V(s)| + gamma |V(s')| behind each
    advantage: GAE of those sizes with zero values."""
    size = reward.abs() + value.abs() + gamma * next_value.abs()
    zero = torch.zeros_like(size)
    return returns.gae(size, zero, zero, terminated, truncated, gamma, lam)


def check_ppo_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``ppo_loss(log_prob, old_log_prob,
    advantage, entropy, value, returns, clip, value_coef, entropy_coef)``
    on ``(B,)`` tensors, returning one scalar."""
    return check_function(
        fn,
        losses.ppo_loss,
        PPO_CASES,
        "ppo_loss",
        report=report,
        on_pass=_PPO_PASS,
        mistakes=PPO_MISTAKES,
    )

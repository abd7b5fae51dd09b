"""Chapter 7's catalogues of common mistakes: wrong ``soft_q_target`` and
``squashed_gaussian_log_prob`` that the checkers of
:mod:`actorcritic.exercises.off_policy` name when a reader's answer
gives what one of them gives (see :mod:`actorcritic.exercises.mistakes`)."""

from __future__ import annotations

import functools
import math

import torch
from torch.distributions import Normal
from torch.nn import functional as F

from actorcritic.exercises.mistakes import Mistake


def _soft_q_with(
    critics=None, ended=None, entropy=-1.0, alpha_is=None, detach=True
):
    """SAC's target with one ingredient changed: ``critics`` reduces
    next_q, ``ended`` cuts the bootstrap, ``entropy`` multiplies alpha
    log pi, ``alpha_is`` replaces alpha."""

    def answer(
        reward, next_q, next_log_prob, terminated, truncated, gamma, alpha
    ):
        best = next_q.min(dim=0).values if critics is None else critics(next_q)
        alpha = alpha if alpha_is is None else alpha_is
        soft = best + entropy * alpha * next_log_prob
        done = terminated if ended is None else ended(terminated, truncated)
        target = reward + gamma * (1 - done) * soft
        return target.detach() if detach else target

    return answer


def _soft_q_discounting_the_reward(
    reward, next_q, next_log_prob, terminated, truncated, gamma, alpha
):
    soft = next_q.min(dim=0).values - alpha * next_log_prob
    return (gamma * (reward + (1 - terminated) * soft)).detach()


_MIN = (
    "The clipped double-Q takes the smaller estimate, transition by "
    "transition: next_q.min(dim=0).values (or torch.minimum(next_q[0], "
    "next_q[1])), which counters the critics' overestimation."
)

SOFT_Q_MISTAKES = [
    Mistake(
        "cutting the bootstrap on truncated as well as terminated",
        _soft_q_with(ended=lambda te, tr: torch.clamp(te + tr, max=1.0)),
        "A truncated transition's s' is the episode's last observation, "
        "and the return goes on from there: multiply by (1 - terminated) "
        "alone; truncated changes nothing in the target.",
    ),
    Mistake(
        "multiplying by (1 - terminated * (1 - truncated)), which "
        "bootstraps a step that is both terminated and truncated,",
        _soft_q_with(ended=lambda te, tr: te * (1 - tr)),
        "When a time limit falls on a terminal step, Gymnasium reports "
        "both, and the step is terminal: multiply by (1 - terminated) "
        "alone, whatever truncated says.",
    ),
    Mistake(
        "no cut at all (bootstrapping from terminal states)",
        _soft_q_with(ended=lambda te, tr: torch.zeros_like(te)),
        "A terminal state is worth 0: multiply gamma * (min Q - alpha "
        "log pi) by (1 - terminated).",
    ),
    Mistake(
        "the larger of the critics' estimates (max instead of min)",
        _soft_q_with(critics=lambda q: q.max(dim=0).values),
        _MIN,
    ),
    Mistake(
        "the mean of the critics' estimates",
        _soft_q_with(critics=lambda q: q.mean(dim=0)),
        _MIN,
    ),
    Mistake(
        "the first critic's estimate alone",
        _soft_q_with(critics=lambda q: q[0]),
        _MIN,
    ),
    Mistake(
        "adding alpha * log pi(a'|s') instead of subtracting it",
        _soft_q_with(entropy=1.0),
        "The soft value is min Q - alpha * log pi(a'|s'): the entropy "
        "bonus is -log pi.",
    ),
    Mistake(
        "no entropy term (TD3's target)",
        _soft_q_with(entropy=0.0),
        "SAC's target is soft: subtract alpha * next_log_prob from the "
        "smaller Q.",
    ),
    Mistake(
        "a fixed alpha of 0.2 instead of the alpha argument",
        _soft_q_with(alpha_is=0.2),
        "Use the `alpha` argument (train_sac tunes the temperature).",
    ),
    Mistake(
        "discounting the reward too (gamma * (r + ...))",
        _soft_q_discounting_the_reward,
        "The reward is not discounted, only what follows it: r + gamma * "
        "(1 - terminated) * (min Q - alpha log pi).",
    ),
    Mistake(
        "letting gradients flow into the target (no torch.no_grad(), no "
        ".detach())",
        _soft_q_with(detach=False),
        "The target is a constant the critics regress to: compute it under "
        "torch.no_grad(), or return it .detach()ed.",
    ),
]


_HALF_LOG_2PI = 0.5 * math.log(2 * math.pi)


def _gaussian(mean, log_std, pre_tanh, std=None, constant=True):
    """log N(u; mean, std) per dimension, std = exp(log_std) unless
    given."""
    std = log_std.exp() if std is None else std
    log_density = -0.5 * ((pre_tanh - mean) / std) ** 2 - torch.log(std)
    return log_density - _HALF_LOG_2PI if constant else log_density


def _stable(u):
    """log(1 - tanh(u)^2), finite for every u."""
    return 2.0 * (math.log(2.0) - u - F.softplus(-2.0 * u))


def _log_prob_with(
    gaussian=_gaussian, correction=_stable, sign=-1.0, reduce="sum"
):
    """The squashed log-probability with one ingredient changed."""

    def answer(mean, log_std, pre_tanh):
        per_dim = gaussian(mean, log_std, pre_tanh)
        per_dim = per_dim + sign * correction(pre_tanh)
        if reduce == "sum":
            return per_dim.sum(-1)
        return per_dim.mean(-1) if reduce == "mean" else per_dim

    return answer


def _normal_of_log_std(mean, log_std, pre_tanh):
    log_density = Normal(mean, log_std).log_prob(pre_tanh)  # raises if <= 0
    return (log_density - _stable(pre_tanh)).sum(-1)


_STABLE = "2 * (log 2 - u - softplus(-2u))"
_LOG_STD = (
    "log_std is the log of the standard deviation: std = log_std.exp(), "
    "and the log-density's normaliser is -log_std."
)

LOG_PROB_MISTAKES = [
    Mistake(
        "log(1 - tanh(u)^2) as written",
        _log_prob_with(correction=lambda u: torch.log(1 - torch.tanh(u) ** 2)),
        "It is numerically unstable: where |u| is large, tanh(u) rounds "
        "to +-1 and the log is log 0 = -inf. Use the identity "
        f"log(1 - tanh(u)^2) = {_STABLE} (F.softplus), finite for every u.",
    ),
    Mistake(
        "log(1 - tanh(u)^2 + 1e-6)",
        _log_prob_with(
            correction=lambda u: torch.log(1 - torch.tanh(u) ** 2 + 1e-6)
        ),
        "The epsilon keeps the log finite, not right: it shifts every "
        "log-probability a little (here already, and its gradient with it), "
        "and where tanh(u) saturates it gives log 1e-6 instead of about "
        f"log 4 - 2|u|. Use {_STABLE}, exact and finite.",
    ),
    Mistake(
        "no tanh correction (the Gaussian's log-density of u)",
        _log_prob_with(sign=0.0),
        "a = tanh(u) squeezes the density: subtract log(1 - tanh(u)^2) per "
        f"dimension, computed as {_STABLE}.",
    ),
    Mistake(
        "adding the tanh correction instead of subtracting it",
        _log_prob_with(sign=1.0),
        "log pi(a) = log N(u) - sum log(1 - tanh(u)^2): tanh squeezes u's "
        "neighbourhood, so the density of a is higher than u's.",
    ),
    Mistake(
        "no sum over the action dimensions",
        _log_prob_with(reduce=None),
        "The action's dimensions are independent: sum their log-densities "
        "over the last dimension, .sum(-1), one log pi per action.",
    ),
    Mistake(
        "the mean over the action dimensions instead of the sum",
        _log_prob_with(reduce="mean"),
        "The log-density of independent dimensions is the sum of theirs: "
        ".sum(-1), not .mean(-1).",
    ),
    Mistake(
        "log_std used as the standard deviation",
        _log_prob_with(gaussian=lambda m, s, u: _gaussian(m, s, u, std=s)),
        _LOG_STD,
    ),
    Mistake(
        "log_std used as the standard deviation (Normal(mean, log_std))",
        _normal_of_log_std,
        _LOG_STD,
    ),
    Mistake(
        "the correction evaluated at the action a = tanh(u) instead of u",
        _log_prob_with(correction=lambda u: _stable(torch.tanh(u))),
        f"{_STABLE} is log(1 - tanh(u)^2) written in the pre-tanh u: pass "
        "pre_tanh itself, not tanh(pre_tanh).",
    ),
    Mistake(
        "log(1 - u^2), the pre-tanh u where a = tanh(u) belongs",
        _log_prob_with(correction=lambda u: torch.log(1 - u**2)),
        "The Jacobian of a = tanh(u) is 1 - tanh(u)^2; in u, its log is "
        f"{_STABLE}.",
    ),
    Mistake(
        "no -0.5 * log(2 pi) constant",
        _log_prob_with(gaussian=functools.partial(_gaussian, constant=False)),
        "The Gaussian's log-density has a constant, -0.5 * log(2 pi) per "
        "dimension; it matters where log pi meets the target entropy "
        "(the temperature's loss).",
    ),
]

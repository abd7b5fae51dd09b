"""Chapter 6's catalogues of common mistakes: wrong ``gae`` and
``ppo_loss`` that the checkers of :mod:`actorcritic.exercises.ppo` name
when a reader's answer gives what one of them gives (see
:mod:`actorcritic.exercises.mistakes`)."""

from __future__ import annotations

import torch

from actorcritic import returns
from actorcritic.exercises.mistakes import Mistake


def _gae_with(alive=None, ended=None, start=None):
    """GAE's backward recursion with one of its masks changed: ``alive``
    multiplies gamma V(s'), ``ended`` stops the trace, ``start`` is the
    trace after the last row; each a function of the inputs."""

    def answer(reward, value, next_value, terminated, truncated, gamma, lam):
        inputs = dict(
            terminated=terminated, truncated=truncated, next_value=next_value
        )
        keep = (1 - terminated) if alive is None else alive(inputs)
        stop = (
            torch.clamp(terminated + truncated, max=1.0)
            if ended is None
            else ended(inputs)
        )
        delta = reward + gamma * keep * next_value - value  # (T, N)
        following = (
            torch.zeros_like(reward[0]) if start is None else start(inputs)
        )
        out = torch.zeros_like(reward)
        for t in reversed(range(reward.shape[0])):
            following = delta[t] + gamma * lam * (1 - stop[t]) * following
            out[t] = following
        return out

    return answer


GAE_MISTAKES = [
    Mistake(
        "a fixed lambda of 0.95 instead of the lam argument",
        lambda lam, **i: returns.gae(**i, lam=0.95),
        "Use the `lam` argument.",
    ),
    Mistake(
        "no trace (lambda taken as 0: one-step TD errors)",
        lambda lam, **i: returns.gae(**i, lam=0.0),
        "Carry gamma * lam * A_{t+1} back through the rollout.",
    ),
    Mistake(
        "ignoring terminated (bootstrapping from a terminal state)",
        lambda terminated, **i: returns.gae(
            terminated=torch.zeros_like(terminated), **i
        ),
        "After a termination there is no V(s'): multiply it by "
        "(1 - terminated).",
    ),
    Mistake(
        "a trace that runs on through a truncation into the next episode",
        _gae_with(ended=lambda i: i["terminated"]),
        "Stop the trace where the episode ends, truncated or terminated.",
    ),
    Mistake(
        "treating a truncation like a termination (no bootstrap)",
        _gae_with(
            alive=lambda i: (
                1 - torch.clamp(i["terminated"] + i["truncated"], max=1.0)
            )
        ),
        "A truncated step still bootstraps from V(s'): only terminated "
        "drops it.",
    ),
    Mistake(
        "bootstrapping whenever truncated is set, even on a terminal step",
        _gae_with(
            alive=lambda i: torch.where(
                i["truncated"] > 0, 1.0, 1 - i["terminated"]
            )
        ),
        "A termination wins: multiply V(s') by (1 - terminated) alone.",
    ),
    Mistake(
        "the lambda-return A + V(s) instead of the advantage A",
        lambda **i: returns.gae(**i) + i["value"],
        "Return the advantages; the returns are A + V(s), computed after.",
    ),
    Mistake(
        "starting the trace from V(s') after the rollout's cut",
        _gae_with(start=lambda i: i["next_value"][-1]),
        "delta_{T-1} already bootstraps from V(s'): the trace starts at 0.",
    ),
]


def _ppo_with(
    combine=torch.min,
    clipped_only=False,
    log_ratio=False,
    entropy_sign=1.0,
    sign=1.0,
    fixed_clip=None,
    detach=True,
    detach_in_clamp=False,
):
    """``ppo_loss`` with one ingredient changed."""

    def answer(
        log_prob,
        old_log_prob,
        advantage,
        entropy,
        value,
        returns,
        clip,
        value_coef,
        entropy_coef,
    ):
        if detach:
            old_log_prob, advantage = old_log_prob.detach(), advantage.detach()
            returns = returns.detach()
        clip = clip if fixed_clip is None else fixed_clip
        diff = log_prob - old_log_prob
        ratio = 1 + diff if log_ratio else diff.exp()
        clipped = (ratio.detach() if detach_in_clamp else ratio).clamp(
            1 - clip, 1 + clip
        ) * advantage
        surrogate = (
            clipped if clipped_only else combine(ratio * advantage, clipped)
        )
        return sign * (
            -surrogate.mean()
            + value_coef * (returns - value).pow(2).mean()
            - entropy_sign * entropy_coef * entropy.mean()
        )

    return answer


PPO_MISTAKES = [
    Mistake(
        "detaching the ratio inside the clip",
        _ppo_with(detach_in_clamp=True),
        "Inside [1 - clip, 1 + clip] the clipped term must pass the "
        "ratio's gradient: clamp the ratio itself, not ratio.detach().",
    ),
    Mistake(
        "the clipped term alone, without the min",
        _ppo_with(clipped_only=True),
        "Take min(ratio * A, clip(ratio) * A) per sample: the clip may "
        "only make the objective smaller.",
    ),
    Mistake(
        "the max of the two terms instead of the min",
        _ppo_with(combine=torch.max),
        "PPO's bound is pessimistic: the min, per sample.",
    ),
    Mistake(
        "1 + (log_prob - old_log_prob) as the ratio",
        _ppo_with(log_ratio=True),
        "The ratio is exp(log_prob - old_log_prob).",
    ),
    Mistake(
        "adding the entropy instead of subtracting it",
        _ppo_with(entropy_sign=-1.0),
        "The bonus is subtracted: - entropy_coef * entropy.mean().",
    ),
    Mistake(
        "a fixed clip of 0.2 instead of the clip argument",
        _ppo_with(fixed_clip=0.2),
        "Use the `clip` argument.",
    ),
    Mistake(
        "the whole loss with the wrong sign",
        _ppo_with(sign=-1.0),
        "Minimise minus the clipped objective, plus the value term, minus "
        "the entropy bonus.",
    ),
    Mistake(
        "letting gradients flow into the data (old_log_prob, advantage, "
        "returns)",
        _ppo_with(detach=False),
        "Detach old_log_prob, advantage and returns: they are constants "
        "of the loss.",
    ),
]

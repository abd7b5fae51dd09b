"""Chapter 6's exercises (GAE and PPO): ``gae`` over a ``(T, N)`` rollout
and the clipped ``ppo_loss``."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.checking import (
    Case,
    Mistake,
    Report,
    check_function,
    drawn,
)


def _t2(rows, grad=False):
    return torch.tensor(rows, dtype=torch.float32, requires_grad=grad)


def _gae_inputs(reward, value, next_value, terminated, truncated, gamma, lam):
    return lambda: dict(
        reward=_t2(reward),
        value=_t2(value),
        next_value=_t2(next_value),
        terminated=_t2(terminated),
        truncated=_t2(truncated),
        gamma=gamma,
        lam=lam,
    )


_GAE_HINTS = {
    "shape": "return one advantage per step and env: shape (T, N).",
    "value": "delta_t = r_t + gamma * (1 - terminated_t) * V(s'_t) - V(s_t); "
    "then backwards A_t = delta_t + gamma * lam * (1 - end_t) * A_{t+1}, "
    "with end_t = 1 if the episode ended at t (terminated or truncated) "
    "and A = 0 after the last row.",
}

# one env, three steps, rewards 1, 2, 3, values 1 and next values that
# chain (V(s'_t) = V(s_{t+1})) unless an episode ended
_ONE_ENV = dict(
    reward=[[1.0], [2.0], [3.0]],
    value=[[1.0], [2.0], [3.0]],
    next_value=[[2.0], [3.0], [4.0]],
)
_NO_END = [[0.0], [0.0], [0.0]]

_GAE_CASES = [
    Case(
        "lambda = 0: the advantages are the TD errors",
        _gae_inputs(
            **_ONE_ENV,
            terminated=_NO_END,
            truncated=_NO_END,
            gamma=0.5,
            lam=0.0,
        ),
        {
            **_GAE_HINTS,
            "value": "with lam = 0 nothing flows back: A_t = delta_t = "
            "r_t + gamma * V(s'_t) - V(s_t).",
        },
    ),
    Case(
        "gamma = 0: the advantages are r_t - V(s_t)",
        _gae_inputs(
            **_ONE_ENV,
            terminated=_NO_END,
            truncated=_NO_END,
            gamma=0.0,
            lam=0.95,
        ),
        {
            **_GAE_HINTS,
            "value": "with gamma = 0 neither V(s') nor the trace counts: "
            "A_t = r_t - V(s_t).",
        },
    ),
    Case(
        "lambda = 1: the n-step return minus V(s_t)",
        _gae_inputs(
            **_ONE_ENV,
            terminated=_NO_END,
            truncated=_NO_END,
            gamma=0.5,
            lam=1.0,
        ),
        _GAE_HINTS,
    ),
    Case(
        "a termination at t = 1: no bootstrap, and the trace stops",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[2.0], [50.0], [4.0]]},
            terminated=[[0.0], [1.0], [0.0]],
            truncated=_NO_END,
            gamma=0.5,
            lam=0.5,
        ),
        {
            **_GAE_HINTS,
            "value": "where terminated_t is 1, V(s'_t) counts as 0 in "
            "delta_t, and A_{t+1} (a new episode) must not flow into A_t.",
        },
    ),
    Case(
        "a truncation at t = 0: delta bootstraps from V(final obs), and "
        "the trace stops",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[6.0], [3.0], [4.0]]},
            terminated=_NO_END,
            truncated=[[1.0], [0.0], [0.0]],
            gamma=0.5,
            lam=0.5,
        ),
        {
            **_GAE_HINTS,
            "value": "a truncated step still bootstraps delta_t from "
            "V(s'_t), its final observation; only the trace stops, as the "
            "next row is another episode.",
        },
    ),
    Case(
        "terminated and truncated at once (t = 1): the termination wins",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[2.0], [50.0], [4.0]]},
            terminated=[[0.0], [1.0], [0.0]],
            truncated=[[0.0], [1.0], [0.0]],
            gamma=0.5,
            lam=0.5,
        ),
        {
            **_GAE_HINTS,
            "value": "a terminal state is worth 0 even when the time limit "
            "falls on the same step: multiply V(s'_t) by (1 - terminated_t) "
            "whatever truncated_t says.",
        },
    ),
    Case(
        "a termination on the last row: no bootstrap from the cut",
        _gae_inputs(
            **{**_ONE_ENV, "next_value": [[2.0], [3.0], [40.0]]},
            terminated=[[0.0], [0.0], [1.0]],
            truncated=_NO_END,
            gamma=0.5,
            lam=0.5,
        ),
        _GAE_HINTS,
    ),
    Case(
        "two envs side by side (T = 2, N = 2), gamma = 0.9, lambda = 0.8",
        _gae_inputs(
            reward=[[1.0, 0.0], [1.0, 2.0]],
            value=[[0.5, 1.0], [1.5, -1.0]],
            next_value=[[1.5, 9.0], [5.0, 7.0]],
            terminated=[[0.0, 1.0], [0.0, 0.0]],
            truncated=[[0.0, 0.0], [1.0, 0.0]],
            gamma=0.9,
            lam=0.8,
        ),
        {
            **_GAE_HINTS,
            "value": "treat each column (env) separately; time runs down "
            "the rows. Use the gamma and lam arguments.",
        },
    ),
    Case(
        "a rollout of one step (T = 1): one TD error",
        _gae_inputs(
            reward=[[1.0, -1.0]],
            value=[[0.5, 2.0]],
            next_value=[[2.0, 1.0]],
            terminated=[[0.0, 1.0]],
            truncated=[[0.0, 0.0]],
            gamma=0.9,
            lam=0.95,
        ),
        _GAE_HINTS,
    ),
]


def _random_rollout(T: int, N: int, gamma: float, lam: float):
    """A ``(T, N)`` rollout: rewards and values at random, next values
    that chain within an episode, about one step in fifty terminated and
    one in a hundred truncated (some both at once)."""

    def build(gen):
        value = 10 * torch.randn(T + 1, N, generator=gen)  # V(s_0..s_T)
        terminated = (torch.rand(T, N, generator=gen) < 0.02).float()
        truncated = (torch.rand(T, N, generator=gen) < 0.01).float()
        next_value = value[1:].clone()
        ended = (terminated + truncated) > 0
        next_value[ended] = 10 * torch.randn(int(ended.sum()), generator=gen)
        return dict(
            reward=torch.randn(T, N, generator=gen),
            value=value[:-1],
            next_value=next_value,
            terminated=terminated,
            truncated=truncated,
            gamma=gamma,
            lam=lam,
        )

    return build


# chapter 6's rollouts (1024 x 16), and two smaller ones
_GAE_CASES += [
    drawn(
        f"a ({T}, {N}) rollout with random flags, gamma = {gamma}, "
        f"lambda = {lam}",
        seed,
        _random_rollout(T, N, gamma, lam),
        _GAE_HINTS,
    )
    for seed, (T, N, gamma, lam) in enumerate(
        [(1024, 16, 0.999, 0.98), (128, 8, 0.99, 0.95), (16, 4, 0.9, 0.5)]
    )
]


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
        _GAE_CASES,
        "gae",
        report=report,
        on_pass=_GAE_PASS,
        magnitude=_gae_magnitude,
        mistakes=_GAE_MISTAKES,
    )


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


_GAE_MISTAKES = [
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


def _gae_magnitude(
    reward, value, next_value, terminated, truncated, gamma, lam
):
    """The discounted sum of |r| + |V(s)| + gamma |V(s')| behind each
    advantage: GAE of those sizes with zero values."""
    size = reward.abs() + value.abs() + gamma * next_value.abs()
    zero = torch.zeros_like(size)
    return returns.gae(size, zero, zero, terminated, truncated, gamma, lam)


def _ppo_inputs(ratio, advantage, clip=0.2, value_coef=0.5, entropy_coef=0.01):
    """A minibatch whose probability ratios are ``ratio``."""

    def inputs():
        old = torch.tensor([-1.0, -0.5, -2.0, -1.5][: len(ratio)])
        log_prob = old + torch.log(torch.tensor(ratio))
        n = len(ratio)
        return dict(
            log_prob=log_prob.requires_grad_(),
            old_log_prob=old,
            advantage=torch.tensor(advantage),
            entropy=torch.tensor([0.9, 1.1, 0.7, 1.3][:n], requires_grad=True),
            value=torch.tensor([1.0, -0.5, 2.0, 0.0][:n], requires_grad=True),
            returns=torch.tensor([1.5, 0.5, 1.0, 0.2][:n]),
            clip=clip,
            value_coef=value_coef,
            entropy_coef=entropy_coef,
        )

    return inputs


_PPO_HINTS = {
    "value": "ratio = exp(log_prob - old_log_prob); policy_loss = "
    "-mean(min(ratio * A, clamp(ratio, 1 - clip, 1 + clip) * A)); loss = "
    "policy_loss + value_coef * mean((returns - value)**2) - entropy_coef "
    "* mean(entropy).",
    ("output", "log_prob"): "the clipped side gives no gradient: take the "
    "min of the unclipped and the clipped term, per sample, before the "
    "mean.",
    ("output", "value"): "d loss / d V = -2 * value_coef * (returns - V) "
    "/ B: the value loss has no 1/2 here.",
    ("output", "entropy"): "the entropy bonus is subtracted: "
    "- entropy_coef * entropy.mean().",
}

_PPO_CASES = [
    Case(
        "ratios of 1 (the first minibatch): the gradient of the "
        "policy-gradient loss",
        _ppo_inputs([1.0, 1.0, 1.0], [2.0, -1.0, 0.5]),
        _PPO_HINTS,
    ),
    Case(
        "ratios above 1 + clip with positive advantages: clipped, no "
        "policy gradient",
        _ppo_inputs([1.5, 1.3], [1.0, 2.0]),
        _PPO_HINTS,
    ),
    Case(
        "ratios below 1 - clip with negative advantages: clipped, no "
        "policy gradient",
        _ppo_inputs([0.5, 0.7], [-1.0, -2.0]),
        _PPO_HINTS,
    ),
    Case(
        "ratios outside the range on the other side: not clipped",
        _ppo_inputs([1.5, 0.6, 1.1, 0.9], [-1.0, 2.0, 1.0, -1.0]),
        {
            **_PPO_HINTS,
            "value": "clip only where it makes the objective smaller: "
            "min(ratio * A, clipped * A), not clipped * A alone.",
        },
    ),
    Case(
        "another clip (0.1) and coefficients",
        _ppo_inputs(
            [1.15, 0.95, 1.05],
            [1.0, -1.0, 0.5],
            0.1,
            value_coef=1.0,
            entropy_coef=0.05,
        ),
        {
            **_PPO_HINTS,
            "value": "use the clip, value_coef and entropy_coef arguments.",
        },
    ),
]


def _with_data_gradients(inputs):
    """``inputs`` whose data (old_log_prob, advantage, returns) carry a
    gradient, as they would if the caller forgot to detach them."""

    def with_gradients():
        values = inputs()
        for name in ("old_log_prob", "advantage", "returns"):
            values[name] = values[name].clone().requires_grad_()
        return values

    return with_gradients


_PPO_CASES.append(
    Case(
        "data that carry a gradient (old_log_prob, advantage, returns): "
        "none may flow into them",
        _with_data_gradients(
            _ppo_inputs([1.5, 0.6, 1.1, 0.9], [-1.0, 2.0, 1.0, -1.0])
        ),
        {
            **_PPO_HINTS,
            ("output", "old_log_prob"): "old_log_prob is data from the "
            "rollout: detach it (ratio = exp(log_prob - "
            "old_log_prob.detach())).",
            ("output", "advantage"): "the advantage is data: detach it.",
            ("output", "returns"): "the returns are the critic's targets: "
            "detach them.",
        },
    )
)


def _random_minibatch(B: int, clip: float):
    def build(gen):
        old = -3 * torch.rand(B, generator=gen)
        log_prob = old + 0.3 * torch.randn(B, generator=gen)
        return dict(
            log_prob=log_prob.requires_grad_(),
            old_log_prob=old,
            advantage=torch.randn(B, generator=gen),
            entropy=torch.rand(B, generator=gen).requires_grad_(),
            value=(5 * torch.randn(B, generator=gen)).requires_grad_(),
            returns=5 * torch.randn(B, generator=gen),
            clip=clip,
            value_coef=0.5,
            entropy_coef=0.01,
        )

    return build


_PPO_CASES += [
    drawn(
        f"a minibatch of {B} with ratios around 1, clip = {clip}",
        seed,
        _random_minibatch(B, clip),
        _PPO_HINTS,
    )
    for seed, (B, clip) in enumerate([(64, 0.2), (1024, 0.1)])
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


_PPO_MISTAKES = [
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


def check_ppo_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``ppo_loss(log_prob, old_log_prob,
    advantage, entropy, value, returns, clip, value_coef, entropy_coef)``
    on ``(B,)`` tensors, returning one scalar."""
    return check_function(
        fn,
        losses.ppo_loss,
        _PPO_CASES,
        "ppo_loss",
        report=report,
        on_pass=_PPO_PASS,
        mistakes=_PPO_MISTAKES,
    )

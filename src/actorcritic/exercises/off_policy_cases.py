"""Chapter 7's cases of ``soft_q_target`` and
``squashed_gaussian_log_prob``, named and drawn at random, for the
checkers of :mod:`actorcritic.exercises.off_policy`: SAC's target on two
critics (each ingredient in turn, the flags one at a time and together,
inputs that carry a gradient, batches of the chapter's size); the
squashed Gaussian's log-probability (at tanh's centre, off it, in
batches, where tanh saturates, and drawn like the chapter's actions)."""

from __future__ import annotations

import torch

from actorcritic.exercises.cases import Case, drawn


def _t(values, grad=False):
    return torch.tensor(values, dtype=torch.float32, requires_grad=grad)


# --- soft_q_target -----------------------------------------------------------


def _soft_q_inputs(
    reward, next_q, log_prob, terminated, truncated, gamma, alpha, grad=False
):
    return lambda: dict(
        reward=_t(reward),
        next_q=_t(next_q, grad),
        next_log_prob=_t(log_prob, grad),
        terminated=_t(terminated),
        truncated=_t(truncated),
        gamma=gamma,
        alpha=alpha,
    )


_NO_GRADIENT = (
    "the target is a constant the critics regress to: no gradient may "
    "reach next_q (through it, the critics' loss would flow into the "
    "target critics) or next_log_prob (into the actor). A result without "
    "a graph passes: compute it under torch.no_grad(), or return it "
    ".detach()ed."
)
_SOFT_Q_HINTS = {
    "shape": "return one target per transition: shape (B,), like reward "
    "(the min reduces the critics' dimension).",
    "value": "y = r + gamma * (1 - terminated) * (min_i next_q[i] - alpha * "
    "next_log_prob), the min taken over the critics (dim 0), transition "
    "by transition.",
    ("target", "next_q"): _NO_GRADIENT,
    ("target", "next_log_prob"): _NO_GRADIENT,
}
_TWO = [0.0, 0.0]
# two transitions, the first one's s' worth much more: where its episode
# ended, only the flags change
_ENDING = dict(
    reward=[1.0, 2.0],
    next_q=[[50.0, 3.0], [40.0, 4.0]],
    log_prob=[-1.0, -1.0],
    gamma=0.9,
    alpha=0.5,
)

SOFT_Q_CASES = [
    Case(
        "two critics, alpha = 0: the smaller estimate of the two",
        _soft_q_inputs(
            [1.0, 0.0, -1.0],
            [[3.0, 1.0, 2.0], [2.0, 5.0, 2.0]],
            [-1.0, 0.5, 2.0],
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
            gamma=0.5,
            alpha=0.0,
        ),
        _SOFT_Q_HINTS,
    ),
    Case(
        "the entropy term: alpha = 0.5, minus alpha log pi(a'|s')",
        _soft_q_inputs(
            [1.0, 0.0, 0.5],
            [[1.0, 2.0, 0.0], [1.5, 2.0, -1.0]],
            [-1.0, 0.5, 2.0],
            [0.0, 0.0, 0.0],
            [0.0, 0.0, 0.0],
            gamma=0.9,
            alpha=0.5,
        ),
        {
            **_SOFT_Q_HINTS,
            "value": "the soft value of s' is min_i Q_i(s', a') - alpha * "
            "log pi(a'|s'): subtract alpha * next_log_prob inside the "
            "discounted term.",
        },
    ),
    Case(
        "a terminated transition: no bootstrap",
        _soft_q_inputs(**_ENDING, terminated=[1.0, 0.0], truncated=_TWO),
        {
            **_SOFT_Q_HINTS,
            "value": "a terminal state is worth 0: where terminated is 1, "
            "the target is the reward alone.",
        },
    ),
    Case(
        "a truncated transition: s' is the episode's last observation, "
        "bootstrap from it",
        _soft_q_inputs(**_ENDING, terminated=_TWO, truncated=[1.0, 0.0]),
        {
            **_SOFT_Q_HINTS,
            "value": "only `terminated` cuts the bootstrap; the episode "
            "was cut by the time limit and its return goes on.",
        },
    ),
    Case(
        "terminated and truncated at once: the termination wins",
        _soft_q_inputs(**_ENDING, terminated=[1.0, 0.0], truncated=[1.0, 0.0]),
        {
            **_SOFT_Q_HINTS,
            "value": "a terminal state is worth 0 even when the time limit "
            "falls on the same step: multiply by (1 - terminated) whatever "
            "truncated says.",
        },
    ),
    Case(
        "another discount and temperature (gamma = 0.99, alpha = 0.05)",
        _soft_q_inputs(
            [0.5, -1.0],
            [[2.0, -3.0], [1.0, -2.0]],
            [1.5, -2.0],
            _TWO,
            _TWO,
            gamma=0.99,
            alpha=0.05,
        ),
        {**_SOFT_Q_HINTS, "value": "use the `gamma` and `alpha` arguments."},
    ),
    Case(
        "next_q and next_log_prob carry a gradient: none may reach them",
        _soft_q_inputs(
            [1.0, 0.0],
            [[3.0, 1.0], [2.0, 5.0]],
            [-1.0, 0.5],
            _TWO,
            _TWO,
            gamma=0.9,
            alpha=0.5,
            grad=True,
        ),
        _SOFT_Q_HINTS,
    ),
]


def _random_batch(B: int, gamma: float, alpha: float):
    """A replay batch: rewards, two critics' Q and log-probabilities at
    random (the last two carrying a gradient), about one transition in
    ten terminated and one in ten truncated (some both)."""

    def build(gen):
        return dict(
            reward=torch.randn(B, generator=gen),
            next_q=(10 * torch.randn(2, B, generator=gen)).requires_grad_(),
            next_log_prob=torch.randn(B, generator=gen).requires_grad_(),
            terminated=(torch.rand(B, generator=gen) < 0.1).float(),
            truncated=(torch.rand(B, generator=gen) < 0.1).float(),
            gamma=gamma,
            alpha=alpha,
        )

    return build


# chapter 7's batches (256 transitions), and a small one
SOFT_Q_CASES += [
    drawn(
        f"a batch of {B} transitions, gamma = {gamma}, alpha = {alpha}",
        seed,
        _random_batch(B, gamma, alpha),
        _SOFT_Q_HINTS,
    )
    for seed, (B, gamma, alpha) in enumerate([(256, 0.99, 0.1), (5, 0.9, 1.0)])
]

# --- squashed_gaussian_log_prob ----------------------------------------------


def _log_prob_inputs(mean, log_std, pre_tanh):
    return lambda: dict(
        mean=_t(mean, True),
        log_std=_t(log_std, True),
        pre_tanh=_t(pre_tanh, True),
    )


_STABLE = (
    "log(1 - tanh(u)^2) = 2 * (log 2 - u - softplus(-2u)), finite for every u"
)
_LOG_PROB_HINTS = {
    "shape": "sum over the last dimension, the action's: (..., act_dim) -> "
    "(...).",
    "value": "log pi(a|s) = the sum over the action's dimensions of "
    "log N(u; mean, std) - log(1 - tanh(u)^2), with std = exp(log_std), "
    "log N(u; m, s) = -0.5 ((u - m) / s)^2 - log s - 0.5 log(2 pi) and "
    f"{_STABLE}.",
}
_SATURATED = (
    "where |u| is large, tanh(u) rounds to +-1 in float32, and "
    "log(1 - tanh(u)^2) is log 0 = -inf (or, with an epsilon, a wrong "
    f"finite number): use the identity {_STABLE}."
)

LOG_PROB_CASES = [
    Case(
        "a standard Gaussian in two dimensions at u = 0, where tanh's "
        "slope is 1",
        _log_prob_inputs([0.0, 0.0], [0.0, 0.0], [0.0, 0.0]),
        {
            **_LOG_PROB_HINTS,
            "value": "at u = 0 the correction is 0: what remains is the "
            "Gaussian's log-density, -0.5 log(2 pi) per dimension, summed.",
        },
    ),
    Case(
        "a shifted Gaussian in three dimensions, u off the mean",
        _log_prob_inputs([0.5, -1.0, 0.2], [0.3, -0.5, 0.0], [1.5, -0.4, 0.9]),
        _LOG_PROB_HINTS,
    ),
    Case(
        "a batch of four actions (4, 2)",
        _log_prob_inputs(
            [[0.0, 1.0], [-0.5, 0.3], [2.0, -2.0], [0.1, 0.0]],
            [[-1.0, 0.5], [0.0, -2.0], [-0.3, 0.2], [1.0, -0.7]],
            [[0.4, 2.5], [-0.6, 0.31], [1.2, -2.9], [-1.8, 0.05]],
        ),
        _LOG_PROB_HINTS,
    ),
    Case(
        "tanh saturated: |u| from 20 to 100, where tanh(u) rounds to +-1",
        _log_prob_inputs(
            [[20.0, -30.0], [100.0, -60.0]],
            [[-1.0, 0.0], [0.5, 0.2]],
            [[20.5, -31.0], [99.0, -60.3]],
        ),
        {**_LOG_PROB_HINTS, "value": _SATURATED, "non-finite": _SATURATED},
    ),
]


def _random_policy(shape: tuple, mean_scale: float):
    """A policy's outputs at random, log_std in [-5, 2], and the
    reparameterised sample u = mean + std * eps, three leaves (the
    checker compares the partial derivatives)."""

    def build(gen):
        mean = mean_scale * torch.randn(shape, generator=gen)
        log_std = -5 + 7 * torch.rand(shape, generator=gen)
        eps = torch.randn(shape, generator=gen)
        pre_tanh = mean + log_std.exp() * eps  # before they carry a graph
        return dict(
            mean=mean.requires_grad_(),
            log_std=log_std.requires_grad_(),
            pre_tanh=pre_tanh.requires_grad_(),
        )

    return build


# chapter 7's batches (256 actions, Pendulum's one dimension), and a
# batch of (4, 8) actions of three dimensions, some saturated
LOG_PROB_CASES += [
    drawn(
        f"actions of shape {shape}, means of scale {scale}",
        seed,
        _random_policy(shape, scale),
        {**_LOG_PROB_HINTS, "non-finite": _SATURATED},
    )
    for seed, (shape, scale) in enumerate([((256, 1), 2.0), ((4, 8, 3), 8.0)])
]

"""Chapter 5's exercises (LunarLander, policy-gradient variants):
``q_values`` of episodes laid end to end and the normalised
``entropy_loss``, with their cases; the catalogues of common mistakes
are in :mod:`~actorcritic.exercises.episodic_pg_mistakes`."""

from __future__ import annotations

from collections.abc import Callable

import torch

from actorcritic import losses, returns
from actorcritic.exercises.cases import Case, drawn
from actorcritic.exercises.checking import Report, check_function
from actorcritic.exercises.episodic_pg_mistakes import (
    ENTROPY_MISTAKES,
    Q_MISTAKES,
)


def reference_q_values(reward, gamma, episode_end):
    """Discounted q-value estimates of episodes laid end to end."""
    return returns.reward_to_go(reward, gamma, episode_end)


def _q_inputs(reward, episode_end, gamma, bool_ends=False):
    dtype = torch.bool if bool_ends else torch.float32
    return lambda: dict(
        reward=torch.tensor(reward, dtype=torch.float32),
        gamma=gamma,
        episode_end=torch.tensor(episode_end, dtype=dtype),
    )


_Q_HINTS = {
    "value": "q_t = reward[t] + gamma * q_{t+1}, computed backwards, and "
    "the sum restarts after every step where episode_end is set: no reward "
    "of the next episode may flow into this one.",
    "shape": "return one q-value per step, shape (B,).",
}


_Q_CASES = [
    Case(
        "one episode of three steps, gamma = 0.5: q = [1.75, 1.5, 1]",
        _q_inputs([1.0, 1.0, 1.0], [0.0, 0.0, 1.0], 0.5),
        _Q_HINTS,
    ),
    Case(
        "two episodes end to end: the second one's rewards must not leak "
        "into the first",
        _q_inputs([1.0, 2.0, 10.0, 20.0, 30.0], [0, 1, 0, 0, 1], 0.9),
        _Q_HINTS,
    ),
    Case(
        "episodes of one step each: q = r",
        _q_inputs([3.0, -1.0, 2.0], [1.0, 1.0, 1.0], 0.99),
        _Q_HINTS,
    ),
    Case(
        "another discount (gamma = 0.99) and negative rewards",
        _q_inputs([-1.0, 0.5, -2.0, 4.0], [0, 0, 1, 1], 0.99),
        {**_Q_HINTS, "value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "episode_end given as booleans",
        _q_inputs([1.0, 1.0, 1.0, 1.0], [0, 1, 0, 1], 0.9, bool_ends=True),
        {
            **_Q_HINTS,
            "value": "convert the flags before arithmetic, e.g. "
            "1.0 - episode_end.float().",
        },
    ),
]


def _random_batch(episodes: int, longest: int, gamma: float):
    """Whole episodes laid end to end, as chapter 5 plays them (16 per
    batch, up to 1,000 steps each): lengths between half the longest and
    the longest, rewards of a few points a step and a final +-100. The
    first draw is about 12,000 steps long, where a formula that divides by
    gamma ** t over the whole batch overflows."""

    def build(gen):
        lengths = torch.randint(
            longest // 2, longest + 1, (episodes,), generator=gen
        )
        ends = torch.cumsum(lengths, 0) - 1
        B = int(lengths.sum())
        reward = 3 * torch.randn(B, generator=gen)
        sign = torch.randint(0, 2, (episodes,), generator=gen) * 2 - 1
        reward[ends] += 100.0 * sign
        episode_end = torch.zeros(B)
        episode_end[ends] = 1.0
        return dict(reward=reward, gamma=gamma, episode_end=episode_end)

    return build


_Q_CASES += [
    drawn(
        f"{episodes} episodes of {longest // 2} to {longest} steps end to "
        "end, "
        f"gamma = {gamma}",
        seed,
        _random_batch(episodes, longest, gamma),
        _Q_HINTS,
    )
    for seed, (episodes, longest, gamma) in enumerate(
        [(16, 1000, 0.99), (5, 30, 0.9)]
    )
]


def check_q_values(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``q_values(reward, gamma, episode_end)`` on
    ``(B,)`` tensors of whole episodes laid end to end."""
    return check_function(
        fn,
        reference_q_values,
        _Q_CASES,
        "q_values",
        report=report,
        magnitude=lambda reward, gamma, episode_end: reference_q_values(
            reward.abs(), gamma, episode_end
        ),
        mistakes=Q_MISTAKES,
    )


def _entropy_inputs(*rows: tuple[float, ...]):
    return lambda: dict(
        logits=torch.tensor(rows, dtype=torch.float32, requires_grad=True)
    )


_ENTROPY_HINTS = {
    "value": "loss = -mean over states of H(pi(.|s)) / log(n_actions), "
    "with H = -sum_a pi(a|s) log pi(a|s).",
    "shape": "return one scalar: the mean over the batch.",
    ("output", "logits"): "the loss must raise the entropy when minimised: "
    "check the minus sign, and average (mean) over states.",
}


_ENTROPY_CASES = [
    Case(
        "uniform policy over 4 actions: the loss is -1",
        _entropy_inputs((0.0, 0.0, 0.0, 0.0), (2.0, 2.0, 2.0, 2.0)),
        {
            **_ENTROPY_HINTS,
            "value": "divide by the largest entropy, log(n_actions) = "
            "log(4), which a uniform policy reaches.",
        },
    ),
    Case(
        "three states, four actions",
        _entropy_inputs(
            (1.0, 0.0, -1.0, 0.5), (0.2, 0.3, 0.1, -2.0), (3.0, 0.0, 0.0, 1.0)
        ),
        _ENTROPY_HINTS,
    ),
    Case(
        "two actions: the normaliser is log(2), read from the logits",
        _entropy_inputs((0.5, -0.5), (2.0, 0.0)),
        {
            **_ENTROPY_HINTS,
            "value": "take the number of actions from logits.shape[-1], "
            "not a constant 4.",
        },
    ),
    Case(
        "a nearly deterministic policy (logit gap of 200): no nan",
        _entropy_inputs((200.0, 0.0, 0.0, 0.0), (0.0, 1.0, 0.0, 0.0)),
        {
            **_ENTROPY_HINTS,
            "non-finite": "softmax underflows to exactly 0 and log(0) = -inf, "
            "so 0 * log(0) gives nan: use log_p = log_softmax(logits) and "
            "p = log_p.exp().",
        },
    ),
]


def _random_logits(batch: int, n_actions: int, scale: float):
    def build(gen):
        logits = scale * torch.randn(batch, n_actions, generator=gen)
        return dict(logits=logits.requires_grad_())

    return build


_ENTROPY_CASES += [
    drawn(
        f"a batch ({batch}, {n}) of logits ~ N(0, {scale}^2)",
        seed,
        _random_logits(batch, n, scale),
        _ENTROPY_HINTS,
    )
    for seed, (batch, n, scale) in enumerate(
        [(16_000, 4, 3.0), (64, 4, 60.0), (10, 7, 1.0)]
    )
]


def check_entropy_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``entropy_loss(logits)`` with logits
    ``(B, n_actions)``, returning a scalar in [-1, 0]."""
    return check_function(
        fn,
        losses.entropy_loss,
        _ENTROPY_CASES,
        "entropy_loss",
        report=report,
        mistakes=ENTROPY_MISTAKES,
    )

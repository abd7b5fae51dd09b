"""Chapter 5's exercises (LunarLander, policy-gradient variants):
``q_values`` of episodes laid end to end and the normalised
``entropy_loss``."""

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


def _q_forward(reward, gamma, episode_end):
    out, running, start = torch.zeros_like(reward), 0.0, True
    for t in range(reward.shape[0]):
        running = reward[t] + (0.0 if start else gamma * running)
        out[t] = running
        start = bool(episode_end[t])
    return out


def _q_bool_arithmetic(reward, gamma, episode_end):
    keep = 1 - episode_end  # raises for a bool tensor
    return returns.reward_to_go(reward, gamma, 1 - keep)


def _q_by_powers(reward, gamma, episode_end):
    """Discounts counted from the start of the batch, divided out."""
    t = torch.arange(reward.shape[0], dtype=reward.dtype)
    discount = gamma**t
    suffix = (discount * reward).flip(0).cumsum(0).flip(0)
    ends = torch.nonzero(episode_end).flatten()
    episode = torch.cumsum(episode_end.float(), 0) - episode_end.float()
    after = torch.cat([suffix, torch.zeros(1)])[ends[episode.long()] + 1]
    return (suffix - after) / discount


_Q_MISTAKES = [
    Mistake(
        "letting the rewards of the next episode flow into this one",
        lambda reward, gamma, episode_end: returns.reward_to_go(reward, gamma),
        "Restart the sum after every step where episode_end is set.",
    ),
    Mistake(
        "a fixed discount of 0.99 instead of the gamma argument",
        lambda reward, gamma, episode_end: returns.reward_to_go(
            reward, 0.99, episode_end
        ),
        "Use the `gamma` argument.",
    ),
    Mistake(
        "summing the rewards before t (the return so far)",
        _q_forward,
        "q_t sums the rewards from t to the end of its episode: go backwards.",
    ),
    Mistake(
        "arithmetic on a bool tensor (1 - episode_end)",
        _q_bool_arithmetic,
        "Convert the flags first: 1.0 - episode_end.float().",
    ),
    Mistake(
        "discounts counted from the start of the batch and divided out "
        "(gamma ** t underflows on a long batch)",
        _q_by_powers,
        "Accumulate backwards instead: q_t = reward[t] + gamma * q_{t+1}.",
    ),
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
        mistakes=_Q_MISTAKES,
    )


def _entropy_of(logits, log):
    p = torch.softmax(logits, -1)
    return -(p * log(logits, p)).sum(-1)  # (B,)


def _n(logits):
    return torch.log(torch.tensor(float(logits.shape[-1])))


def _entropy_mistake(
    log=lambda z, p: torch.log_softmax(z, -1),
    reduce=torch.mean,
    scale=1.0,
    normaliser=_n,
):
    def answer(logits):
        h = _entropy_of(logits, log)
        return -scale * reduce(h) / normaliser(logits)

    return answer


def _entropy_batch_axis(logits):
    p, log_p = torch.softmax(logits, 0), torch.log_softmax(logits, 0)
    return (p * log_p).sum(-1).mean() / _n(logits)


def _entropy_logits_as_probabilities(log):
    def answer(logits):
        return (logits * log(logits)).sum(-1).mean() / _n(logits)

    return answer


_ENTROPY_MISTAKES = [
    Mistake(
        "a softmax over the batch axis (dim=0) instead of the actions",
        _entropy_batch_axis,
        "Normalise over the actions: softmax(logits, dim=-1).",
    ),
    Mistake(
        "the logits used as probabilities",
        _entropy_logits_as_probabilities(lambda z: torch.log_softmax(z, -1)),
        "Turn the logits into probabilities first: p = softmax(logits, -1).",
    ),
    Mistake(
        "the logits used as probabilities",
        _entropy_logits_as_probabilities(torch.log),
        "Turn the logits into probabilities first: p = softmax(logits, -1).",
    ),
    Mistake(
        "log(softmax(logits)), whose log of 0 gives 0 * -inf = nan",
        _entropy_mistake(log=lambda z, p: torch.log(p)),
        "Use torch.log_softmax(logits, -1), finite for every logit.",
    ),
    Mistake(
        "not dividing by log(n_actions)",
        _entropy_mistake(normaliser=lambda logits: torch.tensor(1.0)),
        "Normalise: divide the mean entropy by log(n_actions), the "
        "largest entropy.",
    ),
    Mistake(
        "dividing by log(4) whatever the number of actions",
        _entropy_mistake(
            normaliser=lambda logits: torch.log(torch.tensor(4.0))
        ),
        "Use the number of actions of these logits: logits.shape[-1].",
    ),
    Mistake(
        "the entropy itself instead of minus the entropy",
        _entropy_mistake(scale=-1.0),
        "The loss is minus the normalised entropy: minimising it raises "
        "the entropy.",
    ),
    Mistake(
        "summing over the states instead of averaging",
        _entropy_mistake(reduce=torch.sum),
        "Average over the batch of states (.mean()).",
    ),
]


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
        mistakes=_ENTROPY_MISTAKES,
    )

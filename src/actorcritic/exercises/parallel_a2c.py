"""Chapter 4's exercises (parallel A2C): ``n_step_returns`` over a
``(T, N)`` rollout and the combined ``a2c_loss``."""

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


def _returns_inputs(reward, next_value, terminated, truncated, gamma):
    def tensor(rows):
        return torch.tensor(rows, dtype=torch.float32)

    return lambda: dict(
        reward=tensor(reward),
        next_value=tensor(next_value),
        terminated=tensor(terminated),
        truncated=tensor(truncated),
        gamma=gamma,
    )


_RETURNS_HINTS = {
    "shape": "return one G per step and env: shape (T, N), like reward.",
}

_RETURNS_CASES = [
    Case(
        "one env, three steps, no episode ends: the cut bootstraps from "
        "V(s'_2)",
        _returns_inputs(
            [[1.0], [1.0], [1.0]],
            [[0.0], [0.0], [10.0]],
            [[0.0]] * 3,
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "go backwards from the last step: G_{T-1} = "
            "reward[T-1] + gamma * V(s'_{T-1}), then G_t = reward[t] + "
            "gamma * G_{t+1}.",
        },
    ),
    Case(
        "a termination at t = 1: nothing after it counts, no bootstrap",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[0.0], [50.0], [4.0]],
            [[0.0], [1.0], [0.0]],
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "multiply what follows step t by (1 - terminated_t): "
            "a terminal state is worth 0, and the next row belongs to a "
            "new episode.",
        },
    ),
    Case(
        "a truncation at t = 0: bootstrap from V(final obs), not from the "
        "next episode",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[6.0], [0.0], [4.0]],
            [[0.0]] * 3,
            [[1.0], [0.0], [0.0]],
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "where truncated_t is 1, use next_value[t] instead "
            "of G_{t+1}: the episode was cut, not finished, and the next "
            "row is another episode.",
        },
    ),
    Case(
        "two envs side by side (T = 2, N = 2)",
        _returns_inputs(
            [[1.0, 0.0], [1.0, 2.0]],
            [[3.0, 9.0], [5.0, 7.0]],
            [[0.0, 1.0], [0.0, 0.0]],
            [[0.0, 0.0], [1.0, 0.0]],
            0.9,
        ),
        {
            **_RETURNS_HINTS,
            "value": "treat each column (env) separately; "
            "time runs down the rows.",
        },
    ),
    Case(
        "another discount (gamma = 0.99)",
        _returns_inputs(
            [[1.0], [1.0]], [[0.0], [2.0]], [[0.0]] * 2, [[0.0]] * 2, 0.99
        ),
        {"value": "use the `gamma` argument, not a constant."},
    ),
    Case(
        "terminated and truncated at t = 1 (a time limit on a terminal "
        "step): the termination wins",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[0.0], [8.0], [4.0]],
            [[0.0], [1.0], [0.0]],
            [[0.0], [1.0], [0.0]],
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "a terminal state is worth 0 even when the time limit "
            "falls on the same step: check terminated before truncated, "
            "or multiply the bootstrap by (1 - terminated_t) in both "
            "cases.",
        },
    ),
]


_RETURNS_CASES.insert(
    2,
    Case(
        "a termination on the last row (t = T - 1): no bootstrap from the cut",
        _returns_inputs(
            [[1.0], [2.0], [3.0]],
            [[0.0], [0.0], [40.0]],
            [[0.0], [0.0], [1.0]],
            [[0.0]] * 3,
            0.5,
        ),
        {
            **_RETURNS_HINTS,
            "value": "the rollout's cut bootstraps from next_value[T-1] "
            "only if the last step did not terminate: multiply by "
            "(1 - terminated[T-1]) there too.",
        },
    ),
)


def _random_rollout(T: int, N: int, gamma: float):
    """A ``(T, N)`` rollout: rewards and values at random, about one step
    in ten terminated and one in twenty truncated, some both at once."""

    def build(gen):
        def flags(p):
            return (torch.rand(T, N, generator=gen) < p).float()

        return dict(
            reward=torch.randn(T, N, generator=gen),
            next_value=10 * torch.randn(T, N, generator=gen),
            terminated=flags(0.1),
            truncated=flags(0.05),
            gamma=gamma,
        )

    return build


# chapter 4's rollouts (5 x 8) and chapter 5's landing (8 x 16), and a
# long one
_RETURNS_CASES += [
    drawn(
        f"a ({T}, {N}) rollout with random flags, gamma = {gamma}",
        seed,
        _random_rollout(T, N, gamma),
        _RETURNS_CASES[1].hints,
    )
    for seed, (T, N, gamma) in enumerate(
        [(5, 8, 0.99), (8, 16, 0.99), (64, 3, 0.9)]
    )
]


def check_n_step_returns(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``n_step_returns(reward, next_value,
    terminated, truncated, gamma)`` on ``(T, N)`` tensors."""
    return check_function(
        fn,
        returns.n_step_returns,
        _RETURNS_CASES,
        "n_step_returns",
        report=report,
        magnitude=_returns_magnitude,
        mistakes=_RETURNS_MISTAKES,
    )


def _loop_returns(reward, next_value, terminated, truncated, gamma, rule):
    """Backward n-step returns with ``rule(t, g, next_value[t],
    terminated[t], truncated[t]) -> (g, alive)`` deciding, per row, what
    is carried and whether it is discounted on."""
    out = torch.zeros_like(reward)
    g = next_value[-1]
    last = reward.shape[0] - 1
    for t in reversed(range(reward.shape[0])):
        g, alive = rule(
            t == last, g, next_value[t], terminated[t], truncated[t]
        )
        g = reward[t] + gamma * alive * g
        out[t] = g
    return out


def _truncation_wins(last, g, boot, term, trunc):
    g = torch.where(trunc > 0, boot, g)
    return g, torch.where(trunc > 0, 1.0, 1 - term)


def _cut_ignores_termination(last, g, boot, term, trunc):
    g = torch.where(trunc > 0, boot, g)
    return g, (1.0 if last else 1 - term)


def _returns_with(**changes):
    def answer(reward, next_value, terminated, truncated, gamma):
        inputs = dict(
            reward=reward,
            next_value=next_value,
            terminated=terminated,
            truncated=truncated,
            gamma=gamma,
        )
        for name, change in changes.items():
            inputs[name] = change(inputs)
        return returns.n_step_returns(**inputs)

    return answer


def _zero_last_row(x):
    return torch.cat([x[:-1], torch.zeros_like(x[-1:])])


_RETURNS_MISTAKES = [
    Mistake(
        "ignoring terminated (bootstrapping past the end of an episode)",
        _returns_with(terminated=lambda i: torch.zeros_like(i["terminated"])),
        "After a termination nothing follows: multiply by (1 - terminated).",
    ),
    Mistake(
        "treating a truncation like a termination",
        _returns_with(
            terminated=lambda i: torch.clamp(
                i["terminated"] + i["truncated"], max=1.0
            ),
            truncated=lambda i: torch.zeros_like(i["truncated"]),
        ),
        "A truncated episode continues in principle: restart the sum from "
        "next_value[t] there, do not end it.",
    ),
    Mistake(
        "ignoring truncated (the next episode's rewards leak in)",
        _returns_with(truncated=lambda i: torch.zeros_like(i["truncated"])),
        "Where truncated is set, the episode ends: restart the sum from "
        "next_value[t] (its final observation's value).",
    ),
    Mistake(
        "no bootstrap at the rollout's cut (the last row)",
        _returns_with(next_value=lambda i: _zero_last_row(i["next_value"])),
        "The rollout ends mid-episode: start the sum from next_value[-1].",
    ),
    Mistake(
        "one-step targets instead of n-step returns",
        lambda reward, next_value, terminated, truncated, gamma: (
            reward + gamma * (1 - terminated) * next_value
        ),
        "Carry G_{t+1} back through the rollout; bootstrap only at the "
        "cut and at truncations.",
    ),
    Mistake(
        "bootstrapping whenever truncated is set, even on a terminal step",
        lambda **i: _loop_returns(**i, rule=_truncation_wins),
        "A termination wins: multiply by (1 - terminated) even when "
        "truncated is set too.",
    ),
    Mistake(
        "bootstrapping at the cut even when its step terminated",
        lambda **i: _loop_returns(**i, rule=_cut_ignores_termination),
        "A termination on the last row ends the episode: no bootstrap there.",
    ),
    Mistake(
        "a fixed discount instead of the gamma argument",
        lambda gamma, **i: returns.n_step_returns(**i, gamma=0.99),
        "Use the `gamma` argument.",
    ),
    Mistake(
        "a fixed discount instead of the gamma argument",
        lambda gamma, **i: returns.n_step_returns(**i, gamma=0.9),
        "Use the `gamma` argument.",
    ),
]


def _returns_magnitude(reward, next_value, terminated, truncated, gamma):
    """The discounted sum of |reward| and |bootstrap| behind each G_t."""
    return returns.n_step_returns(
        reward.abs(), next_value.abs(), terminated, truncated, gamma
    )


def _loss_inputs(value_coef=0.5, entropy_coef=0.01):
    return lambda: dict(
        log_prob=_t2([[-0.7, -1.2], [-0.1, -2.0]], grad=True),
        entropy=_t2([[0.6, 0.5], [0.69, 0.3]], grad=True),
        value=_t2([[1.0, 2.0], [0.5, -1.0]], grad=True),
        returns=_t2([[3.0, 1.0], [0.5, 2.0]], grad=True),
        value_coef=value_coef,
        entropy_coef=entropy_coef,
    )


def _t2(rows, grad=False):
    return torch.tensor(rows, dtype=torch.float32, requires_grad=grad)


_LOSS_HINTS = {
    "value": "loss = -mean(A * log_prob) + value_coef * mean((G - V)**2) "
    "- entropy_coef * mean(entropy), with A = G - V.",
    ("output", "value"): "the policy term must treat A as a constant "
    "(A.detach()); only the value loss moves V.",
    ("output", "returns"): "the returns are targets: detach them.",
    ("output", "entropy"): "the entropy bonus is subtracted: "
    "- entropy_coef * entropy.mean().",
    ("output", "log_prob"): "d loss / d log_prob = -A / (T * N): check the "
    "sign and use the mean.",
}

_LOSS_CASES = [
    Case(
        "a 2 x 2 rollout with the usual coefficients",
        _loss_inputs(),
        _LOSS_HINTS,
    ),
    Case(
        "value_coef = 1 and entropy_coef = 0.5",
        _loss_inputs(1.0, 0.5),
        {
            **_LOSS_HINTS,
            "value": "use the value_coef and entropy_coef arguments.",
        },
    ),
]


def _random_loss(T: int, N: int, value_coef: float, entropy_coef: float):
    def build(gen):
        def leaf(x):
            return x.requires_grad_()

        return dict(
            log_prob=leaf(-2 * torch.rand(T, N, generator=gen)),
            entropy=leaf(torch.rand(T, N, generator=gen)),
            value=leaf(5 * torch.randn(T, N, generator=gen)),
            returns=leaf(5 * torch.randn(T, N, generator=gen)),
            value_coef=value_coef,
            entropy_coef=entropy_coef,
        )

    return build


_LOSS_CASES += [
    drawn(
        f"a ({T}, {N}) rollout at random, value_coef = {vc}, "
        f"entropy_coef = {ec}",
        seed,
        _random_loss(T, N, vc, ec),
        _LOSS_HINTS,
    )
    for seed, (T, N, vc, ec) in enumerate(
        [(5, 8, 0.5, 0.01), (8, 16, 0.25, 0.05)]
    )
]


def _a2c_with(
    actor=None,
    critic=None,
    entropy_sign=1.0,
    value_scale=1.0,
    fixed_coefs=None,
):
    """``a2c_loss`` with one ingredient changed."""

    def answer(log_prob, entropy, value, returns, value_coef, entropy_coef):
        adv = returns.detach() - value
        critic_adv = adv if critic is None else critic(returns, value)
        actor_adv = adv.detach() if actor is None else actor(adv)
        if fixed_coefs is not None:
            value_coef, entropy_coef = fixed_coefs
        return (
            -(actor_adv * log_prob).mean()
            + value_scale * value_coef * critic_adv.pow(2).mean()
            - entropy_sign * entropy_coef * entropy.mean()
        )

    return answer


_A2C_MISTAKES = [
    Mistake(
        "letting the policy term's gradient flow into the advantage",
        _a2c_with(actor=lambda adv: adv),
        "Detach the advantage in the policy term: G - V(s) weighs the "
        "log-probabilities, it is not trained through them.",
    ),
    Mistake(
        "letting a gradient flow into the returns (the critic's targets)",
        _a2c_with(critic=lambda returns, value: returns - value),
        "Detach the returns: they are targets.",
    ),
    Mistake(
        "adding the entropy instead of subtracting it",
        _a2c_with(entropy_sign=-1.0),
        "The bonus is subtracted: - entropy_coef * entropy.mean().",
    ),
    Mistake(
        "fixed coefficients (0.5 and 0.01) instead of the arguments",
        _a2c_with(fixed_coefs=(0.5, 0.01)),
        "Use value_coef and entropy_coef as given.",
    ),
    Mistake(
        "half the value term (a 1/2 inside the square as well as c_V)",
        _a2c_with(value_scale=0.5),
        "The value term is value_coef * mean((G - V) ** 2), with no "
        "extra 1/2.",
    ),
]


def check_a2c_loss(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``a2c_loss(log_prob, entropy, value,
    returns, value_coef, entropy_coef)`` returning one scalar."""
    return check_function(
        fn,
        losses.a2c_loss,
        _LOSS_CASES,
        "a2c_loss",
        report=report,
        mistakes=_A2C_MISTAKES,
    )

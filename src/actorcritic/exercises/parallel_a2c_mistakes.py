"""Chapter 4's catalogues of common mistakes: wrong ``n_step_returns``
and ``a2c_loss`` that the checkers of
:mod:`actorcritic.exercises.parallel_a2c` name when a reader's answer
gives what one of them gives (see :mod:`actorcritic.exercises.mistakes`)."""

from __future__ import annotations

import torch

from actorcritic import returns
from actorcritic.exercises.mistakes import Mistake


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


RETURNS_MISTAKES = [
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


A2C_MISTAKES = [
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

"""Chapter 3's catalogues of common mistakes: wrong actors, critics and
``a2c_losses`` that the checkers of :mod:`actorcritic.exercises.a2c`
name when a reader's answer gives what one of them gives (see
:mod:`actorcritic.exercises.mistakes`)."""

from __future__ import annotations

import torch
from torch import nn

from actorcritic import networks
from actorcritic.exercises.mistakes import Mistake


class _Actor(networks.GaussianPolicy):
    """The actor's forward in three steps, for the catalogue's variants to
    change one at a time."""

    def forward(self, obs):
        raw = self.net(obs)  # (..., 2 * act_dim)
        raw_mean, raw_std = self.halves(raw)
        return self.bounded_mean(raw_mean), self.positive_std(raw_std)

    def halves(self, raw):
        return raw[..., : self.act_dim], raw[..., self.act_dim :]

    def bounded_mean(self, raw_mean):
        center, half = (self.high + self.low) / 2, (self.high - self.low) / 2
        return center + half * torch.tanh(raw_mean)

    def positive_std(self, raw_std):
        return nn.functional.softplus(raw_std) + self.min_std


class _ClampedMean(_Actor):
    def bounded_mean(self, raw_mean):
        center, half = (self.high + self.low) / 2, (self.high - self.low) / 2
        return torch.clamp(center + half * raw_mean, self.low, self.high)


class _FixedBounds(_Actor):
    def bounded_mean(self, raw_mean):
        return 2.0 * torch.tanh(raw_mean)


class _NoFloor(_Actor):
    def positive_std(self, raw_std):
        return nn.functional.softplus(raw_std)


class _DefaultFloor(_Actor):
    def positive_std(self, raw_std):
        return nn.functional.softplus(raw_std) + 1e-3


class _ExpStd(_Actor):
    def positive_std(self, raw_std):
        return torch.exp(raw_std) + self.min_std


class _SwappedHalves(_Actor):
    def halves(self, raw):
        return super().halves(raw)[::-1]


class _WholeOutput(_Actor):
    def halves(self, raw):
        return raw, raw


class _SharedStd(_Actor):
    def positive_std(self, raw_std):
        return super().positive_std(raw_std[..., :1]).expand_as(raw_std)


ACTOR_MISTAKES = [
    Mistake(
        "clamping the mean into the bounds instead of squashing it with tanh",
        _ClampedMean,
        "mean = center + half * tanh(raw_mean): smooth, and never stuck "
        "at a bound with a zero gradient.",
    ),
    Mistake(
        "the bounds [-2, 2] of Pendulum instead of the actor's low and high",
        _FixedBounds,
        "Read the bounds from self.low and self.high.",
    ),
    Mistake(
        "softplus(raw_std) without the floor min_std",
        _NoFloor,
        "Add self.min_std, so that the std can never reach 0.",
    ),
    Mistake(
        "the floor 1e-3 instead of the actor's min_std",
        _DefaultFloor,
        "Add self.min_std, the floor the actor was built with.",
    ),
    Mistake(
        "exp(raw_std) instead of softplus(raw_std)",
        _ExpStd,
        "Use softplus: it grows linearly, not exponentially.",
    ),
    Mistake(
        "the mean from the second half and the std from the first",
        _SwappedHalves,
        "The first act_dim outputs are the mean, the next act_dim the std.",
    ),
    Mistake(
        "using all 2 * act_dim outputs for both the mean and the std",
        _WholeOutput,
        "Split the output in two halves of act_dim each.",
    ),
    Mistake(
        "one std shared by every action (the first of the std half)",
        _SharedStd,
        "Each action has its own std: softplus of the whole second half.",
    ),
]


class _CriticKeepsAxis(networks.ValueNetwork):
    def forward(self, obs):
        return self.net(obs)


class _CriticSqueezesAll(networks.ValueNetwork):
    def forward(self, obs):
        return self.net(obs).squeeze()


CRITIC_MISTAKES = [
    Mistake(
        "keeping the last axis of size 1",
        _CriticKeepsAxis,
        "Drop it: self.net(obs).squeeze(-1).",
    ),
    Mistake(
        "squeeze() with no axis, which also drops a batch axis of size 1",
        _CriticSqueezesAll,
        "Name the axis: self.net(obs).squeeze(-1).",
    ),
]


def _a2c_losses_with(
    detach_actor=True,
    detach_target=True,
    reduce=torch.mean,
    entropy_sign=1.0,
    mask=True,
    fixed=None,
    detach_log_prob=False,
):
    """``a2c_losses`` with one ingredient changed."""

    def answer(
        log_prob,
        entropy,
        value,
        next_value,
        reward,
        terminated,
        gamma,
        entropy_coef,
    ):
        if fixed is not None:
            gamma, entropy_coef = fixed
        boot = next_value.detach() if detach_target else next_value
        alive = (1 - terminated) if mask else 1.0
        adv = reward + gamma * alive * boot - value
        weight = adv.detach() if detach_actor else adv
        lp = log_prob.detach() if detach_log_prob else log_prob
        actor = reduce(-weight * lp) - entropy_sign * entropy_coef * reduce(
            entropy
        )
        return actor, reduce(adv.pow(2)) / 2

    return answer


A2C_LOSSES_MISTAKES = [
    Mistake(
        "ignoring terminated (bootstrapping from a terminal state)",
        _a2c_losses_with(mask=False),
        "Multiply gamma * V(s') by (1 - terminated).",
    ),
    Mistake(
        "letting the actor's gradient flow into the advantage",
        _a2c_losses_with(detach_actor=False),
        "Detach the advantage in the actor's loss.",
    ),
    Mistake(
        "letting the critic's gradient flow through the target "
        "(next_value not detached)",
        _a2c_losses_with(detach_target=False),
        "Semi-gradient TD: detach next_value in the target.",
    ),
    Mistake(
        "adding the entropy bonus to the loss instead of subtracting it",
        _a2c_losses_with(entropy_sign=-1.0),
        "The actor minimises - beta * mean(entropy): subtract it.",
    ),
    Mistake(
        "fixed gamma and entropy_coef (0.9 and 0.01) instead of the arguments",
        _a2c_losses_with(fixed=(0.9, 0.01)),
        "Use the `gamma` and `entropy_coef` arguments.",
    ),
    Mistake(
        "summing over the batch instead of averaging",
        _a2c_losses_with(reduce=torch.sum),
        "Average over the transitions (.mean()).",
    ),
    Mistake(
        "returning the losses of every transition instead of their means",
        _a2c_losses_with(reduce=lambda x: x),
        "Reduce each loss to one number with .mean().",
    ),
    Mistake(
        "detaching log_prob, which cuts the actor off its own loss",
        _a2c_losses_with(detach_log_prob=True),
        "Detach the advantage, not log_prob: the actor learns through "
        "log_prob.",
    ),
]

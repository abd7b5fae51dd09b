"""Chapter 3's exercises (A2C with entropy): the Gaussian actor's and
the critic's ``forward``, and ``a2c_losses``."""

from __future__ import annotations

from collections.abc import Callable

import torch
from torch import nn

from actorcritic import losses, networks
from actorcritic.exercises.checking import (
    Case,
    Mistake,
    Report,
    check_class,
    check_function,
    drawn,
    floats,
)


def _seeded(seed: int, build: Callable):
    """``build()`` with the global random state at ``seed``, restored
    afterwards: a checker leaves the chapter's random numbers alone."""
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        return build()


def _actor_outputs(
    actor_cls, obs, low, high, raw_std_shift=0.0, min_std=1e-3, hidden=(8,)
):
    """Build ``actor_cls`` with fixed weights and return ``(mean, std)``.

    ``raw_std_shift`` is added to the biases of the std half of the last
    layer, to test what happens when the raw std is very negative.
    """

    def build():
        actor = actor_cls(obs.shape[-1], low, high, hidden, min_std=min_std)
        with torch.no_grad():
            last = actor.net[-1]
            last.bias[len(low) :] += raw_std_shift
        return actor

    return _seeded(0, build)(obs)


def _actor_case(obs, low, high, raw_std_shift=0.0, min_std=1e-3):
    def inputs():
        return dict(
            obs=torch.tensor(obs, dtype=torch.float32, requires_grad=True),
            low=list(low),
            high=list(high),
            raw_std_shift=raw_std_shift,
            min_std=min_std,
        )

    return inputs


_ACTOR_HINTS = {
    "shape": "split the network's 2 * act_dim outputs on the last axis: "
    "raw[..., :self.act_dim] and raw[..., self.act_dim:]; mean and std "
    "then both have shape (..., act_dim).",
}

_ACTOR_CASES = [
    Case(
        "one observation (3,), one action in [-2, 2]: outputs of shape (1,)",
        _actor_case([0.6, 0.8, -1.0], [-2.0], [2.0]),
        {
            **_ACTOR_HINTS,
            "value": "mean = center + half * tanh(raw_mean) with "
            "center = (high + low) / 2 and half = (high - low) / 2; "
            "std = softplus(raw_std) + self.min_std.",
        },
    ),
    Case(
        "a batch of four observations (4, 3): outputs of shape (4, 1)",
        _actor_case(
            [
                [1.0, 0.0, 0.5],
                [0.0, 1.0, -2.0],
                [-1.0, 0.0, 8.0],
                [0.7, -0.7, 0.0],
            ],
            [-2.0],
            [2.0],
        ),
        _ACTOR_HINTS,
    ),
    Case(
        "two actions with uneven bounds low = [-1, 0], high = [3, 1]",
        _actor_case(
            [[0.3, -0.4, 2.0], [-0.9, 0.1, -3.0]], [-1.0, 0.0], [3.0, 1.0]
        ),
        {
            **_ACTOR_HINTS,
            "value": "the bounds differ per action: center and half are "
            "vectors, (high + low) / 2 and (high - low) / 2.",
        },
    ),
    Case(
        "huge observations saturate the network: the mean must stay "
        "inside [-2, 2]",
        _actor_case(
            [[500.0, -800.0, 900.0], [-700.0, 600.0, -900.0]], [-2.0], [2.0]
        ),
        {
            "value": "squash the raw mean with tanh before scaling it, so "
            "that no observation can put the mean outside the bounds.",
        },
    ),
    Case(
        "a very negative raw std (-30): std must stay positive, at least "
        "min_std",
        _actor_case([[0.6, 0.8, -1.0]], [-2.0], [2.0], raw_std_shift=-30.0),
        {
            "value": "std = softplus(raw_std) + self.min_std: softplus "
            "alone (or exp) gets so close to 0 that log-probabilities "
            "blow up.",
        },
    ),
    Case(
        "another floor (min_std = 0.1) under a very negative raw std",
        _actor_case(
            [[0.6, 0.8, -1.0]], [-2.0], [2.0], raw_std_shift=-30.0, min_std=0.1
        ),
        {"value": "add self.min_std, the actor's own floor, not 1e-3."},
    ),
]


def _random_actor(batch: int, obs_dim: int, act_dim: int):
    """Observations ~ N(0, 2^2), bounds low in [-3, 0) and high in (0, 3],
    and a floor min_std in [0.01, 0.5)."""

    def build(gen):
        low = -3 * torch.rand(act_dim, generator=gen) - 1e-2
        high = 3 * torch.rand(act_dim, generator=gen) + 1e-2
        obs = 2 * torch.randn(batch, obs_dim, generator=gen)
        return dict(
            obs=obs.requires_grad_(),
            low=low.tolist(),
            high=high.tolist(),
            min_std=0.01 + 0.49 * float(torch.rand((), generator=gen)),
        )

    return build


_ACTOR_CASES += [
    drawn(
        f"a batch ({batch}, {obs_dim}), {act_dim} action(s), random bounds "
        "and min_std",
        seed,
        _random_actor(batch, obs_dim, act_dim),
        _ACTOR_CASES[2].hints,
    )
    for seed, (batch, obs_dim, act_dim) in enumerate([(16, 3, 1), (7, 8, 2)])
]


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


_ACTOR_MISTAKES = [
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


def check_actor(actor_cls: type, report: Report = print) -> type:
    """Checker for the exercise ``MyActor.forward``: a subclass of
    :class:`~actorcritic.networks.GaussianPolicy` whose ``forward(obs)``
    returns ``(mean, std)``. Returns the class the chapter should use."""
    return check_class(
        actor_cls,
        networks.GaussianPolicy,
        _actor_outputs,
        _ACTOR_CASES,
        "actor forward",
        ("mean", "std"),
        report,
        mistakes=_ACTOR_MISTAKES,
    )


def _critic_outputs(critic_cls, obs):
    return _seeded(0, lambda: critic_cls(obs.shape[-1], (8,)))(obs)


def _critic_case(shape, obs_dim=3, seed=1):
    def inputs():
        gen = torch.Generator().manual_seed(seed)
        return dict(obs=torch.randn(*shape, obs_dim, generator=gen))

    def with_grad():
        return {k: v.requires_grad_() for k, v in inputs().items()}

    return with_grad


_CRITIC_SHAPE_HINT = {
    "shape": "V(s) is one number per observation: drop the network's last "
    "axis of size 1 with .squeeze(-1). A (B, 1) value minus (B,) rewards "
    "silently broadcasts to (B, B). Plain .squeeze() also drops a batch "
    "axis of size 1.",
    "value": "return the network's output for obs, without its last axis: "
    "self.net(obs).squeeze(-1).",
}

_CRITIC_CASES = [
    Case(
        "one observation (3,): V is a scalar, shape ()",
        _critic_case(()),
        _CRITIC_SHAPE_HINT,
    ),
    Case(
        "a batch (16, 3): V has shape (16,)",
        _critic_case((16,)),
        _CRITIC_SHAPE_HINT,
    ),
    Case(
        "a batch of one (1, 3): V has shape (1,)",
        _critic_case((1,)),
        _CRITIC_SHAPE_HINT,
    ),
    Case(
        "time-first (5, 2, 3): V has shape (5, 2)",
        _critic_case((5, 2)),
        _CRITIC_SHAPE_HINT,
    ),
    Case(
        "another observation size: a batch (16, 8)",
        _critic_case((16,), obs_dim=8),
        _CRITIC_SHAPE_HINT,
    ),
]


def _random_obs(shape: tuple, obs_dim: int):
    def build(gen):
        obs = 3 * torch.randn(*shape, obs_dim, generator=gen)
        return dict(obs=obs.requires_grad_())

    return build


_CRITIC_CASES += [
    drawn(
        f"observations {(*shape, obs_dim)} ~ N(0, 3^2)",
        seed,
        _random_obs(shape, obs_dim),
        _CRITIC_SHAPE_HINT,
    )
    for seed, (shape, obs_dim) in enumerate([((16,), 3), ((8, 16), 8)])
]


class _CriticKeepsAxis(networks.ValueNetwork):
    def forward(self, obs):
        return self.net(obs)


class _CriticSqueezesAll(networks.ValueNetwork):
    def forward(self, obs):
        return self.net(obs).squeeze()


_CRITIC_MISTAKES = [
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


def check_critic(critic_cls: type, report: Report = print) -> type:
    """Checker for the exercise ``MyCritic.forward``: a subclass of
    :class:`~actorcritic.networks.ValueNetwork` whose ``forward(obs)``
    maps ``(..., obs_dim)`` to ``(...)``. Returns the class to use."""
    return check_class(
        critic_cls,
        networks.ValueNetwork,
        _critic_outputs,
        _CRITIC_CASES,
        "critic forward",
        ("value",),
        report,
        mistakes=_CRITIC_MISTAKES,
    )


def _a2c_inputs(terminated=(0.0, 0.0, 0.0), gamma=0.9, entropy_coef=0.01):
    """Named inputs of three transitions."""
    return lambda: dict(
        log_prob=floats(-0.9, -1.4, -0.3, grad=True),
        entropy=floats(1.1, 1.3, 0.8, grad=True),
        value=floats(-2.0, -0.5, -1.0, grad=True),
        next_value=floats(-1.5, -1.0, -3.0, grad=True),
        reward=floats(-0.4, 0.0, -1.2),
        terminated=floats(*terminated),
        gamma=gamma,
        entropy_coef=entropy_coef,
    )


_A2C_HINTS = {
    ("actor_loss", "value"): "the actor treats the advantage as a fixed "
    "weight: use advantage.detach() in the actor's loss, so that no "
    "gradient reaches the critic through it.",
    ("actor_loss", "next_value"): "detach the advantage in the actor's loss.",
    ("critic_loss", "next_value"): "the TD target r + gamma V(s') is a "
    "constant for the critic: detach next_value.",
    ("critic_loss", "value"): "critic_loss = 0.5 * mean((target - V)**2).",
    ("actor_loss", "log_prob"): "actor_loss = -mean(advantage * log_prob) "
    "- entropy_coef * mean(entropy): check the sign and the mean.",
    ("actor_loss", "entropy"): "the bonus is subtracted from the loss: "
    "- entropy_coef * entropy.mean(), so that minimising the loss "
    "raises the entropy.",
}

_A2C_CASES = [
    Case(
        "three ordinary transitions (B = 3)",
        _a2c_inputs(),
        {
            **_A2C_HINTS,
            "shape": "return two scalars: average over the batch with "
            ".mean().",
            "value": "actor_loss = -mean(advantage.detach() * log_prob) "
            "- entropy_coef * mean(entropy) (subtract the bonus); "
            "critic_loss = 0.5 * mean((target - value)**2).",
        },
    ),
    Case(
        "the second transition is terminal: no bootstrap from its V(s')",
        _a2c_inputs(terminated=(0.0, 1.0, 0.0)),
        {
            **_A2C_HINTS,
            "value": "the target is r + gamma * (1 - terminated) * V(s'): "
            "a terminal state is worth 0.",
        },
    ),
    Case(
        "a larger entropy bonus (entropy_coef = 0.5)",
        _a2c_inputs(entropy_coef=0.5),
        {
            **_A2C_HINTS,
            "value": "use the entropy_coef argument, and subtract "
            "entropy_coef * entropy.mean() from the actor's loss.",
        },
    ),
    Case(
        "another discount (gamma = 0.5)",
        _a2c_inputs(terminated=(1.0, 0.0, 0.0), gamma=0.5),
        {**_A2C_HINTS, "value": "use the gamma argument, not a constant."},
    ),
]


def _random_a2c(batch: int, gamma: float, entropy_coef: float):
    """A batch as chapter 3 builds it (16 pendulums): rewards in
    (-16, 0], values of that scale, terminations at random."""

    def build(gen):
        def leaf(x):
            return x.requires_grad_()

        return dict(
            log_prob=leaf(-3 * torch.rand(batch, generator=gen)),
            entropy=leaf(2 * torch.randn(batch, generator=gen)),
            value=leaf(-20 * torch.rand(batch, generator=gen)),
            next_value=leaf(-20 * torch.rand(batch, generator=gen)),
            reward=-16 * torch.rand(batch, generator=gen),
            terminated=(torch.rand(batch, generator=gen) < 0.2).float(),
            gamma=gamma,
            entropy_coef=entropy_coef,
        )

    return build


_A2C_CASES += [
    drawn(
        f"{batch} transitions at random, gamma = {gamma}, "
        f"entropy_coef = {coef}",
        seed,
        _random_a2c(batch, gamma, coef),
        _A2C_HINTS,
    )
    for seed, (batch, gamma, coef) in enumerate(
        [(16, 0.9, 0.01), (16, 0.99, 0.1), (5, 0.7, 0.0)]
    )
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


_A2C_LOSSES_MISTAKES = [
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


def check_a2c_losses(fn: Callable, report: Report = print) -> Callable:
    """Checker for the exercise ``a2c_losses(log_prob, entropy, value,
    next_value, reward, terminated, gamma, entropy_coef)``."""
    return check_function(
        fn,
        losses.a2c_losses,
        _A2C_CASES,
        "a2c_losses",
        output_names=("actor_loss", "critic_loss"),
        report=report,
        mistakes=_A2C_LOSSES_MISTAKES,
    )

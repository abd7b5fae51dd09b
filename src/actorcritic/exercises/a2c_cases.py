"""Chapter 3's cases, named and drawn at random, for the checkers of
:mod:`actorcritic.exercises.a2c`: the actor's ``forward`` (observations,
bounds and the floor ``min_std``), the critic's ``forward``
(observations of several shapes) and ``a2c_losses``."""

from __future__ import annotations

import torch

from actorcritic.exercises.cases import Case, drawn, floats


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


ACTOR_CASES = [
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


ACTOR_CASES += [
    drawn(
        f"a batch ({batch}, {obs_dim}), {act_dim} action(s), random bounds "
        "and min_std",
        seed,
        _random_actor(batch, obs_dim, act_dim),
        ACTOR_CASES[2].hints,
    )
    for seed, (batch, obs_dim, act_dim) in enumerate([(16, 3, 1), (7, 8, 2)])
]


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


CRITIC_CASES = [
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


CRITIC_CASES += [
    drawn(
        f"observations {(*shape, obs_dim)} ~ N(0, 3^2)",
        seed,
        _random_obs(shape, obs_dim),
        _CRITIC_SHAPE_HINT,
    )
    for seed, (shape, obs_dim) in enumerate([((16,), 3), ((8, 16), 8)])
]


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


A2C_CASES = [
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


A2C_CASES += [
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

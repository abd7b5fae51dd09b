"""The maths of chapter 7: targets, the squashed Gaussian's
log-probability, the Polyak update and the estimation bias."""

import math

import numpy as np
import pytest
import torch
from torch import nn
from torch.distributions import Normal, TransformedDistribution
from torch.distributions.transforms import TanhTransform

from actorcritic.evaluation import play
from actorcritic.off_policy import (
    clipped_double_q,
    estimation_bias,
    polyak_update,
    smoothed_target_action,
    soft_q_target,
    squashed_gaussian_log_prob,
)
from actorcritic.off_policy_networks import QNetworks, SquashedGaussianPolicy


def test_clipped_double_q_is_the_smaller_estimate():
    q = torch.tensor([[1.0, -2.0, 3.0], [0.0, 5.0, 3.0]])
    assert torch.equal(clipped_double_q(q), torch.tensor([0.0, -2.0, 3.0]))
    assert torch.equal(clipped_double_q(q[:1]), q[0])  # one critic: its own


def test_soft_q_target_by_hand():
    reward = torch.tensor([1.0, 1.0, 1.0, -2.0])
    next_q = torch.tensor([[4.0, 4.0, 4.0, 10.0], [6.0, 6.0, 6.0, 8.0]])
    log_prob = torch.tensor([-1.0, -1.0, -1.0, 0.5])
    terminated = torch.tensor([0.0, 1.0, 0.0, 0.0])
    truncated = torch.tensor([0.0, 0.0, 1.0, 1.0])
    y = soft_q_target(
        reward, next_q, log_prob, terminated, truncated, 0.9, alpha=0.2
    )
    # min(4, 6) - 0.2 * (-1) = 4.2; min(10, 8) - 0.2 * 0.5 = 7.9
    expected = torch.tensor([4.78, 1.0, 4.78, -2 + 0.9 * 7.9])
    torch.testing.assert_close(y, expected)


def test_soft_q_target_carries_no_gradient_and_checks_its_input():
    next_q = torch.zeros(2, 3, requires_grad=True)
    zeros = torch.zeros(3)
    y = soft_q_target(zeros, next_q, zeros, zeros, zeros, 0.99, 0.1)
    assert not y.requires_grad
    with pytest.raises(ValueError, match="one shape"):
        soft_q_target(zeros, next_q, zeros[:, None], zeros, zeros, 0.9, 0.1)
    with pytest.raises(ValueError, match="alpha"):
        soft_q_target(zeros, next_q, zeros, zeros, zeros, 0.9, -0.1)


def test_squashed_log_prob_is_the_change_of_variables():
    """Against the textbook formula in double precision, and against
    torch's TanhTransform (which inverts tanh, so loses digits)."""
    gen = torch.Generator().manual_seed(0)
    mean = torch.randn(50, 3, generator=gen)
    log_std = torch.randn(50, 3, generator=gen) - 1
    u = mean + log_std.exp() * torch.randn(50, 3, generator=gen)
    got = squashed_gaussian_log_prob(mean, log_std, u)
    m, s, u64 = mean.double(), log_std.double().exp(), u.double()
    exact = (
        Normal(m, s).log_prob(u64) - torch.log(1 - torch.tanh(u64) ** 2)
    ).sum(-1)
    torch.testing.assert_close(got.double(), exact, rtol=1e-6, atol=1e-5)
    dist = TransformedDistribution(Normal(mean, s.float()), [TanhTransform()])
    torch.testing.assert_close(
        got, dist.log_prob(torch.tanh(u)).sum(-1), rtol=1e-4, atol=1e-4
    )


def test_squashed_log_prob_stays_finite_where_tanh_saturates():
    u = torch.tensor([[-30.0], [30.0], [100.0]])
    got = squashed_gaussian_log_prob(u, torch.zeros_like(u), u)
    naive = (
        Normal(u, 1.0).log_prob(u) - torch.log(1 - torch.tanh(u) ** 2)
    ).sum(-1)
    assert torch.isinf(naive).all()  # tanh(u) rounds to 1
    # log(1 - tanh(u)^2) = log 4 - 2|u| - 2 log(1 + e^{-2|u|}) ~ log 4 - 2|u|
    expected = -0.5 * math.log(2 * math.pi) - (math.log(4) - 2 * u.abs())
    torch.testing.assert_close(got, expected[:, 0])


def test_smoothed_target_action_stays_near_mu_and_in_the_box():
    torch.manual_seed(0)
    half_width = torch.tensor([2.0, 0.5])
    low, high = -half_width, half_width
    mu = torch.tensor([[0.0, 0.0], [1.9, -0.5]]).repeat(5_000, 1)
    action = smoothed_target_action(mu, half_width, low, high, 0.2, 0.5)
    assert action.shape == mu.shape
    assert bool(((action >= low) & (action <= high)).all())
    noise = (action - mu) / half_width  # in units of the half-width
    assert float(noise.abs().max()) <= 0.5 + 1e-6  # the noise clip
    # at the centre nothing binds but the clip at 2.5 std: std near 0.2
    assert float(noise[0::2].std()) == pytest.approx(0.2, abs=0.01)
    # near an edge the box cuts: never past it, and often on it
    assert float((action[1::2, 0] == high[0]).float().mean()) > 0.3


def test_polyak_moves_the_target_only():
    online, target = nn.Linear(3, 2), nn.Linear(3, 2)
    before_online = [p.detach().clone() for p in online.parameters()]
    before_target = [p.detach().clone() for p in target.parameters()]
    polyak_update(target, online, tau=0.25)
    for t, t0, o0 in zip(
        target.parameters(), before_target, before_online, strict=True
    ):
        torch.testing.assert_close(t.detach(), 0.75 * t0 + 0.25 * o0)
    for o, o0 in zip(online.parameters(), before_online, strict=True):
        assert torch.equal(o.detach(), o0)
    with pytest.raises(ValueError, match="tau"):
        polyak_update(target, online, tau=0.0)
    with pytest.raises(ValueError, match="same parameters"):
        polyak_update(nn.Linear(3, 3), online, tau=0.5)


def test_estimation_bias_pairs_q_with_the_discounted_return():
    torch.manual_seed(0)
    actor = SquashedGaussianPolicy(3, [-2.0], [2.0], (8,))
    critic = QNetworks(3, 1, (8,))
    q, returns = estimation_bias(
        actor, critic, "Pendulum-v1", 4, seed=7, gamma=0.9, horizon=50
    )
    assert q.shape == returns.shape == (4,)
    episodes = play(
        actor,
        "Pendulum-v1",
        4,
        7,
        greedy=True,
        gamma=0.9,
        max_episode_steps=50,
    )
    np.testing.assert_array_equal(returns, episodes.returns)
    assert (episodes.lengths == 50).all()  # the time limit was lifted

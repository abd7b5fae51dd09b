"""The critics and policies of chapter 7."""

import numpy as np
import pytest
import torch
from torch.nn import functional as F

from actorcritic.off_policy import squashed_gaussian_log_prob
from actorcritic.off_policy_networks import (
    DeterministicPolicy,
    QNetworks,
    SquashedGaussianPolicy,
)


def test_the_critics_are_independent_mlps_computed_together():
    torch.manual_seed(0)
    critic = QNetworks(3, 2, (16, 8), n_critics=2)
    obs, action = torch.randn(5, 3), torch.randn(5, 2)
    q = critic(obs, action)
    assert q.shape == (2, 5)
    x = torch.cat([obs, action], -1)
    for k in range(2):  # critic k, layer after layer, on its own
        h = x
        for i, (w, b) in enumerate(
            zip(critic.weights, critic.biases, strict=True)
        ):
            h = F.linear(h, w[k].T, b[k, 0])
            h = torch.relu(h) if i < 2 else h
        torch.testing.assert_close(q[k], h[:, 0])
    assert not torch.equal(q[0], q[1])  # different initial weights


def test_critic_shapes_are_checked():
    critic = QNetworks(3, 1)
    with pytest.raises(ValueError, match=r"actions \(B, 1\)"):
        critic(torch.zeros(5, 3), torch.zeros(5))
    with pytest.raises(ValueError, match="n_critics"):
        QNetworks(3, 1, n_critics=0)


def test_squashed_policy_samples_in_the_box_with_gradients():
    torch.manual_seed(0)
    policy = SquashedGaussianPolicy(3, [-2.0, 0.0], [2.0, 1.0], (16,))
    obs = torch.randn(1000, 3)
    action, log_prob = policy.sample(obs)
    assert action.shape == (1000, 2) and log_prob.shape == (1000,)
    assert (action[:, 0].abs() <= 2).all()
    assert ((action[:, 1] >= 0) & (action[:, 1] <= 1)).all()
    (action.sum() + log_prob.sum()).backward()
    assert all(p.grad is not None for p in policy.parameters())
    # the log-probability is that of tanh(u) in (-1, 1)
    torch.manual_seed(1)
    action, log_prob = policy.sample(obs[:4])
    torch.manual_seed(1)
    mean, log_std = policy(obs[:4])
    u = mean + log_std.exp() * torch.randn_like(mean)
    torch.testing.assert_close(
        log_prob, squashed_gaussian_log_prob(mean, log_std, u)
    )


def test_greedy_actions_are_the_mean_and_acting_explores():
    torch.manual_seed(0)
    for policy in (
        SquashedGaussianPolicy(3, [-2.0], [2.0], (16,)),
        DeterministicPolicy(3, [-2.0], [2.0], (16,), noise_std=0.5),
    ):
        obs = np.random.default_rng(0).normal(size=(6, 3))
        greedy = policy.act_batch(obs, greedy=True)
        assert greedy.shape == (6, 1)
        np.testing.assert_array_equal(greedy, policy.act_batch(obs))
        explored = policy.act_batch(obs, greedy=False)
        assert not np.array_equal(explored, greedy)
        assert (np.abs(explored) <= 2).all()
        assert policy.act(obs[0]).shape == (1,)


def test_policies_reject_a_wrong_box_or_observation():
    with pytest.raises(ValueError, match="low < high"):
        DeterministicPolicy(3, [1.0], [1.0])
    with pytest.raises(ValueError, match="log_std_min < log_std_max"):
        SquashedGaussianPolicy(3, [-1.0], [1.0], log_std_min=2.0)
    with pytest.raises(ValueError, match="last dimension 3"):
        SquashedGaussianPolicy(3, [-1.0], [1.0])(torch.zeros(2, 4))

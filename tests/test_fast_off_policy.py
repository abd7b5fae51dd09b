"""Chapter 7's pieces by hand against autograd, to the last bit: the
critics' forward and backward passes, the squashed Gaussian's draw and
its gradient."""

import pytest
import torch

from actorcritic.fast import mlp_backward, mlp_forward, weights_and_grads
from actorcritic.fast_off_policy import (
    q_backward,
    q_forward,
    squashed_sample,
    squashed_sample_backward,
)
from actorcritic.off_policy import clipped_double_q
from actorcritic.off_policy_networks import QNetworks, SquashedGaussianPolicy
from actorcritic.optim import flat_parameters

# Pendulum (3, 1) at the chapter's sizes, the continuous lander (8, 2),
# three critics, one hidden layer, none
CRITIC_SIZES = [
    (3, 1, (64, 64), 2),
    (8, 2, (64, 64), 2),
    (5, 3, (16, 8), 3),
    (4, 2, (7,), 1),
    (3, 1, (), 2),
]


def batch(B, obs_dim, act_dim, seed):
    gen = torch.Generator().manual_seed(seed)
    obs = torch.randn(B, obs_dim, generator=gen)
    action = 2 * torch.rand(B, act_dim, generator=gen) - 1
    return obs, action, gen


@pytest.mark.parametrize("obs_dim, act_dim, hidden, n_critics", CRITIC_SIZES)
def test_the_critics_forward_and_backward_are_autograd(
    obs_dim, act_dim, hidden, n_critics
):
    torch.manual_seed(0)
    critic = QNetworks(obs_dim, act_dim, hidden, n_critics)
    flat = flat_parameters(critic)
    obs, action, gen = batch(256, obs_dim, act_dim, 1)
    grad_q = torch.randn(n_critics, 256, generator=gen)
    action.requires_grad_()
    q = critic(obs, action)
    (q * grad_q).sum().backward()
    expected = flat.grad.clone()
    with torch.no_grad():
        q_, inputs = q_forward(critic, obs, action)
        assert torch.equal(q_, q.detach())
        flat.grad.fill_(7.0)  # every gradient must be overwritten
        grads = [
            (w.grad, b.grad)
            for w, b in zip(critic.weights, critic.biases, strict=True)
        ]
        assert q_backward(critic, inputs, grad_q, grads) is None
        assert torch.equal(flat.grad, expected)
        # without gradients to write: the input's, and no weight's
        flat.grad.fill_(7.0)
        d_input = q_backward(critic, inputs, grad_q)
    assert torch.equal(d_input[:, obs_dim:], action.grad)
    assert bool((flat.grad == 7.0).all())


def actor_and_critic(obs_dim, act_dim, hidden, seed, log_std_bias=0.0):
    torch.manual_seed(seed)
    # a box whose half-widths (2.25, 0.5, 0.85) and centres are not
    # Pendulum's 2 and 0: a misplaced scale would change the result
    low = torch.tensor([-3.0, 0.0, -1.0])[:act_dim]
    high = torch.tensor([1.5, 1.0, 0.7])[:act_dim]
    actor = SquashedGaussianPolicy(obs_dim, low, high, hidden)
    with torch.no_grad():  # push some log stds past the clamp
        actor.net[-1].bias[act_dim:] += log_std_bias
    critic = QNetworks(obs_dim, act_dim, hidden)
    return actor, critic, flat_parameters(actor)


@pytest.mark.parametrize("obs_dim, act_dim, hidden, _", CRITIC_SIZES)
@pytest.mark.parametrize("alpha, log_std_bias", [(0.2, 0.0), (1.3, 2.5)])
def test_the_actor_step_is_autograd_bit_for_bit(
    obs_dim, act_dim, hidden, _, alpha, log_std_bias
):
    """The sample, its log-probability and the actor's gradient of
    ``mean(alpha log pi - min_i Q_i)``, as ``train_sac`` computes them
    through autograd, including where the clamp on log std binds."""
    actor, critic, flat = actor_and_critic(
        obs_dim, act_dim, hidden, 0, log_std_bias
    )
    obs, _, _ = batch(256, obs_dim, act_dim, 2)
    torch.manual_seed(3)
    action, log_prob = actor.sample(obs)
    loss = (alpha * log_prob - clipped_double_q(critic(obs, action))).mean()
    loss.backward(inputs=list(actor.parameters()))
    expected = flat.grad.clone()
    (weights,), (grads,) = weights_and_grads(actor)
    torch.manual_seed(3)
    with torch.no_grad():
        out, inputs = mlp_forward(weights, obs, "relu")
        sample = squashed_sample(actor, out)
        assert torch.equal(sample.action, action.detach())
        assert torch.equal(sample.log_prob, log_prob.detach())
        q_pi, q_inputs = q_forward(critic, obs, sample.action)
        smallest = q_pi.min(dim=0)
        mean_grad = torch.ones(()).expand(256) / 256
        d_q = torch.zeros_like(q_pi).scatter_(
            0, smallest.indices[None], -mean_grad[None]
        )
        d_action = q_backward(critic, q_inputs, d_q)[:, obs_dim:]
        d_out = squashed_sample_backward(
            actor, sample, d_action, mean_grad * alpha
        )
        flat.grad.fill_(7.0)
        mlp_backward(weights, inputs, d_out, grads, "relu")
    if log_std_bias:  # the clamp did bind, and let no gradient through
        assert bool((out[:, act_dim:] > actor.log_std_max).any())
    assert torch.equal(flat.grad, expected)

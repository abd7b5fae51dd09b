"""The fast path against autograd: the networks' backward pass and the
A2C step bit for bit, the PPO loss's hand-derived gradient in float64."""

import dataclasses

import pytest
import torch

from actorcritic.algorithms.parallel_a2c import (
    LUNAR_LANDER_A2C,
    ParallelA2CConfig,
    train_parallel_a2c,
)
from actorcritic.fast import (
    a2c_gradients_by_hand,
    critic_values,
    mlp_backward,
    mlp_forward,
    mlp_weights,
    ppo_loss_and_grads,
    run_mlp,
    weights_and_grads,
)
from actorcritic.losses import a2c_loss, ppo_loss
from actorcritic.networks import (
    CategoricalPolicy,
    ValueNetwork,
    mlp,
    orthogonal_init,
)
from actorcritic.optim import flat_parameters
from actorcritic.returns import n_step_returns


def test_run_mlp_is_the_network_without_its_modules():
    torch.manual_seed(0)
    net = mlp(8, 4, (16, 16))
    x = torch.randn(64, 8)
    assert torch.equal(run_mlp(mlp_weights(net), x), net(x))
    # the weights are the parameters themselves: gradients reach them
    run_mlp(mlp_weights(net), x).sum().backward()
    assert all(p.grad is not None for p in net.parameters())


@pytest.mark.parametrize(
    "in_dim, hidden, out_dim",
    [(8, (64, 64), 4), (8, (64, 64), 1), (3, (5,), 2), (4, (), 1)],
)
def test_mlp_backward_is_autograd_bit_for_bit(in_dim, hidden, out_dim):
    """mlp_forward + mlp_backward give the output and the parameter
    gradients that run_mlp + backward() give, to the last bit."""
    torch.manual_seed(0)
    net = orthogonal_init(mlp(in_dim, out_dim, hidden), 1.0)
    weights = mlp_weights(net)
    x = torch.randn(64, in_dim)
    grad_out = torch.randn(64, out_dim)
    out = run_mlp(weights, x)
    out.backward(grad_out)
    expected = [(w.grad.clone(), b.grad.clone()) for w, b in weights]
    grads = [
        (torch.full_like(w, 7.0), torch.full_like(b, 7.0)) for w, b in weights
    ]
    with torch.no_grad():
        out_by_hand, inputs = mlp_forward(weights, x)
        mlp_backward(weights, inputs, grad_out, grads)
    assert torch.equal(out_by_hand, out.detach())
    for (w, b), (ew, eb) in zip(grads, expected, strict=True):
        assert torch.equal(w, ew) and torch.equal(b, eb)


def networks(obs_dim, n_actions, hidden, seed):
    torch.manual_seed(seed)
    actor = CategoricalPolicy(obs_dim, n_actions, hidden)
    critic = ValueNetwork(obs_dim, hidden)
    orthogonal_init(actor, 0.01)
    orthogonal_init(critic, 1.0)
    flat = flat_parameters(actor, critic)
    return actor, critic, flat


def rollout(T, N, obs_dim, n_actions, seed):
    gen = torch.Generator().manual_seed(seed)
    return dict(
        obs=torch.randn(T, N, obs_dim, generator=gen),
        next_obs=torch.randn(T, N, obs_dim, generator=gen),
        action=torch.randint(0, n_actions, (T, N), generator=gen),
        reward=torch.randn(T, N, generator=gen),
        terminated=(torch.rand(T, N, generator=gen) < 0.1).float(),
        truncated=(torch.rand(T, N, generator=gen) < 0.05).float(),
    )


# chapter 4 (CartPole: 4 observations, 2 actions), chapter 5's landing,
# bench_sb3_a2c's LunarLander, a one-step rollout and an odd small net
A2C_SIZES = [
    (5, 8, 4, 2, (64, 64)),
    (8, 16, 8, 4, (128, 128)),
    (5, 8, 8, 4, (64, 64)),
    (1, 1, 4, 2, (64, 64)),
    (3, 2, 3, 3, (5,)),
]


@pytest.mark.parametrize("T, N, obs_dim, n_actions, hidden", A2C_SIZES)
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_a2c_step_is_autograd_bit_for_bit(
    T, N, obs_dim, n_actions, hidden, seed
):
    """The loss, entropies, values and the whole flat gradient that
    train_parallel_a2c's autograd step gives, to the last bit, with the
    gradients written into views of the flat gradient as in training
    (where a product written straight into a view can round otherwise)."""
    actor, critic, flat = networks(obs_dim, n_actions, hidden, seed)
    data = rollout(T, N, obs_dim, n_actions, 100 + seed)
    flags = data["reward"], data["terminated"], data["truncated"]
    coefs = 0.5, 0.01
    # autograd, as train_parallel_a2c computes it with another loss_fn
    log_prob, entropy = actor.log_prob_entropy(data["obs"], data["action"])
    values = critic(torch.cat([data["obs"], data["next_obs"]]))
    value, next_value = values[:T], values[T:].detach()
    returns = n_step_returns(*flags[:1], next_value, *flags[1:], 0.99)
    loss = a2c_loss(log_prob, entropy, value, returns, *coefs)
    flat.grad.zero_()
    loss.backward()
    expected = flat.grad.clone()
    # by hand
    flat.grad.fill_(7.0)  # every gradient must be overwritten
    weights, grads = weights_and_grads(actor, critic)
    value_, next_value_, inputs = critic_values(
        weights[1], data["obs"], data["next_obs"]
    )
    assert torch.equal(value_, value.detach())
    assert torch.equal(next_value_, next_value)
    loss_, entropy_ = a2c_gradients_by_hand(
        weights,
        grads,
        data["obs"],
        data["action"],
        returns,
        (value_, inputs),
        *coefs,
    )
    assert torch.equal(loss_, loss.detach())
    assert torch.equal(entropy_, entropy.detach())
    assert torch.equal(flat.grad, expected)


def test_a2c_step_rejects_mismatched_shapes():
    actor, critic, _ = networks(4, 2, (8,), seed=0)
    weights, grads = weights_and_grads(actor, critic)
    data = rollout(3, 2, 4, 2, seed=0)
    value, _, inputs = critic_values(weights[1], data["obs"], data["obs"])
    with pytest.raises(ValueError, match="one shape"):
        a2c_gradients_by_hand(
            weights,
            grads,
            data["obs"],
            data["action"],
            torch.zeros(3, 1),
            (value, inputs),
            0.5,
            0.01,
        )


def test_weights_and_grads_needs_gradients():
    with pytest.raises(ValueError, match=r"\.grad"):
        weights_and_grads(CategoricalPolicy(4, 2))


def a2c_twice(config):
    """The same run through the fast path and through autograd (any
    loss_fn but the package's own takes autograd's path)."""

    def same_loss(*args):
        return a2c_loss(*args)

    return [
        train_parallel_a2c(config, seed=1, loss_fn=loss).history
        for loss in (a2c_loss, same_loss)
    ]


@pytest.mark.parametrize(
    "config",
    [
        ParallelA2CConfig(total_steps=4_000, eval_every=2_000),
        dataclasses.replace(
            LUNAR_LANDER_A2C, total_steps=4_096, eval_every=2_048
        ),
    ],
    ids=["chapter 4", "chapter 5"],
)
def test_a2c_runs_the_same_by_hand_and_through_autograd(config):
    fast, slow = a2c_twice(config)
    assert (fast.gradients, slow.gradients) == ("by hand", "autograd")
    assert fast.episode_return == slow.episode_return
    assert fast.eval_return == slow.eval_return
    assert fast.logs == slow.logs


def logits_batch(B: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    f64 = dict(dtype=torch.float64)
    logits = torch.randn(B, 4, generator=gen, **f64).requires_grad_()
    action = torch.randint(0, 4, (B,), generator=gen)
    log_prob = torch.log_softmax(logits, -1).gather(-1, action[:, None])
    # collecting-policy log-probabilities near the current ones, so that
    # ratios fall on both sides of the clip range
    old = log_prob.squeeze(-1) + 0.3 * torch.randn(B, generator=gen, **f64)
    return dict(
        logits=logits,
        action=action,
        old_log_prob=old.detach(),
        advantage=torch.randn(B, generator=gen, **f64),
        value=torch.randn(B, generator=gen, **f64).requires_grad_(),
        returns=torch.randn(B, generator=gen, **f64),
    )


def ppo_through_autograd(kw, coefs):
    log_p = torch.log_softmax(kw["logits"], -1)
    return ppo_loss(
        log_p.gather(-1, kw["action"][:, None]).squeeze(-1),
        kw["old_log_prob"],
        kw["advantage"],
        -(log_p.exp() * log_p).sum(-1),
        kw["value"],
        kw["returns"],
        **coefs,
    )


@pytest.mark.parametrize("seed, clip", [(0, 0.2), (1, 0.1), (2, 0.3)])
def test_ppo_loss_and_grads_is_ppo_loss_through_autograd(seed, clip):
    """In float64, to 1e-12: the formula is right. (In float32 the two
    round differently: the hand-derived gradient is not autograd's
    sequence of operations.)"""
    kw = logits_batch(64, seed)
    coefs = dict(clip=clip, value_coef=0.5, entropy_coef=0.01)
    slow = ppo_through_autograd(kw, coefs)
    d_logits, d_value = torch.autograd.grad(slow, (kw["logits"], kw["value"]))
    loss, fast_logits, fast_value = ppo_loss_and_grads(
        **{k: v.detach() for k, v in kw.items()}, **coefs
    )
    assert torch.allclose(loss, slow.detach(), rtol=0, atol=1e-12)
    assert torch.allclose(fast_logits, d_logits, rtol=0, atol=1e-12)
    assert torch.allclose(fast_value, d_value, rtol=0, atol=1e-12)


def test_ppo_loss_and_grads_rejects_other_shapes():
    kw = logits_batch(8, seed=0)
    kw["value"] = kw["value"][:4]
    with pytest.raises(ValueError, match="expected"):
        ppo_loss_and_grads(**kw, clip=0.2, value_coef=0.5, entropy_coef=0.0)
    kw = logits_batch(8, seed=0)
    kw["action"] = kw["action"][:4]
    with pytest.raises(ValueError, match="expected logits"):
        ppo_loss_and_grads(**kw, clip=0.2, value_coef=0.5, entropy_coef=0.0)


def test_mlp_backward_needs_one_input_and_gradient_per_layer():
    net = mlp(3, 2, (5,))
    weights = mlp_weights(net)
    with torch.no_grad():
        _, inputs = mlp_forward(weights, torch.zeros(1, 3))
    with pytest.raises(ValueError, match="one input and one"):
        mlp_backward(weights, inputs[:1], torch.zeros(1, 2), [])

"""Hot spots of parallel A2C, the plain way and the package's way, in one
run (ratios, interleaved):

- sampling a batch of 8 actions: ``Categorical(logits).sample()`` against
  Gumbel-max in ``CategoricalPolicy.act_batch``, and that against the same
  Gumbel-max in NumPy (``rollouts.NumpyActor``, what the rollout
  collector of ``train_parallel_a2c`` uses);
- log-probabilities and entropies of a (5, 8) rollout:
  ``dist(obs).log_prob`` + ``.entropy()`` against ``log_prob_entropy``;
- n-step returns of a (5, 8) rollout: indexing each time step against
  ``returns.n_step_returns`` (one ``unbind`` per tensor);
- clipping the gradient norm of one flat tensor:
  ``nn.utils.clip_grad_norm_`` against ``optim.clip_flat_grad_``;
- one optimiser step of A2C (loss, backward, clip, Adam) on a (5, 8)
  CartPole rollout: one parameter tensor per weight matrix against
  ``optim.flat_parameters`` (one flat tensor for all of them);
- the A2C step (values, returns, gradients, clip, Adam) through autograd
  against ``fast.a2c_gradients_by_hand`` (the same numbers, bit for bit),
  on chapter 4's (5, 8) CartPole rollouts with 64-64 networks and on
  chapter 5's (8, 16) LunarLander rollouts with 128-128 networks.

    python benchmarks/bench_parallel_a2c.py
"""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.distributions import Categorical

from actorcritic.fast import (
    a2c_gradients_by_hand,
    critic_values,
    weights_and_grads,
)
from actorcritic.losses import a2c_loss
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.optim import clip_flat_grad_, flat_parameters
from actorcritic.returns import n_step_returns
from actorcritic.rollouts import NumpyActor

REPEATS, ROUNDS = 2_000, 5


def per_call(fn) -> float:
    start = time.perf_counter()
    for _ in range(REPEATS):
        fn()
    return (time.perf_counter() - start) / REPEATS * 1e6  # microseconds


def a2c_update(flat: bool):
    """One A2C optimiser step on a fixed (5, 8) CartPole-sized rollout."""
    torch.manual_seed(0)
    actor, critic = CategoricalPolicy(4, 2), ValueNetwork(4)
    obs, next_obs = torch.randn(5, 8, 4), torch.randn(5, 8, 4)
    action = torch.randint(0, 2, (5, 8))
    reward, zeros = torch.ones(5, 8), torch.zeros(5, 8)
    if flat:
        params = [flat_parameters(actor, critic)]
    else:
        params = [*actor.parameters(), *critic.parameters()]
    optimizer = torch.optim.Adam(params, lr=7e-4, eps=1e-5, fused=True)

    def step():
        log_prob, entropy = actor.log_prob_entropy(obs, action)
        values = critic(torch.cat([obs, next_obs]))
        returns = n_step_returns(
            reward, values[5:].detach(), zeros, zeros, 0.99
        )
        loss = a2c_loss(log_prob, entropy, values[:5], returns, 0.5, 0.01)
        if flat:
            params[0].grad.zero_()
        else:
            optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 0.5)
        optimizer.step()

    return step


def a2c_step(T, N, obs_dim, n_actions, hidden, by_hand: bool):
    """train_parallel_a2c's step on a fixed (T, N) rollout, through
    autograd or by hand."""
    torch.manual_seed(0)
    actor = CategoricalPolicy(obs_dim, n_actions, hidden)
    critic = ValueNetwork(obs_dim, hidden)
    flat = flat_parameters(actor, critic)
    weights, grads = weights_and_grads(actor, critic)
    optimizer = torch.optim.Adam([flat], lr=7e-4, eps=1e-5, fused=True)
    obs, next_obs = torch.randn(T, N, obs_dim), torch.randn(T, N, obs_dim)
    action = torch.randint(0, n_actions, (T, N))
    reward, zeros = torch.ones(T, N), torch.zeros(T, N)

    def step():
        if by_hand:
            value, next_value, inputs = critic_values(
                weights[1], obs, next_obs
            )
        else:
            log_prob, entropy = actor.log_prob_entropy(obs, action)
            values = critic(torch.cat([obs, next_obs]))
            value, next_value = values[:T], values[T:].detach()
        returns = n_step_returns(reward, next_value, zeros, zeros, 0.99)
        if by_hand:
            a2c_gradients_by_hand(
                weights,
                grads,
                obs,
                action,
                returns,
                (value, inputs),
                0.5,
                0.01,
            )
        else:
            loss = a2c_loss(log_prob, entropy, value, returns, 0.5, 0.01)
            flat.grad.zero_()
            loss.backward()
        clip_flat_grad_(flat, 0.5)
        optimizer.step()

    return step


def indexed_n_step_returns(reward, next_value, terminated, truncated):
    """n-step returns (gamma 0.99) indexing the (T, N) tensors at each
    step, as the package did before it unbound them once."""
    discount = 0.99 * (1.0 - terminated)
    cut = truncated.bool()
    out = torch.empty_like(reward)
    following = next_value[-1]
    for t in range(reward.shape[0] - 1, -1, -1):
        following = torch.where(cut[t], next_value[t], following)
        following = reward[t] + discount[t] * following
        out[t] = following
    return out


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 2)
    obs8 = torch.randn(8, 4).numpy()
    rollout_obs = torch.randn(5, 8, 4)
    actions = torch.randint(0, 2, (5, 8))

    @torch.no_grad()
    def sample_categorical():
        logits = actor(torch.as_tensor(obs8))
        return Categorical(logits=logits, validate_args=False).sample()

    def sample_gumbel():
        return actor.act_batch(obs8)

    numpy_actor = NumpyActor(actor)

    def sample_numpy():
        return numpy_actor.act_batch(obs8)

    def dist_way():
        dist = actor.dist(rollout_obs)
        return dist.log_prob(actions), dist.entropy()

    def fused_way():
        return actor.log_prob_entropy(rollout_obs, actions)

    reward, next_value = torch.randn(5, 8), torch.randn(5, 8)
    terminated = (torch.rand(5, 8) < 0.1).float()
    truncated = (torch.rand(5, 8) < 0.1).float()
    assert torch.allclose(
        indexed_n_step_returns(reward, next_value, terminated, truncated),
        n_step_returns(reward, next_value, terminated, truncated, 0.99),
    )

    def returns_indexed():
        return indexed_n_step_returns(
            reward, next_value, terminated, truncated
        )

    def returns_package():
        return n_step_returns(reward, next_value, terminated, truncated, 0.99)

    flat = flat_parameters(CategoricalPolicy(4, 2), ValueNetwork(4))
    gradient = torch.randn_like(flat)

    def clip_library():
        flat.grad.copy_(gradient)
        nn.utils.clip_grad_norm_(flat, 0.5)

    def clip_package():
        flat.grad.copy_(gradient)
        clip_flat_grad_(flat, 0.5)

    chapter_4, chapter_5 = (
        [a2c_step(*sizes, by_hand) for by_hand in (False, True)]
        for sizes in ((5, 8, 4, 2, (64, 64)), (8, 16, 8, 4, (128, 128)))
    )
    pairs = [
        ("sample 8 actions", sample_categorical, sample_gumbel),
        ("sample 8, torch vs NumPy", sample_gumbel, sample_numpy),
        ("log-prob + entropy (5, 8)", dist_way, fused_way),
        ("n-step returns (5, 8)", returns_indexed, returns_package),
        ("clip a flat gradient", clip_library, clip_package),
        ("A2C update (5, 8)", a2c_update(False), a2c_update(True)),
        ("A2C step (5, 8), by hand", *chapter_4),
        ("A2C step (8, 16), by hand", *chapter_5),
    ]
    print(f"{'':<28}{'plain µs':>10}{'package µs':>12}{'ratio':>7}")
    for name, plain, package in pairs:
        a, b = [], []
        for _ in range(ROUNDS):
            a.append(per_call(plain))
            b.append(per_call(package))
        print(
            f"{name:<28}{min(a):>10.1f}{min(b):>12.1f}{min(a) / min(b):>7.2f}"
        )


if __name__ == "__main__":
    main()

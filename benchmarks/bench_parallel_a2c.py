"""Two hot spots of parallel A2C, the plain way and the package's way, in
one run (ratios, interleaved):

- sampling a batch of 8 actions: ``Categorical(logits).sample()`` against
  Gumbel-max in ``CategoricalPolicy.act_batch``;
- log-probabilities and entropies of a (5, 8) rollout:
  ``dist(obs).log_prob`` + ``.entropy()`` against ``log_prob_entropy``;
- one optimiser step of A2C (loss, backward, clip, Adam) on a (5, 8)
  CartPole rollout: one parameter tensor per weight matrix against
  ``training.flat_parameters`` (one flat tensor for all of them).

    python benchmarks/bench_parallel_a2c.py
"""

from __future__ import annotations

import time

import torch
from torch import nn
from torch.distributions import Categorical

from actorcritic.losses import a2c_loss
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.returns import n_step_returns
from actorcritic.training import flat_parameters

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

    def dist_way():
        dist = actor.dist(rollout_obs)
        return dist.log_prob(actions), dist.entropy()

    def fused_way():
        return actor.log_prob_entropy(rollout_obs, actions)

    pairs = [
        ("sample 8 actions", sample_categorical, sample_gumbel),
        ("log-prob + entropy (5, 8)", dist_way, fused_way),
        ("A2C update (5, 8)", a2c_update(False), a2c_update(True)),
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

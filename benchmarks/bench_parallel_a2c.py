"""Two hot spots of parallel A2C, the plain way and the package's way, in
one run (ratios, interleaved):

- sampling a batch of 8 actions: ``Categorical(logits).sample()`` against
  Gumbel-max in ``CategoricalPolicy.act_batch``;
- log-probabilities and entropies of a (5, 8) rollout:
  ``dist(obs).log_prob`` + ``.entropy()`` against ``log_prob_entropy``.

    python benchmarks/bench_parallel_a2c.py
"""

from __future__ import annotations

import time

import torch
from torch.distributions import Categorical

from actorcritic.networks import CategoricalPolicy

REPEATS, ROUNDS = 2_000, 5


def per_call(fn) -> float:
    start = time.perf_counter()
    for _ in range(REPEATS):
        fn()
    return (time.perf_counter() - start) / REPEATS * 1e6  # microseconds


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

"""The variance experiment of chapter 1, two ways, in one run.

The chapter computes each episode's gradient once and averages them into
batches (``batch_means``); the direct way calls ``gradient_samples`` (one
backward pass per batch) for every batch size. Both give the same
variances; this script checks that and prints the time ratio. Then
chapter 6's case: each episode's gradient under a dozen weightings, one
weighting after another (``gradient_samples``) against one batched
backward pass per episode (``per_episode_gradients``):

    python benchmarks/bench_variance.py
"""

from __future__ import annotations

import time

import torch

from actorcritic.gradients import (
    episode_weights,
    gradient_samples,
    per_episode_gradients,
)
from actorcritic.networks import CategoricalPolicy
from actorcritic.rollouts import collect_episodes
from actorcritic.variance import batch_means, total_variance

BATCH_SIZES = [1, 2, 4, 8, 16]


def rtg(ep):
    return episode_weights(ep.reward, "reward_to_go", 1.0)


def direct(actor, episodes):
    return [
        total_variance(gradient_samples(actor, episodes, b, rtg))
        for b in BATCH_SIZES
    ]


def reused(actor, episodes):
    per_episode = gradient_samples(actor, episodes, 1, rtg)  # (N, P)
    return [total_variance(batch_means(per_episode, b)) for b in BATCH_SIZES]


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    actor = CategoricalPolicy(4, 2)
    episodes = collect_episodes(actor, "CartPole-v1", 480, seed=0)
    times = {"direct": [], "reused": []}
    results = {}
    for _ in range(3):  # interleaved repeats; the minimum is reported
        for name, fn in (("direct", direct), ("reused", reused)):
            start = time.perf_counter()
            results[name] = fn(actor, episodes)
            times[name].append(time.perf_counter() - start)
    a, b = results["direct"], results["reused"]
    worst = max(abs(x - y) / x for x, y in zip(a, b, strict=True))
    best = {name: min(t) for name, t in times.items()}
    print(f"480 episodes, batch sizes {BATCH_SIZES}")
    print(f"direct: {best['direct']:.2f} s   reused: {best['reused']:.2f} s")
    print(f"ratio direct / reused: {best['direct'] / best['reused']:.2f}")
    print(f"largest relative difference in the variances: {worst:.1e}")

    gammas = (0.0, 0.1, 0.2, 0.3, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 1.0)
    fns = {
        g: (lambda ep, g=g: episode_weights(ep.reward, "reward_to_go", g))
        for g in gammas
    }
    times = {"one by one": [], "batched": []}
    for _ in range(3):
        start = time.perf_counter()
        single = {
            g: gradient_samples(actor, episodes, 1, f) for g, f in fns.items()
        }
        times["one by one"].append(time.perf_counter() - start)
        start = time.perf_counter()
        batched = per_episode_gradients(actor, episodes, fns)
        times["batched"].append(time.perf_counter() - start)
    worst = max((single[g] - batched[g]).abs().max().item() for g in fns)
    best = {name: min(t) for name, t in times.items()}
    print(f"\n{len(fns)} weightings of the same 480 episodes")
    print(
        f"one by one: {best['one by one']:.2f} s   batched: "
        f"{best['batched']:.2f} s   ratio: "
        f"{best['one by one'] / best['batched']:.2f}"
    )
    print(f"largest difference in the gradients: {worst:.1e}")


if __name__ == "__main__":
    main()

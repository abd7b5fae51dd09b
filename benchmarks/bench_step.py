"""Cost of one online actor-critic update, option against option, in one run.

The one-step actor-critic updates both networks after every environment
step, so the per-step overhead of PyTorch dominates. This script times the
update with the choices the package makes against the obvious
alternatives, interleaved, and prints ratios:

    python benchmarks/bench_step.py
"""

from __future__ import annotations

import statistics
import time

import torch

from actorcritic.networks import CategoricalPolicy, ValueNetwork


def make_step(threads: int, fused: bool, fast_sample: bool):
    torch.manual_seed(0)
    actor, critic = CategoricalPolicy(4, 2), ValueNetwork(4)
    optimizer = torch.optim.Adam(
        [*actor.parameters(), *critic.parameters()], lr=1e-3, fused=fused
    )
    obs, next_obs = torch.randn(4), torch.randn(4)

    def step():
        torch.set_num_threads(threads)
        if fast_sample:
            _, log_prob = actor.sample(obs)
        else:
            dist = actor.dist(obs)
            log_prob = dist.log_prob(dist.sample())
        values = critic(torch.stack([obs, next_obs]))  # (2,)
        delta = 1.0 + 0.99 * values[1].detach() - values[0]
        loss = -delta.detach() * log_prob + 0.5 * delta**2
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()

    return step


def time_per_step(step, n: int) -> float:
    start = time.perf_counter()
    for _ in range(n):
        step()
    return (time.perf_counter() - start) / n


def main(n: int = 2_000, rounds: int = 5) -> None:
    default_threads = torch.get_num_threads()
    variants = {
        "package (1 thread, fused Adam, fast sample)": (1, True, True),
        "default threads": (default_threads, True, True),
        "foreach Adam": (1, False, True),
        "Categorical.sample": (1, True, False),
    }
    steps = {name: make_step(*args) for name, args in variants.items()}
    times = {name: [] for name in variants}
    for _ in range(rounds):  # interleave to share the machine's noise
        for name, step in steps.items():
            time_per_step(step, n // 10)  # warm up
            times[name].append(time_per_step(step, n))
    base = statistics.median(
        times["package (1 thread, fused Adam, fast sample)"]
    )
    print(f"{'variant':<46}{'us/step':>9}{'vs package':>12}")
    for name, ts in times.items():
        med = statistics.median(ts)
        print(f"{name:<46}{med * 1e6:>9.0f}{med / base:>11.2f}x")
    torch.set_num_threads(default_threads)


if __name__ == "__main__":
    main()

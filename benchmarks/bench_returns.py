"""``returns.reward_to_go`` two ways, in one run: the recursion on 0-d
tensors (one small PyTorch call per operation, the package's way until
issue 17) and on NumPy scalars of the same dtype (the package's way now).
Checks that both give the same bits and prints the time ratio, on
batches of the sizes chapters 1 and 5 build:

    python benchmarks/bench_returns.py
"""

from __future__ import annotations

import time

import torch

from actorcritic.returns import reward_to_go

ROUNDS = 5


def reward_to_go_tensors(reward, gamma, episode_end):
    keep = 1.0 - episode_end.to(reward.dtype)
    out = torch.empty_like(reward)
    running = torch.zeros((), dtype=reward.dtype)
    for t in range(reward.shape[0] - 1, -1, -1):
        running = reward[t] + gamma * keep[t] * running
        out[t] = running
    return out


def batch(episodes: int, shortest: int, longest: int, seed: int):
    gen = torch.Generator().manual_seed(seed)
    lengths = torch.randint(shortest, longest + 1, (episodes,), generator=gen)
    reward = 3 * torch.randn(int(lengths.sum()), generator=gen)
    episode_end = torch.zeros_like(reward)
    episode_end[torch.cumsum(lengths, 0) - 1] = 1.0
    return reward, episode_end


def best_time(fn, *args) -> tuple[float, torch.Tensor]:
    best, out = float("inf"), None
    for _ in range(ROUNDS):
        start = time.perf_counter()
        out = fn(*args)
        best = min(best, time.perf_counter() - start)
    return best, out


def main() -> None:
    torch.set_num_threads(1)
    sizes = {
        "chapter 1: one CartPole episode (500)": (1, 500, 500),
        "chapter 5: 16 early episodes (60-150)": (16, 60, 150),
        "chapter 5: 16 long episodes (500-1000)": (16, 500, 1000),
    }
    print(f"{'batch':<42}{'steps':>7}{'tensors':>10}{'numpy':>10}{'ratio':>8}")
    for seed, (name, (episodes, lo, hi)) in enumerate(sizes.items()):
        reward, ends = batch(episodes, lo, hi, seed)
        old, a = best_time(reward_to_go_tensors, reward, 0.99, ends)
        new, b = best_time(reward_to_go, reward, 0.99, ends)
        assert torch.equal(a, b), "the two ways differ"
        print(
            f"{name:<42}{len(reward):>7}{old * 1e3:>8.1f}ms{new * 1e3:>8.1f}ms"
            f"{old / new:>8.1f}"
        )


if __name__ == "__main__":
    main()

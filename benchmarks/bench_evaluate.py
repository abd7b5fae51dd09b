"""Greedy evaluation two ways, in one run: episodes one after another (one
network call per episode and step) and in lockstep (one call per step for
all unfinished episodes, what ``evaluate`` does for policies with
``act_batch``). Checks that the returns agree and prints the time ratio:

    python benchmarks/bench_evaluate.py
"""

from __future__ import annotations

import time

import numpy as np
import torch

from actorcritic.evaluation import evaluate
from actorcritic.networks import CategoricalPolicy, GaussianPolicy

ROUNDS = 5


class OneAtATime:
    """Hides ``act_batch`` so that ``evaluate`` takes the sequential path."""

    def __init__(self, policy) -> None:
        self.policy = policy

    def act(self, obs, greedy: bool = False):
        return self.policy.act(obs, greedy=greedy)


def timed(policy, env_id: str, episodes: int) -> tuple[float, np.ndarray]:
    start = time.perf_counter()
    returns = evaluate(policy, env_id, n_episodes=episodes, seed=123)
    return time.perf_counter() - start, returns


def main() -> None:
    torch.set_num_threads(1)
    torch.manual_seed(0)
    cases = [
        ("Pendulum-v1", GaussianPolicy(3, [-2.0], [2.0]), 10),
        ("CartPole-v1", CategoricalPolicy(4, 2), 10),
    ]
    print(
        f"{'env':<14}{'episodes':>9}{'sequential':>12}{'lockstep':>10}"
        f"{'ratio':>7}"
    )
    for env_id, policy, episodes in cases:
        seq, lock = [], []
        for _ in range(ROUNDS):  # interleaved, so drift hits both alike
            t, a = timed(OneAtATime(policy), env_id, episodes)
            seq.append(t)
            t, b = timed(policy, env_id, episodes)
            lock.append(t)
            np.testing.assert_allclose(a, b, rtol=1e-6)
        s, lk = min(seq), min(lock)
        print(f"{env_id:<14}{episodes:>9}{s:>11.3f}s{lk:>9.3f}s{s / lk:>7.1f}")


if __name__ == "__main__":
    main()

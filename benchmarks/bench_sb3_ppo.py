"""The book's PPO against Stable-Baselines3's PPO, same settings, in one
run on LunarLander-v3: steps per second of training, their ratio, and the
final greedy return of each over 100 seeded episodes.

Stable-Baselines3 is a benchmark-only dependency, not a book one:

    pip install stable-baselines3==2.9.2
    python benchmarks/bench_sb3_ppo.py              # seeds 0, 1, 2
    python benchmarks/bench_sb3_ppo.py --seeds 0    # one seed

Shared settings, those of the book's ``LUNAR_LANDER_PPO``: synchronous
envs without a render mode (SB3's DummyVecEnv, Gymnasium's
SyncVectorEnv), the rollout length, epochs and minibatch size, GAE's
gamma and lambda, the clip range, value and entropy coefficients,
gradient norm clipping, advantage normalisation per minibatch, separate
64-64 tanh networks with orthogonal initialisation, Adam (eps 1e-5) with
the same step-size schedule, one thread. Training time excludes the final
evaluation, which is the same for both (``actorcritic.evaluate``).
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import torch
from bench_sb3_a2c import SB3Policy  # this folder: the script's path
from stable_baselines3 import PPO
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv

from actorcritic.algorithms.ppo import LUNAR_LANDER_PPO, train_ppo
from actorcritic.evaluation import evaluate

TEST_SEED = 7_000_000  # episodes no training run evaluated


def train_book(config, seed: int):
    config = dataclasses.replace(
        config, eval_every=config.total_steps, eval_episodes=1
    )  # one evaluation, at the end, not timed
    result = train_ppo(config, seed)
    return result.actor, result.history.train_seconds


def train_sb3(config, seed: int):
    envs = make_vec_env(
        config.env_id,
        n_envs=config.n_envs,
        seed=seed,
        vec_env_cls=DummyVecEnv,
        # make_vec_env sets render_mode="rgb_array" unless told otherwise,
        # which slows LunarLander about 2.5 times
        env_kwargs={"render_mode": None},
    )
    lr, lr_end = config.lr, config.lr_end
    model = PPO(
        "MlpPolicy",
        envs,
        n_steps=config.n_steps,
        batch_size=config.minibatch_size,
        n_epochs=config.n_epochs,
        learning_rate=lambda remaining: lr_end + (lr - lr_end) * remaining,
        gamma=config.gamma,
        gae_lambda=config.gae_lambda,
        clip_range=config.clip,
        ent_coef=config.entropy_coef,
        vf_coef=config.value_coef,
        max_grad_norm=config.max_grad_norm,
        normalize_advantage=config.normalize_advantage,
        policy_kwargs=dict(
            net_arch=dict(pi=list(config.hidden), vf=list(config.hidden)),
            activation_fn=torch.nn.Tanh,
        ),
        seed=seed,
        device="cpu",
        verbose=0,
    )
    start = time.perf_counter()
    model.learn(total_timesteps=config.total_steps)
    seconds = time.perf_counter() - start
    envs.close()
    return SB3Policy(model), seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = LUNAR_LANDER_PPO
    rows = []
    for seed in map(int, args.seeds.split(",")):
        for name, train in (("book", train_book), ("SB3", train_sb3)):
            policy, seconds = train(config, seed)
            returns = evaluate(
                policy, config.env_id, n_episodes=100, seed=TEST_SEED
            )
            rows.append((name, config.total_steps / seconds, returns.mean()))
            print(
                f"seed {seed} {name:<5}"
                f"{config.total_steps / seconds:>9,.0f} steps/s"
                f"{seconds:>8.1f} s{returns.mean():>9.1f} return",
                flush=True,
            )
    book = [r for r in rows if r[0] == "book"]
    sb3 = [r for r in rows if r[0] == "SB3"]
    b_speed, s_speed = (
        np.mean([r[1] for r in book]),
        np.mean([r[1] for r in sb3]),
    )
    print(
        f"\n{config.env_id}, {config.total_steps:,} steps: book "
        f"{b_speed:,.0f} steps/s, SB3 {s_speed:,.0f} steps/s, ratio "
        f"{b_speed / s_speed:.2f}; mean return book "
        f"{np.mean([r[2] for r in book]):.1f}, SB3 "
        f"{np.mean([r[2] for r in sb3]):.1f}"
    )


if __name__ == "__main__":
    main()

"""The book's parallel A2C against Stable-Baselines3's A2C, same settings,
in one run: CartPole-v1 and LunarLander-v3, steps per second of training
and the final greedy return of each.

Stable-Baselines3 is a benchmark-only dependency, not a book one:

    pip install stable-baselines3==2.9.2
    python benchmarks/bench_sb3_a2c.py            # about 6 minutes here

Shared settings: 8 synchronous envs without a render mode (SB3's
DummyVecEnv, Gymnasium's SyncVectorEnv), 5-step rollouts, separate 64-64
tanh networks for the policy and the value, Adam (eps 1e-5) with a step
size decaying linearly from 7e-4 to 0, gamma 0.99, n-step returns (SB3:
gae_lambda=1), value coefficient 0.5, entropy coefficient 0.01, gradient
norm clipped to 0.5, no advantage normalisation, one thread, and the same
orthogonal weight initialisation (SB3's default; the book's
``orthogonal_init=True``). Training time excludes the final
evaluation, which is the same for both: 20 seeded greedy episodes with
``actorcritic.evaluate``.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from stable_baselines3 import A2C
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv

from actorcritic.algorithms.parallel_a2c import (
    ParallelA2CConfig,
    train_parallel_a2c,
)
from actorcritic.envs import make_vector_env
from actorcritic.evaluation import evaluate

TASKS = {"CartPole-v1": 200_000, "LunarLander-v3": 300_000}
SEEDS = [0, 1, 2]
N_ENVS, N_STEPS, LR = 8, 5, 7e-4


class SB3Policy:
    """Lets ``evaluate`` play a Stable-Baselines3 model."""

    def __init__(self, model) -> None:
        self.model = model

    def act(self, obs, greedy: bool = False):
        action, _ = self.model.predict(obs, deterministic=greedy)
        return int(action)


def train_book(env_id: str, steps: int, seed: int):
    config = ParallelA2CConfig(
        env_id=env_id,
        n_envs=N_ENVS,
        n_steps=N_STEPS,
        total_steps=steps,
        lr=LR,
        lr_end=0.0,
        eval_every=steps,  # one evaluation, at the end, not timed
        eval_episodes=1,
        keep_best=False,  # SB3 keeps the last policy too
        orthogonal_init=True,  # as SB3's ActorCriticPolicy
    )
    result = train_parallel_a2c(config, seed)
    return result.actor, result.history.train_seconds


def _sb3_envs(env_id: str, seed: int):
    # make_vec_env sets render_mode="rgb_array" unless told otherwise, and
    # LunarLander steps ~2.5x slower with a render mode set (it keeps
    # exhaust particles for drawing). Training wants render_mode=None, as
    # the book's envs have.
    return make_vec_env(
        env_id,
        n_envs=N_ENVS,
        seed=seed,
        vec_env_cls=DummyVecEnv,
        env_kwargs={"render_mode": None},
    )


def train_sb3(env_id: str, steps: int, seed: int):
    envs = _sb3_envs(env_id, seed)
    model = A2C(
        "MlpPolicy",
        envs,
        n_steps=N_STEPS,
        learning_rate=lambda remaining: LR * remaining,
        gamma=0.99,
        gae_lambda=1.0,
        ent_coef=0.01,
        vf_coef=0.5,
        max_grad_norm=0.5,
        use_rms_prop=False,
        normalize_advantage=False,
        policy_kwargs=dict(
            net_arch=dict(pi=[64, 64], vf=[64, 64]),
            activation_fn=torch.nn.Tanh,
        ),
        seed=seed,
        device="cpu",
        verbose=0,
    )
    start = time.perf_counter()
    model.learn(total_timesteps=steps)
    seconds = time.perf_counter() - start
    envs.close()
    return SB3Policy(model), seconds


def env_speeds(vector_steps: int = 2_000) -> dict[str, float]:
    """Random actions only: how fast each library's vector env steps, so
    that a training-speed ratio can be split into env and learner. Returns
    the SyncVectorEnv speed of each task."""
    print(f"{'task':<15}{'DummyVecEnv':>12}{'SyncVectorEnv':>14}  steps/s")
    sync = {}
    for env_id in TASKS:
        sb3 = _sb3_envs(env_id, seed=0)
        sb3.reset()
        book = make_vector_env(env_id, N_ENVS, seed=0)
        book.reset(seed=0)
        actions = [
            np.array([book.single_action_space.sample()] * N_ENVS)
            for _ in range(vector_steps)
        ]
        speeds = []
        for envs in (sb3, book):
            start = time.perf_counter()
            for action in actions:
                envs.step(action)
            seconds = time.perf_counter() - start
            speeds.append(vector_steps * N_ENVS / seconds)
            envs.close()
        print(f"{env_id:<15}{speeds[0]:>12,.0f}{speeds[1]:>14,.0f}")
        sync[env_id] = speeds[1]
    print()
    return sync


def main() -> None:
    torch.set_num_threads(1)
    env_only = env_speeds()
    rows = []
    for env_id, steps in TASKS.items():
        for seed in SEEDS:
            for name, train in (("book", train_book), ("SB3", train_sb3)):
                policy, seconds = train(env_id, steps, seed)
                returns = evaluate(policy, env_id, n_episodes=20)
                rows.append((env_id, seed, name, steps / seconds, returns))
                print(
                    f"{env_id:<15} seed {seed} {name:<5}"
                    f"{steps / seconds:>9,.0f} steps/s"
                    f"{returns.mean():>9.1f} return",
                    flush=True,
                )
    print()
    print(
        f"{'task':<15}{'book steps/s':>13}{'SB3 steps/s':>12}{'ratio':>7}"
        f"{'book return':>12}{'SB3 return':>11}{'ceiling':>9}"
    )
    for env_id in TASKS:
        book = [r for r in rows if r[0] == env_id and r[2] == "book"]
        sb3 = [r for r in rows if r[0] == env_id and r[2] == "SB3"]
        b_speed = np.mean([r[3] for r in book])
        s_speed = np.mean([r[3] for r in sb3])
        b_ret = np.mean([r[4].mean() for r in book])
        s_ret = np.mean([r[4].mean() for r in sb3])
        print(
            f"{env_id:<15}{b_speed:>13,.0f}{s_speed:>12,.0f}"
            f"{b_speed / s_speed:>7.1f}{b_ret:>12.1f}{s_ret:>11.1f}"
            f"{env_only[env_id] / s_speed:>9.1f}"
        )
    print(
        "\nceiling: the ratio a learner that cost nothing would reach, the "
        "environments' own speed (SyncVectorEnv, random actions) over SB3's."
    )


if __name__ == "__main__":
    main()

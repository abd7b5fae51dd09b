"""The book's SAC against Stable-Baselines3's SAC, same settings, in one
run on Pendulum-v1: steps per second of training, their ratio, and the
final greedy return of each over 100 seeded episodes, per seed and on
average. The book's SAC runs twice, with its gradient steps by hand
(``train_sac``'s default, ``actorcritic.fast_off_policy``) and through
autograd (``autograd=True``): the same run, so the same return, and the
ratio of their speeds.

Stable-Baselines3 is a benchmark-only dependency, not a book one:

    pip install stable-baselines3==2.9.2
    python benchmarks/bench_sb3_sac.py            # about 12 minutes here
    python benchmarks/bench_sb3_sac.py --steps 1500 --seeds 0    # smoke run

Shared settings, RL Zoo's for Pendulum-v1 with smaller networks (those of
``SACConfig``'s defaults, written out below): 20,000 environment steps of
one copy of the task without a render mode (SB3: a DummyVecEnv of one
env), the first 100 actions uniformly at random, a buffer of 1e6
transitions, batches of 256, one gradient step per environment step,
gamma 0.99, Polyak tau 0.005 every gradient step, Adam (PyTorch's
defaults, eps 1e-8) with a step size of 1e-3 for the actor, the critics
and the temperature, the temperature tuned from 1.0 towards a target
entropy of -act_dim, twin critics, 64-64 ReLU networks for the actor and
for each critic, no gSDE, no action noise, one thread, CPU. Training time
excludes the final evaluation, which is the same for both: 100 seeded
greedy episodes with ``actorcritic.evaluate``, the mean of tanh(mean)
rescaled into the box. The book's time is ``History.train_seconds``,
SB3's the wall time of ``model.learn``.

What SB3's source does, and how the book matches it (stable_baselines3
2.9.2; file:line):

* Warm-up: SB3 samples ``action_space.sample()`` while ``num_timesteps <
  learning_starts`` (common/off_policy_algorithm.py:401) and trains
  after a step once ``num_timesteps > learning_starts`` (:360). The
  book's ``off_policy_loop`` acts at random while ``step <
  learning_starts`` and updates once ``step > learning_starts``, after
  storing the step: both take 100 random actions and 19,900 gradient
  steps in 20,000, the first after the 101st transition.
* Time limits: SB3's DummyVecEnv flags ``info["TimeLimit.truncated"] =
  truncated and not terminated`` and keeps the final observation in
  ``info["terminal_observation"]`` (common/vec_env/dummy_vec_env.py:
  63-70), which ``_store_transition`` stores as next_obs
  (off_policy_algorithm.py:497-507); the ReplayBuffer's default
  ``handle_timeout_termination=True`` records the flag
  (common/buffers.py:278) and samples ``dones * (1 - timeouts)`` (:322),
  so a truncation bootstraps. The book's buffer keeps ``terminated`` and
  ``truncated`` apart, ``EnvBatch`` hands back the final observation,
  and ``soft_q_target`` cuts the bootstrap at ``terminated`` only
  (``bootstrap_truncated=True``). Pendulum never terminates: all of its
  episodes end at the 200-step limit, and both bootstrap there.
* Action scale: SB3 scales actions to [-1, 1] (``scale_action`` in
  ``_sample_action``, off_policy_algorithm.py:412-422), stores the scaled
  action in the buffer and trains its critics on it; the book's
  ``SquashedGaussianPolicy`` rescales tanh's output into the box itself,
  and its buffer and critics see actions in the box, [-2, 2] here. This
  is a real difference: the critics' action input is twice as wide in
  the book (the same function up to a scale of the first layer's action
  weights, but not the same initialisation or Adam steps).
* Log-probability: both are that of the squashed action in (-1, 1): SB3's
  by construction, the book's because it leaves the rescale's constant
  ``-sum log half_width`` out. The target entropy -act_dim means the same
  in both. SB3's squash correction is ``log(1 - tanh(u)^2 + 1e-6)``
  from the squashed action (common/distributions.py:241), the book's the
  exact ``2 (log 2 - u - softplus(-2u))``; they part only where
  ``1 - tanh(u)^2`` nears 1e-6, |u| above about 7.
* One gradient step (sac/sac.py:230-294), the same order in both: the
  temperature's step on ``-log alpha (log pi + target_entropy)``, the
  critics' target and the actor's loss with the temperature from before
  that step, the critics' loss ``0.5 * sum_i MSE(Q_i, y)``, the actor's
  loss through the critics just updated, the Polyak step. SB3's
  ``actor_loss.backward()`` also fills the critics' gradients (cleared
  before their next use); the book's ``backward(inputs=actor_params)``
  leaves them out: less work, the same update.
* Networks: SB3's actor has separate ``mu`` and ``log_std`` heads
  (sac/policies.py:102-103), the book's one layer with both outputs; its
  critics are two ``nn.Sequential``, the book's one batched product
  (``QNetworks``). The same functions, ``nn.Linear``'s initialisation in
  both, log std clamped to [-20, 2] in both (sac/policies.py:164).
* Not the same random numbers: SB3 samples its batches with NumPy, the
  book with PyTorch, so no run is a copy of the other's; compare the
  means over seeds. SB3's env is wrapped in a Monitor (make_vec_env), and
  its step has more bookkeeping (logger, info dicts): that is part of
  what the ratio measures.
"""

from __future__ import annotations

import argparse
import dataclasses
import time

import numpy as np
import torch
from stable_baselines3 import SAC
from stable_baselines3.common.env_util import make_vec_env
from stable_baselines3.common.vec_env import DummyVecEnv

from actorcritic.algorithms.sac import SACConfig, train_sac
from actorcritic.evaluation import evaluate

TEST_SEED = 7_000_000  # episodes no training run evaluated
EVAL_EPISODES = 100

CONFIG = SACConfig(
    env_id="Pendulum-v1",
    total_steps=20_000,  # RL Zoo's
    learning_starts=100,
    buffer_size=1_000_000,
    batch_size=256,
    gradient_steps=1,
    gamma=0.99,
    tau=0.005,
    lr=1e-3,
    hidden=(64, 64),
    alpha=None,  # tuned, from 1.0
    target_entropy=None,  # -act_dim
    bootstrap_truncated=True,  # SB3's handle_timeout_termination
    eval_every=20_000,  # one evaluation, at the end, not timed
    eval_episodes=1,  # the tracker's own; the return reported is evaluate's
    keep_best=False,  # SB3 keeps the last policy too
)


class SB3Policy:
    """Lets ``evaluate`` play a Stable-Baselines3 model with a box of
    actions, several episodes in lockstep as the book's actor does."""

    def __init__(self, model) -> None:
        self.model = model

    def act_batch(self, obs, greedy: bool = True) -> np.ndarray:
        action, _ = self.model.predict(obs, deterministic=greedy)
        return action  # (B, act_dim), unscaled into the box

    def act(self, obs, greedy: bool = True) -> np.ndarray:
        return self.act_batch(np.asarray(obs)[None], greedy)[0]


def train_book(config: SACConfig, seed: int):
    result = train_sac(config, seed)
    return result.actor, result.history.train_seconds


def train_autograd(config: SACConfig, seed: int):
    result = train_sac(config, seed, autograd=True)
    return result.actor, result.history.train_seconds


def train_sb3(config: SACConfig, seed: int):
    envs = make_vec_env(
        config.env_id,
        n_envs=1,
        seed=seed,
        vec_env_cls=DummyVecEnv,
        # make_vec_env sets render_mode="rgb_array" unless told otherwise
        env_kwargs={"render_mode": None},
    )
    model = SAC(
        "MlpPolicy",
        envs,
        learning_rate=config.lr,  # actor, critics and temperature
        buffer_size=config.buffer_size,
        learning_starts=config.learning_starts,
        batch_size=config.batch_size,
        tau=config.tau,
        gamma=config.gamma,
        train_freq=1,
        gradient_steps=config.gradient_steps,
        action_noise=None,
        ent_coef="auto_1.0",  # tuned, from 1.0
        target_update_interval=1,
        target_entropy="auto",  # -act_dim
        use_sde=False,
        policy_kwargs=dict(
            net_arch=list(config.hidden),  # actor and each critic
            activation_fn=torch.nn.ReLU,
            n_critics=2,
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
    parser.add_argument("--steps", type=int, default=CONFIG.total_steps)
    parser.add_argument("--seeds", default="0,1,2")
    args = parser.parse_args()
    torch.set_num_threads(1)
    config = dataclasses.replace(
        CONFIG, total_steps=args.steps, eval_every=args.steps
    )
    seeds = [int(s) for s in args.seeds.split(",")]
    speeds: dict[tuple[int, str], float] = {}
    returns: dict[tuple[int, str], float] = {}
    for seed in seeds:
        # the two libraries one after the other on each seed, so that a
        # drift in the machine's speed affects both alike
        for name, train in (
            ("book", train_book),
            ("autograd", train_autograd),
            ("SB3", train_sb3),
        ):
            policy, seconds = train(config, seed)
            episode_returns = evaluate(
                policy,
                config.env_id,
                n_episodes=EVAL_EPISODES,
                seed=TEST_SEED,
            )
            speeds[seed, name] = config.total_steps / seconds
            returns[seed, name] = float(episode_returns.mean())
            print(
                f"seed {seed} {name:<9}"
                f"{speeds[seed, name]:>9,.0f} steps/s"
                f"{seconds:>8.1f} s{returns[seed, name]:>9.1f} return",
                flush=True,
            )
    print(
        f"\n{config.env_id}, {config.total_steps:,} steps, greedy return "
        f"over {EVAL_EPISODES} episodes\n(book: its gradient steps by "
        "hand; autograd: the same through autograd;\nsame: the two "
        "returned the same, as the same run does)\n"
        f"{'seed':<6}{'book steps/s':>13}{'autograd':>9}{'SB3':>6}"
        f"{'book/SB3':>9}{'book/autograd':>14}{'book return':>12}"
        f"{'same':>5}{'SB3 return':>11}"
    )
    rows = [(str(seed), [seed]) for seed in seeds] + [("mean", seeds)]
    for label, group in rows:
        speed = {
            name: np.mean([speeds[s, name] for s in group])
            for name in ("book", "autograd", "SB3")
        }
        same = all(returns[s, "book"] == returns[s, "autograd"] for s in group)
        book_return = np.mean([returns[s, "book"] for s in group])
        sb3_return = np.mean([returns[s, "SB3"] for s in group])
        print(
            f"{label:<6}{speed['book']:>13,.0f}{speed['autograd']:>9,.0f}"
            f"{speed['SB3']:>6,.0f}{speed['book'] / speed['SB3']:>9.2f}"
            f"{speed['book'] / speed['autograd']:>14.2f}"
            f"{book_return:>12.1f}{'yes' if same else 'NO':>5}"
            f"{sb3_return:>11.1f}"
        )
    print(
        "\nCompare the ratios of steps/s, which the machine's speed "
        "scales away,\nand the returns; not the absolute steps/s."
    )


if __name__ == "__main__":
    main()

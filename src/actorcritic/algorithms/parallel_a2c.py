"""Synchronous A2C on a Gymnasium vector environment, chapter 4:
n-step rollouts, bootstrapped returns, one combined loss; and
:data:`LUNAR_LANDER_A2C`, chapter 5's landing run."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from actorcritic.algorithms.common import check_config, vector_actor_critic
from actorcritic.fast import (
    a2c_gradients_by_hand,
    critic_values,
    weights_and_grads,
)
from actorcritic.losses import a2c_loss
from actorcritic.optim import ADAM_KWARGS, clip_flat_grad_, flat_parameters
from actorcritic.returns import n_step_returns
from actorcritic.rollouts import NumpyActor, RolloutCollector
from actorcritic.runs import Logger, Tracker, Trained


@dataclass(frozen=True)
class ParallelA2CConfig:
    """Synchronous advantage actor-critic (A2C) on a Gymnasium vector env:
    rollouts of ``n_steps`` steps in ``n_envs`` copies, bootstrapped
    n-step returns, one combined loss, gradient clipping and a linearly
    decaying step size. Discrete actions; defaults for CartPole-v1."""

    env_id: str = "CartPole-v1"
    n_envs: int = 8  # environment copies stepped together
    vectorization: str = "sync"  # "sync" (one process) or "async"
    n_steps: int = 5  # rollout length T: one update per T * N env steps
    total_steps: int = 200_000  # environment steps of training, all copies
    gamma: float = 0.99  # discount
    lr: float = 7e-4  # Adam step size at the start (both networks)
    lr_end: float = 0.0  # step size at the end; linear in between
    hidden: tuple[int, ...] = (64, 64)  # hidden widths of both networks
    value_coef: float = 0.5  # weight of the value loss
    entropy_coef: float = 0.01  # weight of the entropy bonus
    max_grad_norm: float | None = 0.5  # clip the gradient norm
    eval_every: int = 10_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = True  # return the best-evaluated actor, not the last
    log_every: int = 2_000  # env steps between logged diagnostics
    orthogonal_init: bool = False  # Baselines' init (else PyTorch's default)
    reward_scale: float = 1.0  # the learner sees reward * reward_scale

    def __post_init__(self) -> None:
        check_config(self)


def train_parallel_a2c(
    config: ParallelA2CConfig,
    seed: int,
    loss_fn: Callable[..., torch.Tensor] = a2c_loss,
    returns_fn: Callable[..., torch.Tensor] = n_step_returns,
) -> Trained:
    """Train A2C on ``config.n_envs`` copies of the task.

    Per update: collect a rollout of ``n_steps`` steps in every copy with
    the current policy (no gradients: it acts through a
    :class:`~actorcritic.rollouts.NumpyActor`); compute V on all
    observations and, detached, on all next observations; the returns
    ``returns_fn(reward, next_value, terminated, truncated, gamma)``; then
    one Adam step on
    ``loss_fn(log_prob, entropy, value, returns, value_coef,
    entropy_coef)``, with the gradient norm clipped, and a linear step-size
    schedule from ``lr`` to ``lr_end``.

    With the package's :func:`~actorcritic.losses.a2c_loss` (compared by
    identity) the gradients are computed by
    :func:`~actorcritic.fast.a2c_gradients_by_hand`, autograd's operations
    without its engine: the same run bit for bit, faster
    (``benchmarks/bench_parallel_a2c.py``). The history's ``gradients``
    says which ran.

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environments.
        loss_fn, returns_fn: the chapter passes the reader's versions.
    """
    envs, actor, critic = vector_actor_critic(
        "train_parallel_a2c", config, seed
    )
    flat = flat_parameters(actor, critic)  # all weights, one tensor
    acting = NumpyActor(actor)  # NumPy views of the actor's weights
    by_hand = loss_fn is a2c_loss  # else autograd, on the reader's loss
    weights, grads = weights_and_grads(actor, critic)  # grads: views
    # eps=1e-5 as in Stable-Baselines3's A2C with Adam
    optimizer = torch.optim.Adam([flat], lr=config.lr, eps=1e-5, **ADAM_KWARGS)
    per_update = config.n_steps * config.n_envs
    n_updates = max(1, -(-config.total_steps // per_update))  # ceil
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda k: 1.0 - (1.0 - config.lr_end / config.lr) * k / n_updates,
    )
    tracker = Tracker(config, actor, seed)
    tracker.history.gradients = "by hand" if by_hand else "autograd"
    logger = Logger(tracker.history, config.log_every)
    collector = RolloutCollector(envs, seed=seed * config.n_envs)

    step = 0
    try:
        while step < config.total_steps:
            rollout = collector.collect(acting, config.n_steps)
            for t, episode_return in collector.finished:
                tracker.end_episode(
                    step + (t + 1) * config.n_envs, episode_return
                )
            step += per_update

            T = config.n_steps
            if by_hand:
                value, next_value, critic_inputs = critic_values(
                    weights[1], rollout.obs, rollout.next_obs
                )  # (T, N) each
            else:
                log_prob, entropy = actor.log_prob_entropy(
                    rollout.obs, rollout.action
                )  # (T, N), (T, N)
                # one critic call for V(s_t) and V(s'_t): (2T, N)
                values = critic(torch.cat([rollout.obs, rollout.next_obs]))
                value = values[:T]  # (T, N)
                next_value = values[T:].detach()  # (T, N)
            returns = returns_fn(
                rollout.reward * config.reward_scale,
                next_value,
                rollout.terminated,
                rollout.truncated,
                config.gamma,
            )  # (T, N)
            coefs = config.value_coef, config.entropy_coef
            if by_hand:
                loss, entropy = a2c_gradients_by_hand(
                    weights,
                    grads,
                    rollout.obs,
                    rollout.action,
                    returns,
                    (value, critic_inputs),
                    *coefs,
                )
            else:
                loss = loss_fn(log_prob, entropy, value, returns, *coefs)
                flat.grad.zero_()  # in place: the weights' grads are views
                loss.backward()
            if config.max_grad_norm is not None:
                clip_flat_grad_(flat, config.max_grad_norm)
            optimizer.step()
            schedule.step()
            logger.add(
                step,
                loss=loss,
                entropy=entropy.mean(),
                value_error=(returns - value.detach()).pow(2).mean(),
            )
            if tracker.maybe_evaluate(step):
                break
        logger.flush(step)
    finally:
        envs.close()
    return Trained(tracker.final_actor(), critic, tracker.history)


#: Chapter 5's landing run (and its learning test), for
#: :func:`train_until_solved`: chapter 4's A2C with larger rollouts and
#: networks, rewards scaled by 0.1 for the learner, a step size that
#: reaches 0 after 300k steps, and each run stopped at its first 20-episode
#: greedy evaluation of at least 220 (else its best one is kept).
LUNAR_LANDER_A2C = ParallelA2CConfig(
    env_id="LunarLander-v3",
    n_envs=16,
    n_steps=8,
    total_steps=300_000,
    hidden=(128, 128),
    reward_scale=0.1,
    eval_every=10_000,
    eval_episodes=20,
    stop_at_return=220.0,
    keep_best=True,
    log_every=10_000,
)

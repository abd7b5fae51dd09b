"""Proximal policy optimisation with generalised advantage estimation on a
Gymnasium vector environment, chapter 6."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from actorcritic.algorithms.common import check_config, vector_actor_critic
from actorcritic.fast import (
    ppo_gradients_by_hand,
    run_mlp,
    weights_and_grads,
)
from actorcritic.losses import ppo_loss
from actorcritic.optim import FlatAdam, flat_parameters
from actorcritic.returns import gae
from actorcritic.rollouts import NumpyActor, RolloutCollector
from actorcritic.runs import Logger, Tracker, Trained


@dataclass(frozen=True)
class PPOConfig:
    """PPO (Schulman et al., 2017) with GAE (Schulman et al., 2016):
    rollouts of ``n_steps`` steps in ``n_envs`` copies, GAE advantages and
    lambda-returns, then ``n_epochs`` passes over the rollout in shuffled
    minibatches of the clipped surrogate, with a linearly decaying step
    size. Discrete actions; defaults for LunarLander-v3."""

    env_id: str = "LunarLander-v3"
    n_envs: int = 16  # environment copies stepped together
    vectorization: str = "sync"  # "sync" (one process) or "async"
    n_steps: int = 1024  # rollout length T: one update per T * N env steps
    total_steps: int = 1_000_000  # environment steps of training
    gamma: float = 0.999  # discount
    gae_lambda: float = 0.98  # GAE's lambda: 0 is TD, 1 Monte-Carlo
    lr: float = 3e-4  # Adam step size at the start (both networks)
    lr_end: float = 3e-4  # step size at the end (= lr: constant)
    n_epochs: int = 4  # passes over each rollout
    minibatch_size: int = 64  # transitions per gradient step
    clip: float = 0.2  # the ratio's range is [1 - clip, 1 + clip]
    value_coef: float = 0.5  # weight of the value loss
    entropy_coef: float = 0.01  # weight of the entropy bonus
    max_grad_norm: float | None = 0.5  # clip the gradient norm
    normalize_advantage: bool = True  # per minibatch: mean 0, std 1
    hidden: tuple[int, ...] = (64, 64)  # hidden widths of both networks
    orthogonal_init: bool = True  # Baselines' init (else PyTorch's)
    reward_scale: float = 1.0  # the learner sees reward * reward_scale
    eval_every: int = 100_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = False  # return the last actor (else the best one)
    log_every: int = 10_000  # env steps between logged diagnostics

    def __post_init__(self) -> None:
        check_config(self)
        if (self.n_steps * self.n_envs) % self.minibatch_size:
            raise ValueError(
                f"minibatch_size must be a divisor of n_steps * n_envs "
                f"({self.n_steps * self.n_envs}), got {self.minibatch_size}"
            )


def train_ppo(
    config: PPOConfig,
    seed: int,
    loss_fn: Callable[..., torch.Tensor] = ppo_loss,
    advantage_fn: Callable[..., torch.Tensor] = gae,
) -> Trained:
    """Train PPO on ``config.n_envs`` copies of the task.

    Per update: collect a rollout of ``n_steps`` steps in every copy with
    the current policy (through a
    :class:`~actorcritic.rollouts.NumpyActor`); with the networks as they
    are, the log-probabilities of the actions taken and V of every
    observation and next observation; the advantages
    ``advantage_fn(reward, value, next_value, terminated, truncated,
    gamma, lam)`` and the critic's targets ``advantage + value``; then
    ``n_epochs`` passes over the ``T * N`` transitions in shuffled
    minibatches, one Adam step each on ``loss_fn(log_prob, old_log_prob,
    advantage, entropy, value, returns, clip, value_coef, entropy_coef)``
    (the advantages normalised within the minibatch if
    ``normalize_advantage``) with the gradient norm clipped. The step
    size decays linearly once per rollout.

    Logged once per rollout, then averaged over ``log_every`` steps: the
    loss (the mean over the update's minibatches); and, for the updated
    policy on the rollout it learned from, its entropy, its approximate
    KL divergence from the collecting policy (``mean((r - 1) - ln r)``
    with ``r`` the probability ratio) and the fraction of transitions
    whose ratio ended outside ``[1 - clip, 1 + clip]``; the share of
    the targets' variance the critic explained before the update; and,
    averaged over the update's minibatches, the value term's share of the
    squared gradient norm (the critic's part of the one flat gradient:
    actor and critic share no weights) and the factor by which the clip
    scaled the gradient (1 when it did not act).

    With the package's :func:`~actorcritic.losses.ppo_loss` (compared by
    identity) the gradient steps go through
    :func:`~actorcritic.fast.ppo_gradients_by_hand`, the loss's gradient
    derived by hand; with any other ``loss_fn`` through autograd, whose
    steps took about 1.6 times as long on the development machine
    (``benchmarks/bench_ppo.py``; the environments take much of a run,
    so the whole run is less than that longer), and which rounds
    differently, so the run is not the same bit for bit. The history's
    ``gradients`` says which ran.

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling, minibatches and the
            environments.
        loss_fn, advantage_fn: the chapter passes the reader's versions.
    """
    envs, actor, critic = vector_actor_critic("train_ppo", config, seed)
    flat = flat_parameters(actor, critic)  # all weights, one tensor
    n_actor = sum(p.numel() for p in actor.parameters())
    # the critic's part of the flat gradient (a view: the value term's
    # gradient, since actor and critic share no weights)
    critic_grad = flat.grad[n_actor:]
    # the networks as functions of their weights, for the gradient steps
    # (actor.log_prob_entropy and critic(obs), without module dispatch),
    # and their gradients: views of flat.grad
    weights, grads = weights_and_grads(actor, critic)
    by_hand = loss_fn is ppo_loss  # else autograd, on the reader's loss
    acting = NumpyActor(actor)  # NumPy views of the actor's weights
    # eps=1e-5 as in Stable-Baselines3's PPO
    optimizer = FlatAdam(flat, lr=config.lr, eps=1e-5)
    T, N = config.n_steps, config.n_envs
    per_update = T * N
    n_updates = max(1, -(-config.total_steps // per_update))  # ceil
    tracker = Tracker(config, actor, seed)
    tracker.history.gradients = "by hand" if by_hand else "autograd"
    logger = Logger(tracker.history, config.log_every)
    collector = RolloutCollector(envs, seed=seed * N)
    shuffle = torch.Generator().manual_seed(seed)

    step = 0
    try:
        while step < config.total_steps:
            rollout = collector.collect(acting, T)
            for t, episode_return in collector.finished:
                tracker.end_episode(step + (t + 1) * N, episode_return)
            step += per_update

            with torch.no_grad():
                old_log_prob, _ = actor.log_prob_entropy(
                    rollout.obs, rollout.action
                )  # (T, N)
                values = critic(torch.cat([rollout.obs, rollout.next_obs]))
                value, next_value = values[:T], values[T:]  # (T, N) each
                advantage = advantage_fn(
                    rollout.reward * config.reward_scale,
                    value,
                    next_value,
                    rollout.terminated,
                    rollout.truncated,
                    config.gamma,
                    config.gae_lambda,
                )  # (T, N)
                returns = advantage + value  # (T, N) lambda-returns
            explained = 1.0 - (returns - value).var() / returns.var()
            batch = (
                rollout.obs.reshape(per_update, -1),  # (B, obs_dim)
                rollout.action.reshape(per_update),  # (B,)
                old_log_prob.reshape(per_update),
                advantage.reshape(per_update),
                returns.reshape(per_update),
            )
            mb = config.minibatch_size
            n_minibatches = config.n_epochs * (per_update // mb)
            loss_sum = torch.zeros(())
            value_share_sum = clip_scale_sum = 0.0
            for _ in range(config.n_epochs):
                order = torch.randperm(per_update, generator=shuffle)
                obs_, action_, old_, adv_, ret_ = (x[order] for x in batch)
                if config.normalize_advantage and mb > 1:
                    # per minibatch, all minibatches at once: (K, mb) rows
                    rows = adv_.view(-1, mb)
                    std, mean = torch.std_mean(rows, dim=1, keepdim=True)
                    adv_ = ((rows - mean) / (std + 1e-8)).view(-1)
                for obs, action, old, adv, ret in zip(
                    *(x.split(mb) for x in (obs_, action_, old_, adv_, ret_)),
                    strict=True,
                ):  # views of the shuffled rollout, no copies
                    coefs = (
                        config.clip,
                        config.value_coef,
                        config.entropy_coef,
                    )
                    if by_hand:
                        loss = ppo_gradients_by_hand(
                            weights,
                            grads,
                            obs,
                            action,
                            old,
                            adv,
                            ret,
                            *coefs,
                        )
                    else:
                        logits = run_mlp(weights[0], obs)  # (B, A)
                        value = run_mlp(weights[1], obs).squeeze(-1)
                        log_p = torch.log_softmax(logits, -1)  # (B, A)
                        loss = loss_fn(
                            log_p.gather(-1, action[:, None]).squeeze(-1),
                            old,
                            adv,
                            -(log_p.exp() * log_p).sum(-1),  # entropy (B,)
                            value,
                            ret,
                            *coefs,
                        )
                        flat.grad.zero_()  # in place: the grads are views
                        loss.backward()
                    # the value term's part of the squared norm, before
                    # the step clips the whole (a dot: 2 us, not 5)
                    critic_sq = float(torch.dot(critic_grad, critic_grad))
                    norm = optimizer.step(config.max_grad_norm)
                    if norm is None:  # no clip: flat.grad is unscaled
                        norm = float(flat.grad.norm())
                    else:
                        clip_scale_sum += min(
                            1.0, config.max_grad_norm / (norm + 1e-6)
                        )
                    value_share_sum += critic_sq / max(norm * norm, 1e-30)
                    loss_sum += loss.detach()
            with torch.no_grad():  # the updated policy on the rollout
                log_prob, entropy = actor.log_prob_entropy(batch[0], batch[1])
                log_ratio = log_prob - batch[2]  # (B,)
                ratio = log_ratio.exp()
                logger.add(
                    step,
                    loss=loss_sum / n_minibatches,
                    entropy=entropy.mean(),
                    approx_kl=(ratio - 1 - log_ratio).mean(),
                    clip_fraction=((ratio - 1).abs() > config.clip)
                    .float()
                    .mean(),
                    explained_variance=explained,
                    value_share=value_share_sum / n_minibatches,
                    clip_scale=(
                        clip_scale_sum / n_minibatches
                        if config.max_grad_norm is not None
                        else 1.0
                    ),
                )
            # the step size for the next update, linear in the updates made
            done = step // per_update
            optimizer.lr = config.lr - (config.lr - config.lr_end) * min(
                1.0, done / n_updates
            )
            if tracker.maybe_evaluate(step):
                break
        logger.flush(step)
    finally:
        envs.close()
    return Trained(tracker.final_actor(), critic, tracker.history)


#: Chapter 6's landing run, its learning test and its benchmark against
#: Stable-Baselines3: the defaults above, which are RL Zoo's settings for
#: PPO on LunarLander (16 envs, 1024-step rollouts, minibatches of 64,
#: 4 epochs, gamma 0.999, lambda 0.98, entropy 0.01, constant step size
#: 3e-4), for a million steps, keeping the final policy.
LUNAR_LANDER_PPO = PPOConfig()

"""Advantage actor-critic with an entropy bonus on a continuous action,
chapter 3: a Gaussian policy, one-step TD targets on a batch of
environments, and :func:`fit_critic_td` to evaluate a fixed policy with
the same critic target."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from actorcritic.algorithms.common import check_config
from actorcritic.envs import EnvBatch, check_spaces, seed_everything
from actorcritic.losses import a2c_losses, value_loss
from actorcritic.networks import GaussianPolicy, ValueNetwork
from actorcritic.optim import ADAM_KWARGS
from actorcritic.returns import td_target
from actorcritic.runs import Logger, Tracker, Trained


@dataclass(frozen=True)
class A2CConfig:
    """Advantage actor-critic with an entropy bonus and one-step targets,
    updated on the transitions of ``n_envs`` environments stepped side by
    side, for continuous (box) actions. Defaults: Pendulum-v1."""

    env_id: str = "Pendulum-v1"
    n_envs: int = 16  # environments stepped together; one update per step
    total_steps: int = 200_000  # environment steps of training, all envs
    gamma: float = 0.9  # discount
    actor_lr: float = 1e-3  # Adam step size of the policy
    critic_lr: float = 1e-3  # Adam step size of the value network
    hidden: tuple[int, ...] = (64, 64)  # hidden widths of both networks
    entropy_coef: float = 1e-2  # weight of the entropy bonus
    reward_scale: float = 0.125  # rewards are multiplied by this for losses
    max_grad_norm: float | None = 0.5  # clip both networks' gradient norm
    bootstrap_truncated: bool = True  # False: treat time limits as terminal
    eval_every: int = 10_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = True  # return the best-evaluated actor, not the last
    log_every: int = 2_000  # env steps between logged diagnostics

    def __post_init__(self) -> None:
        check_config(self)


A2CLossFn = Callable[..., tuple[torch.Tensor, torch.Tensor]]


def train_a2c(
    config: A2CConfig,
    seed: int,
    loss_fn: A2CLossFn = a2c_losses,
    actor_cls: type[GaussianPolicy] = GaussianPolicy,
    critic_cls: type[ValueNetwork] = ValueNetwork,
) -> Trained:
    """Train advantage actor-critic with an entropy bonus.

    Per step of the ``n_envs`` environments: sample ``a ~ pi(.|s)`` in each,
    clip it into the action bounds, observe ``r, s'``; then one update on
    the batch of transitions with
    ``A = r + gamma (1 - terminated) V(s') - V(s)``: the critic regresses
    V(s) on the target, the actor follows ``A grad log pi + beta grad H``.
    A truncated episode bootstraps from V(final obs) unless
    ``config.bootstrap_truncated`` is False (the classic mistake).

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environments.
        loss_fn: ``(log_prob, entropy, value, next_value, reward,
            terminated, gamma, entropy_coef) -> (actor_loss, critic_loss)``;
            the chapter passes the reader's own version here.
        actor_cls, critic_cls: the network classes (the reader's own,
            once they pass their checkers).
    """
    seed_everything(seed)
    envs = EnvBatch(config.env_id, config.n_envs, seed=seed * config.n_envs)
    check_spaces(
        "train_a2c",
        config.env_id,
        envs.observation_space,
        envs.action_space,
        "continuous",
    )
    space = envs.action_space
    obs_dim = envs.observation_space.shape[0]
    actor = actor_cls(obs_dim, space.low, space.high, config.hidden)
    critic = critic_cls(obs_dim, config.hidden)
    params = [*actor.parameters(), *critic.parameters()]
    optimizer = torch.optim.Adam(
        [
            {"params": actor.parameters(), "lr": config.actor_lr},
            {"params": critic.parameters(), "lr": config.critic_lr},
        ],
        **ADAM_KWARGS,
    )
    tracker = Tracker(config, actor, seed)
    logger = Logger(tracker.history, config.log_every)

    n, step = config.n_envs, 0
    while step < config.total_steps:
        obs = torch.as_tensor(envs.obs, dtype=torch.float32)  # (N, obs_dim)
        action, log_prob, entropy = actor.sample(obs)  # (N, A), (N,), (N,)
        out = envs.step(actor.clip(action).numpy())
        next_obs = torch.as_tensor(out.next_obs, dtype=torch.float32)
        terminal = out.terminated
        if not config.bootstrap_truncated:
            terminal = terminal | out.truncated
        values = critic(torch.cat([obs, next_obs]))  # (2N,): V(s), V(s')
        actor_loss, critic_loss = loss_fn(
            log_prob,
            entropy,
            values[:n],
            values[n:],
            torch.as_tensor(out.reward * config.reward_scale).float(),
            torch.as_tensor(terminal, dtype=torch.float32),
            config.gamma,
            config.entropy_coef,
        )
        optimizer.zero_grad()
        (actor_loss + critic_loss).backward()
        if config.max_grad_norm is not None:
            nn.utils.clip_grad_norm_(params, config.max_grad_norm)
        optimizer.step()

        step += n
        for _, episode_return in out.finished:
            tracker.end_episode(step, episode_return)
        logger.add(
            step,
            actor_loss=actor_loss,
            critic_loss=critic_loss,
            entropy=entropy.mean(),
        )
        if tracker.maybe_evaluate(step):
            break
    logger.flush(step)
    envs.close()
    return Trained(tracker.final_actor(), critic, tracker.history)


def fit_critic_td(
    policy: nn.Module, config: A2CConfig, seed: int
) -> ValueNetwork:
    """Policy evaluation: learn V of a *fixed* policy with the critic target
    of :func:`train_a2c` (one-step TD on batches of ``n_envs``
    transitions, no gradient clipping), for ``config.total_steps``
    environment steps; the policy samples its actions.

    The returned network predicts values in scaled units: divide by
    ``config.reward_scale`` to compare it with returns. Setting
    ``config.bootstrap_truncated=False`` shows what treating the time limit
    as a terminal state does to the values.
    """
    seed_everything(seed)
    envs = EnvBatch(config.env_id, config.n_envs, seed=seed * config.n_envs)
    check_spaces(
        "fit_critic_td",
        config.env_id,
        envs.observation_space,
        envs.action_space,
        "continuous",
    )
    critic = ValueNetwork(envs.observation_space.shape[0], config.hidden)
    optimizer = torch.optim.Adam(
        critic.parameters(), lr=config.critic_lr, **ADAM_KWARGS
    )
    n = config.n_envs
    for _ in range(0, config.total_steps, n):
        obs = torch.as_tensor(envs.obs, dtype=torch.float32)  # (N, obs_dim)
        actions = policy.act_batch(envs.obs)  # (N, act_dim)
        out = envs.step(actions)
        next_obs = torch.as_tensor(out.next_obs, dtype=torch.float32)
        terminal = out.terminated
        if not config.bootstrap_truncated:
            terminal = terminal | out.truncated
        values = critic(torch.cat([obs, next_obs]))  # (2N,)
        target = td_target(
            torch.as_tensor(out.reward * config.reward_scale).float(),
            values[n:].detach(),
            torch.as_tensor(terminal, dtype=torch.float32),
            config.gamma,
        )  # (N,)
        loss = value_loss(values[:n], target)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    envs.close()
    return critic

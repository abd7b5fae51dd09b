"""Training functions: each reads like the chapter's pseudocode.

An algorithm is a function ``train_*(config, seed)`` returning the trained
networks and a :class:`History` of scalars. Nothing here prints.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from actorcritic.envs import (
    EnvBatch,
    make_env,
    make_vector_env,
    seed_everything,
)
from actorcritic.evaluation import evaluate
from actorcritic.losses import (
    a2c_loss,
    a2c_losses,
    aac_loss,
    baseline_pg_loss,
    entropy_loss,
    one_step_losses,
    policy_gradient_loss,
    value_loss,
    vanilla_pg_loss,
)
from actorcritic.networks import (
    CategoricalPolicy,
    GaussianPolicy,
    ValueNetwork,
    orthogonal_init,
)
from actorcritic.returns import n_step_returns, reward_to_go, td_target
from actorcritic.rollouts import EpisodeBatchCollector, RolloutCollector

# Fused Adam: one kernel for all parameters; ~25 % faster per step on tiny
# networks than the default (benchmarks/bench_step.py).
_ADAM_KWARGS = {"fused": True}


@dataclass
class History:
    """What happened during training, one entry per finished episode.

    Attributes:
        env_steps: cumulative environment steps when each episode ended.
        episode_return: undiscounted return of each training episode.
        wall_time: seconds of training (periodic evaluations excluded)
            when each episode ended.
        eval_steps: environment steps at each periodic evaluation.
        eval_return: mean greedy return of each periodic evaluation.
        log_steps: environment steps at which ``logs`` were recorded.
        logs: named diagnostics (losses, entropy, ...), each averaged over
            the updates since the previous entry; empty for algorithms that
            log nothing.
        train_seconds: seconds the whole run took, periodic evaluations
            excluded.
    """

    env_steps: list[int] = field(default_factory=list)
    episode_return: list[float] = field(default_factory=list)
    wall_time: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_return: list[float] = field(default_factory=list)
    log_steps: list[int] = field(default_factory=list)
    logs: dict[str, list[float]] = field(default_factory=dict)
    train_seconds: float = 0.0

    @property
    def best_eval_return(self) -> float:
        return max(self.eval_return, default=float("-inf"))


@dataclass
class Trained:
    """A trained actor, its critic (if any) and the training history."""

    actor: CategoricalPolicy | GaussianPolicy
    critic: ValueNetwork | None
    history: History


@dataclass(frozen=True)
class OneStepACConfig:
    """One-step actor-critic (Sutton & Barto §13.5) on a discrete task."""

    env_id: str = "CartPole-v1"
    total_steps: int = 100_000  # environment steps of training
    gamma: float = 0.99  # discount
    actor_lr: float = 1e-3  # Adam step size of the policy
    critic_lr: float = 1e-3  # Adam step size of the value network
    hidden: tuple[int, ...] = (64, 64)  # hidden widths of both networks
    discount_weight: bool = True  # multiply the actor step by I = gamma^t
    eval_every: int = 2_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = True  # return the best-evaluated actor, not the last

    def __post_init__(self) -> None:
        _check_config(self)


LossFn = Callable[..., tuple[torch.Tensor, torch.Tensor]]


def train_one_step_actor_critic(
    config: OneStepACConfig, seed: int, loss_fn: LossFn = one_step_losses
) -> Trained:
    """Train one-step actor-critic; one update per environment step.

    Per step: sample a ~ pi(.|s), observe r, s'; compute
    ``delta = r + gamma (1 - terminated) V(s') - V(s)``; step the critic
    along ``delta grad V(s)`` and the actor along ``I delta grad log pi``;
    ``I <- gamma I``. A truncated step bootstraps from V(final obs).

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environment.
        loss_fn: ``(log_prob, value, next_value, reward, terminated, gamma,
            discount_weight) -> (actor_loss, critic_loss)``; the chapter
            passes the reader's own version here.
    """
    seed_everything(seed)
    env = make_env(config.env_id, seed=seed)
    obs_dim = env.observation_space.shape[0]
    actor = CategoricalPolicy(obs_dim, env.action_space.n, config.hidden)
    critic = ValueNetwork(obs_dim, config.hidden)
    optimizer = torch.optim.Adam(
        [
            {"params": actor.parameters(), "lr": config.actor_lr},
            {"params": critic.parameters(), "lr": config.critic_lr},
        ],
        **_ADAM_KWARGS,
    )
    tracker = _Tracker(config, actor, seed)

    obs, _ = env.reset(seed=seed)
    obs_t = torch.as_tensor(obs, dtype=torch.float32)
    discount, episode_return = 1.0, 0.0
    for step in range(1, config.total_steps + 1):
        action, log_prob = actor.sample(obs_t)  # (), ()
        next_obs, reward, terminated, truncated, _ = env.step(int(action))
        next_obs_t = torch.as_tensor(next_obs, dtype=torch.float32)

        values = critic(torch.stack([obs_t, next_obs_t]))  # (2,): V(s), V(s')
        actor_loss, critic_loss = loss_fn(
            log_prob,
            values[0],
            values[1],
            torch.tensor(float(reward)),
            torch.tensor(float(terminated)),
            config.gamma,
            discount if config.discount_weight else 1.0,
        )
        optimizer.zero_grad()
        (actor_loss + critic_loss).backward()
        optimizer.step()

        episode_return += float(reward)
        discount *= config.gamma
        obs_t = next_obs_t
        if terminated or truncated:
            tracker.end_episode(step, episode_return)
            obs, _ = env.reset()
            obs_t = torch.as_tensor(obs, dtype=torch.float32)
            discount, episode_return = 1.0, 0.0
        if tracker.maybe_evaluate(step):
            break
    env.close()
    return Trained(tracker.final_actor(), critic, tracker.history)


@dataclass(frozen=True)
class ReinforceConfig:
    """REINFORCE (S&B §13.3), optionally with a learned baseline (§13.4)."""

    env_id: str = "CartPole-v1"
    total_steps: int = 100_000  # environment steps of training
    gamma: float = 0.99  # discount
    actor_lr: float = 1e-3  # Adam step size of the policy
    critic_lr: float = 1e-3  # Adam step size of the baseline V(s)
    hidden: tuple[int, ...] = (64, 64)  # hidden widths of both networks
    baseline: bool = False  # subtract a learned V(s) from the return
    discount_weight: bool = True  # weight step t by gamma^t, as the textbook
    eval_every: int = 2_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = True  # return the best-evaluated actor, not the last

    def __post_init__(self) -> None:
        _check_config(self)


def train_reinforce(
    config: ReinforceConfig,
    seed: int,
    loss_fn: Callable[
        [torch.Tensor, torch.Tensor], torch.Tensor
    ] = policy_gradient_loss,
) -> Trained:
    """Train REINFORCE: one update per complete episode (Monte-Carlo).

    Per episode: roll out with pi, compute returns ``G_t`` (reward-to-go),
    weight each log-probability by ``gamma^t (G_t - b(s_t))`` where
    ``b = V`` with a baseline and ``b = 0`` without, and regress V on G.

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environment.
        loss_fn: ``(log_prob, weight) -> loss``, both ``(T,)``; the chapter
            passes the reader's own REINFORCE loss here.
    """
    seed_everything(seed)
    env = make_env(config.env_id, seed=seed)
    obs_dim = env.observation_space.shape[0]
    actor = CategoricalPolicy(obs_dim, env.action_space.n, config.hidden)
    critic = ValueNetwork(obs_dim, config.hidden) if config.baseline else None
    groups = [{"params": actor.parameters(), "lr": config.actor_lr}]
    if critic is not None:
        groups.append({"params": critic.parameters(), "lr": config.critic_lr})
    optimizer = torch.optim.Adam(groups, **_ADAM_KWARGS)
    tracker = _Tracker(config, actor, seed)

    step = 0
    obs, _ = env.reset(seed=seed)
    while step < config.total_steps:
        observations, actions, rewards = [], [], []
        done = False
        while not done:
            obs_t = torch.as_tensor(obs, dtype=torch.float32)
            action = actor.act(obs_t)
            obs, reward, terminated, truncated, _ = env.step(action)
            observations.append(obs_t)
            actions.append(action)
            rewards.append(float(reward))
            step += 1
            done = terminated or truncated or step >= config.total_steps
            if tracker.maybe_evaluate(step):
                break
        obs_batch = torch.stack(observations)  # (T, obs_dim)
        returns = reward_to_go(torch.tensor(rewards), config.gamma)  # (T,)
        log_prob = actor.dist(obs_batch).log_prob(
            torch.tensor(actions)
        )  # (T,)
        weight = returns
        loss = torch.zeros(())
        if critic is not None:
            value = critic(obs_batch)  # (T,)
            weight = returns - value.detach()
            loss = loss + value_loss(value, returns)
        if config.discount_weight:
            weight = weight * config.gamma ** torch.arange(
                len(rewards)
            )  # (T,)
        loss = loss + loss_fn(log_prob, weight)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if terminated or truncated:
            tracker.end_episode(step, sum(rewards))
            obs, _ = env.reset()
        if tracker.stopped:
            break
    env.close()
    return Trained(tracker.final_actor(), critic, tracker.history)


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
        _check_config(self)


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
        **_ADAM_KWARGS,
    )
    tracker = _Tracker(config, actor, seed)
    logger = _Logger(tracker.history, config.log_every)

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
    critic = ValueNetwork(envs.observation_space.shape[0], config.hidden)
    optimizer = torch.optim.Adam(
        critic.parameters(), lr=config.critic_lr, **_ADAM_KWARGS
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
        _check_config(self)
        if not 0.0 <= self.lr_end <= self.lr:
            raise ValueError(
                f"lr_end must be in [0, lr], got {self.lr_end} (lr={self.lr})"
            )
        if self.vectorization not in ("sync", "async"):
            raise ValueError(
                "vectorization must be 'sync' or 'async', got "
                f"{self.vectorization!r}"
            )


def train_parallel_a2c(
    config: ParallelA2CConfig,
    seed: int,
    loss_fn: Callable[..., torch.Tensor] = a2c_loss,
    returns_fn: Callable[..., torch.Tensor] = n_step_returns,
) -> Trained:
    """Train A2C on ``config.n_envs`` copies of the task.

    Per update: collect a rollout of ``n_steps`` steps in every copy with
    the current policy (no gradients: it acts through a
    :class:`~actorcritic.networks.NumpyActor`); compute V on all
    observations and, detached, on all next observations; the returns
    ``returns_fn(reward, next_value, terminated, truncated, gamma)``; then
    one Adam step on
    ``loss_fn(log_prob, entropy, value, returns, value_coef,
    entropy_coef)``, with the gradient norm clipped, and a linear step-size
    schedule from ``lr`` to ``lr_end``.

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environments.
        loss_fn, returns_fn: the chapter passes the reader's versions.
    """
    seed_everything(seed)
    envs = make_vector_env(
        config.env_id,
        config.n_envs,
        seed=seed * config.n_envs,
        mode=config.vectorization,
    )
    obs_dim = envs.single_observation_space.shape[0]
    actor = CategoricalPolicy(
        obs_dim, envs.single_action_space.n, config.hidden
    )
    critic = ValueNetwork(obs_dim, config.hidden)
    if config.orthogonal_init:
        orthogonal_init(actor, output_gain=0.01)  # near-uniform policy
        orthogonal_init(critic, output_gain=1.0)
    flat = flat_parameters(actor, critic)  # all weights, one tensor
    acting = actor.numpy_actor()  # NumPy views of the actor's weights
    # eps=1e-5 as in Stable-Baselines3's A2C with Adam
    optimizer = torch.optim.Adam(
        [flat], lr=config.lr, eps=1e-5, **_ADAM_KWARGS
    )
    per_update = config.n_steps * config.n_envs
    n_updates = max(1, -(-config.total_steps // per_update))  # ceil
    schedule = torch.optim.lr_scheduler.LambdaLR(
        optimizer,
        lambda k: 1.0 - (1.0 - config.lr_end / config.lr) * k / n_updates,
    )
    tracker = _Tracker(config, actor, seed)
    logger = _Logger(tracker.history, config.log_every)
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

            log_prob, entropy = actor.log_prob_entropy(
                rollout.obs, rollout.action
            )  # (T, N), (T, N)
            # one critic call for V(s_t) and V(s'_t): (2T, N)
            values = critic(torch.cat([rollout.obs, rollout.next_obs]))
            value = values[: config.n_steps]  # (T, N)
            next_value = values[config.n_steps :].detach()  # (T, N)
            returns = returns_fn(
                rollout.reward * config.reward_scale,
                next_value,
                rollout.terminated,
                rollout.truncated,
                config.gamma,
            )  # (T, N)
            loss = loss_fn(
                log_prob,
                entropy,
                value,
                returns,
                config.value_coef,
                config.entropy_coef,
            )
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


@dataclass(frozen=True)
class EpisodicPGConfig:
    """Monte-Carlo policy gradient on batches of whole episodes, in the five
    variants of chapter 5 (see :data:`PG_VARIANTS`): the weight of each
    log-probability is the discounted q-value estimate minus a baseline
    (none, the batch mean, or a learned V(s)), plus an optional entropy
    loss normalised by log |A|. Discrete actions; defaults for
    LunarLander-v3."""

    env_id: str = "LunarLander-v3"
    episodes_per_batch: int = 16  # whole episodes per update, played together
    total_steps: int = 200_000  # environment steps of training
    gamma: float = 0.99  # discount of the q-value estimates
    lr: float = 1e-3  # Adam step size (actor, and critic if any)
    hidden: tuple[int, ...] = (128, 128)  # hidden widths of the networks
    baseline: str = "none"  # "none", "mean" (of the batch) or "value" (V(s))
    entropy_coef: float = 0.0  # weight of the normalised entropy loss
    value_coef: float = 0.5  # weight of the critic's loss ("value" only)
    max_grad_norm: float | None = 0.5  # clip the gradient norm
    reward_scale: float = 1.0  # the learner sees reward * reward_scale
    eval_every: int = 10**9  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = False  # return the best-evaluated actor, not the last
    log_every: int = 10_000  # env steps between logged diagnostics

    def __post_init__(self) -> None:
        _check_config(self)
        if self.baseline not in ("none", "mean", "value"):
            raise ValueError(
                "baseline must be 'none', 'mean' or 'value', got "
                f"{self.baseline!r}"
            )


#: The experiment of chapter 5: name -> (baseline, uses the entropy loss).
PG_VARIANTS: dict[str, tuple[str, bool]] = {
    "vpg": ("none", False),  # vanilla policy gradient
    "epg": ("none", True),  # vanilla + entropy
    "bpg": ("mean", False),  # batch-mean baseline
    "cpg": ("mean", True),  # baseline + entropy ("combined")
    "aac": ("value", True),  # advantage actor-critic (learned V) + entropy
}


def train_episodic_pg(
    config: EpisodicPGConfig,
    seed: int,
    q_fn: Callable[..., torch.Tensor] = reward_to_go,
    entropy_fn: Callable[[torch.Tensor], torch.Tensor] = entropy_loss,
) -> Trained:
    """Train a Monte-Carlo policy gradient (REINFORCE on batches).

    Per update: play ``episodes_per_batch`` whole episodes with the current
    policy, lay them end to end, compute the q-value estimates
    ``q_fn(reward, gamma, episode_end)`` (discounted reward-to-go, reset at
    every episode end), then one Adam step on

        baseline "none":  vanilla_pg_loss(log_prob, q)
        baseline "mean":  baseline_pg_loss(log_prob, q)
        baseline "value": aac_loss(log_prob, V(s), q, value_coef)

    plus ``entropy_coef * entropy_fn(logits)``. Logged diagnostics: the
    policy term, the baseline (batch mean of q, or mean V(s)) and the
    normalised entropy.

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environments.
        q_fn, entropy_fn: the chapter passes the reader's versions.
    """
    seed_everything(seed)
    collector = EpisodeBatchCollector(
        config.env_id, config.episodes_per_batch, seed=seed * 1_000
    )
    env = collector.envs[0]
    obs_dim = env.observation_space.shape[0]
    actor = CategoricalPolicy(obs_dim, env.action_space.n, config.hidden)
    modules: list[nn.Module] = [actor]
    critic = None
    if config.baseline == "value":
        critic = ValueNetwork(obs_dim, config.hidden)
        modules.append(critic)
    flat = flat_parameters(*modules)
    optimizer = torch.optim.Adam([flat], lr=config.lr, **_ADAM_KWARGS)
    tracker = _Tracker(config, actor, seed)
    logger = _Logger(tracker.history, config.log_every)

    step = 0
    try:
        while step < config.total_steps:
            batch = collector.collect(actor)
            for length, episode_return in zip(
                batch.lengths, batch.returns, strict=True
            ):
                step += length
                tracker.end_episode(step, episode_return)
            reward = batch.reward * config.reward_scale  # (B,)
            q = q_fn(reward, config.gamma, batch.episode_end)  # (B,)
            logits = actor(batch.obs)  # (B, |A|)
            log_p = torch.log_softmax(logits, dim=-1)  # (B, |A|)
            log_prob = log_p.gather(-1, batch.action.long()[:, None])[:, 0]
            if critic is None:
                if config.baseline == "mean":
                    baseline = q.mean()
                    policy_loss = baseline_pg_loss(log_prob, q)
                else:
                    baseline = torch.zeros(())
                    policy_loss = vanilla_pg_loss(log_prob, q)
                loss = policy_loss
            else:
                value = critic(batch.obs)  # (B,)
                baseline = value.detach().mean()
                policy_loss = vanilla_pg_loss(log_prob, q - value.detach())
                loss = aac_loss(log_prob, value, q, config.value_coef)
            entropy = entropy_fn(logits)  # normalised, in [-1, 0]
            if config.entropy_coef > 0:
                loss = loss + config.entropy_coef * entropy
            flat.grad.zero_()  # in place: the weights' grads are views
            loss.backward()
            if config.max_grad_norm is not None:
                clip_flat_grad_(flat, config.max_grad_norm)
            optimizer.step()
            logger.add(
                step,
                policy_loss=policy_loss,
                baseline=baseline / config.reward_scale,  # in return units
                entropy=-entropy,
            )
            if tracker.maybe_evaluate(step):
                break
        logger.flush(step)
    finally:
        collector.close()
    return Trained(tracker.final_actor(), critic, tracker.history)


def flat_parameters(*modules: nn.Module) -> nn.Parameter:
    """Move the parameters of ``modules`` into one flat tensor, and their
    gradients into one flat gradient; return that tensor.

    The modules work as before: each parameter becomes a view into the flat
    tensor, each ``.grad`` a view into ``flat.grad``. An optimizer and
    gradient clipping given ``flat`` then make one call on one tensor
    instead of one per weight matrix, about 10 % of an A2C update on small
    networks (benchmarks/bench_parallel_a2c.py). Zero the gradient in place
    with ``flat.grad.zero_()``: setting it to None would cut the views.
    """
    params = [p for m in modules for p in m.parameters()]
    if not params:
        raise ValueError("flat_parameters needs modules with parameters")
    flat = nn.Parameter(torch.cat([p.detach().flatten() for p in params]))
    flat.grad = torch.zeros_like(flat)
    offset = 0
    for p in params:
        n = p.numel()
        p.data = flat.data[offset : offset + n].view_as(p)
        p.grad = flat.grad[offset : offset + n].view_as(p)
        offset += n
    return flat


def clip_flat_grad_(flat: torch.Tensor, max_norm: float) -> torch.Tensor:
    """Scale ``flat.grad`` in place so that its norm is at most
    ``max_norm``; return the norm before clipping.

    The arithmetic of ``nn.utils.clip_grad_norm_`` (same 1e-6 guard, the
    same result to the bit), for the one tensor of :func:`flat_parameters`.
    The library function prepares for many tensors on many devices; for
    one small tensor it takes about 2.7 times as long as this
    (benchmarks/bench_parallel_a2c.py).
    """
    norm = torch.linalg.vector_norm(flat.grad)
    flat.grad.mul_(torch.clamp(max_norm / (norm + 1e-6), max=1.0))
    return norm


class _Logger:
    """Averages scalar diagnostics over ``every`` environment steps and
    appends them to a :class:`History`."""

    def __init__(self, history: History, every: int) -> None:
        self.history, self.every = history, every
        self.sums: dict[str, float] = {}
        self.count = 0
        self.next_log = every

    def add(self, step: int, **values: torch.Tensor) -> None:
        for name, value in values.items():
            self.sums[name] = self.sums.get(name, 0.0) + float(value.detach())
        self.count += 1
        if step >= self.next_log:
            self.flush(step)

    def flush(self, step: int) -> None:
        """Record what was added since the last entry, if anything."""
        if self.count == 0:
            return
        self.history.log_steps.append(step)
        for name, total in self.sums.items():
            self.history.logs.setdefault(name, []).append(total / self.count)
        self.sums, self.count = {}, 0
        self.next_log = (step // self.every + 1) * self.every


class _Tracker:
    """Bookkeeping shared by the training functions: history, periodic
    greedy evaluation, best-actor snapshot, early stop."""

    def __init__(self, config, actor: nn.Module, seed: int) -> None:
        self.config = config
        self.actor = actor
        self.eval_seed = 1_000_000 + 1_000 * seed  # disjoint from training
        self.next_eval = config.eval_every
        self.history = History()
        self.best_state = None
        self.stopped = False
        self.start = time.perf_counter()
        self.eval_seconds = 0.0  # excluded from History.wall_time

    def end_episode(self, step: int, episode_return: float) -> None:
        self.history.env_steps.append(step)
        self.history.episode_return.append(episode_return)
        self.history.wall_time.append(
            time.perf_counter() - self.start - self.eval_seconds
        )

    def maybe_evaluate(self, step: int) -> bool:
        """Evaluate once ``step`` reaches the next multiple of ``eval_every``
        (and at the end); True means stop training."""
        if step < self.next_eval and step < self.config.total_steps:
            return False
        self.next_eval = (step // self.config.eval_every + 1) * (
            self.config.eval_every
        )
        started = time.perf_counter()
        mean = float(
            np.mean(
                evaluate(
                    self.actor,
                    self.config.env_id,
                    self.config.eval_episodes,
                    seed=self.eval_seed,
                )
            )
        )
        if mean >= self.history.best_eval_return:
            self.best_state = copy.deepcopy(self.actor.state_dict())
        self.history.eval_steps.append(step)
        self.history.eval_return.append(mean)
        self.eval_seconds += time.perf_counter() - started
        target = self.config.stop_at_return
        self.stopped = target is not None and mean >= target
        return self.stopped

    def final_actor(self) -> nn.Module:
        """The actor to return (the best evaluated one with keep_best);
        also records the run's training time."""
        self.history.train_seconds = (
            time.perf_counter() - self.start - self.eval_seconds
        )
        if self.config.keep_best and self.best_state is not None:
            self.actor.load_state_dict(self.best_state)
        return self.actor


def _check_config(config) -> None:
    """Reject values that cannot train, naming the field. Each check
    applies to the fields the config has."""

    def fields(*names):
        for name in names:
            value = getattr(config, name, None)
            if value is not None:
                yield name, value

    for name, value in fields(
        "total_steps",
        "eval_every",
        "eval_episodes",
        "actor_lr",
        "critic_lr",
        "lr",
        "reward_scale",
        "max_grad_norm",
    ):
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    for name, value in fields(
        "n_envs", "n_steps", "episodes_per_batch", "log_every"
    ):
        if value < 1:
            raise ValueError(f"{name} must be at least 1, got {value}")
    for name, value in fields("entropy_coef", "value_coef"):
        if value < 0:
            raise ValueError(f"{name} must be >= 0, got {value}")
    if not 0.0 <= config.gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {config.gamma}")


def train_until_solved(
    config,
    seeds: Sequence[int],
    train: Callable[..., Trained] | None = None,
) -> tuple[Trained, list[Trained]]:
    """Train with one seed after another until a run *solves* the task:
    one of its periodic evaluations reaches ``config.stop_at_return``
    (which then stops that run).

    A restart with a fresh seed is the cheapest remedy for a method that
    fails on some seeds: each run is independent, so the chance that all
    of ``k`` runs fail is that of one run to the power ``k``.

    Args:
        config: a config with ``stop_at_return`` set (and ``keep_best``,
            so that each run returns its best evaluated actor).
        seeds: the seeds to try, in order.
        train: the training function; :func:`train_parallel_a2c` by
            default.

    Returns:
        ``(chosen, attempts)``: the first run that solved the task, or the
        run with the best evaluation if none did; and every run, in order.
    """
    if config.stop_at_return is None:
        raise ValueError("train_until_solved needs config.stop_at_return")
    if not seeds:
        raise ValueError("train_until_solved needs at least one seed")
    train = train or train_parallel_a2c
    attempts = []
    for seed in seeds:
        attempts.append(train(config, seed))
        if attempts[-1].history.best_eval_return >= config.stop_at_return:
            return attempts[-1], attempts
    best = max(attempts, key=lambda t: t.history.best_eval_return)
    return best, attempts


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

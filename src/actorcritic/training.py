"""Training functions: each reads like the chapter's pseudocode.

An algorithm is a function ``train_*(config, seed)`` returning the trained
networks and a :class:`History` of scalars. Nothing here prints.
"""

from __future__ import annotations

import copy
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import torch

from actorcritic.envs import make_env, seed_everything
from actorcritic.evaluation import evaluate
from actorcritic.losses import (
    one_step_losses,
    policy_gradient_loss,
    value_loss,
)
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.returns import reward_to_go

# Fused Adam: one kernel for all parameters; ~25 % faster per step on tiny
# networks than the default (benchmarks/bench_step.py).
_ADAM_KWARGS = {"fused": True}


@dataclass
class History:
    """What happened during training, one entry per finished episode.

    Attributes:
        env_steps: cumulative environment steps when each episode ended.
        episode_return: undiscounted return of each training episode.
        wall_time: seconds since training started, at each episode's end.
        eval_steps: environment steps at each periodic evaluation.
        eval_return: mean greedy return of each periodic evaluation.
    """

    env_steps: list[int] = field(default_factory=list)
    episode_return: list[float] = field(default_factory=list)
    wall_time: list[float] = field(default_factory=list)
    eval_steps: list[int] = field(default_factory=list)
    eval_return: list[float] = field(default_factory=list)

    @property
    def best_eval_return(self) -> float:
        return max(self.eval_return, default=float("-inf"))


@dataclass
class Trained:
    """A trained actor, its critic (if any) and the training history."""

    actor: CategoricalPolicy
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


class _Tracker:
    """Bookkeeping shared by the training functions: history, periodic
    greedy evaluation, best-actor snapshot, early stop."""

    def __init__(self, config, actor: CategoricalPolicy, seed: int) -> None:
        self.config = config
        self.actor = actor
        self.eval_seed = 1_000_000 + 1_000 * seed  # disjoint from training
        self.history = History()
        self.best_state = None
        self.stopped = False
        self.start = time.perf_counter()

    def end_episode(self, step: int, episode_return: float) -> None:
        self.history.env_steps.append(step)
        self.history.episode_return.append(episode_return)
        self.history.wall_time.append(time.perf_counter() - self.start)

    def maybe_evaluate(self, step: int) -> bool:
        """Evaluate every ``eval_every`` steps; True means stop training."""
        if step % self.config.eval_every and step != self.config.total_steps:
            return False
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
        target = self.config.stop_at_return
        self.stopped = target is not None and mean >= target
        return self.stopped

    def final_actor(self) -> CategoricalPolicy:
        if self.config.keep_best and self.best_state is not None:
            self.actor.load_state_dict(self.best_state)
        return self.actor


def _check_config(config) -> None:
    """Reject values that cannot train, naming the field."""
    for name in (
        "total_steps",
        "eval_every",
        "eval_episodes",
        "actor_lr",
        "critic_lr",
    ):
        value = getattr(config, name)
        if value <= 0:
            raise ValueError(f"{name} must be positive, got {value}")
    if not 0.0 <= config.gamma <= 1.0:
        raise ValueError(f"gamma must be in [0, 1], got {config.gamma}")

"""One-step actor-critic (Sutton & Barto §13.5), chapter 2: one update
per environment step, the critic's TD error as the actor's weight."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from actorcritic.algorithms.common import check_config
from actorcritic.envs import check_spaces, make_env, seed_everything
from actorcritic.losses import one_step_losses
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.optim import ADAM_KWARGS
from actorcritic.runs import Tracker, Trained


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
    bootstrap_truncated: bool = True  # False: treat time limits as terminal
    eval_every: int = 2_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = True  # return the best-evaluated actor, not the last

    def __post_init__(self) -> None:
        check_config(self)


LossFn = Callable[..., tuple[torch.Tensor, torch.Tensor]]


def train_one_step_actor_critic(
    config: OneStepACConfig, seed: int, loss_fn: LossFn = one_step_losses
) -> Trained:
    """Train one-step actor-critic; one update per environment step.

    Per step: sample a ~ pi(.|s), observe r, s'; compute
    ``delta = r + gamma (1 - terminated) V(s') - V(s)``; step the critic
    along ``delta grad V(s)`` and the actor along ``I delta grad log pi``;
    ``I <- gamma I``. A truncated step bootstraps from V(final obs),
    unless ``config.bootstrap_truncated`` is False (the classic mistake:
    then ``terminated`` is also 1 on a truncated step).

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environment.
        loss_fn: ``(log_prob, value, next_value, reward, terminated, gamma,
            discount_weight) -> (actor_loss, critic_loss)``; the chapter
            passes the reader's own version here.
    """
    seed_everything(seed)
    env = make_env(config.env_id, seed=seed)
    check_spaces(
        "train_one_step_actor_critic",
        config.env_id,
        env.observation_space,
        env.action_space,
        "discrete",
    )
    obs_dim = env.observation_space.shape[0]
    actor = CategoricalPolicy(obs_dim, env.action_space.n, config.hidden)
    critic = ValueNetwork(obs_dim, config.hidden)
    optimizer = torch.optim.Adam(
        [
            {"params": actor.parameters(), "lr": config.actor_lr},
            {"params": critic.parameters(), "lr": config.critic_lr},
        ],
        **ADAM_KWARGS,
    )
    tracker = Tracker(config, actor, seed)

    obs, _ = env.reset(seed=seed)
    obs_t = torch.as_tensor(obs, dtype=torch.float32)
    discount, episode_return = 1.0, 0.0
    for step in range(1, config.total_steps + 1):
        action, log_prob = actor.sample(obs_t)  # (), ()
        next_obs, reward, terminated, truncated, _ = env.step(int(action))
        next_obs_t = torch.as_tensor(next_obs, dtype=torch.float32)
        terminal = terminated or (truncated and not config.bootstrap_truncated)

        values = critic(torch.stack([obs_t, next_obs_t]))  # (2,): V(s), V(s')
        actor_loss, critic_loss = loss_fn(
            log_prob,
            values[0],
            values[1],
            torch.tensor(float(reward)),
            torch.tensor(float(terminal)),
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

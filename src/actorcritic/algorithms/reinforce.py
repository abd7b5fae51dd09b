"""REINFORCE (Sutton & Barto §13.3), optionally with a learned baseline
(§13.4), chapters 1 and 2: one Monte-Carlo update per episode."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch

from actorcritic.algorithms.common import check_config
from actorcritic.envs import check_spaces, make_env, seed_everything
from actorcritic.losses import policy_gradient_loss, value_loss
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.optim import ADAM_KWARGS
from actorcritic.returns import reward_to_go
from actorcritic.runs import Tracker, Trained


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
        check_config(self)


def train_reinforce(
    config: ReinforceConfig,
    seed: int,
    loss_fn: Callable[
        [torch.Tensor, torch.Tensor], torch.Tensor
    ] = policy_gradient_loss,
) -> Trained:
    """Train REINFORCE: one update per episode (Monte-Carlo).

    Per episode: roll out with pi, compute returns ``G_t`` (reward-to-go),
    weight each log-probability by ``gamma^t (G_t - b(s_t))`` where
    ``b = V`` with a baseline and ``b = 0`` without, and regress V on G.
    The episode that the step budget or an early stop cuts short is updated
    on too, with the rewards-to-go of its steps so far (no bootstrap);
    with ``keep_best`` the returned actor is the evaluated snapshot, taken
    before that update.

    Args:
        config: hyperparameters.
        seed: seeds networks, action sampling and the environment.
        loss_fn: ``(log_prob, weight) -> loss``, both ``(T,)``; the chapter
            passes the reader's own REINFORCE loss here.
    """
    seed_everything(seed)
    env = make_env(config.env_id, seed=seed)
    check_spaces(
        "train_reinforce",
        config.env_id,
        env.observation_space,
        env.action_space,
        "discrete",
    )
    obs_dim = env.observation_space.shape[0]
    actor = CategoricalPolicy(obs_dim, env.action_space.n, config.hidden)
    critic = ValueNetwork(obs_dim, config.hidden) if config.baseline else None
    groups = [{"params": actor.parameters(), "lr": config.actor_lr}]
    if critic is not None:
        groups.append({"params": critic.parameters(), "lr": config.critic_lr})
    optimizer = torch.optim.Adam(groups, **ADAM_KWARGS)
    tracker = Tracker(config, actor, seed)

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

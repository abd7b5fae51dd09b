"""Monte-Carlo policy gradient on batches of whole episodes, chapter 5:
the five variants (:data:`PG_VARIANTS`) from vanilla PG to advantage
actor-critic."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import torch
from torch import nn

from actorcritic.algorithms.common import check_config
from actorcritic.envs import check_spaces, seed_everything
from actorcritic.losses import (
    aac_loss,
    baseline_pg_loss,
    entropy_loss,
    vanilla_pg_loss,
)
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.optim import ADAM_KWARGS, clip_flat_grad_, flat_parameters
from actorcritic.returns import reward_to_go
from actorcritic.rollouts import EpisodeBatchCollector
from actorcritic.runs import Logger, Tracker, Trained


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
        check_config(self)
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
    check_spaces(
        "train_episodic_pg",
        config.env_id,
        env.observation_space,
        env.action_space,
        "discrete",
    )
    obs_dim = env.observation_space.shape[0]
    actor = CategoricalPolicy(obs_dim, env.action_space.n, config.hidden)
    modules: list[nn.Module] = [actor]
    critic = None
    if config.baseline == "value":
        critic = ValueNetwork(obs_dim, config.hidden)
        modules.append(critic)
    flat = flat_parameters(*modules)
    optimizer = torch.optim.Adam([flat], lr=config.lr, **ADAM_KWARGS)
    tracker = Tracker(config, actor, seed)
    logger = Logger(tracker.history, config.log_every)

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

"""Soft Actor-Critic (Haarnoja et al., 2018), chapter 7: a squashed
Gaussian policy, twin critics with target copies, a replay buffer and
an automatically tuned entropy temperature."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import torch

from actorcritic.algorithms.common import (
    check_config,
    continuous_env,
    off_policy_loop,
)
from actorcritic.buffer import ReplayBuffer, Transitions
from actorcritic.fast_off_policy_steps import SACStepByHand
from actorcritic.off_policy import (
    clipped_double_q,
    polyak_update,
    soft_q_target,
)
from actorcritic.off_policy_networks import QNetworks, SquashedGaussianPolicy
from actorcritic.optim import FlatAdam, flat_parameters
from actorcritic.runs import Tracker, Trained


@dataclass(frozen=True)
class SACConfig:
    """Soft Actor-Critic on one copy of a task with a box of continuous
    actions. Defaults: Pendulum-v1 with RL Zoo's settings for it (a step
    size of 1e-3, 20,000 steps), smaller networks."""

    env_id: str = "Pendulum-v1"
    total_steps: int = 20_000  # environment steps of training
    learning_starts: int = 100  # random actions first; updates after
    buffer_size: int = 1_000_000  # transitions kept (the oldest go first)
    batch_size: int = 256  # transitions per gradient step
    gradient_steps: int = 1  # gradient steps per environment step
    gamma: float = 0.99  # discount
    tau: float = 0.005  # Polyak step of the target critics
    lr: float = 1e-3  # Adam step size: actor, critics and temperature
    hidden: tuple[int, ...] = (64, 64)  # hidden widths of every network
    alpha: float | None = None  # a fixed temperature; None: tuned
    target_entropy: float | None = None  # None: -act_dim
    bootstrap_truncated: bool = True  # False: time limits as terminal
    eval_every: int = 2_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = False  # return the best-evaluated actor, not the last
    log_every: int = 1_000  # env steps between logged diagnostics

    def __post_init__(self) -> None:
        check_config(self)


def train_sac(
    config: SACConfig,
    seed: int,
    target_fn: Callable[..., torch.Tensor] = soft_q_target,
    polyak_fn: Callable[..., None] = polyak_update,
    autograd: bool = False,
) -> Trained:
    """Train SAC; the returned critic is the twin :class:`QNetworks`.

    Per gradient step, on a batch ``(s, a, r, s')`` from the buffer, with
    ``a~ ~ pi(.|s)`` sampled once (reparameterised):

    1. the temperature: ``log alpha`` follows
       ``-log alpha (log pi(a~|s) + target_entropy)`` (skipped when
       ``config.alpha`` fixes it);
    2. the critics: both regress on
       :func:`~actorcritic.off_policy.soft_q_target`, with ``a' ~ pi(.|s')``
       and the target critics;
    3. the actor: ``alpha log pi(a~|s) - min_i Q_i(s, a~)``, through the
       critics just updated (their weights get no gradient from it);
    4. the target critics take a Polyak step of ``tau``.

    The order and the losses are Stable-Baselines3's (each critic's loss
    is half its mean squared error), so ``benchmarks/bench_sb3_sac.py``
    compares like with like. The temperature in steps 2 and 3 is the one
    before step 1's update.

    The update below, through autograd, is the one to read. Training
    runs :class:`~actorcritic.fast_off_policy_steps.SACStepByHand` unless
    ``autograd`` is set: the same operations without autograd's engine,
    so the same run to the last bit, at about 1.3 times the steps per
    second on Pendulum (``benchmarks/bench_sb3_sac.py`` runs both;
    ``tests/test_fast_off_policy_steps.py`` compares them).

    Args:
        config: hyperparameters.
        seed: seeds the networks, the sampling and the environment.
        target_fn: computes step 2's target, with
            :func:`~actorcritic.off_policy.soft_q_target`'s arguments.
        polyak_fn: step 4, as :func:`~actorcritic.off_policy.polyak_update`.
            The chapter passes the reader's versions of both.
        autograd: take the gradients through autograd (slower, the same
            numbers).
    """
    env = continuous_env("train_sac", config, seed)
    obs_dim = env.observation_space.shape[0]
    space = env.action_space
    actor = SquashedGaussianPolicy(
        obs_dim, space.low, space.high, config.hidden
    )
    act_dim = actor.act_dim
    critic = QNetworks(obs_dim, act_dim, config.hidden, n_critics=2)
    critic_target = copy.deepcopy(critic).requires_grad_(False)
    target_entropy = (
        -float(act_dim)
        if config.target_entropy is None
        else config.target_entropy
    )
    # Adam on each network's weights as one flat tensor, and on log alpha
    actor_opt = FlatAdam(flat_parameters(actor), lr=config.lr)
    critic_opt = FlatAdam(flat_parameters(critic), lr=config.lr)
    log_alpha = torch.zeros(1, requires_grad=True)
    log_alpha.grad = torch.zeros(1)
    alpha_opt = FlatAdam(log_alpha, lr=config.lr)
    actor_params = list(actor.parameters())

    def update(batch: Transitions) -> dict[str, torch.Tensor]:
        action, log_prob = actor.sample(batch.obs)  # (B, A), (B,)
        if config.alpha is None:
            alpha = float(log_alpha.detach().exp())
            alpha_loss = -(log_alpha * (log_prob.detach() + target_entropy))
            log_alpha.grad.zero_()
            alpha_loss.mean().backward()
            alpha_opt.step()
        else:
            alpha = config.alpha
        with torch.no_grad():
            next_action, next_log_prob = actor.sample(batch.next_obs)
            target = target_fn(
                batch.reward,
                critic_target(batch.next_obs, next_action),  # (2, B)
                next_log_prob,
                batch.terminated,
                batch.truncated,
                config.gamma,
                alpha,
            )  # (B,)
        q = critic(batch.obs, batch.action)  # (2, B)
        critic_loss = 0.5 * ((q - target) ** 2).mean(dim=1).sum()
        critic_opt.flat.grad.zero_()
        critic_loss.backward()
        critic_opt.step()
        q_pi = clipped_double_q(critic(batch.obs, action))  # (B,)
        actor_loss = (alpha * log_prob - q_pi).mean()
        actor_opt.flat.grad.zero_()
        actor_loss.backward(inputs=actor_params)  # no critic gradients
        actor_opt.step()
        polyak_fn(critic_target, critic, config.tau)
        return {
            "critic_loss": critic_loss,
            "actor_loss": actor_loss,
            "alpha": alpha,
            "entropy": -log_prob.detach().mean(),
        }

    if not autograd:
        update = SACStepByHand(
            actor,
            (critic, critic_target),
            (actor_opt, critic_opt, alpha_opt),
            config,
            target_entropy,
            target_fn,
            polyak_fn,
        )
    buffer = ReplayBuffer(
        obs_dim, act_dim, min(config.buffer_size, config.total_steps)
    )
    tracker = Tracker(config, actor, seed)
    tracker.history.gradients = (
        "by hand" if isinstance(update, SACStepByHand) else "autograd"
    )
    try:
        off_policy_loop(config, env, actor, buffer, update, tracker)
    finally:
        env.close()
    return Trained(tracker.final_actor(), critic, tracker.history)

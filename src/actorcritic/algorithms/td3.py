"""TD3 (Fujimoto et al., 2018), chapter 7: a deterministic policy,
clipped double-Q, delayed policy updates and target-policy smoothing;
and :data:`DDPG`, the same code with the three fixes turned off
(Lillicrap et al., 2016, as the TD3 paper re-implements it)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass, replace

import numpy as np
import torch

from actorcritic.algorithms.common import (
    check_config,
    continuous_env,
    off_policy_loop,
)
from actorcritic.buffer import ReplayBuffer, Transitions
from actorcritic.fast_off_policy_steps import TD3StepByHand
from actorcritic.off_policy import (
    clipped_double_q,
    estimation_bias,
    polyak_update,
    smoothed_target_action,
)
from actorcritic.off_policy_networks import DeterministicPolicy, QNetworks
from actorcritic.optim import FlatAdam, flat_parameters
from actorcritic.returns import td_target
from actorcritic.runs import Tracker, Trained


@dataclass(frozen=True)
class TD3Config:
    """TD3 on one copy of a task with a box of continuous actions.
    Defaults: Pendulum-v1, the paper's noise settings and delay, RL Zoo's
    step size for Pendulum (1e-3), the book's small networks. Noise
    scales are fractions of the action box's half-width."""

    env_id: str = "Pendulum-v1"
    total_steps: int = 20_000  # environment steps of training
    learning_starts: int = 1_000  # random actions first; updates after
    buffer_size: int = 1_000_000  # transitions kept (the oldest go first)
    batch_size: int = 256  # transitions per gradient step
    gradient_steps: int = 1  # critic updates per environment step
    gamma: float = 0.99  # discount
    tau: float = 0.005  # Polyak step of the target networks
    lr: float = 1e-3  # Adam step size: actor and critics
    hidden: tuple[int, ...] = (64, 64)  # hidden widths of every network
    n_critics: int = 2  # 2: clipped double-Q; 1: DDPG's single critic
    policy_delay: int = 2  # critic updates per actor and target update
    target_noise: float = 0.2  # smoothing noise on the target action
    noise_clip: float = 0.5  # the smoothing noise is clipped to this
    exploration_noise: float = 0.1  # std of the noise added when acting
    bootstrap_truncated: bool = True  # False: time limits as terminal
    eval_every: int = 2_000  # env steps between greedy evaluations
    eval_episodes: int = 10  # episodes per periodic evaluation
    bias_episodes: int = 0  # > 0: measure the critic's bias at evaluations
    stop_at_return: float | None = None  # stop once an evaluation reaches it
    keep_best: bool = False  # return the best-evaluated actor, not the last
    log_every: int = 1_000  # env steps between logged diagnostics

    def __post_init__(self) -> None:
        check_config(self)


#: DDPG as TD3's ablation: one critic, the actor and the targets updated
#: with every critic update, no target-policy smoothing.
DDPG = TD3Config(n_critics=1, policy_delay=1, target_noise=0.0)


def ddpg(**changes) -> TD3Config:
    """:data:`DDPG` with some fields changed (``dataclasses.replace``)."""
    return replace(DDPG, **changes)


def bias_probe(actor, critic, config, seed: int):
    """The probe :func:`train_td3` hands its tracker when
    ``config.bias_episodes > 0``: the mean of the first critic's estimate
    and of the discounted return it predicts
    (:func:`~actorcritic.off_policy.estimation_bias`), at the start
    states of ``bias_episodes`` seeded episodes of the greedy policy.

    Only for a deterministic policy's critic: SAC's critics estimate a
    soft value, which counts the entropy bonuses to come, of a
    stochastic policy, and differ from the greedy return by more than
    their bias."""

    def probe() -> dict[str, float]:
        q, returns = estimation_bias(
            actor,
            critic,
            config.env_id,
            config.bias_episodes,
            seed=2_000_000 + 1_000 * seed,
            gamma=config.gamma,
        )
        return {
            "q_estimate": float(np.mean(q)),
            "mc_return": float(np.mean(returns)),
        }

    return probe if config.bias_episodes > 0 else None


def train_td3(
    config: TD3Config,
    seed: int,
    polyak_fn: Callable[..., None] = polyak_update,
    autograd: bool = False,
) -> Trained:
    """Train TD3 (or DDPG, with :data:`DDPG`'s settings); the returned
    critic is the :class:`QNetworks` of ``config.n_critics`` critics.

    Per gradient step, on a batch ``(s, a, r, s')`` from the buffer:

    1. the target action ``a' = clip(mu_targ(s') + clip(eps, -c, c))``,
       ``eps ~ N(0, target_noise^2)`` (target-policy smoothing);
    2. every critic regresses on ``r + gamma (1 - terminated)
       min_i Q_targ_i(s', a')`` (clipped double-Q; with one critic, its
       own estimate), each loss half its mean squared error;
    3. every ``policy_delay``-th step: the actor ascends ``Q_1(s, mu(s))``
       and the target actor and critics take a Polyak step of ``tau``.

    Acting adds Gaussian noise of std ``exploration_noise`` to ``mu(s)``
    and clips into the box. ``polyak_fn`` makes step 3's Polyak steps,
    as :func:`~actorcritic.off_policy.polyak_update` (the chapter passes
    the reader's version).

    The update below, through autograd, is the one to read. Training
    runs :class:`~actorcritic.fast_off_policy_steps.TD3StepByHand` unless
    ``autograd`` is set: the same operations without autograd's engine,
    so the same run to the last bit, at about 1.2 times the steps per
    second on Pendulum (``tests/test_fast_off_policy_steps.py`` compares
    both).
    """
    env = continuous_env("train_td3", config, seed)
    obs_dim = env.observation_space.shape[0]
    space = env.action_space
    actor = DeterministicPolicy(
        obs_dim,
        space.low,
        space.high,
        config.hidden,
        noise_std=config.exploration_noise,
    )
    critic = QNetworks(obs_dim, actor.act_dim, config.hidden, config.n_critics)
    actor_target = copy.deepcopy(actor).requires_grad_(False)
    critic_target = copy.deepcopy(critic).requires_grad_(False)
    actor_opt = FlatAdam(flat_parameters(actor), lr=config.lr)
    critic_opt = FlatAdam(flat_parameters(critic), lr=config.lr)
    actor_params = list(actor.parameters())
    updates = 0

    def update(batch: Transitions) -> dict[str, torch.Tensor]:
        nonlocal updates
        with torch.no_grad():
            next_action = smoothed_target_action(
                actor_target(batch.next_obs),
                actor.half_width,
                actor.low,
                actor.high,
                config.target_noise,
                config.noise_clip,
            )  # (B, A)
            next_q = critic_target(batch.next_obs, next_action)  # (n, B)
            target = td_target(
                batch.reward,
                clipped_double_q(next_q),
                batch.terminated,
                config.gamma,
            )  # (B,)
        q = critic(batch.obs, batch.action)  # (n_critics, B)
        critic_loss = 0.5 * ((q - target) ** 2).mean(dim=1).sum()
        critic_opt.flat.grad.zero_()
        critic_loss.backward()
        critic_opt.step()
        logs = {"critic_loss": critic_loss, "q": q.detach()[0].mean()}
        updates += 1
        if updates % config.policy_delay == 0:
            actor_loss = -critic(batch.obs, actor(batch.obs))[0].mean()
            actor_opt.flat.grad.zero_()
            actor_loss.backward(inputs=actor_params)  # no critic gradients
            actor_opt.step()
            polyak_fn(critic_target, critic, config.tau)
            polyak_fn(actor_target, actor, config.tau)
        return logs

    if not autograd:
        update = TD3StepByHand(
            (actor, actor_target),
            (critic, critic_target),
            (actor_opt, critic_opt),
            config,
            polyak_fn,
        )
    buffer = ReplayBuffer(
        obs_dim, actor.act_dim, min(config.buffer_size, config.total_steps)
    )
    tracker = Tracker(
        config, actor, seed, bias_probe(actor, critic, config, seed)
    )
    tracker.history.gradients = (
        "by hand" if isinstance(update, TD3StepByHand) else "autograd"
    )
    try:
        off_policy_loop(config, env, actor, buffer, update, tracker)
    finally:
        env.close()
    return Trained(tracker.final_actor(), critic, tracker.history)

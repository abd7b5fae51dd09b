"""``train_sac``'s and ``train_td3``'s updates without autograd, built
from :mod:`actorcritic.fast_off_policy`'s pieces: the same random draws,
losses, gradients and Adam steps as the updates through autograd that
their modules show, so the same runs to the last bit
(``tests/test_fast_off_policy_steps.py``), in less time
(``benchmarks/bench_sb3_sac.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

import torch

from actorcritic.buffer import Transitions
from actorcritic.fast import (
    mlp_backward,
    mlp_forward,
    mlp_weights,
    weights_and_grads,
)
from actorcritic.fast_off_policy import (
    batch_constants,
    constant,
    critic_grads,
    critic_step,
    q_backward,
    q_forward,
    squashed_sample,
    squashed_sample_backward,
)
from actorcritic.off_policy import clipped_double_q, smoothed_target_action
from actorcritic.off_policy_networks import (
    DeterministicPolicy,
    QNetworks,
    SquashedGaussianPolicy,
)
from actorcritic.optim import FlatAdam
from actorcritic.returns import td_target

if TYPE_CHECKING:  # the algorithms import this module
    from actorcritic.algorithms.sac import SACConfig
    from actorcritic.algorithms.td3 import TD3Config


class SACStepByHand:
    """``train_sac``'s update (see its docstring for the four steps) with
    every gradient computed without autograd: the same random draws,
    losses, gradients and Adam steps, so the same run to the last bit.

    Called on a batch, it returns the diagnostics ``train_sac``'s own
    update returns. ``target_fn`` and ``polyak_fn`` are the reader's
    functions or the package's, called as ``train_sac`` calls them.
    """

    def __init__(
        self,
        actor: SquashedGaussianPolicy,
        critics: tuple[QNetworks, QNetworks],
        optimizers: tuple[FlatAdam, FlatAdam, FlatAdam],
        config: SACConfig,
        target_entropy: float,
        target_fn: Callable[..., torch.Tensor],
        polyak_fn: Callable[..., None],
    ) -> None:
        self.actor, (self.critic, self.critic_target) = actor, critics
        self.actor_opt, self.critic_opt, self.alpha_opt = optimizers
        self.log_alpha = self.alpha_opt.flat
        self.config = config
        self.target_entropy = constant(target_entropy)
        self.fixed_alpha = (
            None if config.alpha is None else constant(config.alpha)
        )
        self.target_fn, self.polyak_fn = target_fn, polyak_fn
        (self.actor_weights,), (self.actor_grads,) = weights_and_grads(actor)
        self.critic_grads = critic_grads(self.critic)

    def _sample(self, obs: torch.Tensor):
        out, inputs = mlp_forward(self.actor_weights, obs, "relu")
        return squashed_sample(self.actor, out), inputs

    @torch.no_grad()
    def __call__(self, batch: Transitions) -> dict[str, torch.Tensor]:
        config, n = self.config, batch.obs.shape[0]
        mean_grad, _ = batch_constants(n, self.critic.n_critics)
        sample, actor_inputs = self._sample(batch.obs)
        log_prob = sample.log_prob  # (B,)
        if config.alpha is None:  # the temperature's step
            alpha_t = self.log_alpha.exp()  # (1,), before the step
            self.log_alpha.grad.copy_(
                (-mean_grad * (log_prob + self.target_entropy)).sum(
                    0, keepdim=True
                )
            )
            self.alpha_opt.step()
            alpha = float(alpha_t)  # the same number, as a Python float
        else:
            alpha_t, alpha = self.fixed_alpha, config.alpha
        # the critics' step, on the soft target
        next_sample, _ = self._sample(batch.next_obs)
        next_q, _ = q_forward(
            self.critic_target, batch.next_obs, next_sample.action
        )  # (2, B)
        target = self.target_fn(
            batch.reward,
            next_q,
            next_sample.log_prob,
            batch.terminated,
            batch.truncated,
            config.gamma,
            alpha,
        )  # (B,)
        if target.dtype != torch.float32:  # autograd would promote
            raise ValueError(
                "target_fn must return the targets as float32 (the "
                f"critics' dtype), got {target.dtype}; or train with "
                "autograd=True"
            )
        _, critic_loss = critic_step(
            self.critic, self.critic_grads, batch, target
        )
        self.critic_opt.step()
        # the actor's step: mean(alpha log pi - min_i Q_i), new critics
        q_pi, pi_inputs = q_forward(self.critic, batch.obs, sample.action)
        smallest = q_pi.min(dim=0)  # clipped double-Q, (B,)
        actor_loss = (alpha_t * log_prob - smallest.values).mean()
        d_q_pi = torch.zeros_like(q_pi).scatter_(
            0, smallest.indices.unsqueeze(0), (-mean_grad).unsqueeze(0)
        )  # (2, B): the minimum's gradient goes to the critic that gave it
        d_input = q_backward(self.critic, pi_inputs, d_q_pi)  # (B, in)
        d_action = d_input[:, self.critic.obs_dim :]  # (B, A)
        d_out = squashed_sample_backward(
            self.actor, sample, d_action, mean_grad * alpha_t
        )
        mlp_backward(
            self.actor_weights, actor_inputs, d_out, self.actor_grads, "relu"
        )
        self.actor_opt.step()
        self.polyak_fn(self.critic_target, self.critic, config.tau)
        return {
            "critic_loss": critic_loss,
            "actor_loss": actor_loss,
            "alpha": alpha,
            "entropy": -log_prob.mean(),
        }


class TD3StepByHand:
    """``train_td3``'s update (see its docstring) with every gradient
    computed without autograd: the same run to
    the last bit. ``polyak_fn`` is the reader's or the package's."""

    def __init__(
        self,
        actors: tuple[DeterministicPolicy, DeterministicPolicy],
        critics: tuple[QNetworks, QNetworks],
        optimizers: tuple[FlatAdam, FlatAdam],
        config: TD3Config,
        polyak_fn: Callable[..., None],
    ) -> None:
        (self.actor, self.actor_target), (self.critic, self.critic_target) = (
            actors,
            critics,
        )
        self.actor_opt, self.critic_opt = optimizers
        self.config, self.polyak_fn = config, polyak_fn
        (self.actor_weights,), (self.actor_grads,) = weights_and_grads(
            self.actor
        )
        self.target_weights = mlp_weights(self.actor_target.net)
        self.critic_grads = critic_grads(self.critic)
        self.updates = 0

    def _act(self, weights, obs) -> tuple[torch.Tensor, ...]:
        """mu(s) ``(B, A)`` of the actor whose :func:`mlp_weights` are
        ``weights`` (the online or the target actor: they share the
        box), tanh of the network's output, the layers' inputs."""
        out, inputs = mlp_forward(weights, obs, "relu")
        squashed = torch.tanh(out)
        actor = self.actor
        return actor.center + actor.half_width * squashed, squashed, inputs

    @torch.no_grad()
    def __call__(self, batch: Transitions) -> dict[str, torch.Tensor]:
        config, actor, critic = self.config, self.actor, self.critic
        next_action = smoothed_target_action(
            self._act(self.target_weights, batch.next_obs)[0],
            actor.half_width,
            actor.low,
            actor.high,
            config.target_noise,
            config.noise_clip,
        )  # (B, A)
        next_q, _ = q_forward(self.critic_target, batch.next_obs, next_action)
        target = td_target(
            batch.reward,
            clipped_double_q(next_q),
            batch.terminated,
            config.gamma,
        )  # (B,)
        q, critic_loss = critic_step(critic, self.critic_grads, batch, target)
        self.critic_opt.step()
        logs = {"critic_loss": critic_loss, "q": q[0].mean()}
        self.updates += 1
        if self.updates % config.policy_delay:
            return logs
        # the actor's step: -mean Q_1(s, mu(s)), through the new critics
        action, squashed, inputs = self._act(self.actor_weights, batch.obs)
        q_pi, pi_inputs = q_forward(critic, batch.obs, action)
        n = batch.obs.shape[0]
        mean_grad, _ = batch_constants(n, critic.n_critics)
        d_q_pi = torch.zeros_like(q_pi)  # (n_critics, B): Q_1's row only
        d_q_pi[0] = -mean_grad
        d_input = q_backward(critic, pi_inputs, d_q_pi)  # (B, in)
        d_action = d_input[:, critic.obs_dim :]  # (B, A)
        d_out = torch.ops.aten.tanh_backward(
            d_action * actor.half_width, squashed
        )
        mlp_backward(
            self.actor_weights, inputs, d_out, self.actor_grads, "relu"
        )
        self.actor_opt.step()
        self.polyak_fn(self.critic_target, critic, config.tau)
        self.polyak_fn(self.actor_target, actor, config.tau)
        return logs

"""Chapter 7's gradient steps without autograd, in pieces: the same
numbers as ``train_sac``'s and ``train_td3``'s steps through autograd,
bit for bit, in less time.

At Pendulum's sizes (64-unit networks, batches of 256) an update through
autograd spends about half its time outside the arithmetic: in the
engine's bookkeeping for about 130 backward operations and in module
dispatch (``benchmarks/bench_sb3_sac.py`` measures the whole run). Here
each backward operation is the one autograd itself runs, called
directly and in the engine's order, so each sum of gradients rounds as
autograd's does; the one exception, :func:`q_backward`'s outer product,
is exact too (one rounding either way; only the sign of a zero can
differ). So the numbers are autograd's on any CPU, in float32, the
dtype of the package's networks (``tests/test_fast_off_policy.py``
compares single steps, ``tests/test_fast_off_policy_steps.py`` whole
runs):

- :func:`q_forward` and :func:`q_backward`: the twin critics of
  :class:`~actorcritic.off_policy_networks.QNetworks`, their batched
  products and ReLUs, and their backward pass to the weights or to the
  input (the action, for the actor's step);
- :func:`squashed_sample` and :func:`squashed_sample_backward`: the
  reparameterised draw of
  :meth:`~actorcritic.off_policy_networks.SquashedGaussianPolicy.sample`
  and its log-probability, forward and back;
- :func:`critic_step`: the critics' regression, loss and gradient.

:mod:`actorcritic.fast_off_policy_steps` builds ``train_sac``'s and
``train_td3``'s updates from them.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass

import torch
from torch.nn import functional as F

from actorcritic.buffer import Transitions
from actorcritic.fast import relu_backward
from actorcritic.off_policy_networks import QNetworks, SquashedGaussianPolicy


def constant(value: float) -> torch.Tensor:
    """A float32 scalar tensor: the number autograd's ``x * value``
    rounds ``value`` to, made once rather than wrapped anew at every
    call (about 2 µs each time)."""
    return torch.tensor(value, dtype=torch.float32)


HALF, MINUS_HALF, TWO, MINUS_TWO, ZERO = map(
    constant, (0.5, -0.5, 2.0, -2.0, 0.0)
)
LOG_SQRT_2PI = constant(0.5 * math.log(2 * math.pi))
LOG_2 = constant(math.log(2.0))


def q_forward(
    critic: QNetworks, obs: torch.Tensor, action: torch.Tensor
) -> tuple[torch.Tensor, list[torch.Tensor]]:
    """``critic(obs, action)`` ``(n_critics, B)`` for ``(B, obs_dim)``
    and ``(B, act_dim)``, and each layer's input ``(n_critics, B, in)``
    (the first is the concatenated input, expanded), for
    :func:`q_backward`. Call it under ``torch.no_grad()``."""
    x = torch.cat([obs, action], dim=-1)  # (B, obs_dim + act_dim)
    h = x.expand(critic.n_critics, *x.shape)  # (n_critics, B, in)
    inputs = [h]
    last = len(critic.weights) - 1
    for k, (weight, bias) in enumerate(
        zip(critic.weights, critic.biases, strict=True)
    ):
        h = torch.baddbmm(bias, h, weight)  # (n_critics, B, out)
        if k < last:
            h = torch.relu(h)
            inputs.append(h)
    return h.squeeze(-1), inputs


def q_backward(
    critic: QNetworks,
    inputs: list[torch.Tensor],
    grad_q: torch.Tensor,
    grads: list[tuple[torch.Tensor, torch.Tensor]] | None = None,
) -> torch.Tensor | None:
    """Backpropagate ``grad_q`` ``(n_critics, B)``, a loss's gradient
    with respect to :func:`q_forward`'s output, through the critics.

    With ``grads`` (one ``(weight, bias)`` pair per layer, shaped like
    the critic's, for example the parameters' ``.grad``), write the
    weights' gradients there, overwriting them, and return None. Without,
    return the gradient with respect to the input ``(B, obs_dim +
    act_dim)`` instead, the weights getting none (autograd's
    ``backward(inputs=...)`` on the actor's weights). Autograd's
    operations for ``baddbmm``, ``relu`` and ``expand``."""
    g = grad_q.unsqueeze(-1)  # (n_critics, B, 1)
    for k in range(len(inputs) - 1, -1, -1):
        weight = critic.weights[k]
        if grads is not None:
            weight_grad, bias_grad = grads[k]
            bias_grad.copy_(g.sum(1, keepdim=True))  # (n_critics, 1, out)
            weight_grad.copy_(torch.bmm(inputs[k].transpose(1, 2), g))
            if k == 0:
                return None
        if g.shape[-1] == 1:  # a product over one term: an outer product,
            # the same values (up to the sign of a zero), ten times faster
            g = g * weight.transpose(1, 2)
        else:
            g = g.bmm(weight.transpose(1, 2))  # (n_critics, B, in)
        if k:
            g = relu_backward(g, inputs[k])
    # the input was expanded to every critic: its gradient sums theirs
    return g.sum(0, keepdim=True).view(g.shape[1:])


@functools.cache
def batch_constants(n: int, n_critics: int) -> tuple[torch.Tensor, ...]:
    """The gradients that do not depend on a batch's values, as autograd
    computes them: through a mean over ``n`` transitions ``(n,)``, and
    through the critics' loss, as far as its square ``(n_critics, n)``.
    Made once per size; never changed in place."""
    one = torch.ones(())  # d loss / d loss
    mean_grad = one.expand(n) / n
    d_square = (one * 0.5).expand(n_critics)  # through the sum
    d_square = d_square.unsqueeze(1).expand(-1, n) / n  # and the mean
    return mean_grad, d_square


def critic_step(
    critic: QNetworks,
    grads: list[tuple[torch.Tensor, torch.Tensor]],
    batch: Transitions,
    target: torch.Tensor,
) -> tuple[torch.Tensor, torch.Tensor]:
    """The critics' regression on ``target`` ``(B,)``, the loss
    ``0.5 * sum_i mean_B (Q_i(s, a) - y)^2`` of ``train_sac`` and
    ``train_td3``: writes its gradient into ``grads`` (as
    :func:`q_backward`) and returns ``(q, loss)``, ``q`` of shape
    ``(n_critics, B)``."""
    q, inputs = q_forward(critic, batch.obs, batch.action)
    error = q - target  # (n_critics, B)
    loss = HALF * error.pow(2).mean(dim=1).sum()
    _, d_square = batch_constants(q.shape[1], q.shape[0])
    q_backward(critic, inputs, d_square * (TWO * error), grads)
    return q, loss


def critic_grads(
    critic: QNetworks,
) -> list[tuple[torch.Tensor, torch.Tensor]]:
    """Where :func:`q_backward` writes ``critic``'s gradients: each
    layer's ``(weight.grad, bias.grad)``."""
    return [
        (w.grad, b.grad)
        for w, b in zip(critic.weights, critic.biases, strict=True)
    ]


@dataclass
class SquashedSample:
    """What :func:`squashed_sample` drew and what its backward needs."""

    action: torch.Tensor  # (B, act_dim), in the box
    log_prob: torch.Tensor  # (B,)
    # what the backward pass needs, each (B, act_dim)
    raw_log_std: torch.Tensor  # the network's, before the clamp
    std: torch.Tensor  # exp(log std), which scaled the noise
    eps: torch.Tensor  # the noise
    z_num: torch.Tensor  # u - mean
    std_again: torch.Tensor  # the log-probability's own exp(log std)
    z: torch.Tensor  # (u - mean) / std
    minus_2u: torch.Tensor  # -2u, softplus's input
    squashed: torch.Tensor  # tanh(u)


def squashed_sample(
    actor: SquashedGaussianPolicy, out: torch.Tensor
) -> SquashedSample:
    """``actor.sample(obs)`` from the network's output ``out = actor.net(
    obs)`` ``(B, 2 act_dim)``, with the same random draw and, operation
    for operation, the forward pass of
    :func:`~actorcritic.off_policy.squashed_gaussian_log_prob`."""
    mean, raw_log_std = out.split(actor.act_dim, dim=-1)  # (B, A) each
    log_std = raw_log_std.clamp(actor.log_std_min, actor.log_std_max)
    std = log_std.exp()
    eps = torch.randn_like(mean)
    pre_tanh = mean + std * eps  # u
    # the Gaussian's log-density of u, then the tanh correction
    z_num = pre_tanh - mean
    std_again = log_std.exp()  # the log-probability's own exp
    z = z_num / std_again
    gaussian = MINUS_HALF * z**2 - log_std - LOG_SQRT_2PI
    minus_2u = MINUS_TWO * pre_tanh
    log_det = TWO * (LOG_2 - pre_tanh - F.softplus(minus_2u))
    log_prob = (gaussian - log_det).sum(-1)  # (B,)
    squashed = torch.tanh(pre_tanh)
    action = actor.center + actor.half_width * squashed
    return SquashedSample(
        action,
        log_prob,
        raw_log_std,
        std,
        eps,
        z_num,
        std_again,
        z,
        minus_2u,
        squashed,
    )


def squashed_sample_backward(
    actor: SquashedGaussianPolicy,
    sample: SquashedSample,
    grad_action: torch.Tensor,
    grad_log_prob: torch.Tensor,
) -> torch.Tensor:
    """The gradient with respect to the network's output ``(B, 2
    act_dim)`` of a loss whose gradients with respect to the
    :func:`squashed_sample`'s action ``(B, act_dim)`` and log-probability
    ``(B,)`` are given: each backward node autograd runs, in its order."""
    s, squashed = sample, sample.squashed  # s: what the forward saved
    # action = center + half_width * tanh(u)
    d_u = torch.ops.aten.tanh_backward(
        grad_action * actor.half_width, squashed
    )
    # log_prob = (gaussian - log_det).sum(-1)
    d_gaussian = grad_log_prob.unsqueeze(-1).expand_as(squashed)  # (B, A)
    d_log_det = -d_gaussian
    d_inner = d_log_det * TWO  # log 2 - u - softplus(-2u)
    d_minus_2u = torch.ops.aten.softplus_backward(
        -d_inner, s.minus_2u, 1.0, 20.0
    )
    # u's four uses, summed in the engine's order: tanh, then -2u, then
    # log 2 - u, then u - mean (the Gaussian's)
    d_u = d_u + d_minus_2u * MINUS_TWO
    d_u = d_u + -d_inner
    # gaussian = -0.5 z^2 - log_std - log sqrt(2 pi), z = (u - mean) / std
    d_log_std = -d_gaussian
    d_z = (d_gaussian * MINUS_HALF) * (TWO * s.z)
    d_z_num = d_z / s.std_again
    d_std_again = -d_z * ((s.z_num / s.std_again) / s.std_again)
    d_log_std = d_log_std + d_std_again * s.std_again
    d_u = d_u + d_z_num
    # u = mean + std * eps, std = exp(log_std)
    d_mean = d_u + -d_z_num
    d_log_std = d_log_std + (d_u * s.eps) * s.std
    # the clamp passes the gradient where it did not bind
    inside = (s.raw_log_std >= actor.log_std_min).logical_and_(
        s.raw_log_std <= actor.log_std_max
    )
    d_raw_log_std = torch.where(inside, d_log_std, ZERO)
    return torch.cat([d_mean, d_raw_log_std], dim=-1)  # (B, 2A)

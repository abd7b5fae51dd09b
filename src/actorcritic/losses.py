"""Losses as pure functions: tensors in, scalar losses out.

Minimising each loss with gradient descent performs the textbook update.
Nothing here touches an environment or an optimiser.
"""

from __future__ import annotations

import math

import torch

from actorcritic.returns import td_error, td_target


def one_step_losses(
    log_prob: torch.Tensor,
    value: torch.Tensor,
    next_value: torch.Tensor,
    reward: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float,
    discount_weight: float | torch.Tensor = 1.0,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Actor and critic losses of one-step actor-critic (S&B §13.5).

    With ``delta = r + gamma * (1 - terminated) * V(s') - V(s)``:

    - actor:  ``-I * delta * log pi(a|s)`` with delta *detached*, so the
      actor's gradient is ``-I * delta * grad log pi`` and nothing flows
      into the critic;
    - critic: ``0.5 * delta**2`` with V(s') *detached* (semi-gradient TD),
      whose gradient with respect to V(s) is ``-delta``.

    Shapes: all inputs ``()`` for one step, or ``(T,)``; losses are means.

    Args:
        log_prob: log pi(a|s), with grad to the actor.
        value: V(s), with grad to the critic.
        next_value: V(s'); for a truncated step, V(final obs).
        reward: r.
        terminated: 1.0 where s' is terminal (no bootstrap).
        gamma: discount.
        discount_weight: the factor I = gamma^t (1.0 to drop it).

    Returns:
        ``(actor_loss, critic_loss)``, two scalars.
    """
    delta = td_error(reward, value, next_value.detach(), terminated, gamma)
    actor_loss = -(discount_weight * delta.detach() * log_prob).mean()
    critic_loss = 0.5 * (delta**2).mean()
    return actor_loss, critic_loss


def a2c_losses(
    log_prob: torch.Tensor,
    entropy: torch.Tensor,
    value: torch.Tensor,
    next_value: torch.Tensor,
    reward: torch.Tensor,
    terminated: torch.Tensor,
    gamma: float,
    entropy_coef: float,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Actor and critic losses of advantage actor-critic on a batch of
    transitions, with an entropy bonus.

    With the TD target ``y = r + gamma * (1 - terminated) * V(s')`` and the
    advantage estimate ``A = y - V(s)``:

    - actor:  ``-mean(A * log pi(a|s)) - entropy_coef * mean(H)``, with A
      *detached*: the actor moves along ``A grad log pi`` and is pushed
      towards higher entropy H, and nothing flows into the critic;
    - critic: ``0.5 * mean((y - V(s))**2)`` with y *detached*.

    Shapes: every tensor ``(B,)`` (or all ``()``); losses are scalars.

    Args:
        log_prob: log pi(a|s), with grad to the actor.
        entropy: H(pi(.|s)), with grad to the actor.
        value: V(s), with grad to the critic.
        next_value: V(s'); for a truncated step, V(final obs).
        reward: r (already scaled, if the caller scales rewards).
        terminated: 1.0 where s' is terminal (no bootstrap).
        gamma: discount.
        entropy_coef: weight of the entropy bonus (0 turns it off).

    Returns:
        ``(actor_loss, critic_loss)``, two scalars.
    """
    check_same_shape(
        log_prob=log_prob,
        entropy=entropy,
        value=value,
        next_value=next_value,
        reward=reward,
        terminated=terminated,
    )
    target = td_target(reward, next_value.detach(), terminated, gamma)
    advantage = target - value  # (B,)
    actor_loss = (
        -(advantage.detach() * log_prob).mean() - entropy_coef * entropy.mean()
    )
    critic_loss = 0.5 * (advantage**2).mean()
    return actor_loss, critic_loss


def a2c_loss(
    log_prob: torch.Tensor,
    entropy: torch.Tensor,
    value: torch.Tensor,
    returns: torch.Tensor,
    value_coef: float,
    entropy_coef: float,
) -> torch.Tensor:
    """The A2C loss on a rollout, one scalar for one optimiser step:

        policy_loss  = -mean(A * log pi(a|s)),  A = G - V(s) detached
        value_loss   = mean((G - V(s))**2),     G detached
        loss = policy_loss + value_coef * value_loss
               - entropy_coef * mean(H)

    ``returns`` are the bootstrapped targets G (e.g. :func:`n_step_returns`).
    The value loss has no 1/2, as in Stable-Baselines3 and most A2C code,
    so ``value_coef = 0.5`` gives the critic the gradient of
    ``0.5 * (G - V)^2``.

    Shapes: every tensor ``(T, N)`` (or any one shape); returns a scalar.
    """
    check_same_shape(
        log_prob=log_prob, entropy=entropy, value=value, returns=returns
    )
    advantage = (returns - value).detach()  # (T, N)
    policy_loss = -(advantage * log_prob).mean()
    value_loss = (returns.detach() - value).pow(2).mean()
    return (
        policy_loss + value_coef * value_loss - entropy_coef * entropy.mean()
    )


def policy_gradient_loss(
    log_prob: torch.Tensor, weight: torch.Tensor
) -> torch.Tensor:
    """Surrogate ``-mean(log pi(a_t|s_t) * weight_t)``, weight detached.

    ``weight`` is a return, a return minus a baseline, or an advantage:
    a number that scales each log-probability, never a path for gradients.
    Its gradient is the (negated) REINFORCE estimate; its value is not a
    measure of performance.

    Shapes: ``log_prob`` and ``weight`` both ``(T,)`` (or both ``(T, N)``).
    """
    if log_prob.shape != weight.shape:
        raise ValueError(
            "log_prob and weight must have one shape, got "
            f"{tuple(log_prob.shape)} and {tuple(weight.shape)}"
        )
    return -(log_prob * weight.detach()).mean()


def vanilla_pg_loss(log_prob: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Vanilla (causal) policy-gradient loss ``-mean(q_t * log pi(a_t|s_t))``.

    ``q`` holds the Monte-Carlo q-value estimates (discounted reward-to-go)
    of a batch of episodes laid end to end; it is detached. Shapes: ``(B,)``
    each; returns a scalar.
    """
    return policy_gradient_loss(log_prob, q)


def baseline_pg_loss(log_prob: torch.Tensor, q: torch.Tensor) -> torch.Tensor:
    """Policy-gradient loss with the batch mean as baseline,
    ``-mean((q_t - b) * log pi(a_t|s_t))`` with ``b = mean(q)``.

    The baseline is one number for the whole batch: it does not depend on
    the action, so the gradient keeps its expectation (nearly: b is
    estimated from the same batch) while its variance drops. Shapes:
    ``(B,)`` each; returns a scalar.
    """
    return policy_gradient_loss(log_prob, q - q.mean())


def entropy_loss(logits: torch.Tensor) -> torch.Tensor:
    """Entropy loss ``-mean(H(pi(.|s))) / log |A|`` from logits ``(B, |A|)``.

    ``log |A|`` is the largest entropy ``|A|`` actions can have (the uniform
    policy), so the loss lies in ``[-1, 0]`` whatever the number of actions:
    -1 for a uniform policy, 0 for a deterministic one. Minimising it raises
    the entropy. Computed from ``log_softmax``, so saturated logits give
    0 * (-large) = 0 rather than 0 * log(0) = nan.
    """
    if logits.dim() < 1 or logits.shape[-1] < 2:
        raise ValueError(
            "expected logits of shape (..., n_actions) with n_actions >= 2, "
            f"got shape {tuple(logits.shape)}"
        )
    log_p = torch.log_softmax(logits, dim=-1)  # (B, |A|)
    entropy = -(log_p.exp() * log_p).sum(-1)  # (B,)
    return -entropy.mean() / math.log(logits.shape[-1])


def aac_loss(
    log_prob: torch.Tensor,
    value: torch.Tensor,
    q: torch.Tensor,
    value_coef: float,
) -> torch.Tensor:
    """Advantage actor-critic loss with Monte-Carlo targets:

        policy = -mean((q - V(s)) * log pi(a|s)),  q - V(s) detached
        value  = mean((V(s) - q)^2)
        loss   = policy + value_coef * value

    The critic V(s) is the baseline, one per state, and regresses on the
    same q-values it is subtracted from. Shapes: ``(B,)`` each; returns a
    scalar.
    """
    check_same_shape(log_prob=log_prob, value=value, q=q)
    policy = policy_gradient_loss(log_prob, q - value)
    return policy + value_coef * (value - q.detach()).pow(2).mean()


def value_loss(value: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
    """Regression loss ``0.5 * mean((target - V)^2)``, target detached."""
    if value.shape != target.shape:
        raise ValueError(
            "value and target must have one shape, got "
            f"{tuple(value.shape)} and {tuple(target.shape)}"
        )
    return 0.5 * ((target.detach() - value) ** 2).mean()


def check_same_shape(**tensors: torch.Tensor) -> None:
    """Raise a clear error unless every tensor has the same shape."""
    shapes = {name: tuple(t.shape) for name, t in tensors.items()}
    if len(set(shapes.values())) > 1:
        raise ValueError(
            "expected tensors of one shape (a (B,1) value broadcast against "
            f"(B,) rewards gives a (B,B) error), got {shapes}"
        )


def ppo_loss(
    log_prob: torch.Tensor,
    old_log_prob: torch.Tensor,
    advantage: torch.Tensor,
    entropy: torch.Tensor,
    value: torch.Tensor,
    returns: torch.Tensor,
    clip: float,
    value_coef: float,
    entropy_coef: float,
) -> torch.Tensor:
    """The PPO loss on a minibatch (Schulman et al., 2017), one scalar:

        ratio        = exp(log pi(a|s) - log pi_old(a|s))
        policy_loss  = -mean(min(ratio * A, clip(ratio, 1-eps, 1+eps) * A))
        value_loss   = mean((G - V(s))**2)
        loss = policy_loss + value_coef * value_loss - entropy_coef * mean(H)

    ``old_log_prob`` (the policy that collected the data), ``advantage``
    and the targets ``returns`` are data: detached. With ``ratio = 1`` (the
    first minibatch of an update) the policy term is
    :func:`policy_gradient_loss`; once the ratio leaves ``[1 - clip,
    1 + clip]`` on the side the advantage favours, the clipped term wins
    the ``min`` and that sample gives no policy gradient. As in
    :func:`a2c_loss`, the value loss has no 1/2.

    Shapes: every tensor ``(B,)`` (or any one shape); returns a scalar.
    """
    check_same_shape(
        log_prob=log_prob,
        old_log_prob=old_log_prob,
        advantage=advantage,
        entropy=entropy,
        value=value,
        returns=returns,
    )
    if clip <= 0:
        raise ValueError(f"clip must be positive, got {clip}")
    advantage = advantage.detach()
    ratio = torch.exp(log_prob - old_log_prob.detach())  # (B,)
    clipped = torch.clamp(ratio, 1.0 - clip, 1.0 + clip)  # (B,)
    # the three means of the formula as one mean of the per-sample sum:
    # equal (up to rounding), with fewer autograd nodes
    per_sample = (
        -torch.min(ratio * advantage, clipped * advantage)
        + value_coef * (returns.detach() - value).pow(2)
        - entropy_coef * entropy
    )  # (B,)
    return per_sample.mean()

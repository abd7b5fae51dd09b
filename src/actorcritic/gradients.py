"""Policy-gradient estimates, and the weights and critics they use.

Chapter 1 estimates the gradient of J(theta) many times from independent
batches of episodes and measures how much the estimates scatter. With
episodes tau_1 .. tau_B of a batch, the estimate is

    g_hat = (1 / B) * sum_i sum_t grad log pi(a_t | s_t) * w_t

and the three estimators differ only in the weights ``w_t``
(:func:`episode_weights`). Chapter 6 measures the bias and variance of
advantage weights (:func:`gae_weights`, :func:`n_step_weights`) the same
way. The statistics of the estimates (total variance, batch means, the
bootstrap interval of a variance ratio) are in :mod:`actorcritic.variance`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import torch

from actorcritic.losses import value_loss
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.returns import gae, reward_to_go
from actorcritic.rollouts import Episode
from actorcritic.variance import total_variance

WEIGHTINGS = ("return", "reward_to_go", "baseline")


def episode_weights(
    reward: torch.Tensor,
    kind: str,
    gamma: float = 1.0,
    baseline: torch.Tensor | None = None,
) -> torch.Tensor:
    """Weights ``w_t`` of one episode's log-probabilities.

    - ``"return"``: the whole discounted return ``G_0`` at every step;
    - ``"reward_to_go"``: ``G_t``, only the rewards after the action;
    - ``"baseline"``: ``G_t - b(s_t)``, with ``baseline`` the ``(T,)``
      values ``b(s_t)`` (which must not depend on the action).

    Args:
        reward: ``(T,)`` rewards of one episode.
        kind: one of :data:`WEIGHTINGS`.
        gamma: discount.
        baseline: ``(T,)``, required for ``"baseline"``.

    Returns:
        ``(T,)`` weights, no graph.
    """
    if kind not in WEIGHTINGS:
        raise ValueError(f"kind must be one of {WEIGHTINGS}, got {kind!r}")
    rtg = reward_to_go(reward, gamma)  # (T,)
    if kind == "return":
        return rtg[0].expand_as(rtg).clone()
    if kind == "reward_to_go":
        return rtg
    if baseline is None or baseline.shape != rtg.shape:
        got = None if baseline is None else tuple(baseline.shape)
        raise ValueError(
            f"kind='baseline' needs a baseline of shape {tuple(rtg.shape)}, "
            f"got {got}"
        )
    return rtg - baseline.detach()


def policy_gradient_estimate(
    actor: CategoricalPolicy,
    episodes: Sequence[Episode],
    weights: Sequence[torch.Tensor],
) -> torch.Tensor:
    """One estimate ``g_hat`` of grad J from a batch of episodes.

    Returns:
        ``(P,)``: the gradient flattened over all of the actor's parameters.
    """
    if not episodes or len(episodes) != len(weights):
        raise ValueError(
            "need one (T,) weight tensor per episode and at least one "
            f"episode, got {len(episodes)} episodes, {len(weights)} weights"
        )
    obs = torch.cat([ep.obs for ep in episodes])  # (sum T, obs_dim)
    action = torch.cat([ep.action for ep in episodes])  # (sum T,)
    w = torch.cat(list(weights))  # (sum T,)
    with torch.enable_grad():  # works under an outer no_grad too
        log_prob = actor.dist(obs).log_prob(action)  # (sum T,)
        surrogate = (log_prob * w.detach()).sum() / len(episodes)
        grads = torch.autograd.grad(surrogate, list(actor.parameters()))
    return torch.cat([g.flatten() for g in grads])  # (P,)


def gradient_samples(
    actor: CategoricalPolicy,
    episodes: Sequence[Episode],
    batch_size: int,
    weight_fn: Callable[[Episode], torch.Tensor],
) -> torch.Tensor:
    """Estimates from disjoint batches of ``batch_size`` episodes.

    Returns:
        ``(K, P)`` with ``K = len(episodes) // batch_size``.
    """
    k = len(episodes) // batch_size if batch_size >= 1 else 0
    if k < 2:
        raise ValueError(
            f"need at least two batches of {batch_size} episodes to measure "
            f"a variance, got {len(episodes)} episodes"
        )
    weights = [weight_fn(ep) for ep in episodes]
    return torch.stack(
        [
            policy_gradient_estimate(
                actor,
                episodes[i * batch_size : (i + 1) * batch_size],
                weights[i * batch_size : (i + 1) * batch_size],
            )
            for i in range(k)
        ]
    )  # (K, P)


def fit_value(
    critic: ValueNetwork,
    episodes: Sequence[Episode],
    gamma: float,
    epochs: int = 300,
    lr: float = 1e-2,
) -> ValueNetwork:
    """Regress ``critic`` on the reward-to-go of ``episodes`` (full-batch
    Adam, ``epochs`` steps), in place; returns it for chaining.

    A baseline for the variance experiment: it must be fitted on episodes
    *other* than the ones whose gradients it centres, or it would depend on
    their actions.
    """
    if epochs < 1 or not episodes:
        raise ValueError(
            f"need epochs >= 1 and some episodes, got epochs={epochs}, "
            f"{len(episodes)} episodes"
        )
    obs = torch.cat([ep.obs for ep in episodes])  # (sum T, obs_dim)
    target = torch.cat(
        [reward_to_go(ep.reward, gamma) for ep in episodes]
    )  # (sum T,)
    optimizer = torch.optim.Adam(critic.parameters(), lr=lr)
    with torch.enable_grad():
        for _ in range(epochs):
            optimizer.zero_grad()
            value_loss(critic(obs), target).backward()
            optimizer.step()
    return critic


def explained_variance(
    prediction: torch.Tensor, target: torch.Tensor
) -> float:
    """``1 - Var(target - prediction) / Var(target)``: 1 is a perfect fit,
    0 no better than a constant, below 0 worse than a constant."""
    if prediction.shape != target.shape or target.numel() < 2:
        raise ValueError(
            "prediction and target must have one shape with at least two "
            f"elements, got {tuple(prediction.shape)} and "
            f"{tuple(target.shape)}"
        )
    residual = (target - prediction).detach()
    return float(1.0 - residual.var() / target.detach().var())


# --- advantages on whole episodes: chapter 6's bias-variance measurement ---


def _values(episode: Episode, critic: ValueNetwork) -> torch.Tensor:
    """``(T + 1,)``: V(s_0) .. V(s_{T-1}), then what follows the last step:
    0 after a terminal state, V(s_T) after a truncation."""
    with torch.no_grad():
        value = critic(episode.obs)  # (T,)
        if episode.terminated:
            last = torch.zeros(1)
        elif episode.final_obs is None:
            raise ValueError(
                "a truncated episode needs its final_obs to bootstrap from"
            )
        else:
            last = critic(episode.final_obs[None])  # (1,)
    return torch.cat([value, last])


def gae_weights(
    episode: Episode,
    critic: ValueNetwork,
    gamma: float,
    lam: float,
    gae_fn: Callable[..., torch.Tensor] = gae,
) -> torch.Tensor:
    """GAE(lambda) advantages ``(T,)`` of one whole episode:
    ``gae_fn`` (:func:`~actorcritic.returns.gae`, or chapter 6's reader's
    version) on it as a rollout of one env, which ends terminated or
    truncated on its last step."""
    v = _values(episode, critic)  # (T + 1,)
    T = len(episode)
    end = torch.zeros(T, 1)
    end[-1] = 1.0
    return gae_fn(
        episode.reward[:, None],
        v[:-1, None],
        v[1:, None],  # V(s_{t+1}); V(s_T) on the last step
        end * float(episode.terminated),
        end * float(not episode.terminated),
        gamma,
        lam,
    )[:, 0]


def n_step_weights(
    episode: Episode, critic: ValueNetwork, gamma: float, n: int
) -> torch.Tensor:
    """n-step advantages ``(T,)`` of one whole episode:
    ``G_{t:t+n} - V(s_t)`` with ``G_{t:t+n} = r_{t+1} + ... +
    gamma^{m-1} r_{t+m} + gamma^m V(s_{t+m})``, ``m = min(n, T - t)``
    (``V(s_T)`` is 0 after a terminal state)."""
    if n < 1:
        raise ValueError(f"n must be at least 1, got {n}")
    v = _values(episode, critic)  # (T + 1,)
    T = len(episode)
    t = torch.arange(T)
    target = torch.zeros(T)
    for k in range(min(n, T)):
        inside = t + k < T  # (T,)
        target += (gamma**k) * torch.where(
            inside, episode.reward[torch.clamp(t + k, max=T - 1)], 0.0
        )
    m = torch.clamp(T - t, max=n)  # (T,) steps summed
    target += gamma ** m.float() * v[t + m]
    return target - v[:-1]


def bias_and_variance(
    per_episode: torch.Tensor, reference: torch.Tensor, batch_size: int
) -> dict[str, float]:
    """Squared bias and variance of a batch estimate of the gradient.

    ``per_episode`` and ``reference`` are ``(N, P)`` per-episode
    estimates of the same N episodes, by the estimator measured and by an
    unbiased one. The bias is the mean of their difference, measured
    paired on the same episodes (which cancels most of the noise of
    either); its squared norm is corrected for the noise left, so it is
    an unbiased estimate. The variance is that of the mean of
    ``batch_size`` episodes.

    Returns:
        ``bias2``, ``variance`` (the total variance of a batch estimate),
        ``mse`` (their sum), and ``bias2_se``, the standard error of
        ``bias2`` from the noise of the paired difference.
    """
    if per_episode.shape != reference.shape or per_episode.shape[0] < 2:
        raise ValueError(
            "need two (N, P) tensors of one shape with N >= 2, got "
            f"{tuple(per_episode.shape)} and {tuple(reference.shape)}"
        )
    n = per_episode.shape[0]
    diff = per_episode - reference  # (N, P)
    mean = diff.mean(0)  # (P,)
    noise = diff.var(0, unbiased=True).sum() / n  # E|mean|^2 - |bias|^2
    bias2 = float(mean.pow(2).sum() - noise)
    # the squared norm's standard error: 2 |bias| sigma along the bias
    direction = mean / mean.norm().clamp_min(1e-12)
    along = (diff @ direction).std(unbiased=True) / n**0.5
    variance = total_variance(per_episode) / batch_size
    return {
        "bias2": bias2,
        "variance": variance,
        "mse": bias2 + variance,
        "bias2_se": float(2 * mean.norm() * along),
    }


def per_episode_gradients(
    actor: CategoricalPolicy,
    episodes: Sequence[Episode],
    weight_fns: dict[str, Callable[[Episode], torch.Tensor]],
) -> dict[str, torch.Tensor]:
    """Each episode's policy-gradient estimate under every weighting:
    ``{name: (N, P)}``, row ``i`` equal to
    ``gradient_samples(actor, episodes[i:i+1], 1, weight_fns[name])``.

    An episode's estimates under K weightings are the gradients of the
    same log-probabilities against K weight vectors, so they come from
    one batched backward pass (``is_grads_batched``) instead of K: what
    makes chapter 6's measurement over a dozen weightings affordable.
    """
    if not episodes or not weight_fns:
        raise ValueError("need at least one episode and one weighting")
    params = list(actor.parameters())
    rows: dict[str, list[torch.Tensor]] = {name: [] for name in weight_fns}
    for episode in episodes:
        weights = torch.stack(
            [fn(episode).detach() for fn in weight_fns.values()]
        )  # (K, T)
        with torch.enable_grad():
            log_prob = actor.dist(episode.obs).log_prob(episode.action)
            grads = torch.autograd.grad(
                log_prob, params, grad_outputs=weights, is_grads_batched=True
            )  # each (K, *param.shape)
        flat = torch.cat([g.flatten(1) for g in grads], dim=1)  # (K, P)
        for name, row in zip(weight_fns, flat, strict=True):
            rows[name].append(row)
    return {name: torch.stack(r) for name, r in rows.items()}

"""The maths of off-policy actor-critic (chapter 7), pure functions: the
clipped double-Q and soft Q targets, the log-probability of a squashed
Gaussian, the Polyak average of target networks, and the estimation
bias of a critic (its Q against the returns it predicts)."""

from __future__ import annotations

import math

import numpy as np
import torch
from torch import nn
from torch.nn import functional as F

from actorcritic.envs import make_env
from actorcritic.evaluation import play
from actorcritic.losses import check_same_shape
from actorcritic.returns import td_target


def clipped_double_q(next_q: torch.Tensor) -> torch.Tensor:
    """The smallest of the critics' estimates, element by element:
    ``(n_critics, B) -> (B,)``. With one critic, its estimate (DDPG);
    with two, TD3's and SAC's clipped double-Q (Fujimoto et al., 2018)."""
    if next_q.dim() < 1 or next_q.shape[0] < 1:
        raise ValueError(
            "expected next_q of shape (n_critics, ...), got "
            f"{tuple(next_q.shape)}"
        )
    return next_q.min(dim=0).values


@torch.no_grad()
def soft_q_target(
    reward: torch.Tensor,
    next_q: torch.Tensor,
    next_log_prob: torch.Tensor,
    terminated: torch.Tensor,
    truncated: torch.Tensor,
    gamma: float,
    alpha: float,
) -> torch.Tensor:
    """SAC's target for both critics (Haarnoja et al., 2018):

        y = r + gamma (1 - terminated) (min_i Q_targ_i(s', a')
                                        - alpha log pi(a'|s'))

    with ``a' ~ pi(.|s')`` sampled fresh from the current policy. Only a
    terminal state cuts the bootstrap: a truncated transition's ``s'`` is
    the episode's final observation, and the return goes on from there,
    so ``truncated`` changes nothing here (it is taken so that no call
    mistakes one flag for the other). No gradient flows into the target.

    Args:
        reward, terminated, truncated, next_log_prob: ``(B,)``.
        next_q: ``(n_critics, B)`` the target critics' Q(s', a').
        gamma: discount in [0, 1].
        alpha: the entropy temperature, >= 0.
    """
    check_same_shape(
        reward=reward,
        next_log_prob=next_log_prob,
        terminated=terminated,
        truncated=truncated,
        next_q_of_one_critic=next_q[0] if next_q.dim() else next_q,
    )
    if alpha < 0:
        raise ValueError(f"alpha must be >= 0, got {alpha}")
    soft_value = clipped_double_q(next_q) - alpha * next_log_prob  # (B,)
    return td_target(reward, soft_value, terminated, gamma)


def squashed_gaussian_log_prob(
    mean: torch.Tensor, log_std: torch.Tensor, pre_tanh: torch.Tensor
) -> torch.Tensor:
    """log pi(a|s) of ``a = tanh(u)``, ``u ~ N(mean, exp(log_std)^2)``,
    summed over the action dimensions: ``(..., act_dim) -> (...)``.

    The change of variables subtracts ``log(1 - tanh(u)^2)`` per
    dimension (SAC, appendix C), computed as
    ``2 (log 2 - u - softplus(-2u))``, which stays finite where
    ``tanh(u)`` rounds to +-1 and ``log(1 - tanh(u)^2)`` would be -inf.
    """
    check_same_shape(mean=mean, log_std=log_std, pre_tanh=pre_tanh)
    gaussian = (
        -0.5 * ((pre_tanh - mean) / log_std.exp()) ** 2
        - log_std
        - 0.5 * math.log(2 * math.pi)
    )  # (..., act_dim)
    log_det = 2.0 * (math.log(2.0) - pre_tanh - F.softplus(-2.0 * pre_tanh))
    return (gaussian - log_det).sum(-1)  # (...)


@torch.no_grad()
def smoothed_target_action(
    next_mu: torch.Tensor,
    half_width: torch.Tensor,
    low: torch.Tensor,
    high: torch.Tensor,
    noise_std: float,
    noise_clip: float,
) -> torch.Tensor:
    """TD3's target-policy smoothing (Fujimoto et al., 2018): the target
    actor's action ``next_mu`` ``(B, act_dim)`` plus Gaussian noise of
    std ``noise_std`` clipped to ``[-noise_clip, noise_clip]``, both in
    units of the action box's ``half_width``, then clipped into the box
    ``[low, high]``."""
    noise = (torch.randn_like(next_mu) * noise_std).clamp(
        -noise_clip, noise_clip
    )
    return torch.clamp(next_mu + noise * half_width, low, high)


@torch.no_grad()
def polyak_update(target: nn.Module, online: nn.Module, tau: float) -> None:
    """Move each of ``target``'s parameters a fraction ``tau`` of the way
    to ``online``'s, in place: ``targ <- (1 - tau) targ + tau online``.
    The online network is not touched."""
    if not 0.0 < tau <= 1.0:
        raise ValueError(f"tau must be in (0, 1], got {tau}")
    targets, onlines = list(target.parameters()), list(online.parameters())
    if [t.shape for t in targets] != [o.shape for o in onlines]:
        raise ValueError("target and online must have the same parameters")
    pairs = zip(targets, onlines, strict=True)
    for targ, param in pairs:
        targ.lerp_(param, tau)


@torch.no_grad()
def estimation_bias(
    actor,
    critic: nn.Module,
    env_id: str,
    n_episodes: int,
    seed: int,
    gamma: float,
    horizon: int = 500,
) -> tuple[np.ndarray, np.ndarray]:
    """What the critic predicts against what happens, at the start states
    of ``n_episodes`` seeded episodes (TD3's figure 1, Fujimoto et al.):
    ``Q_1(s_0, mu(s_0))`` of the first critic for the greedy action, and
    the discounted return ``sum_t gamma^t r_{t+1}`` of the greedy policy
    played from ``s_0`` for ``horizon`` steps (the time limit lifted:
    the critic, bootstrapping through truncations, predicts the return
    of an episode that goes on; ``gamma^horizon`` bounds what the cut
    leaves out).

    Returns:
        ``(q_estimate, mc_return)``, each ``(n_episodes,)``.
    """
    env = make_env(env_id)
    starts = np.stack(
        [env.reset(seed=seed + i)[0] for i in range(n_episodes)]
    ).astype(np.float32)  # (n, obs_dim)
    env.close()
    obs = torch.from_numpy(starts)
    action = torch.as_tensor(actor.act_batch(starts, greedy=True))
    q = critic(obs, action.float())[0].numpy()  # (n,)
    returns = play(
        actor,
        env_id,
        n_episodes,
        seed,
        greedy=True,
        gamma=gamma,
        max_episode_steps=horizon,
    ).returns
    return q, returns

"""The networks of off-policy actor-critic (chapter 7): critics of a
state and an action, a deterministic policy (DDPG, TD3) and a squashed
Gaussian policy (SAC). ReLU hidden layers, as in their papers."""

from __future__ import annotations

import numpy as np
import torch
from torch import nn

from actorcritic.networks import action_box, mlp
from actorcritic.off_policy import squashed_gaussian_log_prob


class QNetworks(nn.Module):
    """``n_critics`` independent critics Q_i(s, a), each an MLP with ReLU
    hidden layers, evaluated together: ``forward(obs, action)`` maps
    ``(B, obs_dim)`` and ``(B, act_dim)`` to ``(n_critics, B)``. One
    critic for DDPG, two for TD3's and SAC's clipped double-Q.

    The critics share no weight: each starts from its own draw of
    ``nn.Linear``'s initialisation. Their weights are stacked along a
    first dimension, ``weights[k]`` of shape ``(n_critics, in, out)``, so
    one batched matrix product (``torch.baddbmm``) computes a layer of
    every critic at once: the same numbers as a loop over the critics,
    in half the operations for two.
    """

    def __init__(
        self,
        obs_dim: int,
        act_dim: int,
        hidden: tuple[int, ...] = (64, 64),
        n_critics: int = 2,
    ) -> None:
        super().__init__()
        if n_critics < 1:
            raise ValueError(f"n_critics must be at least 1, got {n_critics}")
        if min(obs_dim, act_dim, *hidden) < 1:
            raise ValueError(
                "QNetworks needs positive sizes, got "
                f"obs_dim={obs_dim}, act_dim={act_dim}, hidden={hidden}"
            )
        self.obs_dim, self.act_dim = obs_dim, act_dim
        self.n_critics = n_critics
        widths = (obs_dim + act_dim, *hidden, 1)
        self.weights = nn.ParameterList()
        self.biases = nn.ParameterList()
        for fan_in, fan_out in zip(widths[:-1], widths[1:], strict=True):
            bound = fan_in**-0.5  # nn.Linear's default initialisation
            self.weights.append(
                nn.Parameter(
                    torch.empty(n_critics, fan_in, fan_out).uniform_(
                        -bound, bound
                    )
                )
            )
            self.biases.append(
                nn.Parameter(
                    torch.empty(n_critics, 1, fan_out).uniform_(-bound, bound)
                )
            )

    def forward(self, obs: torch.Tensor, action: torch.Tensor) -> torch.Tensor:
        if (
            obs.dim() != 2
            or obs.shape[-1] != self.obs_dim
            or action.shape != (obs.shape[0], self.act_dim)
        ):
            raise ValueError(
                f"expected observations (B, {self.obs_dim}) and actions "
                f"(B, {self.act_dim}), got {tuple(obs.shape)} and "
                f"{tuple(action.shape)}"
            )
        x = torch.cat([obs, action], dim=-1)  # (B, obs_dim + act_dim)
        h = x.expand(self.n_critics, *x.shape)  # (n_critics, B, in)
        last = len(self.weights) - 1
        for k, (weight, bias) in enumerate(
            zip(self.weights, self.biases, strict=True)
        ):
            h = torch.baddbmm(bias, h, weight)  # (n_critics, B, out)
            if k < last:
                h = torch.relu(h)
        return h.squeeze(-1)  # (n_critics, B)


class _BoxPolicy(nn.Module):
    """What both policies share: the action box and the greedy act."""

    def __init__(self, obs_dim, low, high, out_per_dim, hidden) -> None:
        super().__init__()
        low_t, high_t = action_box(low, high)
        self.obs_dim, self.act_dim = obs_dim, int(low_t.numel())
        self.register_buffer("low", low_t)
        self.register_buffer("high", high_t)
        self.register_buffer("center", (high_t + low_t) / 2)
        self.register_buffer("half_width", (high_t - low_t) / 2)
        self.net = mlp(obs_dim, out_per_dim * self.act_dim, hidden, nn.ReLU)

    def _raw(self, obs: torch.Tensor) -> torch.Tensor:
        if obs.shape[-1] != self.obs_dim:
            raise ValueError(
                f"expected observations with last dimension {self.obs_dim}, "
                f"got shape {tuple(obs.shape)}"
            )
        return self.net(obs)

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        raise NotImplementedError

    @torch.no_grad()
    def act_batch(self, obs, greedy: bool = True) -> np.ndarray:
        """Actions ``(B, act_dim)`` in the box for ``(B, obs_dim)``."""
        obs_t = torch.as_tensor(np.asarray(obs), dtype=torch.float32)
        if greedy:
            return self.greedy(obs_t).numpy()
        return self.explore(obs_t).numpy()

    def act(self, obs, greedy: bool = True) -> np.ndarray:
        """One action ``(act_dim,)`` for one observation."""
        return self.act_batch(np.asarray(obs)[None], greedy)[0]


class DeterministicPolicy(_BoxPolicy):
    """mu(s) = center + half_width * tanh(net(s)): one action in the box
    ``[low, high]`` per state (DDPG, TD3). ``forward(obs)`` maps
    ``(..., obs_dim)`` to ``(..., act_dim)`` with gradients. Exploration
    noise is the training loop's (``noise_std`` for :meth:`act` with
    ``greedy=False``)."""

    def __init__(self, obs_dim, low, high, hidden=(64, 64), noise_std=0.1):
        super().__init__(obs_dim, low, high, 1, hidden)
        self.noise_std = noise_std  # a fraction of the half-width

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        return self.center + self.half_width * torch.tanh(self._raw(obs))

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        return self(obs)

    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        """mu(s) plus Gaussian noise of std ``noise_std * half_width``, clipped
        into the box."""
        noise = (
            self.noise_std
            * self.half_width
            * torch.randn(*obs.shape[:-1], self.act_dim)
        )
        return torch.clamp(self(obs) + noise, self.low, self.high)


class SquashedGaussianPolicy(_BoxPolicy):
    """SAC's policy: ``u ~ N(mean(s), std(s)^2)``, ``a = tanh(u)`` in
    (-1, 1), rescaled into the box ``[low, high]``.

    The network maps ``(..., obs_dim)`` to a mean and a log std per
    action dimension, the log std clamped to ``[log_std_min,
    log_std_max]``. :meth:`sample` draws with the reparameterisation
    trick, so the action carries gradients to the policy. Its
    log-probability is that of the squashed action in (-1, 1): the
    rescale into the box adds the same constant to every log pi, which
    shifts the temperature's target but changes no gradient, and is left
    out as in the SAC authors' code.
    """

    def __init__(
        self,
        obs_dim,
        low,
        high,
        hidden=(64, 64),
        log_std_min: float = -20.0,
        log_std_max: float = 2.0,
    ):
        super().__init__(obs_dim, low, high, 2, hidden)
        if not log_std_min < log_std_max:
            raise ValueError(
                f"need log_std_min < log_std_max, got {log_std_min}, "
                f"{log_std_max}"
            )
        self.log_std_min, self.log_std_max = log_std_min, log_std_max

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``(mean, log_std)``, each ``(..., act_dim)``, of ``u``."""
        mean, log_std = self._raw(obs).split(self.act_dim, dim=-1)
        return mean, log_std.clamp(self.log_std_min, self.log_std_max)

    def sample(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """``a ~ pi(.|s)`` in the box ``(..., act_dim)`` and its
        log-probability ``(...)``, both differentiable (reparameterised:
        ``u = mean + std * eps``, ``eps ~ N(0, I)``)."""
        mean, log_std = self(obs)
        pre_tanh = mean + log_std.exp() * torch.randn_like(mean)
        log_prob = squashed_gaussian_log_prob(mean, log_std, pre_tanh)
        return self.center + self.half_width * torch.tanh(pre_tanh), log_prob

    def greedy(self, obs: torch.Tensor) -> torch.Tensor:
        """The action of the mean, ``center + half_width * tanh(mean)``."""
        return self.center + self.half_width * torch.tanh(self(obs)[0])

    def explore(self, obs: torch.Tensor) -> torch.Tensor:
        """A sampled action, without its log-probability."""
        mean, log_std = self(obs)
        pre_tanh = mean + log_std.exp() * torch.randn_like(mean)
        return self.center + self.half_width * torch.tanh(pre_tanh)

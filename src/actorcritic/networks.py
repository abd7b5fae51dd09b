"""Policy and value networks, and safe weight save/load."""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import torch
from torch import nn
from torch.distributions import Categorical, Independent, Normal


def mlp(
    in_dim: int,
    out_dim: int,
    hidden: tuple[int, ...],
    activation: type[nn.Module] = nn.Tanh,
) -> nn.Sequential:
    """A multilayer perceptron, tanh hidden activations by default.

    Args:
        in_dim: input features.
        out_dim: output features (the last layer is linear).
        hidden: widths of the hidden layers, e.g. ``(64, 64)``.
        activation: the hidden layers' activation; chapter 7's
            off-policy networks take ``nn.ReLU``, as their papers do.
    """
    if in_dim < 1 or out_dim < 1 or any(h < 1 for h in hidden):
        raise ValueError(
            "mlp needs positive sizes, got "
            f"in_dim={in_dim}, out_dim={out_dim}, hidden={hidden}"
        )
    layers: list[nn.Module] = []
    width = in_dim
    for h in hidden:
        layers += [nn.Linear(width, h), activation()]
        width = h
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


def orthogonal_init(module: nn.Module, output_gain: float) -> nn.Module:
    """Re-initialise the linear layers of an :func:`mlp` in place, as
    OpenAI Baselines and Stable-Baselines3 do: orthogonal weight matrices
    with gain sqrt(2) in the hidden layers and ``output_gain`` in the last
    one, zero biases. A small ``output_gain`` (0.01 for a policy) starts
    with nearly uniform action probabilities; 1.0 suits a value head.
    """
    linears = [m for m in module.modules() if isinstance(m, nn.Linear)]
    if not linears:
        raise ValueError(
            "orthogonal_init needs a module with nn.Linear layers"
        )
    for layer in linears:
        last = layer is linears[-1]
        gain = output_gain if last else math.sqrt(2.0)
        nn.init.orthogonal_(layer.weight, gain=gain)
        nn.init.zeros_(layer.bias)
    return module


def action_box(low, high) -> tuple[torch.Tensor, torch.Tensor]:
    """A box of continuous actions as two flat float32 tensors
    ``(act_dim,)``, checked: one shape, ``low < high`` everywhere."""
    low_t = torch.as_tensor(np.asarray(low, dtype=np.float32)).flatten()
    high_t = torch.as_tensor(np.asarray(high, dtype=np.float32)).flatten()
    if low_t.shape != high_t.shape or not bool((low_t < high_t).all()):
        raise ValueError(
            "low and high must have one shape with low < high, got "
            f"low={low_t.tolist()}, high={high_t.tolist()}"
        )
    return low_t, high_t


class CategoricalPolicy(nn.Module):
    """pi(a|s) over ``n_actions`` discrete actions, from logits.

    ``forward(obs)`` maps ``(..., obs_dim)`` to logits ``(..., n_actions)``;
    ``dist(obs)`` wraps them in a ``torch.distributions.Categorical``.
    """

    def __init__(
        self, obs_dim: int, n_actions: int, hidden: tuple[int, ...] = (64, 64)
    ) -> None:
        super().__init__()
        self.obs_dim = obs_dim
        self.n_actions = n_actions
        self.net = mlp(obs_dim, n_actions, hidden)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        if obs.shape[-1] != self.obs_dim:
            raise ValueError(
                f"expected observations with last dimension {self.obs_dim}, "
                f"got shape {tuple(obs.shape)}"
            )
        return self.net(obs)  # (..., n_actions)

    def dist(self, obs: torch.Tensor) -> Categorical:
        """The distribution pi(.|s) as a ``torch.distributions`` object."""
        return Categorical(logits=self(obs), validate_args=False)

    def sample(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        """Sample ``a ~ pi(.|s)``; return ``(action, log_prob)``.

        Both outputs have shape ``(...)``. Same law as
        ``dist(obs).sample()`` but faster for one observation
        (benchmarks/bench_step.py), which matters when the policy is
        updated every step.
        """
        log_probs = torch.log_softmax(self(obs), dim=-1)  # (..., n_actions)
        flat = log_probs.reshape(-1, self.n_actions)  # (B, n_actions)
        action = torch.multinomial(flat.detach().exp(), 1)  # (B, 1)
        log_prob = flat.gather(1, action)  # (B, 1)
        shape = log_probs.shape[:-1]
        return action.reshape(shape), log_prob.reshape(shape)

    @torch.no_grad()
    def act(self, obs, greedy: bool = False) -> int:
        """One action for one observation (NumPy or tensor)."""
        logits = self(torch.as_tensor(obs, dtype=torch.float32))
        if greedy:
            return int(logits.argmax())
        return int(Categorical(logits=logits, validate_args=False).sample())

    @torch.inference_mode()
    def act_batch(self, obs, greedy: bool = False) -> np.ndarray:
        """Actions ``(B,)`` (ints) for observations ``(B, obs_dim)``."""
        logits = self(torch.as_tensor(np.asarray(obs), dtype=torch.float32))
        if greedy:
            return logits.argmax(-1).numpy()
        # Gumbel-max: argmax(logits + Gumbel noise) ~ Categorical(logits),
        # about twice as cheap as building a Categorical per call
        # (benchmarks/bench_parallel_a2c.py).
        gumbel = -torch.log(-torch.log(torch.rand_like(logits)))
        return (logits + gumbel).argmax(-1).numpy()

    def log_prob_entropy(
        self, obs: torch.Tensor, action: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """``(log pi(a|s), H(pi(.|s)))``, each of shape ``(...)``, for
        observations ``(..., obs_dim)`` and actions ``(...)``. Equal to
        ``dist(obs).log_prob(action)`` and ``dist(obs).entropy()``."""
        log_p = torch.log_softmax(self(obs), dim=-1)  # (..., n_actions)
        log_prob = log_p.gather(-1, action.long().unsqueeze(-1)).squeeze(-1)
        entropy = -(log_p.exp() * log_p).sum(-1)
        return log_prob, entropy


class GaussianPolicy(nn.Module):
    """pi(a|s) = N(mean(s), diag std(s)^2) over a box of continuous actions.

    One MLP maps an observation to ``2 * act_dim`` raw numbers: the first
    half becomes the mean, squashed by tanh into ``[low, high]``, the second
    half the standard deviation, made positive by softplus (plus a small
    floor so that it never reaches 0):

        mean = (high + low) / 2 + (high - low) / 2 * tanh(raw_mean)
        std  = softplus(raw_std) + min_std

    ``forward(obs)`` maps ``(..., obs_dim)`` to ``(mean, std)``, each
    ``(..., act_dim)``. ``dist(obs)`` treats the action dimensions as one
    event, so ``log_prob`` and ``entropy`` have shape ``(...)``.

    A sample can fall outside ``[low, high]`` (the Gaussian is unbounded);
    :meth:`act` clips it before it reaches the environment, while training
    keeps the log-probability of the unclipped sample.
    """

    def __init__(
        self,
        obs_dim: int,
        low,
        high,
        hidden: tuple[int, ...] = (64, 64),
        min_std: float = 1e-3,
    ) -> None:
        super().__init__()
        low_t, high_t = action_box(low, high)
        if min_std <= 0:
            raise ValueError(f"min_std must be positive, got {min_std}")
        self.obs_dim = obs_dim
        self.act_dim = int(low_t.numel())
        self.min_std = float(min_std)
        self.register_buffer("low", low_t)
        self.register_buffer("high", high_t)
        self.net = mlp(obs_dim, 2 * self.act_dim, hidden)

    def forward(self, obs: torch.Tensor) -> tuple[torch.Tensor, torch.Tensor]:
        if obs.shape[-1] != self.obs_dim:
            raise ValueError(
                f"expected observations with last dimension {self.obs_dim}, "
                f"got shape {tuple(obs.shape)}"
            )
        raw = self.net(obs)  # (..., 2 * act_dim)
        raw_mean, raw_std = raw.split(self.act_dim, dim=-1)
        center = (self.high + self.low) / 2  # (act_dim,)
        half = (self.high - self.low) / 2  # (act_dim,)
        mean = center + half * torch.tanh(raw_mean)  # (..., act_dim)
        std = nn.functional.softplus(raw_std) + self.min_std  # (..., act_dim)
        return mean, std

    def dist(self, obs: torch.Tensor) -> Independent:
        """pi(.|s) as a ``torch.distributions`` object with event shape
        ``(act_dim,)``: ``log_prob`` and ``entropy`` sum over it."""
        mean, std = self(obs)
        return Independent(Normal(mean, std, validate_args=False), 1)

    def sample(
        self, obs: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """Sample ``a ~ pi(.|s)``; return ``(action, log_prob, entropy)``.

        ``action`` is ``(..., act_dim)`` and unclipped; ``log_prob`` and
        ``entropy`` are ``(...)`` and carry gradients to the policy.
        """
        dist = self.dist(obs)
        action = dist.sample()  # (..., act_dim), no gradient
        return action, dist.log_prob(action), dist.entropy()

    def clip(self, action: torch.Tensor) -> torch.Tensor:
        """Clip actions into ``[low, high]``, dimension by dimension."""
        return torch.maximum(torch.minimum(action, self.high), self.low)

    @torch.no_grad()
    def act(self, obs, greedy: bool = False) -> np.ndarray:
        """One clipped action ``(act_dim,)`` for one observation; the mean
        when ``greedy``."""
        obs_t = torch.as_tensor(np.asarray(obs), dtype=torch.float32)
        mean, std = self(obs_t)
        action = mean if greedy else torch.normal(mean, std)
        return self.clip(action).numpy()

    @torch.no_grad()
    def act_batch(self, obs, greedy: bool = False) -> np.ndarray:
        """Clipped actions ``(B, act_dim)`` for observations
        ``(B, obs_dim)``."""
        return self.act(obs, greedy)


class ValueNetwork(nn.Module):
    """V(s): maps ``(..., obs_dim)`` to ``(...)``."""

    def __init__(
        self, obs_dim: int, hidden: tuple[int, ...] = (64, 64)
    ) -> None:
        super().__init__()
        self.obs_dim = obs_dim
        self.net = mlp(obs_dim, 1, hidden)

    def forward(self, obs: torch.Tensor) -> torch.Tensor:
        if obs.shape[-1] != self.obs_dim:
            raise ValueError(
                f"expected observations with last dimension {self.obs_dim}, "
                f"got shape {tuple(obs.shape)}"
            )
        return self.net(obs).squeeze(-1)  # (...)


def save_weights(module: nn.Module, path: str | Path) -> Path:
    """Save ``module.state_dict()`` to ``path`` (parents are created)."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    torch.save(module.state_dict(), path)
    return path


def load_weights(module: nn.Module, path: str | Path) -> nn.Module:
    """Load weights saved by :func:`save_weights` into ``module``.

    Uses ``torch.load(..., weights_only=True)``: a weights file cannot run
    code when it is loaded. Shapes must match the module's.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"no weights file at {path}")
    state = torch.load(path, map_location="cpu", weights_only=True)
    module.load_state_dict(state)
    return module

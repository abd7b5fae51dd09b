"""Policy and value networks, and safe weight save/load."""

from __future__ import annotations

from pathlib import Path

import torch
from torch import nn
from torch.distributions import Categorical


def mlp(in_dim: int, out_dim: int, hidden: tuple[int, ...]) -> nn.Sequential:
    """A multilayer perceptron with tanh hidden activations.

    Args:
        in_dim: input features.
        out_dim: output features (the last layer is linear).
        hidden: widths of the hidden layers, e.g. ``(64, 64)``.
    """
    if in_dim < 1 or out_dim < 1 or any(h < 1 for h in hidden):
        raise ValueError(
            "mlp needs positive sizes, got "
            f"in_dim={in_dim}, out_dim={out_dim}, hidden={hidden}"
        )
    layers: list[nn.Module] = []
    width = in_dim
    for h in hidden:
        layers += [nn.Linear(width, h), nn.Tanh()]
        width = h
    layers.append(nn.Linear(width, out_dim))
    return nn.Sequential(*layers)


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

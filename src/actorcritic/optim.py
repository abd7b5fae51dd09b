"""Optimiser helpers shared by the training functions: fused Adam, all
weights in one flat tensor, and gradient clipping on that tensor."""

from __future__ import annotations

import torch
from torch import nn

# Fused Adam: one kernel for all parameters; ~25 % faster per step on tiny
# networks than the default (benchmarks/bench_step.py).
ADAM_KWARGS = {"fused": True}


def flat_parameters(*modules: nn.Module) -> nn.Parameter:
    """Move the parameters of ``modules`` into one flat tensor, and their
    gradients into one flat gradient; return that tensor.

    The modules work as before: each parameter becomes a view into the flat
    tensor, each ``.grad`` a view into ``flat.grad``. An optimizer and
    gradient clipping given ``flat`` then make one call on one tensor
    instead of one per weight matrix, about 10 % of an A2C update on small
    networks (benchmarks/bench_parallel_a2c.py). Zero the gradient in place
    with ``flat.grad.zero_()``: setting it to None would cut the views.
    """
    params = [p for m in modules for p in m.parameters()]
    if not params:
        raise ValueError("flat_parameters needs modules with parameters")
    flat = nn.Parameter(torch.cat([p.detach().flatten() for p in params]))
    flat.grad = torch.zeros_like(flat)
    offset = 0
    for p in params:
        n = p.numel()
        p.data = flat.data[offset : offset + n].view_as(p)
        p.grad = flat.grad[offset : offset + n].view_as(p)
        offset += n
    return flat


def clip_flat_grad_(flat: torch.Tensor, max_norm: float) -> torch.Tensor:
    """Scale ``flat.grad`` in place so that its norm is at most
    ``max_norm``; return the norm before clipping.

    The arithmetic of ``nn.utils.clip_grad_norm_`` (same 1e-6 guard, the
    same result to the bit), for the one tensor of :func:`flat_parameters`.
    The library function prepares for many tensors on many devices; for
    one small tensor it takes about 2.7 times as long as this
    (benchmarks/bench_parallel_a2c.py).
    """
    norm = torch.linalg.vector_norm(flat.grad)
    flat.grad.mul_(torch.clamp(max_norm / (norm + 1e-6), max=1.0))
    return norm


class FlatAdam:
    """Adam (Kingma and Ba, 2015) on the one tensor of
    :func:`flat_parameters`, with the gradient norm clipped in the same
    call.

    The arithmetic of ``torch.optim.Adam`` (to float rounding; the tests
    compare the two), in seven tensor operations (two more and a read of
    the norm with the clip). A PPO run makes about 60,000 steps on a
    10,000-weight tensor, where the library's per-call overhead costs
    more than its fused kernel saves (``benchmarks/bench_ppo.py``
    compares whole steps with each).

    Attributes:
        lr: the step size, which a schedule may change between steps.
    """

    def __init__(
        self,
        flat: torch.Tensor,
        lr: float,
        betas: tuple[float, float] = (0.9, 0.999),
        eps: float = 1e-8,
    ) -> None:
        if flat.grad is None:
            raise ValueError("FlatAdam needs the tensor of flat_parameters")
        self.flat, self.lr, self.eps = flat, lr, eps
        self.beta1, self.beta2 = betas
        self.exp_avg = torch.zeros_like(flat)
        self.exp_avg_sq = torch.zeros_like(flat)
        self.steps = 0

    @torch.no_grad()
    def step(self, max_grad_norm: float | None = None) -> float | None:
        """One Adam step on ``flat.grad``, scaled first so that its norm
        is at most ``max_grad_norm`` (the rule of :func:`clip_flat_grad_`).
        Returns the gradient's norm before the clip (None without one)."""
        grad = self.flat.grad
        norm = None
        if max_grad_norm is not None:
            # clip_flat_grad_'s rule, with the scale as a Python float (in
            # double precision: fewer tensor operations, none when nothing
            # is clipped)
            norm = float(torch.linalg.vector_norm(grad))
            scale = max_grad_norm / (norm + 1e-6)
            if scale < 1.0:
                grad.mul_(scale)
        self.steps += 1
        self.exp_avg.lerp_(grad, 1.0 - self.beta1)
        self.exp_avg_sq.mul_(self.beta2).addcmul_(
            grad, grad, value=1.0 - self.beta2
        )
        correction1 = 1.0 - self.beta1**self.steps
        correction2 = 1.0 - self.beta2**self.steps
        denom = self.exp_avg_sq.sqrt().div_(correction2**0.5).add_(self.eps)
        self.flat.addcdiv_(self.exp_avg, denom, value=-self.lr / correction1)
        return norm

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

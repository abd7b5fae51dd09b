"""Flat parameters, gradient clipping on them, and Adam on them."""

import copy

import pytest
import torch
from torch import nn

from actorcritic.optim import FlatAdam, clip_flat_grad_, flat_parameters


def test_flat_parameters_keep_modules_and_gradients_unchanged():
    torch.manual_seed(0)
    a, b = nn.Linear(3, 4), nn.Sequential(nn.Linear(4, 2), nn.Tanh())
    a_ref, b_ref = copy.deepcopy(a), copy.deepcopy(b)
    flat = flat_parameters(a, b)
    assert flat.numel() == sum(
        p.numel() for p in [*a_ref.parameters(), *b_ref.parameters()]
    )
    x = torch.randn(5, 3)
    for model_a, model_b in ((a, b), (a_ref, b_ref)):
        model_b(model_a(x)).pow(2).sum().backward()
    for p, ref in zip(
        [*a.parameters(), *b.parameters()],
        [*a_ref.parameters(), *b_ref.parameters()],
        strict=True,
    ):
        assert torch.equal(p, ref) and torch.allclose(p.grad, ref.grad)
    # the gradients landed in flat.grad, and a step on flat moves the modules
    assert flat.grad.abs().sum() > 0
    before = a.weight.detach().clone()
    torch.optim.SGD([flat], lr=0.1).step()
    assert torch.allclose(a.weight, before - 0.1 * a_ref.weight.grad)


@pytest.mark.parametrize("scale", [1e-3, 1.0, 1e3])
def test_clip_flat_grad_matches_the_library_to_the_bit(scale):
    torch.manual_seed(0)
    flat = flat_parameters(nn.Linear(30, 20))
    gradient = torch.randn_like(flat) * scale
    flat.grad.copy_(gradient)
    expected_norm = nn.utils.clip_grad_norm_(flat, 0.5)
    expected = flat.grad.clone()
    flat.grad.copy_(gradient)
    norm = clip_flat_grad_(flat, 0.5)
    assert torch.equal(flat.grad, expected) and torch.equal(
        norm, expected_norm
    )
    assert float(flat.grad.norm()) <= 0.5 + 1e-6


def test_flat_parameters_needs_parameters():
    with pytest.raises(ValueError, match="modules with parameters"):
        flat_parameters(nn.Tanh())


@pytest.mark.parametrize("max_norm", [None, 0.5])
def test_flat_adam_follows_torch_adam(max_norm):
    """Same steps as torch.optim.Adam (after clip_flat_grad_), to float
    rounding, over 50 steps with gradients of varying size."""
    gen = torch.Generator().manual_seed(0)
    start = torch.randn(300, generator=gen)
    mine = nn.Parameter(start.clone())
    mine.grad = torch.zeros_like(mine)
    theirs = nn.Parameter(start.clone())
    theirs.grad = torch.zeros_like(theirs)
    flat_adam = FlatAdam(mine, lr=3e-3, eps=1e-5)
    adam = torch.optim.Adam([theirs], lr=3e-3, eps=1e-5)
    for k in range(50):
        grad = (1 + k % 7) * torch.randn(300, generator=gen)
        mine.grad.copy_(grad)
        theirs.grad.copy_(grad)
        flat_adam.step(max_norm)
        if max_norm is not None:
            clip_flat_grad_(theirs, max_norm)
        adam.step()
    assert torch.allclose(mine, theirs, atol=1e-6)


def test_flat_adam_needs_a_flat_tensor_with_its_gradient():
    with pytest.raises(ValueError, match="flat_parameters"):
        FlatAdam(nn.Parameter(torch.zeros(3)), lr=1e-3)

"""One PPO gradient step (a minibatch of 64, LunarLander's sizes: 8
observations, 4 actions, 64-64 networks), the plain way and the way
``train_ppo`` takes, and the ways between, in one run:

- the networks called as modules, or as functions of their weights
  (``fast.run_mlp``);
- ``losses.ppo_loss`` through autograd, or one autograd node whose
  backward is the hand-derived gradient of ``fast.ppo_loss_and_grads``
  (``PPOHead`` below);
- ``torch.optim.Adam(fused=True)`` after ``clip_flat_grad_``, or
  ``optim.FlatAdam`` with the clip folded in;
- the backward pass through autograd, or written out
  (``fast.ppo_gradients_by_hand``, the step ``train_ppo`` takes: the
  same gradients as the loss as one node, bit for bit).

"run_mlp, autograd loss, FlatAdam" is the step ``train_ppo`` takes when
given a reader's loss.

Each variant runs a whole epoch of a 16,384-transition rollout, as the
training loop does, and prints microseconds per gradient step and its
ratio to the plain way:

    python benchmarks/bench_ppo.py
"""

from __future__ import annotations

import time

import torch

from actorcritic.fast import (
    ppo_gradients_by_hand,
    ppo_loss_and_grads,
    run_mlp,
    weights_and_grads,
)
from actorcritic.losses import ppo_loss
from actorcritic.networks import CategoricalPolicy, ValueNetwork
from actorcritic.optim import (
    ADAM_KWARGS,
    FlatAdam,
    clip_flat_grad_,
    flat_parameters,
)

B, MINIBATCH, ROUNDS = 16_384, 64, 3


class PPOHead(torch.autograd.Function):
    """The PPO loss from the logits and values as one autograd node,
    its backward the gradient that ``ppo_loss_and_grads`` derives by hand
    (instead of about twenty nodes)."""

    @staticmethod
    def forward(ctx, logits, value, action, old, advantage, returns, *coefs):
        loss, d_logits, d_value = ppo_loss_and_grads(
            logits, action, old, advantage, value, returns, *coefs
        )
        ctx.save_for_backward(d_logits, d_value)
        return loss

    @staticmethod
    def backward(ctx, grad):
        d_logits, d_value = ctx.saved_tensors
        return grad * d_logits, grad * d_value, *[None] * 7


def make(
    fast_net: bool, fast_loss: bool, fast_adam: bool, by_hand: bool = False
):
    """One epoch over a rollout with the chosen parts; returns a function
    that runs it."""
    torch.manual_seed(0)
    actor, critic = CategoricalPolicy(8, 4), ValueNetwork(8)
    flat = flat_parameters(actor, critic)
    if fast_adam:
        adam = FlatAdam(flat, lr=3e-4, eps=1e-5)
    else:
        torch_adam = torch.optim.Adam([flat], lr=3e-4, eps=1e-5, **ADAM_KWARGS)
    weights, grads = weights_and_grads(actor, critic)
    gen = torch.Generator().manual_seed(1)
    rollout = (
        torch.randn(B, 8, generator=gen),
        torch.randint(0, 4, (B,), generator=gen),
        -torch.rand(B, generator=gen) - 1.0,
        torch.randn(B, generator=gen),
        torch.randn(B, generator=gen),
    )

    def epoch():
        for obs, action, old, adv, ret in zip(
            *(x.split(MINIBATCH) for x in rollout), strict=True
        ):
            if by_hand:
                ppo_gradients_by_hand(
                    weights, grads, obs, action, old, adv, ret, 0.2, 0.5, 0.01
                )
                adam.step(0.5)
                continue
            if fast_net:
                logits = run_mlp(weights[0], obs)
                value = run_mlp(weights[1], obs).squeeze(-1)
            else:
                logits, value = actor(obs), critic(obs)
            if fast_loss:
                loss = PPOHead.apply(
                    logits, value, action, old, adv, ret, 0.2, 0.5, 0.01
                )
            else:
                log_p = torch.log_softmax(logits, -1)
                loss = ppo_loss(
                    log_p.gather(-1, action[:, None]).squeeze(-1),
                    old,
                    adv,
                    -(log_p.exp() * log_p).sum(-1),
                    value,
                    ret,
                    0.2,
                    0.5,
                    0.01,
                )
            flat.grad.zero_()
            loss.backward()
            if fast_adam:
                adam.step(0.5)
            else:
                clip_flat_grad_(flat, 0.5)
                torch_adam.step()

    return epoch


def per_step(epoch) -> float:
    epoch()  # warm-up
    best = float("inf")
    for _ in range(ROUNDS):
        start = time.perf_counter()
        epoch()
        best = min(best, time.perf_counter() - start)
    return best / (B // MINIBATCH) * 1e6


def main() -> None:
    torch.set_num_threads(1)
    variants = {
        "plain: modules, autograd loss, torch Adam": (False, False, False),
        "run_mlp, autograd loss, torch Adam": (True, False, False),
        "run_mlp, autograd loss, FlatAdam": (True, False, True),
        "run_mlp, loss as one node, torch Adam": (True, True, False),
        "run_mlp, loss as one node, FlatAdam": (True, True, True),
        "backward by hand, FlatAdam (train_ppo)": (True, True, True, True),
    }
    plain = None
    print(f"{'variant':<46}{'us/step':>9}{'ratio':>8}")
    for name, flags in variants.items():
        us = per_step(make(*flags))
        plain = plain or us
        print(f"{name:<46}{us:>9.0f}{plain / us:>8.2f}")


if __name__ == "__main__":
    main()

"""Chapter 7's catalogue of common mistakes in ``polyak_update``: wrong
updates that the checker of :mod:`actorcritic.exercises.off_policy_polyak`
names when a reader's function does what one of them does (see
:mod:`actorcritic.exercises.mistakes`)."""

from __future__ import annotations

import torch
from torch import nn

from actorcritic.exercises.mistakes import Mistake
from actorcritic.off_policy import polyak_update


def _pairs(target, online):
    return zip(target.parameters(), online.parameters(), strict=True)


@torch.no_grad()
def _swapped(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.mul_(tau).add_(param, alpha=1 - tau)


@torch.no_grad()
def _copied(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.copy_(param)


@torch.no_grad()
def _fixed_tau(target, online, tau):
    polyak_update(target, online, 0.005)


@torch.no_grad()
def _new_data(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.data = (1 - tau) * targ.data + tau * param.data


@torch.no_grad()
def _new_parameters(target, online, tau):
    for (name, targ), param in zip(
        list(target.named_parameters()), online.parameters(), strict=True
    ):
        *path, leaf = name.split(".")
        owner = target.get_submodule(".".join(path))
        setattr(owner, leaf, nn.Parameter((1 - tau) * targ + tau * param))


@torch.no_grad()
def _online_scaled(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.mul_(1 - tau).add_(param.mul_(tau))


def _with_autograd(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.mul_(1 - tau).add_(tau * param)


def _returned(target, online, tau):
    return [torch.lerp(t, p, tau) for t, p in _pairs(target, online)]


_IN_PLACE = (
    "Update the target's tensors themselves, in place, under "
    "torch.no_grad(): targ.lerp_(param, tau), or targ.mul_(1 - tau)"
    ".add_(param, alpha=tau). A new tensor leaves the old one to whatever "
    "holds it (an optimiser, a list of the parameters taken before, a "
    "flat-parameter view such as optim.flat_parameters makes), which "
    "then never sees the update."
)

POLYAK_MISTAKES = [
    Mistake(
        "updating the online network instead of the target",
        lambda target, online, tau: polyak_update(online, target, tau),
        "Write into target only, reading online: the online network is "
        "the one the optimiser trains.",
    ),
    Mistake(
        "tau and 1 - tau swapped",
        _swapped,
        "tau is the online network's share, and small (0.005): targ <- "
        "(1 - tau) * targ + tau * online.",
    ),
    Mistake(
        "copying the online weights (tau taken as 1)",
        _copied,
        "A copy is a hard update: the target lags behind, moving a "
        "fraction tau of the way to the online network.",
    ),
    Mistake(
        "a fixed tau of 0.005 instead of the tau argument",
        _fixed_tau,
        "Use the `tau` argument.",
    ),
    Mistake(
        "assigning new tensors to the parameters' .data (targ.data = ...)",
        _new_data,
        _IN_PLACE,
    ),
    Mistake(
        "new nn.Parameter objects in place of the target's parameters",
        _new_parameters,
        _IN_PLACE,
    ),
    Mistake(
        "scaling the online parameters in place (param.mul_(tau))",
        _online_scaled,
        "param.mul_(tau) writes into the online network: use tau * param "
        "(a new tensor), or targ.add_(param, alpha=tau).",
    ),
    Mistake(
        "an update outside torch.no_grad()",
        _with_autograd,
        "Decorate the function with @torch.no_grad() (or update in a `with "
        "torch.no_grad():` block). Autograd refuses in-place writes into "
        "parameters that require grad, and on the chapter's frozen targets "
        "it records a graph that links each update to the last, growing "
        "with every step.",
    ),
    Mistake(
        "leaving the target as it was (new weights returned, not written "
        "into target)",
        _returned,
        "The chapter calls polyak_update(target, online, tau) for what it "
        "does, and ignores what it returns: write the new weights into "
        "target's parameters, in place.",
    ),
]

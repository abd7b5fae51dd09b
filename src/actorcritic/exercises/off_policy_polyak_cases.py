"""Chapter 7's cases of ``polyak_update``, for
:func:`actorcritic.exercises.off_policy_polyak.check_polyak_update`: tau
halfway, small (the chapter's) and 1, on an ``nn.Linear`` and on the
chapter's twin critics, with a frozen target as the chapter's, and with
one whose parameters require grad."""

from __future__ import annotations

import copy

import torch
from torch import nn

from actorcritic.exercises.cases import Case
from actorcritic.off_policy_networks import QNetworks


def _networks(build, tau: float, frozen: bool = True, seed: int = 0):
    """Fresh ``target`` and ``online`` networks from ``build()``, drawn
    with the global random state at ``seed`` (restored afterwards), the
    target a copy with other weights; frozen like the chapter's targets
    (``requires_grad_(False)``) unless told otherwise."""

    def inputs():
        with torch.random.fork_rng(devices=[]):
            torch.manual_seed(seed)
            online = build()
            other = build()
        target = copy.deepcopy(online)
        target.load_state_dict(other.state_dict())
        return dict(
            target=target.requires_grad_(not frozen), online=online, tau=tau
        )

    return inputs


def _linear():
    return nn.Linear(2, 2)


_POLYAK_HINTS = {
    "value": "each parameter of target moves a fraction tau of the way to "
    "online's: targ <- (1 - tau) * targ + tau * param, in place, "
    "for the pairs of zip(target.parameters(), online.parameters()).",
}

POLYAK_CASES = [
    Case(
        "nn.Linear(2, 2), tau = 0.5: the target moves halfway",
        _networks(_linear, 0.5),
        _POLYAK_HINTS,
    ),
    Case(
        "tau = 0.005, chapter 7's: a small step toward the online network",
        _networks(_linear, 0.005, seed=1),
        _POLYAK_HINTS,
    ),
    Case(
        "tau = 1: the target becomes a copy of the online network",
        _networks(_linear, 1.0, seed=2),
        _POLYAK_HINTS,
    ),
    Case(
        "the chapter's twin critics, QNetworks(3, 1, (8,)), tau = 0.005",
        _networks(lambda: QNetworks(3, 1, (8,)), 0.005, seed=3),
        _POLYAK_HINTS,
    ),
    Case(
        "a target whose parameters require grad (not frozen), tau = 0.1",
        _networks(_linear, 0.1, frozen=False, seed=4),
        _POLYAK_HINTS,
    ),
]

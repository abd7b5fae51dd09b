"""Chapter 7's checker of ``polyak_update``, which returns nothing: what
the call does to the target and online networks."""

import pytest
import torch
from torch import nn

from actorcritic.exercises.off_policy_polyak import check_polyak_update
from actorcritic.exercises.off_policy_polyak_mistakes import POLYAK_MISTAKES
from actorcritic.off_policy import polyak_update
from tests.exercises import (
    assert_replaced,
    rows,
    run,
    table_tests,
    with_args,
)


def _pairs(target, online):
    return zip(target.parameters(), online.parameters(), strict=True)


@torch.no_grad()
def polyak_mul_add(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.mul_(1 - tau)
        targ.add_(tau * param)


@torch.no_grad()
def polyak_lerp(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.copy_(torch.lerp(targ, param, tau))


def polyak_state_dict(target, online, tau):
    """load_state_dict copies into the parameters, in place."""
    mine, theirs = target.state_dict(), online.state_dict()
    target.load_state_dict(
        {k: (1 - tau) * v + tau * theirs[k] for k, v in mine.items()}
    )


def polyak_dot_data(target, online, tau):
    """The classic form: in place on .data, which autograd does not see."""
    for targ, param in _pairs(target, online):
        targ.data.copy_(tau * param.data + (1 - tau) * targ.data)


@torch.no_grad()
def polyak_online_updated(target, online, tau):
    for param, targ in _pairs(target, online):  # the names swapped
        targ.mul_(1 - tau).add_(tau * param)


@torch.no_grad()
def polyak_tau_swapped(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.copy_(tau * targ + (1 - tau) * param)


def polyak_copy(target, online, tau):
    target.load_state_dict(online.state_dict())


@torch.no_grad()
def polyak_new_data(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.data = torch.lerp(targ, param, tau)


@torch.no_grad()
def polyak_vector_to_parameters(target, online, tau):
    """``vector_to_parameters`` assigns .data: the tensors are new."""
    mine = nn.utils.parameters_to_vector(target.parameters())
    theirs = nn.utils.parameters_to_vector(online.parameters())
    nn.utils.vector_to_parameters(
        torch.lerp(mine, theirs, tau), target.parameters()
    )


@torch.no_grad()
def polyak_new_parameters(target, online, tau):
    target.weight = nn.Parameter(torch.lerp(target.weight, online.weight, tau))
    target.bias = nn.Parameter(torch.lerp(target.bias, online.bias, tau))


@torch.no_grad()
def polyak_online_scaled(target, online, tau):
    for targ, param in _pairs(target, online):
        param *= tau
        targ.mul_(1 - tau).add_(param)


def polyak_without_no_grad(target, online, tau):
    for targ, param in _pairs(target, online):
        targ.lerp_(param, tau)


def polyak_returns_new_weights(target, online, tau):
    return {
        name: (1 - tau) * targ + tau * online.get_parameter(name)
        for name, targ in target.named_parameters()
    }


def polyak_autograd_off(target, online, tau):
    """Right values, then autograd stays off in the whole kernel."""
    torch.set_grad_enabled(False)
    polyak_update(target, online, tau)


def polyak_unfreezes(target, online, tau):
    polyak_update(target, online, tau)
    target.requires_grad_(True)


HALFWAY = "case 'nn.Linear(2, 2), tau = 0.5"
NEW_TENSOR = "replaced the target's parameter weight with a new tensor"

POLYAK = rows(
    check_polyak_update,
    polyak_update,
    n_cases=5,
    right={
        "mul-add": polyak_mul_add,
        "lerp": polyak_lerp,
        "load-state-dict": polyak_state_dict,
        "dot-data-in-place": polyak_dot_data,
    },
    wrong={
        "online-updated": (
            polyak_online_updated,
            HALFWAY,
            "changed its input online in place",
            "updating the online network instead of the target",
        ),
        "tau-swapped": (
            polyak_tau_swapped,
            "case 'tau = 0.005",
            "tau and 1 - tau swapped",
        ),
        "copy": (polyak_copy, HALFWAY, "copying the online weights"),
        "fixed-tau": (
            with_args(polyak_update, tau=0.005),
            HALFWAY,
            "a fixed tau of 0.005",
        ),
        "new-data": (
            polyak_new_data,
            NEW_TENSOR,
            "parameters' .data",
            "an optimiser",
            "flat-parameter view",
        ),
        "vector-to-parameters": (
            polyak_vector_to_parameters,
            NEW_TENSOR,
            "parameters' .data",
        ),
        "new-parameters": (
            polyak_new_parameters,
            NEW_TENSOR,
            "new nn.Parameter objects",
        ),
        "online-scaled": (
            polyak_online_scaled,
            "changed its input online in place",
            "scaling the online parameters in place",
        ),
        "no-no-grad": (
            polyak_without_no_grad,
            "gradient history",
            "an update outside torch.no_grad()",
        ),
        "returns-new-weights": (
            polyak_returns_new_weights,
            "target's parameter weight: expected",
            "leaving the target as it was",
        ),
        "does-nothing": (lambda target, online, tau: None, "leaving the"),
        "autograd-off": (polyak_autograd_off, "switched autograd off"),
        "unfreezes-the-target": (
            polyak_unfreezes,
            "changed requires_grad",
            "from False to",
        ),
    },
    every_wrong_says=("hint:",),
)
test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(POLYAK)


@pytest.mark.parametrize("index", range(len(POLYAK_MISTAKES)))
def test_each_catalogued_mistake_is_named_by_its_own_message(index):
    returned, message = run(check_polyak_update, POLYAK_MISTAKES[index].answer)
    assert returned is polyak_update
    message = " ".join(message.split())  # unwrapped
    named = [
        i
        for i, m in enumerate(POLYAK_MISTAKES)
        if f"this is what {m.says} gives. {m.fix}" in message
    ]
    assert named == [index], message


def polyak_iterates_the_module(target, online, tau):
    for targ, param in zip(target, online, strict=True):  # TypeError
        targ.lerp_(param, tau)


@pytest.mark.parametrize(
    "fn, needles",
    [
        (polyak_iterates_the_module, ["raised TypeError", "is not iterable"]),
        (
            lambda target_net, online_net, tau: None,
            [
                "cannot be called as polyak_update(target=...,",
                "polyak_update(target_net, online_net, tau)",
            ],
        ),
    ],
    ids=["crash", "renamed"],
)
def test_broken_answer_is_reported_not_raised(fn, needles):
    assert_replaced(check_polyak_update, fn, polyak_update, needles)


@torch.no_grad()
def polyak_stub(target, online, tau):
    raise NotImplementedError


def test_a_stub_under_no_grad_is_not_implemented_yet():
    """The reference is decorated with @torch.no_grad(), and so may the
    exercise's stub be: the decorator's wrapper is not the reader's
    code, the function it wraps is."""
    returned, message = run(check_polyak_update, polyak_stub)
    assert returned is polyak_update
    assert "not implemented yet" in message


def inputs_shown(message: str) -> list[str]:
    """The report's lines of inputs: ``inputs:`` and its continuations."""
    lines = message.splitlines()
    start = next(i for i, x in enumerate(lines) if x.startswith("   inputs:"))
    shown = [lines[start]]
    for line in lines[start + 1 :]:
        if not line.startswith("     "):
            break
        shown.append(line)
    return shown


def test_the_report_shows_the_networks_before_the_call():
    """The reader's function has written into both networks; the report
    shows what it was given, as it does when the call never happens."""
    _, message = run(check_polyak_update, polyak_online_scaled)
    _, renamed = run(check_polyak_update, lambda target_, online, tau: None)
    assert "online.weight=" in " ".join(inputs_shown(message))
    assert inputs_shown(message) == inputs_shown(renamed)


def test_a_passing_function_is_told_what_the_chapter_does_with_it():
    """The chapter's TD3 and SAC runs update their targets with the
    reader's function once it passes."""
    _, message = run(check_polyak_update, polyak_mul_add)
    assert "all 5 cases pass" in message
    assert "rest of the chapter uses your function" in message

"""Chapter 1's checkers: ``reward_to_go`` and ``reinforce_loss``."""

import torch

from actorcritic.exercises.reinforce import (
    check_reinforce_loss,
    check_reward_to_go,
    reference_reward_to_go,
)
from actorcritic.losses import policy_gradient_loss
from tests.exercises import rows, table_tests, with_args

# --- reward_to_go ------------------------------------------------------------


def rtg_loop(reward, gamma):
    out, running = torch.zeros_like(reward), 0.0
    for t in reversed(range(len(reward))):
        running = reward[t] + gamma * running
        out[t] = running
    return out


def rtg_as_list(reward, gamma):
    return rtg_loop(reward, gamma).tolist()


def rtg_forward_cumsum(reward, gamma):
    """Sums the rewards up to t (the return so far), undiscounted."""
    return torch.cumsum(reward, 0)


def rtg_whole_return(reward, gamma):
    """Gives every step the return of the whole episode, G_0."""
    return rtg_loop(reward, gamma)[0].repeat(len(reward))


def rtg_excludes_current_reward(reward, gamma):
    """Starts the sum at r_{t+1} instead of r_t."""
    return rtg_loop(reward, gamma) - reward


def rtg_divided_by_powers(reward, gamma):
    """A closed form: cumulative sums of gamma^k r_k from the end, divided
    by gamma^t; divides by 0 when gamma = 0."""
    powers = gamma ** torch.arange(len(reward), dtype=torch.float32)
    tail = torch.flip(torch.cumsum(torch.flip(powers * reward, [0]), 0), [0])
    return tail / powers


def rtg_discounted_from_0(reward, gamma):
    """gamma^t' instead of gamma^(t' - t): the discount counted from t=0."""
    return rtg_loop(reward * gamma ** torch.arange(len(reward)), 1.0)


THREE_ONES = "case 'three rewards of 1"
SCALAR = "expected shape (3,), got shape ()"

REWARD_TO_GO = rows(
    check_reward_to_go,
    reference_reward_to_go,
    n_cases=9,
    right={"loop": rtg_loop},
    wrong={
        "forward-cumsum": (rtg_forward_cumsum, THREE_ONES),
        "undiscounted": (with_args(rtg_loop, gamma=1.0), THREE_ONES),
        "whole-return": (rtg_whole_return, THREE_ONES),
        "excludes-current-reward": (rtg_excludes_current_reward, THREE_ONES),
        "fixed-gamma": (with_args(rtg_loop, gamma=0.99), THREE_ONES),
        "discounted-from-the-start": (rtg_discounted_from_0, THREE_ONES),
        "divided-by-gamma-powers": (
            rtg_divided_by_powers,
            "case 'gamma = 0",
            "dividing a cumulative sum by gamma ** t",
        ),
        "scalar": (lambda reward, gamma: 1.0, "got a float (1.0)"),
        "tolist": (rtg_as_list, "got a list", "expected a torch.Tensor"),
    },
    every_wrong_says=("expected", "got"),
)

# --- reinforce_loss ----------------------------------------------------------


def pg_right(log_prob, weight):
    return -(log_prob * weight.detach()).mean()


def pg_sum(log_prob, weight):
    """Sums over steps instead of averaging."""
    return -(log_prob * weight.detach()).sum()


def pg_not_detached(log_prob, weight):
    """Lets gradients flow into the weights."""
    return -(log_prob * weight).mean()


def pg_per_step(log_prob, weight):
    """Returns the loss of every step instead of their mean."""
    return -(log_prob * weight.detach())


def pg_detached_in_place(log_prob, weight):
    """Detaches the caller's tensor in place: the right value, but the
    caller's weight no longer carries its gradient."""
    weight.detach_()
    return -(log_prob * weight).mean()


def pg_requires_grad_off(log_prob, weight):
    """Switches the caller's tensor off autograd in place."""
    weight.requires_grad_(False)
    return -(log_prob * weight).mean()


pg_of_probabilities = with_args(pg_right, log_prob=torch.exp)

THREE_STEPS = "case 'three steps"
NOT_DETACHED = (
    "case 'weights that carry a gradient",
    "gradient of output with respect to weight",
    "weight.detach()",
)

CUT = ("cut its input weight off the caller's graph", "weight.detach()")

REINFORCE_LOSS = rows(
    check_reinforce_loss,
    policy_gradient_loss,
    n_cases=5,
    right={"mean": pg_right},
    wrong={
        "no-minus": (lambda **kw: -pg_right(**kw), THREE_STEPS),
        "sum": (pg_sum, THREE_STEPS),
        "not-detached": (pg_not_detached, *NOT_DETACHED),
        "probabilities": (pg_of_probabilities, THREE_STEPS),
        "per-step": (pg_per_step, "expected shape ()"),
        "detached-in-place": (pg_detached_in_place, *CUT),
        "requires-grad-off": (pg_requires_grad_off, *CUT),
    },
)

test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(
    REWARD_TO_GO, REINFORCE_LOSS
)

"""Chapter 2's checkers: ``td_error`` and ``one_step_losses``."""

import operator

import torch

from actorcritic.exercises.one_step_actor_critic import (
    check_one_step_losses,
    check_td_error,
    reference_td_error,
)
from actorcritic.losses import one_step_losses
from tests.exercises import assert_replaced, rows, table_tests, with_args

ORDINARY = "case 'an ordinary step"
TERMINATED = "case 'a terminated step"
TRUNCATED = "case 'a truncated step"
OTHER_GAMMA = "case 'another discount"

# --- td_error ----------------------------------------------------------------


def td_right(reward, value, next_value, terminated, truncated, gamma):
    return reward + gamma * next_value * (1 - terminated) - value


def td_stops_on_truncation(terminated, truncated, **rest):
    """Treats a truncation like a termination: no bootstrap."""
    done = torch.clamp(terminated + truncated, max=1.0)
    return td_right(terminated=done, truncated=truncated, **rest)


def td_truncation_wins(
    reward, value, next_value, terminated, truncated, gamma
):
    """Bootstraps whenever truncated is set, even on a terminal step."""
    keep = torch.where(truncated > 0, 1.0, 1 - terminated)
    return reward + gamma * keep * next_value - value


def td_next_value_detached_in_place(next_value, **rest):
    """Detaches the caller's next_value in place (exercise 2's job)."""
    next_value.detach_()
    return td_right(next_value=next_value, **rest)


td_ignores_terminated = with_args(td_right, terminated=torch.zeros_like)
td_target_only = with_args(td_right, value=torch.zeros_like)

TD_ERROR = rows(
    check_td_error,
    reference_td_error,
    n_cases=8,
    right={"formula": td_right},
    wrong={
        "ignores-terminated": (td_ignores_terminated, TERMINATED),
        "stops-on-truncation": (td_stops_on_truncation, TRUNCATED),
        "fixed-gamma": (with_args(td_right, gamma=0.9), OTHER_GAMMA),
        "sign-flipped": (lambda **kw: -td_right(**kw), ORDINARY),
        "target-only": (td_target_only, ORDINARY),
        "truncation-wins": (
            td_truncation_wins,
            "case 'terminated and truncated at once",
        ),
    },
    every_wrong_says=("expected", "got"),
)

# --- one_step_losses ---------------------------------------------------------


def _delta(value, next_value, reward, terminated, gamma, detach=True):
    next_value = next_value.detach() if detach else next_value
    return reward + gamma * next_value * (1 - terminated) - value


def losses_right(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    delta = _delta(value, next_value, reward, terminated, gamma)
    return -discount_weight * delta.detach() * log_prob, 0.5 * delta.pow(2)


def losses_actor_not_detached(log_prob, discount_weight, **rest):
    """delta is not detached in the actor's loss."""
    delta = _delta(**rest)
    return -discount_weight * delta * log_prob, 0.5 * delta.pow(2)


def losses_target_not_detached(log_prob, discount_weight, **rest):
    """The TD target r + gamma V(s') is not detached for the critic."""
    delta = _delta(**rest, detach=False)
    return -discount_weight * delta.detach() * log_prob, 0.5 * delta.pow(2)


def losses_no_half(**kw):
    """critic_loss = delta**2, without the 0.5."""
    actor_loss, critic_loss = losses_right(**kw)
    return actor_loss, 2 * critic_loss


def losses_clipped_reward(reward, **rest):
    """Clips the reward to [-1, 1], which every reward of 1 hides."""
    return losses_right(reward=reward.clamp(-1.0, 1.0), **rest)


def losses_critic_discounted(discount_weight, **rest):
    """Multiplies the critic's loss by I as well (the student's mistake)."""
    actor_loss, critic_loss = losses_right(
        discount_weight=discount_weight, **rest
    )
    return actor_loss, discount_weight * critic_loss


no_discount_weight = with_args(losses_right, discount_weight=1.0)
actor_sign_flipped = with_args(losses_right, discount_weight=operator.neg)
bootstraps_terminal = with_args(losses_right, terminated=torch.zeros_like)
TARGET_GRAD = "gradient of critic_loss with respect to next_value"
ACTOR_NOT_DETACHED = (
    "gradient of actor_loss with respect to value",
    "hint:",
    "detach",
)

ONE_STEP_LOSSES = rows(
    check_one_step_losses,
    one_step_losses,
    n_cases=7,
    right={"formula": losses_right},
    wrong={
        "actor-not-detached": (losses_actor_not_detached, *ACTOR_NOT_DETACHED),
        "target-not-detached": (losses_target_not_detached, TARGET_GRAD),
        "no-discount-weight": (no_discount_weight, "case 'a later step"),
        "actor-sign": (actor_sign_flipped, "actor_loss: expected"),
        "bootstraps-terminal": (bootstraps_terminal, TERMINATED),
        "critic-without-half": (losses_no_half, "critic_loss: expected"),
        "critic-discounted": (
            losses_critic_discounted,
            "multiplying the critic's loss by discount_weight",
        ),
        "clipped-reward": (losses_clipped_reward, "case 'another discount"),
        "fixed-gamma": (
            with_args(losses_right, gamma=0.9),
            "case 'another discount",
        ),
    },
)

test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(
    TD_ERROR, ONE_STEP_LOSSES
)


def test_td_error_leaves_next_value_on_its_graph():
    """next_value may carry a gradient (the random cases give it one):
    detaching the caller's tensor in place is named."""
    assert_replaced(
        check_td_error,
        td_next_value_detached_in_place,
        reference_td_error,
        ("cut its input next_value off the caller's graph",),
    )

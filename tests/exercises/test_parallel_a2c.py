"""Chapter 4's checkers: ``n_step_returns`` and ``a2c_loss``."""

import torch

from actorcritic.exercises.parallel_a2c import (
    check_a2c_loss,
    check_n_step_returns,
)
from actorcritic.losses import a2c_loss
from actorcritic.returns import n_step_returns
from tests.exercises import rows, table_tests, with_args

# --- n_step_returns ----------------------------------------------------------


def returns_loop(reward, next_value, terminated, truncated, gamma):
    out = torch.zeros_like(reward)
    T = reward.shape[0]
    for i in range(reward.shape[1]):
        g = next_value[T - 1, i]
        for t in reversed(range(T)):
            if truncated[t, i]:
                g = next_value[t, i]
            g = reward[t, i] + gamma * (1 - terminated[t, i]) * g
            out[t, i] = g
    return out


def returns_cut_as_end(terminated, truncated, **rest):
    """Treats a truncation like a termination: no bootstrap."""
    done = torch.clamp(terminated + truncated, max=1.0)
    return returns_loop(
        terminated=done, truncated=torch.zeros_like(done), **rest
    )


def returns_one_step(reward, next_value, terminated, truncated, gamma):
    """One-step TD targets instead of n-step returns."""
    return reward + gamma * (1 - terminated) * next_value


def returns_truncation_wins(reward, next_value, terminated, truncated, gamma):
    """Bootstraps wherever truncated is set, even on a terminal step."""
    out = torch.zeros_like(reward)
    g = next_value[-1]
    for t in reversed(range(reward.shape[0])):
        g = torch.where(truncated[t] > 0, next_value[t], g)
        keep = torch.where(truncated[t] > 0, 1.0, 1 - terminated[t])
        g = reward[t] + gamma * keep * g
        out[t] = g
    return out


def returns_cut_ignores_termination(
    reward, next_value, terminated, truncated, gamma
):
    """Bootstraps at the rollout's cut even when the last step
    terminated."""
    out = torch.zeros_like(reward)
    g = next_value[-1]
    for t in reversed(range(reward.shape[0])):
        g = torch.where(truncated[t] > 0, next_value[t], g)
        keep = 1.0 if t == reward.shape[0] - 1 else 1 - terminated[t]
        g = reward[t] + gamma * keep * g
        out[t] = g
    return out


def last_row_zeroed(x):
    return torch.cat([x[:-1], torch.zeros_like(x[-1:])])


ONE_ENV = "case 'one env, three steps"
TERMINATION = "case 'a termination at t = 1"
TRUNCATION = "case 'a truncation at t = 0"
BOTH = "case 'terminated and truncated at t = 1"
ignores_terminated = with_args(returns_loop, terminated=torch.zeros_like)
no_final_bootstrap = with_args(returns_loop, next_value=last_row_zeroed)
ignores_truncated = with_args(returns_loop, truncated=torch.zeros_like)

N_STEP_RETURNS = rows(
    check_n_step_returns,
    n_step_returns,
    n_cases=10,
    right={"loop": returns_loop},
    wrong={
        "ignores-terminated": (ignores_terminated, TERMINATION),
        "truncation-as-termination": (returns_cut_as_end, TRUNCATION),
        "no-final-bootstrap": (no_final_bootstrap, ONE_ENV),
        "truncation-ignored": (ignores_truncated, TRUNCATION),
        "fixed-gamma": (with_args(returns_loop, gamma=0.9), ONE_ENV),
        "one-step": (returns_one_step, ONE_ENV),
        "truncation-wins": (returns_truncation_wins, BOTH),
        "cut-ignores-termination": (
            returns_cut_ignores_termination,
            "case 'a termination on the last row",
        ),
    },
    every_wrong_says=("hint:",),
)

# --- a2c_loss ----------------------------------------------------------------


def _loss(actor_adv, critic_adv, log_prob, entropy, value_coef, entropy_coef):
    return (
        -(actor_adv * log_prob).mean()
        + value_coef * critic_adv.pow(2).mean()
        - entropy_coef * entropy.mean()
    )


def loss_right(log_prob, entropy, value, returns, value_coef, entropy_coef):
    adv = returns.detach() - value
    return _loss(
        adv.detach(), adv, log_prob, entropy, value_coef, entropy_coef
    )


def loss_advantage_not_detached(value, returns, **rest):
    """The advantage is not detached in the policy term."""
    adv = returns.detach() - value
    return _loss(adv, adv, **rest)


def loss_returns_not_detached(value, returns, **rest):
    """The returns (targets) are not detached in the value term."""
    adv = returns - value
    return _loss(adv.detach(), adv, **rest)


def loss_returns_detached_in_place(returns, **rest):
    """Detaches the caller's returns in place."""
    returns.detach_()
    return loss_right(returns=returns, **rest)


entropy_sign = with_args(loss_right, entropy=torch.neg)
fixed_coefficients = with_args(loss_right, value_coef=0.5, entropy_coef=0.01)
half_value_coef = with_args(loss_right, value_coef=lambda c: c / 2)
VALUE_GRAD = "gradient of output with respect to value"
RETURNS_GRAD = "with respect to returns"

A2C_LOSS = rows(
    check_a2c_loss,
    a2c_loss,
    n_cases=4,
    right={"formula": loss_right},
    wrong={
        "advantage-not-detached": (loss_advantage_not_detached, VALUE_GRAD),
        "entropy-sign": (entropy_sign, "output: expected"),
        "returns-not-detached": (loss_returns_not_detached, RETURNS_GRAD),
        "fixed-coefficients": (fixed_coefficients, "case 'value_coef = 1"),
        "half-value-coef": (half_value_coef, "output: expected"),
        "returns-detached-in-place": (
            loss_returns_detached_in_place,
            "cut its input returns off the caller's graph",
            "returns.detach()",
        ),
    },
)

test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(
    N_STEP_RETURNS, A2C_LOSS
)

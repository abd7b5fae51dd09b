"""Chapter 6's checkers: ``gae`` and ``ppo_loss``."""

import functools

import torch

from actorcritic.exercises.ppo import check_gae, check_ppo_loss
from actorcritic.losses import ppo_loss
from actorcritic.returns import gae
from tests.exercises import rows, table_tests, with_args

# --- gae ---------------------------------------------------------------------


def gae_loop(reward, value, next_value, terminated, truncated, gamma, lam):
    T, N = reward.shape
    out = torch.zeros_like(reward)
    for i in range(N):
        following = 0.0
        for t in reversed(range(T)):
            bootstrap = 0.0 if terminated[t, i] else next_value[t, i]
            delta = reward[t, i] + gamma * bootstrap - value[t, i]
            ended = terminated[t, i] or truncated[t, i]
            following = delta + gamma * lam * (0.0 if ended else following)
            out[t, i] = following
    return out


def gae_trace_through_truncation(
    reward, value, next_value, terminated, truncated, gamma, lam
):
    """Stops the trace at terminations only: the next episode's
    advantages leak into a truncated one."""
    delta = reward + gamma * (1 - terminated) * next_value - value
    out, following = torch.zeros_like(reward), torch.zeros_like(reward[0])
    for t in reversed(range(reward.shape[0])):
        following = delta[t] + gamma * lam * (1 - terminated[t]) * following
        out[t] = following
    return out


def gae_truncation_as_termination(
    reward, value, next_value, terminated, truncated, gamma, lam
):
    done = torch.clamp(terminated + truncated, max=1.0)
    return gae(reward, value, next_value, done, truncated, gamma, lam)


def gae_truncation_wins(
    reward, value, next_value, terminated, truncated, gamma, lam
):
    """Bootstraps wherever truncated is set, even on a terminal step."""
    alive = torch.where(truncated > 0, 1.0, 1 - terminated)
    delta = reward + gamma * alive * next_value - value
    out, following = torch.zeros_like(reward), torch.zeros_like(reward[0])
    ended = torch.clamp(terminated + truncated, max=1.0)
    for t in reversed(range(reward.shape[0])):
        following = delta[t] + gamma * lam * (1 - ended[t]) * following
        out[t] = following
    return out


def gae_returns_not_advantages(reward, value, **rest):
    """The lambda-return A + V instead of the advantage A."""
    return gae(reward, value, **rest) + value


def gae_cut_bootstraps_twice(
    reward, value, next_value, terminated, truncated, gamma, lam
):
    """Starts the recursion from V(s'_{T-1}) instead of 0 after the cut."""
    delta = reward + gamma * (1 - terminated) * next_value - value
    ended = torch.clamp(terminated + truncated, max=1.0)
    out, following = torch.zeros_like(reward), next_value[-1]
    for t in reversed(range(reward.shape[0])):
        following = delta[t] + gamma * lam * (1 - ended[t]) * following
        out[t] = following
    return out


LAMBDA_0 = "case 'lambda = 0"
TERMINATION = "case 'a termination at t = 1"
TRUNCATION = "case 'a truncation at t = 0"

GAE = rows(
    check_gae,
    gae,
    n_cases=12,
    right={"loop": gae_loop},
    wrong={
        "fixed-lambda": (with_args(gae, lam=0.95), LAMBDA_0),
        "no-trace": (with_args(gae, lam=0.0), "case 'lambda = 1"),
        "ignores-terminated": (
            with_args(gae, terminated=torch.zeros_like),
            TERMINATION,
        ),
        "trace-through-truncation": (gae_trace_through_truncation, TRUNCATION),
        "truncation-as-termination": (
            gae_truncation_as_termination,
            TRUNCATION,
        ),
        "truncation-wins": (gae_truncation_wins, "case 'terminated and"),
        "returns-not-advantages": (gae_returns_not_advantages, LAMBDA_0),
        "cut-bootstraps-twice": (gae_cut_bootstraps_twice, "case 'lambda = 1"),
    },
    every_wrong_says=("hint:",),
)

# --- ppo_loss ----------------------------------------------------------------


def _ppo(
    combine,
    log_prob,
    old_log_prob,
    advantage,
    entropy,
    value,
    returns,
    clip,
    value_coef,
    entropy_coef,
):
    """The PPO loss with ``combine`` joining the two surrogate terms."""
    ratio = (log_prob - old_log_prob.detach()).exp()
    advantage, returns = advantage.detach(), returns.detach()
    surrogate = combine(
        ratio * advantage, ratio.clamp(1 - clip, 1 + clip) * advantage
    )
    return (
        -surrogate.mean()
        + value_coef * (returns - value).pow(2).mean()
        - entropy_coef * entropy.mean()
    )


ppo_right = functools.partial(_ppo, torch.min)
ppo_max_not_min = functools.partial(_ppo, torch.max)


def ppo_detaching_nothing(
    log_prob, old_log_prob, advantage, entropy, value, returns, clip, **rest
):
    """Lets gradients flow into the data (old_log_prob, advantage,
    returns): right whenever the caller computed them without one."""
    ratio = (log_prob - old_log_prob).exp()
    surrogate = torch.min(
        ratio * advantage, ratio.clamp(1 - clip, 1 + clip) * advantage
    )
    return (
        -surrogate.mean()
        + rest["value_coef"] * (returns - value).pow(2).mean()
        - rest["entropy_coef"] * entropy.mean()
    )


def ppo_clipped_only(log_prob, old_log_prob, advantage, clip, **rest):
    """Uses the clipped term alone, without the min."""
    ratio = (log_prob - old_log_prob).exp()
    return ppo_right(
        log_prob=torch.log(ratio.clamp(1 - clip, 1 + clip)) + old_log_prob,
        old_log_prob=old_log_prob,
        advantage=advantage,
        clip=10.0,
        **rest,
    )


def ppo_log_ratio(log_prob, old_log_prob, **rest):
    """Uses the log-probability difference as the ratio."""
    return ppo_right(
        log_prob=torch.log1p(log_prob - old_log_prob) + old_log_prob,
        old_log_prob=old_log_prob,
        **rest,
    )


def ppo_ratio_detached_in_clamp(
    log_prob, old_log_prob, advantage, clip, **rest
):
    """Clamps ratio.detach() (the student's mistake)."""
    ratio = (log_prob - old_log_prob.detach()).exp()
    advantage = advantage.detach()
    surrogate = torch.min(
        ratio * advantage, ratio.detach().clamp(1 - clip, 1 + clip) * advantage
    )
    return (
        -surrogate.mean()
        + rest["value_coef"]
        * (rest["returns"].detach() - rest["value"]).pow(2).mean()
        - rest["entropy_coef"] * rest["entropy"].mean()
    )


entropy_added = with_args(ppo_right, entropy=torch.neg)
fixed_clip = with_args(ppo_right, clip=0.2)
RATIO_ONE = "case 'ratios of 1"
ABOVE = "case 'ratios above 1 + clip"

PPO_LOSS = rows(
    check_ppo_loss,
    ppo_loss,
    n_cases=8,
    right={"min-of-two": ppo_right},
    wrong={
        "clipped-only": (ppo_clipped_only, "case 'ratios outside the range"),
        "max-not-min": (ppo_max_not_min, ABOVE),
        "log-ratio": (ppo_log_ratio, "case 'ratios outside the range"),
        "entropy-sign": (entropy_added, RATIO_ONE),
        "fixed-clip": (fixed_clip, "case 'another clip"),
        "sign-flipped": (lambda **kw: -ppo_right(**kw), RATIO_ONE),
        "ratio-detached-in-clamp": (
            ppo_ratio_detached_in_clamp,
            "detaching the ratio inside the clip",
        ),
        "data-not-detached": (
            ppo_detaching_nothing,
            "case 'data that carry a gradient",
            "letting gradients flow into the data",
        ),
    },
    every_wrong_says=("hint:",),
)

test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(
    GAE, PPO_LOSS
)


def test_a_passing_function_is_told_what_the_chapter_does_with_it():
    """Chapter 6's landing trains with the package's functions: the
    message says so, instead of the usual "the rest of the chapter uses
    your function"."""
    said = []
    check_gae(lambda **kw: gae(**kw), report=said.append)
    check_ppo_loss(lambda **kw: ppo_loss(**kw), report=said.append)
    assert "The measurement below uses your function" in said[0]
    assert "the package's returns.gae" in said[0]
    assert "the package's losses.ppo_loss" in said[1]
    assert all("rest of the chapter" not in s for s in said)

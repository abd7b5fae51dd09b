"""Chapter 7's checkers of ``soft_q_target`` and
``squashed_gaussian_log_prob``."""

import math

import pytest
import torch
from torch.distributions import Independent, Normal
from torch.distributions.transforms import TanhTransform
from torch.nn import functional as F

from actorcritic.exercises.off_policy import (
    check_soft_q_target,
    check_squashed_log_prob,
)
from actorcritic.exercises.off_policy_mistakes import (
    LOG_PROB_MISTAKES,
    SOFT_Q_MISTAKES,
)
from actorcritic.off_policy import soft_q_target, squashed_gaussian_log_prob
from tests.exercises import (
    assert_replaced,
    exercise,
    rows,
    run,
    table_tests,
    with_args,
)

# --- soft_q_target -----------------------------------------------------------


def soft_q(
    critics=lambda q: torch.minimum(q[0], q[1]),
    done=lambda te, tr: te,
    entropy=-1.0,
    detach=True,
):
    """SAC's target as a reader writes it, each ingredient given."""

    def answer(
        reward, next_q, next_log_prob, terminated, truncated, gamma, alpha
    ):
        with torch.set_grad_enabled(not detach):
            soft = critics(next_q) + entropy * alpha * next_log_prob
            alive = 1 - done(terminated, truncated)
            return reward + gamma * alive * soft

    return answer


def soft_q_detached_at_the_end(**inputs):
    return soft_q(detach=False)(**inputs).detach()


def soft_q_discounting_everything(reward, **i):
    zero = torch.zeros_like(reward)
    return i["gamma"] * reward + soft_q()(reward=zero, **i)


TRUNCATED = "case 'a truncated transition"
SMALLER = "case 'two critics, alpha = 0"
ENTROPY = "case 'the entropy term"
MIN_FIX = "The clipped double-Q takes the smaller estimate"

SOFT_Q = rows(
    check_soft_q_target,
    soft_q_target,
    n_cases=9,
    right={
        "minimum-of-two": soft_q(),
        "min-over-dim-0": soft_q(critics=lambda q: q.min(dim=0).values),
        "detached-at-the-end": soft_q_detached_at_the_end,
    },
    wrong={
        "cut-on-truncated": (
            soft_q(done=lambda te, tr: torch.maximum(te, tr)),
            TRUNCATED,
            "cutting the bootstrap on truncated as well",
        ),
        "no-cut": (
            soft_q(done=lambda te, tr: 0.0),
            "case 'a terminated transition",
            "no cut at all",
        ),
        "max": (
            soft_q(critics=lambda q: torch.maximum(q[0], q[1])),
            SMALLER,
            "the larger of the critics' estimates",
            MIN_FIX,
        ),
        "mean": (
            soft_q(critics=lambda q: (q[0] + q[1]) / 2),
            SMALLER,
            "the mean of the critics",
        ),
        "first-critic": (
            soft_q(critics=lambda q: q[0]),
            SMALLER,
            "the first critic's estimate alone",
        ),
        "plus-alpha-log-prob": (
            soft_q(entropy=1.0),
            ENTROPY,
            "adding alpha * log pi(a'|s') instead of",
        ),
        "no-entropy": (soft_q(entropy=0.0), ENTROPY, "no entropy term"),
        "fixed-alpha": (
            with_args(soft_q(), alpha=0.2),
            SMALLER,
            "a fixed alpha of 0.2",
        ),
        "gamma-on-the-reward": (
            soft_q_discounting_everything,
            SMALLER,
            "discounting the reward too",
        ),
        "gradient-into-the-target": (
            soft_q(detach=False),
            "case 'next_q and next_log_prob carry a gradient",
            "gradient of target with respect to next_q",
            "letting gradients flow into the target",
        ),
    },
    every_wrong_says=("hint:",),
)

# --- squashed_gaussian_log_prob ----------------------------------------------


def _log_det(u):
    return 2 * (math.log(2) - u - F.softplus(-2 * u))


def log_prob_normal(mean, log_std, pre_tanh):
    gaussian = Normal(mean, log_std.exp()).log_prob(pre_tanh)
    return (gaussian - _log_det(pre_tanh)).sum(-1)


def log_prob_tanh_transform(mean, log_std, pre_tanh):
    """torch's own pieces: an Independent Normal and TanhTransform's
    log-determinant (the stable formula)."""
    dist = Independent(Normal(mean, log_std.exp()), 1)
    log_det = TanhTransform().log_abs_det_jacobian(
        pre_tanh, torch.tanh(pre_tanh)
    )
    return dist.log_prob(pre_tanh) - log_det.sum(-1)


def log_prob_with(correction, reduce=lambda x: x.sum(-1)):
    def answer(mean, log_std, pre_tanh):
        gaussian = Normal(mean, log_std.exp()).log_prob(pre_tanh)
        return reduce(gaussian - correction(pre_tanh))

    return answer


def log_prob_by_hand(mean, log_std, pre_tanh, std=None, constant=True):
    std = log_std.exp() if std is None else std
    z = (pre_tanh - mean) / std
    log_n = -0.5 * z.pow(2) - std.log()
    if constant:
        log_n = log_n - 0.5 * math.log(2 * math.pi)
    return (log_n - _log_det(pre_tanh)).sum(-1)


def log_prob_log_std_as_std(mean, log_std, pre_tanh):
    return log_prob_by_hand(mean, log_std, pre_tanh, std=log_std)


def log_prob_normal_of_log_std(mean, log_std, pre_tanh):
    gaussian = Normal(mean, log_std).log_prob(pre_tanh)  # raises: scale 0
    return (gaussian - _log_det(pre_tanh)).sum(-1)


def log_prob_cleanrl(mean, log_std, pre_tanh):
    """CleanRL's form: log(1 - a^2 + 1e-6)."""
    action = torch.tanh(pre_tanh)
    log_prob = Normal(mean, log_std.exp()).log_prob(pre_tanh)
    log_prob -= torch.log(1 - action.pow(2) + 1e-6)
    return log_prob.sum(-1)


SATURATED = "case 'tanh saturated"
SHIFTED = "case 'a shifted Gaussian"
STANDARD = "case 'a standard Gaussian"

LOG_PROB = rows(
    check_squashed_log_prob,
    squashed_gaussian_log_prob,
    n_cases=6,
    right={
        "normal-and-softplus": log_prob_normal,
        "tanh-transform": log_prob_tanh_transform,
        "by-hand": log_prob_by_hand,
    },
    wrong={
        "naive": (
            log_prob_with(lambda u: torch.log(1 - torch.tanh(u) ** 2)),
            SATURATED,
            "log(1 - tanh(u)^2) as written",
            "numerically unstable",
            "softplus(-2u))",
        ),
        "epsilon": (log_prob_cleanrl, "log(1 - tanh(u)^2 + 1e-6)"),
        "no-correction": (
            log_prob_with(torch.zeros_like),
            SHIFTED,
            "no tanh correction",
        ),
        "correction-added": (
            log_prob_with(lambda u: -_log_det(u)),
            SHIFTED,
            "adding the tanh correction",
        ),
        "not-summed": (
            log_prob_with(_log_det, reduce=lambda x: x),
            STANDARD,
            "expected shape ()",
            "no sum over the action dimensions",
        ),
        "mean-over-dimensions": (
            log_prob_with(_log_det, reduce=lambda x: x.mean(-1)),
            STANDARD,
            "the mean over the action dimensions",
        ),
        "log-std-as-std": (
            log_prob_log_std_as_std,
            STANDARD,
            "log_std used as the standard deviation gives",
        ),
        "normal-of-log-std": (
            log_prob_normal_of_log_std,
            STANDARD,
            "raised ValueError",
            "(Normal(mean, log_std)) gives",
        ),
        "correction-at-the-action": (
            log_prob_with(lambda u: _log_det(torch.tanh(u))),
            SHIFTED,
            "the correction evaluated at the action",
        ),
        "log-one-minus-u-squared": (
            log_prob_with(lambda u: torch.log(1 - u * u)),
            SHIFTED,
            "log(1 - u^2)",
        ),
        "no-constant": (
            lambda **i: log_prob_by_hand(**i, constant=False),
            STANDARD,
            "no -0.5 * log(2 pi) constant",
        ),
    },
    every_wrong_says=("hint:",),
)

test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(
    SOFT_Q, LOG_PROB
)

# --- every catalogued mistake, by its own name -------------------------------

CATALOGUES = {
    check_soft_q_target: SOFT_Q_MISTAKES,
    check_squashed_log_prob: LOG_PROB_MISTAKES,
}


@pytest.mark.parametrize(
    "checker, index",
    [
        pytest.param(c, i, id=f"{exercise(c)}-{i}")
        for c, catalogue in CATALOGUES.items()
        for i in range(len(catalogue))
    ],
)
def test_each_catalogued_mistake_is_named_by_its_own_message(checker, index):
    catalogue = CATALOGUES[checker]
    returned, message = run(checker, catalogue[index].answer)
    assert returned is not catalogue[index].answer
    message = " ".join(message.split())  # unwrapped
    named = [
        i
        for i, m in enumerate(catalogue)
        if f"this is what {m.says} gives. {m.fix}" in message
    ]
    assert named == [index], message


# --- broken answers are reported, not raised ---------------------------------


def soft_q_third_critic(reward, next_q, **rest):
    return reward + next_q[2]  # IndexError: two critics


@pytest.mark.parametrize(
    "checker, fn, reference, needles",
    [
        (
            check_soft_q_target,
            soft_q_third_critic,
            soft_q_target,
            ["raised IndexError"],
        ),
        (
            check_squashed_log_prob,
            lambda mean, log_std, pre_tanh: mean @ log_std @ pre_tanh,
            squashed_gaussian_log_prob,
            ["raised RuntimeError"],
        ),
    ],
    ids=["soft-q-crash", "log-prob-crash"],
)
def test_broken_answer_is_reported_not_raised(checker, fn, reference, needles):
    assert_replaced(checker, fn, reference, needles)


@torch.no_grad()
def soft_q_stub(
    reward, next_q, next_log_prob, terminated, truncated, gamma, alpha
):
    raise NotImplementedError


def test_a_stub_under_no_grad_is_not_implemented_yet():
    """The reference is decorated with @torch.no_grad(), and so may the
    exercise's stub be: the decorator's wrapper is not the reader's
    code, the function it wraps is."""
    returned, message = run(check_soft_q_target, soft_q_stub)
    assert returned is soft_q_target
    assert "not implemented yet" in message


def test_a_passing_function_is_told_what_the_chapter_does_with_it():
    """The chapter trains SAC with the reader's soft_q_target (the usual
    "the rest of the chapter uses your function") and draws its figure
    with the reader's log-probability, while the policy keeps the
    package's: that message says so."""
    said = []
    check_soft_q_target(soft_q(), report=said.append)
    check_squashed_log_prob(log_prob_normal, report=said.append)
    assert "rest of the chapter uses your function" in said[0]
    assert "figure below uses your function" in said[1]
    assert "off_policy.squashed_gaussian_log_prob" in said[1]

"""Chapter 3's checkers: the actor's and the critic's ``forward``, and
``a2c_losses``."""

import operator

import torch
from torch import nn

from actorcritic.exercises.a2c import (
    check_a2c_losses,
    check_actor,
    check_critic,
)
from actorcritic.losses import a2c_losses
from actorcritic.networks import GaussianPolicy, ValueNetwork
from tests.exercises import rows, table_tests, with_args

# --- actor forward -----------------------------------------------------------


def _bounds(actor):
    return (actor.high + actor.low) / 2, (actor.high - actor.low) / 2


class ActorRight(GaussianPolicy):
    """Splits, squashes and floors in three steps that the wrong actors
    below override one at a time."""

    def forward(self, obs):
        raw_mean, raw_std = self.halves(self.net(obs))
        return self.bounded_mean(raw_mean), self.positive_std(raw_std)

    def halves(self, raw):
        return raw[..., : self.act_dim], raw[..., self.act_dim :]

    def bounded_mean(self, raw_mean):
        center, half = _bounds(self)
        return center + half * torch.tanh(raw_mean)

    def positive_std(self, raw_std):
        return nn.functional.softplus(raw_std) + self.min_std


class ActorNoTanh(ActorRight):
    """Clamps the unsquashed mean into the bounds instead of using tanh."""

    def bounded_mean(self, raw_mean):
        center, half = _bounds(self)
        return torch.clamp(center + half * raw_mean, self.low, self.high)


class ActorFixedBounds(ActorRight):
    """Assumes the bounds [-2, 2] instead of reading them."""

    def bounded_mean(self, raw_mean):
        return 2.0 * torch.tanh(raw_mean)


class ActorNoFloor(ActorRight):
    """std = softplus(raw_std), without the floor min_std."""

    def positive_std(self, raw_std):
        return nn.functional.softplus(raw_std)


class ActorFixedFloor(ActorRight):
    """Floors std at the default 1e-3, not at the actor's min_std."""

    def positive_std(self, raw_std):
        return nn.functional.softplus(raw_std) + 1e-3


class ActorSwappedHalves(ActorRight):
    """Takes the mean from the second half and the std from the first."""

    def halves(self, raw):
        return super().halves(raw)[::-1]


class ActorSharedStd(ActorRight):
    """One std for every action (the student's mistake)."""

    def positive_std(self, raw_std):
        return super().positive_std(raw_std[..., :1]).expand_as(raw_std)


class ActorWholeOutput(ActorRight):
    """Does not split: mean and std both use all 2 * act_dim outputs."""

    def halves(self, raw):
        return raw, raw


ONE_OBSERVATION = "case 'one observation"
UNEVEN_BOUNDS = "case 'two actions with uneven bounds"
WHOLE_OUTPUT = (
    ONE_OBSERVATION,
    "expected shape (1,), got shape (2,)",
    "Split the output in two halves",
)

ACTOR = rows(
    check_actor,
    GaussianPolicy,
    n_cases=8,
    right={"slices": ActorRight},
    wrong={
        "no-tanh": (ActorNoTanh, ONE_OBSERVATION),
        "fixed-bounds": (ActorFixedBounds, UNEVEN_BOUNDS),
        "no-floor": (ActorNoFloor, ONE_OBSERVATION),
        "fixed-floor": (ActorFixedFloor, "case 'another floor"),
        "swapped-halves": (ActorSwappedHalves, ONE_OBSERVATION),
        "whole-output": (ActorWholeOutput, *WHOLE_OUTPUT),
        "shared-std": (ActorSharedStd, "one std shared by every action"),
    },
)

# --- critic forward ----------------------------------------------------------


class CriticRight(ValueNetwork):
    def forward(self, obs):
        return self.net(obs)[..., 0]


class CriticKeepsAxis(ValueNetwork):
    """Keeps the last axis of size 1."""

    def forward(self, obs):
        return self.net(obs)


class CriticSqueezesAll(ValueNetwork):
    """squeeze() also drops a batch axis of size 1."""

    def forward(self, obs):
        return self.net(obs).squeeze()


CRITIC = rows(
    check_critic,
    ValueNetwork,
    n_cases=7,
    right={"index-0": CriticRight},
    wrong={
        "keeps-axis": (CriticKeepsAxis, ONE_OBSERVATION),
        "squeezes-all": (CriticSqueezesAll, "case 'a batch of one"),
    },
    every_wrong_says=("squeeze(-1)",),
)

# --- a2c_losses --------------------------------------------------------------


def a2c_right(
    log_prob,
    entropy,
    value,
    next_value,
    reward,
    terminated,
    gamma,
    entropy_coef,
):
    target = reward + gamma * (1 - terminated) * next_value.detach()
    adv = target - value
    actor = (-adv.detach() * log_prob).mean() - entropy_coef * entropy.mean()
    return actor, adv.pow(2).mean() / 2


def _advantage(value, next_value, reward, terminated, gamma, detach=True):
    next_value = next_value.detach() if detach else next_value
    return reward + gamma * (1 - terminated) * next_value - value


def _losses(actor_adv, critic_adv, log_prob, entropy, coef, mean=torch.mean):
    actor = mean(-actor_adv * log_prob) - coef * mean(entropy)
    return actor, mean(critic_adv.pow(2)) / 2


def a2c_advantage_not_detached(log_prob, entropy, entropy_coef, **rest):
    """The advantage is not detached in the actor's loss."""
    adv = _advantage(**rest)
    return _losses(adv, adv, log_prob, entropy, entropy_coef)


def a2c_target_not_detached(log_prob, entropy, entropy_coef, **rest):
    """The TD target r + gamma V(s') is not detached for the critic."""
    adv = _advantage(**rest, detach=False)
    return _losses(adv.detach(), adv, log_prob, entropy, entropy_coef)


def a2c_sum_not_mean(log_prob, entropy, entropy_coef, **rest):
    """Sums over the batch instead of averaging."""
    adv = _advantage(**rest)
    return _losses(
        adv.detach(), adv, log_prob, entropy, entropy_coef, torch.sum
    )


def a2c_per_transition(log_prob, entropy, entropy_coef, **rest):
    """Returns the losses of every transition instead of their means."""
    adv = _advantage(**rest)
    return _losses(
        adv.detach(), adv, log_prob, entropy, entropy_coef, lambda x: x
    )


def a2c_log_prob_detached(log_prob, **rest):
    """Detaches log_prob instead of the advantage (the student's
    mistake): the actor's loss no longer trains the actor."""
    return a2c_right(log_prob=log_prob.detach(), **rest)


mask_ignored = with_args(a2c_right, terminated=torch.zeros_like)
entropy_sign = with_args(a2c_right, entropy_coef=operator.neg)
fixed_gamma_and_coef = with_args(a2c_right, gamma=0.9, entropy_coef=0.01)
ENTROPY_SIGN = ("actor_loss: expected", "hint:", "subtract")
SECOND_TERMINAL = "case 'the second transition is terminal"
LARGER_BONUS = "case 'a larger entropy bonus"
ACTOR_GRAD = "gradient of actor_loss with respect to value"
CRITIC_GRAD = "gradient of critic_loss with respect to next_value"

A2C_LOSSES = rows(
    check_a2c_losses,
    a2c_losses,
    n_cases=7,
    right={"formula": a2c_right},
    wrong={
        "mask-ignored": (mask_ignored, SECOND_TERMINAL),
        "advantage-not-detached": (a2c_advantage_not_detached, ACTOR_GRAD),
        "entropy-sign": (entropy_sign, *ENTROPY_SIGN),
        "target-not-detached": (a2c_target_not_detached, CRITIC_GRAD),
        "fixed-gamma-and-coef": (fixed_gamma_and_coef, LARGER_BONUS),
        "sum-not-mean": (a2c_sum_not_mean, "case 'three ordinary transitions"),
        "per-transition": (a2c_per_transition, "expected shape ()"),
        "log-prob-detached": (a2c_log_prob_detached, "detaching log_prob"),
    },
)

test_right_answer_is_kept, test_wrong_answer_is_replaced = table_tests(
    ACTOR, CRITIC, A2C_LOSSES
)

"""The checker mechanism: stubs, crashes and malformed answers are reported
in one message, never raised, and the chapter falls back to the
reference."""

import pytest

from actorcritic.exercises import (
    check_a2c_loss,
    check_a2c_losses,
    check_actor,
    check_critic,
    check_entropy_loss,
    check_n_step_returns,
    check_one_step_losses,
    check_q_values,
    check_reinforce_loss,
    check_reward_to_go,
    check_td_error,
)
from actorcritic.exercises.episodic_pg import reference_q_values
from actorcritic.exercises.one_step_actor_critic import reference_td_error
from actorcritic.exercises.reinforce import reference_reward_to_go
from actorcritic.losses import (
    a2c_loss,
    a2c_losses,
    entropy_loss,
    one_step_losses,
    policy_gradient_loss,
)
from actorcritic.networks import GaussianPolicy, ValueNetwork
from actorcritic.returns import n_step_returns
from tests.exercises import assert_replaced, exercise, run


def td_stub(reward, value, next_value, terminated, truncated, gamma):
    raise NotImplementedError


def stub(*args, **kwargs):
    raise NotImplementedError("write me")


class ActorStub(GaussianPolicy):
    def forward(self, obs):
        raise NotImplementedError


class CriticStub(ValueNetwork):
    def forward(self, obs):
        raise NotImplementedError


STUBS = {  # checker: (its stub, the reference the chapter falls back to)
    check_td_error: (td_stub, reference_td_error),
    check_one_step_losses: (stub, one_step_losses),
    check_reward_to_go: (stub, reference_reward_to_go),
    check_reinforce_loss: (stub, policy_gradient_loss),
    check_actor: (ActorStub, GaussianPolicy),
    check_critic: (CriticStub, ValueNetwork),
    check_a2c_losses: (stub, a2c_losses),
    check_n_step_returns: (stub, n_step_returns),
    check_a2c_loss: (stub, a2c_loss),
    check_q_values: (stub, reference_q_values),
    check_entropy_loss: (stub, entropy_loss),
}


@pytest.mark.parametrize(
    "checker, fn, reference",
    [pytest.param(c, *row, id=exercise(c)) for c, row in STUBS.items()],
)
def test_stub_is_not_implemented_yet(checker, fn, reference):
    returned, message = run(checker, fn)
    assert returned is reference
    assert "not implemented yet" in message


def td_crashes(reward, value, next_value, terminated, truncated, gamma):
    """Indexes past the end of a scalar."""
    return reward + next_value[5]


def losses_one_output(
    log_prob, value, next_value, reward, terminated, gamma, discount_weight
):
    """Returns the actor's loss only."""
    return -log_prob


BROKEN = {  # id: (checker, broken answer, *what the report must say)
    "crash": (check_td_error, td_crashes, "raised IndexError"),
    "wrong-signature": (
        check_td_error,
        lambda reward: reward,
        "raised TypeError",
    ),
    "one-output-instead-of-two": (
        check_one_step_losses,
        losses_one_output,
        "tuple of 2 outputs",
    ),
    "not-a-number": (
        check_reward_to_go,
        lambda reward, gamma: "G",
        "'G'",
        "cannot be compared",
    ),
}


@pytest.mark.parametrize(
    "checker, fn, reference, needles",
    [
        pytest.param(c, fn, STUBS[c][1], needles, id=key)
        for key, (c, fn, *needles) in BROKEN.items()
    ],
)
def test_broken_answer_is_reported_not_raised(checker, fn, reference, needles):
    assert_replaced(checker, fn, reference, needles)


def test_report_prints_by_default(capsys):
    assert check_td_error(reference_td_error) is reference_td_error
    printed = capsys.readouterr().out
    assert printed.count("td_error:") == 1
    assert "all 5 cases pass" in printed

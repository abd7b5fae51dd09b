"""The checker mechanism (``checking`` and its parts, ``calling``,
``comparing`` and ``reports``): stubs, crashes and malformed answers are
reported in one message, never raised, and the chapter falls back to the
reference."""

import pytest
import torch

from actorcritic.exercises import (
    check_a2c_loss,
    check_a2c_losses,
    check_actor,
    check_critic,
    check_entropy_loss,
    check_gae,
    check_n_step_returns,
    check_one_step_losses,
    check_polyak_update,
    check_ppo_loss,
    check_q_values,
    check_reinforce_loss,
    check_reward_to_go,
    check_soft_q_target,
    check_squashed_log_prob,
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
    ppo_loss,
)
from actorcritic.networks import GaussianPolicy, ValueNetwork
from actorcritic.off_policy import (
    polyak_update,
    soft_q_target,
    squashed_gaussian_log_prob,
)
from actorcritic.returns import gae, n_step_returns
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
    check_gae: (stub, gae),
    check_ppo_loss: (stub, ppo_loss),
    check_soft_q_target: (stub, soft_q_target),
    check_squashed_log_prob: (stub, squashed_gaussian_log_prob),
    check_polyak_update: (stub, polyak_update),
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
        "cannot be called as td_error(reward=..., value=...",
    ),
    "renamed-parameters": (
        check_reward_to_go,
        lambda rewards, discount: rewards,
        "cannot be called as reward_to_go(reward=...,",
        "missing a required argument: 'rewards'",
        "passes the arguments by name",
        "reward_to_go(reward, gamma)",
        "reward_to_go(rewards, discount)",
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
        "expected a torch.Tensor",
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
    assert "all 8 cases pass" in printed


# --- the protocol every case runs ----------------------------------------


def rtg_in_place(reward, gamma):
    """Right values, accumulated into the caller's tensor."""
    for t in reversed(range(len(reward) - 1)):
        reward[t] += gamma * reward[t + 1]
    return reward


def td_masks_a_detached_view(
    reward, value, next_value, terminated, truncated, gamma
):
    """Right values; .detach() shares memory, so the mask lands in the
    caller's next_value."""
    masked = next_value.detach()
    masked *= 1 - terminated
    return reward + gamma * masked - value


def rtg_numpy(reward, gamma):
    return rtg_in_place(reward.clone(), gamma).numpy()


def pg_item(log_prob, weight):
    return policy_gradient_loss(log_prob, weight).item()


def td_no_grad(reward, value, next_value, terminated, truncated, gamma):
    """Right values, computed without a graph: chapter 2's critic, which
    differentiates the TD error with respect to V(s), would not learn."""
    with torch.no_grad():
        return reference_td_error(
            reward, value, next_value, terminated, truncated, gamma
        )


def q_flags_dtype(reward, gamma, episode_end):
    """Right values, in the dtype of the flags (bool or float)."""
    return reference_q_values(reward, gamma, episode_end).to(episode_end.dtype)


def entropy_switches_autograd_off(logits):
    """Right values, then autograd stays off in the whole kernel."""
    loss = entropy_loss(logits)
    torch.set_grad_enabled(False)
    return loss


def entropy_sets_float64(logits):
    torch.set_default_dtype(torch.float64)
    return entropy_loss(logits)


def td_bitwise_or(reward, value, next_value, terminated, truncated, gamma):
    """`|` on float flags: PyTorch raises NotImplementedError."""
    done = terminated | truncated
    return reward + gamma * (1 - done) * next_value - value


PROTOCOL = {  # id: (checker, wrong answer, *what the report must say)
    "input-changed-in-place": (
        check_reward_to_go,
        rtg_in_place,
        "changed its input reward in place",
        "hint: the chapter passes its own tensors",
    ),
    "input-changed-through-a-detached-view": (
        check_td_error,
        td_masks_a_detached_view,
        "changed its input next_value in place",
        "case 'a terminated step",
    ),
    "numpy-array": (
        check_reward_to_go,
        rtg_numpy,
        "expected a torch.Tensor, got a numpy.ndarray",
    ),
    "no-return": (
        check_a2c_loss,
        lambda **kwargs: None,
        "expected a torch.Tensor, got None",
        "`return`",
    ),
    "python-float": (
        check_reinforce_loss,
        pg_item,
        "expected a torch.Tensor, got a float",
        "without .item()",
    ),
    "no-gradient-graph": (
        check_td_error,
        td_no_grad,
        "case 'random: shape ()",
        "expected a tensor that carries a gradient",
        "torch.no_grad(),",
    ),
    "integer-or-bool-dtype": (
        check_q_values,
        q_flags_dtype,
        "case 'episode_end given as booleans",
        "expected a floating-point tensor, got dtype torch.bool",
    ),
    "autograd-switched-off": (
        check_entropy_loss,
        entropy_switches_autograd_off,
        "switched autograd off for the whole kernel",
        "switched it back on",
    ),
    "default-dtype-changed": (
        check_entropy_loss,
        entropy_sets_float64,
        "changed the default dtype of the whole kernel",
        "set it back",
    ),
    "library-not-implemented-error": (
        check_td_error,
        td_bitwise_or,
        "case 'an ordinary step' fails",
        "raised NotImplementedError",
        "bitwise_or",
    ),
}


@pytest.mark.parametrize(
    "checker, fn, reference, needles",
    [
        pytest.param(c, fn, STUBS[c][1], needles, id=key)
        for key, (c, fn, *needles) in PROTOCOL.items()
    ],
)
def test_protocol_rejects_its_class_of_mistake(
    checker, fn, reference, needles
):
    assert_replaced(checker, fn, reference, needles)
    # and the kernel is as the checker found it
    assert torch.is_grad_enabled()
    assert torch.get_default_dtype() == torch.float32


def test_checkers_leave_the_global_random_state_alone():
    torch.manual_seed(123)
    expected = torch.rand(3)
    torch.manual_seed(123)
    for checker, (_, reference) in STUBS.items():
        run(checker, reference)
    assert torch.equal(torch.rand(3), expected)


def test_a_stub_raised_further_down_is_still_not_implemented_yet():
    def helper(reward, gamma):
        raise NotImplementedError

    def reward_to_go(reward, gamma):
        return helper(reward, gamma)

    # the reader's code is reward_to_go alone: a NotImplementedError from
    # anywhere else (here a helper, as a library would) is a failure
    _, message = run(check_reward_to_go, reward_to_go)
    assert "raised NotImplementedError" in message


# --- what the reports look like ------------------------------------------


def test_two_dimensional_inputs_keep_their_shape_in_the_report():
    def returns_zero(reward, next_value, terminated, truncated, gamma):
        return torch.zeros_like(reward)

    _, message = run(check_n_step_returns, returns_zero)
    assert "reward=[[1], [1], [1]]" in message


def test_long_tensors_are_shortened_to_their_first_difference():
    def rtg_off_at_the_end(reward, gamma):
        out = reference_reward_to_go(reward, gamma).clone()
        if len(out) > 100:
            out[417] += 1.0
        return out

    _, message = run(check_reward_to_go, rtg_off_at_the_end)
    assert "case 'random: 500 rewards" in message
    assert "(500 values) [" in message
    assert "first difference at [417]" in message
    assert len(message) < 1200


def test_non_finite_values_get_the_non_finite_hint():
    def entropy_of_log_zero(logits):
        p = torch.softmax(logits, -1)
        h = -(p * torch.log(p)).sum(-1)
        return -h.mean() / torch.log(torch.tensor(float(logits.shape[-1])))

    _, message = run(check_entropy_loss, entropy_of_log_zero)
    assert "log_softmax" in message
    assert "minus sign" not in message


def test_a_renamed_forward_is_named():
    """A network's forward must take the exercise's parameter names: the
    report names both signatures, and the chapter keeps the package's
    class."""
    from actorcritic.exercises import check_actor
    from actorcritic.networks import GaussianPolicy

    class Renamed(GaussianPolicy):
        def forward(self, x):
            return super().forward(x)

    returned, message = run(check_actor, Renamed)
    assert returned is GaussianPolicy
    assert "forward cannot be called as forward(self=..., obs=...)" in message
    assert "forward(self, obs)" in message and "forward(self, x)" in message

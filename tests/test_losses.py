import pytest
import torch

from actorcritic.losses import (
    one_step_losses,
    policy_gradient_loss,
    value_loss,
)


def leaf(x):
    return torch.tensor(x, requires_grad=True)


def test_one_step_losses_values_and_gradients():
    log_prob, value, next_value = leaf(-0.5), leaf(2.0), leaf(3.0)
    actor, critic = one_step_losses(
        log_prob,
        value,
        next_value,
        torch.tensor(1.0),
        torch.tensor(0.0),
        gamma=0.9,
        discount_weight=0.5,
    )
    delta = 1.0 + 0.9 * 3.0 - 2.0  # 1.7
    assert actor.item() == pytest.approx(-0.5 * delta * -0.5)
    assert critic.item() == pytest.approx(0.5 * delta**2)
    # the actor's loss reaches only the policy, scaled by I * delta
    g_lp, g_v, g_nv = torch.autograd.grad(
        actor,
        [log_prob, value, next_value],
        allow_unused=True,
        retain_graph=True,
    )
    assert g_lp.item() == pytest.approx(-0.5 * delta)
    assert g_v is None and g_nv is None
    # semi-gradient critic: d/dV(s) = -delta, nothing into V(s')
    g_lp, g_v, g_nv = torch.autograd.grad(
        critic, [log_prob, value, next_value], allow_unused=True
    )
    assert g_lp is None and g_nv is None
    assert g_v.item() == pytest.approx(-delta)


def test_one_step_losses_terminated_does_not_bootstrap():
    _, critic = one_step_losses(
        leaf(-0.5),
        leaf(2.0),
        leaf(100.0),
        torch.tensor(1.0),
        torch.tensor(1.0),
        gamma=0.9,
    )
    assert critic.item() == pytest.approx(0.5 * (1.0 - 2.0) ** 2)


def test_policy_gradient_loss_is_mean_and_detaches_weight():
    log_prob = leaf([-1.0, -2.0])
    weight = leaf([3.0, 1.0])
    loss = policy_gradient_loss(log_prob, weight)
    assert loss.item() == pytest.approx(-(-3.0 - 2.0) / 2)
    loss.backward()
    assert torch.allclose(log_prob.grad, torch.tensor([-1.5, -0.5]))
    assert weight.grad is None


def test_value_loss_detaches_target():
    value, target = leaf([1.0, 2.0]), leaf([2.0, 2.0])
    loss = value_loss(value, target)
    assert loss.item() == pytest.approx(0.25)
    loss.backward()
    assert torch.allclose(value.grad, torch.tensor([-0.5, 0.0]))
    assert target.grad is None


def test_shape_mismatch_is_a_clear_error():
    with pytest.raises(ValueError, match="one shape"):
        policy_gradient_loss(torch.zeros(3), torch.zeros(3, 1))
    with pytest.raises(ValueError, match="one shape"):
        value_loss(torch.zeros(3), torch.zeros(4))

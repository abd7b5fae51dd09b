import pytest
import torch

from actorcritic.losses import (
    a2c_loss,
    a2c_losses,
    aac_loss,
    baseline_pg_loss,
    entropy_loss,
    one_step_losses,
    policy_gradient_loss,
    ppo_loss,
    value_loss,
    vanilla_pg_loss,
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


# --- a2c_losses --------------------------------------------------------------


def _a2c_leaves():
    return dict(
        log_prob=leaf([-0.5, -1.0]),
        entropy=leaf([1.2, 0.7]),
        value=leaf([-2.0, 1.0]),
        next_value=leaf([-1.0, 3.0]),
        reward=torch.tensor([0.5, -1.0]),
        terminated=torch.tensor([0.0, 1.0]),
    )


def test_a2c_losses_values():
    x = _a2c_leaves()
    actor, critic = a2c_losses(**x, gamma=0.9, entropy_coef=0.1)
    adv = torch.tensor([0.5 + 0.9 * -1.0 + 2.0, -1.0 - 1.0])  # 2nd terminal
    assert actor.item() == pytest.approx(
        float(-(adv * torch.tensor([-0.5, -1.0])).mean() - 0.1 * 0.95)
    )
    assert critic.item() == pytest.approx(float(0.5 * (adv**2).mean()))


def test_a2c_gradients_flow_where_they_should():
    """The actor's loss reaches only log_prob and entropy; the critic's
    loss reaches only V(s) (the target and the advantage are constants)."""
    x = _a2c_leaves()
    actor, critic = a2c_losses(**x, gamma=0.9, entropy_coef=0.1)
    names = ["log_prob", "entropy", "value", "next_value"]
    leaves = [x[n] for n in names]
    g_actor = torch.autograd.grad(
        actor, leaves, retain_graph=True, allow_unused=True
    )
    g_critic = torch.autograd.grad(critic, leaves, allow_unused=True)
    reached = {n for n, g in zip(names, g_actor, strict=True) if g is not None}
    assert reached == {"log_prob", "entropy"}
    reached = {
        n for n, g in zip(names, g_critic, strict=True) if g is not None
    }
    assert reached == {"value"}
    # d actor / d entropy = -coef / B: the bonus pushes entropy up
    assert torch.allclose(g_actor[1], torch.tensor([-0.05, -0.05]))
    # d critic / d V = -(target - V) / B
    adv = torch.tensor([1.6, -2.0])
    assert torch.allclose(g_critic[2], -adv / 2)


def test_a2c_losses_reject_a_broadcasting_value():
    x = _a2c_leaves()
    x["value"] = leaf([[-2.0], [1.0]])  # (B, 1): would broadcast to (B, B)
    with pytest.raises(ValueError, match="one shape"):
        a2c_losses(**x, gamma=0.9, entropy_coef=0.1)


def test_a2c_loss_value_and_gradients():
    log_prob, entropy = leaf([[-0.5, -1.0]]), leaf([[0.6, 0.7]])
    value, returns = leaf([[1.0, 2.0]]), leaf([[3.0, 1.0]])
    loss = a2c_loss(log_prob, entropy, value, returns, 0.5, 0.01)
    adv = torch.tensor([[2.0, -1.0]])
    expected = (
        -(adv * log_prob.detach()).mean()
        + 0.5 * (adv**2).mean()
        - 0.01 * entropy.detach().mean()
    )
    assert loss.item() == pytest.approx(expected.item())
    g_lp, g_h, g_v, g_r = torch.autograd.grad(
        loss, [log_prob, entropy, value, returns], allow_unused=True
    )
    torch.testing.assert_close(g_lp, -adv / 2)  # advantage detached
    torch.testing.assert_close(g_h, torch.full((1, 2), -0.005))
    torch.testing.assert_close(g_v, 0.5 * -2 * adv / 2)  # only the value loss
    assert g_r is None  # the targets are constants


def test_a2c_loss_rejects_a_broadcasting_value():
    x = leaf([[0.0, 0.0]])
    with pytest.raises(ValueError, match="one shape"):
        a2c_loss(x, x, leaf([[0.0], [0.0]]), x, 0.5, 0.01)


# --- chapter 5: the policy-gradient variants --------------------------------


def test_vanilla_and_baseline_pg_losses():
    log_prob = leaf([-0.5, -1.0, -0.2])
    q = torch.tensor([3.0, 2.0, 1.0])
    assert vanilla_pg_loss(log_prob, q).item() == pytest.approx(
        -(3 * -0.5 + 2 * -1.0 + 1 * -0.2) / 3
    )
    # baseline b = mean(q) = 2: weights [1, 0, -1]
    loss = baseline_pg_loss(log_prob, q)
    assert loss.item() == pytest.approx(-(1 * -0.5 + 0 + -1 * -0.2) / 3)
    loss.backward()
    assert torch.allclose(log_prob.grad, torch.tensor([-1.0, 0.0, 1.0]) / 3)


def test_a_constant_shift_of_q_changes_vpg_but_not_bpg():
    log_prob = torch.tensor([-0.5, -1.0, -0.2])
    q = torch.tensor([3.0, 2.0, 1.0])
    assert vanilla_pg_loss(log_prob, q + 100) != vanilla_pg_loss(log_prob, q)
    assert baseline_pg_loss(log_prob, q + 100).item() == pytest.approx(
        baseline_pg_loss(log_prob, q).item()
    )


def test_entropy_loss_is_normalised_by_log_n_actions():
    for n in (2, 4, 7):
        uniform = torch.zeros(3, n)
        assert entropy_loss(uniform).item() == pytest.approx(-1.0)
    certain = torch.tensor([[500.0, 0.0, 0.0, 0.0]])
    assert entropy_loss(certain).item() == pytest.approx(0.0, abs=1e-6)
    logits = leaf([[1.0, 0.0, -1.0, 0.5], [0.2, 0.3, 0.1, -2.0]])
    dist = torch.distributions.Categorical(logits=logits)
    expected = -dist.entropy().mean() / torch.log(torch.tensor(4.0))
    loss = entropy_loss(logits)
    assert loss.item() == pytest.approx(expected.item())
    loss.backward()
    assert torch.isfinite(logits.grad).all()


def test_entropy_loss_rejects_a_single_action():
    with pytest.raises(ValueError, match="n_actions >= 2"):
        entropy_loss(torch.zeros(3, 1))


def test_aac_loss_values_and_gradient_routing():
    log_prob = leaf([-0.5, -1.0])
    value = leaf([1.0, 4.0])
    q = torch.tensor([3.0, 2.0])
    loss = aac_loss(log_prob, value, q, value_coef=0.5)
    # advantages [2, -2]; policy -(2 * -0.5 - 2 * -1) / 2 = -0.5
    # value 0.5 * mean([4, 4]) = 2
    assert loss.item() == pytest.approx(1.5)
    loss.backward()
    assert torch.allclose(log_prob.grad, torch.tensor([-1.0, 1.0]))
    # only the value term reaches V: d/dV 0.5 * mean((V - q)^2) = (V - q) / 2
    assert torch.allclose(value.grad, torch.tensor([-1.0, 1.0]))


def test_aac_loss_rejects_mismatched_shapes():
    with pytest.raises(ValueError, match="one shape"):
        aac_loss(torch.zeros(3), torch.zeros(3, 1), torch.zeros(3), 0.5)


# --- ppo_loss --------------------------------------------------------------


def ppo_inputs(ratio, advantage):
    """Tensors for ppo_loss whose probability ratio is ``ratio``."""
    old = torch.tensor([-1.0] * len(ratio))
    log_prob = (old + torch.log(torch.tensor(ratio))).requires_grad_()
    zeros = torch.zeros(len(ratio))
    return dict(
        log_prob=log_prob,
        old_log_prob=old,
        advantage=torch.tensor(advantage),
        entropy=zeros,
        value=zeros,
        returns=zeros,
    )


def test_ppo_at_ratio_1_is_the_policy_gradient_loss():
    kw = ppo_inputs([1.0, 1.0, 1.0], [2.0, -1.0, 0.5])
    loss = ppo_loss(**kw, clip=0.2, value_coef=0.5, entropy_coef=0.0)
    (grad,) = torch.autograd.grad(loss, kw["log_prob"])
    log_prob = kw["log_prob"].detach().requires_grad_()
    pg = policy_gradient_loss(log_prob, kw["advantage"])
    (pg_grad,) = torch.autograd.grad(pg, log_prob)
    assert torch.allclose(grad, pg_grad)


@pytest.mark.parametrize(
    "ratio, advantage, has_gradient",
    [
        (1.3, 1.0, False),  # above 1 + clip, a good action: clipped
        (1.3, -1.0, True),  # above 1 + clip, a bad action: still pushed
        (0.7, -1.0, False),  # below 1 - clip, a bad action: clipped
        (0.7, 1.0, True),  # below 1 - clip, a good action: still pushed
        (1.1, 1.0, True),  # inside the range: the plain ratio
        (0.9, -1.0, True),
    ],
)
def test_ppo_clip_removes_the_gradient_on_the_advantages_side(
    ratio, advantage, has_gradient
):
    kw = ppo_inputs([ratio], [advantage])
    loss = ppo_loss(**kw, clip=0.2, value_coef=0.5, entropy_coef=0.0)
    (grad,) = torch.autograd.grad(loss, kw["log_prob"])
    assert (grad.abs().item() > 0) == has_gradient


def test_ppo_value_and_entropy_terms():
    value = torch.tensor([1.0, 2.0], requires_grad=True)
    entropy = torch.tensor([0.5, 0.7], requires_grad=True)
    zeros = torch.zeros(2)
    loss = ppo_loss(
        log_prob=zeros,
        old_log_prob=zeros,
        advantage=zeros,
        entropy=entropy,
        value=value,
        returns=torch.tensor([3.0, 2.0]),
        clip=0.2,
        value_coef=0.5,
        entropy_coef=0.1,
    )
    # 0.5 * mean((3-1)^2, 0) - 0.1 * mean(0.5, 0.7)
    assert torch.isclose(loss, torch.tensor(0.5 * 2.0 - 0.1 * 0.6))
    loss.backward()
    assert torch.allclose(value.grad, torch.tensor([-1.0, 0.0]))
    assert torch.allclose(entropy.grad, torch.tensor([-0.05, -0.05]))


def test_ppo_treats_old_log_prob_advantage_and_returns_as_data():
    kw = ppo_inputs([1.1, 0.9], [1.0, -2.0])
    for name in ("old_log_prob", "advantage", "returns"):
        kw[name] = kw[name].clone().requires_grad_()
    kw["value"] = torch.zeros(2, requires_grad=True)
    loss = ppo_loss(**kw, clip=0.2, value_coef=0.5, entropy_coef=0.0)
    grads = torch.autograd.grad(
        loss,
        [kw["old_log_prob"], kw["advantage"], kw["returns"]],
        allow_unused=True,
    )
    assert all(g is None for g in grads)


def test_ppo_rejects_other_shapes_and_a_bad_clip():
    kw = ppo_inputs([1.0, 1.0], [1.0, 1.0])
    with pytest.raises(ValueError, match="clip"):
        ppo_loss(**kw, clip=0.0, value_coef=0.5, entropy_coef=0.0)
    kw["value"] = torch.zeros(2, 1)
    with pytest.raises(ValueError, match="one shape"):
        ppo_loss(**kw, clip=0.2, value_coef=0.5, entropy_coef=0.0)
